import Fluent
import SQLKit
import Vapor

/// One open legal deadline of a person, as the rules engine computed it when the file last changed (or at the day's
/// first pass). The worklist and the start page read this table with paged, indexed queries instead of running the
/// rules over every file per request (issue #12). Only deadlines met by an event, and not yet met, are kept.
///
/// The key is a number given in insertion order, and a file's rows are inserted in the rules engine's order: the last
/// key of every list order, so that the order is total and a cursor can name a place in it.
package final class OpenDeadline: Model, @unchecked Sendable {
    package static let schema = "open_deadlines"
    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "kind") package var kind: DeadlineKind
    /// ISO date: sorts and compares as text on both databases.
    @Field(key: "due") package var due: LocalDate
    /// The sector that meets it: partners see their own sector's deadlines.
    @Field(key: "sector") package var sector: Sector
    @Field(key: "reference") package var reference: String

    package init() {}
}

/// Every legal deadline of each file met by an event, open or not, with whether it was met in time
/// (`DeadlineOutcome`): what the plan's "share within the deadline" indicators count in the database (issue #14).
package final class DeadlineOutcomeRow: Model, @unchecked Sendable {
    package static let schema = "deadline_outcomes"
    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "kind") package var kind: DeadlineKind
    @Field(key: "due") package var due: LocalDate
    @OptionalField(key: "event") package var event: LocalDate?
    /// Nil while not decided either way, or when the person moved out before it (not counted).
    @OptionalField(key: "met_in_time") package var metInTime: Bool?

    package init() {}
}

package struct CreateDeadlineOutcomes: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
        try await db.schema(DeadlineOutcomeRow.schema)
            .field("id", .int, .identifier(auto: true))
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required)
            .field("kind", .string, .required)
            .field("due", .string, .required)
            .field("event", .string)
            .field("met_in_time", .bool)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_deadline_outcomes_count").on(DeadlineOutcomeRow.schema)
            .column("municipality").column("kind").column("due").run()
        try await sql.create(index: "idx_deadline_outcomes_person").on(DeadlineOutcomeRow.schema).column("person_id")
            .run()
        // Every file's derived rows are computed again at the next pass, so the new table is filled.
        try await DeadlineState.query(on: db).delete()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(DeadlineOutcomeRow.schema).delete()
    }
}

/// The day each file's derived rows (its open deadlines, and the features' `DerivedTable`s) were last computed: a
/// file not computed today is recomputed by the day's pass.
package final class DeadlineState: Model, @unchecked Sendable {
    package static let schema = "derived_state"
    @ID(custom: "person_id", generatedBy: .user) package var id: UUID?
    @Field(key: "computed_on") package var computedOn: LocalDate

    package init() {}
}

package struct CreateDeadlineIndex: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
        try await db.schema(OpenDeadline.schema)
            .field("id", .int, .identifier(auto: true))
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required)
            .field("kind", .string, .required)
            .field("due", .string, .required)
            .field("sector", .string, .required)
            .field("reference", .string, .required)
            .create()
        try await db.schema(DeadlineState.schema)
            .field("person_id", .uuid, .identifier(auto: false), .references(Person.schema, "id", onDelete: .cascade))
            .field("computed_on", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_open_deadlines_list").on(OpenDeadline.schema)
            .column("municipality").column("due").run()
        try await sql.create(index: "idx_open_deadlines_person").on(OpenDeadline.schema).column("person_id").run()
        try await sql.create(index: "idx_derived_state_day").on(DeadlineState.schema).column("computed_on").run()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(DeadlineState.schema).delete()
        try await db.schema(OpenDeadline.schema).delete()
    }
}

/// Rows a feature derives from a person's records for its lists and aggregates (a programme's status, planned end and
/// next review …), so that a list reads one indexed table instead of computing the rules over every file per request
/// (issue #12). `refresh` replaces the rows of the given files, inside the write transaction that changed them, and
/// again in the day's pass, since what the rules say depends on the date.
package protocol DerivedTable: Sendable {
    /// Replaces the rows of the files `ids` on `db` (a write transaction); `persons` are those of them that still
    /// exist, read once for every table (files that no longer exist lose their rows).
    func refresh(_ ids: [UUID], persons: [Person], app: Application, on db: any Database) async throws
}

/// The kernel's derived tables: the open legal deadlines of each file, as the rules engine computes them, and every
/// deadline's outcome (one evaluation of the rules for both).
package struct OpenDeadlines: DerivedTable {
    package init() {}

    package func refresh(_ ids: [UUID], persons: [Person], app: Application, on db: any Database) async throws {
        let today = LocalDate.today
        try await OpenDeadline.query(on: db).filter(\.$person.$id ~~ ids).delete()
        try await DeadlineOutcomeRow.query(on: db).filter(\.$person.$id ~~ ids).delete()
        guard !persons.isEmpty else { return }
        let events = try await DeadlineEvents.dates(for: persons.compactMap(\.id), features: app.features, on: db)
        let engine = app.rulesEngine
        var open: [[any Encodable & Sendable]] = []
        var outcomes: [[any Encodable & Sendable]] = []
        for p in persons {
            let id = p.id!
            let municipality = p.$municipality.id.value
            // After a move-out the deadlines are the new municipality's, not this one's worklist.
            let here = !p.hasMovedOut(by: today)
            for d in engine.evaluate(p.facts, asOf: today).deadlines where d.kind.isMetByEvent {
                let event = events[id]?[d.kind]
                let met = DeadlineOutcome.metInTime(due: d.due, event: event, movedOut: p.movedOutOn, today: today)
                outcomes.append([id, municipality, d.kind.rawValue, d.due.iso, event?.iso, met])
                guard here, event == nil else { continue }
                open.append([id, municipality, d.kind.rawValue, d.due.iso, d.kind.sector.rawValue, d.reference])
            }
        }
        // Plain multi-row inserts in the engine's order (the keys follow it).
        try await BulkInsert.run(
            into: OpenDeadline.schema, columns: ["person_id", "municipality", "kind", "due", "sector", "reference"],
            open, on: db)
        try await BulkInsert.run(
            into: DeadlineOutcomeRow.schema,
            columns: ["person_id", "municipality", "kind", "due", "event", "met_in_time"], outcomes, on: db)
    }
}

