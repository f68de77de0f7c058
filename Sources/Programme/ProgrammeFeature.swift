import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The introduction programme (integreringsloven kap. 4): mapping, decision, plan, measures, attendance, benefit and
/// payouts, reviews, ending and outcomes; the municipality's lists and settings.
package struct ProgrammeFeature: Feature {
    package init() {}

    package let id = "programme"

    package var migrations: [any Migration] {
        [
            CreateProgramme(), CreateProgrammeSettings(), CreateBenefitDeductions(), AddAttendanceMeasure(),
            RemoveCopiedProgrammeSteps(), AddStopEndAndUnpaidLeave(), AddMeasureOwner(), CreateCaseloadNorms(),
            IndexMigration(
                name: "ProgrammeIndexes",
                [
                    ("idx_participations_person", PersonProgramme.schema, ["person_id"]),
                    ("idx_participations_municipality", PersonProgramme.schema, ["municipality", "start_date"]),
                    ("idx_measures_participation", ProgrammeMeasure.schema, ["participation_id"]),
                    ("idx_leaves_participation", ProgrammeLeave.schema, ["participation_id"]),
                    ("idx_attendance_participation", AttendanceEntry.schema, ["participation_id", "date"]),
                    ("idx_reviews_participation", PlanReview.schema, ["participation_id"]),
                    ("idx_outcomes_participation", ProgrammeOutcome.schema, ["participation_id"]),
                    ("idx_deductions_participation", BenefitDeduction.schema, ["participation_id"]),
                ]),
            CreateProgrammeSummaries(), CreatePayoutMonths(), AddSummaryStartInTime(),
        ]
    }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: ProgrammeController())
        try routes.pages.register(collection: ProgrammeSettingsController())
        try routes.api.register(collection: ProgrammeAPIController())
        // Attendance and outcome files, from the lists' pages and as `text/csv` API bodies (all or nothing).
        let upload = routes.uploads.gated(.update, .programme)
        upload.on(
            .POST, "programme", "attendance", "import", body: .collect(maxSize: Uploads.maxSize),
            use: GroupAttendance.importFile)
        upload.on(
            .POST, "programme", "outcomes", "import", body: .collect(maxSize: Uploads.maxSize),
            use: OutcomeImport.importFile)
        let api = routes.api.gated(.update, .programme)
        api.on(.POST, "programme", "attendance", body: .collect(maxSize: Uploads.maxSize)) {
            req async throws -> Response in
            try await req.bulkImport { try await GroupAttendance.attendanceFromCSV(req.context, $0, municipality: $1) }
        }
        api.on(.POST, "programme", "outcomes", body: .collect(maxSize: Uploads.maxSize)) {
            req async throws -> Response in
            try await req.bulkImport { try await GroupAttendance.outcomesFromCSV(req.context, $0, municipality: $1) }
        }
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        guard try await !req.municipalities(where: .list, { .programme(municipality: $0) }).isEmpty else { return [] }
        return [NavEntry(order: 500, href: "/programme", key: "nav.programme")]
    }

    package var deadlineSources: [any DeadlineSource] { [PlanReviewsDue()] }
    package var deadlineFacts: [any DeadlineFacts] { [ProgrammeSteps()] }
    package var derivedTables: [any DerivedTable] { [ProgrammeSummaries()] }

    package var startPanels: [any StartPanel] { [ProgrammePanel()] }

    package var indicators: [any IndicatorDefinition] {
        [WorkOrEducationOneYear(), ProgrammeStartInTime(), ParticipantsPerAdvisor()]
    }

    /// What the programme tells other features: the Norwegian target of a person's plan, who has started, who moved
    /// away, and the municipality's caseload norm.
    package func configure(_ app: Application) throws {
        app.sharedFacts.norwegianTargets = { persons, db in
            guard !persons.isEmpty else { return [:] }
            var out: [UUID: [String: String]] = [:]
            for p in try await PersonProgramme.query(on: db).filter(\.$person.$id ~~ persons).all() {
                out[p.$person.id] = p.norwegianTarget
            }
            return out
        }
        app.sharedFacts.startedParticipants = { municipality, day, db in
            // Filtered in the database and read as ids only (#12).
            try await PersonProgramme.query(on: db).filter(\.$municipality.$id == municipality)
                .filter(\.$startDate != nil).filter(\.$startDate < day).field(\.$id).field(\.$person.$id).all()
                .map { $0.$person.id }
        }
        app.sharedFacts.movedOut = { persons, db in
            guard !persons.isEmpty else { return [:] }
            var out: [UUID: LocalDate] = [:]
            for p in try await PersonProgramme.query(on: db).filter(\.$person.$id ~~ persons)
                .filter(\.$endReason == .moved).filter(\.$endDate != nil).all()
            {
                out[p.$person.id] = p.endDate
            }
            return out
        }
        app.sharedFacts.practiceMeasures = { persons, db in
            guard !persons.isEmpty else { return [:] }
            let parts = try await PersonProgramme.query(on: db).filter(\.$person.$id ~~ persons).all()
            let byPart = Dictionary(parts.map { ($0.id!, $0.$person.id) }, uniquingKeysWith: { a, _ in a })
            guard !byPart.isEmpty else { return [:] }
            var out: [UUID: [PracticeMeasure]] = [:]
            for m in try await ProgrammeMeasure.query(on: db).filter(\.$participation.$id ~~ Array(byPart.keys))
                .filter(\.$kind ~~ [MeasureKind.languagePractice, .workPractice]).sort(\.$from).all()
            {
                guard let person = byPart[m.$participation.id] else { continue }
                out[person, default: []].append(
                    PracticeMeasure(id: m.id!, kind: m.kind, from: m.from, to: m.to, weeklyMinutes: m.weeklyMinutes))
            }
            return out
        }
        app.sharedFacts.programmeGoals = { persons, db in
            guard !persons.isEmpty else { return [:] }
            var out: [UUID: FinalGoal] = [:]
            for p in try await PersonProgramme.query(on: db).filter(\.$person.$id ~~ persons).all() {
                if let g = p.finalGoal { out[p.$person.id] = g }
            }
            return out
        }
        app.sharedFacts.caseloadNorm = { municipality, db in
            try await CaseloadNorm.find(municipality, on: db).map { ($0.maxParticipants, $0.source) }
        }
    }

    package var personSections: [any PersonSection] { [ProgrammePlanSection()] }

    package func deletionLosses(_ req: Request, _ person: Person) async throws -> [String] {
        guard
            let part = try await PersonProgramme.query(on: req.store).filter(\.$person.$id == person.id!).first()
        else { return [] }
        let attendance = try await AttendanceEntry.query(on: req.store).filter(\.$participation.$id == part.id!)
            .count()
        return [req.text("programme.losses", [String(attendance)])]
    }

    package func personLinks(_ req: Request, _ person: Person) -> [PersonLink] {
        guard req.may(.read, .programme(municipality: person.$municipality.id)) else { return [] }
        return [PersonLink(order: 20, href: "/persons/\(person.id!)/programme", key: "persons.programme")]
    }

    /// The G table needs the new G once its yearly successor (1 May) was due (folketrygdloven § 1-4).
    package func parameterWarnings(_ req: Request) -> [ParameterWarning] {
        guard let newest = req.application.programmeParameters.staleGrunnbelop(for: YearMonth(.today)) else {
            return []
        }
        return [
            ParameterWarning(
                file: "programme.json", path: "grunnbelopKroner",
                message: req.text("parameters.stale_g", [newest.norwegian]))
        ]
    }

    /// Plan reviews due, for the staff who follow the programme: theirs and the service's, counted in SQL.
    package func workItems(_ req: Request) async throws -> [WorkItem] {
        guard let c = try await PlanReviewsDue.counts(req, WorklistFilter(mine: false)), c.all > 0 else { return [] }
        return [
            WorkItem(
                order: 200, label: req.text("home.reviews_due"), mine: c.mine, all: c.all,
                href: "/worklist#g-reviews", hrefMine: "/worklist?who=mine#g-reviews", urgent: c.overdue > 0)
        ]
    }

    package func seedDemo(_ demo: DemoContext) async throws {
        try await DemoProgramme.load(on: demo.db, parameters: demo.app.programmeParameters, users: demo.users)
        // Each municipality's own caseload norm: Tynset's from its plan; Elverum's an example of a local choice.
        for (code, max, source) in [
            (
                "3427", 20,
                "Tynset kommune, rullering av plan for integrering 2017–2021: 1 programveileder per 20 deltagere"
            ),
            ("3420", 20, "Demodata: eksempel på kommunens egen norm"),
        ] as [(Kommunenummer, Int, String)] {
            let norm = CaseloadNorm()
            norm.id = code
            norm.maxParticipants = max
            norm.source = source
            try await norm.create(on: demo.db)
        }
        // The adults the demo follows were mapped a month after arrival: the mapping is the programme record's.
        for (p, arrival) in DemoData.followed(demo) where arrival.adding(days: 30) <= .today {
            try await DemoProgramme.mapped(p, on: arrival.adding(days: 30)).create(on: demo.db)
        }
    }
}

