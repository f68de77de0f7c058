import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The rules engine: rights, duties and deadlines under integreringsloven, shown on the person page and offered as
/// stateless API calculations (`rules/evaluate`, `rules/introduction-benefit`).
package struct RulesFeature: Feature {
    package init() {}

    package let id = "rules"

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.api.register(collection: RulesController())
        try routes.api.register(collection: BenefitController())
    }

    package var personSections: [any PersonSection] { [RightsSection(), DeadlinesSection()] }

    package var indicators: [any IndicatorDefinition] { DeadlineInTime.all }
}
