import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// How an indicator's value reads: a share in whole per cent, a count with one decimal where it has one, hours and
/// days with their unit.
enum IndicatorText {
    static func value(_ v: Double?, _ unit: IndicatorUnit, _ req: Request) -> String? {
        guard let v else { return nil }
        switch unit {
        case .share: return "\(Int((v * 100).rounded())) %"
        case .count:
            let tenths = Int((v * 10).rounded())
            return tenths % 10 == 0 ? NorwegianFormat.grouped(tenths / 10) : "\(tenths / 10),\(abs(tenths % 10))"
        case .hours: return req.t("plan.unit.hours_value", "\(Int(v.rounded()))")
        case .days: return req.t("plan.unit.days_value", "\(Int(v.rounded()))")
        }
    }
}

/// `/plans`: the municipalities' integration plans; `/plans/:id`: one plan with its indicators, focus areas, goals
/// and measures, and the forms that add to it.
package struct PlanController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("plans", use: list)
        routes.grouped("plans").gated(.create, .planning).post(use: create)
        routes.get("plans", ":planID", use: show)
        routes.get("plans", ":planID", "report", use: report)
        routes.get("plans", ":planID", "revise", use: reviseForm)
        routes.grouped("plans", ":planID").gated(.update, .planning).post("revise", use: revise)
        Export.routes(routes, ["plans", ":planID"], last: "measures", aggregate: true) { req, format in
            try await Self.exportMeasures(req, format)
        }
        routes.get("plans", ":planID", "report.pdf", use: reportPDF)
        routes.grouped("plans", ":planID").gated(.update, .planning).post("report", use: saveReport)
        let writes = routes.grouped("plans", ":planID").gated(.update, .planning)
        let steps: [(String, @Sendable (ServiceContext, UUID?, FormReader) async throws -> Void)] = [
            ("areas", PlanService.addArea), ("goals", PlanService.addGoal), ("indicators", PlanService.addIndicator),
            ("values", PlanService.addValue), ("measures", PlanService.addMeasure),
            ("measure-status", PlanService.setMeasureStatus),
        ]
        for (path, step) in steps {
            writes.post(PathComponent(stringLiteral: path)) { req async throws -> Response in
                let id = try req.pathID("planID")
                let form = try FormReader(req)
                do {
                    try await step(req.context, id, form)
                    return req.redirect(to: "/plans/\(id.uuidString)?saved=\(path)#\(path)")
                } catch let failure as ValidationFailure {
                    let model = try await PlanPage.load(req, id, failure: failure, form: path, posted: form.fields)
                    return try await req.page("Plan/plan", titleKey: "plan.title", model).reshown(req)
                }
            }
        }
    }

    struct ListQuery: Content {
        var municipality: String?
    }

    package struct ListPage: Encodable {
        struct Row: Encodable {
            var id: String
            var title: String
            var municipality: String
            var period: String
            var statusKey: String
        }
        var rows: [Row]
        var municipalities: [Choice]
        var canCreate: Bool
        var statuses: [Choice]
        var error: String?
        var errorField: String?
        var posted: [String: String]
    }

    func listPage(_ req: Request, failure: ValidationFailure? = nil, posted: [String: String] = [:]) async throws
        -> View
    {
        let q = try req.query.decode(ListQuery.self)
        let ctx = req.context
        let found = try await PlanService.list(ctx, municipality: q.municipality.flatMap { $0.isEmpty ? nil : $0 })
        let names = try await req.municipalityNames()
        let creatable = found.codes.filter { ctx.may(.create, .planning(municipality: $0)) }
        return try await req.page(
            "Plan/plans", titleKey: "plan.list_title",
            ListPage(
                rows: found.plans.map {
                    .init(
                        id: $0.id!.uuidString, title: $0.title,
                        municipality: names[$0.municipality] ?? $0.municipality.value,
                        period: "\($0.firstYear)–\($0.lastYear)", statusKey: $0.status.labelKey)
                },
                municipalities: Choice.municipalities(creatable, names: names, selected: posted["municipality"]),
                canCreate: !creatable.isEmpty,
                statuses: PlanStatus.allCases.map {
                    Choice(
                        value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == (posted["status"] ?? "draft"))
                },
                error: failure.map { req.message($0) }, errorField: failure?.field, posted: posted))
    }

    func list(req: Request) async throws -> View { try await listPage(req) }

    func create(req: Request) async throws -> Response {
        let form = try FormReader(req)
        do {
            let plan = try await PlanService.create(
                req.context,
                .init(
                    municipality: form.text("municipality"), title: form.text("title"),
                    firstYear: try form.int("firstYear"), lastYear: try form.int("lastYear"),
                    status: form.text("status"),
                    adoptedOn: form.text("adoptedOn"), caseNumber: form.text("caseNumber")))
            return req.redirect(to: "/plans/\(plan.id!.uuidString)")
        } catch let failure as ValidationFailure {
            return try await listPage(req, failure: failure, posted: form.fields).reshown(req)
        }
    }

    func show(req: Request) async throws -> View {
        let model = try await PlanPage.load(req, try req.pathID("planID"))
        return try await req.page("Plan/plan", titleKey: "plan.title", model)
    }

    /// The plan's measures with their focus area and goal, as CSV or XLSX.
    static func exportMeasures(_ req: Request, _ format: Export.Format) async throws -> Response {
        let plan = try await PlanService.find(req.context, try req.pathID("planID"))
        let tr = req.application.translations
        var rows: [[XLSX.Cell]] = []
        for a in plan.areas.sorted(by: { $0.position < $1.position }) {
            for g in a.goals.sorted(by: { $0.position < $1.position }) {
                for m in g.measures.sorted(by: { $0.title < $1.title }) {
                    rows.append(
                        [
                            .text(a.title), .text(g.text), .text(m.title), .text(m.ownerUnit ?? ""),
                            .text(m.contact ?? ""),
                            .text(m.startDate?.iso ?? ""), .text(m.deadline?.iso ?? ""),
                            .text(tr.text(m.status.labelKey, req.language)), .text(m.statusNote ?? ""),
                            .text(m.statusDate?.iso ?? ""), m.costOre.map { .kroner(ore: $0) } ?? .text(""),
                        ])
                }
            }
        }
        return try Export.response(
            format, name: "tiltak-\(plan.firstYear)-\(plan.lastYear)", sheet: "Tiltak",
            header: [
                "focus_area", "goal", "measure", "owner_unit", "contact", "start", "deadline", "status", "status_note",
                "status_date", "cost_nok",
            ], rows: rows)
    }

    func reviseForm(req: Request) async throws -> View {
        let model = try await RevisionPage.load(req, try req.pathID("planID"))
        return try await req.page("Plan/revise", titleKey: "plan.revise_title", model)
    }

    func revise(req: Request) async throws -> Response {
        let id = try req.pathID("planID")
        let form = try FormReader(req)
        do {
            let next = try await PlanRevision.revise(req.context, id, form)
            return req.redirect(to: "/plans/\(next.id!.uuidString)")
        } catch let failure as ValidationFailure {
            let model = try await RevisionPage.load(req, id, failure: failure, posted: form.fields)
            return try await req.page("Plan/revise", titleKey: "plan.revise_title", model).reshown(req)
        }
    }

    func report(req: Request) async throws -> View {
        let model = try await ReportPage.load(req, try req.pathID("planID"))
        return try await req.page("Plan/report", titleKey: "report.open", model)
    }

    func saveReport(req: Request) async throws -> Response {
        let id = try req.pathID("planID")
        let form = try FormReader(req)
        do {
            let year = try await ReportPage.saveText(req.context, id, form)
            return req.redirect(to: "/plans/\(id.uuidString)/report?year=\(year)&saved=1")
        } catch let failure as ValidationFailure {
            let model = try await ReportPage.load(req, id, failure: failure, posted: form.fields)
            return try await req.page("Plan/report", titleKey: "report.open", model).reshown(req)
        }
    }

    /// The same page as PDF, printed by headless chromium on the server.
    func reportPDF(req: Request) async throws -> Response {
        let id = try req.pathID("planID")
        let model = try await ReportPage.load(req, id)
        let view = try await req.page("Plan/report", titleKey: "report.open", model)
        do {
            let pdf = try await ReportPDF.render(String(buffer: view.data), app: req.application)
            let res = Response(status: .ok, body: .init(data: pdf))
            res.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
            res.headers.replaceOrAdd(
                name: .contentDisposition, value: "attachment; filename=\"arsrapport-\(model.year).pdf\"")
            return res
        } catch is ReportPDF.Unavailable {
            throw Abort(.serviceUnavailable, reason: req.t("report.pdf_unavailable"))
        }
    }
}

