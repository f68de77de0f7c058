import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// A named settlement scenario of a municipality, alone or with its region (Fjellregionen): the persons settled in
/// each of up to five years and who they are. Numbers only; the scenario belongs to the municipality that drew it
/// up, and its region's capacities are summed.
package final class SettlementScenario: Model, @unchecked Sendable {
    package static let schema = "settlement_scenarios"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "name") package var name: String
    @OptionalField(key: "description") package var summary: String?
    @Field(key: "first_year") package var firstYear: Int
    /// The composition in per mille, all nil for the municipality's observed one.
    @OptionalField(key: "single_adults") package var singleAdults: Int?
    @OptionalField(key: "adults_in_families") package var adultsInFamilies: Int?
    @OptionalField(key: "elderly") package var elderly: Int?
    @OptionalField(key: "children_under_6") package var childrenUnder6: Int?
    @OptionalField(key: "children_6_to_17") package var children6to17: Int?
    @OptionalField(key: "unaccompanied_minors") package var unaccompaniedMinors: Int?
    @Field(key: "updated_at") package var updatedAt: Date
    @OptionalField(key: "updated_by") package var updatedBy: UUID?

    package init() {}

    var composition: ArrivalComposition? {
        guard let singleAdults, let adultsInFamilies, let elderly, let childrenUnder6, let children6to17,
            let unaccompaniedMinors
        else { return nil }
        return ArrivalComposition(
            singleAdults: singleAdults, adultsInFamilies: adultsInFamilies, elderly: elderly,
            childrenUnder6: childrenUnder6, children6to17: children6to17, unaccompaniedMinors: unaccompaniedMinors)
    }
}

/// The persons a scenario settles in one year.
package final class ScenarioArrival: Model, @unchecked Sendable {
    package static let schema = "settlement_scenario_arrivals"
    @ID(key: .id) package var id: UUID?
    @Field(key: "scenario_id") package var scenarioID: UUID
    @Field(key: "year") package var year: Int
    @Field(key: "persons") package var persons: Int
    package init() {}
}

/// A municipality of a scenario's region (the owner is always one).
package final class ScenarioMember: Model, @unchecked Sendable {
    package static let schema = "settlement_scenario_members"
    @ID(key: .id) package var id: UUID?
    @Field(key: "scenario_id") package var scenarioID: UUID
    @Field(key: "municipality") package var municipality: Kommunenummer
    package init() {}
}

/// What a municipality has for the persons it settles, one figure per kind, as its services last reported it.
package final class MunicipalCapacity: Model, @unchecked Sendable {
    package static let schema = "municipal_capacities"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "kind") package var kind: CapacityKind
    @Field(key: "amount") package var amount: Int
    @Field(key: "recorded_on") package var recordedOn: LocalDate
    @OptionalField(key: "note") package var note: String?
    package init() {}
}

package struct CreateSettlementScenarios: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(SettlementScenario.schema).id()
            .field("municipality", .string, .required).field("name", .string, .required)
            .field("description", .string).field("first_year", .int, .required)
            .field("single_adults", .int).field("adults_in_families", .int).field("elderly", .int)
            .field("children_under_6", .int).field("children_6_to_17", .int).field("unaccompanied_minors", .int)
            .field("updated_at", .datetime, .required).field("updated_by", .uuid)
            .create()
        try await db.schema(ScenarioArrival.schema).id()
            .field("scenario_id", .uuid, .required, .references(SettlementScenario.schema, "id", onDelete: .cascade))
            .field("year", .int, .required).field("persons", .int, .required)
            .unique(on: "scenario_id", "year")
            .create()
        try await db.schema(ScenarioMember.schema).id()
            .field("scenario_id", .uuid, .required, .references(SettlementScenario.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required)
            .unique(on: "scenario_id", "municipality")
            .create()
        try await db.schema(MunicipalCapacity.schema).id()
            .field("municipality", .string, .required).field("kind", .string, .required)
            .field("amount", .int, .required).field("recorded_on", .string, .required).field("note", .string)
            .unique(on: "municipality", "kind")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_settlement_scenarios_municipality").on(SettlementScenario.schema)
            .column("municipality").column("name").run()
    }

    package func revert(on db: any Database) async throws {
        for s in [MunicipalCapacity.schema, ScenarioMember.schema, ScenarioArrival.schema, SettlementScenario.schema] {
            try await db.schema(s).delete()
        }
    }
}

