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
            context.console.print("audit chain intact: \(checked) entries" + (expected == nil ? "" : ", anchor held"))
        default:
            throw CommandFailure("unknown audit action '\(signature.action)'; use: audit verify, audit anchor")
        }
    }
}

package struct CommandFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}