/// The plan page's model.
package struct PlanPage: Encodable {
    struct Indicator: Encodable {
        var id: String
        var name: String
        var computed: Bool
        var definitionKey: String?
        var source: String?
        var baseline: String?
        var baselineYear: Int?
        var target: String?
        var targetYear: Int?
        var value: String?
        var suppressed: Bool
        var counts: String?
        var statusKey: String
        var status: String
        var year: Int?
        var chart: ChartContext
        var history: [HistoryYear]
    }
    struct HistoryYear: Encodable {
        var year: Int
        var value: String?
        var suppressed: Bool
    }
    struct Measure: Encodable {
        var id: String
        var title: String
        var ownerUnit: String?
        var ownerSectorKey: String?
        var contact: String?
        var startDate: String?
        var deadline: String?
        var statusKey: String
        var status: String
        var statusNote: String?
        var statusDate: String?
        var cost: Int?
        var reviewKey: String?
    }
    struct Goal: Encodable {
        var id: String
        var text: String
        var indicators: [String]
        var measures: [Measure]
    }
    struct Area: Encodable {
        var id: String
        var position: Int
        var title: String
        var challenges: String?
        var strategies: String?
        var responsible: String?
        var goals: [Goal]
    }
    var id: String
    var title: String
    var municipality: String
    var period: String
    var statusKey: String
    var adoptedOn: String?
    var caseNumber: String?
    var reviseBy: String?
    var revisionDue: Bool
    var canRevise: Bool
    var previousPlanID: String?
    var indicators: [Indicator]
    var areas: [Area]
    var canEdit: Bool
    var goalChoices: [Choice]
    var areaChoices: [Choice]
    var enteredChoices: [Choice]
    var measureChoices: [Choice]
    var catalogue: [Choice]
    var units: [Choice]
    var measureStatuses: [Choice]
    var sectors: [Choice]
    var saved: String?
    var error: String?
    var errorField: String?
    var errorForm: String?
    var posted: [String: String]

    struct Query: Content {
        var saved: String?
    }

    /// An evaluated indicator as the plan page and the report show it.
    static func indicator(_ e: EvaluatedIndicator, _ req: Request) -> Indicator {
        let shown = e.history.map {
            $0.value.map { e.unit == .share ? Int(($0 * 100).rounded()) : Int($0.rounded()) } ?? 0
        }
        return Indicator(
            id: e.id.uuidString, name: e.name, computed: e.key != nil,
            definitionKey: e.key.flatMap { req.application.indicatorCatalogue[$0]?.definitionKey }, source: e.source,
            baseline: IndicatorText.value(e.baseline?.value, e.unit, req), baselineYear: e.baseline?.year,
            target: IndicatorText.value(e.target?.value, e.unit, req), targetYear: e.target?.year,
            value: IndicatorText.value(e.figure.value, e.unit, req), suppressed: e.figure.suppressed,
            counts: Self.counts(e, req),
            statusKey: "plan.indicator_status.\(e.status.rawValue)", status: e.status.rawValue,
            year: e.history.last?.year,
            chart: ChartContext(
                BarChart(
                    id: "chart-\(e.id.uuidString)", title: req.t("plan.history", e.name),
                    groups: e.history.map { String($0.year) }, series: [e.name], values: [shown],
                    text: { e.unit == .share ? "\($0) %" : "\($0)" })),
            history: e.history.map {
                HistoryYear(
                    year: $0.year, value: IndicatorText.value($0.value, e.unit, req), suppressed: $0.suppressed)
            })

    }

    /// "(22 of 36)" under a share that is shown.
    static func counts(_ e: EvaluatedIndicator, _ req: Request) -> String? {
        guard e.unit == .share, let n = e.figure.numerator, let d = e.figure.denominator, d > 0 else { return nil }
        return req.t("plan.counts", "\(n)", "\(d)")
    }

    static func load(
        _ req: Request, _ id: UUID, failure: ValidationFailure? = nil, form: String? = nil,
        posted: [String: String] = [:]
    ) async throws -> PlanPage {
        let ctx = req.context
        let plan = try await PlanService.find(ctx, id)
        let names = try await req.municipalityNames()
        let evaluated = try await PlanService.indicators(ctx, plan)
        let catalogue = req.application.indicatorCatalogue
        let areas = plan.areas.sorted { $0.position < $1.position }
        let goals = areas.flatMap { $0.goals.sorted { $0.position < $1.position } }
        let indicatorsByGoal = Dictionary(grouping: goals.flatMap(\.indicators), by: { $0.$goal.id })
        let saved = try req.query.decode(Query.self).saved
        return PlanPage(
            id: id.uuidString, title: plan.title, municipality: names[plan.municipality] ?? plan.municipality.value,
            period: "\(plan.firstYear)–\(plan.lastYear)", statusKey: plan.status.labelKey,
            adoptedOn: plan.adoptedOn?.iso,
            caseNumber: plan.caseNumber, reviseBy: plan.reviseBy?.iso,
            revisionDue: plan.reviseBy.map { $0 <= ctx.today } ?? false,
            canRevise: (plan.status == .adopted || plan.status == .draft)
                && ctx.may(.update, .planning(municipality: plan.municipality)),
            previousPlanID: plan.previousPlanID?.uuidString,
            indicators: evaluated.map { Self.indicator($0, req) },
            areas: areas.map { a in
                Area(
                    id: a.id!.uuidString, position: a.position, title: a.title, challenges: a.challenges,
                    strategies: a.strategies, responsible: a.responsible,
                    goals: a.goals.sorted { $0.position < $1.position }.map { g in
                        Goal(
                            id: g.id!.uuidString, text: g.text,
                            indicators: (indicatorsByGoal[g.id!] ?? []).map(\.name).sorted(),
                            measures: g.measures.sorted {
                                ($0.deadline?.iso ?? "9", $0.title) < ($1.deadline?.iso ?? "9", $1.title)
                            }
                            .map { m in
                                Measure(
                                    id: m.id!.uuidString, title: m.title, ownerUnit: m.ownerUnit,
                                    ownerSectorKey: m.ownerSector?.labelKey, contact: m.contact,
                                    startDate: m.startDate?.iso, deadline: m.deadline?.iso,
                                    statusKey: m.status.labelKey,
                                    status: m.status.rawValue, statusNote: m.statusNote, statusDate: m.statusDate?.iso,
                                    cost: m.costOre, reviewKey: m.review?.labelKey)
                            })
                    })
            },
            canEdit: ctx.may(.update, .planning(municipality: plan.municipality)),
            goalChoices: areas.flatMap { a in
                a.goals.sorted { $0.position < $1.position }.map {
                    Choice(value: $0.id!.uuidString, label: "\(a.position). \($0.text.prefix(80))", selected: false)
                }
            },
            areaChoices: areas.map {
                Choice(
                    value: $0.id!.uuidString, label: "\($0.position). \($0.title)",
                    selected: posted["areaId"] == $0.id!.uuidString)
            },
            enteredChoices: goals.flatMap(\.indicators).filter { $0.computedKey == nil }.map {
                Choice(value: $0.id!.uuidString, label: $0.name, selected: posted["indicatorId"] == $0.id!.uuidString)
            },
            measureChoices: goals.flatMap(\.measures).map {
                Choice(value: $0.id!.uuidString, label: $0.title, selected: posted["measureId"] == $0.id!.uuidString)
            },
            catalogue: catalogue.values.sorted { $0.key < $1.key }.map {
                Choice(value: $0.key, label: $0.nameKey, selected: posted["computedKey"] == $0.key)
            },
            units: IndicatorUnit.allCases.map {
                Choice(value: $0.rawValue, label: "plan.unit.\($0.rawValue)", selected: posted["unit"] == $0.rawValue)
            },
            measureStatuses: MeasureStatus.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: posted["measureStatus"] == $0.rawValue)
            },
            sectors: PlanMeasures.sectorChoices(selected: posted["ownerSector"]),
            saved: saved.map { _ in req.t("plan.saved") },
            error: failure.map { req.message($0) }, errorField: failure?.field, errorForm: form, posted: posted)
    }
}

