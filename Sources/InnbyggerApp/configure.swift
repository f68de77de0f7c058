import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import InnbyggerCore
import InnbyggerKernel
import Leaf
import Vapor

/// Sets up storage, views, middleware, routes and commands. Used by the executable and the tests.
public func configure(_ app: Application, settings: Settings = .fromEnvironment()) async throws {
    app.settings = settings
    if let day = try Settings.parseDay(settings.fixedDay) { ServiceClock.fix(day) }

    // Storage: PostgreSQL when DATABASE_URL is set, otherwise an SQLite file under the data directory.
    // SQL statements are logged only at trace level: bound values can hold personal data.
    if let url = settings.databaseURL {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw ConfigurationError("DATABASE_URL must start with postgres:// (got another scheme)")
        }
        // Writers wait for their turn in-process (`Writes`), so a few connections per core serve reads alongside.
        app.databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 4, sqlLogLevel: .trace), as: .psql)
    } else if settings.inMemory {
        app.databases.use(.sqlite(.memory, sqlLogLevel: .trace), as: .sqlite)
    } else {
        let dir = settings.dataDirectory
        let file = dir + "/innbygger.sqlite"
        // Personal data: only the service's own user may enter the directory or read the file.
        let fm = FileManager.default
        do {
            if !fm.fileExists(atPath: dir) {
                try fm.createDirectory(
                    atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            if !fm.fileExists(atPath: file) {
                _ = fm.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600])
            }
        } catch {
            throw ConfigurationError("cannot create data directory \(dir)")
        }
        // One connection per core, and a large import holds its core's connection for its whole transaction (the
        // rows, their audit entries and their deadlines commit together): a page asked for meanwhile waits for it
        // rather than failing after the driver's default 10 seconds.
        app.databases.use(.sqlite(.file(file), connectionPoolTimeout: .seconds(120), sqlLogLevel: .trace), as: .sqlite)
    }
    if settings.databaseURL == nil {
        // Write-ahead log: readers and the one writer do not block each other, and a killed process loses only
        // what was not committed. The mode is kept in the file.
        try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode = WAL").run()
    }
    app.auditLog = AuditLog(key: try AuditKey.load(settings))
    app.lifecycle.use(AuditAnchoring())
    app.auditBatcher = AuditBatcher()
    app.deadlineIndex = DeadlineIndex()
    app.municipalityCache = MunicipalityCache()
    app.features = Features.all
    Migrations.kernel.forEach { app.migrations.add($0) }
    for feature in app.features { feature.migrations.forEach { app.migrations.add($0) } }

    app.passwords.use(.bcrypt(cost: settings.bcryptCost))

    // Views and strings.
    app.views.use(.leaf)
    app.leaf.sources = try FeatureViews.sources(app)
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["tk"] = TranslateKeyTag()
    app.leaf.tags["dato"] = NorwegianDateTag()
    app.leaf.tags["kr"] = KronerTag()
    app.leaf.tags["num"] = NumberTag()
    app.leaf.tags["country"] = CountryTag()
    app.leaf.tags["maaned"] = MonthTag()
    app.leaf.tags["language"] = LanguageTag()
    app.leaf.tags["invalid"] = InvalidTag()
    app.leaf.tags["fieldError"] = FieldErrorTag()
    // Parsed templates are kept (issue #12: re-reading them cost most of a page); a template author sets
    // INNBYGGER_RELOAD_TEMPLATES=1 to see edits without a restart.
    app.leaf.cache.isEnabled = Environment.get("INNBYGGER_RELOAD_TEMPLATES") != "1"
    do {
        app.translations = try Translations.load(
            from: app.directory.workingDirectory, features: app.features.map(\.folder))
    } catch {
        throw ConfigurationError("cannot read the translations (start innbygger from the project directory): \(error)")
    }

    do {
        let text = try String(
            contentsOfFile: app.directory.resourcesDirectory + "Parameters/common-passwords.txt", encoding: .utf8)
        app.passwordPolicy = PasswordPolicy(
            common: Set(
                text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { $0.lowercased() }))
    } catch {
        throw ConfigurationError("cannot read Resources/Parameters/common-passwords.txt: \(error)")
    }
    try Parameters.load(app)
    try FileSections.load(app)
    do { app.referenceNames = try ReferenceNames.load(from: app.directory.resourcesDirectory) } catch {
        throw ConfigurationError("cannot read Resources/Reference: \(error)")
    }
    for feature in app.features { try feature.configure(app) }

    // Middleware, outermost first. Vapor's own request logger is replaced by one that logs route patterns only.
    app.middleware = Middlewares()
    app.middleware.use(RequestObserver())
    app.middleware.use(SecurityHeaders())
    app.middleware.use(ErrorHandler())
    app.middleware.use(RequestLimits())
    app.middleware.use(WriteTransaction())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.routes.defaultMaxBodySize = "2mb"

    try routes(app)

    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(SetupCommand(), as: "setup")
    app.asyncCommands.use(BenchDataCommand(), as: "bench-data")
    for feature in app.features {
        for (name, command) in feature.commands { app.asyncCommands.use(command, as: name) }
    }
}

