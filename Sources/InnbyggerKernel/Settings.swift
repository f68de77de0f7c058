import Vapor

/// Runtime settings, read once from the environment. Security knobs here are operational,
/// not legal rates, so they live in configuration rather than the dated parameter tables.
public struct Settings: Sendable {
    /// `postgres://…` to use PostgreSQL; nil means embedded SQLite under `dataDirectory`.
    public var databaseURL: String?
    /// Where the SQLite file lives (`INNBYGGER_DATA_DIR`, default `./data`).
    public var dataDirectory: String
    /// Use an in-memory SQLite database (tests).
    public var inMemory: Bool = false
    /// bcrypt work factor for new password hashes.
    public var bcryptCost: Int = 12
    /// Mark cookies `Secure`; on when `INNBYGGER_SECURE_COOKIES=1` (deployments behind TLS).
    public var secureCookies: Bool = false
    /// Sessions end after this much inactivity, and at the latest after `sessionMaxAge`.
    public var sessionIdleTimeout: TimeInterval = 60 * 60
    public var sessionMaxAge: TimeInterval = 12 * 60 * 60
    /// Login throttling: this many failures for one username within the window locks it for the window.
    public var loginMaxFailures: Int = 5
    public var loginWindow: TimeInterval = 15 * 60
    /// Failures from one client address within the window, across all usernames, before it is refused too.
    public var loginMaxFailuresPerSource: Int = 50
    /// Load the demo into an empty database when serving.
    public var autoDemo: Bool = true
    /// How long a write waits for its turn before it is answered 503 (`INNBYGGER_WRITE_WAIT_SECONDS`).
    public var writeWaitSeconds: Int = 10
    /// The audit chain's key (`INNBYGGER_AUDIT_KEY`, hex or base64); nil means the file `auditKeyFile`, made on
    /// first start.
    public var auditKey: String?
    /// Where the audit key is kept (`INNBYGGER_AUDIT_KEY_FILE`, default `<data directory>.audit.key`): outside the
    /// data directory, so that a copy of the directory does not carry the key that could rewrite its chain.
    public var auditKeyFile: String?
    /// Where the server appends the audit chain's anchors — its head's sequence and MAC, at start, every day and at
    /// shutdown (`INNBYGGER_AUDIT_ANCHORS`, default `<data directory>.audit-anchors`; nil: none). `audit verify`
    /// checks that the chain still holds every one, so a cut tail or a wiped log is found without a manual anchor.
    public var auditAnchorFile: String?
    /// `/metrics` answers only requests with `Authorization: Bearer <this>` (`INNBYGGER_METRICS_TOKEN`); unset, it
    /// is closed (404), so request counts by route are never public.
    public var metricsToken: String?
    /// Send `Strict-Transport-Security` (`INNBYGGER_HSTS=1`); only behind TLS.
    public var hsts: Bool = false

    public init(databaseURL: String?, dataDirectory: String) {
        self.databaseURL = databaseURL
        self.dataDirectory = dataDirectory
    }

    /// The data directory's path without a trailing slash, for the files kept beside it.
    private var besideData: String {
        var d = dataDirectory
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        return d
    }

    /// `auditKeyFile`, or the default beside the data directory.
    public var keyFile: String { auditKeyFile ?? besideData + ".audit.key" }

    /// The default anchor file, beside the data directory.
    public var defaultAnchorFile: String { besideData + ".audit-anchors" }

    /// `INNBYGGER_TODAY`: the day the service runs on (yyyy-mm-dd), for a demo, a bench or a replay; unset is the
    /// wall clock.
    public var fixedDay: String?

    /// The fixed day, checked: a malformed value stops the start rather than run on a wrong day.
    package static func parseDay(_ raw: String?) throws -> LocalDate? {
        guard let raw else { return nil }
        guard let day = LocalDate(iso: raw) else {
            throw ConfigurationError("INNBYGGER_TODAY must be a date as yyyy-mm-dd (got \(raw))")
        }
        return day
    }

    public static func fromEnvironment() -> Settings {
        let env = ProcessInfo.processInfo.environment
        var s = Settings(
            databaseURL: env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            dataDirectory: env["INNBYGGER_DATA_DIR"] ?? "./data")
        s.secureCookies = env["INNBYGGER_SECURE_COOKIES"] == "1"
        s.auditKey = env["INNBYGGER_AUDIT_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        s.auditKeyFile = env["INNBYGGER_AUDIT_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        s.auditAnchorFile = env["INNBYGGER_AUDIT_ANCHORS"].map { $0.isEmpty ? nil : $0 } ?? s.defaultAnchorFile
        s.metricsToken = env["INNBYGGER_METRICS_TOKEN"].flatMap { $0.count >= 16 ? $0 : nil }
        s.hsts = env["INNBYGGER_HSTS"] == "1"
        s.fixedDay = env["INNBYGGER_TODAY"].flatMap { $0.isEmpty ? nil : $0 }
        if let c = env["INNBYGGER_BCRYPT_COST"].flatMap(Int.init), (4...31).contains(c) { s.bcryptCost = c }
        if let w = env["INNBYGGER_WRITE_WAIT_SECONDS"].flatMap(Int.init), (1...300).contains(w) {
            s.writeWaitSeconds = w
        }
        // Demo data is loaded automatically only on the embedded database, unless asked for.
        s.autoDemo = env["INNBYGGER_DEMO"].map { $0 == "1" } ?? (s.databaseURL == nil)
        return s
    }

    /// For tests: in-memory SQLite, or PostgreSQL when `DATABASE_URL` is set; cheap bcrypt.
    public static func testing() -> Settings {
        var s = Settings(
            databaseURL: ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            dataDirectory: "./data")
        s.inMemory = s.databaseURL == nil
        s.bcryptCost = 4
        // Debug builds of many test apps share two cores: a queued write may wait far longer than in production.
        s.writeWaitSeconds = 120
        s.metricsToken = "metrics-token-for-tests"
        // A fresh key per test app: tests never write a key file into the working directory.
        s.auditKey = Secrets.hex([UInt8].random(count: 32))
        return s
    }
}

package struct SettingsKey: StorageKey { package typealias Value = Settings }

extension Application {
    public var settings: Settings {
        get { storage[SettingsKey.self] ?? .fromEnvironment() }
        set { storage[SettingsKey.self] = newValue }
    }
}
