import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// Arrivals and departures over time (issue #14): per year, the persons settled in the municipalities (the settlement
/// date on the file) and those who moved out (the move-out date). Counted in the database, two grouped queries for
/// the whole span; counts under the disclosure threshold are suppressed as every figure about persons leaders see.
package enum Movements {
    package struct Year: Content, Equatable {
        package var year: Int
        package var arrivals: DisclosureControl.Shown
        package var departures: DisclosureControl.Shown
    }

    /// At most this many years in one view.
    package static let maxYears = 20

    package struct Query: Content {
        package var municipality: String?
        package var from: Int?
        package var to: Int?
    }

    /// The municipalities asked for (all the reader may read aggregates of, or one of them) and the span of years
    /// (the last six by default).
    /// `form`: the page's filter, whose "all municipalities" sends an empty value; the API takes none.
    package static func scope(_ ctx: ServiceContext, _ q: Query, form: Bool = false) async throws -> (
        codes: [Kommunenummer], readable: [Kommunenummer], from: Int, to: Int
    ) {
        let readable = try await ctx.municipalities(where: .read) { .aggregates(municipality: $0) }
        guard !readable.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        var codes = readable
        if let m = q.municipality, !(form && m.isEmpty) {
            let code = try Validate.municipality(m)
            try await ctx.authorize(.read, .aggregates(municipality: code))
            codes = [code]
        }
        let to = try Validate.number(q.to, "to", 2000...2100) ?? ctx.today.year
        let from = try Validate.number(q.from, "from", 2000...2100) ?? (to - 5)
        guard from <= to else { throw ValidationFailure(field: "to", "invalid.period_order") }
        guard to - from < maxYears else {
            throw ValidationFailure(field: "from", "invalid.at_most", String(maxYears))
        }
        return (codes, readable, from, to)
    }

    private struct Count: Decodable {
        var y: String
        var n: Int
    }

    /// The years `from`…`to` in the municipalities, each count suppressed on its own (no totals are shown that
    /// would give a suppressed count away).
    package static func years(_ ctx: ServiceContext, _ codes: [Kommunenummer], from: Int, to: Int) async throws
        -> [Year]
    {
        let sql = ctx.db as! any SQLDatabase
        let (first, last) = ("\(from)-01-01", "\(to)-12-31")
        func grouped(_ column: String) async throws -> [Int: Int] {
            let rows = try await sql.raw(
                """
                SELECT SUBSTR(\(ident: column), 1, 4) AS y, COUNT(*) AS n FROM \(ident: Person.schema)
                WHERE municipality IN (\(binds: codes.map(\.value))) AND \(ident: column) >= \(bind: first)
                AND \(ident: column) <= \(bind: last) GROUP BY SUBSTR(\(ident: column), 1, 4)
                """
            ).all(decoding: Count.self)
            return Dictionary(rows.compactMap { r in Int(r.y).map { ($0, r.n) } }, uniquingKeysWith: +)
        }
        let arrivals = try await grouped("settlement_date")
        let departures = try await grouped("moved_out_on")
        let threshold = ctx.app.disclosure.threshold
        func shown(_ n: Int) -> DisclosureControl.Shown {
            IndicatorFigure.count(n, threshold: threshold).numerator.map { .exact($0) } ?? .suppressed
        }
        return (from...to).map { y in
            Year(year: y, arrivals: shown(arrivals[y] ?? 0), departures: shown(departures[y] ?? 0))
        }
    }
}

/// `/settlement/movements`: the years as a chart and a table, with CSV and XLSX.
struct MovementsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("settlement", "movements", use: page)
        Export.routes(routes, ["settlement"], last: "movements", aggregate: true) { req, format in
            try await Self.export(req, format)
        }
    }

    struct Row: Encodable {
        var year: Int
        var arrivals: String
        var departures: String
    }
    struct Model: Encodable {
        var rows: [Row]
        var chart: ChartContext
        var municipalities: [Choice]
        var municipality: String?
        var from: Int
        var to: Int
        var threshold: Int
        var query: String
    }

    static func load(_ req: Request) async throws -> (Movements.Query, [Movements.Year], [Kommunenummer], Int, Int) {
        let q = try req.query.decode(Movements.Query.self)
        let s = try await Movements.scope(req.context, q, form: true)
        let years = try await Movements.years(req.context, s.codes, from: s.from, to: s.to)
        return (q, years, s.readable, s.from, s.to)
    }

    func page(req: Request) async throws -> View {
        let (q, years, readable, from, to) = try await Self.load(req)
        let names = try await req.municipalityNames()
        let suppressed = req.t("settlement.suppressed")
        func text(_ s: DisclosureControl.Shown) -> String { s.value.map(String.init) ?? suppressed }
        let chart = BarChart(
            id: "movements-chart", title: req.t("movements.chart_title"), groups: years.map { String($0.year) },
            series: [req.t("movements.arrivals"), req.t("movements.departures")],
            values: [years.map { $0.arrivals.value ?? 0 }, years.map { $0.departures.value ?? 0 }],
            text: { String($0) })
        let municipality = q.municipality.flatMap { $0.isEmpty ? nil : $0 }
        var query = "from=\(from)&to=\(to)"
        if let municipality { query += "&municipality=\(municipality)" }
        return try await req.page(
            "Settlement/movements", titleKey: "movements.title",
            Model(
                rows: years.map { Row(year: $0.year, arrivals: text($0.arrivals), departures: text($0.departures)) },
                chart: ChartContext(chart),
                municipalities: readable.count > 1
                    ? Choice.municipalities(readable, names: names, selected: municipality) : [],
                municipality: municipality, from: from, to: to, threshold: req.application.disclosure.threshold,
                query: query))
    }

    static func export(_ req: Request, _ format: Export.Format) async throws -> Response {
        let (_, years, _, from, to) = try await load(req)
        let suppressed = req.t("settlement.suppressed")
        func cell(_ s: DisclosureControl.Shown) -> XLSX.Cell { s.value.map { .number($0) } ?? .text(suppressed) }
        return try Export.response(
            format, name: "tilflytting-fraflytting-\(from)-\(to)", sheet: "Flytting",
            header: ["year", "arrivals", "departures"],
            rows: years.map { [.number($0.year), cell($0.arrivals), cell($0.departures)] })
    }
}

/// `GET /api/v1/settlement/movements`: the same years as the page.
struct MovementsAPIController: RouteCollection {
    struct Body: Content {
        var from: Int
        var to: Int
        var municipalities: [Kommunenummer]
        var years: [Movements.Year]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("settlement", "movements") { req async throws -> Body in
            let s = try await Movements.scope(req.context, try req.query.decode(Movements.Query.self))
            return Body(
                from: s.from, to: s.to, municipalities: s.codes,
                years: try await Movements.years(req.context, s.codes, from: s.from, to: s.to))
        }
    }
}
