import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Programme
@testable import Settlement
@testable import Worklist

/// The worklist reads the deadline table (issue #12); these tests hold the table to what the rules engine says
/// about every file, after the writes that change it, and page it while files are added.
@Suite("Scale: derived tables, paging and aggregates in the database", .serialized)
struct DeadlineTableTests {
    /// What the worklist showed before the table: the rules engine over every file the user may read, minus the
    /// deadlines met, filtered by sector for partners. Independent of the table.
    static func reference(_ app: Application, _ ctx: ServiceContext) async throws -> [String] {
        let user = try ctx.requireUser()
        let codes = try await ctx.municipalities(where: .list) { .personalDataList(municipality: $0) }
        let persons = try await Person.query(on: app.db).filter(\.$municipality.$id ~~ codes).with(\.$shares).all()
            .filter { ctx.may(.read, $0.resource) }
        let events = try await DeadlineEvents.dates(for: persons.compactMap(\.id), features: app.features, on: app.db)
        let staff = user.principal.roles.contains(where: \.isIntegrationStaff)
        let sectors = Set(user.principal.roles.compactMap(\.partnerSector))
        var out: [String] = []
        for p in persons {
            for d in app.rulesEngine.evaluate(p.facts, asOf: .today).deadlines where d.kind.isMetByEvent {
                if !staff && !sectors.contains(d.kind.sector) { continue }
                if events[p.id!]?[d.kind] == nil { out.append("\(p.id!) \(d.kind.rawValue) \(d.due.iso)") }
            }
        }
        return out.sorted()
    }

    static func table(_ ctx: ServiceContext) async throws -> [String] {
        try await WorklistController.items(ctx, .init()).map {
            "\($0.person.id) \($0.deadline.kind.rawValue) \($0.deadline.due.iso)"
        }.sorted()
    }

    static let users = ["saksbehandler.elverum", "veileder.elverum", "helse.elverum", "saksbehandler.tynset"]

    static func expectAgreement(_ app: Application, _ step: String) async throws {
        for username in users {
            let ctx = try await ServiceContextTests.context(app, username, route: "test")
            let table = try await table(ctx)
            let reference = try await reference(app, ctx)
            #expect(table == reference, "\(username) after \(step)")
        }
    }

