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

@Suite("JSON API, OpenAPI, operations", .serialized)
struct APITests {
    @Test("Every registered API route is described in openapi.yaml")
    func openAPICoversRoutes() async throws {
        try await withDemoApp { app in
            let yaml = try String(contentsOfFile: app.directory.resourcesDirectory + "openapi.yaml", encoding: .utf8)
            let described = OpenAPIPaths.parse(yaml)
            var apiRoutes = 0
            for route in app.routes.all {
                let segments = route.path.map { c -> String in
                    if case .parameter(let name) = c { return "{\(name)}" }
                    return c.description
                }
                let path = "/" + segments.joined(separator: "/")
                guard path.hasPrefix("/api/v1/") else { continue }
                apiRoutes += 1
                #expect(
                    described.contains("\(route.method.rawValue.lowercased()) \(path)"),
                    "\(route.method.rawValue) \(path) is missing from openapi.yaml")
            }
            #expect(apiRoutes >= 10)
            // And the file describes nothing that is not there.
            let registered = Set(
                app.routes.all.map { r in
                    "\(r.method.rawValue.lowercased()) /"
                        + r.path.map { c -> String in
                            if case .parameter(let name) = c { return "{\(name)}" }
                            return c.description
                        }.joined(separator: "/")
                })
            for op in described { #expect(registered.contains(op), "\(op) is in openapi.yaml but not served") }
            let served = try await app.testing().sendRequest(.GET, "/api/openapi.yaml")
            #expect(served.status == .ok)
            #expect(served.body.string.hasPrefix("openapi: 3.1"))
        }
    }

    /// A new person's fields as the API takes them, each test changing what it is about.
    static let newPerson: [String: String] = [
        "municipality": "3420", "givenName": "Amina", "familyName": "Testesen", "birthDate": "1990-02-03",
        "sex": "female", "citizenship": "SY", "residenceGround": "refugee",
    ]

