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

/// Runs `body` against a fresh app with the demo loaded: a copy of a template database that was migrated and
/// loaded once per test process, on SQLite (a file of its own in a temporary directory) or on the PostgreSQL in
/// `DATABASE_URL` (a database of its own, `CREATE DATABASE … TEMPLATE`). Migrating 46 migrations and loading 14
/// features' demo for every test cost most of the suite's time (issue #29); a copy costs milliseconds.
func withDemoApp(_ body: (Application) async throws -> Void) async throws {
    await TestSlots.shared.acquire()
    do { try await runDemoApp(body) } catch {
        await TestSlots.shared.release()
        throw error
    }
    await TestSlots.shared.release()
}

/// At most `INNBYGGER_TEST_WIDTH` apps (default 8) at once: Swift Testing starts every test together, and hundreds of
/// apps loading pages on two cores only wait for each other (and each holds a PostgreSQL pool).
actor TestSlots {
    static let shared = TestSlots(
        width: ProcessInfo.processInfo.environment["INNBYGGER_TEST_WIDTH"].flatMap { Int($0) }.map { max(1, $0) } ?? 8)
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = width }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { free += 1 } else { waiters.removeFirst().resume() }
    }
}

/// The application's strings, for tests that call services without an app.
let testTranslations = try! Translations.load(
    from: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path,
    features: Features.all.map(\.folder))

/// The day every app test runs on, so the demo and the rules give the same answers whatever the date: a Monday.
let testDay = LocalDate(iso: "2026-11-16")!

/// One audit key for the templates and their copies, so a copy's chain verifies.
let templateAuditKey = Secrets.hex([UInt8].random(count: 32))

private func runDemoApp(_ body: (Application) async throws -> Void) async throws {
    // The day is fixed before the template's demo is made too.
    ServiceClock.fix(testDay)
    var settings = Settings.testing()
    settings.autoDemo = true
    settings.auditKey = templateAuditKey
    let cleanUp: () async -> Void
    if let url = settings.databaseURL {
        let name = try await PostgresTemplate.shared.freshCopy(from: url)
        settings.databaseURL = PostgresTemplate.url(url, database: name)
        cleanUp = { await PostgresTemplate.shared.drop(name, from: url) }
    } else {
        let dir = try await SQLiteTemplate.shared.freshCopy()
        settings.inMemory = false
        settings.dataDirectory = dir
        cleanUp = { try? FileManager.default.removeItem(atPath: dir) }
    }
    do { try await runApp(settings, body) } catch {
        await cleanUp()
        throw error
    }
    await cleanUp()
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

/// Migrates and loads the demo into a database described by `settings`, then shuts the app down.
private func makeTemplate(_ settings: Settings) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        try await configure(app, settings: settings)
        try await prepareDatabase(app)
        if settings.databaseURL == nil {
            // Everything into the main file, so that copying the file copies the database.
            try await (app.db as! any SQLDatabase).raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        }
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// The migrated demo as an SQLite file, made once per test process in a temporary directory (in memory where the
/// machine has `/dev/shm`); each test copies it into a directory of its own, removed after the test.
actor SQLiteTemplate {
    static let shared = SQLiteTemplate()
    static let root: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return base + "/innbygger-tests-\(ProcessInfo.processInfo.processIdentifier)"
    }()
    private var making: Task<String, any Error>?

    private func template() async throws -> String {
        if making == nil {
            making = Task {
                let dir = Self.root + "/template"
                try? FileManager.default.removeItem(atPath: Self.root)
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                // The directory goes with the process, also when a test fails.
                atexit { try? FileManager.default.removeItem(atPath: SQLiteTemplate.root) }
                var settings = Settings.testing()
                settings.autoDemo = true
                settings.auditKey = templateAuditKey
                settings.inMemory = false
                settings.dataDirectory = dir
                try await makeTemplate(settings)
                return dir + "/innbygger.sqlite"
            }
        }
        return try await making!.value
    }

    /// A new data directory holding a copy of the template database.
    func freshCopy() async throws -> String {
        let file = try await template()
        let dir = Self.root + "/" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(atPath: file, toPath: dir + "/innbygger.sqlite")
        return dir
    }
}

/// The migrated demo database as a PostgreSQL template, made once per test process; each test gets a database of
/// its own copied from it and dropped after the test, so tests on PostgreSQL run side by side as on SQLite.
actor PostgresTemplate {
    static let shared = PostgresTemplate()
    static let template = "innbygger_test_template"

    private var admin: Application?
    private var making: Task<Void, any Error>?
    /// CREATE DATABASE … TEMPLATE refuses while another copy of the same template is being made.
    private let copying = SerialLock()

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

    private func template(from url: String) async throws {
        if making == nil {
            making = Task {
                try await run("DROP DATABASE IF EXISTS \(Self.template) WITH (FORCE)", on: url)
                try await run("CREATE DATABASE \(Self.template)", on: url)
                var settings = Settings.testing()
                settings.autoDemo = true
                settings.databaseURL = Self.url(url, database: Self.template)
                settings.auditKey = templateAuditKey
                try await makeTemplate(settings)
            }
        }
        try await making!.value
    }

    /// The name of a database freshly copied from the template (made on first use).
    func freshCopy(from url: String) async throws -> String {
        try await template(from: url)
        let name = "innbygger_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        await copying.acquire()
        do { try await run("CREATE DATABASE \(name) TEMPLATE \(Self.template)", on: url) } catch {
            await copying.release()
            throw error
        }
        await copying.release()
        return name
    }

    /// Drops a test's database (its app has shut down; FORCE ends any connection left over).
    func drop(_ name: String, from url: String) async {
        try? await run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: url)
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
