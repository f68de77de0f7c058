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

@Suite("Person details", .serialized)
struct PersonDetailsTests {
    static func body(_ extra: String) -> String {
        #"{"municipality":"3420","givenName":"Amina","familyName":"Test","birthDate":"1991-05-14","sex":"female","citizenship":"SY","residenceGround":"refugee"\#(extra)}"#
    }

    @Test("Background, languages, relation, family immigration and advisor round-trip through the API")
    func roundTrip() async throws {
        try await withDemoApp { app in
            let advisor = try #require(
                try await User.query(on: app.db).filter(\.$username == "veileder.elverum").first())
            let cw = try await token(app, for: "saksbehandler.elverum")
            let res = try await api(
                app, .POST, "/api/v1/persons", token: cw,
                json: Self.body(
                    #"""
                    ,"dufNumber":"202412345601","countryOfBirth":"sy","languages":[{"code":"AR","level":"mother_tongue"},{"code":"en","level":"good"}],
                     "interpreterLanguage":"ar","educationYears":12,"workExperience":"Frisør i 8 år","researchReservation":true,"relation":"main",
                     "referencePersonResidenceGround":"refugee","referencePersonSettlementDate":"2019-03-01","familyApplicationDate":"2023-05-10",
                     "advisorId":"\#(advisor.id!)"
                    """#))
            #expect(res.status == .created)
            let p = try res.content.decode(PersonDTO.self)
            #expect(p.countryOfBirth == "SY")
            #expect(
                p.languages == [
                    LanguageSkill(code: "ar", level: .motherTongue), LanguageSkill(code: "en", level: .good),
                ])
            #expect(p.advisorId == advisor.id)
            #expect(p.researchReservation == true)
            // The family-immigration facts reach the rules engine: the file is no longer "undetermined" for lack of them.
            let stored = try #require(try await Person.find(p.id, on: app.db))
            #expect(stored.facts.referencePerson?.settlementDate == LocalDate(iso: "2019-03-01"))
            #expect(stored.facts.familyApplicationDate == LocalDate(iso: "2023-05-10"))
            // Partners get the DUF number withheld, like the national id.
            let share = PersonShare(person: p.id, sector: .health, basis: .consent, reference: "test", by: nil)
            try await share.create(on: app.db)
            let seen = try await api(
                app, .GET, "/api/v1/persons/\(p.id)", token: try await token(app, for: "helse.elverum")
            ).content.decode(PersonDTO.self)
            #expect(seen.dufNumber == nil)
            // The page shows it all in words.
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let page = try await b.send(.GET, "/persons/\(p.id)").body.string
            #expect(page.contains("Frisør i 8 år"))
            #expect(page.contains("morsmål"))
            #expect(page.contains("Anders Bakken"))
        }
    }

    @Test(
        "Bad details name the field",
        arguments: [
            (#","dufNumber":"12345""#, "dufNumber"),
            (#","countryOfBirth":"Syria""#, "countryOfBirth"),
            (#","languages":[{"code":"arabic","level":"good"}]"#, "languages[0].code"),
            (#","languages":[{"code":"ar","level":"perfect"}]"#, "languages[0].level"),
            (#","languages":[{"code":"ar","level":"good"},{"code":"AR","level":"basic"}]"#, "languages[1].code"),
            (#","educationYears":31"#, "educationYears"),
            (#","relation":"cousin""#, "relation"),
            (#","referencePersonResidenceGround":"tourist""#, "referencePersonResidenceGround"),
            (#","familyApplicationDate":"2999-01-01""#, "familyApplicationDate"),
            (#","advisorId":"00000000-0000-0000-0000-000000000000""#, "advisorId"),
        ])
    func badDetails(_ extra: String, _ field: String) async throws {
        try await withDemoApp { app in
            let res = try await api(
                app, .POST, "/api/v1/persons", token: try await token(app, for: "saksbehandler.elverum"),
                json: Self.body(extra))
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
        }
    }

    @Test("An advisor must serve the person's municipality")
    func advisorScope() async throws {
        try await withDemoApp { app in
            let tynset = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.tynset").first())
            let res = try await api(
                app, .POST, "/api/v1/persons", token: try await token(app, for: "saksbehandler.elverum"),
                json: Self.body(#","advisorId":"\#(tynset.id!)""#))
            #expect(res.status == .badRequest)
            // Gol's case worker serves Hemsedal by agreement, so may follow a Hemsedal person.
            let gol = try #require(try await User.query(on: app.db).filter(\.$username == "saksbehandler.gol").first())
            let hemsedal = try await api(
                app, .POST, "/api/v1/persons", token: try await token(app, for: "saksbehandler.gol"),
                json: Self.body(#","advisorId":"\#(gol.id!)""#).replacingOccurrences(of: "\"3420\"", with: "\"3326\""))
            #expect(hemsedal.status == .created)
        }
    }

    @Test("\"Mine frister\" shows only the persons the user follows")
    func mine() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let me = try #require(try await User.query(on: app.db).filter(\.$username == "veileder.elverum").first())
            let followed = try await Person.query(on: app.db).filter(\.$advisorID == me.id!).all()
            let others = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").filter(
                \.$advisorID == nil
            ).all()
            #expect(!followed.isEmpty)
            #expect(!others.isEmpty)
            let all = try await b.send(.GET, "/worklist").body.string
            let mine = try await b.send(.GET, "/worklist?who=mine").body.string
            // Some person without an advisor has an open deadline in the full list, and none of them in "mine".
            let unfollowedShown = others.filter { all.contains("/persons/\($0.id!)") }
            #expect(!unfollowedShown.isEmpty)
            #expect(unfollowedShown.allSatisfy { !mine.contains("/persons/\($0.id!)") })
            #expect(try await b.send(.GET, "/worklist?who=everyone").status == .badRequest)
        }
    }
}