    @Test("Bad input gets 400 naming the field, and nothing is stored")
    func validation() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let before = try await Person.query(on: app.db).count()
            let base = Self.newPerson
            let cases: [(String, String, String)] = [
                ("birthDate", "2025-02-30", "birthDate"), ("birthDate", "3000-01-01", "birthDate"), ("sex", "x", "sex"),
                ("residenceGround", "tourist", "residenceGround"), ("citizenship", "Syria", "citizenship"),
                ("municipality", "12", "municipality"), ("givenName", "  ", "givenName"),
                ("arrivalDate", "1980-01-01", "arrivalDate"),
                ("nationalId", "12049010036", "nationalId"), ("nationalId", "120490 10026", "nationalId"),
                ("nationalId", "", "nationalId"),
                ("educationLevel", "phd", "educationLevel"), ("permitDate", "1980-01-01", "permitDate"),
            ]
            for (field, value, named) in cases {
                var body = base
                body[field] = value
                let json = String(data: try JSONEncoder().encode(body), encoding: .utf8)!
                let res = try await api(app, .POST, "/api/v1/persons", token: t, json: json)
                #expect(res.status == .badRequest, "\(field)=\(value)")
                let err = try res.content.decode(ErrorBody.self)
                #expect(err.error.code == "invalid_input")
                #expect(err.error.field == named, "\(field)=\(value) named \(err.error.field ?? "nothing")")
            }
            #expect(try await api(app, .POST, "/api/v1/persons", token: t, json: "{not json").status == .badRequest)
            #expect(try await api(app, .GET, "/api/v1/persons?page=abc", token: t).status == .badRequest)
            #expect(try await api(app, .GET, "/api/v1/persons?page=0", token: t).status == .badRequest)
            #expect(
                try await api(app, .GET, "/api/v1/persons?q=\(String(repeating: "a", count: 101))", token: t).status
                    == .badRequest)
            let formFeed = try await api(
                app, .POST, "/api/v1/households", token: t, json: #"{"municipality":"3420","name":"\f"}"#)
            #expect(formFeed.status == .badRequest)
            #expect(try formFeed.content.decode(ErrorBody.self).error.field == "name")
            #expect(try await api(app, .GET, "/api/v1/persons/not-a-uuid", token: t).status == .notFound)
            #expect(try await Person.query(on: app.db).count() == before)
            // The same input, valid, is stored and read back.
            let json = String(data: try JSONEncoder().encode(base), encoding: .utf8)!
            let created = try await api(app, .POST, "/api/v1/persons", token: t, json: json)
            #expect(created.status == .created)
            let dto = try created.content.decode(PersonDTO.self)
            let back = try await api(app, .GET, "/api/v1/persons/\(dto.id)", token: t).content.decode(PersonDTO.self)
            #expect(back.familyName == "Testesen")
            #expect(back.birthDate == LocalDate(iso: "1990-02-03"))
            #expect(try await api(app, .DELETE, "/api/v1/persons/\(dto.id)", token: t).status == .noContent)
            #expect(try await api(app, .GET, "/api/v1/persons/\(dto.id)", token: t).status == .notFound)
        }
    }

    @Test("Invalid form input re-shows the form with the user's input and the message")
    func formKeepsInput() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let res = try await b.send(
                .POST, "/persons",
                form: [
                    "_csrf": try await b.csrf(), "municipality": "3420", "givenName": "Behold",
                    "familyName": "Meg", "birthDate": "2025-02-30", "sex": "female",
                    "citizenship": "ER", "residenceGround": "refugee",
                ])
            #expect(res.status == .badRequest)
            #expect(res.body.string.contains("value=\"Behold\""))
            #expect(res.body.string.contains("aria-invalid=\"true\""))
        }
    }

    @Test("A broken rule is told in the page's language on pages, and in English with its field in the API")
    func messagesInTheUsersLanguage() async throws {
        try await withDemoApp { app in
            let future = LocalDate.today.adding(days: 3).iso
            let form = [
                "municipality": "3420", "givenName": "Fram", "familyName": "Tid", "birthDate": future,
                "sex": "female", "citizenship": "ER", "residenceGround": "refugee",
            ]
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            var nb = form
            nb["_csrf"] = try await b.csrf()
            let norwegian = try await b.send(.POST, "/persons", form: nb).body.string
            #expect(norwegian.contains("Datoen kan ikke være fram i tid."))
            #expect(!norwegian.contains("cannot be in the future"))
            _ = try await b.send(.GET, "/lang/en?back=/persons")
            var en = form
            en["_csrf"] = try await b.csrf()
            let english = try await b.send(.POST, "/persons", form: en).body.string
            #expect(english.contains("The date cannot be in the future."))
            let t = try await token(app, for: "saksbehandler.elverum")
            let body =
                #"{"municipality":"3420","givenName":"Fram","familyName":"Tid","birthDate":"\#(future)","sex":"female","citizenship":"ER","residenceGround":"refugee"}"#
            let res = try await api(app, .POST, "/api/v1/persons", token: t, json: body)
            #expect(res.status == .badRequest)
            let error = try res.content.decode(ErrorBody.self).error
            #expect(error.field == "birthDate")
            #expect(error.message == "birthDate: The date cannot be in the future.")
        }
    }

    @Test("Health, readiness and metrics")
    func operations() async throws {
        try await withDemoApp { app in
            #expect(try await app.testing().sendRequest(.GET, "/healthz").status == .ok)
            #expect(try await app.testing().sendRequest(.GET, "/readyz").status == .ok)
            _ = try await app.testing().sendRequest(.GET, "/login")
            let p = try await person(in: "3420", app)
            let t = try await token(app, for: "saksbehandler.elverum")
            _ = try await api(app, .GET, "/api/v1/persons/\(p.id!)", token: t)
            #expect(try await app.testing().sendRequest(.GET, "/metrics").status == .unauthorized)
            #expect(try await api(app, .GET, "/metrics", token: "wrong-token-1234567").status == .unauthorized)
            let metrics = try await api(app, .GET, "/metrics", token: app.settings.metricsToken).body.string
            #expect(metrics.contains("http_requests_total"))
            #expect(metrics.contains("route=\"/login\""))
            #expect(metrics.contains("route=\"/api/v1/persons/:personID\""))
            #expect(metrics.contains("http_request_duration_seconds_bucket"))
            // Route patterns only: no record ids in labels.
            #expect(!metrics.contains(p.id!.uuidString))
        }
    }

    @Test("Errors are friendly pages or JSON with a code, never a trace")
    func errors() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let page = try await b.send(.GET, "/persons/\(UUID())")
            #expect(page.status == .notFound)
            #expect(page.body.string.contains("<h1>"))
            let t = try await token(app, for: "saksbehandler.elverum")
            let json = try await api(app, .GET, "/api/v1/households/\(UUID())", token: t)
            #expect(json.status == .notFound)
            #expect(try json.content.decode(ErrorBody.self).error.code == "not_found")
        }
    }
}

/// Reads "method path" pairs from the OpenAPI file (its paths section is written one key a line).
enum OpenAPIPaths {
    static func parse(_ yaml: String) -> Set<String> {
        var out: Set<String> = []
        var current: String? = nil
        var inPaths = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            if inPaths, !line.hasPrefix(" "), !line.isEmpty { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
                continue
            }
            let methods = ["get", "post", "put", "patch", "delete"]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let c = current, line.hasPrefix("    "), !line.hasPrefix("     "),
                let m = methods.first(where: { trimmed == "\($0):" })
            {
                out.insert("\(m) \(c)")
            }
        }
        return out
    }
}
