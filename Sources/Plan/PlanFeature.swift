import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The municipality's integration plan (issue #14): focus areas, goals, indicators computed live from the files by
/// the features' catalogue (`IndicatorDefinition`) or entered by hand, and measures with their owners and status.
package struct PlanFeature: Feature {
    package init() {}

    package let id = "plan"

    package var migrations: [any Migration] {
        [CreateIntegrationPlans(), CreateInclusionTeams(), AddPlanRevision(), AddMeasureSector()]
    }

    package var startPanels: [any StartPanel] { [PlanPanel()] }

    package var vocabulary: [any Labelled.Type] { [PlanStatus.self, MeasureStatus.self, MeasureReview.self] }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: PlanController())
        try routes.pages.register(collection: TeamController())
        try routes.pages.register(collection: PlanMeasuresController())
        try routes.api.register(collection: PlanAPIController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        var out: [NavEntry] = []
        let planning = try await !req.municipalities(where: .read, { .planning(municipality: $0) }).isEmpty
        if planning { out.append(NavEntry(order: 453, href: "/plans", key: "nav.plans")) }
        // The team's pages also for a partner who is a member: asked of the database only for those without the
        // planning figures, since the navigation is built on every page.
        var member = planning
        if !planning, let u = req.currentUser {
            member = try await TeamMember.query(on: req.store).filter(\.$userID == u.id).first() != nil
        }
        if member { out.append(NavEntry(order: 454, href: "/teams", key: "nav.teams")) }
        // A partner's own measures: known from the grants alone, no query.
        if !planning, req.currentUser?.principal.grants.contains(where: { $0.role.partnerSector != nil }) == true {
            out.append(NavEntry(order: 455, href: "/plans/measures", key: "nav.own_measures"))
        }
        return out
    }

    package func seedDemo(_ demo: DemoContext) async throws { try await PlanDemo.load(demo) }
}
