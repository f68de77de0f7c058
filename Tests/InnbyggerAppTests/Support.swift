import Fluent
import FluentPostgresDriver
import SQLKit
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

/// Runs `body` against a fresh app: in-memory SQLite, or the PostgreSQL in `DATABASE_URL`
/// (emptied and migrated anew), with the demo loaded.
func withDemoApp(_ body: (Application) async throws -> Void) async throws {
    // One PostgreSQL database serves every test, so those tests take turns; in-memory SQLite runs in parallel.
    if Settings.testing().databaseURL != nil {
        await sharedDatabaseLock.acquire()
        do { try await runDemoApp(body) } catch {
            await sharedDatabaseLock.release()
            throw error
        }
        await sharedDatabaseLock.release()
    } else {
        try await runDemoApp(body)
    }
}

let sharedDatabaseLock = SerialLock()

/// The application's strings, for tests that call services without an app.
let testTranslations = try! Translations.load(
    from: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path,
    features: Features.all.map(\.folder))

/// The day every app test runs on, so the demo and the rules give the same answers whatever the date: a Monday.
let testDay = LocalDate(iso: "2026-11-16")!

private func runDemoApp(_ body: (Application) async throws -> Void) async throws {
    // The day is fixed before the PostgreSQL template's demo is made too.
    ServiceClock.fix(testDay)
    var settings = Settings.testing()
    settings.autoDemo = true
    if let url = settings.databaseURL {
        // PostgreSQL: a copy of the migrated demo database, made once per test run (callers hold the shared lock).
        settings.databaseURL = try await PostgresTemplate.shared.freshCopy(from: url)
        settings.auditKey = PostgresTemplate.auditKey
    }
    try await runApp(settings, body)
}

