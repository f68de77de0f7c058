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

/// The day each file's deadlines were last computed: a file not computed today is recomputed by the day's pass.
package final class DeadlineState: Model, @unchecked Sendable {
    package static let schema = "deadline_state"
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
        try await sql.create(index: "idx_deadline_state_day").on(DeadlineState.schema).column("computed_on").run()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(DeadlineState.schema).delete()
        try await db.schema(OpenDeadline.schema).delete()
    }
}

/// Keeps `open_deadlines` current: a write that changes a file recomputes that file's deadlines in its own
/// transaction (`ServiceContext.write`, from the persons and households its audit entries name), and once a day
/// every file not yet computed that day is recomputed, since what is due and what applies depend on the date.
package actor DeadlineIndex {
    /// The day the last complete pass ran.
    private var passDay: LocalDate?
    private var running: Task<Void, any Error>?

    package init() {}

    /// Persons recomputed per transaction in the day's pass.
    package static let batchSize = 500

    /// Recomputes the given files' open deadlines on `db` (a write transaction). Files that no longer exist lose
    /// their rows.
    package static func refresh(_ personIDs: Set<UUID>, app: Application, on db: any Database) async throws {
        guard !personIDs.isEmpty else { return }
        let ids = Array(personIDs)
        let today = LocalDate.today
        try await OpenDeadline.query(on: db).filter(\.$person.$id ~~ ids).delete()
        try await DeadlineState.query(on: db).filter(\.$id ~~ ids).delete()
        let persons = try await Person.query(on: db).filter(\.$id ~~ ids).all()
        guard !persons.isEmpty else { return }
        let events = try await DeadlineEvents.dates(for: persons.compactMap(\.id), features: app.features, on: db)
        let engine = app.rulesEngine
        var rows: [[any Encodable & Sendable]] = []
        var states: [DeadlineState] = []
        for p in persons {
            let id = p.id!
            for d in engine.evaluate(p.facts, asOf: today).deadlines where d.kind.isMetByEvent {
                guard events[id]?[d.kind] == nil else { continue }
                rows.append([
                    id, p.$municipality.id.value, d.kind.rawValue, d.due.iso, d.kind.sector.rawValue, d.reference,
                ])
            }
            let state = DeadlineState()
            state.id = id
            state.computedOn = today
            states.append(state)
        }
        // Plain multi-row inserts in the engine's order (the keys follow it).
        let sql = db as! any SQLDatabase
        for chunk in stride(from: 0, to: rows.count, by: 150) {
            let insert = sql.insert(into: OpenDeadline.schema)
                .columns("person_id", "municipality", "kind", "due", "sector", "reference")
            for row in rows[chunk..<min(chunk + 150, rows.count)] { insert.values(row) }
            try await insert.run()
        }
        for chunk in stride(from: 0, to: states.count, by: 200) {
            try await states[chunk..<min(chunk + 200, states.count)].create(on: db)
        }
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
