import Vapor

/// Health checks and metrics, for the operator.
struct OperationsFeature: Feature {
    let id = "operations"

    func routes(_ routes: FeatureRoutes) throws {
        try routes.root.register(collection: OperationsController())
    }
}
