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

@Suite("Programme settings", .serialized)
struct ProgrammeSettingsTests {
    @Test("The administrator edits the ladder and own measures; advisors use them; others may not")
    func ladderAndCatalogue() async throws {
        try await withDemoApp { app in
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            #expect(try await admin.send(.GET, "/programme/settings").status == .ok)
            #expect(
                try await admin.send(
                    .POST, "/programme/settings/phases",
                    form: ["_csrf": try await admin.csrf(), "municipality": "3420", "name": "Fagbrev"]
                ).status == .seeOther)
            #expect(
                try await admin.send(
                    .POST, "/programme/settings/phases",
                    form: ["_csrf": try await admin.csrf(), "municipality": "3420", "name": " "]
                ).status == .badRequest)
            #expect(
                try await admin.send(
                    .POST, "/programme/settings/measures",
                    form: [
                        "_csrf": try await admin.csrf(), "municipality": "3420", "name": "Kjøkkenkurs",
                        "kind": "trade_course",
                    ]
                ).status == .seeOther)
            #expect(
                try await admin.send(
                    .POST, "/programme/settings/measures",
                    form: [
                        "_csrf": try await admin.csrf(), "municipality": "3427", "name": "X", "kind": "trade_course",
                    ]
                ).status == .forbidden)
            let phase = try #require(try await LadderPhase.query(on: app.db).filter(\.$name == "Fagbrev").first())
            #expect(phase.position == DemoProgramme.ladder.count + 1)
            let item = try #require(
                try await CatalogueMeasure.query(on: app.db).filter(\.$name == "Kjøkkenkurs").first())
            // The advisor files the own measure under its kind and moves a participant up the ladder.
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420").filter(
                    \.$startDate != nil
                ).filter(\.$endDate == nil).first())
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            let page = try await advisor.send(.GET, "/persons/\(part.$person.id)/programme").body.string
            #expect(page.contains("catalogue:\(item.id!)"))
            #expect(page.contains("class=\"ladder\""))
            #expect(
                try await advisor.send(
                    .POST, "/persons/\(part.$person.id)/programme/measures",
                    form: [
                        "_csrf": try await advisor.csrf(), "kind": "catalogue:\(item.id!)", "from": "2025-09-01",
                        "to": "2025-09-30", "weeklyHours": "10",
                    ]
                ).status == .seeOther)
            let stored = try #require(
                try await ProgrammeMeasure.query(on: app.db).filter(\.$participation.$id == part.id!).filter(
                    \.$title == "Kjøkkenkurs"
                ).first())
            #expect(stored.kind == .tradeCourse)
            #expect(
                try await advisor.send(
                    .POST, "/persons/\(part.$person.id)/programme/phase",
                    form: ["_csrf": try await advisor.csrf(), "phase": "\(phase.position)"]
                ).status == .seeOther)
            #expect(try await PersonProgramme.find(part.id, on: app.db)?.ladderPhase == phase.position)
            #expect(
                try await advisor.send(
                    .POST, "/persons/\(part.$person.id)/programme/phase",
                    form: ["_csrf": try await advisor.csrf(), "phase": "99"]
                ).status == .badRequest)
            #expect(try await advisor.send(.GET, "/programme/settings").status == .forbidden)
            #expect(
                try await advisor.send(
                    .POST, "/programme/settings/phases/\(phase.id!)/delete", form: ["_csrf": try await advisor.csrf()]
                ).status == .forbidden)
            #expect(
                try await admin.send(
                    .POST, "/programme/settings/phases/\(phase.id!)/delete", form: ["_csrf": try await admin.csrf()]
                ).status == .seeOther)
            #expect(
                try await admin.send(
                    .POST, "/programme/settings/measures/\(item.id!)/delete", form: ["_csrf": try await admin.csrf()]
                ).status == .seeOther)
            #expect(try await CatalogueMeasure.find(item.id, on: app.db) == nil)
        }
    }

    @Test("The caseload warning cites each municipality's own norm; without one there is no warning")
    func caseloadNorm() async throws {
        try await withDemoApp { app in
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            var overview = try await advisor.send(.GET, "/programme?municipality=3420").body.string
            #expect(overview.contains("Demodata: eksempel på kommunens egen norm"))
            #expect(!overview.contains("Tynset kommune, rullering"))
            #expect(overview.contains("status--over\""))
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            let set = try await admin.send(
                .POST, "/programme/settings/caseload",
                form: [
                    "_csrf": try await admin.csrf(), "municipality": "3420", "maxParticipants": "30",
                    "source": "Elverum kommune, integreringsplan 2024–2028",
                ])
            #expect(set.status == .seeOther)
            overview = try await advisor.send(.GET, "/programme?municipality=3420").body.string
            #expect(
                overview.contains(
                    "høyst 30 deltakere per rådgiver (kilde: Elverum kommune, integreringsplan 2024–2028)"))
            #expect(!overview.contains("status--over\""))
            // Without a source the norm is refused; an empty number removes it, and then nothing is flagged.
            let noSource = try await admin.send(
                .POST, "/programme/settings/caseload",
                form: ["_csrf": try await admin.csrf(), "municipality": "3420", "maxParticipants": "10"])
            #expect(noSource.status == .badRequest)
            _ = try await admin.send(
                .POST, "/programme/settings/caseload",
                form: ["_csrf": try await admin.csrf(), "municipality": "3420", "maxParticipants": ""])
            overview = try await advisor.send(.GET, "/programme?municipality=3420").body.string
            #expect(overview.contains("Elverum har ikke satt en norm"))
            #expect(!overview.contains("status--over\""))
            #expect(
                try await advisor.send(
                    .POST, "/programme/settings/caseload",
                    form: [
                        "_csrf": try await advisor.csrf(), "municipality": "3420", "maxParticipants": "5",
                        "source": "x",
                    ]
                ).status == .forbidden)
        }
    }
}
