import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The municipality's integration plan (issue #14): focus areas, goals, indicators computed live from the files by
/// the features' catalogue (`IndicatorDefinition`) or entered by hand, and measures with their owners and status.
package struct PlanFeature: Feature {
    package init() {}

    package let id = "plan"

    package var migrations: [any Migration] { [CreateIntegrationPlans()] }

    package var vocabulary: [any Labelled.Type] { [PlanStatus.self, MeasureStatus.self] }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: PlanController())
        try routes.api.register(collection: PlanAPIController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        guard try await !req.municipalities(where: .read, { .planning(municipality: $0) }).isEmpty else { return [] }
        return [NavEntry(order: 453, href: "/plans", key: "nav.plans")]
    }

    package func seedDemo(_ demo: DemoContext) async throws { try await PlanDemo.load(demo) }
}
