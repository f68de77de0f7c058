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

/// Routes that hold no personal data and need no login.
let publicRoutes: Set<String> = [
    "GET /login", "POST /login", "GET /lang/:lang", "GET /healthz", "GET /readyz", "GET /metrics",
    "GET /api/openapi.yaml",
]

@Suite("Access: authentication, municipality, sector, role", .serialized)
struct AccessTests {
    @Test("Every route except the public ones refuses an anonymous request")
    func anonymousRefused() async throws {
        try await withDemoApp { app in
            let someID = try await person(in: "3420", app).id!.uuidString
            var checked = 0
            for route in app.routes.all {
                let pattern = "/" + route.path.map(\.description).joined(separator: "/")
                let label = "\(route.method.rawValue) \(pattern)"
                if publicRoutes.contains(label) { continue }
                let path =
                    "/"
                    + route.path.map { c -> String in
                        if case .parameter = c { return someID }
                        return c.description
                    }.joined(separator: "/")
                let res = try await app.testing().sendRequest(route.method, path)
                if pattern.hasPrefix("/api/") {
                    #expect(res.status == .unauthorized, "\(label) answered \(res.status)")
                    #expect(res.body.string.contains("\"code\":\"unauthorized\""))
                } else {
                    // Pages send the browser to the login form and show nothing else.
                    #expect(res.status == .seeOther, "\(label) answered \(res.status)")
                    #expect(res.headers.first(name: .location)?.hasPrefix("/login") == true)
                    #expect(!res.body.string.contains(someID))
                }
                checked += 1
            }
            #expect(checked > 20)
        }
    }

    @Test("A user of one municipality cannot read another's records, in pages or the API")
    func otherMunicipalityRefused() async throws {
        try await withDemoApp { app in
            let elverum = try await person(in: "3420", app)
            let tynset = try await person(in: "3427", app)
            let b = Browser(app)
            try await b.login("saksbehandler.tynset")
            #expect(try await b.send(.GET, "/persons/\(tynset.id!)").status == .ok)
            let refused = try await b.send(.GET, "/persons/\(elverum.id!)")
            #expect(refused.status == .forbidden)
            #expect(!refused.body.string.contains(elverum.familyName))
            let list = try await b.send(.GET, "/persons").body.string
            #expect(list.contains(tynset.familyName))
            #expect(!list.contains(elverum.familyName))
            #expect(try await b.send(.GET, "/persons?municipality=3420").status == .forbidden)

            let t = try await token(app, for: "saksbehandler.tynset")
            #expect(try await api(app, .GET, "/api/v1/persons/\(elverum.id!)", token: t).status == .forbidden)
            #expect(try await api(app, .GET, "/api/v1/persons/\(tynset.id!)", token: t).status == .ok)
            let apiList = try await api(app, .GET, "/api/v1/persons", token: t)
            let decoded = try apiList.content.decode(PersonList.self)
            #expect(!decoded.items.isEmpty)
            #expect(decoded.items.allSatisfy { $0.municipality == "3427" })
            // Writing into another municipality is refused too, and nothing is stored.
            let before = try await Person.query(on: app.db).count()
            let body =
                #"{"municipality":"3420","givenName":"Test","familyName":"Person","birthDate":"1990-01-01","sex":"female","citizenship":"SY","residenceGround":"refugee"}"#
            #expect(try await api(app, .POST, "/api/v1/persons", token: t, json: body).status == .forbidden)
            #expect(try await api(app, .DELETE, "/api/v1/persons/\(elverum.id!)", token: t).status == .forbidden)
            #expect(try await Person.query(on: app.db).count() == before)
        }
    }

    @Test("A host-municipality agreement lets Gol's integration service work on Hemsedal's files")
    func agreementWidensScope() async throws {
        try await withDemoApp { app in
            let hemsedal = try await person(in: "3326", app)
            let elverum = try await person(in: "3420", app)
            let t = try await token(app, for: "saksbehandler.gol")
            #expect(try await api(app, .GET, "/api/v1/persons/\(hemsedal.id!)", token: t).status == .ok)
            #expect(try await api(app, .GET, "/api/v1/persons/\(elverum.id!)", token: t).status == .forbidden)
            // Ending the agreement ends the access.
            try await ServiceAgreement.query(on: app.db).filter(\.$served.$id == "3326").set(
                \.$validTo, to: LocalDate(iso: "2024-12-31")
            ).update()
            #expect(try await api(app, .GET, "/api/v1/persons/\(hemsedal.id!)", token: t).status == .forbidden)
        }
    }