/// Runs `body` against an app configured with `settings` on the test day, migrated (and with the demo if asked).
func runApp(_ settings: Settings, _ body: (Application) async throws -> Void) async throws {
    ServiceClock.fix(testDay)
    let app = try await Application.make(.testing)
    // Keep test output readable; warnings and errors still show.
    app.logger.logLevel = .warning
    do {
        try await configure(app, settings: settings)
        try await prepareDatabase(app)
        try await body(app)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// The migrated demo database as a PostgreSQL template: migrating and loading the demo once, then copying it for
/// each test (`CREATE DATABASE … TEMPLATE`), takes a fraction of the time of doing both for every test.
actor PostgresTemplate {
    static let shared = PostgresTemplate()
    /// One audit key for the template and its copies, so a copy's chain verifies.
    static let auditKey = Secrets.hex([UInt8].random(count: 32))
    static let template = "innbygger_test_template"
    static let copy = "innbygger_test_run"

    private var admin: Application?
    private var made = false

    /// `url` with its database name replaced.
    static func url(_ url: String, database: String) -> String {
        var c = URLComponents(string: url)!
        c.path = "/" + database
        return c.string!
    }

    private func run(_ sql: String, on url: String) async throws {
        if admin == nil {
            let a = try await Application.make(.testing)
            a.logger.logLevel = .warning
            a.databases.use(try .postgres(url: url), as: .psql)
            admin = a
        }
        try await (admin!.db as! any SQLDatabase).raw(SQLQueryString(sql)).run()
    }

    /// A database freshly copied from the template (made on first use), and its URL.
    func freshCopy(from url: String) async throws -> String {
        if !made {
            try await run("DROP DATABASE IF EXISTS \(Self.template) WITH (FORCE)", on: url)
            try await run("CREATE DATABASE \(Self.template)", on: url)
            let app = try await Application.make(.testing)
            app.logger.logLevel = .warning
            do {
                var settings = Settings.testing()
                settings.autoDemo = true
                settings.databaseURL = Self.url(url, database: Self.template)
                settings.auditKey = Self.auditKey
                try await configure(app, settings: settings)
                try await prepareDatabase(app)
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
            made = true
        }
        try await run("DROP DATABASE IF EXISTS \(Self.copy) WITH (FORCE)", on: url)
        try await run("CREATE DATABASE \(Self.copy) TEMPLATE \(Self.template)", on: url)
        return Self.url(url, database: Self.copy)
    }
}

/// A cookie-keeping client for page tests.
final class Browser {
    let app: Application
    var cookies: [String: String] = [:]
    init(_ app: Application) { self.app = app }

    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, form: [String: String]? = nil, headers extra: HTTPHeaders = [:],
        bytes: String? = nil
    ) async throws -> TestingHTTPResponse {
        var headers = extra
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        var body: ByteBuffer? = bytes.map { ByteBuffer(string: $0) }
        if let form {
            headers.contentType = .urlEncodedForm
            let encoded = form.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
            body = ByteBuffer(string: encoded)
        }
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        for v in res.headers[.setCookie] {
            let pair = v.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || v.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return res
    }

    /// The CSRF token in a page's forms.
    static func csrf(in html: String) -> String? {
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    @discardableResult
    func login(_ username: String, password: String = DemoData.password) async throws -> TestingHTTPResponse {
        let page = try await send(.GET, "/login")
        let token = try #require(Browser.csrf(in: page.body.string))
        return try await send(
            .POST, "/login", form: ["username": username, "password": password, "_csrf": token, "next": "/"])
    }

    /// Opens the first `count` person files of a municipality (each read is audited).
    func openFiles(in municipality: Kommunenummer, count: Int) async throws {
        for p in try await Person.query(on: app.db).filter(\.$municipality.$id == municipality).limit(count).all() {
            _ = try await send(.GET, "/persons/\(p.id!)")
        }
    }

    /// Posts a file as a browser form does (multipart, with the CSRF token and any other fields).
    @discardableResult
    func upload(_ path: String, csv: String, filename: String = "file.csv", fields: [String: String] = [:]) async throws
        -> TestingHTTPResponse
    {
        let boundary = "innbygger-test-boundary"
        var body = ""
        for (name, value) in ["_csrf": try await csrf()].merging(fields, uniquingKeysWith: { a, _ in a }) {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body +=
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
        var h = HTTPHeaders()
        h.contentType = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])
        return try await send(.POST, path, headers: h, bytes: body)
    }

    /// A CSRF token from any signed-in page.
    func csrf() async throws -> String {
        try #require(Browser.csrf(in: try await send(.GET, "/account").body.string))
    }
}

func token(_ app: Application, for username: String) async throws -> String {
    let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
    return try await TokenIssuer.issue(for: user.id!, name: "test", on: app.db).0
}

func api(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: String? = nil) async throws
    -> TestingHTTPResponse
{
    var headers = HTTPHeaders()
    if let token { headers.bearerAuthorization = .init(token: token) }
    var body: ByteBuffer? = nil
    if let json {
        headers.contentType = .json
        body = ByteBuffer(string: json)
    }
    return try await app.testing().sendRequest(method, path, headers: headers, body: body)
}

/// A person in the given municipality (by its demo number).
func person(
    in municipality: Kommunenummer, _ app: Application, sharedWith sector: Sector? = nil,
    notSharedWith other: Sector? = nil
) async throws -> Person {
    let all = try await Person.query(on: app.db).filter(\.$municipality.$id == municipality).with(\.$shares).all()
    return try #require(
        all.first { p in
            (sector.map { p.activeSectors.contains($0) } ?? true)
                && (other.map { !p.activeSectors.contains($0) } ?? true)
        })
}

func auditCount(_ app: Application) async throws -> Int { try await AuditEntry.query(on: app.db).count() }

/// What an attacker with the database owner's rights could do first: drop the triggers that keep audit rows
/// append-only. The keyed chain must still reveal what they do next.
func dropAuditProtection(_ app: Application) async throws {
    try await ProtectAuditEntries().revert(on: app.db)
}
