import Fluent
import Foundation
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

private let personBody =
    #"{"municipality":"3420","givenName":"Sam","familyName":"Samtidig","birthDate":"1990-01-01","sex":"female","citizenship":"SY","residenceGround":"refugee"}"#

/// Issue #9: writes committed with their audit entry, no header injection, no crash by one request, no privilege
/// escalation. Each test here failed before its fix.
@Suite("Reliability and security defects (#9)", .serialized)
struct ReliabilityTests {
    @Test("Concurrent writers: no 5xx, and every stored person and note has its audit entry")
    func concurrentWrites() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let target = try await person(in: "3420", app)
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for i in 0..<48 {
                    group.addTask {
                        if i % 2 == 0 {
                            return try await api(app, .POST, "/api/v1/persons", token: t, json: personBody).status.code
                        }
                        let note = #"{"date":"2026-01-05","category":"general","text":"Samtidig \#(i)","shared":false}"#
                        return try await api(app, .POST, "/api/v1/persons/\(target.id!)/journal", token: t, json: note)
                            .status.code
                    }
                }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 }, "\(statuses.filter { $0 != 201 })")
            let persons = try await Person.query(on: app.db).filter(\.$familyName == "Samtidig").all()
            #expect(persons.count == 24)
            for p in persons {
                let n = try await AuditEntry.query(on: app.db).filter(\.$action == "create")
                    .filter(\.$recordID == p.id!.uuidString).count()
                #expect(n == 1)
            }
            let notes = try await JournalEntry.query(on: app.db).filter(\.$text ~~ "Samtidig").all()
            #expect(notes.count == 24)
            for e in notes {
                let n = try await AuditEntry.query(on: app.db).filter(\.$action == "journal_create")
                    .filter(\.$recordID == e.id!.uuidString).count()
                #expect(n == 1)
            }
            #expect(try await app.auditLog.verify(on: app.db).problem == nil)
        }
    }

    @Test("A write that fails after storing leaves neither the record nor an audit entry")
    func failedWriteStoresNothing() async throws {
        struct Boom: Error {}
        try await withDemoApp { app in
            let before = try await auditCount(app)
            let persons = try await Person.query(on: app.db).count()
            let log = app.auditLog
            await #expect(throws: Boom.self) {
                try await app.write { tx in
                    let p = Person()
                    let input = try JSONDecoder().decode(PersonInput.self, from: Data(personBody.utf8))
                    try input.validated().apply(to: p)
                    try await p.create(on: tx)
                    try await log.append(
                        [
                            AuditDraft(
                                userID: nil, municipality: "3420", action: "create",
                                recordType: "person", recordID: p.id?.uuidString, route: "test")
                        ], on: tx)
                    throw Boom()
                }
            }
            #expect(try await auditCount(app) == before)
            #expect(try await Person.query(on: app.db).count() == persons)
            // A refusal inside a rolled-back write is still audited.
            let t = try await token(app, for: "saksbehandler.tynset")
            let other = try await person(in: "3420", app)
            let refusedBefore = try await AuditEntry.query(on: app.db).filter(\.$action == "denied_update").count()
            let res = try await api(app, .PUT, "/api/v1/persons/\(other.id!)", token: t, json: personBody)
            #expect(res.status == .forbidden)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "denied_update").count() == refusedBefore + 1
            )
        }
    }

    @Test(
        "Redirect targets: only the application's own pages; CR, LF, TAB and other hosts go to /",
        arguments: [
            ("/%0d%0aSet-Cookie:%20innbygger_session=attacker", "/"),
            ("/%0aSet-Cookie:x=y", "/"),
            ("/%09/evil.example", "/"),
            ("//evil.example", "/"),
            ("/%5Cevil.example", "/"),
            ("https://evil.example", "/"),
            ("/no-such-page", "/"),
            ("/login", "/"),
            ("/persons", "/persons"),
            ("/persons?q=abc", "/persons?q=abc"),
            ("/worklist", "/worklist"),
        ])
    func redirects(_ back: String, _ expected: String) async throws {
        try await withDemoApp { app in
            let res = try await app.testing().sendRequest(.GET, "/lang/en?back=\(back)")
            #expect(res.status == .seeOther)
            #expect(res.headers.first(name: .location) == expected)
            #expect(!res.headers[.setCookie].contains { $0.hasPrefix("innbygger_session") })
            let login = try await app.testing().sendRequest(.GET, "/login?next=\(back)")
            #expect(
                login.body.string.contains(
                    "name=\"next\" value=\"\(expected.replacingOccurrences(of: "&", with: "&amp;"))\""))
        }
    }

    @Test("A person's own page is a valid target")
    func redirectToRecord() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let res = try await app.testing().sendRequest(.GET, "/lang/nb?back=/persons/\(p.id!)")
            #expect(res.headers.first(name: .location) == "/persons/\(p.id!)")
        }
    }

    @Test(
        "Paging parameters are bounded: huge, negative and non-numeric pages are 400, never a crash",
        arguments: ["184467440737095517", "9223372036854775807", "99999999999999999999", "-1", "0", "abc", "1e9"])
    func paging(_ page: String) async throws {
        try await withDemoApp { app in
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            #expect(try await admin.send(.GET, "/admin/audit?page=\(page)").status == .badRequest)
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            #expect(try await cw.send(.GET, "/persons?page=\(page)").status == .badRequest)
            let t = try await token(app, for: "saksbehandler.elverum")
            #expect(try await api(app, .GET, "/api/v1/persons?page=\(page)", token: t).status == .badRequest)
            #expect(try await admin.send(.GET, "/admin/audit?page=2").status == .ok)
        }
    }

    @Test("System administrators: not scoped to a municipality, changed only by a system administrator; reactivation")
    func systemAdministrators() async throws {
        try await withDemoApp { app in
            let sys = try #require(try await User.query(on: app.db).filter(\.$username == "sysadmin").first())
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            // The Elverum administrator neither sees nor deactivates the system administrator.
            #expect(!(try await admin.send(.GET, "/admin/users").body.string.contains(">sysadmin<")))
            let res = try await admin.send(
                .POST, "/admin/users/\(sys.id!)/deactivate", form: ["_csrf": try await admin.csrf()])
            #expect(res.status == .forbidden)
            #expect(try await User.find(sys.id, on: app.db)?.isActive == true)
            #expect(
                try await admin.send(
                    .POST, "/admin/users/\(sys.id!)/reactivate", form: ["_csrf": try await admin.csrf()]
                ).status == .forbidden)
            // The system administrator cannot deactivate the last active system administrator (itself).
            let root = Browser(app)
            try await root.login("sysadmin")
            #expect(
                try await root.send(.POST, "/admin/users/\(sys.id!)/deactivate", form: ["_csrf": try await root.csrf()])
                    .status == .badRequest)
            // An administrator deactivates and reactivates a case worker of the own municipality.
            let cw = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            let t = try await token(app, for: "saksbehandler.elverum")
            #expect(
                try await admin.send(
                    .POST, "/admin/users/\(cw.id!)/deactivate", form: ["_csrf": try await admin.csrf()]
                ).status == .seeOther)
            #expect(try await Browser(app).login("saksbehandler.elverum").headers.first(name: .location) != "/")
            // Deactivation also revokes the user's API tokens.
            #expect(try await api(app, .GET, "/api/v1/persons", token: t).status == .unauthorized)
            #expect(
                try await admin.send(
                    .POST, "/admin/users/\(cw.id!)/reactivate", form: ["_csrf": try await admin.csrf()]
                ).status == .seeOther)
            #expect(try await Browser(app).login("saksbehandler.elverum").headers.first(name: .location) == "/")
        }
    }

    @Test("Login throttling holds under parallel guesses, and one client cannot lock out every username")
    func parallelLogin() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            let page = try await b.send(.GET, "/login")
            let csrf = try #require(Browser.csrf(in: page.body.string))
            let cookie = "\(SessionCookie.loginCSRF)=\(b.cookies[SessionCookie.loginCSRF] ?? "")"
            func attempt(_ user: String, _ password: String) async throws -> HTTPStatus {
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .cookie, value: cookie)
                headers.contentType = .urlEncodedForm
                let body = "username=\(user)&password=\(password)&_csrf=\(csrf)&next=/"
                return try await app.testing().sendRequest(
                    .POST, "/login", headers: headers, body: ByteBuffer(string: body)
                ).status
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<30 { group.addTask { try await attempt("veileder.elverum", "feil-\(i)") } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            // At most the allowed number of wrong passwords were tried; the rest were refused untried.
            #expect(statuses.filter { $0 == .unauthorized }.count <= app.settings.loginMaxFailures)
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 30 - app.settings.loginMaxFailures)
            // Throttled guesses are not held against the username; only the ones tried count. With all the allowed
            // failures spent, the right password waits too; when the race left fewer tried, it may still log in.
            let tried = statuses.filter { $0 == .unauthorized }.count
            let right = try await attempt("veileder.elverum", DemoData.password)
            #expect(right == (tried == app.settings.loginMaxFailures ? .tooManyRequests : .seeOther))
            // One source spraying many usernames reaches its own limit, and then even a right password waits.
            var settings = app.settings
            settings.loginMaxFailuresPerSource = 12
            app.settings = settings
            for user in ["nav.elverum", "helse.elverum", "skole.elverum"] {
                for i in 0..<4 { _ = try await attempt(user, "gjett-\(i)") }
            }
            #expect(try await attempt("admin.elverum", DemoData.password) == .tooManyRequests)
        }
    }

    @Test("Audit entries cannot be changed or removed in the database, on either dialect")
    func auditAppendOnly() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let sql = app.db as! any SQLDatabase
            await #expect(throws: (any Error).self) {
                try await sql.update("audit_entries").set("action", to: "read").where("seq", .equal, 1).run()
            }
            await #expect(throws: (any Error).self) {
                try await sql.delete(from: "audit_entries").where("seq", .equal, 1).run()
            }
            #expect(try await app.auditLog.verify(on: app.db).problem == nil)
        }
    }

    @Test("An informed rewrite of the chain (hashes recomputed without the key) is found")
    func keyedChain() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            try await b.openFiles(in: "3420", count: 3)
            try await dropAuditProtection(app)
            let sql = app.db as! any SQLDatabase
            // Rewrite every entry from the third on, recomputing each link as the old unkeyed chain allowed.
            let entries = try await AuditEntry.query(on: app.db).sort(\.$id).all()
            var previous = entries[1].hash
            for e in entries.dropFirst(2) {
                var r = e.record
                if r.sequence == 3 { r.action = "list" }
                r.previousHash = previous
                let h = Secrets.sha256Hex(r.canonical)
                try await sql.update("audit_entries").set("action", to: r.action).set("prev_hash", to: previous)
                    .set("hash", to: h).where("seq", .equal, r.sequence).run()
                previous = h
            }
            try await sql.update("audit_head").set("last_hash", to: previous).where("id", .equal, 1).run()
            #expect(try await app.auditLog.verify(on: app.db).problem == .contentAltered(sequence: 3))
            // Another key does not verify the chain either.
            #expect(
                try await AuditLog(key: .init(size: .bits256)).verify(on: app.db).problem
                    == .contentAltered(sequence: 1))
        }
    }

    @Test("The audit key comes from the environment or a 0600 file beside the data directory")
    func auditKeyFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("innbygger-key-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: dir + ".audit.key")
        }
        let settings = Settings(databaseURL: nil, dataDirectory: dir)
        let first = try AuditKey.load(settings)
        let second = try AuditKey.load(settings)
        #expect(first == second)
        let mode = try FileManager.default.attributesOfItem(atPath: dir + ".audit.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        var short = settings
        short.auditKey = "abcd"
        #expect(throws: ConfigurationError.self) { try AuditKey.load(short) }
    }

    @Test("Every GET route that shows a person's name writes its audit entry")
    func everyPersonalReadAudited() async throws {
        try await withDemoApp { app in
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            let p = try #require(
                try await Person.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$household.$id != nil).first())
            let noted = try await JournalEntry.query(on: app.db).join(
                Person.self, on: \JournalEntry.$person.$id == \Person.$id
            )
            .filter(Person.self, \.$municipality.$id == "3420").first()
            let note = try #require(noted)
            let incoming = try await IncomingHousehold.query(on: app.db).filter(\.$municipality.$id == "3420").first()
            let year = try await SettlementYear.query(on: app.db).filter(\.$municipality.$id == "3420").first()
            let ids: [String: String] = [
                "personID": p.id!.uuidString, "householdID": p.$household.id!.uuidString,
                "entryID": note.id!.uuidString,
                "incomingID": incoming?.id?.uuidString ?? UUID().uuidString,
                "yearID": year?.id?.uuidString ?? UUID().uuidString,
            ]
            let names = Set(
                try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").all().map(\.familyName))
            var checked = 0
            for route in app.routes.all where route.method == .GET {
                let parts = route.path.map(\.description)
                guard parts.first != "api",
                    !["lang", "login", "healthz", "readyz", "metrics"].contains(parts.first ?? "")
                else { continue }
                var path = ""
                var resolvable = true
                for c in route.path {
                    switch c {
                    case .constant(let s): path += "/" + s
                    case .parameter(let name):
                        guard let v = ids[name] else {
                            resolvable = false
                            break
                        }
                        path += "/" + v
                    default: resolvable = false
                    }
                }
                guard resolvable else { continue }
                if path.isEmpty { path = "/" }
                let before = try await auditCount(app)
                let res = try await cw.send(.GET, path)
                guard res.status == .ok else { continue }
                let body = res.body.string
                if names.contains(where: { body.contains($0) }) {
                    checked += 1
                    #expect(
                        try await auditCount(app) > before, "\(route.path.string) shows names without an audit entry")
                }
            }
            #expect(checked >= 10)
        }
    }

    @Test("A refused Norwegian read is audited as a refusal, not as a read")
    func refusedNorwegianRead() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app, sharedWith: .nav)
            let nav = Browser(app)
            try await nav.login("nav.elverum")
            let before = try await AuditEntry.query(on: app.db).filter(\.$recordID == p.id!.uuidString).all().count
            #expect(try await nav.send(.GET, "/persons/\(p.id!)/norwegian").status == .forbidden)
            let entries = try await AuditEntry.query(on: app.db).filter(\.$recordID == p.id!.uuidString).sort(\.$id)
                .all()
            let added = entries.dropFirst(before)
            #expect(added.contains { $0.action == "denied_read" })
            #expect(!added.contains { $0.action == "read" })
        }
    }

    @Test("Partners read a proposal from IMDi only until it is answered")
    func proposalAccessEnds() async throws {
        try await withDemoApp { app in
            let open = try #require(
                try await IncomingHousehold.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$decision == .pending).filter(\.$householdID == nil).first())
            let school = Browser(app)
            try await school.login("skole.elverum")
            #expect(try await school.send(.GET, "/settlement/incoming/\(open.id!)").status == .ok)
            open.decision = .accepted
            open.decidedAt = Date()
            try await open.update(on: app.db)
            #expect(try await school.send(.GET, "/settlement/incoming/\(open.id!)").status == .forbidden)
            let t = try await token(app, for: "bolig.elverum")
            #expect(try await api(app, .GET, "/api/v1/incoming-households/\(open.id!)", token: t).status == .forbidden)
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            #expect(try await cw.send(.GET, "/settlement/incoming/\(open.id!)").status == .ok)
        }
    }

    @Test("A JSON body with a field the resource lacks is refused naming it, and nothing changes")
    func unknownFields() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "veileder.elverum")
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$decisionDate != nil).with(\.$person).all()
                    .first { $0.person.$municipality.id == "3420" })
            let res = try await api(
                app, .PUT, "/api/v1/persons/\(part.$person.id)/programme", token: t,
                json: #"{"decisonDate":"2026-01-01"}"#)
            #expect(res.status == .badRequest)
            #expect(res.body.string.contains("decisonDate"))
            let after = try #require(try await PersonProgramme.find(part.id, on: app.db))
            #expect(after.decisionDate == part.decisionDate)
            let cw = try await token(app, for: "saksbehandler.elverum")
            let typo = personBody.replacingOccurrences(of: "\"sex\"", with: "\"sexx\":\"x\",\"sex\"")
            let bad = try await api(app, .POST, "/api/v1/persons", token: cw, json: typo)
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("sexx"))
        }
    }

    @Test("An interrupted import is reconciled with what was stored")
    func importReconciled() async throws {
        try await withDemoApp { app in
            let user = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            let job = ImportJob()
            job.$municipality.id = "3420"
            job.userID = user.id!
            job.filename = "x.csv"
            job.status = .running
            job.totalRows = 1
            job.personsCreated = 0
            job.householdsCreated = 0
            job.createdAt = Date()
            try await job.create(on: app.db)
            let p = Person()
            try JSONDecoder().decode(PersonInput.self, from: Data(personBody.utf8)).validated().apply(to: p)
            p.importJob = job.id
            try await p.create(on: app.db)
            try await ImportService.closeInterrupted(app)
            let closed = try #require(try await ImportJob.find(job.id, on: app.db))
            #expect(closed.status == .done)
            #expect(closed.personsCreated == 1)
        }
    }
}
