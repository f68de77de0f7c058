import Fluent
import Vapor

/// One append-only audit entry. The sequence number is the key; nothing updates or deletes rows.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"
    @ID(custom: "seq", generatedBy: .user) var id: Int?
    @Field(key: "at_ms") var atMillis: Int64
    @OptionalField(key: "user_id") var userID: String?
    @OptionalField(key: "municipality") var municipality: String?
    @Field(key: "action") var action: String
    @Field(key: "record_type") var recordType: String
    @OptionalField(key: "record_id") var recordID: String?
    @Field(key: "route") var route: String
    @Field(key: "prev_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}

    init(_ r: AuditRecord, hash: String) {
        id = r.sequence; atMillis = r.atMillis; userID = r.userID; municipality = r.municipality; action = r.action
        recordType = r.recordType; recordID = r.recordID; route = r.route; previousHash = r.previousHash; self.hash = hash
    }

    var record: AuditRecord {
        AuditRecord(sequence: id ?? 0, atMillis: atMillis, userID: userID, municipality: municipality, action: action,
                    recordType: recordType, recordID: recordID, route: route, previousHash: previousHash)
    }
}

struct CreateAudit: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(AuditEntry.schema)
            .field("seq", .int64, .identifier(auto: false))
            .field("at_ms", .int64, .required)
            .field("user_id", .string)
            .field("municipality", .string)
            .field("action", .string, .required)
            .field("record_type", .string, .required)
            .field("record_id", .string)
            .field("route", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .create()
        // The chain head: one row, locked while an entry is appended so that several app
        // processes on PostgreSQL cannot both extend the chain from the same entry.
        try await db.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("last_seq", .int64, .required)
            .field("last_hash", .string, .required)
            .create()
        try await (db as! any SQLDatabase).insert(into: "audit_head")
            .columns("id", "last_seq", "last_hash").values(1, 0, AuditChain.genesis).run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("audit_head").delete()
        try await db.schema(AuditEntry.schema).delete()
    }
}
