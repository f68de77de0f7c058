import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `/economy/forecast`: the grant income forecast of a municipality for up to five years, with its assumptions
/// editable in the page's form; `GET /api/v1/economy/forecast` the same as JSON.
package struct GrantForecastController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("economy", "forecast", use: show)
    }

    package func show(req: Request) async throws -> View {
        let model = try await GrantForecastPage.load(
            req.context, try req.query.decode(ForecastQuery.self), lang: req.language)
        return try await req.page("Economy/forecast", titleKey: "forecast.title", model)
    }
}

package struct ForecastAPIController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("economy", "forecast", use: forecast)
    }

    package struct Forecast: Content {
        package struct Year: Content {
            var year: Int
            /// Nil when suppressed (fewer persons than the disclosure threshold, for a reader of the sums only).
            var existingOre: Int?
            var arrivalsOre: Int
            var totalOre: Int?
            var suppressed: Bool
            var arrivals: Int
            var arrivalsSource: String
        }
        package struct Scheme: Content {
            var scheme: String
            var years: [Year]
        }
        var municipality: String
        var years: [Year]
        var schemes: [Scheme]
        /// Per mille of the arrivals by category, and where the shares come from.
        var composition: [String: Int]
        var compositionSource: String
        var assumptions: [String]
        var missingRates: [String]
    }

    package func forecast(req: Request) async throws -> Forecast {
        let m = try await GrantForecastPage.load(req.context, try req.query.decode(ForecastQuery.self), lang: "en")
        func years(_ cells: [GrantForecastPage.Amount]) -> [Forecast.Year] {
            zip(m.years, zip(cells, m.arrivals)).map { y, pair in
                Forecast.Year(
                    year: y, existingOre: pair.0.existingOre, arrivalsOre: pair.0.arrivalsOre,
                    totalOre: pair.0.totalOre, suppressed: pair.0.suppressed, arrivals: pair.1.persons,
                    arrivalsSource: pair.1.source)
            }
        }
        return Forecast(
            municipality: m.municipality, years: years(m.totals),
            schemes: m.rows.map { r in
                Forecast.Scheme(scheme: String(r.schemeKey.dropFirst("grant.scheme.".count)), years: years(r.cells))
            },
            composition: Dictionary(uniqueKeysWithValues: m.composition.map { ($0.key, $0.percent * 10) }),
            compositionSource: String(m.compositionSourceKey.dropFirst("forecast.composition.".count)),
            assumptions: m.assumed, missingRates: m.missing)
    }
}
