import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Settlement

/// The arrival step records what the rules need, and the answer to IMDi is never "yes" by default.
@Suite("Arrival and the answer to IMDi", .serialized)
struct ArrivalTests {
    static func day(_ before: Int) -> LocalDate { LocalDate.today.adding(days: -before) }

    /// A new proposal answered yes (with the override, as no sector has assessed it).
    static func accepted(_ app: Application, _ cw: String) async throws -> IncomingDTO {
        let h = try await api(app, .POST, "/api/v1/incoming-households", token: cw, json: SettlementTests.proposal)
            .content.decode(IncomingDTO.self)
        let yes = try await api(
            app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: cw,
            json: #"{"decision":"accepted","override":true,"reason":"Bolig klar, vurderingene kommer"}"#)
        #expect(yes.status == .ok)
        return h
    }

    @Test(
        "Arrival refuses to complete without the settlement, arrival and permit dates",
        arguments: [
            // (settlement, arrival, permit as days before today; nil leaves the field out), the field named
            (nil, 5, 60, "settlementDate"), (3, nil, 60, "arrivalDate"), (3, 5, nil, "permitDate"),
            (3, 2, 60, "arrivalDate"), (3, 5, 1, "permitDate"),
        ] as [(Int?, Int?, Int?, String)])
    func refusesWithoutDates(settled: Int?, arrived: Int?, permit: Int?, field: String) async throws {
        let fields = [("settlementDate", settled), ("arrivalDate", arrived), ("permitDate", permit)]
            .compactMap { name, days in days.map { "\"\(name)\":\"\(LocalDate.today.adding(days: -$0).iso)\"" } }
        let body = "{" + fields.joined(separator: ",") + "}"
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            let h = try await Self.accepted(app, cw)
            let res = try await api(app, .POST, "/api/v1/incoming-households/\(h.id)/arrival", token: cw, json: body)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
            #expect(try await IncomingHousehold.find(h.id, on: app.db)?.householdID == nil)
        }
    }

    @Test("The person files get the dates, so the rules run and the clocks start")
    func filesHaveTheDates() async throws {
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            let h = try await Self.accepted(app, cw)
            let res = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/arrival", token: cw,
                json:
                    #"{"settlementDate":"\#(Self.day(3).iso)","arrivalDate":"\#(Self.day(8).iso)","permitDate":"\#(Self.day(60).iso)"}"#
            )
            #expect(res.status == .created)
            let household = try res.content.decode(HouseholdDTO.self)
            let persons = try await Person.query(on: app.db).filter(\.$household.$id == household.id).all()
            #expect(persons.count == 2)
            for p in persons {
                #expect(p.arrivalDate == Self.day(8))
                #expect(p.permitDate == Self.day(60))
                #expect(p.settlementDate == Self.day(3))
                let e = app.rulesEngine.evaluate(p.facts, asOf: .today)
                #expect(e.lawRegime != .undetermined)
                #expect(!e.deadlines.isEmpty)
            }
            let adult = try #require(persons.first { $0.relation == .main })
            let kinds = app.rulesEngine.evaluate(adult.facts, asOf: .today).deadlines.map(\.kind)
            #expect(kinds.contains(.competenceMapping) && kinds.contains(.tbScreening))
        }
    }

    @Test("The arrival form offers the proposal's expected arrival; the decision has no preset answer")
    func pages() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let cw = try await token(app, for: "saksbehandler.elverum")
            let created = try await api(
                app, .POST, "/api/v1/incoming-households", token: cw, json: SettlementTests.proposal
            ).content.decode(IncomingDTO.self)
            let page = try await b.send(.GET, "/settlement/incoming/\(created.id)").body.string
            #expect(page.contains("id=\"decision-accepted\""))
            #expect(!page.contains("value=\"accepted\" checked"))
            #expect(page.contains("name=\"override\""))
            let h = try await Self.accepted(app, cw)
            let row = try #require(try await IncomingHousehold.find(h.id, on: app.db))
            row.expectedArrival = LocalDate.today.adding(days: -2)
            try await row.update(on: app.db)
            let arrival = try await b.send(.GET, "/settlement/incoming/\(h.id)").body.string
            #expect(
                arrival.contains(
                    "name=\"settlementDate\" type=\"date\" required max=\"\(LocalDate.today.iso)\" value=\"\(LocalDate.today.adding(days: -2).iso)\""
                ))
            #expect(arrival.contains("name=\"permitDate\""))
        }
    }

    @Test("The new-proposal form adds members one by one, with no preset sex or relation")
    func membersOneByOne() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let form = try await b.send(.GET, "/settlement/incoming/new").body.string
            #expect(form.contains("name=\"m0.givenName\""))
            #expect(!form.contains("name=\"m1.givenName\""))
            for select in ["m0.sex", "m0.relation"] {
                let from = try #require(form.range(of: "name=\"\(select)\""))
                let to = try #require(form[from.upperBound...].range(of: "</select>"))
                #expect(!form[from.upperBound..<to.lowerBound].contains("selected"), "\(select) has a preset")
            }
            let more = try await b.send(
                .POST, "/settlement/incoming",
                form: [
                    "_csrf": try await b.csrf(), "municipality": "3420", "m0.givenName": "Amal",
                    "m0.familyName": "Test",
                    "addMember": "yes",
                ])
            #expect(more.status == .ok)
            #expect(more.body.string.contains("value=\"Amal\""))
            #expect(more.body.string.contains("name=\"m1.givenName\""))
            #expect(try await IncomingHousehold.query(on: app.db).filter(\.$label == "").count() == 0)
        }
    }
}
