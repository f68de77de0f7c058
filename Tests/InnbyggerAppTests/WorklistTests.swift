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

@Suite("Worklist and deadline events", .serialized)
struct WorklistTests {
    @Test("The health station records a TB screening on a shared file; the deadline is met and leaves the worklist")
    func healthRecordsTB() async throws {
        try await withDemoApp { app in
            // A shared file whose TB screening is not yet recorded.
            let recorded = Set(
                try await DeadlineEvent.query(on: app.db).filter(\.$kind == .tbScreening).all().map { $0.$person.id })
            let candidates = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").with(\.$shares)
                .all()
            let p = try #require(
                candidates.first {
                    $0.activeSectors.contains(.health) && !recorded.contains($0.id!)
                        && app.rulesEngine.evaluate($0.facts, asOf: .today).deadlines.contains {
                            $0.kind == .tbScreening
                        }
                })
            let eventsBefore = try await DeadlineEvent.query(on: app.db).count()
            let health = Browser(app)
            try await health.login("helse.elverum")
            let before = try await health.send(.GET, "/worklist?kind=tb_screening").body.string
            #expect(before.contains("/persons/\(p.id!)"))
            let future = LocalDate.today.adding(days: 3).iso
            #expect(
                try await health.send(
                    .POST, "/persons/\(p.id!)/events",
                    form: ["_csrf": try await health.csrf(), "kind": "tb_screening", "date": future]
                ).status == .badRequest)
            let ok = try await health.send(
                .POST, "/persons/\(p.id!)/events",
                form: ["_csrf": try await health.csrf(), "kind": "tb_screening", "date": LocalDate.today.iso])
            #expect(ok.status == .seeOther)
            let page = try await health.send(.GET, "/persons/\(p.id!)").body.string
            #expect(page.contains("status--met"))
            let after = try await health.send(.GET, "/worklist?kind=tb_screening").body.string
            #expect(!after.contains("/persons/\(p.id!)"))
            let entry = try #require(
                try await AuditEntry.query(on: app.db).filter(\.$action == "record_tb_screening").first())
            #expect(entry.recordID == p.id!.uuidString)
            // Not the health station's sector, or not shared with it: refused, nothing stored.
            #expect(
                try await health.send(
                    .POST, "/persons/\(p.id!)/events",
                    form: ["_csrf": try await health.csrf(), "kind": "programme_start", "date": LocalDate.today.iso]
                ).status == .forbidden)
            let unshared = try await person(in: "3420", app, notSharedWith: .health)
            #expect(
                try await health.send(
                    .POST, "/persons/\(unshared.id!)/events",
                    form: ["_csrf": try await health.csrf(), "kind": "tb_screening", "date": LocalDate.today.iso]
                ).status == .forbidden)
            #expect(try await DeadlineEvent.query(on: app.db).count() == eventsBefore + 1)
        }
    }

    @Test("A partner's worklist holds only its own sector's deadlines; a leader has none")
    func partnerScope() async throws {
        try await withDemoApp { app in
            let health = Browser(app)
            try await health.login("helse.elverum")
            let html = try await health.send(.GET, "/worklist").body.string
            #expect(html.contains("Tuberkuloseundersøkelse") || html.contains("Helseundersøkelse"))
            #expect(!html.contains("<td>Oppstart i introduksjonsprogram</td>"))
            let leader = Browser(app)
            try await leader.login("leder.elverum")
            #expect(try await leader.send(.GET, "/worklist").status == .forbidden)
        }
    }

    @Test("The worklist exports as CSV, and the export is audited")
    func csvExport() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let page = try await b.send(.GET, "/worklist").body.string
            #expect(page.contains("status") || page.contains("Forfalt"))
            let res = try await b.send(.GET, "/worklist.csv?kind=programme_start")
            #expect(res.status == .ok)
            #expect(res.headers.contentType?.subType == "csv")
            let lines = res.body.string.split(separator: "\r\n")
            #expect(
                lines.first == "\u{FEFF}person_id;family_name;given_name;municipality;deadline;due;status;reference")
            #expect(lines.count > 1)
            #expect(
                lines.dropFirst().allSatisfy {
                    $0.contains("Oppstart i introduksjonsprogram") && $0.contains("Elverum")
                })
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").count() == 1)
            #expect(try await b.send(.GET, "/worklist?kind=nonsense").status == .badRequest)
        }
    }

    @Test("CSV cells are quoted and cannot become formulas")
    func csvEscaping() {
        #expect(
            CSV.row(["a", "b;c", "d\"e", "=SUM(A1)", "-1", "1,5"]) == "a;\"b;c\";\"d\"\"e\";'=SUM(A1);'-1;\"1,5\"")
    }

    /// The names in the worklist's deadline table, in order.
    static func names(_ html: String) -> [String] {
        guard let start = html.range(of: "id=\"g-deadlines\""),
            let end = html[start.upperBound...].range(of: "</table>")
        else { return [] }
        let table = String(html[start.upperBound..<end.lowerBound])
        let pattern = try! Regex(#"<td><a href="/persons/[^"]+">([^<]+)</a></td>"#)
        return table.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) }
    }

    @Test("The worklist pages 50 rows, sorts three ways, filters by name and says why a filter is empty")
    func pagingSortingFilter() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let first = try await b.send(.GET, "/worklist").body.string
            let rows = Self.names(first)
            #expect(rows.count == WorklistController.pageSize)
            #expect(first.contains("Side 1 av"))
            let items = try await WorklistController.items(
                ServiceContext(
                    app: app,
                    user: try await CurrentUser.load(
                        try #require(
                            try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first()),
                        on: app.db), route: "test"), .init())
            #expect(items.count > WorklistController.pageSize)
            let second = Self.names(try await b.send(.GET, "/worklist?page=2").body.string)
            #expect(second.count == min(WorklistController.pageSize, items.count - WorklistController.pageSize))
            #expect(try await b.send(.GET, "/worklist?page=0").status == .badRequest)
            #expect(try await b.send(.GET, "/worklist?sort=nonsense").status == .badRequest)
            // Most overdue first: the due dates never decrease down the list; by name: alphabetical.
            let dues = items.map(\.deadline.due)
            #expect(dues == dues.sorted())
            let byName = Self.names(try await b.send(.GET, "/worklist?sort=name").body.string)
            #expect(byName == byName.sorted())
            let upcoming = try await b.send(.GET, "/worklist?sort=upcoming").body.string
            let firstRow = try #require(upcoming.range(of: "<tr class=\"deadline--"))
            #expect(!upcoming[firstRow.upperBound...].hasPrefix("overdue"))
            // By name: only that person's deadlines.
            let someone = try #require(items.first).person
            let filtered = Self.names(try await b.send(.GET, "/worklist?q=\(someone.familyName)").body.string)
            #expect(!filtered.isEmpty && filtered.allSatisfy { $0.hasPrefix(someone.familyName) })
            // An empty result says why.
            let none = try await b.send(.GET, "/worklist?q=Ingenslikenavn&kind=school_start").body.string
            #expect(none.contains("Ingen åpne frister passer filteret"))
            #expect(none.contains("navn som inneholder «Ingenslikenavn»") && none.contains("Skolestart"))
        }
    }

    @Test("'Mine personer' works for case workers: the files they are responsible for; none says so")
    func mineForCaseWorkers() async throws {
        try await withDemoApp { app in
            let cw = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            let followed = try await Person.query(on: app.db).filter(\.$caseWorkerID == cw.id!).count()
            #expect(followed > 0)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let mine = try await b.send(.GET, "/worklist?who=mine&sort=name").body.string
            #expect(!Self.names(mine).isEmpty)
            let ids = try await Person.query(on: app.db).filter(\.$caseWorkerID == cw.id!).all().map {
                $0.id!.uuidString
            }
            let pattern = try! Regex(#"<td><a href="/persons/([^"]+)">"#)
            let linked = mine.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) }
            #expect(linked.allSatisfy { ids.contains($0) })
            // A case worker responsible for no one is told so.
            let tynset = Browser(app)
            try await tynset.login("saksbehandler.tynset")
            let tynsetUser = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.tynset").first())
            try await Person.query(on: app.db).filter(\.$caseWorkerID == tynsetUser.id!).set(\.$caseWorkerID, to: nil)
                .update()
            try await Person.query(on: app.db).filter(\.$advisorID == tynsetUser.id!).set(\.$advisorID, to: nil)
                .update()
            let empty = try await tynset.send(.GET, "/worklist?who=mine").body.string
            #expect(empty.contains("ansvarlig saksbehandler for noen ennå"))
        }
    }
}

