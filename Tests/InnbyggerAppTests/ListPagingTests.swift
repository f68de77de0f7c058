import Fluent
import Foundation
import Testing
import VaporTesting

@testable import Economy
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel

/// Issue #12: every paged list, followed by its own "next" links, shows every row exactly once and in its order
/// while rows are stored between two pages; the "previous" links lead back over the same rows.
@Suite("Every list pages each row exactly once while rows are stored")
struct ListPagingTests {
    /// The keys of the rows `pattern` matches in a page, in page order (the first capture group).
    static func keys(_ html: String, _ pattern: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap {
            Range($0.range(at: 1), in: html).map { String(html[$0]) }
        }
    }

    /// The address of a pager link (`rel` "next" or "prev"), as the browser follows it.
    static func link(_ html: String, _ rel: String) -> String? {
        keys(html, #"<a rel="\#(rel)" href="([^"]+)""#).first?.replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Reads `list` (an address with a query) in about a dozen pages by its "next" links, calling `insert` after each
    /// page, and checks the rows against the whole list read before; then walks back by "previous".
    static func expectExactlyOnce(
        _ b: Browser, _ list: String, rows pattern: String, insert: (Int) async throws -> Void
    ) async throws {
        // The whole list before, 200 rows a page, nothing stored meanwhile.
        var before: [String] = []
        var at: String? = "\(list)&limit=200"
        while let path = at {
            let res = try await b.send(.GET, path)
            #expect(res.status == .ok, "\(path): \(res.status)")
            before += keys(res.body.string, pattern)
            at = link(res.body.string, "next")
        }
        #expect(before.count > 6, "\(list): too few rows to page (\(before.count))")
        var seen: [String] = []
        var pages: [String] = []
        // About a dozen pages, whatever the list's length.
        let size = max(3, before.count / 12)
        var path = "\(list)&limit=\(size)"
        var added = 0
        while true {
            let res = try await b.send(.GET, path)
            #expect(res.status == .ok, "\(path): \(res.status)")
            let html = res.body.string
            let page = keys(html, pattern)
            #expect(page.count <= size, "\(path)")
            seen += page
            pages.append(path)
            guard let next = link(html, "next"), pages.count < 200 else { break }
            try await insert(added)
            added += 1
            path = next
        }
        #expect(Set(seen).count == seen.count, "\(list): a row came twice")
        let old = Set(before)
        #expect(seen.filter(old.contains) == before, "\(list): a row was skipped or out of order")
        #expect(added >= 2, "\(list): \(added) rows stored while paging")
        // Back from the last page by "previous": each page's rows again, none twice, to the first.
        var back: [String] = []
        path = pages.last!
        while true {
            let res = try await b.send(.GET, path)
            #expect(res.status == .ok, "\(path): \(res.status)")
            back = keys(res.body.string, pattern) + back
            guard let previous = link(res.body.string, "prev"), back.count < 1000 else { break }
            path = previous
        }
        #expect(Set(back).count == back.count, "\(list): a row came twice going back")
        #expect(Set(seen).isSubset(of: Set(back)), "\(list): going back skipped a row")
    }

    static let person = #"<td><a href="/persons/([0-9A-Fa-f-]{36})[/"]"#

    /// A new file in Elverum, early in name order, through the API.
    static func addPerson(_ app: Application, _ t: String, _ n: Int, settled: Bool = false) async throws -> String {
        let dates =
            settled
            ? #","arrivalDate":"\#(LocalDate.today.adding(days: -40).iso)","settlementDate":"\#(LocalDate.today.adding(days: -30).iso)","permitDate":"\#(LocalDate.today.adding(days: -60).iso)""#
            : ""
        let res = try await api(
            app, .POST, "/api/v1/persons", token: t,
            json: """
                {"municipality":"3420","givenName":"Ny\(n)","familyName":"Aaberg","birthDate":"1980-01-01",
                "sex":"female","citizenship":"SY","residenceGround":"refugee"\(dates)}
                """)
        #expect(res.status == .created, "\(res.body.string)")
        struct Made: Decodable { var id: String }
        return try JSONDecoder().decode(Made.self, from: res.body).id
    }

    @Test("The person list and the household list")
    func personsAndHouseholds() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            try await Self.expectExactlyOnce(b, "/persons?municipality=3420", rows: Self.person) { n in
                _ = try await Self.addPerson(app, t, n)
            }
            // Enough households to page, then one more between two pages, first in the order.
            for n in 0..<8 {
                let res = try await api(
                    app, .POST, "/api/v1/households", token: t, json: #"{"municipality":"3420","name":"Berg \#(n)"}"#)
                #expect(res.status == .created)
            }
            try await Self.expectExactlyOnce(
                b, "/households?x=1", rows: #"<td><a href="/households/([0-9A-Fa-f-]{36})""#
            ) { n in
                let res = try await api(
                    app, .POST, "/api/v1/households", token: t, json: #"{"municipality":"3420","name":"Aaa \#(n)"}"#)
                #expect(res.status == .created)
            }
        }
    }

    @Test("The worklist, in each of its orders")
    func worklist() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            for sort in ["overdue", "upcoming", "name"] {
                // A row is a person's deadline: the whole row is its key.
                try await Self.expectExactlyOnce(
                    b, "/worklist?municipality=3420&sort=\(sort)", rows: #"(<tr class="deadline--.*?</tr>)"#
                ) { n in
                    _ = try await Self.addPerson(app, t, n, settled: true)
                }
            }
        }
    }

