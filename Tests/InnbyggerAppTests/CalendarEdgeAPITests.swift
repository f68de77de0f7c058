import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel

/// Issue #30: dates at the calendar's end stopped the server (a force unwrap in date arithmetic). Each of the
/// requests that did is now a 400 naming the field, and the server answers the next request.
@Suite("Dates at the calendar's edges")
struct CalendarEdgeAPITests {
    static let days = ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31", "10000-01-01"]
    static let months = ["0001-01", "1899-12", "2201-01", "9999-12", "10000-01"]

    /// The request answered 400 naming `field`, and the server still serves.
    static func refused(_ app: Application, _ res: TestingHTTPResponse, _ field: String, _ what: String) async throws {
        #expect(res.status == .badRequest, "\(what): \(res.status)")
        if res.status == .badRequest {
            #expect(try res.content.decode(ErrorBody.self).error.field == field, "\(what)")
        }
        #expect(try await app.testing().sendRequest(.GET, "/healthz").status == .ok)
    }

    @Test("The benefit for month 9999-12 and its neighbours, by any role (the volunteer coordinator too)")
    func benefitMonth() async throws {
        try await withDemoApp { app in
            for user in ["veileder.elverum", "frivillig.elverum"] {
                let t = try await token(app, for: user)
                for m in Self.months {
                    let res = try await api(
                        app, .POST, "/api/v1/rules/introduction-benefit", token: t,
                        json: BenefitAPITests.body(month: m, birth: "1995-01-01"))
                    try await Self.refused(app, res, "month", "\(user) \(m)")
                }
                for day in Self.days {
                    let res = try await api(
                        app, .POST, "/api/v1/rules/introduction-benefit", token: t,
                        json: BenefitAPITests.body(month: "2025-06", birth: "1995-01-01", start: day))
                    try await Self.refused(app, res, "programme.start", "\(user) start \(day)")
                }
            }
        }
    }

    @Test("The rules and the grants at 9999-12-31 and its neighbours")
    func rulesAndGrants() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "frivillig.elverum")
            for day in Self.days {
                let asOf = RulesAPITests.example.replacingOccurrences(of: "2025-06-01", with: day)
                try await Self.refused(
                    app, try await api(app, .POST, "/api/v1/rules/evaluate", token: t, json: asOf), "asOf", day)
                let settled = RulesAPITests.example.replacingOccurrences(of: "2025-01-15", with: day)
                try await Self.refused(
                    app, try await api(app, .POST, "/api/v1/rules/evaluate", token: t, json: settled),
                    "person.settlementDate", day)
                let grants = GrantsTests.body(settled: day)
                try await Self.refused(
                    app, try await api(app, .POST, "/api/v1/rules/grants", token: t, json: grants),
                    "person.settlementDate", day)
            }
        }
    }

    @Test("A case worker's new person settled 9999-12-31, and every other date field at the edges")
    func personDates() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let before = try await Person.query(on: app.db).count()
            let base = APITests.newPerson
            for field in ["settlementDate", "birthDate", "permitDate", "arrivalDate"] {
                for day in Self.days {
                    var body = base
                    body[field] = day
                    let json = String(data: try JSONEncoder().encode(body), encoding: .utf8)!
                    let res = try await api(app, .POST, "/api/v1/persons", token: t, json: json)
                    try await Self.refused(app, res, field, "\(field)=\(day)")
                }
            }
            #expect(try await Person.query(on: app.db).count() == before)
        }
    }
}

/// No force unwrap of a date built at run time, and no `fatalError` but the start-up ones, anywhere in `Sources/`.
@Suite("No traps on a request's path")
struct NoTrapTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Force-unwrapped dates that cannot fail: literals and values a type guarantees. Demo and bench loaders run
    /// from commands and at start, on literals, never on a request's input.
    static let allowed = [
        "LocalDate(year: 2024, month: 1, day: 1)!", "LocalDate(year: year, month: month, day: 1)!",
        "LocalDate(year: year, month: month, day: numberOfDays)!",
        "LocalDate(year: c.year!, month: c.month!, day: c.day!)!",
        "LocalDate(iso: \"1970-01-01\")!",
    ]

    @Test("Date constructions are not force-unwrapped and fatalError only reports a missing configuration")
    func grep() throws {
        let unwrap = try Regex(#"(LocalDate|YearMonth)\([^()]*(\([^()]*\)[^()]*)*\)!"#)
        var found: [String] = []
        var files = 0
        let walker = FileManager.default.enumerator(atPath: Self.sources.path)
        while let path = walker?.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            files += 1
            let demo = path.contains("Demo") || path.hasSuffix("Bench.swift")
            let text = try String(contentsOf: Self.sources.appendingPathComponent(path), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for m in line.matches(of: unwrap) where !demo && !Self.allowed.contains(String(line[m.range])) {
                    found.append("\(path):\(n + 1): \(line[m.range])")
                }
                if line.contains("fatalError("), !line.contains("configure") {
                    found.append("\(path):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(files > 100)
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }
}

/// Issue #30: a PUT whose body is not a JSON object decoded as an empty document and cleared what it replaces.
@Suite("Bodies that are not JSON change nothing")
struct MalformedBodyTests {
    @Test(
        "A programme PUT with a number out of range, a form body, an array or no content type is 400 and clears nothing"
    )
    func programme() async throws {
        try await withDemoApp { app in
            let id = try await ProgrammeTests.participant(app)
            let t = try await token(app, for: "veileder.elverum")
            let path = "/api/v1/persons/\(id)/programme"
            #expect(try await api(app, .PUT, path, token: t, json: ProgrammeTests.decision).status == .ok)
            // The programme as a JSON object (its keys' order may differ from one encoding to the next).
            func stored() async throws -> NSDictionary {
                let body = try await api(app, .GET, path, token: t).body.string
                return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? NSDictionary)
            }
            let before = try await stored()
            #expect(before["decisionDate"] as? String == "2025-04-20")
            var bodies: [(HTTPHeaders, String)] = []
            var json = HTTPHeaders()
            json.contentType = .json
            var form = HTTPHeaders()
            form.contentType = .urlEncodedForm
            bodies += [
                (json, #"{"a":1e999999}"#), (json, #"{"plannedMonths":1e999999}"#), (json, "[]"), (json, "not json"),
                (json, ""), (form, "finalGoal=work"), (HTTPHeaders(), #"{"finalGoal":"work"}"#),
            ]
            for (headers, body) in bodies {
                var h = headers
                h.bearerAuthorization = .init(token: t)
                let res = try await app.testing().sendRequest(.PUT, path, headers: h, body: ByteBuffer(string: body))
                #expect(res.status == .badRequest, "\(body)")
                #expect(try await stored() == before, "\(body)")
            }
        }
    }
}