    @Test("The table holds what the rules engine computes for every file, and follows the writes that change a file")
    func agreesWithTheRules() async throws {
        try await withDemoApp { app in
            try await Self.expectAgreement(app, "the demo")
            let ctx = try await ServiceContextTests.context(app, "saksbehandler.elverum", route: "test")
            // A file's dates change: its deadlines move.
            let p = try await person(in: "3420", app)
            var input = PersonInput(p)
            input.settlementDate = LocalDate.today.adding(days: -20).iso
            input.arrivalDate = LocalDate.today.adding(days: -30).iso
            input.permitDate = LocalDate.today.adding(days: -40).iso
            let changed = input
            _ = try await ctx.write { _ in try await PersonService.update(ctx, p.id, changed) }
            try await Self.expectAgreement(app, "a file's settlement date changed")
            // An event is recorded on a file: the deadline leaves.
            let open = try #require(
                try await WorklistController.items(ctx, .init()).first { $0.deadline.kind.isRecordedOnFile })
            _ = try await ctx.write { _ in
                try await DeadlineEvents.record(
                    ctx, personID: open.person.id, kind: open.deadline.kind.rawValue, date: LocalDate.today.iso)
            }
            try await Self.expectAgreement(app, "an event recorded")
            // A checklist task that meets the TB deadline for a whole household.
            if let task = try await ArrivalTask.query(on: app.db).filter(\.$deadlineKind == .tbScreening)
                .filter(\.$doneOn == nil).first()
            {
                _ = try await ctx.write { _ in
                    try await ArrivalChecklist.mark(
                        ctx, householdID: task.$household.id, taskID: task.id, TaskInput(doneOn: LocalDate.today.iso))
                }
                try await Self.expectAgreement(app, "a checklist task ticked")
            }
            // A new file gets its deadlines at once; a deleted one loses them.
            let created = try await ctx.write { _ in
                try await PersonService.create(ctx, Self.newFile)
            }
            #expect(try await OpenDeadline.query(on: app.db).filter(\.$person.$id == created.id!).count() > 0)
            try await Self.expectAgreement(app, "a file created")
            try await ctx.write { _ in try await PersonService.delete(ctx, created.id) }
            #expect(try await OpenDeadline.query(on: app.db).filter(\.$person.$id == created.id!).count() == 0)
            try await Self.expectAgreement(app, "a file deleted")
        }
    }

    static var newFile: PersonInput {
        PersonInput(
            municipality: "3420", givenName: "Ny", familyName: "Tabellsen", birthDate: "1990-01-01",
            sex: "female", citizenship: "SY", residenceGround: "refugee",
            arrivalDate: LocalDate.today.adding(days: -5).iso,
            settlementDate: LocalDate.today.adding(days: -3).iso,
            permitDate: LocalDate.today.adding(days: -10).iso)
    }

    @Test("A file not computed today is computed again by the day's pass")
    func dailyPass() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let before = try await OpenDeadline.query(on: app.db).filter(\.$person.$id == p.id!).count()
            #expect(before > 0)
            // As if the file had last been computed yesterday, with nothing open then.
            try await OpenDeadline.query(on: app.db).filter(\.$person.$id == p.id!).delete()
            try await DeadlineState.query(on: app.db).filter(\.$id == p.id!)
                .set(\.$computedOn, to: LocalDate.today.adding(days: -1)).update()
            await app.deadlineIndex.invalidate()
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            #expect(try await b.send(.GET, "/worklist").status == .ok)
            #expect(try await OpenDeadline.query(on: app.db).filter(\.$person.$id == p.id!).count() == before)
        }
    }

    @Test(
        "Paging by cursor returns every row exactly once, in order, while files are added",
        arguments: ["overdue", "upcoming", "name"])
    func pagingWhileInserting(sort: String) async throws {
        try await withDemoApp { app in
            let ctx = try await ServiceContextTests.context(app, "saksbehandler.elverum", route: "test")
            let filter = WorklistController.Filter(sort: sort)
            let scope = try await WorklistController.scope(ctx, filter)
            let before = try await WorklistController.items(ctx, filter).map(\.cursor)
            var seen: [WorklistController.Item] = []
            var cursor: Cursor? = nil
            var added = 0
            while true {
                let page = try await WorklistController.rows(ctx, scope, limit: 7, after: cursor)
                seen += page
                guard let last = page.last else { break }
                cursor = last.cursor
                // Someone stores a new file between two pages.
                let n = added
                _ = try await ctx.write { _ in
                    try await PersonService.create(
                        ctx,
                        PersonInput(
                            municipality: "3420", givenName: "Side\(n)", familyName: "Innsatt",
                            birthDate: "1985-05-05", sex: "male", citizenship: "ER", residenceGround: "refugee",
                            arrivalDate: LocalDate.today.adding(days: -200 - n).iso,
                            settlementDate: LocalDate.today.adding(days: -190 - n).iso,
                            permitDate: LocalDate.today.adding(days: -210 - n).iso))
                }
                added += 1
            }
            let keys = seen.map(\.cursor.token)
            #expect(Set(keys).count == keys.count, "a row came twice")
            // Every row that was there before is there, once, and the order is the list's order.
            let tokens = Set(keys)
            #expect(before.allSatisfy { tokens.contains($0.token) })
            let all = try await WorklistController.items(ctx, filter).map(\.cursor.token)
            #expect(keys == all.filter { tokens.contains($0) })
            #expect(added > 3)
            // A cursor this service did not make is refused as bad input.
            #expect(throws: ValidationFailure.self) { try Cursor(token: "not a cursor") }
        }
    }

    @Test("The person list API pages by cursor: every file exactly once, in name order, while files are added")
    func personCursorPaging() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            struct Page: Decodable {
                struct Item: Decodable { var id: UUID }
                var items: [Item]
                var nextCursor: String?
                var page: Int?
            }
            func get(_ path: String) async throws -> Page {
                let res = try await api(app, .GET, path, token: t)
                #expect(res.status == .ok, "\(path): \(res.body.string)")
                return try JSONDecoder().decode(Page.self, from: res.body)
            }
            let before = try await get("/api/v1/persons?limit=200").items.map(\.id)
            var seen: [Page.Item] = []
            var path = "/api/v1/persons?limit=9"
            var added = 0
            while true {
                let page = try await get(path)
                #expect(page.page == nil || seen.isEmpty)
                seen += page.items
                guard let next = page.nextCursor else { break }
                path = "/api/v1/persons?limit=9&cursor=\(next)"
                // A file stored between two pages, with a name early in the order.
                let created = try await api(
                    app, .POST, "/api/v1/persons", token: t,
                    json: """
                        {"municipality":"3420","givenName":"Ny\(added)","familyName":"Aaberg","birthDate":"1980-01-01",
                        "sex":"female","citizenship":"SY","residenceGround":"refugee"}
                        """)
                #expect(created.status == .created, "\(created.body.string)")
                added += 1
            }
            let ids = seen.map(\.id)
            #expect(Set(ids).count == ids.count, "a file came twice")
            #expect(Set(before).isSubset(of: Set(ids)), "a file was skipped")
            // The database's own name order (its collation), as one page gave it before.
            #expect(ids.filter(Set(before).contains) == before)
            #expect(added > 2)
            // A cursor the service did not make, or a limit out of range, is 400 in the user's terms.
            #expect(try await api(app, .GET, "/api/v1/persons?cursor=bogus", token: t).status == .badRequest)
            #expect(try await api(app, .GET, "/api/v1/persons?cursor=", token: t).status == .badRequest)
            #expect(try await api(app, .GET, "/api/v1/persons?limit=500", token: t).status == .badRequest)
        }
    }

    /// Every participation's summary row against the Core rules computed afresh from its records.
    static func expectSummariesAgree(_ app: Application, _ step: String) async throws {
        let parts = try await PersonProgramme.query(on: app.db).with(\.$person).with(\.$measures).with(\.$leaves)
            .with(\.$attendance).with(\.$reviews).with(\.$outcomes).with(\.$deductions).all()
        let rows = Dictionary(
            uniqueKeysWithValues: try await ProgrammeSummary.query(on: app.db).all().map { ($0.id!, $0) })
        #expect(rows.count == parts.count, "\(step): one summary per participation")
        for part in parts {
            let facts = ProgrammeFacts(
                part: part, person: part.person, parameters: app.programmeParameters, today: .today)
            let row = try #require(rows[part.id!], "\(step): no summary")
            #expect(row.status == facts.status, "\(step)")
            #expect(row.isOpen == facts.isOpen, "\(step)")
            #expect(row.plannedEnd == facts.plannedEnd, "\(step)")
            #expect(row.nextReview == facts.nextReview, "\(step)")
            #expect(row.endYear == facts.end?.year, "\(step)")
            #expect(row.nirMissing == NIRCompleteness.missing(facts.nirSnapshot).joined(separator: " "), "\(step)")
        }
    }

    @Test("The programme summaries hold what the rules compute, and follow a review and an ending")
    func programmeSummaries() async throws {
        try await withDemoApp { app in
            try await Self.expectSummariesAgree(app, "the demo")
            let ctx = try await ServiceContextTests.context(app, "veileder.elverum", route: "test")
            // An open programme of the advisor's own municipality (the rows come in no fixed order).
            let open = try #require(
                try await ProgrammeSummary.query(on: app.db).filter(\.$isOpen == true)
                    .filter(\.$municipality == "3420").all().first {
                        $0.startDate.map { $0 < .today } ?? false
                    })
            _ = try await ctx.write { _ in
                try await ProgrammeService.addReview(
                    ctx, open.personID, ReviewInput(date: LocalDate.today.iso, note: "Gjennomgått"))
            }
            try await Self.expectSummariesAgree(app, "a review")
            _ = try await ctx.write { _ in
                try await ProgrammeService.end(
                    ctx, open.personID, EndingInput(endDate: LocalDate.today.iso, endReason: "completed_work"))
            }
            try await Self.expectSummariesAgree(app, "an ending")
            #expect(try await ProgrammeSummary.find(open.id, on: app.db)?.isOpen == false)
        }
    }

    @Test("The household list API pages by cursor: every household exactly once while households are added")
    func householdCursorPaging() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            struct Item: Decodable { var id: UUID }
            let all = try await api(app, .GET, "/api/v1/households?limit=200", token: t)
            let before = try JSONDecoder().decode([Item].self, from: all.body).map(\.id)
            #expect(all.headers.first(name: "X-Total-Count") == "\(before.count)")
            var seen: [UUID] = []
            var path = "/api/v1/households?limit=2"
            var added = 0
            while true {
                let res = try await api(app, .GET, path, token: t)
                #expect(res.status == .ok)
                seen += try JSONDecoder().decode([Item].self, from: res.body).map(\.id)
                guard let next = res.headers.first(name: "X-Next-Cursor") else { break }
                path = "/api/v1/households?limit=2&cursor=\(next)"
                let created = try await api(
                    app, .POST, "/api/v1/households", token: t,
                    json: #"{"municipality":"3420","name":"Aaa-familien \#(added)"}"#)
                #expect(created.status == .created, "\(created.body.string)")
                added += 1
            }
            #expect(Set(seen).count == seen.count, "a household came twice")
            #expect(seen.filter(Set(before).contains) == before, "a household was skipped or out of order")
            #expect(added > 2)
            #expect(try await api(app, .GET, "/api/v1/households?cursor=x", token: t).status == .badRequest)
            #expect(try await api(app, .GET, "/api/v1/households?cursor=", token: t).status == .badRequest)
        }
    }

    @Test("The payout list read month by month equals the benefit computed from every record of every participation")
    func payoutsEqualFullLoad() async throws {
        try await withDemoApp { app in
            let ctx = try await ServiceContextTests.context(app, "saksbehandler.elverum", route: "test")
            var checked = 0
            for back in [0, 1, 3, 6, 12] {
                let month = YearMonth(LocalDate.today.adding(days: -30 * back))
                let f = ProgrammeLists.Filter(municipality: nil, month: month.iso)
                let lines = try await ProgrammeLists.payoutList(ctx, f).payouts.lines
                // Independent: every participation with all its records, as the lists loaded them before.
                let (all, _) = try await ProgrammeLists.rows(ctx, f, audit: "test")
                let expected = all.compactMap { r -> String? in
                    guard let b = r.facts.benefit(for: month), b.daysInProgramme > 0 else { return nil }
                    return "\(r.person.id!) \(b.daysInProgramme) \(b.monthlyOre) \(b.absenceDeductionOre) "
                        + "\(b.otherDeductionsOre) \(b.netOre)"
                }
                let got = lines.map {
                    "\($0.personId) \($0.daysInProgramme) \($0.monthlyOre) \($0.absenceDeductionOre) "
                        + "\($0.otherDeductionsOre) \($0.netOre)"
                }
                #expect(got == expected, "\(month.iso)")
                checked += got.count
            }
            #expect(checked > 0)
        }
    }
}
