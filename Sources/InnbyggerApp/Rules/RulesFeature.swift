import Vapor

/// The rules engine: rights, duties and deadlines under integreringsloven, shown on the person page and offered as
/// stateless API calculations (`rules/evaluate`, `rules/introduction-benefit`).
struct RulesFeature: Feature {
    let id = "rules"

    func configure(_ app: Application) throws {
        do {
            app.rulesEngine = RulesEngine(parameters: try RuleParameters.load(
                from: URL(fileURLWithPath: app.directory.resourcesDirectory + "Parameters/rules.json")))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/rules.json: \(error)")
        }
    }

    func routes(_ routes: FeatureRoutes) throws {
        try routes.api.register(collection: RulesController())
        try routes.api.register(collection: BenefitController())
    }

    var personSections: [any PersonSection] { [RightsSection()] }
}
