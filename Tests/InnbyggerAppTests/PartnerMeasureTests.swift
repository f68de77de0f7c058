import Fluent
import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Plan

/// Issue #14: partners see only their own measures of the plan (owned by their sector, in their municipality) and
/// report their status; they read nothing else of the plan.
@Suite("A partner's own plan measures")
struct PartnerMeasureTests {
    static func measure(_ app: Application, _ title: String) async throws -> PlanMeasure {
        try #require(try await PlanMeasure.query(on: app.db).filter(\.$title == title).first())
    }

    @Test("Each partner lists its sector's measures only, and reports their status; others are refused")
    func ownMeasures() async throws {
        try await withDemoApp { app in
            let nav = try await Self.measure(app, "Egen modell for arbeidspraksis med lokale bedrifter")
            let health = try await Self.measure(app, "Helsesjekk ved bosetting i samarbeid med helsestasjonen")
            let adult = try await Self.measure(app, "Yrkesrettede kompetansekurs (FIA)")
            #expect(nav.ownerSector == .nav && health.ownerSector == .health && adult.ownerSector == .adultEducation)

            let n = Browser(app)
            try await n.login("nav.elverum")
            let page = try await n.send(.GET, "/plans/measures")
            #expect(page.status == .ok)
            #expect(page.body.string.contains(nav.title))
            #expect(!page.body.string.contains(health.title))
            #expect(!page.body.string.contains(adult.title))
            // Every measure listed is NAV's in Elverum: counted in the database against the page's total.
            let own = try await PlanMeasure.query(on: app.db).filter(\.$ownerSector == .nav).with(\.$goal) {
                $0.with(\.$area) { $0.with(\.$plan) }
            }.all().filter {
                $0.goal.area.plan.municipality == "3420" && [.draft, .adopted].contains($0.goal.area.plan.status)
            }
            #expect(own.count > 0)
            for m in own { #expect(page.body.string.contains(m.title)) }
            // The plan itself, its indicators and its API are not the partner's.
            let plan = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$municipality == "3420").first())
            #expect(try await n.send(.GET, "/plans/\(plan.id!)").status == .forbidden)
            #expect(try await n.send(.GET, "/plans").status == .forbidden)
            let bearer = try await token(app, for: "nav.elverum")
            #expect(
                try await api(app, .GET, "/api/v1/plans/\(plan.id!)/indicators", token: bearer).status == .forbidden)

            // Reporting the status of its own measure: stored with the day, and audited.
            let csrf = try await n.csrf()
            let saved = try await n.send(
                .POST, "/plans/measures/\(nav.id!)/status",
                form: ["_csrf": csrf, "measureStatus": "done", "statusNote": "Avtale med fem bedrifter"])
            #expect(saved.status == .seeOther)
            let after = try await Self.measure(app, nav.title)
            #expect(after.status == .done && after.statusNote == "Avtale med fem bedrifter")
            #expect(after.statusDate == LocalDate.today)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "update_status")
                    .filter(\.$recordID == nav.id!.uuidString).count() == 1)
            // A bad status comes back on the page with the message, and nothing changes.
            let bad = try await n.send(
                .POST, "/plans/measures/\(nav.id!)/status", form: ["_csrf": csrf, "measureStatus": "finished"])
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("role=\"alert\""))
            #expect(try await Self.measure(app, nav.title).status == .done)
            // Another sector's measure: refused, unchanged.
            let other = try await n.send(
                .POST, "/plans/measures/\(health.id!)/status", form: ["_csrf": csrf, "measureStatus": "stopped"])
            #expect(other.status == .forbidden)
            #expect(try await Self.measure(app, health.title).status == health.status)

            // The health partner sees its own; a leader and a case worker use the plan itself, not this page.
            let h = Browser(app)
            try await h.login("helse.elverum")
            let hp = try await h.send(.GET, "/plans/measures")
            #expect(hp.body.string.contains(health.title) && !hp.body.string.contains(nav.title))
            for user in ["leder.elverum", "saksbehandler.elverum"] {
                let b = Browser(app)
                try await b.login(user)
                #expect(try await b.send(.GET, "/plans/measures").status == .forbidden, "\(user)")
            }
            // Adult education in Tynset owns Elverum's course only in Elverum: not its municipality, not listed.
            let t = Browser(app)
            try await t.login("voksenopplaering.tynset")
            let tp = try await t.send(.GET, "/plans/measures")
            #expect(!tp.body.string.contains(adult.title))
            let foreign = try await t.send(
                .POST, "/plans/measures/\(adult.id!)/status",
                form: ["_csrf": try await t.csrf(), "measureStatus": "stopped"])
            #expect(foreign.status == .forbidden)
        }
    }
}
