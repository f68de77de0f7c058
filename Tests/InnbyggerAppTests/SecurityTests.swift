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

@Suite("Sessions, CSRF, tokens, throttling", .serialized)
struct SecurityTests {
    @Test("A form post without the CSRF token is refused and changes nothing")
    func csrfRequired() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let before = try await Person.query(on: app.db).count()
            let form = [
                "municipality": "3420", "givenName": "Amal", "familyName": "Testesen", "birthDate": "1990-02-03",
                "sex": "female", "citizenship": "SY", "residenceGround": "refugee",
            ]
            let refused = try await b.send(.POST, "/persons", form: form)
            #expect(refused.status == .forbidden)
            var wrong = form
            wrong["_csrf"] = "not-the-token"
            #expect(try await b.send(.POST, "/persons", form: wrong).status == .forbidden)
            #expect(try await Person.query(on: app.db).count() == before)
            // With the token the same post works.
            var good = form
            good["_csrf"] = try await b.csrf()
            let ok = try await b.send(.POST, "/persons", form: good)
            #expect(ok.status == .seeOther)
            #expect(try await Person.query(on: app.db).count() == before + 1)
            // The login form itself is protected by a double-submit token.
            let anon = Browser(app)
            let res = try await anon.send(
                .POST, "/login", form: ["username": "saksbehandler.elverum", "password": DemoData.password])
            #expect(res.status == .forbidden)
            #expect(anon.cookies[SessionCookie.name] == nil)
        }
    }

    @Test("Session cookie is HttpOnly and SameSite; logout ends the session in the database")
    func sessionLifecycle() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            let res = try await b.login("saksbehandler.elverum")
            let cookie = try #require(res.headers[.setCookie].first { $0.hasPrefix(SessionCookie.name + "=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.lowercased().contains("samesite=lax"))
            #expect(try await UserSession.query(on: app.db).count() == 1)
            // Only a hash of the cookie is stored.
            let stored = try #require(try await UserSession.query(on: app.db).first())
            #expect(stored.tokenHash != b.cookies[SessionCookie.name])
            let stolen = b.cookies
            let out = try await b.send(.POST, "/logout", form: ["_csrf": try await b.csrf()])
            #expect(out.status == .seeOther)
            #expect(try await UserSession.query(on: app.db).count() == 0)
            let replay = Browser(app)
            replay.cookies = stolen
            #expect(try await replay.send(.GET, "/persons").status == .seeOther)
        }
    }

    @Test("Wrong passwords are throttled per username, even with the right password afterwards")
    func loginThrottled() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            for _ in 0..<app.settings.loginMaxFailures {
                #expect(try await b.login("veileder.elverum", password: "feil-passord-123").status == .unauthorized)
            }
            let blocked = try await b.login("veileder.elverum")
            #expect(blocked.status == .tooManyRequests)
            #expect(b.cookies[SessionCookie.name] == nil)
            // Other users are not affected.
            #expect(try await Browser(app).login("saksbehandler.elverum").status == .seeOther)
        }
    }

    @Test("Bearer tokens can be created, used and revoked")
    func tokens() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let page = try await b.send(
                .POST, "/account/tokens", form: ["_csrf": try await b.csrf(), "name": "integrasjon"])
            let html = page.body.string
            let start = try #require(html.range(of: "id=\"new-token\">"))
            let t = String(html[start.upperBound...].prefix { $0 != "<" })
            #expect(t.hasPrefix("inb_"))
            let me = try await api(app, .GET, "/api/v1/me", token: t)
            #expect(me.status == .ok)
            #expect(me.body.string.contains("veileder.elverum"))
            let stored = try #require(try await APIToken.query(on: app.db).filter(\.$name == "integrasjon").first())
            #expect(stored.tokenHash != t)
            let revoke = try await b.send(
                .POST, "/account/tokens/\(stored.id!)/revoke", form: ["_csrf": try await b.csrf()])
            #expect(revoke.status == .seeOther)
            #expect(try await api(app, .GET, "/api/v1/me", token: t).status == .unauthorized)
            #expect(try await api(app, .GET, "/api/v1/me", token: "inb_made_up").status == .unauthorized)
        }
    }

    @Test("Password changes follow the password rules")
    func passwordRules() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let weak = try await b.send(
                .POST, "/account/password",
                form: ["_csrf": try await b.csrf(), "current": DemoData.password, "new": "kort", "repeatNew": "kort"])
            #expect(weak.status == .badRequest)
            let good = "Lang nok setning for passord"
            let ok = try await b.send(
                .POST, "/account/password",
                form: ["_csrf": try await b.csrf(), "current": DemoData.password, "new": good, "repeatNew": good])
            #expect(ok.status == .seeOther)
            #expect(try await Browser(app).login("veileder.elverum").status == .unauthorized)
            #expect(try await Browser(app).login("veileder.elverum", password: good).status == .seeOther)
        }
    }

    @Test("Guessing the current password on the change form is throttled as the login is")
    func passwordChangeThrottled() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let good = "Lang nok setning for passord"
            func change(_ current: String) async throws -> HTTPStatus {
                try await b.send(
                    .POST, "/account/password",
                    form: ["_csrf": try await b.csrf(), "current": current, "new": good, "repeatNew": good]
                ).status
            }
            var statuses: [HTTPStatus] = []
            for i in 0..<(app.settings.loginMaxFailures + 2) { statuses.append(try await change("gjetning-\(i)")) }
            #expect(statuses.prefix(app.settings.loginMaxFailures).allSatisfy { $0 == .badRequest })
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
            // Locked: even the right password waits, here and at the login.
            #expect(try await change(DemoData.password) == .tooManyRequests)
            #expect(try await Browser(app).login("veileder.elverum").status == .tooManyRequests)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "password_change_failed").count()
                    == app.settings.loginMaxFailures)
        }
    }
}