/// A scenario as the form and the API send it. The composition is in whole per cent by category (the names of
/// `ScenarioComposition.categories`); left out, the scenario uses the region's observed composition.
package struct ScenarioInput: Content, Sendable {
    package var name: String?
    package var description: String?
    package var municipality: String?
    package var municipalities: [String]?
    package var firstYear: Int?
    package var arrivals: [Int]?
    package var composition: [String: Int]?

    package init(
        name: String? = nil, description: String? = nil, municipality: String? = nil, municipalities: [String]? = nil,
        firstYear: Int? = nil, arrivals: [Int]? = nil, composition: [String: Int]? = nil
    ) {
        self.name = name
        self.description = description
        self.municipality = municipality
        self.municipalities = municipalities
        self.firstYear = firstYear
        self.arrivals = arrivals
        self.composition = composition
    }

    package struct Valid: Sendable {
        var name: String
        var summary: String?
        var owner: Kommunenummer
        var members: [Kommunenummer]
        var firstYear: Int
        var arrivals: [Int]
        var composition: ArrivalComposition?
    }

    /// Checked at the edge, each problem naming its field; `today` bounds the first year (five years back, ten on).
    func validated(today: LocalDate) throws -> Valid {
        let name = try Validate.text(name, "name", max: 120, required: true)!
        let summary = try Validate.text(description, "description", max: 2000, required: false, multiline: true)
        let owner = try Validate.municipality(municipality)
        var members: Set<Kommunenummer> = [owner]
        for (i, text) in (municipalities ?? []).enumerated() {
            members.insert(try Validate.municipality(text, "municipalities[\(i)]"))
        }
        guard members.count <= 20 else { throw ValidationFailure(field: "municipalities", "invalid.at_most", "20") }
        let first = try Validate.number(firstYear, "firstYear", (today.year - 5)...(today.year + 10), required: true)!
        let arrivals = arrivals ?? []
        guard (1...5).contains(arrivals.count) else {
            throw ValidationFailure(field: "arrivals", "scenario.invalid.arrivals")
        }
        for (i, n) in arrivals.enumerated() { _ = try Validate.number(n, "arrivals[\(i)]", 0...100_000) }
        let composition = try ScenarioComposition.parse(self.composition, refusingUnknown: true)
        return Valid(
            name: name, summary: summary, owner: owner, members: members.sorted(), firstYear: first,
            arrivals: arrivals, composition: composition)
    }
}

/// The categories of a composition by the names the form, the API and the translations use.
package enum ScenarioComposition {
    nonisolated(unsafe) package static let categories: [(String, WritableKeyPath<ArrivalComposition, Int>)] = [
        ("singleAdults", \.singleAdults), ("adultsInFamilies", \.adultsInFamilies), ("elderly", \.elderly),
        ("childrenUnder6", \.childrenUnder6), ("children6to17", \.children6to17),
        ("unaccompaniedMinors", \.unaccompaniedMinors),
    ]

    package static let zero = ArrivalComposition(
        singleAdults: 0, adultsInFamilies: 0, elderly: 0, childrenUnder6: 0, children6to17: 0,
        unaccompaniedMinors: 0)

    /// A composition entered in whole per cent by category (a category left out is 0), in per mille; nil when none
    /// is entered. Each share is 0–100 and one must be above 0; `refusingUnknown` names a category that is not one.
    static func parse(_ entered: [String: Int]?, refusingUnknown: Bool) throws -> ArrivalComposition? {
        guard let entered, !entered.isEmpty else { return nil }
        if refusingUnknown, let unknown = entered.keys.first(where: { k in !categories.contains { $0.0 == k } }) {
            throw ValidationFailure(field: "composition[\(unknown)]", "invalid.unknown_field")
        }
        var c = zero
        for (key, path) in categories {
            c[keyPath: path] = try Validate.number(entered[key] ?? 0, "composition[\(key)]", 0...100)! * 10
        }
        guard c.total > 0 else {
            throw ValidationFailure(field: "composition[adultsInFamilies]", "forecast.invalid.composition")
        }
        return c
    }

    /// The composition of the persons settled in the three years before `year` in `municipalities`, else in the
    /// whole service, each only with at least the disclosure threshold of persons; else everyone as adults in
    /// families. With where it comes from: "municipality", "service" or "fallback".
    static func observedDefault(_ ctx: ServiceContext, in municipalities: [Kommunenummer], before year: Int)
        async throws -> (ArrivalComposition, String)
    {
        let threshold = ctx.app.disclosure.threshold
        let local = try await GrantForecastPage.observed(ctx, in: municipalities, before: year)
        if local.total >= threshold { return (.observed(local), "municipality") }
        let all = try await GrantForecastPage.observed(ctx, in: nil, before: year)
        if all.total >= threshold { return (.observed(all), "service") }
        var fallback = zero
        fallback.adultsInFamilies = 1000
        return (fallback, "fallback")
    }
}

