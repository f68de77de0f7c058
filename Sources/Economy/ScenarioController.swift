import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/economy/scenarios`: settlement scenarios drawn up, compared (printable, CSV and XLSX) and changed; and
/// `/economy/capacity`, the capacities they are measured against.
package struct ScenarioController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let scenarios = routes.grouped("economy", "scenarios")
        scenarios.get(use: list)
        scenarios.get("new", use: new)
        scenarios.gated(.create, .planning).post(use: create)
        scenarios.get("compare", use: compare)
        scenarios.get("compare.csv") { req in
            try await Export.audited(req, "scenarios", aggregate: true) { try await Self.export(req, xlsx: false) }
        }
        scenarios.get("compare.xlsx") { req in
            try await Export.audited(req, "scenarios", aggregate: true) { try await Self.export(req, xlsx: true) }
        }
        scenarios.get(":scenarioID", use: show)
        scenarios.get(":scenarioID", "edit", use: edit)
        scenarios.gated(.update, .planning).post(":scenarioID", use: update)
        scenarios.gated(.delete, .planning).post(":scenarioID", "delete", use: delete)
        routes.get("economy", "capacity", use: capacity)
        routes.grouped("economy").gated(.update, .planning).post("capacity", use: recordCapacity)
    }

    package struct ListQuery: Content {
        var municipality: String?
        var page: Int?
        /// The pager's keyset links and rows a page (`PageWindow`).
        var after: String?
        var before: String?
        var limit: Int?
        var deleted: Int?
    }

    func list(req: Request) async throws -> View {
        let q = try req.query.decode(ListQuery.self)
        let municipality = q.municipality.flatMap { $0.isEmpty ? nil : $0 }
        var model = try await ScenarioListPage.load(
            req.context, municipality: municipality,
            try PageWindow(page: q.page, after: q.after, before: q.before, limit: q.limit))
        if q.deleted == 1 { model.notice = req.t("scenario.deleted") }
        return try await req.page("Economy/scenarios", titleKey: "scenario.title", model)
    }

    func new(req: Request) async throws -> View {
        let model = try await ScenarioFormPage.load(req.context, lang: req.language)
        return try await req.page("Economy/scenario-form", titleKey: "scenario.new", model)
    }

    func create(req: Request) async throws -> Response {
        let form = try FormReader(req)
        do {
            let s = try await ScenarioService.create(req.context, try ScenarioFormPage.input(form))
            return req.redirect(to: "/economy/scenarios/\(s.scenario.id!.uuidString)")
        } catch let failure as ValidationFailure {
            let model = try await ScenarioFormPage.load(
                req.context, lang: req.language, posted: form.fields, failure: failure)
            return try await req.page("Economy/scenario-form", titleKey: "scenario.new", model).reshown(req)
        }
    }

    func show(req: Request) async throws -> View {
        let model = try await ScenarioComparisonPage.load(
            req.context, ids: [req.parameters.get("scenarioID") ?? ""], lang: req.language)
        return try await req.page("Economy/scenario", titleKey: "scenario.title", model)
    }

    func edit(req: Request) async throws -> View {
        let loaded = try await ScenarioService.find(req.context, try req.pathID("scenarioID"), for: .update)
        let model = try await ScenarioFormPage.load(req.context, lang: req.language, loaded: loaded)
        return try await req.page("Economy/scenario-form", titleKey: "scenario.edit", model)
    }

    func update(req: Request) async throws -> Response {
        let id = try req.pathID("scenarioID")
        let form = try FormReader(req)
        do {
            _ = try await ScenarioService.update(req.context, id, try ScenarioFormPage.input(form))
            return req.redirect(to: "/economy/scenarios/\(id.uuidString)")
        } catch let failure as ValidationFailure {
            let loaded = try await ScenarioService.find(req.context, id, for: .update)
            let model = try await ScenarioFormPage.load(
                req.context, lang: req.language, loaded: loaded, posted: form.fields, failure: failure)
            return try await req.page("Economy/scenario-form", titleKey: "scenario.edit", model).reshown(req)
        }
    }

    func delete(req: Request) async throws -> Response {
        try await ScenarioService.delete(req.context, try req.pathID("scenarioID"))
        return req.redirect(to: "/economy/scenarios?deleted=1")
    }

    package struct CompareQuery: Content {
        var ids: [String]?
    }

    func compare(req: Request) async throws -> View {
        let ids = try req.query.decode(CompareQuery.self).ids ?? []
        let model = try await ScenarioComparisonPage.load(req.context, ids: ids, lang: req.language)
        return try await req.page("Economy/scenario", titleKey: "scenario.compare_title", model)
    }

    /// The comparison in long form, one value per row: scenario, measure, year, value (amounts in kroner).
    static func export(_ req: Request, xlsx: Bool) async throws -> Response {
        let ids = try req.query.decode(CompareQuery.self).ids ?? []
        guard (1...3).contains(ids.count) else { throw ValidationFailure(field: "ids", "scenario.invalid.compare") }
        let ctx = req.context
        let lang = req.language
        let tr = req.application.translations
        var rows: [[XLSX.Cell]] = []
        for (i, text) in ids.enumerated() {
            guard let id = UUID(uuidString: text) else {
                throw ValidationFailure(field: "ids[\(i)]", "scenario.invalid.id")
            }
            let r = try await ScenarioResult.compute(ctx, try await ScenarioService.find(ctx, id))
            let name = XLSX.Cell.text(r.loaded.scenario.name)
            func add(_ measure: String, _ values: [Int], kroner: Bool = false) {
                for (y, v) in zip(r.years, values) {
                    rows.append([name, .text(measure), .number(y), kroner ? .kroner(ore: v) : .number(v)])
                }
            }
            add(tr.text("scenario.arrivals", lang), r.arrivals)
            add(tr.text("scenario.persons", lang), r.persons)
            for (scheme, values) in r.grants { add(tr.text(scheme.labelKey, lang), values, kroner: true) }
            add(tr.text("scenario.grants_total", lang), r.grantTotals, kroner: true)
            for c in r.capacities {
                let label = tr.text("capacity.kind.\(c.kind.rawValue)", lang)
                add(tr.text("scenario.need", lang, [label]), c.needs)
                if let has = c.has { add(tr.text("scenario.has", lang, [label]), r.years.map { _ in has }) }
            }
        }
        let header = ["scenario", "measure", "year", "value"]
        if xlsx {
            return XLSX.response(
                try XLSX.workbook(sheet: "Scenarier", header: header, rows: rows), filename: "scenarier.xlsx")
        }
        return CSV.response(header: header, rows: rows.map { $0.map(\.csv) }, filename: "scenarier.csv")
    }

    package struct CapacityQuery: Content {
        var municipality: String?
        var stored: Int?
    }

    func capacity(req: Request) async throws -> View {
        let q = try req.query.decode(CapacityQuery.self)
        var model = try await CapacityPage.load(
            req.context, municipality: q.municipality.flatMap { $0.isEmpty ? nil : $0 }, lang: req.language)
        if q.stored == 1 { model.notice = req.t("capacity.stored") }
        return try await req.page("Economy/capacity", titleKey: "capacity.title", model)
    }

    func recordCapacity(req: Request) async throws -> Response {
        let form = try FormReader(req)
        let m = try Validate.municipality(form.text("municipality"))
        try await req.context.authorize(.update, .planning(municipality: m))
        do {
            var figures: [CapacityKind: Int?] = [:]
            for k in CapacityKind.allCases {
                figures[k] = try Validate.number(
                    try Validate.formInt(form.text(k.rawValue), k.rawValue), k.rawValue, 0...1_000_000)
            }
            let note = try Validate.text(form.raw("note"), "note", max: 500, required: false)
            try await CapacityService.record(req.context, m, figures, note: note)
            return req.redirect(to: "/economy/capacity?municipality=\(m.value)&stored=1")
        } catch let failure as ValidationFailure {
            let model = try await CapacityPage.load(
                req.context, municipality: m.value, lang: req.language, posted: form.fields, failure: failure)
            return try await req.page("Economy/capacity", titleKey: "capacity.title", model).reshown(req)
        }
    }
}

/// `/api/v1/economy/scenarios`: the scenarios as JSON (create, read, change, delete) and each one's result;
/// `/api/v1/economy/capacities/{municipality}`: the capacities they are measured against.
package struct ScenarioAPIController: RouteCollection {
    package struct ScenarioDTO: Content {
        var id: UUID
        var name: String
        var description: String?
        var municipality: String
        var municipalities: [String]
        var firstYear: Int
        var arrivals: [Int]
        /// Whole per cent by category; nil when the scenario uses the observed composition.
        var composition: [String: Int]?
        var updatedAt: Date

        init(_ l: LoadedScenario) {
            let s = l.scenario
            id = s.id!
            name = s.name
            description = s.summary
            municipality = s.municipality.value
            municipalities = l.members.map(\.value)
            firstYear = s.firstYear
            arrivals = l.arrivals.keys.sorted().map { l.arrivals[$0]! }
            composition = s.composition.map { c in
                Dictionary(
                    uniqueKeysWithValues: ScenarioComposition.categories.map { ($0.0, (c[keyPath: $0.1] + 5) / 10) })
            }
            updatedAt = s.updatedAt
        }
    }

    package struct ListDTO: Content {
        var scenarios: [ScenarioDTO]
        var total: Int
        var page: Int
        var pages: Int
    }

    package struct ResultDTO: Content {
        package struct Year: Content {
            var year: Int
            var arrivals: Int
            var persons: Int
            var grantsOre: Int
            var schemes: [String: Int]
        }
        package struct Capacity: Content {
            var kind: String
            /// Nil when no municipality of the region has recorded it.
            var has: Int?
            var notRecordedIn: [String]
            var years: [Need]
        }
        package struct Need: Content {
            var year: Int
            var need: Int
            /// "enough", "short" or "not_recorded".
            var status: String
            var shortBy: Int?
        }
        var scenario: ScenarioDTO
        var years: [Year]
        var capacities: [Capacity]
        /// Per mille by category, and where the shares come from.
        var composition: [String: Int]
        var compositionSource: String
        var assumptions: [String: Int]
        var assumedRates: [String]
        var missingRates: [String]
    }

    package struct CapacitiesDTO: Content {
        package struct Figure: Content {
            var kind: String
            var amount: Int
            var recordedOn: String
            var note: String?
        }
        var municipality: String
        /// The kinds recorded; a kind left out is not recorded.
        var capacities: [Figure]
    }

    package struct CapacitiesInput: Content {
        /// Every kind: a number, or null (or left out) for not recorded.
        var capacities: [String: Int?]?
        var note: String?
    }

    static func capacities(_ ctx: ServiceContext, _ m: Kommunenummer) async throws -> CapacitiesDTO {
        let all = try await CapacityService.all(ctx, m)
        return CapacitiesDTO(
            municipality: m.value,
            capacities: CapacityKind.allCases.compactMap { k in
                all[k].map {
                    CapacitiesDTO.Figure(
                        kind: k.rawValue, amount: $0.amount, recordedOn: $0.recordedOn.iso, note: $0.note)
                }
            })
    }

    package func boot(routes: any RoutesBuilder) throws {
        let capacity = routes.grouped("economy", "capacities")
        capacity.get(":municipality") { req async throws -> CapacitiesDTO in
            try await Self.capacities(req.context, try Validate.municipality(req.parameters.get("municipality")))
        }
        capacity.gated(.update, .planning).put(":municipality") { req async throws -> CapacitiesDTO in
            let m = try Validate.municipality(req.parameters.get("municipality"))
            try await req.context.authorize(.update, .planning(municipality: m))
            let input = try req.json(CapacitiesInput.self)
            var figures: [CapacityKind: Int?] = Dictionary(
                uniqueKeysWithValues: CapacityKind.allCases.map { ($0, nil) })
            for (key, value) in input.capacities ?? [:] {
                guard let kind = CapacityKind(rawValue: key) else {
                    throw ValidationFailure(field: "capacities[\(key)]", "invalid.unknown_field")
                }
                figures[kind] = try Validate.number(value, "capacities[\(key)]", 0...1_000_000)
            }
            let note = try Validate.text(input.note, "note", max: 500, required: false)
            try await CapacityService.record(req.context, m, figures, note: note)
            return try await Self.capacities(req.context, m)
        }

        let scenarios = routes.grouped("economy", "scenarios")
        scenarios.get { req async throws -> ListDTO in
            let q = try req.query.decode(ScenarioController.ListQuery.self)
            let page = try Validate.page(q.page)
            let found = try await ScenarioService.list(
                req.context, municipality: q.municipality, try PageWindow(page: page))
            let loaded = try await ScenarioService.loaded(found.rows, on: req.context.db)
            return ListDTO(
                scenarios: loaded.map(ScenarioDTO.init), total: found.total, page: page,
                pages: max(1, (found.total + 49) / 50))
        }
        scenarios.gated(.create, .planning).post { req async throws -> Response in
            let s = try await ScenarioService.create(req.context, try req.json(ScenarioInput.self))
            return try await ScenarioDTO(s).encodeResponse(status: .created, for: req)
        }
        scenarios.get(":scenarioID") { req async throws -> ScenarioDTO in
            ScenarioDTO(try await ScenarioService.find(req.context, try req.pathID("scenarioID")))
        }
        scenarios.gated(.update, .planning).put(":scenarioID") { req async throws -> ScenarioDTO in
            ScenarioDTO(
                try await ScenarioService.update(
                    req.context, try req.pathID("scenarioID"), try req.json(ScenarioInput.self)))
        }
        scenarios.gated(.delete, .planning).delete(":scenarioID") { req async throws -> HTTPStatus in
            try await ScenarioService.delete(req.context, try req.pathID("scenarioID"))
            return .noContent
        }
        scenarios.get(":scenarioID", "result") { req async throws -> ResultDTO in
            let ctx = req.context
            let r = try await ScenarioResult.compute(
                ctx, try await ScenarioService.find(ctx, try req.pathID("scenarioID")))
            let tr = req.application.translations
            let a = r.assumptions
            return ResultDTO(
                scenario: ScenarioDTO(r.loaded),
                years: r.years.enumerated().map { i, y in
                    ResultDTO.Year(
                        year: y, arrivals: r.arrivals[i], persons: r.persons[i], grantsOre: r.grantTotals[i],
                        schemes: Dictionary(uniqueKeysWithValues: r.grants.map { ($0.0.rawValue, $0.1[i]) }))
                },
                capacities: r.capacities.map { c in
                    ResultDTO.Capacity(
                        kind: c.kind.rawValue, has: c.has, notRecordedIn: c.missingIn.map(\.value),
                        years: zip(r.years, zip(c.needs, c.statuses)).map { y, pair in
                            switch pair.1 {
                            case .enough: ResultDTO.Need(year: y, need: pair.0, status: "enough", shortBy: nil)
                            case .short(let by): ResultDTO.Need(year: y, need: pair.0, status: "short", shortBy: by)
                            case .notRecorded:
                                ResultDTO.Need(year: y, need: pair.0, status: "not_recorded", shortBy: nil)
                            }
                        })
                },
                composition: Dictionary(
                    uniqueKeysWithValues: ScenarioComposition.categories.map { ($0.0, r.composition[keyPath: $0.1]) }),
                compositionSource: r.compositionSource,
                assumptions: [
                    "participantsPerAdvisor": a.participantsPerAdvisor, "programmeYears": a.programmeYears,
                    "norwegianYears": a.norwegianYears, "municipalDwellingYears": a.municipalDwellingYears,
                    "familyHouseholdTenths": a.familyHouseholdTenths, "workPracticePercent": a.workPracticePercent,
                ],
                assumedRates: r.assumedRates.map { tr.text("forecast.assumed", "en", [String($0.0), String($0.1)]) },
                missingRates: r.missingRates.map { GrantsPanel.missingLabel($0, tr, "en") })
        }
    }
}
