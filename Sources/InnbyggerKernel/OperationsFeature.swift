import Vapor

/// Health checks and metrics, for the operator.
package struct OperationsFeature: Feature {
    package init() {}

    package let id = "operations"

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.root.register(collection: OperationsController())
    }
}
