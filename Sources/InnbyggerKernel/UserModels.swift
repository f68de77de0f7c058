import Fluent
import Vapor

/// A staff user. Residents are not users yet.
package final class User: Model, @unchecked Sendable {
    package static let schema = "users"
    @ID(key: .id) package var id: UUID?
    @Field(key: "username") package var username: String
    @Field(key: "display_name") package var displayName: String
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "is_active") package var isActive: Bool
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Children(for: \.$user) package var assignments: [RoleAssignment]

    package init() {}
    package init(id: UUID? = nil, username: String, displayName: String, passwordHash: String) {
        self.id = id
        self.username = username.lowercased()
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.isActive = true
    }
}

/// One role held by a user in a municipality, optionally at a service unit whose agreements widen it.
package final class RoleAssignment: Model, @unchecked Sendable {
    package static let schema = "role_assignments"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "user_id") package var user: User
    @Field(key: "role") package var role: Role
    @Parent(key: "municipality") package var municipality: Municipality
    @OptionalParent(key: "unit_id") package var unit: ServiceUnit?
    /// A role that reads personal data waits for a second person's approval; until then it grants nothing.
    @Field(key: "pending") package var pending: Bool
    @OptionalField(key: "requested_by") package var requestedBy: UUID?
    @OptionalField(key: "approved_by") package var approvedBy: UUID?
    @OptionalField(key: "approved_at") package var approvedAt: Date?

    package init() {}
    /// A system role: its row's municipality means nothing.
    package var isSystemRole: Bool { role.isSystemRole }

    package init(
        user: UUID, role: Role, municipality: Kommunenummer, unit: UUID?, pending: Bool = false,
        requestedBy: UUID? = nil
    ) {
        self.$user.id = user
        self.role = role
        self.$municipality.id = municipality
        self.$unit.id = unit
        self.pending = pending
        self.requestedBy = requestedBy
    }
}

/// A browser session. Only the SHA-256 of the cookie value is stored, so a database dump
/// cannot be replayed as a login. Lives in the database so several app processes share it.
package final class UserSession: Model, @unchecked Sendable {
    package static let schema = "user_sessions"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "user_id") package var user: User
    @Field(key: "token_hash") package var tokenHash: String
    @Field(key: "csrf_token") package var csrfToken: String
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "last_seen_at") package var lastSeenAt: Date
    @Field(key: "expires_at") package var expiresAt: Date

    package init() {}
}

/// A bearer token for the API. Shown once when created; stored as its SHA-256.
package final class APIToken: Model, @unchecked Sendable {
    package static let schema = "api_tokens"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "user_id") package var user: User
    @Field(key: "name") package var name: String
    @Field(key: "token_hash") package var tokenHash: String
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "last_used_at") package var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") package var revokedAt: Date?

    package init() {}
}

/// Login attempts, for throttling across processes.
package final class LoginAttempt: Model, @unchecked Sendable {
    package static let schema = "login_attempts"
    @ID(key: .id) package var id: UUID?
    @Field(key: "username") package var username: String
    @Field(key: "succeeded") package var succeeded: Bool
    @Field(key: "at") package var at: Date
    /// The client's address, for the per-source limit (one client cannot lock out every username).
    @OptionalField(key: "source") package var source: String?

    package init() {}
    package init(username: String, succeeded: Bool, at: Date, source: String? = nil) {
        self.username = username
        self.succeeded = succeeded
        self.at = at
        self.source = source
    }
}

package struct CreateUsers: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
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
    package func revert(on db: any Database) async throws {
        for s in [LoginAttempt.schema, APIToken.schema, UserSession.schema, RoleAssignment.schema, User.schema] {
            try await db.schema(s).delete()
        }
    }
}

/// Issue #9's schema: login attempts keep their source, role grants their approval, persons the import that made them.
package struct AddSecurityFields: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
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

    package func revert(on db: any Database) async throws {
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
