import Fluent
import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Plan
@testable import Programme
@testable import Settlement

/// Issue #14: the integration plan, its indicators computed from the files, and who may read and change it.
@Suite("The integration plan and its indicators")
struct PlanTests {
    struct Figure: Decodable, Equatable {
        var value: Double?
        var numerator: Int?
        var denominator: Int?
        var suppressed: Bool
    }

    static func figure(_ app: Application, _ t: String, _ key: String, from: String, to: String) async throws -> Figure
    {
        let res = try await api(
            app, .GET, "/api/v1/indicators/\(key)?municipality=3420&from=\(from)&to=\(to)", token: t)
        #expect(res.status == .ok, "\(key): \(res.body.string)")
        return try JSONDecoder().decode(Figure.self, from: res.body)
    }

    static func expected(_ f: IndicatorFigure) -> Figure {
        Figure(value: f.value, numerator: f.numerator, denominator: f.denominator, suppressed: f.suppressed)
    }

    @Test("Each computed indicator in the API equals the count a test makes from the same files")
    func computedEqualsIndependentCount() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "leder.elverum")
            let threshold = app.disclosure.threshold
            let today = LocalDate.today
            let from = today.adding(years: -6)
            let parts = try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                .with(\.$person).with(\.$measures).with(\.$leaves).with(\.$attendance).with(\.$reviews)
                .with(\.$outcomes).with(\.$deductions).all()
            // In work or education a year after, by the year the programme ended, among those with a status.
            let ended = parts.filter { p in
                guard let end = p.endDate, end.year >= from.year, end.year <= today.year else { return false }
                return p.outcomes.contains { $0.kind == .oneYear }
            }
            let good = ended.filter { p in p.outcomes.first { $0.kind == .oneYear }!.status.isWorkOrEducation }
            var checked = 0
            #expect(
                try await Self.figure(app, t, "work_or_education_1y", from: from.iso, to: today.iso)
                    == Self.expected(.share(good.count, of: ended.count, threshold: threshold)))
            checked += ended.count
            // Started within three months of settlement, among those decided either way.
            let decided = parts.compactMap { p -> Bool? in
                guard let s = p.person.settlementDate, s >= from, s <= today else { return nil }
                return ProgrammeStartDeadline.met(settled: s, start: p.startDate, today: today)
            }
            #expect(
                try await Self.figure(app, t, "programme_start_3m", from: from.iso, to: today.iso)
                    == Self.expected(.share(decided.filter { $0 }.count, of: decided.count, threshold: threshold)))
            checked += decided.count
            // Open programmes per advisor following them.
            let open = parts.filter { p in
                p.person.advisorID != nil
                    && ProgrammeFacts(part: p, person: p.person, parameters: app.programmeParameters, today: today)
                        .isOpen
            }
            let advisors = Set(open.compactMap(\.person.advisorID))
            #expect(
                try await Self.figure(app, t, "participants_per_advisor", from: from.iso, to: today.iso)
                    == Self.expected(.ratio(open.count, per: advisors.count, threshold: threshold)))
            // The council's decisions against those settled by agreement in the years with one.
            let years = try await SettlementYear.query(on: app.db).filter(\.$municipality.$id == "3420").all()
            let decidedYears = Set(years.filter { $0.decided != nil }.map(\.year))
            let inRange = (from.year...today.year)
            let decidedSum = years.filter { inRange.contains($0.year) }.compactMap(\.decided).reduce(0, +)
            let settled = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").all().filter { p in
                guard let s = p.settlementDate, s >= from, s <= today, decidedYears.contains(s.year) else {
                    return false
                }
                return p.settledByAgreement == true && p.residenceGround != .familyReunification
            }
            #expect(
                try await Self.figure(app, t, "settlement_fulfilled", from: from.iso, to: today.iso)
                    == Self.expected(.ratio(settled.count, per: decidedSum, threshold: threshold)))
            checked += settled.count
            #expect(checked > 0, "the demo has files to count")
            // A period the wrong way round, an unknown indicator, a malformed municipality: refused in the user's terms.
            let bad = try await api(
                app, .GET, "/api/v1/indicators/programme_start_3m?municipality=3420&from=2025-02-01&to=2025-01-01",
                token: t)
            #expect(bad.status == .badRequest)
            #expect(
                try await api(
                    app, .GET, "/api/v1/indicators/shoe_size?municipality=3420&from=2025-01-01&to=2025-02-01", token: t
                )
                .status == .notFound)
            #expect(
                try await api(
                    app, .GET, "/api/v1/indicators/programme_start_3m?municipality=34&from=2025-01-01&to=2025-02-01",
                    token: t
                )
                .status == .badRequest)
        }
    }

    struct Listed: Decodable {
        var id: UUID
        var municipality: String
    }
    struct Indicators: Decodable {
        struct Item: Decodable {
            var key: String?
            var name: String
            var unit: String
            var value: Double?
            var numerator: Int?
            var denominator: Int?
            var suppressed: Bool
            var status: String
            var baseline: IndicatorPoint?
            var target: IndicatorPoint?
        }
        var indicators: [Item]
    }

    @Test("The plan's indicators in the API: the contract's fields, computed ones equal to the indicator API")
    func planIndicatorsAPI() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "leder.elverum")
            let plans = try JSONDecoder().decode(
                [Listed].self, from: try await api(app, .GET, "/api/v1/plans", token: t).body)
            let plan = try #require(plans.first { $0.municipality == "3420" })
            let res = try await api(app, .GET, "/api/v1/plans/\(plan.id)/indicators", token: t)
            #expect(res.status == .ok)
            let list = try JSONDecoder().decode(Indicators.self, from: res.body)
            let work = try #require(list.indicators.first { $0.key == "work_or_education_1y" })
            #expect(work.baseline == IndicatorPoint(year: 2014, value: 0.53))
            #expect(work.target == IndicatorPoint(year: 2019, value: 0.70))
            // The plan shows the last whole year.
            let y = LocalDate.today.year - 1
            for i in list.indicators where i.key != nil {
                let f = try await Self.figure(app, t, i.key!, from: "\(y)-01-01", to: "\(y)-12-31")
                #expect(
                    f
                        == Figure(
                            value: i.value, numerator: i.numerator, denominator: i.denominator, suppressed: i.suppressed
                        ), "\(i.name)")
                #expect(
                    i.status
                        == IndicatorProgress.status(
                            value: i.value, baseline: i.baseline, target: i.target,
                            direction: i.key == "participants_per_advisor" ? .lower : .higher, in: y
                        ).rawValue)
            }
            // An entered one: its newest value.
            let entered = try #require(list.indicators.first { $0.name == "Fra leie til eie" })
            #expect(entered.key == nil)
            #expect(entered.value == 0.65)
        }
    }

    @Test("Who reads and who changes the plan: by role and municipality")
    func access() async throws {
        try await withDemoApp { app in
            let plan = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$municipality == "3420").first())
            let path = "/plans/\(plan.id!.uuidString)"
            // Elverum's leader and case worker read it; Tynset's leader and a health partner do not.
            for (user, status) in [
                ("leder.elverum", HTTPStatus.ok), ("saksbehandler.elverum", .ok), ("leder.tynset", .forbidden),
                ("helse.elverum", .forbidden),
            ] {
                let b = Browser(app)
                try await b.login(user)
                #expect(try await b.send(.GET, path).status == status, "\(user)")
                let t = try await token(app, for: user)
                #expect(
                    try await api(app, .GET, "/api/v1/plans/\(plan.id!)/indicators", token: t).status == status,
                    "\(user)")
            }
            // The programme advisor reads it but does not change it.
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            #expect(
                try await advisor.send(
                    .POST, "\(path)/areas", form: ["_csrf": try await advisor.csrf(), "areaTitle": "X"]
                )
                .status == .forbidden)
            // The leader of another municipality may not read Elverum's numbers through the indicator API either.
            let tynset = try await token(app, for: "leder.tynset")
            #expect(
                try await api(
                    app, .GET, "/api/v1/indicators/programme_start_3m?municipality=3420&from=2025-01-01&to=2025-12-31",
                    token: tynset
                )
                .status == .forbidden)
            #expect(try await api(app, .GET, "/api/v1/plans?municipality=3420", token: tynset).status == .forbidden)
        }
    }

    @Test(
        "The leader builds a plan: an area, a goal, an indicator with a value, a measure and its status, each audited")
    func leaderBuildsPlan() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("leder.elverum")
            let csrf = try await b.csrf()
            // A plan without a title is refused, with the form kept and nothing stored.
            let before = try await IntegrationPlan.query(on: app.db).count()
            let refused = try await b.send(
                .POST, "/plans", form: ["_csrf": csrf, "municipality": "3420", "firstYear": "2026", "lastYear": "2029"])
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains("value=\"2029\""))
            #expect(try await IntegrationPlan.query(on: app.db).count() == before)
            let made = try await b.send(
                .POST, "/plans",
                form: [
                    "_csrf": csrf, "municipality": "3420", "title": "Integreringsplan 2026–2029", "firstYear": "2026",
                    "lastYear": "2029", "status": "draft",
                ])
            #expect(made.status == .seeOther)
            let plan = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$title == "Integreringsplan 2026–2029").first())
            let path = "/plans/\(plan.id!.uuidString)"
            func post(_ step: String, _ form: [String: String]) async throws -> TestingHTTPResponse {
                try await b.send(.POST, "\(path)/\(step)", form: form.merging(["_csrf": csrf]) { a, _ in a })
            }
            #expect(try await post("areas", ["areaTitle": "Kvalifisering", "responsible": "NAV"]).status == .seeOther)
            let area = try #require(try await PlanFocusArea.query(on: app.db).filter(\.$plan.$id == plan.id!).first())
            #expect(
                try await post("goals", ["areaId": area.id!.uuidString, "goalText": "Flere i arbeid"]).status
                    == .seeOther)
            let goal = try #require(try await PlanGoal.query(on: app.db).filter(\.$area.$id == area.id!).first())
            // A baseline without its year is refused and names the field.
            let half = try await post(
                "indicators",
                [
                    "indicatorGoalId": goal.id!.uuidString, "name": "Andel i praksis", "unit": "share",
                    "baselineValue": "40",
                ])
            #expect(half.status == .badRequest)
            #expect(half.body.string.contains("id=\"e-baselineYear\""))
            #expect(
                try await post(
                    "indicators",
                    [
                        "indicatorGoalId": goal.id!.uuidString, "name": "Andel i praksis", "unit": "share",
                        "direction": "higher", "baselineYear": "2025", "baselineValue": "40 %", "targetYear": "2029",
                        "targetValue": "60",
                    ]
                ).status == .seeOther)
            let indicator = try #require(
                try await PlanIndicator.query(on: app.db).filter(\.$goal.$id == goal.id!).first())
            #expect(indicator.baselineValue == 0.4)
            #expect(
                try await post(
                    "values",
                    [
                        "indicatorId": indicator.id!.uuidString, "value": "50", "measuredOn": LocalDate.today.iso,
                        "source": "NAV",
                    ]
                ).status == .seeOther)
            #expect(
                try await post(
                    "measures",
                    [
                        "measureGoalId": goal.id!.uuidString, "measureTitle": "Praksisplasser i kommunen",
                        "ownerUnit": "NAV",
                    ]
                ).status == .seeOther)
            let measure = try #require(try await PlanMeasure.query(on: app.db).filter(\.$goal.$id == goal.id!).first())
            #expect(
                try await post(
                    "measure-status",
                    [
                        "measureId": measure.id!.uuidString, "measureStatus": "ongoing",
                        "statusNote": "Ti plasser avtalt",
                    ]
                ).status == .seeOther)
            #expect(try await PlanMeasure.find(measure.id, on: app.db)?.status == .ongoing)
            // The page shows the value against the line from 40 % to 60 %, and the measure with its note.
            let page = try await b.send(.GET, path).body.string
            #expect(page.contains("50 %"))
            #expect(page.contains("Ti plasser avtalt"))
            let audited = try await AuditEntry.query(on: app.db).filter(
                \.$recordType ~~ ["plan", "plan_focus_area", "plan_goal", "plan_indicator", "plan_measure"]
            ).count()
            #expect(audited >= 7)
        }
    }
}

