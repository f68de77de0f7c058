import Fluent
import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Plan

/// Issue #14: a plan revised into a new period, every measure marked continued or completed.
@Suite("Revising a plan")
struct RevisionTests {
    @Test("The administrator revises Elverum's plan: areas, goals and indicators carry over, measures as marked")
    func revise() async throws {
        try await withDemoApp { app in
            let old = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$municipality == "3420").first())
            let oldPlan = try await PlanService.find(
                try await ServiceContextTests.context(app, "admin.elverum", route: "test"), old.id)
            let measures = PlanRevision.measures(oldPlan)
            #expect(measures.count >= 3)
            let b = Browser(app)
            try await b.login("admin.elverum")
            let path = "/plans/\(old.id!.uuidString)/revise"
            #expect(try await b.send(.GET, path).status == .ok)
            let csrf = try await b.csrf()
            // A measure left unmarked is refused, naming it, and nothing is stored.
            var form = ["_csrf": csrf, "title": "Integreringsplan 2020–2024", "firstYear": "2020", "lastYear": "2024"]
            for m in measures.dropFirst() { form["measure-\(m.id!.uuidString)"] = "continued" }
            let refused = try await b.send(.POST, path, form: form)
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains("id=\"e-measure-\(measures[0].id!.uuidString)\""))
            #expect(try await IntegrationPlan.query(on: app.db).filter(\.$municipality == "3420").count() == 1)
            form["measure-\(measures[0].id!.uuidString)"] = "completed"
            let done = try await b.send(.POST, path, form: form)
            #expect(done.status == .seeOther)
            let next = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$previousPlanID == old.id!).first())
            let ctx = try await ServiceContextTests.context(app, "admin.elverum", route: "test")
            let revised = try await PlanService.find(ctx, next.id)
            #expect(revised.status == .draft && revised.firstYear == 2020)
            #expect(revised.areas.count == oldPlan.areas.count)
            #expect(revised.areas.flatMap(\.goals).count == oldPlan.areas.flatMap(\.goals).count)
            let oldIndicators = oldPlan.areas.flatMap(\.goals).flatMap(\.indicators)
            let newIndicators = revised.areas.flatMap(\.goals).flatMap(\.indicators)
            #expect(Set(newIndicators.map(\.name)) == Set(oldIndicators.map(\.name)))
            // Entered values carry over with the indicator: its history.
            #expect(newIndicators.flatMap(\.values).count == oldIndicators.flatMap(\.values).count)
            // The completed measure stays behind, done; the others are carried over as continued.
            let carried = PlanRevision.measures(revised)
            #expect(carried.count == measures.count - 1)
            #expect(carried.allSatisfy { $0.review == .continued })
            #expect(try await b.send(.GET, "/plans/\(next.id!.uuidString)").body.string.contains("(Videreført)"))
            #expect(
                !carried.contains { $0.title == measures[0].title }
                    || measures.filter { $0.title == measures[0].title }.count > 1)
            let before = try await PlanService.find(ctx, old.id)
            #expect(before.status == .revised)
            #expect(PlanRevision.measures(before).first { $0.id == measures[0].id }?.status == .done)
            #expect(PlanRevision.measures(before).first { $0.id == measures[0].id }?.review == .completed)
            // The old plan is not revised twice; a measure added to the new one is new.
            #expect(try await b.send(.POST, path, form: form).status == .badRequest)
            let goal = try #require(revised.areas.flatMap(\.goals).first)
            let added = try await b.send(
                .POST, "/plans/\(next.id!.uuidString)/measures",
                form: ["_csrf": csrf, "measureGoalId": goal.id!.uuidString, "measureTitle": "Nytt tiltak 2020"])
            #expect(added.status == .seeOther)
            #expect(
                try await PlanMeasure.query(on: app.db).filter(\.$title == "Nytt tiltak 2020").first()?.review == .new)
            // The programme advisor may not revise.
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            #expect(try await advisor.send(.GET, "/plans/\(next.id!.uuidString)/revise").status == .forbidden)
        }
    }
}
