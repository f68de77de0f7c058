import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The partner sector owning a plan measure (issue #14: "partners see only their own measures").
package struct AddMeasureSector: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(PlanMeasure.schema).field("owner_sector", .string).update()
        try await (db as! any SQLDatabase).create(index: "idx_plan_measures_sector").on(PlanMeasure.schema)
            .column("owner_sector").run()
    }
    package func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "idx_plan_measures_sector").run()
        try await db.schema(PlanMeasure.schema).deleteField("owner_sector").update()
    }
}

/// A partner's own measures in the municipalities' current plans (drafts and adopted plans), and the status report
/// it gives on them. A partner reads nothing else of the plan: not the indicators, not other sectors' measures.
package enum PlanMeasures {
    /// The sectors a measure can be owned by (the integration service's own measures name no sector).
    package static func sectorChoices(selected: String?) -> [Choice] {
        Sector.allCases.filter { $0 != .integration }.map {
            Choice(value: $0.rawValue, label: $0.labelKey, selected: selected == $0.rawValue)
        }
    }

    package struct Row: Decodable, Sendable {
        var id: UUID
        var title: String
        var owner_unit: String?
        var owner_sector: String
        var contact: String?
        var deadline: String?
        var due_key: String
        var status: String
        var status_note: String?
        var status_date: String?
        var goal: String
        var area: String
        var plan: String
        var municipality: String
    }

    /// By deadline (none last), then title, then id: a total order for the pager's keyset.
    static let order = Keyset([.init("due_key"), .init("title"), .init("id")])

    /// The (sector, municipalities) pairs whose measures the user owns as a partner.
    static func owned(_ ctx: ServiceContext) async throws -> [(Sector, [Kommunenummer])] {
        let sectors = Set((ctx.user?.principal.grants ?? []).compactMap(\.role.partnerSector))
        var out: [(Sector, [Kommunenummer])] = []
        for s in Sector.allCases where sectors.contains(s) {
            let codes = try await ctx.municipalities(where: .list) { .planMeasure(municipality: $0, sector: s) }
            if !codes.isEmpty { out.append((s, codes)) }
        }
        return out
    }

    /// One page of the partner's measures and how many there are.
    static func list(_ ctx: ServiceContext, _ window: PageWindow) async throws -> (
        rows: [Row], pager: Pager, total: Int
    ) {
        let owned = try await owned(ctx)
        guard !owned.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        var condition: SQLQueryString = "("
        for (i, (sector, codes)) in owned.enumerated() {
            if i > 0 { condition += " OR " }
            condition +=
                "(m.owner_sector = \(bind: sector.rawValue) AND p.municipality IN (\(binds: codes.map(\.value))))"
        }
        condition += ")"
        let current = [PlanStatus.draft.rawValue, PlanStatus.adopted.rawValue]
        let from: SQLQueryString =
            """
            FROM \(ident: PlanMeasure.schema) m JOIN \(ident: PlanGoal.schema) g ON g.id = m.goal_id
            JOIN \(ident: PlanFocusArea.schema) a ON a.id = g.area_id
            JOIN \(ident: IntegrationPlan.schema) p ON p.id = a.plan_id
            WHERE p.status IN (\(binds: current)) AND
            """ + " " + condition
        let sql = ctx.db as! any SQLDatabase
        struct Count: Decodable { var n: Int }
        let total = try await sql.raw("SELECT COUNT(*) AS n " + from).first(decoding: Count.self)?.n ?? 0
        let fetched = try await window.rows(
            sql,
            """
            SELECT m.id, m.title, m.owner_unit, m.owner_sector, m.contact, m.deadline,
            COALESCE(m.deadline, '9999-12-31') AS due_key, m.status, m.status_note, m.status_date,
            g.text AS goal, a.title AS area, p.title AS plan, p.municipality
            """ + " " + from, order, decoding: Row.self)
        let (rows, pager) = window.settle(fetched, total: total, base: "/plans/measures?") {
            Cursor([.text($0.due_key), .text($0.title), .id($0.id)])
        }
        return (rows, pager, total)
    }

    /// The owning partner's (or the plan's keepers') report on where a measure stands, with a dated note.
    package static func setStatus(_ ctx: ServiceContext, _ measureID: UUID?, _ form: FormReader) async throws
        -> PlanMeasure
    {
        guard let measureID,
            let m = try await PlanMeasure.query(on: ctx.db).filter(\.$id == measureID)
                .with(\.$goal, { $0.with(\.$area, { $0.with(\.$plan) }) }).first()
        else { throw Abort(.notFound) }
        let municipality = m.goal.area.plan.municipality
        try await ctx.authorize(
            .update, .planMeasure(municipality: municipality, sector: m.ownerSector), recordType: "plan_measure",
            recordID: measureID.uuidString)
        guard let status = MeasureStatus(rawValue: form.text("measureStatus") ?? "") else {
            throw ValidationFailure(field: "measureStatus", "invalid.choice")
        }
        let note = try Validate.text(form.text("statusNote"), "statusNote", max: 1000, required: false, multiline: true)
        let today = ctx.today
        try await ctx.write { db in
            m.status = status
            m.statusNote = note
            m.statusDate = today
            try await m.save(on: db)
            try await ctx.audit(
                "update_status", recordType: "plan_measure", recordID: measureID.uuidString,
                municipality: municipality)
        }
        return m
    }
}

