import Fluent
import Vapor

/// `innbygger migrate`: brings the schema up to date, without prompting (operators script it).
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Runs pending database migrations." }
    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("migrations are up to date")
    }
}

/// `innbygger demo`: loads the demo into an empty database.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Loads demo municipalities, users and residents into an empty database." }
    func run(using context: CommandContext, signature: Signature) async throws {
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
struct TokenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "user", help: "Username the token acts as") var user: String?
        @Option(name: "name", help: "A label for the token") var name: String?
    }
    var help: String { "Creates an API token for a user and prints it." }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.user?.lowercased(), !username.isEmpty else { throw CommandFailure("--user is required") }
        let db = context.application.db
        guard let user = try await User.query(on: db).filter(\.$username == username).first(), user.isActive else {
            throw CommandFailure("no active user named \(username)")
        }
        let (token, _) = try await TokenIssuer.issue(for: user.id!, name: signature.name ?? "command line", on: db)
        try await AuditLog(db: db, lock: context.application.auditLock).append(
            userID: user.id?.uuidString, municipality: nil, action: "token_created", recordType: "api_token",
            recordID: nil, route: "CLI token")
        print(token)
    }
}

/// `innbygger audit verify`: checks the hash chain and names the first broken entry.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify") var action: String
    }
    var help: String { "Audit log tools: `audit verify` checks the hash chain." }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else { throw CommandFailure("unknown audit action '\(signature.action)'; use: audit verify") }
        let (checked, problem) = try await AuditLog.verify(on: context.application.db)
        if let problem {
            let why: String
            switch problem {
            case .contentAltered: why = "its content does not match its hash (altered)"
            case .linkBroken: why = "it does not point at the hash of the entry before it"
            case .gap(let expected, _): why = "expected entry \(expected) here (entries missing)"
            case .truncated: why = "entries up to this one are missing at the end of the log"
            }
            throw CommandFailure("audit chain broken at entry \(problem.sequence): \(why)")
        }
        context.console.print("audit chain intact: \(checked) entries")
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
