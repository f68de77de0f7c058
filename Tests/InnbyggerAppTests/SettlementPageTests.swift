import Fluent
import Testing
import VaporTesting

@testable import Account
@testable import Admin
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Journal
@testable import Norwegian
@testable import Overview
@testable import Persons
@testable import Programme
@testable import Rules
@testable import Settlement
@testable import Worklist

/// The remaining settlement pages, each with the user who may and one who may not.
@Suite("Settlement pages", .serialized)
struct SettlementPageTests {
    static func browser(_ app: Application, _ user: String) async throws -> Browser {
        let b = Browser(app)
        try await b.login(user)
        return b
    }

    @Test("More persons counted than the council decided is a warning, not just 0 remaining")
    func overDecision() async throws {
        try await withDemoApp { app in
            let y = try #require(
                try await SettlementYear.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$year == testDay.year).first())
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let before = try await b.send(.GET, "/settlement?year=\(testDay.year)").body.string
            #expect(!before.contains("flere er bosatt enn kommunestyrets vedtak"))
            y.decided = 1
            try await y.update(on: app.db)
            let page = try await b.send(.GET, "/settlement?year=\(testDay.year)").body.string
            let counted = try await SettlementYearService.progress(
                ServiceContext(app: app, user: nil, route: "test"), y
            ).counted
            #expect(counted > 1)
            #expect(page.contains("\(counted - 1) flere er bosatt enn kommunestyrets vedtak om 1."))
        }
    }

    @Test("Editing and deleting a settlement year")
    func yearPages() async throws {
        try await withDemoApp { app in
            let y = try #require(
                try await SettlementYear.query(on: app.db).filter(\.$municipality.$id == "3420").first())
            let cw = try await Self.browser(app, "saksbehandler.elverum")
            let tynset = try await Self.browser(app, "saksbehandler.tynset")
            #expect(try await cw.send(.GET, "/settlement/years/\(y.id!)/edit").status == .ok)
            #expect(try await tynset.send(.GET, "/settlement/years/\(y.id!)/edit").status == .forbidden)
            let form = [
                "_csrf": try await cw.csrf(), "municipality": "3420", "year": "\(y.year)", "requested": "31",
                "decided": "29", "decisionDate": "\(y.year)-03-01",
            ]
            var bad = form
            bad["decided"] = "mange"
            #expect(try await cw.send(.POST, "/settlement/years/\(y.id!)", form: bad).status == .badRequest)
            #expect(try await cw.send(.POST, "/settlement/years/\(y.id!)", form: form).status == .seeOther)
            #expect(try await SettlementYear.find(y.id, on: app.db)?.decided == 29)
            #expect(
                try await tynset.send(
                    .POST, "/settlement/years/\(y.id!)",
                    form: [
                        "_csrf": try await tynset.csrf(), "municipality": "3420", "year": "\(y.year)", "requested": "1",
                    ]
                ).status == .forbidden)
            #expect(
                try await cw.send(.POST, "/settlement/years/\(y.id!)/delete", form: ["_csrf": try await cw.csrf()])
                    .status == .forbidden)
            let admin = try await Self.browser(app, "admin.elverum")
            #expect(
                try await admin.send(
                    .POST, "/settlement/years/\(y.id!)/delete", form: ["_csrf": try await admin.csrf()]
                ).status == .seeOther)
            #expect(try await SettlementYear.find(y.id, on: app.db) == nil)
        }
    }

    @Test("Who sees the settlement overview, and deleting a proposal")
    func overviewAndDelete() async throws {
        try await withDemoApp { app in
            let nav = try await Self.browser(app, "nav.elverum")
            let navPage = try await nav.send(.GET, "/settlement")
            #expect(navPage.status == .ok)
            #expect(!navPage.body.string.contains("<svg"))  // no years for partners
            #expect(!navPage.body.string.contains("Husstand Abdi"))  // NAV is not an assessing sector
            let health = try await Self.browser(app, "helse.elverum")
            #expect(try await health.send(.GET, "/settlement").body.string.contains("Husstand Abdi"))
            #expect(try await Self.browser(app, "sysadmin").send(.GET, "/settlement").status == .forbidden)
            let proposal = try #require(
                try await IncomingHousehold.query(on: app.db).filter(\.$label == "Husstand Petrenko").first())
            let advisor = try await Self.browser(app, "veileder.elverum")
            #expect(
                try await advisor.send(
                    .POST, "/settlement/incoming/\(proposal.id!)/delete", form: ["_csrf": try await advisor.csrf()]
                ).status == .forbidden)
            let cw = try await Self.browser(app, "saksbehandler.elverum")
            #expect(
                try await cw.send(
                    .POST, "/settlement/incoming/\(proposal.id!)/delete", form: ["_csrf": try await cw.csrf()]
                ).status == .seeOther)
            #expect(try await IncomingHousehold.find(proposal.id, on: app.db) == nil)
        }
    }

    @Test("Template items are changed by the administrator only")
    func templateItem() async throws {
        try await withDemoApp { app in
            let item = try #require(
                try await ChecklistTemplateItem.query(on: app.db).filter(\.$municipality.$id == "3420").first())
            let admin = try await Self.browser(app, "admin.elverum")
            let form = [
                "_csrf": try await admin.csrf(), "title": "Bolig klar, møblert og vasket", "sector": "housing",
                "offsetDays": "-5", "position": "1",
            ]
            #expect(try await admin.send(.POST, "/settlement/checklist/\(item.id!)", form: form).status == .seeOther)
            #expect(try await ChecklistTemplateItem.find(item.id, on: app.db)?.offsetDays == -5)
            var bad = form
            bad["sector"] = "police"
            #expect(try await admin.send(.POST, "/settlement/checklist/\(item.id!)", form: bad).status == .badRequest)
            let cw = try await Self.browser(app, "saksbehandler.elverum")
            var theirs = form
            theirs["_csrf"] = try await cw.csrf()
            #expect(try await cw.send(.POST, "/settlement/checklist/\(item.id!)", form: theirs).status == .forbidden)
        }
    }

    @Test("A household's checklist from its page, and ticking tasks")
    func householdChecklist() async throws {
        try await withDemoApp { app in
            let household = try #require(
                try await Household.query(on: app.db).filter(\.$municipality.$id == "3420").filter(
                    \.$name != "Husstand Yohannes"
                ).first())
            let tynset = try await Self.browser(app, "saksbehandler.tynset")
            #expect(
                try await tynset.send(
                    .POST, "/households/\(household.id!)/checklist",
                    form: ["_csrf": try await tynset.csrf(), "arrivalDate": LocalDate.today.iso]
                ).status == .forbidden)
            let cw = try await Self.browser(app, "saksbehandler.elverum")
            #expect(
                try await cw.send(
                    .POST, "/households/\(household.id!)/checklist",
                    form: ["_csrf": try await cw.csrf(), "arrivalDate": LocalDate.today.iso]
                ).status == .seeOther)
            let arrived = try #require(
                try await Household.query(on: app.db).filter(\.$name == "Husstand Yohannes").first())
            let tasks = try await ArrivalTask.query(on: app.db).filter(\.$household.$id == arrived.id!).all()
            let healthTask = try #require(tasks.first { $0.sector == .health && $0.doneOn == nil })
            let housingTask = try #require(tasks.first { $0.sector == .housing })
            let health = try await Self.browser(app, "helse.elverum")
            #expect(
                try await health.send(
                    .POST, "/households/\(arrived.id!)/tasks/\(healthTask.id!)",
                    form: ["_csrf": try await health.csrf(), "doneOn": LocalDate.today.iso]
                ).status == .seeOther)
            #expect(try await ArrivalTask.find(healthTask.id, on: app.db)?.doneOn == LocalDate.today)
            #expect(
                try await health.send(
                    .POST, "/households/\(arrived.id!)/tasks/\(housingTask.id!)",
                    form: ["_csrf": try await health.csrf(), "reopen": "1"]
                ).status == .forbidden)
        }
    }
}
