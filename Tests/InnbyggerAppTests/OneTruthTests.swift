import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Programme
@testable import Settlement
@testable import Worklist

/// A fact is recorded once, where its owner works, and the worklist and the person page read it from there (#11).
@Suite("One truth per fact", .serialized)
struct OneTruthTests {
    /// The persons the worklist lists under `kind`, for `user`.
    static func listed(_ b: Browser, _ kind: DeadlineKind) async throws -> String {
        try await b.send(.GET, "/worklist?kind=\(kind.rawValue)").body.string
    }

    @Test("Each programme step recorded once on the programme leaves the worklist; the file refuses a second copy")
    func programmeSteps() async throws {
        try await withDemoApp { app in
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            // A settled adult in Elverum without a programme record, whose mapping is listed.
            let withProgramme = Set(try await PersonProgramme.query(on: app.db).all().map { $0.$person.id })
            let mappingPage = try await Self.listed(advisor, .competenceMapping)
            let p = try #require(
                try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").all().first {
                    !withProgramme.contains($0.id!) && mappingPage.contains("/persons/\($0.id!)")
                })
            let t = try await token(app, for: "veileder.elverum")
            let today = LocalDate.today
            let dates = [
                "mappingDate": today.adding(days: -30), "guidanceDate": today.adding(days: -20),
                "decisionDate": today.adding(days: -10), "startDate": today.adding(days: -5),
            ]
            let body = "{" + dates.map { "\"\($0.key)\":\"\($0.value.iso)\"" }.joined(separator: ",") + "}"
            #expect(try await api(app, .PUT, "/api/v1/persons/\(p.id!)/programme", token: t, json: body).status == .ok)
            for kind in DeadlineKind.allCases.filter(\.isProgrammeStep) {
                #expect(!(try await Self.listed(advisor, kind)).contains("/persons/\(p.id!)"), "\(kind)")
            }
            // Recorded once: nothing was copied to the file's events, and the file does not take a step.
            #expect(try await DeadlineEvent.query(on: app.db).filter(\.$person.$id == p.id!).count() == 0)
            let again = try await advisor.send(
                .POST, "/persons/\(p.id!)/events",
                form: ["_csrf": try await advisor.csrf(), "kind": "competence_mapping", "date": today.iso])
            #expect(again.status == .badRequest)
            // Taking the date away on the programme puts the deadline back.
            let cleared = #"{"mappingDate":null,"guidanceDate":null,"decisionDate":null,"startDate":null}"#
            #expect(
                try await api(app, .PUT, "/api/v1/persons/\(p.id!)/programme", token: t, json: cleared).status == .ok)
            #expect(try await Self.listed(advisor, .competenceMapping).contains("/persons/\(p.id!)"))
        }
    }

    @Test("The old copies of the programme's steps in the file's events go; events of persons without a programme stay")
    func copiesRemoved() async throws {
        try await withDemoApp { app in
            let withProgramme = try #require(try await PersonProgramme.query(on: app.db).first()).$person.id
            let ids = Set(try await PersonProgramme.query(on: app.db).all().map { $0.$person.id })
            let without = try #require(try await Person.query(on: app.db).all().first { !ids.contains($0.id!) }).id!
            for (person, kind) in [
                (withProgramme, DeadlineKind.competenceMapping), (without, .competenceMapping),
                (withProgramme, .tbScreening),
            ] {
                let e = DeadlineEvent()
                e.$person.id = person
                e.kind = kind
                e.date = testDay
                e.sector = kind.sector
                try await e.create(on: app.db)
            }
            try await RemoveCopiedProgrammeSteps().prepare(on: app.db)
            let left = try await DeadlineEvent.query(on: app.db).filter(\.$person.$id ~~ [withProgramme, without]).all()
                .map { "\($0.$person.id == without ? "without" : "with") \($0.kind.rawValue)" }
            #expect(Set(left).isSuperset(of: ["without competence_mapping", "with tb_screening"]))
            #expect(!left.contains("with competence_mapping"))
        }
    }

    @Test("TB screening ticked once on the household's checklist is met for every member")
    func checklistTB() async throws {
        try await withDemoApp { app in
            let task = try #require(
                try await ArrivalTask.query(on: app.db).filter(\.$deadlineKind == .tbScreening)
                    .filter(\.$doneOn == nil).first())
            let members = try await Person.query(on: app.db).filter(\.$household.$id == task.$household.id).all()
            try #require(!members.isEmpty)
            let health = Browser(app)
            try await health.login("helse.elverum")
            let before = try await Self.listed(health, .tbScreening)
            #expect(members.allSatisfy { before.contains("/persons/\($0.id!)") })
            let done = try await health.send(
                .POST, "/households/\(task.$household.id)/tasks/\(task.id!)",
                form: ["_csrf": try await health.csrf(), "doneOn": LocalDate.today.iso])
            #expect(done.status == .seeOther)
            let after = try await Self.listed(health, .tbScreening)
            #expect(members.allSatisfy { !after.contains("/persons/\($0.id!)") })
            // The person page reads the same fact.
            #expect(try await health.send(.GET, "/persons/\(members[0].id!)").body.string.contains("status--met"))
        }
    }

    @Test("The demo's worklist has no overdue item whose fact is recorded elsewhere")
    func demoWorklist() async throws {
        try await withDemoApp { app in
            var checked = 0
            for username in ["veileder.elverum", "saksbehandler.elverum", "saksbehandler.tynset", "helse.elverum"] {
                let ctx = try await ServiceContextTests.context(app, username, route: "test")
                for item in try await WorklistController.items(ctx, .init()) where item.status == .overdue {
                    let id = item.person.id
                    if item.deadline.kind.isProgrammeStep {
                        let part = try await PersonProgramme.query(on: app.db).filter(\.$person.$id == id).first()
                        let date: LocalDate? =
                            switch item.deadline.kind {
                            case .competenceMapping: part?.mappingDate
                            case .careerGuidance: part?.guidanceDate
                            case .programmeDecision: part?.decisionDate
                            default: part?.startDate
                            }
                        #expect(date == nil, "\(item.deadline.kind) recorded on the programme for \(id)")
                    }
                    let event = try await DeadlineEvent.query(on: app.db).filter(\.$person.$id == id)
                        .filter(\.$kind == item.deadline.kind).first()
                    #expect(event == nil, "\(item.deadline.kind) recorded on the file for \(id)")
                    if item.deadline.kind == .tbScreening,
                        let h = try await Person.find(id, on: app.db)?.$household.id
                    {
                        let ticked = try await ArrivalTask.query(on: app.db).filter(\.$household.$id == h)
                            .filter(\.$deadlineKind == .tbScreening).filter(\.$doneOn != nil).count()
                        #expect(ticked == 0, "TB ticked on the checklist for \(id)")
                    }
                    checked += 1
                }
            }
            #expect(checked > 0)
        }
    }
}

