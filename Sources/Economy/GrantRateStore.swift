import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// A payment year's rate table an administrator added (or replaced a shipped year with), as the JSON of
/// `GrantRateTable`, with who added it and when.
package final class GrantRateRecord: Model, @unchecked Sendable {
    package static let schema = "grant_rate_tables"
    @ID(key: .id) package var id: UUID?
    @Field(key: "year") package var year: Int
    @Field(key: "body") package var body: String
    @Field(key: "added_at") package var addedAt: Date
    @OptionalField(key: "added_by") package var addedBy: UUID?

    package init() {}

    package var table: GrantRateTable? { try? JSONDecoder().decode(GrantRateTable.self, from: Data(body.utf8)) }
}

package struct CreateGrantRateTables: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(GrantRateRecord.schema).id()
            .field("year", .int, .required).field("body", .string, .required)
            .field("added_at", .datetime, .required).field("added_by", .uuid)
            .unique(on: "year").create()
    }

    package func revert(on db: any Database) async throws { try await db.schema(GrantRateRecord.schema).delete() }
}

/// The rate tables in force: the shipped file's, with the administrators' tables replacing a year they name.
package enum GrantRateStore {
    /// The rules with every table; a handful of rows, read per call so that every process sees a new table at once.
    package static func rules(_ app: Application, on db: any Database) async throws -> GrantRules {
        let added = try await GrantRateRecord.query(on: db).sort(\.$year).all().compactMap(\.table)
        guard !added.isEmpty else { return app.grantRules }
        return GrantRules(tables: GrantRateTables(Array(app.grantRules.tables.byYear.values) + added))
    }

    /// Stores `table` for its year (replacing an earlier one) with its audit entry, in the request's write.
    package static func save(_ ctx: ServiceContext, _ table: GrantRateTable) async throws {
        let user = try ctx.requireUser()
        try await ctx.authorize(.update, .tenancy)
        let body = String(decoding: try JSONEncoder().encode(table), as: UTF8.self)
        try await ctx.write { db in
            let existing = try await GrantRateRecord.query(on: db).filter(\.$year == table.year).first()
            let record = existing ?? GrantRateRecord()
            record.year = table.year
            record.body = body
            record.addedAt = Oslo.now()
            record.addedBy = user.id
            try await record.save(on: db)
            try await ctx.audit(
                existing == nil ? "create" : "update", recordType: "grant_rate_table", recordID: String(table.year),
                municipality: nil)
            // Every file's expected grants change with the rates: the derived tables are recomputed for all.
            try await DeadlineState.query(on: db).delete()
        }
        // The next list that reads them (the ledger, the worklist) runs the pass first.
        await ctx.app.deadlineIndex.invalidate()
    }
}