/// `GET /api/v1/plans/{id}/indicators` and `GET /api/v1/indicators/{key}` (the public contract of issue #14).
package struct PlanAPIController: RouteCollection {
    struct IndicatorDTO: Content {
        var id: UUID
        var key: String?
        var name: String
        var unit: IndicatorUnit
        var direction: IndicatorDirection
        var baseline: IndicatorPoint?
        var target: IndicatorPoint?
        var value: Double?
        var numerator: Int?
        var denominator: Int?
        var suppressed: Bool
        var status: IndicatorStatus
        var asOf: LocalDate
        var from: LocalDate?
        var to: LocalDate?
    }
    struct IndicatorList: Content {
        var indicators: [IndicatorDTO]
    }
    struct PeriodQuery: Content {
        var municipality: String?
        var from: String?
        var to: String?
    }
    struct FigureDTO: Content {
        var key: String
        var unit: IndicatorUnit
        var direction: IndicatorDirection
        var municipality: Kommunenummer
        var from: LocalDate
        var to: LocalDate
        var value: Double?
        var numerator: Int?
        var denominator: Int?
        var suppressed: Bool
        var source: String
    }
    struct PlanDTO: Content {
        var id: UUID
        var municipality: Kommunenummer
        var title: String
        var firstYear: Int
        var lastYear: Int
        var status: PlanStatus
        var adoptedOn: LocalDate?
        var caseNumber: String?
    }

    package func boot(routes: any RoutesBuilder) throws {
        routes.get("plans") { req async throws -> [PlanDTO] in
            let q = try req.query.decode(PeriodQuery.self)
            return try await PlanService.list(req.context, municipality: q.municipality).plans.map {
                PlanDTO(
                    id: $0.id!, municipality: $0.municipality, title: $0.title, firstYear: $0.firstYear,
                    lastYear: $0.lastYear, status: $0.status, adoptedOn: $0.adoptedOn, caseNumber: $0.caseNumber)
            }
        }
        routes.get("plans", ":planID", "indicators") { req async throws -> IndicatorList in
            let ctx = req.context
            let plan = try await PlanService.find(ctx, try req.pathID("planID"))
            return IndicatorList(
                indicators: try await PlanService.indicators(ctx, plan).map { e in
                    IndicatorDTO(
                        id: e.id, key: e.key, name: e.name, unit: e.unit, direction: e.direction, baseline: e.baseline,
                        target: e.target, value: e.figure.value, numerator: e.figure.numerator,
                        denominator: e.figure.denominator, suppressed: e.figure.suppressed, status: e.status,
                        asOf: e.asOf, from: e.periodFrom, to: e.periodTo)
                })
        }
        routes.get("indicators", ":key") { req async throws -> FigureDTO in
            let key = req.parameters.get("key") ?? ""
            guard let definition = req.application.indicatorCatalogue[key] else { throw Abort(.notFound) }
            let q = try req.query.decode(PeriodQuery.self)
            let m = try Validate.municipality(q.municipality)
            let ctx = req.context
            try await ctx.authorize(.read, .planning(municipality: m))
            let (from, to) = try Validate.period(q.from, q.to)
            let f = try await definition.figure(
                ctx, [m], IndicatorPeriod(from: from, to: to), threshold: req.application.disclosure.threshold)
            return FigureDTO(
                key: key, unit: definition.unit, direction: definition.direction, municipality: m, from: from, to: to,
                value: f.value, numerator: f.numerator, denominator: f.denominator, suppressed: f.suppressed,
                source: definition.source)
        }
    }
}
