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

@Suite("Journal", .serialized)
struct JournalTests {
    @Test("A health note stays with health unless shared; edits keep history")
    func sectorVisibility() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app, sharedWith: .health)
            let health = try await token(app, for: "helse.elverum")
            let caseWorker = try await token(app, for: "saksbehandler.elverum")
            let nav = try await token(app, for: "nav.elverum")
            let secret = #"{"date":"2025-03-01","category":"health","text":"Helsenotat kun for helse"}"#
            let created = try await api(app, .POST, "/api/v1/persons/\(p.id!)/journal", token: health, json: secret)
            #expect(created.status == .created)
            let note = try created.content.decode(JournalAPIController.EntryDTO.self)
            #expect(note.sector == .health)
            // The integration service does not see it, in the list or directly.
            let cwList = try await api(app, .GET, "/api/v1/persons/\(p.id!)/journal", token: caseWorker)
            #expect(cwList.status == .ok)
            #expect(!cwList.body.string.contains("Helsenotat"))
            #expect(try await api(app, .GET, "/api/v1/journal/\(note.id)", token: caseWorker).status == .forbidden)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            #expect(!(try await b.send(.GET, "/persons/\(p.id!)").body.string.contains("Helsenotat")))
            // Shared, it is visible to the integration service, but only health may change it.
            let shared = #"{"date":"2025-03-01","category":"health","text":"Helsenotat delt","shared":true}"#
            let updated = try await api(app, .PUT, "/api/v1/journal/\(note.id)", token: health, json: shared)
            #expect(updated.status == .ok)
            #expect(try updated.content.decode(JournalAPIController.EntryDTO.self).edited)
            #expect(
                try await api(app, .GET, "/api/v1/journal/\(note.id)", token: caseWorker).body.string.contains(
                    "Helsenotat delt"))
            #expect(
                try await api(app, .PUT, "/api/v1/journal/\(note.id)", token: caseWorker, json: secret).status
                    == .forbidden)
            // NAV sees shared notes only on files shared with NAV.
            if !p.activeSectors.contains(.nav) {
                #expect(try await api(app, .GET, "/api/v1/journal/\(note.id)", token: nav).status == .forbidden)
            }
            let versions = try await JournalVersion.query(on: app.db).filter(\.$entry.$id == note.id).all()
            #expect(versions.map(\.text) == ["Helsenotat kun for helse"])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "journal_update").count() == 1)
        }
    }

    @Test("Notes are written from the person page and edited with history shown")
    func pageFlow() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let res = try await b.send(
                .POST, "/persons/\(p.id!)/journal",
                form: [
                    "_csrf": try await b.csrf(), "date": LocalDate.today.iso, "category": "meeting",
                    "text": "Første samtale",
                ])
            #expect(res.status == .seeOther)
            let entry = try #require(
                try await JournalEntry.query(on: app.db).filter(\.$person.$id == p.id!).filter(
                    \.$text == "Første samtale"
                ).first())
            #expect(entry.sector == .integration)
            #expect(entry.shared == false)
            #expect(try await b.send(.GET, "/persons/\(p.id!)").body.string.contains("Første samtale"))
            let bad = try await b.send(
                .POST, "/journal/\(entry.id!)",
                form: ["_csrf": try await b.csrf(), "date": "2025-02-30", "category": "meeting", "text": "x"])
            #expect(bad.status == .badRequest)
            let ok = try await b.send(
                .POST, "/journal/\(entry.id!)",
                form: [
                    "_csrf": try await b.csrf(), "date": LocalDate.today.iso, "category": "meeting",
                    "text": "Første samtale, rettet",
                ])
            #expect(ok.status == .seeOther)
            let edit = try await b.send(.GET, "/journal/\(entry.id!)/edit").body.string
            #expect(edit.contains("Første samtale, rettet"))
            #expect(edit.contains("id=\"history\""))
            let other = Browser(app)
            try await other.login("saksbehandler.tynset")
            #expect(try await other.send(.GET, "/journal/\(entry.id!)/edit").status == .forbidden)
        }
    }

    @Test(
        "Bad journal input names the field",
        arguments: [
            (#"{"date":"2025-02-30","category":"general","text":"x"}"#, "date"),
            (#"{"date":"2025-01-01","category":"gossip","text":"x"}"#, "category"),
            (#"{"date":"2025-01-01","category":"general","text":"   "}"#, "text"),
        ])
    func badInput(_ json: String, _ field: String) async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let res = try await api(
                app, .POST, "/api/v1/persons/\(p.id!)/journal", token: try await token(app, for: "veileder.elverum"),
                json: json)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
        }
    }
}
