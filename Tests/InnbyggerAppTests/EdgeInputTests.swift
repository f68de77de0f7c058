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

/// Issue #9, the low items: what arrives at the edge that no page or field expects.
@Suite("Edge input (#9)", .serialized)
struct EdgeInputTests {
    @Test("A 70 000-character path or query is 414, never a 500")
    func longTarget() async throws {
        try await withDemoApp { app in
            let long = String(repeating: "a", count: 70_000)
            let deep = String(repeating: "a/", count: 3000)
            for path in ["/\(long)", "/css/\(long).css", "/persons?q=\(long)", "/api/v1/persons/\(long)", "/\(deep)"] {
                let res = try await app.testing().sendRequest(.GET, path)
                #expect(res.status == .uriTooLong, "\(path.prefix(20)): \(res.status)")
            }
            // Under the limits, a long name no file has is simply not found.
            for path in ["/" + String(repeating: "b", count: 2000), "/css/" + String(repeating: "c/", count: 900)] {
                let res = try await app.testing().sendRequest(.GET, path)
                #expect(res.status == .notFound, "\(path.prefix(20)): \(res.status)")
            }
            // The error page does not echo the address back (the language link goes to /).
            let page = try await app.testing().sendRequest(.GET, "/" + String(repeating: "d", count: 3000))
            #expect(!page.body.string.contains("ddddd"))
        }
    }

    @Test(
        "A NUL, a raw control character or broken escapes in a path are 400",
        arguments: [
            "/css/%00innbygger.css", "/css/innbygger.css%00", "/persons/%00", "/css/%1binnbygger.css",
        ])
    func controlInPath(_ path: String) async throws {
        try await withDemoApp { app in
            let res = try await app.testing().sendRequest(.GET, path)
            #expect(res.status == .badRequest, "\(path): \(res.status)")
            // The stylesheet itself is still served.
            #expect(try await app.testing().sendRequest(.GET, "/css/innbygger.css").status == .ok)
        }
    }

