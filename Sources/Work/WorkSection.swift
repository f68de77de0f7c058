import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// One placement as the person page, the person's work page and the section show it.
package struct PlacementView: Encodable {
    var id: UUID
    var provider: String
    var kindKey: String
    var from: String
    var to: String
    var active: Bool
    /// Not yet begun: shown as planned, not as going on (issue #30).
    var planned: Bool
    var outcomeKey: String?
    var endedOn: String?
    var mentor: String?
    var linked: Bool
    var nextVisit: String?
    var overdue: Bool
    var navMeasures: [NavMeasureView]

    package struct NavMeasureView: Encodable {
        var kindKey: String
        var from: String
        var to: String
        var monthly: Int?
    }

    init(_ pl: WorkPlacement, today: LocalDate) {
        id = pl.id!
        provider = pl.place.provider.name
        kindKey = pl.kind.labelKey
        from = pl.from.iso
        to = pl.to.iso
        active = pl.endedOn == nil
        planned = active && pl.from > today
        outcomeKey = pl.outcome?.labelKey
        endedOn = pl.endedOn?.iso
        mentor = pl.mentor
        linked = pl.measureID != nil
        let next = pl.followUps.filter { $0.doneOn == nil }.compactMap(\.dueOn).min()
        nextVisit = next?.iso
        overdue = next.map { $0 < today } ?? false
        navMeasures = pl.navMeasures.sorted { $0.from < $1.from }.map {
            .init(kindKey: $0.kind.labelKey, from: $0.from.iso, to: $0.to.iso, monthly: $0.monthlyOre)
        }
    }

    static func load(_ db: any Database, person: UUID, today: LocalDate) async throws -> [PlacementView] {
        try await WorkPlacement.query(on: db).filter(\.$person.$id == person)
            .with(\.$place, { $0.with(\.$provider) }).with(\.$followUps).with(\.$navMeasures)
            .sort(\.$from, .descending).all().map { PlacementView($0, today: today) }
    }
}

/// The person page's placements: the integration service and NAV (on a file shared with it) read them.
package struct WorkSection: PersonSection {
    package static let sectionID = "placements"
    package let id = WorkSection.sectionID
    package let order = 210

    struct Model: Encodable {
        var personID: UUID
        var placements: [PlacementView]
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        let rows = try await PlacementView.load(req.store, person: p.id!, today: req.context.today)
        return try await req.section("Work/section", Model(personID: p.id!, placements: rows))
    }
}

/// The worklist's follow-up of placements: visits due or overdue, and placements ending without an evaluation.
package struct FollowUpsDue: DeadlineSource {
    package let id = "work"
    package let titleKey = "work.worklist"

    struct Row: Decodable {
        var person_id: UUID
        var family_name: String
        var given_name: String
        var municipality: String
        var due: String
        var what: String
    }

    static func rows(_ req: Request, _ filter: WorklistFilter, limit: Int) async throws -> [Row]? {
        let user = try req.requireUser()
        var codes = try await req.municipalities(where: .update) {
            .personalData(municipality: $0, sharedWith: [])
        }
        if let m = filter.municipality { codes = codes.filter { $0.value == m } }
        guard !codes.isEmpty, filter.kind == nil else { return nil }
        let soon = LocalDate.today.adding(days: Deadlines.soonDays).iso
        let mine: SQLQueryString =
            filter.mine ? " AND (p.advisor_id = \(bind: user.id) OR p.case_worker_id = \(bind: user.id))" : ""
        let sql: SQLQueryString =
            """
            SELECT * FROM (
            SELECT x.person_id, p.family_name, p.given_name, x.municipality, f.due_on AS due, 'visit' AS what
            FROM \(ident: WorkFollowUp.schema) f JOIN \(ident: WorkPlacement.schema) x ON x.id = f.placement_id
            JOIN \(ident: Person.schema) p ON p.id = x.person_id
            WHERE f.done_on IS NULL AND f.due_on IS NOT NULL AND f.due_on <= \(bind: soon) AND x.ended_on IS NULL
            AND x.municipality IN (\(binds: codes.map(\.value)))
            """ + mine
                + """
                 UNION ALL
                SELECT x.person_id, p.family_name, p.given_name, x.municipality, x.to_date AS due, 'evaluation' AS what
                FROM \(ident: WorkPlacement.schema) x JOIN \(ident: Person.schema) p ON p.id = x.person_id
                WHERE x.ended_on IS NULL AND x.evaluation IS NULL AND x.to_date <= \(bind: soon)
                AND x.municipality IN (\(binds: codes.map(\.value)))
                """ + mine
            + ") due_rows ORDER BY due, family_name, given_name LIMIT \(unsafeRaw: String(limit))"
        return try await (req.store as! any SQLDatabase).raw(sql).all(decoding: Row.self)
    }

    package func due(_ req: Request, _ filter: WorklistFilter) async throws -> [DueRow] {
        guard let rows = try await Self.rows(req, filter, limit: 100) else { return [] }
        let names = try await req.municipalityNames()
        let today = LocalDate.today
        return rows.compactMap { r -> DueRow? in
            guard let due = LocalDate(parsing: r.due), let m = Kommunenummer(r.municipality) else { return nil }
            let status = due < today ? "overdue" : "soon"
            return DueRow(
                href: "/persons/\(r.person_id)",
                name: "\(r.family_name), \(r.given_name) – \(req.text("work.due.\(r.what)"))",
                kindKey: "work.due.\(r.what)", due: due.iso, status: status, statusKey: "status.\(status)",
                municipality: names[m] ?? "")
        }
    }
}

/// The share of ended placements whose outcome is a job (issue #15), counted over the placements that ended in the
/// period with an outcome.
package struct WorkPracticeToJob: IndicatorDefinition {
    package let key = "work_practice_to_job"
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package let source = "Kommunens egen registrering av språk- og arbeidspraksis (Innbygger, issue #15)"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        try await IndicatorShare.count(
            ctx, WorkPlacement.schema, codes, numerator: "outcome = \(bind: PlacementOutcome.job.rawValue)",
            where: """
                ended_on IS NOT NULL AND ended_on BETWEEN \(bind: period.from.iso) AND \(bind: period.to.iso)
                AND outcome IS NOT NULL
                """, threshold: threshold)
    }
}