@Suite("The start page is a work page", .serialized)
struct StartPageTests {
    @Test("Overdue deadlines by kind, answers to IMDi due and plan reviews due, mine and the service's")
    func workPage() async throws {
        try await withDemoApp { app in
            let cwUser = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            let ctx = ServiceContext(app: app, user: try await CurrentUser.load(cwUser, on: app.db), route: "test")
            let overdue = try await WorklistController.items(ctx, .init()).filter { $0.status == .overdue }
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let home = try await b.send(.GET, "/").body.string
            #expect(home.contains("id=\"work-h\""))
            for (kind, items) in Dictionary(grouping: overdue, by: \.deadline.kind) {
                let mine = items.filter { $0.person.advisorID == cwUser.id || $0.person.caseWorkerID == cwUser.id }
                #expect(
                    home.contains("<a href=\"/worklist?kind=\(kind.rawValue)\">\(items.count)</a>"),
                    "\(kind.rawValue): \(items.count)")
                #expect(
                    home.contains("<a href=\"/worklist?kind=\(kind.rawValue)&amp;who=mine\">\(mine.count)</a>")
                        || home.contains("<a href=\"/worklist?kind=\(kind.rawValue)&who=mine\">\(mine.count)</a>"))
            }
            // An answer to IMDi falling due shows for the staff who answer it.
            let h = try #require(
                try await IncomingHousehold.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$decision == .pending).first())
            h.answerDueAt = Oslo.now().addingTimeInterval(-60)
            try await h.update(on: app.db)
            #expect(try await b.send(.GET, "/").body.string.contains("Svar til IMDi over fristen"))
            // The programme advisor sees plan reviews due; a leader sees no work list at all.
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            #expect(try await advisor.send(.GET, "/").body.string.contains("Plangjennomganger som forfaller"))
            let leader = Browser(app)
            try await leader.login("leder.elverum")
            #expect(!(try await leader.send(.GET, "/").body.string.contains("id=\"work-h\"")))
        }
    }
}