/// Integration plans due for review (overdue or within the worklist's window), for the staff who follow the
/// programme (integreringsloven § 15: the plan is reviewed regularly).
package struct PlanReviewsDue: DeadlineSource {
    package let id = "reviews"
    package let titleKey = "worklist.reviews"

    /// The worklist shows the first this many, soonest first; the start page counts them all.
    package static let shown = 100

    /// The programme summaries whose next review is overdue or within the window, in the user's scope.
    static func scope(_ req: Request, _ filter: WorklistFilter) async throws -> SQLQueryString? {
        let user = try req.requireUser()
        var codes = try await req.municipalities(where: .list) { .programme(municipality: $0) }
        if let m = filter.municipality { codes = codes.filter { $0.value == m } }
        guard !codes.isEmpty, filter.kind == nil else { return nil }
        try await req.application.deadlineIndex.ensureCurrent(req.application)
        let soon = LocalDate.today.adding(days: Deadlines.soonDays).iso
        var sql =
            ProgrammeLists.summaries(codes) + " AND s.next_review IS NOT NULL AND s.next_review <= \(bind: soon)"
        if filter.mine { sql += " AND (p.advisor_id = \(bind: user.id) OR p.case_worker_id = \(bind: user.id))" }
        return sql
    }

    /// How many are due: all, those the user follows, and how many of all are overdue.
    static func counts(_ req: Request, _ filter: WorklistFilter) async throws -> (all: Int, mine: Int, overdue: Int)? {
        guard let from = try await scope(req, filter) else { return nil }
        let user = try req.requireUser()
        struct Counts: Decodable {
            var total: Int
            var mine: Int?
            var overdue: Int?
        }
        let c = try await (req.store as! any SQLDatabase).raw(
            """
            SELECT COUNT(*) AS total,
            SUM(CASE WHEN p.advisor_id = \(bind: user.id) OR p.case_worker_id = \(bind: user.id) THEN 1 ELSE 0 END)
            AS mine, SUM(CASE WHEN s.next_review < \(bind: LocalDate.today.iso) THEN 1 ELSE 0 END) AS overdue
            """ + " " + from
        ).first(decoding: Counts.self)
        return (c?.total ?? 0, c?.mine ?? 0, c?.overdue ?? 0)
    }

    package func due(_ req: Request, _ filter: WorklistFilter) async throws -> [DueRow] {
        guard let from = try await Self.scope(req, filter) else { return [] }
        let names = try await req.municipalityNames()
        let today = LocalDate.today
        struct Row: Decodable {
            var person_id: UUID
            var family_name: String
            var given_name: String
            var municipality: String
            var next_review: String
        }
        let rows = try await (req.store as! any SQLDatabase).raw(
            "SELECT s.person_id, p.family_name, p.given_name, s.municipality, s.next_review " + from
                + " ORDER BY s.next_review, p.family_name, p.given_name, s.id LIMIT \(unsafeRaw: String(Self.shown))"
        ).all(decoding: Row.self)
        return rows.compactMap { r -> DueRow? in
            guard let due = LocalDate(parsing: r.next_review), let m = Kommunenummer(r.municipality) else { return nil }
            let status = due < today ? "overdue" : "soon"
            return DueRow(
                href: "/persons/\(r.person_id)/programme", name: "\(r.family_name), \(r.given_name)",
                kindKey: "worklist.reviews", due: due.iso, status: status, statusKey: "status.\(status)",
                municipality: names[m] ?? "")
        }
    }
}
