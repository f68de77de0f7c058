import Fluent
import Testing
import VaporTesting

@testable import Admin
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel

/// An installation without the demo: in-memory SQLite, migrated, empty.
func withEmptyApp(_ body: (Application) async throws -> Void) async throws {
    var settings = Settings.testing()
    settings.autoDemo = false
    // Always an in-memory SQLite of its own, also when the suite runs against PostgreSQL.
    settings.databaseURL = nil
    settings.inMemory = true
    try await runApp(settings, body)
}

@Suite("A real installation: setup, municipalities, units and agreements", .serialized)
struct SetupTests {
    static let password = "Fjellvann-Tretopp-2026!"

    @Test("Setup refuses what is wrong, creates the first system administrator once, and audits it")
    func firstAdministrator() async throws {
        try await withEmptyApp { app in
            #expect(try await User.query(on: app.db).count() == 0)
            await #expect(throws: CommandFailure.self) {
                _ = try await Setup.firstAdministrator(
                    app, username: "admin", displayName: "Første Admin", municipality: "9999", password: Self.password)
            }
            await #expect(throws: CommandFailure.self) {
                _ = try await Setup.firstAdministrator(
                    app, username: "admin", displayName: "Første Admin", municipality: "3420", password: "passord")
            }
            await #expect(throws: CommandFailure.self) {
                _ = try await Setup.firstAdministrator(
                    app, username: "a", displayName: "Første Admin", municipality: "3420", password: Self.password)
            }
            #expect(try await User.query(on: app.db).count() == 0)
            let user = try await Setup.firstAdministrator(
                app, username: "Admin", displayName: "Første Admin", municipality: "3420", password: Self.password)
            #expect(user.username == "admin")
            let home = try #require(try await Municipality.find("3420", on: app.db))
            #expect(home.name == "Elverum" && home.county == "Innlandet")
            let roles = try await RoleAssignment.query(on: app.db).filter(\.$user.$id == user.id!).all()
            #expect(roles.map(\.role) == [.systemAdmin] && roles.allSatisfy { !$0.pending })
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "setup_first_administrator").count() == 1)
            #expect(try await app.auditLog.verify(on: app.db).problem == nil)
            await #expect(throws: CommandFailure.self) {
                _ = try await Setup.firstAdministrator(
                    app, username: "admin2", displayName: "Andre", municipality: "3420", password: Self.password)
            }
        }
    }

    @Test("The administrator adds municipalities from Norway's list, service units and agreements, and ends one")
    func tenancyPages() async throws {
        try await withEmptyApp { app in
            _ = try await Setup.firstAdministrator(
                app, username: "admin", displayName: "Første Admin", municipality: "3420", password: Self.password)
            let b = Browser(app)
            #expect(try await b.login("admin", password: Self.password).status == .seeOther)
            let page = try await b.send(.GET, "/admin/tenancy")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("<option value=\"3427\">3427 Tynset</option>"))
            #expect(!page.body.string.contains("<option value=\"3420\">3420 Elverum</option>"))
            func post(_ path: String, _ form: [String: String]) async throws -> TestingHTTPResponse {
                try await b.send(.POST, path, form: form.merging(["_csrf": try await b.csrf()]) { a, _ in a })
            }
            #expect(try await post("/admin/tenancy/municipalities", ["code": "9999"]).status == .badRequest)
            #expect(try await post("/admin/tenancy/municipalities", ["code": "3427"]).status == .seeOther)
            #expect(try await post("/admin/tenancy/municipalities", ["code": "3427"]).status == .badRequest)
            #expect(try await Municipality.find("3427", on: app.db)?.name == "Tynset")
            #expect(
                try await post(
                    "/admin/tenancy/units", ["name": "Flyktningtjenesten", "sector": "integration", "host": "3420"]
                )
                .status == .seeOther)
            let unit = try #require(try await ServiceUnit.query(on: app.db).first())
            #expect(
                try await post(
                    "/admin/tenancy/agreements",
                    [
                        "unit": unit.id!.uuidString, "served": "3427", "validFrom": "2026-01-01",
                        "validTo": "2025-12-31", "reference": "Avtale",
                    ]
                ).status == .badRequest)
            #expect(
                try await post(
                    "/admin/tenancy/agreements",
                    ["unit": unit.id!.uuidString, "served": "3427", "validFrom": "2026-01-01", "reference": "Avtale"]
                ).status == .seeOther)
            // A case worker in the unit reaches the served municipality, until the agreement ends.
            let worker = User(username: "cw", displayName: "CW", passwordHash: try app.password.hash(Self.password))
            try await worker.create(on: app.db)
            try await RoleAssignment(user: worker.id!, role: .caseWorker, municipality: "3420", unit: unit.id)
                .create(on: app.db)
            var principal = try await PrincipalLoader.load(userID: worker.id!, on: app.db)
            #expect(principal.municipalities(for: [.caseWorker]).contains("3427"))
            let agreement = try #require(try await ServiceAgreement.query(on: app.db).first())
            let step = try await b.send(.GET, "/admin/tenancy/agreements/\(agreement.id!)/end")
            #expect(step.status == .ok && step.body.string.contains("Tynset"))
            #expect(try await post("/admin/tenancy/agreements/\(agreement.id!)/end", [:]).status == .seeOther)
            principal = try await PrincipalLoader.load(userID: worker.id!, on: app.db)
            #expect(!principal.municipalities(for: [.caseWorker]).contains("3427"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordType == "service_agreement").count() == 2)
        }
    }
}

@Suite("The administrator's parameter page", .serialized)
struct ParameterPageTests {
    @Test("Every dated table with its newest entry and source; the stale G first, marked")
    func parameters() async throws {
        try await withDemoApp { app in
            let tables = try ParameterTables.all(resources: app.directory.resourcesDirectory)
            #expect(tables.contains { $0.file == "programme.json" && $0.path == "grunnbelopKroner" })
            #expect(tables.count > 20 && tables.allSatisfy { !$0.reference.isEmpty })
            let admin = Browser(app)
            try await admin.login("sysadmin")
            let page = try await admin.send(.GET, "/admin/parameters")
            #expect(page.status == .ok)
            let html = page.body.string
            // The test day (16.11.2026) is after 1 May 2026: the G table, ending 01.05.2025, needs the new G.
            let g = try #require(html.range(of: "<td>grunnbelopKroner</td>"))
            let firstRow = try #require(html.range(of: "<tbody><tr"))
            #expect(html[firstRow.lowerBound..<g.lowerBound].components(separatedBy: "<tr").count == 2)
            #expect(html.contains("Legg inn ny G"))
            #expect(html.contains("Tabeller som trenger en ny verdi: 1."))
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            #expect(try await cw.send(.GET, "/admin/parameters").status == .forbidden)
        }
    }
}