/// The composition root: every feature of the application, in the order their migrations and demo data run: the
/// kernel's operations pages, then `listed`, which the FeatureList plugin writes from the features list in
/// Package.swift (see `docs/adding-a-feature.md`).
package enum Features {
    package static let all: [any Feature] = [OperationsFeature()] + listed
}

package enum Migrations {
    /// The kernel's tables (tenancy, users, audit, the person and household record), before any feature's.
    package static let kernel: [any Migration] = [
        CreateTenancy(), CreateUsers(), CreateAudit(), CreatePersons(), CreateDemoMarker(), AddPersonRuleFacts(),
        AddPersonDetails(), ProtectAuditEntries(), AddSecurityFields(), CreateDeadlineEvents(),
        AddPersonContact(), AddPersonCaseWorker(),
        IndexMigration(
            name: "KernelIndexes",
            [
                ("idx_persons_municipality_name", Person.schema, ["municipality", "family_name", "given_name"]),
                ("idx_persons_household", Person.schema, ["household_id"]),
                ("idx_persons_settlement_date", Person.schema, ["municipality", "settlement_date"]),
                ("idx_persons_advisor", Person.schema, ["advisor_id"]),
                ("idx_persons_case_worker", Person.schema, ["case_worker_id"]),
                ("idx_person_shares_person", PersonShare.schema, ["person_id"]),
                ("idx_person_shares_sector", PersonShare.schema, ["sector", "revoked_at"]),
                ("idx_households_municipality", Household.schema, ["municipality", "name"]),
                ("idx_deadline_events_person", DeadlineEvent.schema, ["person_id", "kind"]),
                ("idx_audit_municipality", AuditEntry.schema, ["municipality", "seq"]),
                ("idx_role_assignments_user", RoleAssignment.schema, ["user_id"]),
            ]),
        CreateDeadlineIndex(), AddPersonMoveOut(), CreateDeadlineOutcomes(),
    ]
}

/// Migrates and, on an empty database, loads the demo (what `serve` does by itself).
public func prepareDatabase(_ app: Application) async throws {
    try await app.autoMigrate()
    if app.settings.autoDemo, try await User.query(on: app.db).count() == 0 {
        try await DemoData.load(on: app.db, app: app)
        app.logger.notice("loaded demo data into an empty database")
    }
    app.isDemo = try await DemoData.isPresent(on: app.db)
    for feature in app.features { try await feature.start(app) }
    // The deadline table: files not computed today (all of them after the demo loads) are computed before the server
    // takes requests; the worklist asks again on every visit, so the first visit after midnight sees the new day.
    try await app.deadlineIndex.ensureCurrent(app)
}
