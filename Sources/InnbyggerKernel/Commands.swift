import Fluent
import Vapor

/// `innbygger migrate`: brings the schema up to date, without prompting (operators script it).
package struct MigrateCommand: AsyncCommand {
    package init() {}

    package struct Signature: CommandSignature { package init() {} }
    package var help: String { "Runs pending database migrations." }
    package func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("migrations are up to date")
    }
}

/// `innbygger demo`: loads the demo into an empty database.
package struct DemoCommand: AsyncCommand {
    package init() {}

    package struct Signature: CommandSignature { package init() {} }
    package var help: String { "Loads demo municipalities, users and residents into an empty database." }
    package func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard try await User.query(on: app.db).count() == 0 else {
            throw CommandFailure("the database is not empty; the demo loads only into an empty database")
        }
        try await DemoData.load(on: app.db, app: app)
        context.console.print("demo data loaded")
    }
}

/// `innbygger token --user NAME`: prints a new API bearer token, and nothing else, on stdout.
package struct TokenCommand: AsyncCommand {
    package init() {}

    package struct Signature: CommandSignature {
        @Option(name: "user", help: "Username the token acts as") package var user: String?
        @Option(name: "name", help: "A label for the token") package var name: String?
        package init() {}
    }
    package var help: String { "Creates an API token for a user and prints it." }
    package func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.user?.lowercased(), !username.isEmpty else {
            throw CommandFailure("--user is required")
        }
        let db = context.application.db
        guard let user = try await User.query(on: db).filter(\.$username == username).first(), user.isActive else {
            throw CommandFailure("no active user named \(username)")
        }
        let app = context.application
        let userID = user.id!
        let label = signature.name ?? "command line"
        let token = try await app.write { tx in
            let (token, _) = try await TokenIssuer.issue(for: userID, name: label, on: tx)
            try await app.auditLog.append(
                [
                    AuditDraft(
                        userID: userID.uuidString, municipality: nil, action: "token_created", recordType: "api_token",
                        recordID: nil, route: "CLI token")
                ], on: tx)
            return token
        }
        print(token)
    }
}

/// `innbygger audit verify [--anchor SEQ:MAC]` checks the keyed hash chain and names the first broken entry;
/// `innbygger audit anchor` prints the newest entry's sequence and MAC for the operator to keep outside the system.
package struct AuditCommand: AsyncCommand {
    package init() {}

    package struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify or anchor") package var action: String
        @Option(name: "anchor", help: "SEQ:MAC printed earlier by `audit anchor`; the chain must still hold it") package
            var anchor: String?
        package init() {}
    }
    package var help: String {
        "Audit log tools: `audit verify [--anchor SEQ:MAC]` checks the chain, `audit anchor` prints its head."
    }
    package func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch signature.action {
        case "anchor":
            guard let head = try await AuditLog.anchor(on: app.db) else {
                throw CommandFailure("the audit log is empty")
            }
            print("\(head.sequence):\(head.mac)")
        case "verify":
            var expected: (Int, String)? = nil
            if let a = signature.anchor {
                let parts = a.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let seq = Int(parts[0]), seq > 0, parts[1].count == 64 else {
                    throw CommandFailure("--anchor must be SEQ:MAC as printed by `audit anchor`")
                }
                expected = (seq, parts[1].lowercased())
            }
            let (checked, problem) = try await app.auditLog.verify(on: app.db)
            if let problem {
                let why: String
                switch problem {
                case .contentAltered: why = "its content does not match its MAC (altered, or written with another key)"
                case .linkBroken: why = "it does not point at the MAC of the entry before it"
                case .gap(let expected, _): why = "expected entry \(expected) here (entries missing)"
                case .truncated: why = "entries up to this one are missing at the end of the log"
                }
                throw CommandFailure("audit chain broken at entry \(problem.sequence): \(why)")
            }
            if let (seq, mac) = expected {
                // An intact chain can still be a rewritten or wiped one: it must contain the anchored entry unchanged.
                guard seq <= checked, let entry = try await AuditEntry.find(seq, on: app.db), entry.hash == mac else {
                    throw CommandFailure(
                        "audit chain does not hold the anchor: entry \(seq) is missing or has another MAC (the log "
                            + "was rewritten or cut)"
                    )
                }
            }
            // The server's own anchors (AuditAnchors): every one must still be in the chain, unchanged.
            var held = ""
            if let path = app.settings.auditAnchorFile {
                if let anchors = AuditAnchors.read(path) {
                    if let broken = try await AuditAnchors.firstBroken(anchors, on: app.db) {
                        throw CommandFailure(
                            "audit chain does not hold the server's anchor \(broken.sequence) from \(path): entry "
                                + "\(broken.sequence) is missing or has another MAC "
                                + "(the log was cut, wiped or rewritten)"
                        )
                    }
                    held = ", \(anchors.count) server anchors held"
                } else {
                    held = " (no server anchors at \(path) yet)"
                }
            }
            context.console.print(
                "audit chain intact: \(checked) entries" + (expected == nil ? "" : ", anchor held") + held)
        default:
            throw CommandFailure("unknown audit action '\(signature.action)'; use: audit verify, audit anchor")
        }
    }
}

