import InnbyggerCore
import SQLKit
import Vapor

/// One computed indicator of the plan's catalogue (issue #14), contributed by the feature that owns its data: what it
/// counts, in words and with its source, and the counting itself as aggregate queries over the feature's tables
/// (never rows loaded and counted in Swift). Its figure is suppressed for small numbers by `IndicatorFigure`.
package protocol IndicatorDefinition: Sendable {
    /// Stable key, used by plans and the API ("work_or_education_1y").
    var key: String { get }
    var unit: IndicatorUnit { get }
    var direction: IndicatorDirection { get }
    /// The definition's legal or statistical source, shown under its words (`indicator.<key>.definition`).
    var source: String { get }
    /// The figure for the municipalities over the period.
    func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
}

extension IndicatorDefinition {
    /// Translation key of the indicator's name.
    package var nameKey: String { "indicator.\(key)" }
    /// Translation key of its definition in words.
    package var definitionKey: String { "indicator.\(key).definition" }
}

extension Application {
    /// Every feature's computed indicators, by key.
    package var indicatorCatalogue: [String: any IndicatorDefinition] {
        Dictionary(features.flatMap(\.indicators).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

/// The counting most share indicators do: over the rows of `table` in the municipalities that `condition` keeps (the
/// period's, the decided ones), the rows `numerator` picks against all of them, in one aggregate query.
package enum IndicatorShare {
    private struct Counts: Decodable {
        var n: Int?
        var d: Int
    }

    package static func count(
        _ ctx: ServiceContext, _ table: String, _ codes: [Kommunenummer], numerator: SQLQueryString,
        where condition: SQLQueryString, threshold: Int
    ) async throws -> IndicatorFigure {
        let c = try await (ctx.db as! any SQLDatabase).raw(
            "SELECT SUM(CASE WHEN " + numerator + " THEN 1 ELSE 0 END) AS n, COUNT(*) AS d FROM \(ident: table)"
                + " WHERE municipality IN (\(binds: codes.map(\.value))) AND " + condition
        ).first(decoding: Counts.self)
        return .share(c?.n ?? 0, of: c?.d ?? 0, threshold: threshold)
    }
}
