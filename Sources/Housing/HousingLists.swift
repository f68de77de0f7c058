import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The housing lists, each paged in the database and counted by queries (issue #12): dwellings by status and size,
/// tenancies (ending in the next 90 days, inspections due), and the queue of incoming households.
package enum HousingLists {
    package struct Paging: Content {
        package var page: Int?
        package var after: String?
        package var before: String?
        package var limit: Int?
    }

    package struct DwellingFilter: Content {
        package var municipality: String?
        package var status: String?
        /// Text, as the filter form sends an empty field for "any".
        package var rooms: String?
        package var owner: String?
    }

    /// The municipalities whose dwellings the user works with (integration staff, the housing partner).
    static func dwellingScope(_ ctx: ServiceContext, _ requested: String?) async throws -> [Kommunenummer] {
        try await ctx.scope(where: .list, requested: requested) { .register(municipality: $0, sector: .housing) }
    }

    static func dwellingQuery(_ ctx: ServiceContext, _ f: DwellingFilter, _ codes: [Kommunenummer]) throws
        -> QueryBuilder<Dwelling>
    {
        let q = Dwelling.query(on: ctx.db).filter(\.$municipality.$id ~~ codes)
        if let s = f.status, !s.isEmpty {
            guard let status = DwellingStatus(rawValue: s) else {
                throw ValidationFailure(field: "status", "invalid.one_of")
            }
            q.filter(\.$status == status)
        }
        if let o = f.owner, !o.isEmpty {
            guard let owner = DwellingOwner(rawValue: o) else {
                throw ValidationFailure(field: "owner", "invalid.one_of")
            }
            q.filter(\.$owner == owner)
        }
        if let r = try Validate.number(Validate.formInt(f.rooms, "rooms"), "rooms", 1...20) { q.filter(\.$rooms == r) }
        return q
    }

    static let dwellingOrder = Keyset([
        .init("\"\(Dwelling.schema)\".\"address\""), .init("\"\(Dwelling.schema)\".\"id\""),
    ])

    package static func dwellings(_ ctx: ServiceContext, _ f: DwellingFilter, _ window: PageWindow, base: String)
        async throws -> (rows: [Dwelling], total: Int, pager: Pager)
    {
        let codes = try await dwellingScope(ctx, f.municipality)
        let q = try dwellingQuery(ctx, f, codes)
        let total = try await q.count()
        let fetched = try await window.rows(try dwellingQuery(ctx, f, codes), dwellingOrder)
        let (rows, pager) = window.settle(fetched, total: total, base: base) {
            Cursor([.text($0.address), .id($0.id!)])
        }
        return (rows, total, pager)
    }

    /// One cell of the stock: dwellings of a status and a number of rooms.
    package struct StockCell: Decodable, Sendable {
        package var status: String
        package var rooms: Int
        package var n: Int
    }

    /// The stock by status and rooms, one grouped query: what the settlement assessment and the scenarios read as
    /// capacity by size.
    package static func stock(_ ctx: ServiceContext, _ codes: [Kommunenummer]) async throws -> [StockCell] {
        try await (ctx.db as! any SQLDatabase).raw(
            """
            SELECT status, rooms, COUNT(*) AS n FROM \(ident: Dwelling.schema)
            WHERE municipality IN (\(binds: codes.map(\.value))) GROUP BY status, rooms ORDER BY rooms, status
            """
        ).all(decoding: StockCell.self)
    }

    // MARK: Tenancies

    package struct TenancyFilter: Content {
        package var municipality: String?
        /// "ending" (agreed end within the next 90 days), "inspection" (a visit due within the worklist's window or
        /// overdue), "own_home" (past the goal day, still in the service's dwelling), "ended"; else every active.
        package var show: String?
    }

    package struct TenancyRow: Decodable, Sendable {
        package var id: UUID
        package var household_id: UUID
        package var household: String
        package var address: String
        package var municipality: String
        package var start_date: String
        package var agreed_end: String?
        package var rent: Int
        package var next_inspection: String?
        package var goal_date: String
        package var ended_on: String?
        package var end_reason: String?
    }

    /// The municipalities whose tenancies the user may list, and the condition that keeps a partner to households
    /// every member of which is shared with its sector.
    static func tenancyScope(_ ctx: ServiceContext, _ requested: String?) async throws -> (
        [Kommunenummer], SQLQueryString?
    ) {
        let user = try ctx.requireUser()
        let codes = try await ctx.scope(where: .list, requested: requested) {
            .register(municipality: $0, sector: .housing)
        }
        guard !user.principal.roles.contains(where: \.isIntegrationStaff) else { return (codes, nil) }
        let shared = PersonShare.active(with: [.housing], person: "m.id")
        let condition: SQLQueryString =
            "EXISTS (SELECT 1 FROM \(ident: Person.schema) m WHERE m.household_id = t.household_id)"
            + " AND NOT EXISTS (SELECT 1 FROM \(ident: Person.schema) m WHERE m.household_id = t.household_id AND NOT "
            + shared + ")"
        return (codes, condition)
    }

    static func tenancySQL(_ ctx: ServiceContext, _ f: TenancyFilter) async throws -> SQLQueryString {
        let (codes, partner) = try await tenancyScope(ctx, f.municipality)
        let today = ctx.today
        var sql: SQLQueryString = """
            SELECT t.id AS id, t.household_id AS household_id, h.name AS household, d.address AS address,
            t.municipality AS municipality, t.start_date AS start_date, t.agreed_end AS agreed_end, t.rent AS rent,
            t.next_inspection AS next_inspection, t.goal_date AS goal_date, t.ended_on AS ended_on,
            t.end_reason AS end_reason
            FROM \(ident: Tenancy.schema) t JOIN \(ident: Dwelling.schema) d ON d.id = t.dwelling_id
            JOIN \(ident: Household.schema) h ON h.id = t.household_id
            WHERE t.municipality IN (\(binds: codes.map(\.value)))
            """
        switch f.show ?? "" {
        case "":
            sql += " AND t.ended_on IS NULL"
        case "ending":
            let soon = today.adding(days: ctx.app.housingParameters.value(\.soonFreeDays, on: today) ?? 90)
            sql += """
                 AND t.ended_on IS NULL AND t.agreed_end IS NOT NULL AND t.agreed_end <= \(bind: soon.iso)
                """
        case "inspection":
            let soon = today.adding(days: Deadlines.soonDays)
            sql +=
                " AND t.ended_on IS NULL AND t.next_inspection IS NOT NULL AND t.next_inspection <= \(bind: soon.iso)"
        case "own_home":
            sql += " AND t.ended_on IS NULL AND t.service_held = \(bind: true) AND t.goal_date < \(bind: today.iso)"
        case "ended":
            sql += " AND t.ended_on IS NOT NULL"
        default:
            throw ValidationFailure(field: "show", "invalid.one_of")
        }
        if let partner { sql += " AND " + partner }
        return sql
    }

    static let tenancyOrder = Keyset([.init("household"), .init("id")])

    package static func tenancies(_ ctx: ServiceContext, _ f: TenancyFilter, _ window: PageWindow, base: String)
        async throws -> (rows: [TenancyRow], total: Int, pager: Pager)
    {
        let sql = try await tenancySQL(ctx, f)
        let db = ctx.db as! any SQLDatabase
        struct Count: Decodable { var n: Int }
        let total = try await db.raw("SELECT COUNT(*) AS n FROM (" + sql + ") c").first(decoding: Count.self)?.n ?? 0
        let fetched = try await window.rows(db, sql, tenancyOrder, decoding: TenancyRow.self)
        let (rows, pager) = window.settle(fetched, total: total, base: base) {
            Cursor([.text($0.household), .id($0.id)])
        }
        try await ctx.auditList(
            "tenancy", records: rows.compactMap { r in Kommunenummer(r.municipality).map { (r.id, $0) } })
        return (rows, total, pager)
    }

    /// Every row of the filtered list in keyset batches, for the export.
    package static func allTenancies(_ ctx: ServiceContext, _ f: TenancyFilter) async throws -> [TenancyRow] {
        let sql = try await tenancySQL(ctx, f)
        let db = ctx.db as! any SQLDatabase
        return try await PageWindow.all(cap: 50_000, cursor: { Cursor([.text($0.household), .id($0.id)]) }) {
            try await $0.rows(db, sql, tenancyOrder, decoding: TenancyRow.self)
        }
    }
}
