import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The filter and the assumptions of a forecast: the municipality, how many years, the arrivals of each coming
/// year (the council's decision when none is given), and the composition in per cent (the municipality's last three
/// years when none is given).
package struct ForecastQuery: Content, Sendable {
    package var municipality: String?
    package var years: Int?
    package var arrivals: [String: Int]?
    package var composition: [String: Int]?
}

/// The five-year grant forecast of a municipality: per scheme and year, what the persons in the files bring and
/// what the coming arrivals would, with the assumptions behind it said.
package struct GrantForecastPage: Encodable {
    package struct Row: Encodable {
        var schemeKey: String
        var cells: [Amount]
    }
    package struct Amount: Encodable {
        var existingOre: Int
        var arrivalsOre: Int
        var totalOre: Int
    }
    package struct Arrival: Encodable {
        var year: Int
        var persons: Int
        /// "decision", "request", "entered" or "none".
        var source: String
        var sourceKey: String
    }
    package struct Share: Encodable {
        var key: String
        var labelKey: String
        var percent: Int
    }

    package var municipality: String
    package var municipalityName: String
    package var years: [Int]
    package var yearChoices: [Choice]
    package var municipalities: [Choice]
    package var rows: [Row]
    package var totals: [Amount]
    package var arrivals: [Arrival]
    package var composition: [Share]
    /// Where the composition comes from: "municipality", "service", "entered" or "fallback".
    package var compositionSourceKey: String
    package var assumed: [String]
    package var missing: [String]
    package var query: String

    nonisolated(unsafe) static let categories: [(String, WritableKeyPath<ArrivalComposition, Int>)] = [
        ("singleAdults", \.singleAdults), ("adultsInFamilies", \.adultsInFamilies), ("elderly", \.elderly),
        ("childrenUnder6", \.childrenUnder6), ("children6to17", \.children6to17),
        ("unaccompaniedMinors", \.unaccompaniedMinors),
    ]

    package static func load(_ ctx: ServiceContext, _ q: ForecastQuery, lang: String) async throws
        -> GrantForecastPage
    {
        let (m, codes) = try await EconomyScope.municipality(ctx, q.municipality)
        let count = q.years ?? 5
        guard (1...5).contains(count) else { throw ValidationFailure(field: "years", "invalid.range", "1", "5") }
        let first = ctx.today.year
        let years = first...(first + count - 1)
        let tr = ctx.app.translations

        // The persons who can still bring something in the window: settled within the last 15 years (an
        // unaccompanied minor's special grant runs to the year they turn 20).
        let persons = try await Person.query(on: ctx.db).filter(\.$municipality.$id == m)
            .filter(\.$settlementDate >= LocalDate(year: first - 15, month: 1, day: 1)!).all()
        let members = try await GrantFacts.members(of: Set(persons.compactMap { $0.$household.id }), on: ctx.db)
        var existing: [GrantPerson] = []
        for p in persons {
            let others = p.$household.id.map { h in (members[h] ?? []).filter { $0.id != p.id } } ?? []
            if case .success(let gp) = GrantFacts.person(p, others: others) { existing.append(gp) }
        }

        // The arrivals: as entered, else the council's decision (or IMDi's request) for the year.
        let plans = try await ctx.app.sharedFacts.settlementPlans(m, ctx.db)
        var arrivals: [Arrival] = []
        for y in years {
            if let entered = q.arrivals?[String(y)] {
                guard (0...100_000).contains(entered) else {
                    throw ValidationFailure(field: "arrivals[\(y)]", "invalid.range", "0", "100000")
                }
                arrivals.append(
                    Arrival(year: y, persons: entered, source: "entered", sourceKey: "forecast.source.entered"))
            } else if let plan = plans[y] {
                let source = plan.decided ? "decision" : "request"
                arrivals.append(
                    Arrival(year: y, persons: plan.persons, source: source, sourceKey: "forecast.source.\(source)"))
            } else {
                arrivals.append(Arrival(year: y, persons: 0, source: "none", sourceKey: "forecast.source.none"))
            }
        }

        // The composition: as entered, else the municipality's last three years, else the whole service's.
        var composition = ArrivalComposition(
            singleAdults: 0, adultsInFamilies: 0, elderly: 0, childrenUnder6: 0, children6to17: 0,
            unaccompaniedMinors: 0)
        var source = "entered"
        if let entered = q.composition, !entered.isEmpty {
            for (key, path) in categories {
                let percent = entered[key] ?? 0
                guard (0...100).contains(percent) else {
                    throw ValidationFailure(field: "composition[\(key)]", "invalid.range", "0", "100")
                }
                composition[keyPath: path] = percent * 10
            }
            guard composition.total > 0 else {
                throw ValidationFailure(field: "composition[adultsInFamilies]", "forecast.invalid.composition")
            }
        } else {
            let threshold = ctx.app.disclosure.threshold
            let local = try await Self.observed(ctx, in: [m], before: first)
            if local.total >= threshold {
                composition = ArrivalComposition.observed(local)
                source = "municipality"
            } else {
                let all = try await Self.observed(ctx, in: nil, before: first)
                if all.total >= threshold {
                    composition = ArrivalComposition.observed(all)
                    source = "service"
                } else {
                    composition.adultsInFamilies = 1000
                    source = "fallback"
                }
            }
        }

        let rules = try await GrantRateStore.rules(ctx.app, on: ctx.db)
        let forecast = GrantForecast(rules: rules, through: years.upperBound)
        var missing: Set<String> = []
        let cells = forecast.forecast(
            years: years, existing: existing,
            arrivals: Dictionary(uniqueKeysWithValues: arrivals.map { ($0.year, $0.persons) }),
            composition: composition, missing: &missing)
        var rows: [Row] = []
        for s in GrantScheme.allCases {
            let mine = cells.filter { $0.scheme == s }
            guard !mine.isEmpty else { continue }
            rows.append(
                Row(
                    schemeKey: s.labelKey,
                    cells: years.map { y in
                        let c = mine.first { $0.year == y }
                        return Amount(
                            existingOre: c?.existingOre ?? 0, arrivalsOre: c?.arrivalsOre ?? 0,
                            totalOre: c?.totalOre ?? 0)
                    }))
        }
        let totals = years.map { y in
            let inYear = cells.filter { $0.year == y }
            let e = inYear.reduce(0) { $0 + $1.existingOre }
            let a = inYear.reduce(0) { $0 + $1.arrivalsOre }
            return Amount(existingOre: e, arrivalsOre: a, totalOre: e + a)
        }
        let names = try await ctx.municipalityNames()
        var query = "?municipality=\(m.value)&years=\(count)"
        for a in arrivals where a.source == "entered" { query += "&arrivals[\(a.year)]=\(a.persons)" }
        if source == "entered" {
            for (key, path) in categories { query += "&composition[\(key)]=\(composition[keyPath: path] / 10)" }
        }
        return GrantForecastPage(
            municipality: m.value, municipalityName: names[m] ?? m.value, years: Array(years),
            yearChoices: (1...5).map { Choice(value: String($0), label: String($0), selected: $0 == count) },
            municipalities: Choice.municipalities(codes, names: names, selected: m), rows: rows, totals: totals,
            arrivals: arrivals,
            composition: categories.map { key, path in
                Share(key: key, labelKey: "forecast.category.\(key)", percent: (composition[keyPath: path] + 5) / 10)
            }, compositionSourceKey: "forecast.composition.\(source)",
            assumed: forecast.assumedRates.filter { years.contains($0.key) }.sorted { $0.key < $1.key }.map {
                tr.text("forecast.assumed", lang, [String($0.key), String($0.value)])
            }, missing: missing.sorted().map { GrantsPanel.missingLabel($0, tr, lang) }, query: query)
    }

    /// The categories of the persons settled in the three years before `year` (in `municipalities`, or the whole
    /// service), by the grant rules' year-1 view of each.
    static func observed(_ ctx: ServiceContext, in municipalities: [Kommunenummer]?, before year: Int) async throws
        -> ArrivalComposition
    {
        var query = Person.query(on: ctx.db)
            .filter(\.$settlementDate >= LocalDate(year: year - 3, month: 1, day: 1)!)
            .filter(\.$settlementDate < LocalDate(year: year, month: 1, day: 1)!)
        if let municipalities { query = query.filter(\.$municipality.$id ~~ municipalities) }
        let persons = try await query.all()
        let members = try await GrantFacts.members(of: Set(persons.compactMap { $0.$household.id }), on: ctx.db)
        var counts = ArrivalComposition(
            singleAdults: 0, adultsInFamilies: 0, elderly: 0, childrenUnder6: 0, children6to17: 0,
            unaccompaniedMinors: 0)
        for p in persons {
            let others = p.$household.id.map { h in (members[h] ?? []).filter { $0.id != p.id } } ?? []
            guard case .success(let gp) = GrantFacts.person(p, others: others) else { continue }
            let age = gp.birthDate.age(on: gp.settlementDate)
            switch GrantRules.yearOneCategory(gp) {
            case .unaccompaniedMinor: counts.unaccompaniedMinors += 1
            case .singleAdult: if age >= 60 { counts.elderly += 1 } else { counts.singleAdults += 1 }
            case .adult: if age >= 60 { counts.elderly += 1 } else { counts.adultsInFamilies += 1 }
            default: if age <= 5 { counts.childrenUnder6 += 1 } else { counts.children6to17 += 1 }
            }
        }
        return counts
    }
}