/// Multi-row `INSERT`s through SQLKit, in chunks the databases' parameter limits allow: no model reflection per row.
package enum BulkInsert {
    package static func run(
        into table: String, columns: [String], _ rows: [[any Encodable & Sendable]], on db: any Database
    ) async throws {
        guard !rows.isEmpty else { return }
        let sql = db as! any SQLDatabase
        // SQLite allows 32 766 bound values per statement; PostgreSQL 65 535.
        let chunk = max(1, 30_000 / max(1, columns.count))
        for start in stride(from: 0, to: rows.count, by: chunk) {
            let insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<min(start + chunk, rows.count)] { insert.values(row) }
            try await insert.run()
        }
    }
}

/// Keeps the derived tables current: a write that changes a file recomputes that file's rows in its own transaction
/// (`ServiceContext.write`, from the persons and households its audit entries name), and once a day every file not
/// yet computed that day is recomputed.
package actor DeadlineIndex {
    /// The day the last complete pass ran.
    private var passDay: LocalDate?
    private var running: Task<Void, any Error>?

    package init() {}

    /// Persons recomputed per transaction in the day's pass.
    package static let batchSize = 500

    /// Recomputes every derived table's rows for the given files on `db` (a write transaction).
    package static func refresh(_ personIDs: Set<UUID>, app: Application, on db: any Database) async throws {
        // In batches: the queries name the files, and the databases bound the values one statement may hold.
        let all = Array(personIDs)
        for start in stride(from: 0, to: all.count, by: batchSize) {
            try await refresh(batch: Array(all[start..<min(start + batchSize, all.count)]), app: app, on: db)
        }
    }

    private static func refresh(batch ids: [UUID], app: Application, on db: any Database) async throws {
        try await DeadlineState.query(on: db).filter(\.$id ~~ ids).delete()
        // The files are decoded once for all the tables (a Fluent model costs its fields in reflection, #12).
        let persons = try await Person.query(on: db).filter(\.$id ~~ ids).all()
        for table in [OpenDeadlines()] + app.features.flatMap(\.derivedTables) {
            try await table.refresh(ids, persons: persons, app: app, on: db)
        }
        let existing = persons.compactMap(\.id)
        let today = LocalDate.today.iso
        try await BulkInsert.run(
            into: DeadlineState.schema, columns: ["person_id", "computed_on"], existing.map { [$0, today] }, on: db)
    }

    /// The members of the given households (a checklist task meets a deadline for every member).
    package static func members(of households: Set<UUID>, on db: any Database) async throws -> Set<UUID> {
        guard !households.isEmpty else { return [] }
        return Set(
            try await Person.query(on: db).filter(\.$household.$id ~~ Array(households)).field(\.$id).all()
                .compactMap(\.id))
    }

    /// Makes sure today's pass has run: files not computed today are recomputed, in batches, each batch a write of
    /// its own. Callers on the same day after the pass return at once; concurrent callers share one pass.
    package func ensureCurrent(_ app: Application) async throws {
        let today = LocalDate.today
        if passDay == today { return }
        if let running { return try await running.value }
        let task = Task { try await Self.pass(app, today: today) }
        running = task
        defer { running = nil }
        try await task.value
        passDay = today
    }

    /// Forgets that today's pass ran (after records were stored outside a request: the demo, a bench dataset).
    package func invalidate() {
        passDay = nil
    }

    private static func pass(_ app: Application, today: LocalDate) async throws {
        while true {
            let sql = app.db as! any SQLDatabase
            let stale = try await sql.raw(
                """
                SELECT p.id FROM \(ident: Person.schema) p
                LEFT JOIN \(ident: DeadlineState.schema) s ON s.person_id = p.id
                WHERE s.person_id IS NULL OR s.computed_on <> \(bind: today.iso)
                LIMIT \(unsafeRaw: String(batchSize))
                """
            ).all(decoding: StaleRow.self)
            guard !stale.isEmpty else { return }
            try await app.write { tx in try await refresh(Set(stale.map(\.id)), app: app, on: tx) }
            if stale.count < batchSize { return }
        }
    }

    private struct StaleRow: Decodable { var id: UUID }
}

package struct DeadlineIndexKey: StorageKey { package typealias Value = DeadlineIndex }

extension Application {
    /// The deadline table's keeper; set once in `configure`.
    package var deadlineIndex: DeadlineIndex {
        get {
            guard let i = storage[DeadlineIndexKey.self] else { fatalError("configure() sets the deadline index") }
            return i
        }
        set { storage[DeadlineIndexKey.self] = newValue }
    }
}
