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
            #expect(lines.first == "person_id,family_name,given_name,municipality,deadline,due,status,reference")
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
        #expect(CSV.row(["a", "b,c", "d\"e", "=SUM(A1)", "-1"]) == "a,\"b,c\",\"d\"\"e\",'=SUM(A1),'-1")
    }
}