    @Test(
        "Free text: joiners kept, zero-width spaces stripped, line breaks only where text has lines, overrides refused")
    func freeText() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            func person(_ given: String) -> String {
                #"{"municipality":"3420","givenName":"\#(given)","familyName":"Fritekst","birthDate":"1990-01-01","sex":"female","citizenship":"IR","residenceGround":"refugee"}"#
            }
            let ok = try await api(app, .POST, "/api/v1/persons", token: t, json: person(#"Nur\u200ci\u200b"#))
            #expect(ok.status == .created)
            let stored = try #require(try await Person.query(on: app.db).filter(\.$familyName == "Fritekst").first())
            #expect(stored.givenName == "Nur\u{200C}i")
            for bad in [#"Ali\u202efdp"#, #"Ali\u0000"#, #"Ali\nBaba"#, #"Ali\u2066x\u2069"#] {
                let res = try await api(app, .POST, "/api/v1/persons", token: t, json: person(bad))
                #expect(res.status == .badRequest, "\(bad)")
                #expect(res.body.string.contains("givenName"))
            }
            #expect(try await Person.query(on: app.db).filter(\.$familyName == "Fritekst").count() == 1)

            func note(_ text: String) -> String {
                #"{"date":"2026-01-05","category":"general","text":"\#(text)","shared":false}"#
            }
            let saved = try await api(
                app, .POST, "/api/v1/persons/\(stored.id!)/journal", token: t,
                json: note(#"Line one\r\nline two\tend"#))
            #expect(saved.status == .created)
            let entry = try #require(
                try await JournalEntry.query(on: app.db).filter(\.$person.$id == stored.id!).first())
            #expect(entry.text == "Line one\nline two\tend")
            for bad in [#"hidden\u0000"#, #"see \u202eetoN"#] {
                let res = try await api(app, .POST, "/api/v1/persons/\(stored.id!)/journal", token: t, json: note(bad))
                #expect(res.status == .badRequest, "\(bad)")
            }
            #expect(try await JournalEntry.query(on: app.db).filter(\.$person.$id == stored.id!).count() == 1)
        }
    }

    @Test("Search matches % and _ literally")
    func likeWildcards() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            struct List: Decodable { var total: Int }
            func total(_ q: String) async throws -> Int {
                let res = try await api(app, .GET, "/api/v1/persons?municipality=3420&q=\(q)", token: t)
                #expect(res.status == .ok)
                return try res.content.decode(List.self).total
            }
            #expect(try await total("a") > 0)
            #expect(try await total("%25") == 0)
            #expect(try await total("_") == 0)
            #expect(try await total("%5C") == 0)
            let body =
                #"{"municipality":"3420","givenName":"Per_50%","familyName":"Prosent","birthDate":"1990-01-01","sex":"male","citizenship":"SY","residenceGround":"refugee"}"#
            #expect(try await api(app, .POST, "/api/v1/persons", token: t, json: body).status == .created)
            #expect(try await total("r_5") == 1)
            #expect(try await total("50%25") == 1)
            #expect(try await total("r%255") == 0)
        }
    }

    @Test("A malformed record id in the path is 404 at the edge, on pages and in the API, reads and writes alike")
    func malformedPathIDs() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            for path in ["/persons/not-an-id", "/persons/123/programme", "/households/x", "/settlement/incoming/1"] {
                #expect(try await b.send(.GET, path).status == .notFound, "\(path)")
            }
            let csrf = try await b.csrf()
            #expect(try await b.send(.POST, "/persons/zz/journal", form: ["_csrf": csrf]).status == .notFound)
            let t = try await token(app, for: "saksbehandler.elverum")
            for path in ["/api/v1/persons/nope", "/api/v1/households/0", "/api/v1/persons/abc/programme"] {
                #expect(try await api(app, .GET, path, token: t).status == .notFound, "\(path)")
            }
        }
    }

    @Test("Vapor's 422 for an unreadable body is the contract's 400")
    func unprocessableIsBadRequest() {
        let (status, code, _, _) = ErrorHandler.classify(Abort(.unprocessableEntity), testTranslations)
        #expect(status == .badRequest)
        #expect(code == "invalid_input")
    }

    @Test("403 before 400: a user without the right is refused before the body is read, and the refusal is audited")
    func forbiddenBeforeInvalid() async throws {
        try await withDemoApp { app in
            // Routes where a partner holds some right (its own notes, its sector's parts): the record decides there.
            let partnerWritable = [
                "POST /api/v1/persons/:personID/journal", "PUT /api/v1/journal/:entryID",
                "POST /api/v1/incoming-households/:incomingID/assessment",
                "PUT /api/v1/households/:householdID/checklist/:taskID",
                "POST /api/v1/persons/:personID/norwegian/hours", "POST /api/v1/persons/:personID/norwegian/tests",
            ]
            let writes = app.routes.all.filter { $0.method != .GET && $0.path.first?.description == "api" }
                .filter { !["rules", "tokens"].contains($0.path.dropFirst(2).first?.description ?? "") }
            #expect(writes.count >= 25)
            // Leaders draw up the settlement scenarios and record the capacities (the planning figures).
            let planning = writes.map { r in "\(r.method.rawValue) /" + r.path.map(\.description).joined(separator: "/")
            }
            .filter { $0.contains("economy/scenarios") || $0.contains("economy/capacities") }
            #expect(planning.count == 4)
            for (username, exempt) in [("leder.elverum", planning), ("nav.elverum", partnerWritable)] {
                let t = try await token(app, for: username)
                for route in writes {
                    let label = "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
                    guard !exempt.contains(label) else { continue }
                    let path =
                        "/"
                        + route.path.map { c -> String in
                            if case .parameter = c { return UUID().uuidString }
                            return c.description
                        }.joined(separator: "/")
                    let before = try await AuditEntry.query(on: app.db).filter(\.$action ~~ "denied_").count()
                    let res = try await api(app, route.method, path, token: t, json: #"{"zzz": "#)
                    #expect(res.status == .forbidden, "\(username) \(label): \(res.status)")
                    let after = try await AuditEntry.query(on: app.db).filter(\.$action ~~ "denied_").count()
                    // Refusals of numbers without names (settlement years, planning figures) and of the stateless
                    // housing match (it stores and reads nothing personal, like the rules) are not audited.
                    if !label.contains("settlement-years") && !planning.contains(label)
                        && label != "POST /api/v1/housing/match"
                    {
                        #expect(after > before, "\(username) \(label) not audited")
                    }
                }
            }
        }
    }

    @Test("403 before 400 on the pages too: the leader, who changes no records, posting an empty form")
    func pagesForbiddenBeforeInvalid() async throws {
        try await withDemoApp { app in
            let leader = Browser(app)
            try await leader.login("leder.elverum")
            let csrf = try await leader.csrf()
            // The leader's own: account, role approvals, logging out; the rules calculators store nothing; the
            // planning figures (settlement scenarios, capacities, the integration plan and its team), which leaders
            // draw up.
            let own = [
                "account", "approvals", "logout", "login", "rules", "lang", "scenarios", "capacity", "plans", "teams",
            ]
            var checked = 0
            for route in app.routes.all where route.method == .POST && route.path.first?.description != "api" {
                let parts = route.path.map(\.description)
                guard !parts.contains(where: own.contains) else { continue }
                let path =
                    "/"
                    + route.path.map { c -> String in
                        if case .parameter = c { return UUID().uuidString }
                        return c.description
                    }.joined(separator: "/")
                let res = try await leader.send(.POST, path, form: ["_csrf": csrf])
                #expect(res.status == .forbidden, "POST /\(parts.joined(separator: "/")): \(res.status)")
                checked += 1
            }
            #expect(checked >= 40)
        }
    }

    @Test("Every script and stylesheet a template refers to is served")
    func assetsServed() async throws {
        try await withDemoApp { app in
            let files = ViewTests.templates(URL(fileURLWithPath: app.directory.workingDirectory))
            var assets: Set<String> = []
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for marker in ["src=\"/", "href=\"/"] {
                    for part in text.components(separatedBy: marker).dropFirst() {
                        let path = "/" + String(part.prefix { $0 != "\"" })
                        if path.hasPrefix("/js/") || path.hasPrefix("/css/") { assets.insert(path) }
                    }
                }
            }
            #expect(assets.count >= 4)
            for path in assets.sorted() {
                #expect(try await app.testing().sendRequest(.GET, path).status == .ok, "\(path)")
            }
        }
    }
}
