import Fluent
import Vapor

/// A staff user. Residents are not users yet.
final class User: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "is_active") var isActive: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$user) var assignments: [RoleAssignment]

    init() {}
    init(id: UUID? = nil, username: String, displayName: String, passwordHash: String) {
        self.id = id; self.username = username.lowercased(); self.displayName = displayName
        self.passwordHash = passwordHash; self.isActive = true
    }
}

/// One role held by a user in a municipality, optionally at a service unit whose agreements widen it.
final class RoleAssignment: Model, @unchecked Sendable {
    static let schema = "role_assignments"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "role") var role: String
    @Parent(key: "municipality") var municipality: Municipality
    @OptionalParent(key: "unit_id") var unit: ServiceUnit?
    /// A role that reads personal data waits for a second person's approval; until then it grants nothing.
    @Field(key: "pending") var pending: Bool
    @OptionalField(key: "requested_by") var requestedBy: UUID?
    @OptionalField(key: "approved_by") var approvedBy: UUID?
    @OptionalField(key: "approved_at") var approvedAt: Date?

    init() {}
    /// A system role: its row's municipality means nothing.
    var isSystemRole: Bool { Role(rawValue: role)?.isSystemRole == true }

    init(user: UUID, role: Role, municipality: String, unit: UUID?, pending: Bool = false, requestedBy: UUID? = nil) {
        self.$user.id = user
        self.role = role.rawValue
        self.$municipality.id = municipality
        self.$unit.id = unit
        self.pending = pending
        self.requestedBy = requestedBy
    }
}

/// A browser session. Only the SHA-256 of the cookie value is stored, so a database dump
/// cannot be replayed as a login. Lives in the database so several app processes share it.
final class UserSession: Model, @unchecked Sendable {
    static let schema = "user_sessions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// A bearer token for the API. Shown once when created; stored as its SHA-256.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

/// Login attempts, for throttling across processes.
final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"
    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "at") var at: Date
    /// The client's address, for the per-source limit (one client cannot lock out every username).
    @OptionalField(key: "source") var source: String?

    init() {}
    init(username: String, succeeded: Bool, at: Date, source: String? = nil) {
        self.username = username
        self.succeeded = succeeded
        self.at = at
        self.source = source
    }
}

struct CreateUsers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(User.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("is_active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
        try await db.schema(RoleAssignment.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("unit_id", .uuid, .references(ServiceUnit.schema, "id"))
            .create()
        try await db.schema(UserSession.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await db.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await db.schema(LoginAttempt.schema)
            .id()
            .field("username", .string, .required)
            .field("succeeded", .bool, .required)
            .field("at", .datetime, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        for s in [LoginAttempt.schema, APIToken.schema, UserSession.schema, RoleAssignment.schema, User.schema] {
            try await db.schema(s).delete()
        }
    }
}

/// Issue #9's schema: login attempts keep their source, role grants their approval, persons the import that made them.
struct AddSecurityFields: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LoginAttempt.schema).field("source", .string).update()
        try await db.schema(RoleAssignment.schema).field("pending", .bool, .required, .sql(.default(false))).update()
        try await db.schema(RoleAssignment.schema).field("requested_by", .uuid).update()
        try await db.schema(RoleAssignment.schema).field("approved_by", .uuid).update()
        try await db.schema(RoleAssignment.schema).field("approved_at", .datetime).update()
        try await db.schema(Person.schema).field("import_job", .uuid).update()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "login_attempts_username_at").on(LoginAttempt.schema).column("username")
            .column("at").run()
        try await sql.create(index: "login_attempts_source_at").on(LoginAttempt.schema).column("source").column("at")
            .run()
        try await sql.create(index: "persons_import_job").on(Person.schema).column("import_job").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for index in ["login_attempts_username_at", "login_attempts_source_at", "persons_import_job"] {
            try await sql.drop(index: index).run()
        }
        try await db.schema(Person.schema).deleteField("import_job").update()
        for f in ["approved_at", "approved_by", "requested_by", "pending"] {
            try await db.schema(RoleAssignment.schema).deleteField(.string(f)).update()
        }
        try await db.schema(LoginAttempt.schema).deleteField("source").update()
    }
}
