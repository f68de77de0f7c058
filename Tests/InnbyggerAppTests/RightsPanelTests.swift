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

@Suite("Person page: rights and deadlines", .serialized)
struct RightsPanelTests {
    @Test("The panel shows the engine's categories and deadlines for the person, with sources")
    func panel() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let facts = try #require(p.facts)
            let expected = app.rulesEngine.evaluate(facts, asOf: .today)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let html = try await b.send(.GET, "/persons/\(p.id!)").body.string
            #expect(html.contains("id=\"rights\""))
            #expect(html.contains("category--\(expected.introductionProgramme.category.rawValue)"))
            #expect(!expected.deadlines.isEmpty)
            for d in expected.deadlines {
                #expect(html.contains(d.due.norwegian), "\(d.kind) \(d.due)")
                #expect(html.contains(d.reference))
            }
            // Overdue deadlines are marked as such.
            if expected.deadlines.contains(where: { $0.due < .today }) { #expect(html.contains("status--overdue")) }
        }
    }

    @Test("A national id is checked on the form, kept whole for the integration service and masked for partners")
    func nationalID() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app, sharedWith: .health)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            var form = [
                "_csrf": try await b.csrf(), "municipality": "3420", "givenName": p.givenName,
                "familyName": p.familyName,
                "birthDate": p.birthDate.iso, "sex": p.sex.rawValue, "citizenship": p.citizenship,
                "residenceGround": p.residenceGround.rawValue,
                "nationalId": "120490 10036", "settledByAgreement": "true", "educationLevel": "primary",
            ]
            let bad = try await b.send(.POST, "/persons/\(p.id!)", form: form)
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("aria-invalid=\"true\""))
            form["nationalId"] = "120490 10026"
            #expect(try await b.send(.POST, "/persons/\(p.id!)", form: form).status == .seeOther)
            let stored = try #require(try await Person.find(p.id, on: app.db))
            #expect(stored.nationalID == "12049010026")
            #expect(stored.settledByAgreement == true)
            #expect(stored.educationLevel == .primary)
            #expect(try await b.send(.GET, "/persons/\(p.id!)").body.string.contains("12049010026"))
            let health = Browser(app)
            try await health.login("helse.elverum")
            let seen = try await health.send(.GET, "/persons/\(p.id!)").body.string
            #expect(seen.contains("120490*****"))
            #expect(!seen.contains("12049010026"))
            let viaAPI = try await api(
                app, .GET, "/api/v1/persons/\(p.id!)", token: try await token(app, for: "helse.elverum"))
            #expect(try viaAPI.content.decode(PersonDTO.self).nationalId == "120490*****")
            let whole = try await api(
                app, .GET, "/api/v1/persons/\(p.id!)", token: try await token(app, for: "saksbehandler.elverum"))
            #expect(try whole.content.decode(PersonDTO.self).nationalId == "12049010026")
        }
    }
}
