import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The start page's plan (issue #14: the leader's dashboard): each adopted plan's indicators at a glance, with their
/// status in words beside its colour, and the inclusion team's next meeting.
struct PlanPanel: StartPanel {
    let order = 50

    struct Plan: Encodable {
        var id: String
        var title: String
        var indicators: [PlanPage.Indicator]
    }
    struct Meeting: Encodable {
        var team: String
        var teamID: String
        var date: String?
    }
    struct Model: Encodable {
        var plans: [Plan]
        var meetings: [Meeting]
    }

    func render(_ req: Request) async throws -> String? {
        let ctx = req.context
        let codes = try await req.municipalities(where: .read) { .planning(municipality: $0) }
        guard !codes.isEmpty else { return nil }
        let adopted = try await IntegrationPlan.query(on: req.store).filter(\.$municipality ~~ codes)
            .filter(\.$status == .adopted).sort(\.$municipality).sort(\.$firstYear, .descending).all()
        var plans: [Plan] = []
        var shown: Set<Kommunenummer> = []
        // The newest adopted plan of each municipality: the first of it in this order.
        for p in adopted where shown.insert(p.municipality).inserted {
            let plan = try await PlanService.find(ctx, p.id)
            plans.append(
                Plan(
                    id: p.id!.uuidString, title: p.title,
                    indicators: try await PlanService.indicators(ctx, plan).map { PlanPage.indicator($0, req) }))
        }
        let teams = try await InclusionTeam.query(on: req.store).filter(\.$municipality ~~ codes).with(\.$meetings)
            .sort(\.$name).all()
        let today = ctx.today
        let meetings = teams.map { t in
            Meeting(
                team: t.name, teamID: t.id!.uuidString,
                date: t.meetings.filter { $0.date >= today }.map(\.date).min()?.iso)
        }
        guard !plans.isEmpty || !meetings.isEmpty else { return nil }
        return try await req.section("Plan/panel", Model(plans: plans, meetings: meetings))
    }
}