package struct CommandFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}

/// `innbygger setup`: the first system administrator of an empty installation, in the home municipality the
/// administrator names (checked against Norway's list, `Resources/Reference/municipalities.json`). Interactive when
/// options are left out; for scripts, `--username`, `--name`, `--municipality` and the password on standard input
/// (`--password-stdin`). Refuses once a system administrator exists: later administrators are made on the pages.
package struct SetupCommand: AsyncCommand {
    package init() {}

    package struct Signature: CommandSignature {
        @Option(name: "username", help: "The administrator's username") package var username: String?
        @Option(name: "name", help: "The administrator's full name") package var name: String?
        @Option(name: "municipality", help: "Kommunenummer of the home municipality, e.g. 3420")
        package var municipality: String?
        @Flag(name: "password-stdin", help: "Read the password from standard input (for scripts)")
        package var passwordStdin: Bool
        package init() {}
    }

    package var help: String { "Creates the first system administrator of an empty installation." }

    package func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        try await app.autoMigrate()
        func value(_ given: String?, _ question: String) -> String {
            if let given { return given }
            return console.ask("\(question)")
        }
        let username = value(signature.username, "Brukernavn / username:")
        let name = value(signature.name, "Fullt navn / full name:")
        let code = value(signature.municipality, "Kommunenummer (hjemkommune) / home municipality number:")
        let password: String
        if signature.passwordStdin {
            password = readLine(strippingNewline: true) ?? ""
        } else {
            let first = console.ask("Passord / password:", isSecure: true)
            guard console.ask("Gjenta passordet / repeat the password:", isSecure: true) == first else {
                throw CommandFailure("the passwords differ")
            }
            password = first
        }
        let created = try await Setup.firstAdministrator(
            app, username: username, displayName: name, municipality: code, password: password)
        console.print("system administrator \(created.username) created; log in and add municipalities and users")
    }
}

/// What `innbygger setup` does, for the command and its tests.
package enum Setup {
    /// Creates the home municipality (if missing) and the first system administrator, audited, in one write.
    package static func firstAdministrator(
        _ app: Application, username rawUsername: String, displayName: String, municipality: String, password: String
    ) async throws -> User {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        guard username.count >= 3, username.count <= 60,
            username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) })
        else { throw CommandFailure("the username needs 3–60 letters, digits, '.', '-' or '_'") }
        let display = displayName.trimmingCharacters(in: .whitespaces)
        guard !display.isEmpty, display.count <= 100 else { throw CommandFailure("the name is required (at most 100)") }
        guard let code = Kommunenummer(municipality.trimmingCharacters(in: .whitespaces)),
            let official = app.referenceNames.municipalities[code]
        else {
            throw CommandFailure(
                "\(municipality) is not a municipality number in Norway's list (\(Self.listNote(app)))")
        }
        let problems = app.passwordPolicy.problems(
            password: password, username: username, names: display.split(separator: " ").map(String.init))
        guard problems.isEmpty else {
            throw CommandFailure(
                "the password is not accepted: "
                    + problems.map { app.translations.text($0.rawValue, "en") }.joined(separator: " "))
        }
        let admins = try await RoleAssignment.query(on: app.db).filter(\.$role == .systemAdmin).count()
        guard admins == 0 else {
            throw CommandFailure("a system administrator exists already; add more on the administration pages")
        }
        guard try await User.query(on: app.db).filter(\.$username == username).first() == nil else {
            throw CommandFailure("the username \(username) is taken")
        }
        let hash = try await app.password.async.hash(password)
        let county = app.referenceNames.counties[String(code.value.prefix(2))]
        return try await app.write { tx in
            if try await Municipality.find(code, on: tx) == nil {
                try await Municipality(code: code, name: official, county: county ?? "").create(on: tx)
            }
            let user = User(username: username, displayName: display, passwordHash: hash)
            try await user.create(on: tx)
            try await RoleAssignment(user: user.id!, role: .systemAdmin, municipality: code, unit: nil).create(on: tx)
            try await app.auditLog.append(
                [
                    AuditDraft(
                        userID: user.id!.uuidString, municipality: code, action: "setup_first_administrator",
                        recordType: "user", recordID: user.id!.uuidString, route: "CLI setup")
                ], on: tx)
            return user
        }
    }

    static func listNote(_ app: Application) -> String {
        "\(app.referenceNames.municipalities.count) municipalities valid from "
            + (app.referenceNames.municipalitiesValidFrom?.norwegian ?? "?")
    }
}