    @Test("A leader sees aggregates and no names")
    func leaderSeesNoNames() async throws {
        try await withDemoApp { app in
            let names = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").all()
            let b = Browser(app)
            try await b.login("leder.elverum")
            let report = try await b.send(.GET, "/reports")
            #expect(report.status == .ok)
            #expect(report.body.string.contains("Elverum"))
            for p in names {
                #expect(!report.body.string.contains(p.familyName))
                #expect(!report.body.string.contains(p.givenName))
            }
            for page in ["/persons", "/households", "/persons/\(names[0].id!)"] {
                let res = try await b.send(.GET, page)
                #expect(res.status == .forbidden, "\(page)")
                #expect(!res.body.string.contains(names[0].familyName))
            }
            let home = try await b.send(.GET, "/").body.string
            #expect(!home.contains("href=\"/persons\""))
            let t = try await token(app, for: "leder.elverum")
            #expect(try await api(app, .GET, "/api/v1/persons", token: t).status == .forbidden)
            #expect(try await api(app, .GET, "/api/v1/households", token: t).status == .forbidden)
            let stats = try await api(app, .GET, "/api/v1/statistics/overview", token: t)
            #expect(stats.status == .ok)
            let s = try stats.content.decode(Statistics.self)
            #expect(s.municipalities.map(\.code) == ["3420"])
            for p in names { #expect(!stats.body.string.contains(p.familyName)) }
        }
    }

    @Test(
        "A partner's person JSON has exactly the keys of its sections, as the case worker's less the rest",
        arguments: [
            ("nav.elverum", Sector.nav), ("helse.elverum", .health), ("skole.elverum", .school),
            ("barnehage.elverum", .kindergarten), ("bolig.elverum", .housing), ("frivillig.elverum", .volunteer),
        ])
    func partnerKeys(_ user: String, _ sector: Sector) async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app, sharedWith: sector)
            // An advisor on the file, so that a leak of advisorId would show.
            let advisor = try #require(
                try await User.query(on: app.db).filter(\.$username == "veileder.elverum").first())
            p.advisorID = advisor.id
            try await p.update(on: app.db)
            func keys(_ username: String) async throws -> Set<String> {
                let res = try await api(
                    app, .GET, "/api/v1/persons/\(p.id!)", token: try await token(app, for: username))
                #expect(res.status == .ok, "\(username)")
                let object = try JSONSerialization.jsonObject(with: Data(res.body.string.utf8)) as? [String: Any]
                return Set(try #require(object).keys)
            }
            let readable = app.sectionTable.sections.filter { app.sectionTable.readers($0).contains(sector) }
            let allowed = Set(["id", "municipality", "givenName", "familyName", "sections"])
                .union(readable.flatMap { PersonDTO.fields[$0] ?? [] }).subtracting(["advisorId"])
            let full = try await keys("saksbehandler.elverum")
            #expect(full.contains("advisorId"))
            #expect(try await keys(user) == full.intersection(allowed), "\(user)")
        }
    }

    @Test(
        "Four eyes hold: a leader the administrator makes is pending, and once approved it cannot approve the administrator's grants"
    )
    func fourEyes() async throws {
        try await withDemoApp { app in
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            func create(_ username: String, _ role: String) async throws -> RoleAssignment {
                let res = try await admin.send(
                    .POST, "/admin/users",
                    form: [
                        "_csrf": try await admin.csrf(), "username": username, "displayName": "Ny Bruker",
                        "password": "Et langt passord 2026", "role": role, "municipality": "3420", "unit": "",
                    ])
                #expect(res.headers.first(name: .location) == "/admin/users?notice=pending", "\(role)")
                let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
                return try #require(try await RoleAssignment.query(on: app.db).filter(\.$user.$id == user.id!).first())
            }
            let leaderGrant = try await create("ny.leder", "leader")
            let caseWorkerGrant = try await create("ny.saksbehandler", "case_worker")
            #expect(leaderGrant.pending && caseWorkerGrant.pending)
            // Pending, the new leader has no approvals page and approves nothing.
            let newLeader = Browser(app)
            #expect(try await newLeader.login("ny.leder", password: "Et langt passord 2026").status == .seeOther)
            let approve = { (b: Browser, g: RoleAssignment) in
                try await b.send(.POST, "/admin/approvals/\(g.id!)/approve", form: ["_csrf": try await b.csrf()])
            }
            #expect(try await approve(newLeader, caseWorkerGrant).status == .forbidden)
            // Another person (the demo's leader) approves the new leader …
            let leader = Browser(app)
            try await leader.login("leder.elverum")
            #expect(try await approve(leader, leaderGrant).status == .seeOther)
            #expect(try await RoleAssignment.find(leaderGrant.id, on: app.db)?.pending == false)
            // … who still cannot approve what the administrator that made it asked for.
            let approved = Browser(app)
            #expect(try await approved.login("ny.leder", password: "Et langt passord 2026").status == .seeOther)
            #expect(try await approved.send(.GET, "/admin/approvals").status == .ok)
            #expect(try await approve(approved, caseWorkerGrant).status == .forbidden)
            #expect(try await RoleAssignment.find(caseWorkerGrant.id, on: app.db)?.pending == true)
            let cw = Browser(app)
            #expect(try await cw.login("ny.saksbehandler", password: "Et langt passord 2026").status == .seeOther)
            #expect(try await cw.send(.GET, "/persons").status == .forbidden)
            // The demo's leader, whom the administrator did not make, can.
            #expect(try await approve(leader, caseWorkerGrant).status == .seeOther)
            let cwAgain = Browser(app)
            #expect(try await cwAgain.login("ny.saksbehandler", password: "Et langt passord 2026").status == .seeOther)
            #expect(try await cwAgain.send(.GET, "/persons").status == .ok)
        }
    }

    @Test("A partner sees only files shared with the partner's sector")
    func partnerSeesSharedOnly() async throws {
        try await withDemoApp { app in
            let shared = try await person(in: "3420", app, sharedWith: .nav)
            let notShared = try await person(in: "3420", app, notSharedWith: .nav)
            let t = try await token(app, for: "nav.elverum")
            #expect(try await api(app, .GET, "/api/v1/persons/\(shared.id!)", token: t).status == .ok)
            #expect(try await api(app, .GET, "/api/v1/persons/\(notShared.id!)", token: t).status == .forbidden)
            let list = try await api(app, .GET, "/api/v1/persons", token: t).content.decode(PersonList.self)
            #expect(!list.items.isEmpty)
            for item in list.items {
                let shares = try await PersonShare.query(on: app.db).filter(\.$person.$id == item.id).filter(
                    \.$revokedAt == nil
                ).all()
                #expect(shares.contains { $0.sector == .nav })
                // A partner's API response carries only the sections docs/privacy.md gives NAV.
                #expect(
                    item.sharedWith == nil && item.householdId == nil && item.workExperience == nil
                        && item.residenceGround == nil)
            }
            let raw = try await api(app, .GET, "/api/v1/persons/\(shared.id!)", token: t).body.string
            for key in ["sharedWith", "householdId", "workExperience", "residenceGround", "dufNumber"] {
                #expect(!raw.contains("\"\(key)\""), "\(key)")
            }
            // Partners read; they do not change the file.
            let body =
                #"{"municipality":"3420","givenName":"X","familyName":"Y","birthDate":"1990-01-01","sex":"male","citizenship":"SY","residenceGround":"refugee"}"#
            #expect(
                try await api(app, .PUT, "/api/v1/persons/\(shared.id!)", token: t, json: body).status == .forbidden)
            // Withdrawing the sharing ends the access.
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            let share = try #require(shared.shares.first { $0.sector == .nav && $0.revokedAt == nil })
            let res = try await cw.send(
                .POST, "/persons/\(shared.id!)/shares/\(share.id!)/revoke", form: ["_csrf": try await cw.csrf()])
            #expect(res.status == .seeOther)
            #expect(try await api(app, .GET, "/api/v1/persons/\(shared.id!)", token: t).status == .forbidden)
        }
    }

    @Test("The refusal of a personal record is itself audited")
    func refusalAudited() async throws {
        try await withDemoApp { app in
            let elverum = try await person(in: "3420", app)
            let t = try await token(app, for: "saksbehandler.tynset")
            _ = try await api(app, .GET, "/api/v1/persons/\(elverum.id!)", token: t)
            let entry = try #require(try await AuditEntry.query(on: app.db).sort(\.$id, .descending).first())
            #expect(entry.action == "denied_read")
            #expect(entry.recordID == elverum.id!.uuidString)
            #expect(entry.route == "GET /api/v1/persons/:personID")
        }
    }

    @Test("Administrative pages follow the policy")
    func adminPages() async throws {
        try await withDemoApp { app in
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            #expect(try await admin.send(.GET, "/admin/users").status == .ok)
            #expect(try await admin.send(.GET, "/admin/audit").status == .ok)
            #expect(try await admin.send(.GET, "/persons").status == .forbidden)
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            for page in ["/admin/users", "/admin/audit", "/admin/tenancy"] {
                #expect(try await cw.send(.GET, page).status == .forbidden, "\(page)")
            }
            // A municipal admin cannot create a system administrator.
            let res = try await admin.send(
                .POST, "/admin/users",
                form: [
                    "_csrf": try await admin.csrf(), "username": "ny.sysadmin", "displayName": "X",
                    "password": "Et langt passord 2026",
                    "role": "system_admin", "municipality": "3420", "unit": "",
                ])
            #expect(res.status == .forbidden)
            #expect(try await User.query(on: app.db).filter(\.$username == "ny.sysadmin").count() == 0)
            // … but can create a case worker in the own municipality, who can then log in — and read person files only
            // once a second person (the municipality's leader) has approved the role.
            let ok = try await admin.send(
                .POST, "/admin/users",
                form: [
                    "_csrf": try await admin.csrf(), "username": "ny.saksbehandler", "displayName": "Ny",
                    "password": "Et langt passord 2026",
                    "role": "case_worker", "municipality": "3420", "unit": "",
                ])
            #expect(ok.status == .seeOther)
            #expect(ok.headers.first(name: .location) == "/admin/users?notice=pending")
            let newUser = Browser(app)
            #expect(try await newUser.login("ny.saksbehandler", password: "Et langt passord 2026").status == .seeOther)
            #expect(try await newUser.send(.GET, "/persons").status == .forbidden)
            let created = try #require(
                try await User.query(on: app.db).filter(\.$username == "ny.saksbehandler").first())
            let grant = try #require(
                try await RoleAssignment.query(on: app.db).filter(\.$user.$id == created.id!).first())
            #expect(grant.pending)
            // The administrator who asked cannot approve it (and has no approvals page).
            #expect(try await admin.send(.GET, "/admin/approvals").status == .forbidden)
            #expect(
                try await admin.send(
                    .POST, "/admin/approvals/\(grant.id!)/approve", form: ["_csrf": try await admin.csrf()]
                ).status == .forbidden)
            // The leader of another municipality cannot either.
            let tynset = Browser(app)
            try await tynset.login("leder.tynset")
            #expect(
                try await tynset.send(
                    .POST, "/admin/approvals/\(grant.id!)/approve", form: ["_csrf": try await tynset.csrf()]
                ).status == .forbidden)
            let leader = Browser(app)
            try await leader.login("leder.elverum")
            let list = try await leader.send(.GET, "/admin/approvals")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("ny.saksbehandler"))
            #expect(
                try await leader.send(
                    .POST, "/admin/approvals/\(grant.id!)/approve", form: ["_csrf": try await leader.csrf()]
                ).status == .seeOther)
            #expect(try await RoleAssignment.find(grant.id, on: app.db)?.pending == false)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "role_approved").filter(
                    \.$recordID == grant.id!.uuidString
                ).count() == 1)
            let approved = Browser(app)
            #expect(try await approved.login("ny.saksbehandler", password: "Et langt passord 2026").status == .seeOther)
            #expect(try await approved.send(.GET, "/persons").status == .ok)
            // … but not in another municipality.
            let other = try await admin.send(
                .POST, "/admin/users",
                form: [
                    "_csrf": try await admin.csrf(), "username": "tynset.ny", "displayName": "Ny",
                    "password": "Et langt passord 2026",
                    "role": "case_worker", "municipality": "3427", "unit": "",
                ])
            #expect(other.status == .forbidden)
        }
    }
}