@Suite("Audit log", .serialized)
struct AuditTests {
    @Test("Reads and writes of personal data are audited with user, municipality, record and route")
    func readsAudited() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let before = try await auditCount(app)
            #expect(try await b.send(.GET, "/persons/\(p.id!)").status == .ok)
            let entry = try #require(try await AuditEntry.query(on: app.db).sort(\.$id, .descending).first())
            #expect(try await auditCount(app) == before + 1)
            #expect(entry.action == "read")
            #expect(entry.recordType == "person")
            #expect(entry.recordID == p.id!.uuidString)
            #expect(entry.municipality == "3420")
            #expect(entry.route == "GET /persons/:personID")
            let user = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            #expect(entry.userID == user.id!.uuidString)
            // An update is audited as such.
            let t = try await token(app, for: "saksbehandler.elverum")
            let body =
                #"{"municipality":"3420","givenName":"\#(p.givenName)","familyName":"\#(p.familyName)","birthDate":"\#(p.birthDate)","sex":"\#(p.sex.rawValue)","citizenship":"\#(p.citizenship)","residenceGround":"\#(p.residenceGround.rawValue)"}"#
            #expect(try await api(app, .PUT, "/api/v1/persons/\(p.id!)", token: t, json: body).status == .ok)
            let last = try #require(try await AuditEntry.query(on: app.db).sort(\.$id, .descending).first())
            #expect(last.action == "update")
            // Entries hold no names.
            for e in try await AuditEntry.query(on: app.db).all() {
                #expect(!e.record.canonical.contains(p.familyName))
            }
        }
    }

    @Test("The chain verifies, and names the entry after a row is altered in the database")
    func chainDetectsTampering() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            try await b.openFiles(in: "3420", count: 5)
            let (checked, problem) = try await app.auditLog.verify(on: app.db)
            #expect(problem == nil)
            #expect(checked == (try await auditCount(app)))
            #expect(checked >= 6)
            let sql = app.db as! any SQLDatabase
            try await dropAuditProtection(app)
            try await sql.update("audit_entries").set("record_id", to: "someone-else").where("seq", .equal, 3).run()
            let (_, broken) = try await app.auditLog.verify(on: app.db)
            #expect(broken == .contentAltered(sequence: 3))
        }
    }

    @Test("Deleting entries is detected, in the middle and at the end")
    func chainDetectsDeletion() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            try await b.openFiles(in: "3420", count: 5)
            let n = try await auditCount(app)
            #expect(n >= 6)
            let sql = app.db as! any SQLDatabase
            try await dropAuditProtection(app)
            try await sql.delete(from: "audit_entries").where("seq", .equal, n).run()
            #expect(try await app.auditLog.verify(on: app.db).problem == .truncated(expectedLast: n))
            try await sql.delete(from: "audit_entries").where("seq", .equal, 2).run()
            let problem = try await app.auditLog.verify(on: app.db).problem
            #expect(problem == .gap(expected: 2, found: 3), "\(String(describing: problem))")
        }
    }

    @Test("The audit page filters by user and record")
    func auditPage() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            _ = try await cw.send(.GET, "/persons/\(p.id!)")
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            let page = try await admin.send(.GET, "/admin/audit?record=\(p.id!)&user=saksbehandler.elverum")
            #expect(page.status == .ok)
            let row = "<span class=\"mono\">\(p.id!.uuidString)</span>"
            #expect(page.body.string.contains(row))
            #expect(page.body.string.contains("<td>saksbehandler.elverum</td>"))
            let none = try await admin.send(.GET, "/admin/audit?record=\(p.id!)&user=veileder.elverum")
            #expect(none.status == .ok)
            #expect(!none.body.string.contains(row))
            let bad = try await admin.send(.GET, "/admin/audit?from=31.02.2025")
            #expect(bad.status == .badRequest)
        }
    }
}