/// `/plans/measures`: the partner's own measures, 50 a page, each with its status form.
struct PlanMeasuresController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("plans", "measures", use: page)
        routes.grouped("plans", "measures", ":measureID").gated(.update, .planMeasure).post("status", use: status)
    }

    struct Query: Content {
        var page: Int?
        var after: String?
        var before: String?
        var limit: Int?
        var saved: Int?
    }

    struct Model: Encodable {
        struct Measure: Encodable {
            var id: UUID
            var title: String
            var ownerUnit: String?
            var sectorKey: String
            var contact: String?
            var deadline: String?
            var statusKey: String
            var status: String
            var statusNote: String?
            var statusDate: String?
            var goal: String
            var area: String
            var plan: String
            var municipality: String
            var statuses: [Choice]
            var error: String?
            var postedNote: String?
        }
        var measures: [Measure]
        var total: Int
        var pager: Pager
        var saved: Bool
    }

    func render(_ req: Request, failure: (UUID, String, [String: String])? = nil) async throws -> View {
        let q = try req.query.decode(Query.self)
        let (rows, pager, total) = try await PlanMeasures.list(
            req.context, try PageWindow(page: q.page, after: q.after, before: q.before, limit: q.limit))
        let names = try await req.municipalityNames()
        return try await req.page(
            "Plan/measures", titleKey: "plan.own_measures",
            Model(
                measures: rows.map { r in
                    let failed = failure?.0 == r.id ? failure : nil
                    let selected = failed?.2["measureStatus"] ?? r.status
                    return .init(
                        id: r.id, title: r.title, ownerUnit: r.owner_unit,
                        sectorKey: "sector.\(r.owner_sector)", contact: r.contact, deadline: r.deadline,
                        statusKey: "plan.measure_status.\(r.status)", status: r.status, statusNote: r.status_note,
                        statusDate: r.status_date, goal: r.goal, area: r.area, plan: r.plan,
                        municipality: Kommunenummer(r.municipality).flatMap { names[$0] } ?? r.municipality,
                        statuses: MeasureStatus.allCases.map {
                            Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == selected)
                        }, error: failed?.1, postedNote: failed?.2["statusNote"])
                }, total: total, pager: pager, saved: q.saved == 1))
    }

    func page(req: Request) async throws -> View { try await render(req) }

    func status(req: Request) async throws -> Response {
        let id = try req.pathID("measureID")
        let form = try FormReader(req)
        do {
            _ = try await PlanMeasures.setStatus(req.context, id, form)
            return req.redirect(to: "/plans/measures?saved=1")
        } catch let e as ValidationFailure {
            return try await render(req, failure: (id, req.message(e), form.fields)).reshown(req)
        }
    }
}
