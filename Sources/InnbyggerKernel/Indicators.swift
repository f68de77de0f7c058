import InnbyggerCore
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
