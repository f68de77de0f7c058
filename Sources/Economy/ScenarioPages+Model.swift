import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/economy/scenarios`: the scenarios of the user's municipalities, paged, with a choice of two or three to compare.
package struct ScenarioListPage: Encodable {
    package struct Row: Encodable {
        var id: String
        var name: String
        var municipalityName: String
        var region: String
        var firstYear: Int
    }
    package var rows: [Row]
    package var pager: Pager
    package var municipality: String
    package var municipalities: [Choice]
    package var canCreate: Bool
    package var notice: String?
    package var error: String?

    package static func load(_ ctx: ServiceContext, municipality: String?, _ window: PageWindow) async throws
        -> ScenarioListPage
    {
        let first = try await ScenarioService.list(ctx, municipality: municipality, window)
        let (found, pager) = (first.rows, first.pager)
        let names = try await ctx.municipalityNames()
        let members = try await ScenarioService.members(of: found.compactMap(\.id), on: ctx.db)
        return ScenarioListPage(
            rows: found.map { s in
                Row(
                    id: s.id!.uuidString, name: s.name, municipalityName: names[s.municipality] ?? s.municipality.value,
                    region: (members[s.id!] ?? []).map { names[$0] ?? $0.value }.joined(separator: ", "),
                    firstYear: s.firstYear)
            }, pager: pager, municipality: municipality ?? "",
            municipalities: Choice.municipalities(first.codes, names: names, selected: municipality),
            canCreate: first.codes.contains { ctx.may(.create, .planning(municipality: $0)) })
    }
}

/// The form of a new or changed scenario, with what was typed and the first problem found.
package struct ScenarioFormPage: Encodable {
    package struct Member: Encodable {
        var value: String
        var label: String
        var checked: Bool
    }
    package struct Share: Encodable {
        var id: String
        var labelKey: String
        var value: String
    }
    package struct Arrival: Encodable {
        var id: String
        var label: String
        var value: String
    }
    package var id: String?
    package var action: String
    package var name: String
    package var description: String
    package var municipalities: [Choice]
    package var members: [Member]
    package var firstYear: String
    package var arrivals: [Arrival]
    package var composition: [Share]
    package var error: String?
    package var errorField: String?
    package var errorAnchor: String?

    /// The form for `loaded` (or a new scenario for the user's first municipality), or again with the fields as
    /// they were `posted` (what was typed, also what could not be read) and the `failure`.
    package static func load(
        _ ctx: ServiceContext, lang: String, loaded: LoadedScenario? = nil, posted: [String: String]? = nil,
        failure: ValidationFailure? = nil
    ) async throws -> ScenarioFormPage {
        let codes = try await ctx.municipalities(where: .create) { .planning(municipality: $0) }
        guard loaded != nil || !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let names = try await ctx.municipalityNames()
        let all = try await ctx.allMunicipalities().compactMap(\.id)
        let s = loaded?.scenario
        let owner = posted?["municipality"] ?? s?.municipality.value ?? codes.first?.value
        let chosen = Set(
            posted.map { f in f.keys.filter { $0.hasPrefix("member-") }.map { String($0.dropFirst(7)) } }
                ?? loaded?.members.map(\.value) ?? [])
        let tr = ctx.app.translations
        let arrivals: [Arrival] = (0..<ScenarioResult.window).map { i in
            let id = "arrivals-\(i)"
            let stored = s.flatMap { loaded?.arrivals[$0.firstYear + i] }.map(String.init)
            let value = posted.map { $0[id] ?? "" } ?? stored ?? ""
            return Arrival(id: id, label: tr.text("scenario.year_n", lang, [String(i + 1)]), value: value)
        }
        let composition = ScenarioComposition.categories.map { key, path in
            let id = "composition-\(key)"
            let stored = s?.composition.map { String(($0[keyPath: path] + 5) / 10) }
            return Share(
                id: id, labelKey: "forecast.category.\(key)", value: posted.map { $0[id] ?? "" } ?? stored ?? "")
        }
        let anchor = Self.anchor(failure?.field)
        return ScenarioFormPage(
            id: s?.id?.uuidString, action: s.map { "/economy/scenarios/\($0.id!.uuidString)" } ?? "/economy/scenarios",
            name: posted?["name"] ?? s?.name ?? "", description: posted?["description"] ?? s?.summary ?? "",
            municipalities: Choice.municipalities(s.map { [$0.municipality] } ?? codes, names: names, selected: owner),
            members: all.map { m in
                Member(value: m.value, label: names[m] ?? m.value, checked: chosen.contains(m.value))
            },
            firstYear: posted?["firstYear"] ?? s.map { String($0.firstYear) } ?? String(ctx.today.year + 1),
            arrivals: arrivals, composition: composition, error: failure?.message(tr, lang), errorField: anchor,
            errorAnchor: anchor)
    }

    /// The control a problem belongs to: "arrivals[2]" is the field `arrivals-2`.
    static func anchor(_ field: String?) -> String? {
        guard let field else { return nil }
        if field == "arrivals" { return "arrivals-0" }
        if field.hasPrefix("municipalities") { return "members" }
        return field.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "")
    }

    /// What the form sent, in the API's shape: arrivals up to the last year filled (an empty year before it is 0),
    /// the composition only when some share is filled.
    package static func input(_ form: FormReader) throws -> ScenarioInput {
        var arrivals: [Int] = []
        var last = -1
        for i in 0..<ScenarioResult.window where !(form.text("arrivals-\(i)") ?? "").isEmpty { last = i }
        for i in 0..<(last + 1) {
            arrivals.append(try Validate.formInt(form.text("arrivals-\(i)"), "arrivals[\(i)]") ?? 0)
        }
        var composition: [String: Int] = [:]
        for (key, _) in ScenarioComposition.categories {
            if let n = try Validate.formInt(form.text("composition-\(key)"), "composition[\(key)]") {
                composition[key] = n
            }
        }
        return ScenarioInput(
            name: form.text("name"), description: form.raw("description"), municipality: form.text("municipality"),
            municipalities: form.fields.keys.filter { $0.hasPrefix("member-") }.map { String($0.dropFirst(7)) }
                .sorted(),
            firstYear: try Validate.formInt(form.text("firstYear"), "firstYear"), arrivals: arrivals,
            composition: composition.isEmpty ? nil : composition)
    }
}

/// One to three scenarios side by side: what each settles, brings and needs per year, charts with their numbers in
/// tables, and each one's assumptions. One scenario's own page is this page with one.
package struct ScenarioComparisonPage: Encodable {
    package struct Column: Encodable {
        var id: String
        var name: String
        var description: String?
        var municipalityName: String
        var region: String
        var firstYear: Int
        var lastYear: Int
        var totalArrivals: Int
        var totalGrantsOre: Int
        var compositionSourceKey: String
        var composition: [Share]
        var grants: [GrantRow]
        var grantTotals: [Int]
        var years: [Int]
        var assumptions: [Assumption]
        var assumed: [String]
        var missing: [String]
        var mayEdit: Bool
    }
    package struct Share: Encodable {
        var labelKey: String
        var percent: Int
    }
    package struct GrantRow: Encodable {
        var schemeKey: String
        var cells: [Int]
    }
    package struct Assumption: Encodable {
        var labelKey: String
        var value: String
        var reference: String
    }
    /// A row of a year table: a scenario's values, "–" outside its years.
    package struct YearRow: Encodable {
        var name: String
        var cells: [String]
    }
    package struct CapacityGroup: Encodable {
        var kindKey: String
        var rows: [CapacityRow]
    }
    package struct CapacityRow: Encodable {
        var name: String
        var cells: [NeedCell]
        var has: String
        var statusKey: String
        var statusText: String
        var statusClass: String
    }
    package struct NeedCell: Encodable {
        var text: String
        var short: Bool
    }

    package var title: String
    package var ids: [String]
    package var query: String
    package var columns: [Column]
    package var years: [Int]
    package var arrivals: [YearRow]
    package var persons: [YearRow]
    package var grants: [YearRow]
    package var capacity: [CapacityGroup]
    package var grantsChart: ChartContext
    package var personsChart: ChartContext
    package var advisorsChart: ChartContext

    /// `ids` (one to three, each one the user may read), in the order given.
    package static func load(_ ctx: ServiceContext, ids: [String], lang: String) async throws
        -> ScenarioComparisonPage
    {
        guard (1...3).contains(ids.count) else { throw ValidationFailure(field: "ids", "scenario.invalid.compare") }
        var results: [ScenarioResult] = []
        for (i, text) in ids.enumerated() {
            guard let id = UUID(uuidString: text) else {
                throw ValidationFailure(field: "ids[\(i)]", "scenario.invalid.id")
            }
            results.append(try await ScenarioResult.compute(ctx, try await ScenarioService.find(ctx, id)))
        }
        return try await make(ctx, results, lang: lang)
    }

    static func make(_ ctx: ServiceContext, _ results: [ScenarioResult], lang: String) async throws
        -> ScenarioComparisonPage
    {
        let tr = ctx.app.translations
        let names = try await ctx.municipalityNames()
        let years = Array(Set(results.flatMap(\.years))).sorted()
        func row(_ r: ScenarioResult, _ values: [Int], _ text: (Int) -> String) -> YearRow {
            YearRow(
                name: r.loaded.scenario.name,
                cells: years.map { y in r.years.firstIndex(of: y).map { text(values[$0]) } ?? "–" })
        }
        func count(_ n: Int) -> String { NorwegianFormat.grouped(n) }
        func kroner(_ ore: Int) -> String { NorwegianFormat.kroner(ore: ore) }
        // The charts' scale in whole kroner; the tables keep øre.
        func chartValues(_ pick: (ScenarioResult) -> [Int]) -> [[Int]] {
            results.map { r in years.map { y in r.years.firstIndex(of: y).map { pick(r)[$0] } ?? 0 } }
        }
        let labels = years.map(String.init)
        let series = results.map(\.loaded.scenario.name)
        let charts = [
            BarChart(
                id: "chart-grants", title: tr.text("scenario.chart_grants", lang), groups: labels, series: series,
                values: chartValues { $0.grantTotals.map { $0 / 100 } },
                text: { NorwegianFormat.kroner(ore: $0 * 100) }),
            BarChart(
                id: "chart-persons", title: tr.text("scenario.chart_persons", lang), groups: labels, series: series,
                values: chartValues(\.persons), text: count),
            BarChart(
                id: "chart-advisors", title: tr.text("scenario.chart_advisors", lang), groups: labels, series: series,
                values: chartValues { r in r.capacities.first { $0.kind == .programmeAdvisors }!.needs }, text: count),
        ]
        let capacity = CapacityKind.allCases.map { kind in
            CapacityGroup(
                kindKey: "capacity.kind.\(kind.rawValue)",
                rows: results.map { r in
                    let c = r.capacities.first { $0.kind == kind }!
                    let cells = years.map { y -> NeedCell in
                        guard let i = r.years.firstIndex(of: y) else { return NeedCell(text: "–", short: false) }
                        if case .short = c.statuses[i] { return NeedCell(text: count(c.needs[i]), short: true) }
                        return NeedCell(text: count(c.needs[i]), short: false)
                    }
                    let worst = c.statuses.compactMap { s -> Int? in
                        if case .short(let by) = s { return by }
                        return nil
                    }.max()
                    let missing = c.missingIn.map { names[$0] ?? $0.value }.joined(separator: ", ")
                    let status: (String, String, String)
                    if c.has == nil {
                        status = ("capacity.not_recorded", tr.text("capacity.not_recorded", lang), "status--pending")
                    } else if let worst {
                        status = (
                            "capacity.short", tr.text("capacity.short", lang, [count(worst)]), "status--concern"
                        )
                    } else {
                        status = ("capacity.enough", tr.text("capacity.enough", lang), "status--ok")
                    }
                    var statusText = status.1
                    if c.has != nil && !c.missingIn.isEmpty {
                        statusText += " " + tr.text("capacity.partly_recorded", lang, [missing])
                    }
                    return CapacityRow(
                        name: r.loaded.scenario.name, cells: cells, has: c.has.map(count) ?? "–", statusKey: status.0,
                        statusText: statusText, statusClass: status.2)
                })
        }
        let columns = results.map { r in
            let s = r.loaded.scenario
            let a = r.assumptions
            let assumptions: [(String, String, String)] = [
                ("participantsPerAdvisor", String(a.participantsPerAdvisor), "scenario.assumption.advisor"),
                ("programmeYears", String(a.programmeYears), "scenario.assumption.programme"),
                ("norwegianYears", String(a.norwegianYears), "scenario.assumption.norwegian"),
                ("municipalDwellingYears", String(a.municipalDwellingYears), "scenario.assumption.dwelling"),
                (
                    "familyHouseholdTenths", "\(a.familyHouseholdTenths / 10),\(a.familyHouseholdTenths % 10)",
                    "scenario.assumption.family"
                ),
                ("workPracticePercent", "\(a.workPracticePercent) %", "scenario.assumption.practice"),
            ]
            return Column(
                id: s.id!.uuidString, name: s.name, description: s.summary,
                municipalityName: names[s.municipality] ?? s.municipality.value,
                region: r.loaded.members.map { names[$0] ?? $0.value }.joined(separator: ", "), firstYear: s.firstYear,
                lastYear: r.years.last ?? s.firstYear, totalArrivals: r.arrivals.reduce(0, +),
                totalGrantsOre: r.grantTotals.reduce(0, +),
                compositionSourceKey: "scenario.composition.\(r.compositionSource)",
                composition: ScenarioComposition.categories.map { key, path in
                    Share(labelKey: "forecast.category.\(key)", percent: (r.composition[keyPath: path] + 5) / 10)
                }, grants: r.grants.map { GrantRow(schemeKey: $0.0.labelKey, cells: $0.1) },
                grantTotals: r.grantTotals, years: r.years,
                assumptions: assumptions.map { key, value, label in
                    Assumption(labelKey: label, value: value, reference: a.references[key] ?? "")
                },
                assumed: r.assumedRates.map { tr.text("forecast.assumed", lang, [String($0.0), String($0.1)]) },
                missing: r.missingRates.map { GrantsPanel.missingLabel($0, tr, lang) },
                mayEdit: ctx.may(.update, .planning(municipality: s.municipality)))
        }
        let ids = results.map { $0.loaded.scenario.id!.uuidString }
        return ScenarioComparisonPage(
            title: results.count == 1
                ? results[0].loaded.scenario.name : tr.text("scenario.compare_title", lang),
            ids: ids, query: ids.map { "ids[]=\($0)" }.joined(separator: "&"), columns: columns, years: years,
            arrivals: results.map { row($0, $0.arrivals, count) }, persons: results.map { row($0, $0.persons, count) },
            grants: results.map { row($0, $0.grantTotals, kroner) }, capacity: capacity,
            grantsChart: ChartContext(charts[0]), personsChart: ChartContext(charts[1]),
            advisorsChart: ChartContext(charts[2]))
    }
}

/// `/economy/capacity`: what a municipality has for the persons it settles, one figure per kind.
package struct CapacityPage: Encodable {
    package struct Row: Encodable {
        var key: String
        var labelKey: String
        var value: String
        var recordedOn: String?
    }
    package var municipality: String
    package var municipalityName: String
    package var municipalities: [Choice]
    package var rows: [Row]
    package var note: String
    package var canEdit: Bool
    package var notice: String?
    package var error: String?
    package var errorField: String?
    package var errorAnchor: String?

    package static func load(
        _ ctx: ServiceContext, municipality: String?, lang: String, posted: [String: String]? = nil,
        failure: ValidationFailure? = nil
    ) async throws -> CapacityPage {
        let codes = try await ctx.municipalities(where: .read) { .planning(municipality: $0) }
        let m: Kommunenummer
        if let municipality {
            m = try Validate.municipality(municipality)
        } else {
            guard let first = codes.first else { throw Abort(.forbidden, reason: "access denied") }
            m = first
        }
        let stored = try await CapacityService.all(ctx, m)
        let names = try await ctx.municipalityNames()
        return CapacityPage(
            municipality: m.value, municipalityName: names[m] ?? m.value,
            municipalities: Choice.municipalities(codes, names: names, selected: m.value),
            rows: CapacityKind.allCases.map { k in
                Row(
                    key: k.rawValue, labelKey: "capacity.kind.\(k.rawValue)",
                    value: posted?[k.rawValue] ?? stored[k].map { String($0.amount) } ?? "",
                    recordedOn: stored[k]?.recordedOn.norwegian)
            }, note: posted?["note"] ?? stored.values.compactMap(\.note).first ?? "",
            canEdit: ctx.may(.update, .planning(municipality: m)),
            error: failure?.message(ctx.app.translations, lang), errorField: failure?.field,
            errorAnchor: failure?.field)
    }
}