    @Test("The programme list, the payout list and the data-quality list")
    func programmeLists() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "veileder.elverum")
            let b = Browser(app)
            try await b.login("veileder.elverum")
            // A participant stored between two pages: a new file with a programme decided and started.
            let start = { (n: Int) in
                let id = try await Self.addPerson(app, t, n, settled: true)
                let res = try await api(
                    app, .PUT, "/api/v1/persons/\(id)/programme", token: t,
                    json: #"""
                        {"decisionDate":"\#(LocalDate.today.adding(days: -20).iso)","startDate":"\#(LocalDate.today.adding(days: -10).iso)"}
                        """#)
                #expect(res.status == .ok, "\(res.body.string)")
            }
            try await Self.expectExactlyOnce(b, "/programme?municipality=3420", rows: Self.person, insert: start)
            // This month's payout list: the new participants are paid from their start.
            try await Self.expectExactlyOnce(
                b, "/programme/payouts?municipality=3420&month=\(YearMonth(LocalDate.today).iso)", rows: Self.person,
                insert: start)
            try await Self.expectExactlyOnce(
                b, "/programme/data-quality?municipality=3420", rows: Self.person, insert: start)
        }
    }

    @Test("The grant ledger's person list and the scenario list")
    func economyLists() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let year = LocalDate.today.adding(days: -30).year
            try await Self.expectExactlyOnce(
                b, "/economy/grants?municipality=3420&year=\(year)", rows: Self.person
            ) { n in
                _ = try await Self.addPerson(app, t, n, settled: true)
            }
            let leader = try await token(app, for: "leder.elverum")
            for n in 0..<8 {
                let res = try await api(
                    app, .POST, "/api/v1/economy/scenarios", token: leader,
                    json: ScenarioTests.json(name: "Plan \(n)", municipality: "3420"))
                #expect(res.status == .created, "\(res.body.string)")
            }
            let lb = Browser(app)
            try await lb.login("leder.elverum")
            try await Self.expectExactlyOnce(
                lb, "/economy/scenarios?municipality=3420", rows: #"<a href="/economy/scenarios/([0-9A-Fa-f-]{36})""#
            ) { n in
                let res = try await api(
                    app, .POST, "/api/v1/economy/scenarios", token: leader,
                    json: ScenarioTests.json(name: "Alternativ \(n)", municipality: "3420"))
                #expect(res.status == .created, "\(res.body.string)")
            }
        }
    }

    @Test("The audit log, newest first, while every read appends to it")
    func auditLog() async throws {
        try await withDemoApp { app in
            let ctx = try await ServiceContextTests.context(app, "saksbehandler.elverum", route: "test")
            for n in 0..<10 {
                try await ctx.audit("read", recordType: "test", recordID: "paging-old-\(n)", municipality: "3420")
            }
            let b = Browser(app)
            try await b.login("sysadmin")
            try await Self.expectExactlyOnce(b, "/admin/audit?record=paging-", rows: #"<tr><td>(\d+)</td>"#) { n in
                try await ctx.audit("read", recordType: "test", recordID: "paging-new-\(n)", municipality: "3420")
            }
        }
    }

    @Test("The user list of the administration, while users are added")
    func users() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("sysadmin")
            try await Self.expectExactlyOnce(b, "/admin/users?x=1", rows: #"<tr><td>([a-z0-9.\-]+)</td>"#) { n in
                let u = User(username: "aaa-ny-\(n)", displayName: "Ny \(n)", passwordHash: "x")
                try await u.save(on: app.db)
                try await RoleAssignment(user: u.id!, role: .caseWorker, municipality: "3420", unit: nil).save(
                    on: app.db)
            }
            // A municipal administrator sees only the users of its municipality, and no system administrator.
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            let page = try await admin.send(.GET, "/admin/users?limit=200").body.string
            #expect(page.contains("<tr><td>saksbehandler.elverum</td>"))
            #expect(!page.contains("<tr><td>sysadmin</td>"))
            #expect(!page.contains("<tr><td>saksbehandler.tynset</td>"))
        }
    }
}
