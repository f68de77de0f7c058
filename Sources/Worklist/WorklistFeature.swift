import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// "Mine frister": the open deadlines of the persons a user follows, and the dates they were met.
package struct WorklistFeature: Feature {
    package init() {}

    package let id = "worklist"

    package var startPanels: [any StartPanel] { [OverduePanel()] }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: WorklistController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        guard try await !req.municipalities(where: .list, { .personalDataList(municipality: $0) }).isEmpty else {
            return []
        }
        return [NavEntry(order: 200, href: "/worklist", key: "nav.worklist")]
    }

    /// Overdue legal deadlines by kind: for the persons the user follows and for all the user may see.
    package func workItems(_ req: Request) async throws -> [WorkItem] {
        guard try await !req.municipalities(where: .list, { .personalDataList(municipality: $0) }).isEmpty else {
            return []
        }
        let user = try req.requireUser()
        let ctx = req.context
        let scope = try await WorklistController.scope(ctx, .init())
        return try await WorklistController.overdueByKind(ctx, scope, follower: user.id).map { kind, all, mine in
            WorkItem(
                order: 100, label: req.text("home.overdue", [req.text(kind.labelKey)]), mine: mine, all: all,
                href: "/worklist?kind=\(kind.rawValue)", hrefMine: "/worklist?kind=\(kind.rawValue)&who=mine",
                urgent: true)
        }
    }

    /// TB screening met on time by the adults the demo follows (those already past), recorded on their files by the
    /// health service. Their mapping is the programme's record (see the programme's demo).
    package func seedDemo(_ demo: DemoContext) async throws {
        for (p, arrival) in DemoData.followed(demo) {
            let e = DeadlineEvent()
            e.$person.id = p.id!
            e.kind = .tbScreening
            e.date = arrival.adding(days: 10)
            e.sector = DeadlineKind.tbScreening.sector
            if e.date <= .today { try await e.create(on: demo.db) }
        }
    }
}
