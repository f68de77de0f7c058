import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The start page, the leaders' reports (counts without names), and the API's view of the signed-in user.
package struct OverviewFeature: Feature {
    package init() {}

    package let id = "overview"

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: OverviewController())
        try routes.api.register(collection: MetaAPIController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        var out = [NavEntry(order: 0, href: "/", key: "nav.overview")]
        if try await !req.municipalities(where: .read, { .aggregates(municipality: $0) }).isEmpty {
            out.append(NavEntry(order: 600, href: "/reports", key: "nav.reports"))
        }
        return out
    }
}
