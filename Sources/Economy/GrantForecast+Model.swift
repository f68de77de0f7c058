import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
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
    /// A cell: what the files bring (nil when fewer persons than the disclosure threshold bring it and the reader
    /// sees sums only), what the arrivals would, and the two together.
    package struct Amount: Encodable {
        var existingOre: Int?
        var arrivalsOre: Int
        var totalOre: Int?
        var suppressed: Bool
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
    /// Some cell is hidden for fewer persons than `threshold`.
    package var anySuppressed: Bool
    package var threshold: Int

    package static func load(_ ctx: ServiceContext, _ q: ForecastQuery, lang: String) async throws
        -> GrantForecastPage
    {
        let (m, codes) = try await EconomyScope.municipality(ctx, q.municipality)
        let count = q.years ?? 5
        guard (1...5).contains(count) else { throw ValidationFailure(field: "years", "invalid.range", "1", "5") }
        let first = ctx.today.year
        let years = first...(first + count - 1)
        let tr = ctx.app.translations

        // What the files bring: the derived rows' sums per year and scheme, in SQL (issue #12), each missing rate
        // priced with the latest earlier rates where one is known.
        try await ctx.app.deadlineIndex.ensureCurrent(ctx.app)
        let (existing, unpriced, bringers) = try await Self.existing(ctx, m, years)
        // For readers of the sums only, a scheme and year that fewer persons than the threshold bring is hidden, and
        // so is that year's total (else the hidden cell could be had by subtraction).
        let threshold = ctx.app.disclosure.threshold
        let namesShown = ctx.may(.list, .grantLedger(municipality: m))
        let hidden = Set(bringers.filter { !namesShown && $0.value > 0 && $0.value < threshold }.keys)

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
        let (composition, source): (ArrivalComposition, String)
        if let entered = try ScenarioComposition.parse(q.composition, refusingUnknown: false) {
            (composition, source) = (entered, "entered")
        } else {
            (composition, source) = try await ScenarioComposition.observedDefault(ctx, in: [m], before: first)
        }

        let rules = try await GrantRateStore.rules(ctx.app, on: ctx.db)
        let forecast = GrantForecast(rules: rules, through: years.upperBound)
        var missing: Set<String> = []
        missing.formUnion(unpriced)
        var cells = forecast.forecast(
            years: years, existing: [],
            arrivals: Dictionary(uniqueKeysWithValues: arrivals.map { ($0.year, $0.persons) }),
            composition: composition, missing: &missing)
        for (key, ore) in existing {
            if let i = cells.firstIndex(where: { $0.scheme == key.scheme && $0.year == key.year }) {
                cells[i].existingOre = ore
            } else {
                cells.append(.init(scheme: key.scheme, year: key.year, existingOre: ore, arrivalsOre: 0))
            }
        }
        var rows: [Row] = []
        for s in GrantScheme.allCases {
            let mine = cells.filter { $0.scheme == s }
            guard !mine.isEmpty else { continue }
            rows.append(
                Row(
                    schemeKey: s.labelKey,
                    cells: years.map { y in
                        let c = mine.first { $0.year == y }
                        let suppressed = hidden.contains(SchemeYear(scheme: s, year: y))
                        return Amount(
                            existingOre: suppressed ? nil : c?.existingOre ?? 0, arrivalsOre: c?.arrivalsOre ?? 0,
                            totalOre: suppressed ? nil : c?.totalOre ?? 0, suppressed: suppressed)
                    }))
        }
        let totals = years.map { y in
            let inYear = cells.filter { $0.year == y }
            let e = inYear.reduce(0) { $0 + $1.existingOre }
            let a = inYear.reduce(0) { $0 + $1.arrivalsOre }
            let suppressed = hidden.contains { $0.year == y }
            return Amount(
                existingOre: suppressed ? nil : e, arrivalsOre: a, totalOre: suppressed ? nil : e + a,
                suppressed: suppressed)
        }
        let names = try await ctx.municipalityNames()
        var query = "?municipality=\(m.value)&years=\(count)"
        for a in arrivals where a.source == "entered" { query += "&arrivals[\(a.year)]=\(a.persons)" }
        if source == "entered" {
            for (key, path) in ScenarioComposition.categories {
                query += "&composition[\(key)]=\(composition[keyPath: path] / 10)"
            }
        }
        return GrantForecastPage(
            municipality: m.value, municipalityName: names[m] ?? m.value, years: Array(years),
            yearChoices: (1...5).map { Choice(value: String($0), label: String($0), selected: $0 == count) },
            municipalities: Choice.municipalities(codes, names: names, selected: m), rows: rows, totals: totals,
            arrivals: arrivals,
            composition: ScenarioComposition.categories.map { key, path in
                Share(key: key, labelKey: "forecast.category.\(key)", percent: (composition[keyPath: path] + 5) / 10)
            }, compositionSourceKey: "forecast.composition.\(source)",
            assumed: forecast.assumedRates.filter { years.contains($0.key) }.sorted { $0.key < $1.key }.map {
                tr.text("forecast.assumed", lang, [String($0.key), String($0.value)])
            }, missing: missing.sorted().map { GrantsPanel.missingLabel($0, tr, lang) }, query: query,
            anySuppressed: !hidden.isEmpty, threshold: threshold)
    }

    struct SchemeYear: Hashable {
        var scheme: GrantScheme
        var year: Int
    }

    /// The settled persons' grants per scheme and year of `years` from `grant_expectations` (the Norwegian training
    /// grant left out, as for the arrivals), and the rates neither the year's table nor an earlier one has.
    static func existing(_ ctx: ServiceContext, _ m: Kommunenummer, _ years: ClosedRange<Int>) async throws
        -> (amounts: [SchemeYear: Int], unpriced: Set<String>, persons: [SchemeYear: Int])
    {
        struct Sum: Decodable {
            var year: Int
            var scheme: String
            var ore: Int?
            var persons: Int
        }
        struct Missing: Decodable { var missing_key: String }
        let sql = ctx.db as! any SQLDatabase
        let t = GrantExpectation.schema
        let norwegian = GrantScheme.norwegian.rawValue
        let sums = try await sql.raw(
            """
            SELECT year, scheme, CAST(SUM(COALESCE(amount_ore, assumed_ore, 0)) AS BIGINT) AS ore,
            CAST(COUNT(DISTINCT person_id) AS BIGINT) AS persons
            FROM \(ident: t) WHERE municipality = \(bind: m.value)
            AND year >= \(bind: years.lowerBound) AND year <= \(bind: years.upperBound) AND scheme <> \(bind: norwegian)
            GROUP BY year, scheme
            """
        ).all(decoding: Sum.self)
        let missing = try await sql.raw(
            """
            SELECT DISTINCT missing_key FROM \(ident: t) WHERE municipality = \(bind: m.value)
            AND year >= \(bind: years.lowerBound) AND year <= \(bind: years.upperBound) AND scheme <> \(bind: norwegian)
            AND missing_key IS NOT NULL AND assumed_ore IS NULL
            """
        ).all(decoding: Missing.self)
        var out: [SchemeYear: Int] = [:]
        var persons: [SchemeYear: Int] = [:]
        for r in sums {
            guard let s = GrantScheme(rawValue: r.scheme) else { continue }
            persons[SchemeYear(scheme: s, year: r.year)] = r.persons
            guard let ore = r.ore, ore != 0 else { continue }
            out[SchemeYear(scheme: s, year: r.year)] = ore
        }
        return (out, Set(missing.map(\.missing_key)), persons)
    }

    /// The categories of the persons settled in the three years before `year` (in `municipalities`, or the whole
    /// service), by the grant rules' year-1 view of each, counted in SQL from the year-1 rows of
    /// `grant_expectations`: the integration grant's category, and the elderly or kindergarten grant beside it for
    /// those 60 or more and 0–5 (a row whose rate is missing carries its category in the missing key).
    static func observed(_ ctx: ServiceContext, in municipalities: [Kommunenummer]?, before year: Int) async throws
        -> ArrivalComposition
    {
        try await ctx.app.deadlineIndex.ensureCurrent(ctx.app)
        struct Row: Decodable {
            var category: String
            var n: Int
            var flagged: Int
        }
        let sql = ctx.db as! any SQLDatabase
        let t = GrantExpectation.schema
        let categories = ["single_adult", "adult", "child", "unaccompanied_minor"]
        let missingKeys = categories.map { "integration." + $0 }
        let scope: SQLQueryString =
            municipalities.map { codes in
                "AND i.municipality IN (\(binds: codes.map(\.value)))"
            } ?? ""
        let rows = try await sql.raw(
            """
            SELECT CASE WHEN i.missing_key IS NULL THEN i.category ELSE SUBSTR(i.category, 13) END AS category,
            CAST(COUNT(*) AS BIGINT) AS n,
            CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM \(ident: t) e WHERE e.person_id = i.person_id
              AND e.year = i.year AND e.scheme IN ('elderly', 'kindergarten')) THEN 1 ELSE 0 END) AS BIGINT) AS flagged
            FROM \(ident: t) i
            WHERE i.scheme = 'integration' AND i.year >= \(bind: year - 3) AND i.year < \(bind: year) \(scope)
            AND (i.category IN (\(binds: categories)) OR i.missing_key IN (\(binds: missingKeys)))
            GROUP BY CASE WHEN i.missing_key IS NULL THEN i.category ELSE SUBSTR(i.category, 13) END
            """
        ).all(decoding: Row.self)
        var counts = ScenarioComposition.zero
        for r in rows {
            switch r.category {
            case "single_adult":
                counts.singleAdults += r.n - r.flagged
                counts.elderly += r.flagged
            case "adult":
                counts.adultsInFamilies += r.n - r.flagged
                counts.elderly += r.flagged
            case "child":
                counts.childrenUnder6 += r.flagged
                counts.children6to17 += r.n - r.flagged
            case "unaccompanied_minor":
                counts.unaccompaniedMinors += r.n
            default:
                break
            }
        }
        return counts
    }
}