/// The inclusion team and the yearly report (issue #14).
@Suite("The inclusion team and the yearly report")
struct TeamReportTests {
    @Test("A meeting's decision becomes a measure of the plan, linked; fewer than two meetings a year is warned of")
    func decisionCreatesMeasure() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("leder.tynset")
            let csrf = try await b.csrf()
            let made = try await b.send(
                .POST, "/teams", form: ["_csrf": csrf, "municipality": "3427", "name": "Nytt team", "lead": "NAV"])
            #expect(made.status == .seeOther)
            let team = try #require(try await InclusionTeam.query(on: app.db).filter(\.$name == "Nytt team").first())
            let path = "/teams/\(team.id!.uuidString)"
            // No meeting yet this year: the warning.
            #expect(try await b.send(.GET, path).body.string.contains("færre enn to møter"))
            // A meeting without its date is refused, naming the field, and nothing is stored.
            let bad = try await b.send(.POST, "\(path)/meetings", form: ["_csrf": csrf, "place": "Rådhuset"])
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("id=\"e-meetingDate\""))
            #expect(try await TeamMeeting.query(on: app.db).filter(\.$team.$id == team.id!).count() == 0)
            let today = LocalDate.today
            for day in [today, today.adding(days: 1)] {
                let res = try await b.send(
                    .POST, "\(path)/meetings", form: ["_csrf": csrf, "meetingDate": day.iso, "place": "Rådhuset"])
                #expect(res.status == .seeOther)
            }
            let page = try await b.send(.GET, path).body.string
            // Both in this year (unless tomorrow is next year): no warning; the template is the agenda.
            if today.adding(days: 1).year == today.year { #expect(!page.contains("færre enn to møter")) }
            let meeting = try #require(
                try await TeamMeeting.query(on: app.db).filter(\.$team.$id == team.id!).filter(\.$date == today).first()
            )
            let plan = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$municipality == "3427").first())
            let goal = try #require(
                try await PlanGoal.query(on: app.db).join(
                    PlanFocusArea.self, on: \PlanGoal.$area.$id == \PlanFocusArea.$id
                )
                .filter(PlanFocusArea.self, \.$plan.$id == plan.id!).first())
            // A goal of another municipality's plan is refused.
            let elverum = try #require(
                try await PlanGoal.query(on: app.db).join(
                    PlanFocusArea.self, on: \PlanGoal.$area.$id == \PlanFocusArea.$id
                )
                .join(IntegrationPlan.self, on: \PlanFocusArea.$plan.$id == \IntegrationPlan.$id)
                .filter(IntegrationPlan.self, \.$municipality == "3420").first())
            let foreign = try await b.send(
                .POST, "\(path)/decisions",
                form: [
                    "_csrf": csrf, "meetingId": meeting.id!.uuidString, "decision": "X",
                    "decisionGoalId": elverum.id!.uuidString,
                ])
            #expect(foreign.status == .badRequest)
            let decided = try await b.send(
                .POST, "\(path)/decisions",
                form: [
                    "_csrf": csrf, "meetingId": meeting.id!.uuidString, "decision": "Språkkafé hver tirsdag",
                    "decisionGoalId": goal.id!.uuidString, "decisionOwner": "Frivilligsentralen",
                ])
            #expect(decided.status == .seeOther)
            let decision = try #require(
                try await TeamDecision.query(on: app.db).filter(\.$meeting.$id == meeting.id!).first())
            let measure = try #require(try await PlanMeasure.find(decision.measureID, on: app.db))
            #expect(measure.title == "Språkkafé hver tirsdag")
            #expect(measure.$goal.id == goal.id)
            #expect(measure.ownerUnit == "Frivilligsentralen")
            // The plan page lists it, and the team page names the measure the decision made.
            #expect(
                try await b.send(.GET, "/plans/\(plan.id!.uuidString)").body.string.contains("Språkkafé hver tirsdag"))
            #expect(try await b.send(.GET, path).body.string.contains("Språkkafé"))
        }
    }

    @Test("The team's pages: the municipality's planning users, and partners who are members, but not the plan")
    func teamAccess() async throws {
        try await withDemoApp { app in
            let team = try #require(try await InclusionTeam.query(on: app.db).filter(\.$municipality == "3427").first())
            let path = "/teams/\(team.id!.uuidString)"
            let partner = Browser(app)
            try await partner.login("voksenopplaering.tynset")
            #expect(try await partner.send(.GET, path).status == .forbidden)
            let other = Browser(app)
            try await other.login("leder.elverum")
            #expect(try await other.send(.GET, path).status == .forbidden)
            // Added as a member by username, the partner reads the team, and still not the plan nor a write.
            let leader = Browser(app)
            try await leader.login("leder.tynset")
            let added = try await leader.send(
                .POST, "\(path)/members",
                form: [
                    "_csrf": try await leader.csrf(), "partner": "Voksenopplæringen", "keyPerson": "Randi Aas",
                    "username": "voksenopplaering.tynset",
                ])
            #expect(added.status == .seeOther)
            #expect(try await partner.send(.GET, path).status == .ok)
            #expect(try await partner.send(.GET, "/teams").status == .ok)
            let plan = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$municipality == "3427").first())
            #expect(try await partner.send(.GET, "/plans/\(plan.id!.uuidString)").status == .forbidden)
            let write = try await partner.send(
                .POST, "\(path)/meetings",
                form: ["_csrf": try await partner.csrf(), "meetingDate": LocalDate.today.iso])
            #expect(write.status == .forbidden)
            // An unknown username is refused in the user's language.
            let unknown = try await leader.send(
                .POST, "\(path)/members",
                form: ["_csrf": try await leader.csrf(), "partner": "X", "keyPerson": "Y", "username": "finnes.ikke"])
            #expect(unknown.status == .badRequest)
            #expect(unknown.body.string.contains("Ingen bruker har dette brukernavnet"))
        }
    }

    @Test("At most two PDF renderings at once: a third waits for a slot and gets the one released")
    func pdfSlots() async throws {
        let slots = ReportPDF.Slots()
        await slots.acquire()
        await slots.acquire()
        let third = Task {
            await slots.acquire()
            return true
        }
        while await slots.queued == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await slots.queued == 1)
        await slots.release()
        #expect(await third.value)
        #expect(await slots.queued == 0)
    }

    @Test("The yearly report: the year's meetings and decisions, measures by status, and its own text")
    func report() async throws {
        try await withDemoApp { app in
            let plan = try #require(
                try await IntegrationPlan.query(on: app.db).filter(\.$municipality == "3427").first())
            let path = "/plans/\(plan.id!.uuidString)/report"
            let year = LocalDate.today.year
            let b = Browser(app)
            try await b.login("leder.tynset")
            let page = try await b.send(.GET, "\(path)?year=\(year)")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Fem nye praksisplasser i kommunale enheter"))
            // Measures by status counted from the plan: two planned in the demo (one from the team).
            let planned = try await PlanMeasure.query(on: app.db)
                .join(PlanGoal.self, on: \PlanMeasure.$goal.$id == \PlanGoal.$id)
                .join(PlanFocusArea.self, on: \PlanGoal.$area.$id == \PlanFocusArea.$id)
                .filter(PlanFocusArea.self, \.$plan.$id == plan.id!).filter(\.$status == .planned).count()
            #expect(html.contains("status--planned\">Planlagt</span></th><td class=\"num\">\(planned)</td>"))
            let saved = try await b.send(
                .POST, path,
                form: ["_csrf": try await b.csrf(), "year": "\(year)", "introduction": "Et godt år for bosettingen."])
            #expect(saved.status == .seeOther)
            #expect(try await b.send(.GET, "\(path)?year=\(year)").body.string.contains("Et godt år for bosettingen."))
            #expect(try await b.send(.GET, "\(path)?year=1800").status == .badRequest)
            // The year's grants per scheme from the economy, received against computed, and next year's forecast;
            // the sums the page shows are the ledger's, or hidden where a scheme counts few persons.
            let lines = try #require(try await app.sharedFacts.grantYear("3427", year, app.db))
            let next = try #require(try await app.sharedFacts.grantYear("3427", year + 1, app.db))
            #expect(html.contains("id=\"report-grants-h\""))
            let few = (lines + next).contains { $0.persons > 0 && $0.persons < app.disclosure.threshold }
            if !few, !lines.isEmpty {
                let received = lines.reduce(0) { $0 + $1.receivedOre }
                #expect(html.contains(NorwegianFormat.kroner(ore: received)))
            } else {
                #expect(!html.contains("<tfoot><tr><th scope=\"row\">Sum</th>"))
            }
            // Another municipality's leader reads neither the report nor its PDF.
            let other = Browser(app)
            try await other.login("leder.elverum")
            #expect(try await other.send(.GET, path).status == .forbidden)
            #expect(try await other.send(.GET, "\(path).pdf").status == .forbidden)
        }
    }
}