/// A scenario with its arrivals and region, as read.
package struct LoadedScenario: Sendable {
    package var scenario: SettlementScenario
    package var arrivals: [Int: Int]
    package var members: [Kommunenummer]
}

/// Drawing up, changing and removing scenarios: the policy's `planning` resource of the owning municipality, every
/// write audited with its record. The figures are not personal data, so reads are not audited.
package enum ScenarioService {
    package static func find(_ ctx: ServiceContext, _ id: UUID?, for action: Action = .read) async throws
        -> LoadedScenario
    {
        let s = try await ctx.guarded(
            action, recordType: "settlement_scenario", id: id, auditsRead: false,
            find: { try await SettlementScenario.find($0, on: ctx.db) },
            resource: { .planning(municipality: $0.municipality) }, municipality: { $0.municipality })
        return try await loaded(s, on: ctx.db)
    }

    static func loaded(_ s: SettlementScenario, on db: any Database) async throws -> LoadedScenario {
        try await loaded([s], on: db)[0]
    }

    /// The scenarios with their arrivals and regions, in two queries for the whole page.
    static func loaded(_ rows: [SettlementScenario], on db: any Database) async throws -> [LoadedScenario] {
        let ids = rows.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        var arrivals: [UUID: [Int: Int]] = [:]
        for a in try await ScenarioArrival.query(on: db).filter(\.$scenarioID ~~ ids).all() {
            arrivals[a.scenarioID, default: [:]][a.year] = a.persons
        }
        let members = try await members(of: ids, on: db)
        return rows.map { s in
            LoadedScenario(scenario: s, arrivals: arrivals[s.id!] ?? [:], members: members[s.id!] ?? [])
        }
    }

    /// The region of each scenario, by scenario.
    static func members(of ids: [UUID], on db: any Database) async throws -> [UUID: [Kommunenummer]] {
        guard !ids.isEmpty else { return [:] }
        var out: [UUID: [Kommunenummer]] = [:]
        for m in try await ScenarioMember.query(on: db).filter(\.$scenarioID ~~ ids).sort(\.$municipality).all() {
            out[m.scenarioID, default: []].append(m.municipality)
        }
        return out
    }

    /// The scenarios of the municipalities the user reads the planning figures of (or of the one asked for), by
    /// name, paged in the database.
    /// The list's order: by owning municipality and name, the id last (the pager's keyset).
    static let order = Keyset(
        ["municipality", "name", "id"].map { .init("\"\(SettlementScenario.schema)\".\"\($0)\"") })

    /// A page of the scenarios of the user's municipalities (or of one), and its pager.
    package static func list(_ ctx: ServiceContext, municipality: String?, _ window: PageWindow) async throws
        -> (rows: [SettlementScenario], total: Int, codes: [Kommunenummer], pager: Pager)
    {
        // An empty municipality is a malformed one here (the page sends none for "all of mine").
        if let municipality { _ = try Validate.municipality(municipality) }
        let codes = try await ctx.scope(where: .list, requested: municipality) { .planning(municipality: $0) }
        let q = SettlementScenario.query(on: ctx.db).filter(\.$municipality ~~ codes)
        let total = try await q.count()
        let fetched = try await window.rows(q, order)
        let (rows, pager) = window.settle(
            fetched, total: total, base: "/economy/scenarios?municipality=\(municipality ?? "")&"
        ) { Cursor([.text($0.municipality.value), .text($0.name), .id($0.id!)]) }
        return (rows, total, codes, pager)
    }

    package static func create(_ ctx: ServiceContext, _ input: ScenarioInput) async throws -> LoadedScenario {
        let v = try input.validated(today: ctx.today)
        try await ctx.authorize(.create, .planning(municipality: v.owner))
        try await checkMembers(ctx, v)
        let s = SettlementScenario()
        return try await store(ctx, s, v, action: "create")
    }

    package static func update(_ ctx: ServiceContext, _ id: UUID?, _ input: ScenarioInput) async throws
        -> LoadedScenario
    {
        let found = try await find(ctx, id, for: .update)
        let v = try input.validated(today: ctx.today)
        guard v.owner == found.scenario.municipality else {
            throw ValidationFailure(field: "municipality", "invalid.move_municipality")
        }
        try await checkMembers(ctx, v)
        return try await store(ctx, found.scenario, v, action: "update")
    }

    package static func delete(_ ctx: ServiceContext, _ id: UUID?) async throws {
        let found = try await find(ctx, id, for: .delete)
        let s = found.scenario
        try await ctx.write { db in
            try await s.delete(on: db)
            try await ctx.audit(
                "delete", recordType: "settlement_scenario", recordID: s.id?.uuidString, municipality: s.municipality)
        }
    }

    /// Every municipality of the region must be one the service has.
    static func checkMembers(_ ctx: ServiceContext, _ v: ScenarioInput.Valid) async throws {
        let known = Set(try await ctx.allMunicipalities().compactMap(\.id))
        if let unknown = v.members.first(where: { !known.contains($0) }) {
            throw ValidationFailure(field: "municipalities", "scenario.invalid.unknown_municipality", unknown.value)
        }
    }

    static func store(_ ctx: ServiceContext, _ s: SettlementScenario, _ v: ScenarioInput.Valid, action: String)
        async throws -> LoadedScenario
    {
        let user = try ctx.requireUser()
        s.municipality = v.owner
        s.name = v.name
        s.summary = v.summary
        s.firstYear = v.firstYear
        s.singleAdults = v.composition?.singleAdults
        s.adultsInFamilies = v.composition?.adultsInFamilies
        s.elderly = v.composition?.elderly
        s.childrenUnder6 = v.composition?.childrenUnder6
        s.children6to17 = v.composition?.children6to17
        s.unaccompaniedMinors = v.composition?.unaccompaniedMinors
        s.updatedAt = Oslo.now()
        s.updatedBy = user.id
        try await ctx.write { db in
            try await s.save(on: db)
            let id = s.id!
            try await ScenarioArrival.query(on: db).filter(\.$scenarioID == id).delete()
            try await ScenarioMember.query(on: db).filter(\.$scenarioID == id).delete()
            for (i, n) in v.arrivals.enumerated() {
                let a = ScenarioArrival()
                a.scenarioID = id
                a.year = v.firstYear + i
                a.persons = n
                try await a.create(on: db)
            }
            for m in v.members {
                let member = ScenarioMember()
                member.scenarioID = id
                member.municipality = m
                try await member.create(on: db)
            }
            try await ctx.audit(
                action, recordType: "settlement_scenario", recordID: id.uuidString, municipality: v.owner)
        }
        return LoadedScenario(
            scenario: s,
            arrivals: Dictionary(uniqueKeysWithValues: v.arrivals.enumerated().map { (v.firstYear + $0, $1) }),
            members: v.members)
    }
}

