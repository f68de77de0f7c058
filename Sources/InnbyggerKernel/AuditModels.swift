import Fluent
import Vapor

/// One append-only audit entry. The sequence number is the key; nothing updates or deletes rows.
package final class AuditEntry: Model, @unchecked Sendable {
    package static let schema = "audit_entries"
    @ID(custom: "seq", generatedBy: .user) package var id: Int?
    @Field(key: "at_ms") package var atMillis: Int64
    @OptionalField(key: "user_id") package var userID: String?
    @OptionalField(key: "municipality") package var municipality: Kommunenummer?
    @Field(key: "action") package var action: String
    @Field(key: "record_type") package var recordType: String
    @OptionalField(key: "record_id") package var recordID: String?
    @Field(key: "route") package var route: String
    @Field(key: "prev_hash") package var previousHash: String
    @Field(key: "hash") package var hash: String

    package init() {}

    package init(_ r: AuditRecord, hash: String) {
        id = r.sequence
        atMillis = r.atMillis
        userID = r.userID
        municipality = r.municipality.flatMap(Kommunenummer.init(_:))
        action = r.action
        recordType = r.recordType
        recordID = r.recordID
        route = r.route
        previousHash = r.previousHash
        self.hash = hash
    }

    package var record: AuditRecord {
        AuditRecord(
            sequence: id ?? 0, atMillis: atMillis, userID: userID, municipality: municipality?.value, action: action,
            recordType: recordType, recordID: recordID, route: route, previousHash: previousHash)
    }
}

package struct CreateAudit: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
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
    package func revert(on db: any Database) async throws {
        try await db.schema("audit_head").delete()
        try await db.schema(AuditEntry.schema).delete()
    }
}
