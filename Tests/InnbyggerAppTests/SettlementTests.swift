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

@Suite("Settlement", .serialized)
struct SettlementTests {
    static let year = LocalDate.today.year + 1  // a year the demo has not registered

    @Test("Settlement years: who may read and write, duplicates, bad input")
    func yearsAccess() async throws {
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            let body = #"{"municipality":"3420","year":\#(Self.year),"requested":20,"requestedMinors":2}"#
            let created = try await api(app, .POST, "/api/v1/settlement-years", token: cw, json: body)
            #expect(created.status == .created)
            let y = try created.content.decode(SettlementYearDTO.self)
            #expect(y.progress.remaining == nil)  // not decided yet
            #expect(try await api(app, .POST, "/api/v1/settlement-years", token: cw, json: body).status == .conflict)
            // Leaders read the numbers; they do not register them.
            let leader = try await token(app, for: "leder.elverum")
            #expect(try await api(app, .GET, "/api/v1/settlement-years/\(y.id)", token: leader).status == .ok)
            #expect(
                try await api(app, .PUT, "/api/v1/settlement-years/\(y.id)", token: leader, json: body).status
                    == .forbidden)
            // Other municipalities and partners see nothing.
            #expect(
                try await api(
                    app, .GET, "/api/v1/settlement-years/\(y.id)",
                    token: try await token(app, for: "saksbehandler.tynset")
                ).status == .forbidden)
            #expect(
                try await api(app, .GET, "/api/v1/settlement-years", token: try await token(app, for: "helse.elverum"))
                    .status == .forbidden)
            #expect(
                try await api(app, .GET, "/api/v1/settlement-years?municipality=3427", token: cw).status == .forbidden)
            #expect(
                try await api(app, .GET, "/api/v1/settlement-years?municipality=abc", token: cw).status == .badRequest)
            // Only the administrator deletes.
            #expect(try await api(app, .DELETE, "/api/v1/settlement-years/\(y.id)", token: cw).status == .forbidden)
            #expect(
                try await api(
                    app, .DELETE, "/api/v1/settlement-years/\(y.id)", token: try await token(app, for: "admin.elverum")
                ).status == .noContent)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$recordType == "settlement_year").filter(
                    \.$action == "delete"
                ).count() == 1)
        }
    }

    @Test(
        "Bad settlement-year input names the field",
        arguments: [
            (#"{"municipality":"3420","year":1999,"requested":5}"#, "year"),
            (#"{"municipality":"3420","year":2030,"requested":5,"requestedMinors":6}"#, "requestedMinors"),
            (#"{"municipality":"3420","year":2030,"requested":-1}"#, "requested"),
            (#"{"municipality":"3420","year":2030,"requested":5,"decisionDate":"2030-02-01"}"#, "decided"),
            (#"{"municipality":"3420","year":2030,"requested":5,"requestDate":"2030-02-30"}"#, "requestDate"),
        ])
    func badYear(_ json: String, _ field: String) async throws {
        try await withDemoApp { app in
            let res = try await api(
                app, .POST, "/api/v1/settlement-years", token: try await token(app, for: "saksbehandler.elverum"),
                json: json)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
        }
    }

    @Test("Progress counts settlements by agreement; family reunification apart")
    func progress() async throws {
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            let created = try await api(
                app, .POST, "/api/v1/settlement-years", token: cw,
                json:
                    #"{"municipality":"3420","year":\#(Self.year),"requested":10,"decided":8,"decisionDate":"\#(Self.year)-02-01"}"#
            )
            let id = try created.content.decode(SettlementYearDTO.self).id
            // Persons settled next year cannot be registered through the API (dates in the future are allowed for
            // settlement, so use the model): two by agreement in March, one family reunification in May.
            for (month, ground) in [(3, ResidenceGround.refugee), (3, .refugee), (5, .familyReunification)] {
                let p = Person()
                p.$municipality.id = "3420"
                p.givenName = "Test"
                p.familyName = "Person"
                p.birthDate = LocalDate(iso: "1990-01-01")!
                p.sex = .female
                p.citizenship = "SY"
                p.residenceGround = ground
                p.settledByAgreement = ground == .refugee
                p.settlementDate = LocalDate(year: Self.year, month: month, day: 15)
                try await p.create(on: app.db)
            }
            let y = try await api(app, .GET, "/api/v1/settlement-years/\(id)", token: cw).content.decode(
                SettlementYearDTO.self)
            // The counting itself (the service), then the API, which suppresses the small counts as the pages do.
            let user = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            let ctx = ServiceContext(app: app, user: try await CurrentUser.load(user, on: app.db), route: "test")
            let raw = try await SettlementYearService.progress(
                ctx, try await SettlementYearService.find(ctx, id))
            #expect(raw.counted == 2 && raw.remaining == 6 && raw.familyReunified == 1)
            #expect(raw.monthly[2] == 2 && raw.monthlyFamily[4] == 1)
            #expect(y.progress.counted == nil && y.progress.remaining == nil && y.progress.familyReunified == nil)
            #expect(y.progress.monthly[2] == nil && y.progress.monthlyFamilyReunified[4] == nil)
            #expect(y.progress.monthly[0] == 0)
            // The page draws the chart and the numbers behind it.
            let b = Browser(app)
            try await b.login("leder.elverum")
            let page = try await b.send(.GET, "/settlement?year=\(Self.year)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("<svg"))
            #expect(page.body.string.contains("class=\"chart-target\""))
        }
    }

    @Test("The year form keeps what was typed when it is wrong")
    func yearForm() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let bad = try await b.send(
                .POST, "/settlement/years",
                form: [
                    "_csrf": try await b.csrf(), "municipality": "3420", "year": "\(Self.year)",
                    "requested": "12", "requestedMinors": "40", "decisionReference": "PS 99/99",
                ])
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("PS 99/99"))
            #expect(bad.body.string.contains("aria-invalid=\"true\""))
            let ok = try await b.send(
                .POST, "/settlement/years",
                form: ["_csrf": try await b.csrf(), "municipality": "3420", "year": "\(Self.year)", "requested": "12"])
            #expect(ok.status == .seeOther)
            let partner = Browser(app)
            try await partner.login("nav.elverum")
            #expect(try await partner.send(.GET, "/settlement/years/new").status == .forbidden)
        }
    }

    static let proposal = #"""
        {"municipality":"3420","imdiReference":"IMDi-T-1","label":"Husstand Test","urgent":true,"rooms":2,"schoolPlaces":1,
         "members":[{"givenName":"Amal","familyName":"Test","birthDate":"1990-01-01","sex":"female","relation":"main","citizenship":"SO","residenceGround":"refugee"},
                    {"givenName":"Sami","familyName":"Test","birthDate":"2015-05-05","sex":"male","relation":"child","citizenship":"SO","residenceGround":"refugee"}]}
        """#

    @Test("A proposal from IMDi: assessment by sector, answer, arrival with person files and checklist")
    func proposalFlow() async throws {
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            let created = try await api(app, .POST, "/api/v1/incoming-households", token: cw, json: Self.proposal)
            #expect(created.status == .created)
            let h = try created.content.decode(IncomingDTO.self)
            // Urgent: the answer is due after the municipality's urgent answer time.
            let hours = app.settlementDefaults.answerHours.urgent.value
            #expect(abs(h.answerDueAt.timeIntervalSince(h.receivedAt) - Double(hours) * 3600) < 1)
            #expect(h.answerStatus == "open")
            // Housing records housing, and only housing.
            let housing = try await token(app, for: "bolig.elverum")
            let concern = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/assessment", token: housing,
                json: #"{"sector":"housing","status":"concern","note":"Ingen ledig bolig før mars"}"#)
            #expect(concern.status == .ok)
            #expect(try concern.content.decode(IncomingDTO.self).assessment.housing == .concern)
            #expect(
                try await api(
                    app, .POST, "/api/v1/incoming-households/\(h.id)/assessment", token: housing,
                    json: #"{"sector":"school","status":"ok"}"#
                ).status == .forbidden)
            // Partners outside the assessment, and other municipalities, do not see the proposal.
            #expect(
                try await api(
                    app, .GET, "/api/v1/incoming-households/\(h.id)", token: try await token(app, for: "nav.elverum")
                ).status == .forbidden)
            #expect(
                try await api(
                    app, .GET, "/api/v1/incoming-households/\(h.id)",
                    token: try await token(app, for: "saksbehandler.tynset")
                ).status == .forbidden)
            #expect(
                try await api(
                    app, .GET, "/api/v1/incoming-households/\(h.id)", token: try await token(app, for: "leder.elverum")
                ).status == .forbidden)
            #expect(try await api(app, .GET, "/api/v1/incoming-households/\(h.id)", token: housing).status == .ok)
            // Only the integration service answers; a concern needs a reason to accept; arrival needs an acceptance.
            #expect(
                try await api(
                    app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: housing,
                    json: #"{"decision":"accepted"}"#
                ).status == .forbidden)
            // School, kindergarten and health have not assessed: yes needs a deliberate override with a reason.
            let noOverride = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: cw,
                json: #"{"decision":"accepted","reason":"Bolig ordnet"}"#)
            #expect(noOverride.status == .badRequest)
            #expect(try noOverride.content.decode(ErrorBody.self).error.field == "override")
            let noReasonOverride = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: cw,
                json: #"{"decision":"accepted","override":true}"#)
            #expect(try noReasonOverride.content.decode(ErrorBody.self).error.field == "reason")
            #expect(
                try await api(
                    app, .POST, "/api/v1/incoming-households/\(h.id)/arrival", token: cw,
                    json:
                        #"{"settlementDate":"\#(LocalDate.today.iso)","arrivalDate":"\#(LocalDate.today.iso)","permitDate":"\#(LocalDate.today.adding(days: -60).iso)"}"#
                ).status == .conflict)
            let accepted = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: cw,
                json: #"{"decision":"accepted","reason":"Midlertidig bolig i Vestad til mars","override":true}"#)
            #expect(accepted.status == .ok)
            #expect(try accepted.content.decode(IncomingDTO.self).answerStatus == "answered")
            #expect(
                try await api(
                    app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: cw,
                    json: #"{"decision":"declined","reason":"x"}"#
                ).status == .conflict)
            #expect(
                try await api(
                    app, .POST, "/api/v1/incoming-households/\(h.id)/assessment", token: housing,
                    json: #"{"sector":"housing","status":"ok"}"#
                ).status == .conflict)
            #expect(
                try await api(app, .PUT, "/api/v1/incoming-households/\(h.id)", token: cw, json: Self.proposal).status
                    == .conflict)
            // Arrival makes the household, settled-by-agreement person files and the checklist.
            let arrival = LocalDate.today.adding(days: -3)
            let arrived = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/arrival", token: cw,
                json:
                    #"{"settlementDate":"\#(arrival.iso)","arrivalDate":"\#(arrival.adding(days: -1).iso)","permitDate":"\#(arrival.adding(days: -40).iso)"}"#
            )
            #expect(arrived.status == .created)
            let household = try arrived.content.decode(HouseholdDTO.self)
            #expect(household.memberIds.count == 2)
            let persons = try await Person.query(on: app.db).filter(\.$household.$id == household.id).all()
            #expect(persons.allSatisfy { $0.settledByAgreement == true && $0.settlementDate == arrival })
            #expect(Set(persons.compactMap(\.relation)) == [.main, .child])
            let tasks = try await api(app, .GET, "/api/v1/households/\(household.id)/checklist", token: cw).content
                .decode([ArrivalTaskDTO].self)
            #expect(tasks.count == app.settlementDefaults.arrivalChecklist.items.count)
            #expect(tasks.contains { $0.due == arrival.adding(days: 14) && $0.sector == .health })
            #expect(
                try await api(
                    app, .POST, "/api/v1/incoming-households/\(h.id)/arrival", token: cw,
                    json:
                        #"{"settlementDate":"\#(arrival.iso)","arrivalDate":"\#(arrival.adding(days: -1).iso)","permitDate":"\#(arrival.adding(days: -40).iso)"}"#
                ).status == .conflict)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$recordType == "person").filter(\.$action == "create")
                    .count() >= 2)
        }
    }

    @Test(
        "Declining needs a reason; bad proposals name the field",
        arguments: [
            (#"{"municipality":"3420","imdiReference":"R","label":"L","members":[]}"#, "members"),
            (
                #"{"municipality":"3420","imdiReference":" ","label":"L","members":[{"givenName":"A","familyName":"B","birthDate":"1990-01-01","sex":"female","relation":"main","citizenship":"SO","residenceGround":"refugee"}]}"#,
                "imdiReference"
            ),
            (
                #"{"municipality":"3420","imdiReference":"R","label":"L","members":[{"givenName":"A","familyName":"B","birthDate":"1990-02-30","sex":"female","relation":"main","citizenship":"SO","residenceGround":"refugee"}]}"#,
                "members[0].birthDate"
            ),
            (
                #"{"municipality":"3420","imdiReference":"R","label":"L","members":[{"givenName":"A","familyName":"B","birthDate":"1990-01-01","sex":"female","relation":"cousin","citizenship":"SO","residenceGround":"refugee"}]}"#,
                "members[0].relation"
            ),
            (
                #"{"municipality":"3420","imdiReference":"R","label":"L","rooms":99,"members":[{"givenName":"A","familyName":"B","birthDate":"1990-01-01","sex":"female","relation":"main","citizenship":"SO","residenceGround":"refugee"}]}"#,
                "rooms"
            ),
        ])
    func badProposal(_ json: String, _ field: String) async throws {
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            let res = try await api(app, .POST, "/api/v1/incoming-households", token: cw, json: json)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
            let h = try await api(app, .POST, "/api/v1/incoming-households", token: cw, json: Self.proposal).content
                .decode(IncomingDTO.self)
            let decline = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: cw, json: #"{"decision":"declined"}"#
            )
            #expect(decline.status == .badRequest)
        }
    }

    @Test("The answer clock: open, soon, overdue, answered")
    func answerClock() {
        let h = IncomingHousehold()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        h.receivedAt = start
        h.answerDueAt = start.addingTimeInterval(24 * 3600)
        h.decision = .pending
        #expect(AnswerClock(h, now: start.addingTimeInterval(3600)).status == .open)
        #expect(AnswerClock(h, now: start.addingTimeInterval(19 * 3600)).status == .soon)
        let late = AnswerClock(h, now: start.addingTimeInterval(25 * 3600))
        #expect(late.status == .overdue)
        #expect(late.minutesLeft == -60)
        h.decision = .accepted
        #expect(AnswerClock(h, now: start.addingTimeInterval(25 * 3600)).status == .answered)
    }

    @Test("Proposal pages: register, assess, answer and arrive in the browser")
    func proposalPages() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let form = [
                "_csrf": try await b.csrf(), "municipality": "3420", "imdiReference": "IMDi-P-1",
                "label": "Husstand Side",
                "m0.givenName": "Lul", "m0.familyName": "Side", "m0.birthDate": "1988-08-08", "m0.sex": "female",
                "m0.relation": "main", "m0.citizenship": "so", "m0.residenceGround": "refugee", "urgent": "on",
            ]
            var bad = form
            bad["m0.birthDate"] = "1988-02-30"
            let badRes = try await b.send(.POST, "/settlement/incoming", form: bad)
            #expect(badRes.status == .badRequest)
            #expect(badRes.body.string.contains("IMDi-P-1"))
            let res = try await b.send(.POST, "/settlement/incoming", form: form)
            #expect(res.status == .seeOther)
            let h = try #require(
                try await IncomingHousehold.query(on: app.db).filter(\.$imdiReference == "IMDi-P-1").first())
            #expect(h.urgent)
            let housing = Browser(app)
            try await housing.login("bolig.elverum")
            let page = try await housing.send(.GET, "/settlement/incoming/\(h.id!)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("name=\"sector\" value=\"housing\""))
            #expect(!page.body.string.contains("name=\"sector\" value=\"school\""))
            #expect(
                try await housing.send(
                    .POST, "/settlement/incoming/\(h.id!)/assessment",
                    form: ["_csrf": try await housing.csrf(), "sector": "housing", "status": "ok"]
                ).status == .seeOther)
            let decline = try await b.send(
                .POST, "/settlement/incoming/\(h.id!)/decision",
                form: ["_csrf": try await b.csrf(), "decision": "declined"])
            #expect(decline.status == .badRequest)
            // The other sectors have not assessed: the page warns, and yes needs the override and a reason.
            #expect(
                try await b.send(.GET, "/settlement/incoming/\(h.id!)").body.string.contains("name=\"override\""))
            #expect(
                try await b.send(
                    .POST, "/settlement/incoming/\(h.id!)/decision",
                    form: ["_csrf": try await b.csrf(), "decision": "accepted"]
                ).status == .badRequest)
            #expect(
                try await b.send(
                    .POST, "/settlement/incoming/\(h.id!)/decision",
                    form: [
                        "_csrf": try await b.csrf(), "decision": "accepted", "override": "true",
                        "reason": "Skole og helse svarer i morgen",
                    ]
                ).status == .seeOther)
            let arrive = try await b.send(
                .POST, "/settlement/incoming/\(h.id!)/arrival",
                form: [
                    "_csrf": try await b.csrf(), "settlementDate": LocalDate.today.iso,
                    "arrivalDate": LocalDate.today.iso, "permitDate": LocalDate.today.adding(days: -30).iso,
                ])
            #expect(arrive.status == .seeOther)
            let location = try #require(arrive.headers.first(name: .location))
            let household = try await b.send(.GET, location)
            #expect(household.body.string.contains("id=\"checklist\""))
            #expect(household.body.string.contains("Tuberkuloseundersøkelse"))
        }
    }

    @Test("Checklist tasks: a partner ticks its own sector's tasks on shared households")
    func checklistTasks() async throws {
        try await withDemoApp { app in
            // The demo household that has arrived is shared with health.
            let household = try #require(
                try await Household.query(on: app.db).filter(\.$name == "Husstand Yohannes").first())
            let tasks = try await ArrivalTask.query(on: app.db).filter(\.$household.$id == household.id!).all()
            let healthTask = try #require(tasks.first { $0.sector == .health && $0.doneOn == nil })
            let housingTask = try #require(tasks.first { $0.sector == .housing })
            let health = try await token(app, for: "helse.elverum")
            let done = try await api(
                app, .PUT, "/api/v1/households/\(household.id!)/checklist/\(healthTask.id!)", token: health,
                json: #"{"doneOn":"\#(LocalDate.today.iso)"}"#)
            #expect(done.status == .ok)
            #expect(try done.content.decode(ArrivalTaskDTO.self).status == "done")
            #expect(
                try await api(
                    app, .PUT, "/api/v1/households/\(household.id!)/checklist/\(housingTask.id!)", token: health,
                    json: #"{"doneOn":null}"#
                ).status == .forbidden)
            #expect(
                try await api(
                    app, .PUT, "/api/v1/households/\(household.id!)/checklist/\(healthTask.id!)", token: health,
                    json: #"{"doneOn":"\#(LocalDate.today.adding(days: 1).iso)"}"#
                ).status == .badRequest)
            #expect(
                try await api(
                    app, .PUT, "/api/v1/households/\(household.id!)/checklist/\(healthTask.id!)",
                    token: try await token(app, for: "skole.elverum"), json: #"{"doneOn":null}"#
                ).status == .forbidden)
            let reopened = try await api(
                app, .PUT, "/api/v1/households/\(household.id!)/checklist/\(healthTask.id!)",
                token: try await token(app, for: "saksbehandler.elverum"), json: #"{}"#)
            #expect(try reopened.content.decode(ArrivalTaskDTO.self).doneOn == nil)
            // A household registered by hand gets its checklist once.
            let cw = try await token(app, for: "saksbehandler.elverum")
            let other = try #require(
                try await Household.query(on: app.db).filter(\.$municipality.$id == "3420").filter(
                    \.$name != "Husstand Yohannes"
                ).first())
            #expect(
                try await api(
                    app, .POST, "/api/v1/households/\(other.id!)/checklist", token: cw,
                    json: #"{"arrivalDate":"\#(LocalDate.today.iso)"}"#
                ).status == .created)
            #expect(
                try await api(
                    app, .POST, "/api/v1/households/\(other.id!)/checklist", token: cw,
                    json: #"{"arrivalDate":"\#(LocalDate.today.iso)"}"#
                ).status == .conflict)
            #expect(
                try await api(
                    app, .POST, "/api/v1/households/\(other.id!)/checklist",
                    token: try await token(app, for: "saksbehandler.tynset"),
                    json: #"{"arrivalDate":"\#(LocalDate.today.iso)"}"#
                ).status == .forbidden)
        }
    }

    @Test("Administrators set answer times and edit the checklist template; others may not")
    func settings() async throws {
        try await withDemoApp { app in
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            #expect(try await admin.send(.GET, "/settlement/settings").status == .ok)
            #expect(
                try await admin.send(
                    .POST, "/settlement/settings",
                    form: [
                        "_csrf": try await admin.csrf(), "municipality": "3420",
                        "answerHoursUrgent": "12", "answerHoursOrdinary": "72",
                    ]
                ).status == .seeOther)
            let badHours = try await admin.send(
                .POST, "/settlement/settings",
                form: [
                    "_csrf": try await admin.csrf(), "municipality": "3420",
                    "answerHoursUrgent": "0", "answerHoursOrdinary": "72",
                ])
            #expect(badHours.status == .badRequest)
            #expect(
                try await admin.send(
                    .POST, "/settlement/checklist",
                    form: [
                        "_csrf": try await admin.csrf(), "municipality": "3420",
                        "title": "Velkomstpakke fra frivilligsentralen", "sector": "volunteer", "offsetDays": "1",
                    ]
                ).status == .seeOther)
            #expect(
                try await admin.send(
                    .POST, "/settlement/checklist",
                    form: [
                        "_csrf": try await admin.csrf(), "municipality": "3427",
                        "title": "Ikke min kommune", "sector": "volunteer", "offsetDays": "1",
                    ]
                ).status == .forbidden)
            let cwBrowser = Browser(app)
            try await cwBrowser.login("saksbehandler.elverum")
            #expect(try await cwBrowser.send(.GET, "/settlement/settings").status == .forbidden)
            // New proposals and checklists use the changed settings.
            let cw = try await token(app, for: "saksbehandler.elverum")
            let h = try await api(app, .POST, "/api/v1/incoming-households", token: cw, json: Self.proposal).content
                .decode(IncomingDTO.self)
            #expect(abs(h.answerDueAt.timeIntervalSince(h.receivedAt) - 12 * 3600) < 1)
            _ = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/decision", token: cw,
                json: #"{"decision":"accepted","override":true,"reason":"Test"}"#)
            let household = try await api(
                app, .POST, "/api/v1/incoming-households/\(h.id)/arrival", token: cw,
                json:
                    #"{"settlementDate":"\#(LocalDate.today.iso)","arrivalDate":"\#(LocalDate.today.iso)","permitDate":"\#(LocalDate.today.adding(days: -60).iso)"}"#
            ).content.decode(HouseholdDTO.self)
            let tasks = try await api(app, .GET, "/api/v1/households/\(household.id)/checklist", token: cw).content
                .decode([ArrivalTaskDTO].self)
            #expect(tasks.contains { $0.title == "Velkomstpakke fra frivilligsentralen" && $0.sector == .volunteer })
            // Removing an item takes it out of the template.
            let item = try #require(
                try await ChecklistTemplateItem.query(on: app.db).filter(
                    \.$title == "Velkomstpakke fra frivilligsentralen"
                ).first())
            #expect(
                try await cwBrowser.send(
                    .POST, "/settlement/checklist/\(item.id!)/delete", form: ["_csrf": try await cwBrowser.csrf()]
                ).status == .forbidden)
            #expect(
                try await admin.send(
                    .POST, "/settlement/checklist/\(item.id!)/delete", form: ["_csrf": try await admin.csrf()]
                ).status == .seeOther)
            #expect(try await ChecklistTemplateItem.find(item.id, on: app.db) == nil)
        }
    }
}
