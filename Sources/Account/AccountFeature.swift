import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Logging in and out, the language switch, and the signed-in user's own account (password, API tokens).
package struct AccountFeature: Feature {
    package init() {}

    package let id = "account"

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.open.register(collection: AuthController())
        routes.open.get("lang", ":lang", use: AuthController.setLanguage)
        routes.pages.post("logout", use: AuthController.logout)
        try routes.pages.register(collection: AccountController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        [NavEntry(order: 900, href: "/account", key: "nav.account")]
    }

    package var commands: [(name: String, command: any AsyncCommand)] { [("token", TokenCommand())] }
}