/// The leader's start page (issue #14): the plan's indicators, settlement, programme results and overdue deadlines
/// by kind, as counts without names; partners see none of it.
@Suite("The leader's dashboard")
struct DashboardTests {
    @Test("The leader's start page: each panel, counts equal to the tables, no names; not for a partner")
    func dashboard() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("leder.elverum")
            let html = try await b.send(.GET, "/").body.string
            for id in ["panel-plan-h", "panel-settlement-h", "panel-programme-h", "panel-overdue-h"] {
                #expect(html.contains("id=\"\(id)\""), "\(id)")
            }
            // Status in words beside its colour.
            #expect(html.contains("status--behind\">Bak planen</span>"))
            // The overdue total is the count of open deadlines past due in Elverum.
            let overdue = try await OpenDeadline.query(on: app.db).filter(\.$municipality == "3420")
                .filter(\.$due < LocalDate.today).count()
            #expect(overdue >= app.disclosure.threshold)
            #expect(html.contains("I alt</th><td class=\"num\">\(overdue)</td>"))
            // No person is named or linked.
            #expect(!html.contains("href=\"/persons/"))
            let partner = Browser(app)
            try await partner.login("helse.elverum")
            let theirs = try await partner.send(.GET, "/").body.string
            for id in ["panel-plan-h", "panel-settlement-h", "panel-programme-h", "panel-overdue-h"] {
                #expect(!theirs.contains("id=\"\(id)\""), "helse: \(id)")
            }
        }
    }
}
