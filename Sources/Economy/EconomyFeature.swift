import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The state grants that follow each person (integreringstilskudd and the grants beside it): the rules as a
/// stateless API calculation (`rules/grants`) and, on the person page, what the person has brought and will bring;
/// the ledger against IMDi's payments, the five-year forecast, and the settlement scenarios with the capacities
/// they need.
package struct EconomyFeature: Feature {
    package init() {}

    package let id = "economy"

    package func configure(_ app: Application) throws {
        app.sharedFacts.grantYear = { m, year, db in try await GrantSums.lines(db as! any SQLDatabase, m, year) }
        let file = app.directory.resourcesDirectory + "Parameters/grants.json"
        do {
            app.grantRules = GrantRules(tables: try GrantRateTables.load(from: URL(fileURLWithPath: file)))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/grants.json: \(error)")
        }
        let scenarios = app.directory.resourcesDirectory + "Parameters/scenarios.json"
        do {
            app.scenarioParameters = try ScenarioParameters.load(from: URL(fileURLWithPath: scenarios))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/scenarios.json: \(error)")
        }
    }

    package var migrations: [any Migration] {
        [
            CreateGrantRateTables(), CreateGrantExpectations(), CreateGrantPayments(), CreateDisabilityGrants(),
            CreateSettlementScenarios(), AddAssumedGrantAmounts(),
        ]
    }

    package var derivedTables: [any DerivedTable] { [GrantExpectations(), DisabilityDeadlines()] }

    package var deadlineSources: [any DeadlineSource] { [DisabilityApplicationsDue()] }

    package var vocabulary: [any Labelled.Type] { [GrantScheme.self, DisabilityGrant.self] }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.api.register(collection: GrantsRulesController())
        try routes.api.register(collection: EconomyAPIController())
        try routes.api.register(collection: ForecastAPIController())
        try routes.pages.register(collection: GrantRatesController())
        try routes.pages.register(collection: GrantLedgerController())
        try routes.pages.register(collection: DisabilityController())
        try routes.pages.register(collection: GrantForecastController())
        try routes.pages.register(collection: ScenarioController())
        try routes.api.register(collection: ScenarioAPIController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        var out: [NavEntry] = []
        if try await !req.municipalities(where: .read, { .aggregates(municipality: $0) }).isEmpty {
            out.append(NavEntry(order: 450, href: "/economy/grants", key: "nav.grants"))
            out.append(NavEntry(order: 451, href: "/economy/forecast", key: "nav.forecast"))
        }
        if try await !req.municipalities(where: .read, { .planning(municipality: $0) }).isEmpty {
            out.append(NavEntry(order: 452, href: "/economy/scenarios", key: "nav.scenarios"))
        }
        if req.may(.read, .tenancy) { out.append(NavEntry(order: 716, href: "/economy/rates", key: "nav.grant_rates")) }
        return out
    }

    package var personSections: [any PersonSection] { [GrantsSection()] }

    package func seedDemo(_ demo: DemoContext) async throws { try await EconomyDemo.load(demo) }
}

private struct GrantRulesKey: StorageKey { typealias Value = GrantRules }

extension Application {
    /// The grant rules with the rate tables of `Resources/Parameters/grants.json`.
    package var grantRules: GrantRules {
        get { storage[GrantRulesKey.self]! }
        set { storage[GrantRulesKey.self] = newValue }
    }
}