/// A municipality's capacities for the persons it settles: read with its planning figures, recorded by those who
/// draw up its scenarios. An empty figure removes the kind (not recorded), which is not the same as zero.
package enum CapacityService {
    package static func all(_ ctx: ServiceContext, _ m: Kommunenummer) async throws -> [CapacityKind: MunicipalCapacity]
    {
        try await ctx.authorize(.read, .planning(municipality: m))
        let rows = try await MunicipalCapacity.query(on: ctx.db).filter(\.$municipality == m).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.kind, $0) })
    }

    /// Stores the figures given (kind → amount; nil removes it), with one audit entry.
    package static func record(
        _ ctx: ServiceContext, _ m: Kommunenummer, _ figures: [CapacityKind: Int?], note: String?
    ) async throws {
        try await ctx.authorize(.update, .planning(municipality: m))
        let today = ctx.today
        try await ctx.write { db in
            for (kind, amount) in figures {
                let existing = try await MunicipalCapacity.query(on: db).filter(\.$municipality == m)
                    .filter(\.$kind == kind).first()
                guard let amount else {
                    try await existing?.delete(on: db)
                    continue
                }
                let c = existing ?? MunicipalCapacity()
                c.municipality = m
                c.kind = kind
                c.amount = amount
                c.recordedOn = today
                c.note = note
                try await c.save(on: db)
            }
            try await ctx.audit("update", recordType: "municipal_capacity", recordID: m.value, municipality: m)
        }
    }

    /// The region's figures summed per kind in SQL, and which of its municipalities have none of a kind.
    static func summed(_ members: [Kommunenummer], on db: any Database) async throws
        -> [CapacityKind: (amount: Int, recordedBy: Set<Kommunenummer>)]
    {
        struct Row: Decodable {
            var kind: String
            var municipality: String
            var amount: Int
        }
        let sql = db as! any SQLDatabase
        let rows = try await sql.select().column("kind").column("municipality").column("amount")
            .from(MunicipalCapacity.schema).where("municipality", .in, members.map(\.value))
            .all(decoding: Row.self)
        var out: [CapacityKind: (amount: Int, recordedBy: Set<Kommunenummer>)] = [:]
        for r in rows {
            guard let k = CapacityKind(rawValue: r.kind), let m = Kommunenummer(r.municipality) else { continue }
            var v = out[k] ?? (0, [])
            v.amount += r.amount
            v.recordedBy.insert(m)
            out[k] = v
        }
        return out
    }
}
