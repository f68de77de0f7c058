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

@Suite("Norwegian training", .serialized)
struct NorwegianTests {
    @Test("Adult education records hours and tests on files shared with it; progress against the target")
    func adultEducation() async throws {
        try await withDemoApp { app in
            // A new file in Tynset shared with adult education (the demo's shared files already have results).
            let created = try await api(
                app, .POST, "/api/v1/persons", token: try await token(app, for: "saksbehandler.tynset"),
                json:
                    #"{"municipality":"3427","givenName":"Norsk","familyName":"Elev","birthDate":"1990-01-15","sex":"female","citizenship":"ER","residenceGround":"refugee","settlementDate":"2025-03-01","educationLevel":"primary"}"#
            )
            let shared = try #require(try await Person.find(try created.content.decode(PersonDTO.self).id, on: app.db))
            try await PersonShare(
                person: shared.id!, sector: .adultEducation, basis: .consent, reference: "test", by: nil
            ).create(on: app.db)
            let partner = try await token(app, for: "voksenopplaering.tynset")
            let month = YearMonth(LocalDate.today).iso
            let hours = try await api(
                app, .POST, "/api/v1/persons/\(shared.id!)/norwegian/hours", token: partner,
                json: #"{"month":"\#(month)","hours":62.5}"#)
            #expect(hours.status == .ok)
            let s1 = try hours.content.decode(NorwegianService.Summary.self)
            #expect(s1.hours[month] == 3750)
            // Recording the month again replaces it.
            let again = try await api(
                app, .POST, "/api/v1/persons/\(shared.id!)/norwegian/hours", token: partner,
                json: #"{"month":"\#(month)","hours":60}"#)
            #expect(try again.content.decode(NorwegianService.Summary.self).hours[month] == 3600)
            // A target of B1 in reading: A2 first (not yet), then B1 (reached).
            let cw = try await token(app, for: "saksbehandler.tynset")
            _ = try await api(
                app, .PUT, "/api/v1/persons/\(shared.id!)/programme", token: cw,
                json: #"{"norwegianTarget":{"reading":"B1"}}"#)
            let a2 = try await api(
                app, .POST, "/api/v1/persons/\(shared.id!)/norwegian/tests", token: partner,
                json: #"{"kind":"norwegian","skill":"reading","level":"A2","date":"\#(LocalDate.today.iso)"}"#)
            #expect(a2.status == .created)
            let before = try a2.content.decode(NorwegianService.Summary.self).skills.first { $0.skill == "reading" }
            #expect(before?.met == false)
            let b1 = try await api(
                app, .POST, "/api/v1/persons/\(shared.id!)/norwegian/tests", token: partner,
                json: #"{"kind":"norwegian","skill":"reading","level":"B1","date":"\#(LocalDate.today.iso)"}"#)
            let after = try b1.content.decode(NorwegianService.Summary.self).skills.first { $0.skill == "reading" }
            #expect(after?.best == "B1")
            #expect(after?.met == true)
            let social = try await api(
                app, .POST, "/api/v1/persons/\(shared.id!)/norwegian/tests", token: partner,
                json: #"{"kind":"social_studies","passed":true,"date":"\#(LocalDate.today.iso)"}"#)
            #expect(try social.content.decode(NorwegianService.Summary.self).socialStudiesPassed)
            // Not on files that are not shared with adult education; not for other partners.
            let unshared = try await person(in: "3427", app, notSharedWith: .adultEducation)
            #expect(
                try await api(
                    app, .POST, "/api/v1/persons/\(unshared.id!)/norwegian/hours", token: partner,
                    json: #"{"month":"\#(month)","hours":1}"#
                ).status == .forbidden)
            let health = try await person(in: "3420", app, sharedWith: .health)
            #expect(
                try await api(
                    app, .POST, "/api/v1/persons/\(health.id!)/norwegian/tests",
                    token: try await token(app, for: "helse.elverum"),
                    json: #"{"kind":"citizenship","passed":true,"date":"\#(LocalDate.today.iso)"}"#
                ).status == .forbidden)
            #expect(
                try await api(
                    app, .GET, "/api/v1/persons/\(shared.id!)/norwegian",
                    token: try await token(app, for: "saksbehandler.elverum")
                ).status == .forbidden)
            // Health reads the shared file, but not its Norwegian results.
            #expect(
                try await api(
                    app, .GET, "/api/v1/persons/\(health.id!)", token: try await token(app, for: "helse.elverum")
                ).status == .ok)
            #expect(
                try await api(
                    app, .GET, "/api/v1/persons/\(health.id!)/norwegian",
                    token: try await token(app, for: "helse.elverum")
                ).status == .forbidden)
            // The page shows it and lets the partner record.
            let b = Browser(app)
            try await b.login("voksenopplaering.tynset")
            let page = try await b.send(.GET, "/persons/\(shared.id!)/norwegian")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("action=\"/persons/\(shared.id!)/norwegian/tests\""))
            #expect(
                try await b.send(
                    .POST, "/persons/\(shared.id!)/norwegian/hours",
                    form: ["_csrf": try await b.csrf(), "month": month, "hours": "55,5"]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(shared.id!)/norwegian/tests",
                    form: [
                        "_csrf": try await b.csrf(), "kind": "norwegian", "skill": "writing", "level": "A2",
                        "date": LocalDate.today.iso,
                    ]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(shared.id!)/norwegian",
                    form: ["_csrf": try await b.csrf(), "decisionDate": "2025-01-10"]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(shared.id!)/norwegian",
                    form: ["_csrf": try await b.csrf(), "exemptReason": "Dokumentert norskkunnskap"]
                ).status == .badRequest)
        }
    }

    @Test(
        "Bad Norwegian input names the field",
        arguments: [
            ("hours", #"{"month":"2999-01","hours":10}"#, "month"),
            ("hours", #"{"month":"2025-01","hours":400}"#, "hours"),
            ("tests", #"{"kind":"norwegian","skill":"reading","level":"D1","date":"2025-01-01"}"#, "level"),
            ("tests", #"{"kind":"norwegian","skill":"dancing","level":"A1","date":"2025-01-01"}"#, "skill"),
            ("tests", #"{"kind":"citizenship","date":"2025-01-01"}"#, "passed"),
            ("tests", #"{"kind":"driving","passed":true,"date":"2025-01-01"}"#, "kind"),
        ])
    func badInput(_ path: String, _ json: String, _ field: String) async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let res = try await api(
                app, .POST, "/api/v1/persons/\(p.id!)/norwegian/\(path)",
                token: try await token(app, for: "saksbehandler.elverum"), json: json)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
        }
    }
}