/// The payout list pays neither the days of a temporary stop nor leave granted without the benefit (#11).
@Suite("Payouts during stops and unpaid leave", .serialized)
struct UnpaidDaysPayoutTests {
    @Test("The demo's stopped participants and those on unpaid leave are paid only their other days")
    func payouts() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "veileder.elverum")
            let month = YearMonth(testDay)
            let res = try await api(app, .GET, "/api/v1/programme/payouts?month=\(month.iso)", token: t)
            #expect(res.status == .ok)
            let lines = try res.content.decode(ProgrammeLists.Payouts.self).lines
            let parts = try await PersonProgramme.query(on: app.db).with(\.$leaves).all()
            var checked = 0
            for line in lines {
                let part = try #require(parts.first { $0.$person.id == line.personId })
                guard let start = part.startDate, start < month.firstDay, part.endDate == nil else { continue }
                if part.stopKind == .temporary, let stop = part.stopDate, stop > month.firstDay, part.stopEnd == nil {
                    #expect(line.daysInProgramme == month.firstDay.days(until: stop), "stopped \(line.name)")
                    checked += 1
                } else if let leave = part.leaves.first(where: { !$0.withBenefit && $0.from > month.firstDay }) {
                    #expect(line.daysInProgramme == month.firstDay.days(until: leave.from), "on leave \(line.name)")
                    checked += 1
                }
            }
            #expect(checked >= 2)
        }
    }

    @Test("Leave without benefit is recorded from the programme page's form")
    func leaveForm() async throws {
        try await withDemoApp { app in
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).filter(\.$endDate == nil).first())
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let res = try await b.send(
                .POST, "/persons/\(part.$person.id)/programme/leaves",
                form: [
                    "_csrf": try await b.csrf(), "from": testDay.adding(days: -3).iso, "to": testDay.iso,
                    "reason": "Velferdspermisjon", "withoutBenefit": "on",
                ])
            #expect(res.status == .seeOther)
            let leave = try #require(
                try await ProgrammeLeave.query(on: app.db).filter(\.$participation.$id == part.id!)
                    .filter(\.$reason == "Velferdspermisjon").first())
            #expect(!leave.withBenefit)
            let page = try await b.send(.GET, "/persons/\(part.$person.id)/programme").body.string
            #expect(page.contains("Velferdspermisjon – uten stønad"))
        }
    }

    @Test("A month after the G's successor was due says so on the payout list and the programme page")
    func staleG() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let warning = "Grunnbeløpet (G) i satstabellen er fra 01.05.2025"
            #expect(try await b.send(.GET, "/programme/payouts?month=2026-11").body.string.contains(warning))
            #expect(!(try await b.send(.GET, "/programme/payouts?month=2026-04").body.string.contains(warning)))
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).filter(\.$endDate == nil).first())
            #expect(try await b.send(.GET, "/persons/\(part.$person.id)/programme").body.string.contains(warning))
        }
    }
}
