import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// "Mine frister": every open deadline of the persons the user may see, overdue first.
/// Integration staff see all deadlines; a partner sees its own sector's deadlines on files shared with it.
package struct WorklistController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("worklist", use: page)
        Export.routes(routes, [], last: "worklist") { req, format in try await Self.export(req, format) }
        routes.gated(.create, .sectorPart).post("persons", ":personID", "events", use: recordEvent)
    }

    /// `who=mine` narrows the list to the persons the user follows, as programme advisor or as responsible case
    /// worker ("Mine personer"); `q` to persons by name; `sort` orders the list; `page` pages it, 50 rows a page.
    package struct Filter: Content {
        var kind: String?
        var municipality: String?
        var who: String?
        var q: String?
        var sort: String?
        var page: Int?
        /// The pager's keyset links and rows a page (`PageWindow`).
        var after: String?
        var before: String?
        var limit: Int?
    }

    /// The orders the list can be read in.
    package enum Sort: String, CaseIterable {
        /// Most days overdue first, then what falls due soonest.
        case overdue
        /// What falls due next first, then the overdue, least overdue first.
        case upcoming
        /// By family and given name, then due date.
        case name
    }

    package static let pageSize = 50

    /// The person a worklist row is about: only the columns the list shows and filters by.
    package struct PersonRef: Sendable {
        package var id: UUID
        package var familyName: String
        package var givenName: String
        package var municipality: Kommunenummer
        package var advisorID: UUID?
        package var caseWorkerID: UUID?
    }

    package struct Item: Sendable {
        package var person: PersonRef
        package var deadline: Deadline
        package var status: DeadlineStatus
        /// Where the list goes on after this row.
        package var cursor: Cursor
    }

    /// A validated filter, as the queries need it.
    package struct Scope: Sendable {
        var codes: [Kommunenummer]
        var kind: DeadlineKind?
        var follower: UUID?
        var q: String?
        var sort: Sort
        /// nil for integration staff (every sector's deadlines); a partner's sectors otherwise.
        var sectors: [Sector]?
        var today: LocalDate
    }

    /// Checks the filter against the policy and the query's rules (400 for a malformed value, 403 outside the user's
    /// reach), and makes sure the deadline table has today's pass.
    package static func scope(_ ctx: ServiceContext, _ f: Filter) async throws -> Scope {
        let user = try ctx.requireUser()
        let codes = try await ctx.scope(where: .list, requested: f.municipality) {
            .personalDataList(municipality: $0)
        }
        var kind: DeadlineKind? = nil
        if let k = f.kind, !k.isEmpty {
            guard let v = DeadlineKind(rawValue: k) else {
                throw ValidationFailure(field: "kind", "invalid.choice")
            }
            kind = v
        }
        let mine: Bool
        switch f.who ?? "" {
        case "": mine = false
        case "mine": mine = true
        default: throw ValidationFailure(field: "who", "invalid.choice")
        }
        var q: String? = nil
        if let text = f.q?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.count <= 100 else { throw ValidationFailure(field: "q", "invalid.too_long", "100") }
            q = text
        }
        let sort: Sort
        if let s = f.sort, !s.isEmpty {
            guard let v = Sort(rawValue: s) else { throw ValidationFailure(field: "sort", "invalid.choice") }
            sort = v
        } else {
            sort = .overdue
        }
        if let page = f.page, !(1...10_000).contains(page) {
            throw ValidationFailure(field: "page", "invalid.range", "1", "10000")
        }
        _ = try PageWindow(page: f.page, after: f.after, before: f.before, limit: f.limit)
        let staff = user.principal.roles.contains(where: \.isIntegrationStaff)
        try await ctx.app.deadlineIndex.ensureCurrent(ctx.app)
        return Scope(
            codes: codes, kind: kind, follower: mine ? user.id : nil, q: q, sort: sort,
            sectors: staff ? nil : Array(Set(user.principal.roles.compactMap(\.partnerSector))), today: .today)
    }

    /// `FROM … WHERE …` of the filtered list: the deadline table joined to the files, in SQL with indexes. A partner
    /// gets only its own sectors' deadlines on files shared with one of its sectors, as the policy says.
    static func from(_ s: Scope, on db: any Database) -> SQLQueryString {
        var sql: SQLQueryString = """
            FROM \(ident: OpenDeadline.schema) d JOIN \(ident: Person.schema) p ON p.id = d.person_id
            WHERE d.municipality IN (\(binds: s.codes.map(\.value)))
            """
        if let kind = s.kind { sql += " AND d.kind = \(bind: kind.rawValue)" }
        if let u = s.follower { sql += " AND (p.advisor_id = \(bind: u) OR p.case_worker_id = \(bind: u))" }
        if let q = s.q {
            let op = (db as? any SQLDatabase)?.dialect.name == "postgresql" ? "ILIKE" : "LIKE"
            let pattern = "%\(Search.escapeLike(q))%"
            sql +=
                " AND (p.given_name \(unsafeRaw: op) \(bind: pattern) ESCAPE '\\'"
                + " OR p.family_name \(unsafeRaw: op) \(bind: pattern) ESCAPE '\\')"
        }
        if let sectors = s.sectors {
            // No sector, no partner's deadlines (and no empty IN list).
            let names = sectors.isEmpty ? [""] : sectors.map(\.rawValue)
            sql += " AND d.sector IN (\(binds: names)) AND " + PersonShare.active(with: sectors, person: "d.person_id")
        }
        return sql
    }

    /// The list's order as a keyset: the table's key last, so the order is total and pages never overlap.
    static func keyset(_ s: Scope) -> Keyset {
        switch s.sort {
        case .overdue:
            return Keyset([.init("d.due"), .init("p.family_name"), .init("p.given_name"), .init("d.id")])
        case .upcoming:
            // What is still ahead first, soonest first; then the overdue, least overdue first. The day is a literal
            // ISO date (never user input), so the expressions can be compared with a cursor's values.
            let day = s.today.iso
            return Keyset([
                .init("CASE WHEN d.due < '\(day)' THEN 1 ELSE 0 END"),
                .init("CASE WHEN d.due < '\(day)' THEN '' ELSE d.due END"), .init("d.due", ascending: false),
                .init("p.family_name"), .init("p.given_name"), .init("d.id"),
            ])
        case .name:
            return Keyset([.init("p.family_name"), .init("p.given_name"), .init("d.due"), .init("d.id")])
        }
    }

    /// The cursor after an item, in the values of `keyset(s)`.
    static func cursor(_ i: Item, key: Int, _ s: Scope) -> Cursor {
        let due = i.deadline.due.iso
        let (family, given) = (i.person.familyName, i.person.givenName)
        switch s.sort {
        case .overdue: return Cursor([.text(due), .text(family), .text(given), .number(key)])
        case .upcoming:
            let late = i.deadline.due < s.today
            return Cursor([
                .number(late ? 1 : 0), .text(late ? "" : due), .text(due), .text(family), .text(given), .number(key),
            ])
        case .name: return Cursor([.text(family), .text(given), .text(due), .number(key)])
        }
    }

    private struct Row: Decodable {
        var id: Int
        var person_id: UUID
        var family_name: String
        var given_name: String
        var municipality: String
        var advisor_id: UUID?
        var case_worker_id: UUID?
        var kind: String
        var due: String
        var reference: String
    }

    /// `limit` rows of the list after `cursor` (keyset paging), read in SQL.
    package static func rows(_ ctx: ServiceContext, _ s: Scope, limit: Int, after cursor: Cursor? = nil)
        async throws -> [Item]
    {
        let keys = keyset(s)
        return try await read(
            ctx, s, try cursor.map { try keys.after($0) },
            keys.orderBy + " LIMIT \(unsafeRaw: String(limit))")
    }

    /// The rows of a page of the list as its window reads them (one more than the page, maybe backwards).
    package static func rows(_ ctx: ServiceContext, _ s: Scope, _ window: PageWindow) async throws -> [Item] {
        let keys = keyset(s)
        return try await read(ctx, s, try window.condition(keys), window.orderAndLimit(keys))
    }

    private static func read(
        _ ctx: ServiceContext, _ s: Scope, _ condition: SQLQueryString?, _ orderAndLimit: SQLQueryString
    ) async throws -> [Item] {
        let sql = ctx.db as! any SQLDatabase
        var query: SQLQueryString =
            """
            SELECT d.id, d.person_id, p.family_name, p.given_name, d.municipality, p.advisor_id, p.case_worker_id,
            d.kind, d.due, d.reference
            """ + " " + from(s, on: ctx.db)
        if let condition { query += " AND " + condition }
        query += orderAndLimit
        return try await sql.raw(query).all(decoding: Row.self).compactMap { (r: Row) -> Item? in
            guard let kind = DeadlineKind(rawValue: r.kind), let due = LocalDate(parsing: r.due),
                let m = Kommunenummer(r.municipality)
            else { return nil }
            let d = Deadline(kind: kind, due: due, reference: r.reference, basis: "")
            var item = Item(
                person: PersonRef(
                    id: r.person_id, familyName: r.family_name, givenName: r.given_name, municipality: m,
                    advisorID: r.advisor_id, caseWorkerID: r.case_worker_id),
                deadline: d,
                status: DeadlineStatus.of(d, eventDate: nil, asOf: s.today, soonDays: Deadlines.soonDays),
                cursor: Cursor([]))
            item.cursor = Self.cursor(item, key: r.id, s)
            return item
        }
    }

    /// How many rows the filter holds, by status, in one aggregate query.
    package static func counts(_ ctx: ServiceContext, _ s: Scope) async throws -> [DeadlineStatus: Int] {
        struct Counts: Decodable {
            var overdue: Int?
            var soon: Int?
            var later: Int?
        }
        let sql = ctx.db as! any SQLDatabase
        let day = s.today.iso
        let soon = s.today.adding(days: Deadlines.soonDays).iso
        let query: SQLQueryString =
            """
            SELECT SUM(CASE WHEN d.due < \(bind: day) THEN 1 ELSE 0 END) AS overdue,
            SUM(CASE WHEN d.due >= \(bind: day) AND d.due <= \(bind: soon) THEN 1 ELSE 0 END) AS soon,
            SUM(CASE WHEN d.due > \(bind: soon) THEN 1 ELSE 0 END) AS later
            """ + " " + from(s, on: ctx.db)
        let c = try await sql.raw(query).first(decoding: Counts.self)
        return [.overdue: c?.overdue ?? 0, .soon: c?.soon ?? 0, .later: c?.later ?? 0]
    }

    /// Overdue rows by kind, for the start page: for all the filter holds and for the persons `follower` follows.
    package static func overdueByKind(_ ctx: ServiceContext, _ s: Scope, follower: UUID) async throws
        -> [(kind: DeadlineKind, all: Int, mine: Int)]
    {
        struct KindCount: Decodable {
            var kind: String
            var total: Int
            var mine: Int?
        }
        let sql = ctx.db as! any SQLDatabase
        let query: SQLQueryString =
            """
            SELECT d.kind, COUNT(*) AS total,
            SUM(CASE WHEN p.advisor_id = \(bind: follower) OR p.case_worker_id = \(bind: follower) THEN 1 ELSE 0 END)
            AS mine
            """ + " " + from(s, on: ctx.db) + " AND d.due < \(bind: s.today.iso) GROUP BY d.kind ORDER BY d.kind"
        return try await sql.raw(query).all(decoding: KindCount.self).compactMap { r in
            DeadlineKind(rawValue: r.kind).map { ($0, r.total, r.mine ?? 0) }
        }
    }

    /// Every row of the filter, in its order, read a page at a time (the CSV export, and tests).
    package static func items(_ ctx: ServiceContext, _ f: Filter) async throws -> [Item] {
        let s = try await scope(ctx, f)
        var out: [Item] = []
        while true {
            let page = try await rows(ctx, s, limit: 1000, after: out.last?.cursor)
            out += page
            if page.count < 1000 { break }
        }
        return out
    }

    package struct PageView: Encodable {
        package struct Row: Encodable {
            var personID: UUID
            var name: String
            var kindKey: String
            var due: String
            var statusKey: String
            var status: String
            /// Days past the due date; nil when not overdue.
            var daysOverdue: Int?
            var municipality: String
        }
        package struct Count: Encodable {
            var key: String
            var status: String
            var count: Int
        }
        package var rows: [Row]
        package var counts: [Count]
        package var kinds: [Choice]
        package var municipalities: [Choice]
        package var sorts: [Choice]
        package var q: String
        /// The filter as a query string (for the CSV and the pager), without the page.
        package var query: String
        package var total: Int
        package var pager: Pager
        package var mine: Bool
        /// Why the list is empty, with the filters that made it so.
        package var emptyReason: String?
        /// The features' own tables (plan reviews due …), each filled behind its own policy check.
        package struct Table: Encodable {
            var id: String
            var titleKey: String
            var rows: [DueRow]
        }
        package var tables: [Table]
    }

    package func page(req: Request) async throws -> View {
        let f = try req.query.decode(Filter.self)
        let ctx = req.context
        let scope = try await Self.scope(ctx, f)
        let counts = try await Self.counts(ctx, scope)
        let total = counts.values.reduce(0, +)
        let names = try await req.municipalityNames()
        let today = scope.today
        let window = try PageWindow(page: f.page, after: f.after, before: f.before, limit: f.limit)
        let codes = try await req.municipalities(where: .list) { .personalDataList(municipality: $0) }
        var parts: [(String, String)] = [
            ("kind", f.kind ?? ""), ("municipality", f.municipality ?? ""), ("who", f.who ?? ""), ("q", f.q ?? ""),
            ("sort", f.sort ?? ""),
        ]
        parts = parts.filter { !$0.1.isEmpty }
        let query =
            "?"
            + parts.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
        let (items, pager) = window.settle(
            try await Self.rows(ctx, scope, window), total: total,
            base: query.count > 1 ? "/worklist\(query)&" : "/worklist?",
            cursor: \.cursor)
        try await ctx.auditList("worklist", records: items.map { ($0.person.id, $0.person.municipality) })
        let rows = items.map { i in
            let late = i.status == .overdue ? -today.days(until: i.deadline.due) : nil
            return PageView.Row(
                personID: i.person.id, name: "\(i.person.familyName), \(i.person.givenName)",
                kindKey: i.deadline.kind.labelKey, due: i.deadline.due.iso, statusKey: i.status.labelKey,
                status: i.status.rawValue, daysOverdue: late, municipality: names[i.person.municipality] ?? "")
        }
        return try await req.page(
            "Worklist/worklist", titleKey: "worklist.title",
            PageView(
                rows: Array(rows),
                counts: [DeadlineStatus.overdue, .soon, .later].map { s in
                    .init(
                        key: "worklist.\(s.rawValue)", status: s.rawValue, count: counts[s] ?? 0)
                },
                kinds: DeadlineKind.allCases.filter(\.isMetByEvent).map {
                    .init(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == f.kind)
                },
                municipalities: Choice.municipalities(codes, names: names, selected: f.municipality),
                sorts: Sort.allCases.map {
                    .init(value: $0.rawValue, label: "worklist.sort.\($0.rawValue)", selected: $0.rawValue == f.sort)
                },
                q: f.q ?? "", query: query, total: total, pager: pager,
                mine: f.who == "mine", emptyReason: total == 0 ? try await Self.emptyReason(req, f) : nil,
                tables: try await Self.tables(req, f)))
    }

    /// Says why nothing is listed: the filters in force, or that the user follows no one yet.
    package static func emptyReason(_ req: Request, _ f: Filter) async throws -> String {
        var active: [String] = []
        if f.who == "mine" {
            let user = try req.requireUser()
            let followed = try await PersonService.followedBy(Person.query(on: req.store), user.id).count()
            if followed == 0 { return req.text("worklist.empty.follows_no_one") }
            active.append(req.text("worklist.who_mine"))
        }
        if let k = f.kind, let kind = DeadlineKind(rawValue: k) { active.append(req.text(kind.labelKey)) }
        if let m = f.municipality, let code = Kommunenummer(m) {
            active.append(try await req.municipalityNames()[code] ?? m)
        }
        if let q = f.q?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
            active.append(req.text("worklist.empty.name", [q]))
        }
        return active.isEmpty
            ? req.text("worklist.empty.none") : req.text("worklist.empty.filtered", [active.joined(separator: ", ")])
    }

    /// The deadline sources' tables, those with rows.
    package static func tables(_ req: Request, _ f: Filter) async throws -> [PageView.Table] {
        let filter = WorklistFilter(
            kind: f.kind.flatMap { $0.isEmpty ? nil : $0 },
            municipality: f.municipality.flatMap { $0.isEmpty ? nil : $0 }, mine: f.who == "mine")
        var out: [PageView.Table] = []
        for source in req.application.features.flatMap(\.deadlineSources) {
            let rows = try await source.due(req, filter)
            if !rows.isEmpty { out.append(.init(id: source.id, titleKey: source.titleKey, rows: rows)) }
        }
        return out
    }

    /// The filtered list as CSV or XLSX, every row (read a thousand at a time), audited per municipality.
    static func export(_ req: Request, _ format: Export.Format) async throws -> Response {
        let f = try req.query.decode(Filter.self)
        let items = try await Self.items(req.context, f)
        let names = try await req.municipalityNames()
        let tr = req.application.translations
        let lang = req.language
        let rows: [[XLSX.Cell]] = items.map { i in
            [
                i.person.id.uuidString, i.person.familyName, i.person.givenName, names[i.person.municipality] ?? "",
                tr.text(i.deadline.kind.labelKey, lang), i.deadline.due.norwegian, tr.text(i.status.labelKey, lang),
                i.deadline.reference,
            ].map(XLSX.Cell.text)
        }
        for m in Set(items.map(\.person.municipality)).sorted() {
            try await req.audit("export", recordType: "worklist", recordID: nil, municipality: m)
        }
        return try Export.response(
            format, name: "frister-\(LocalDate.today.iso)", sheet: "Frister",
            header: [
                "person_id", "family_name", "given_name", "municipality", "deadline", "due", "status", "reference",
            ],
            rows: rows)
    }

    package struct EventForm: Content {
        var kind: String?
        var date: String?
    }

    package func recordEvent(req: Request) async throws -> Response {
        let f = try req.content.decode(EventForm.self)
        let id = try req.pathID("personID")
        do {
            let p = try await DeadlineEvents.record(req.context, personID: id, kind: f.kind, date: f.date)
            return req.redirect(to: "/persons/\(p.id!)?notice=saved")
        } catch let e as ValidationFailure {
            // The deadline's row on the person page shows the message and the date typed.
            return try await req.personPage(
                id,
                problem: SectionProblem(
                    form: "event:\(f.kind ?? "")", field: e.field, message: req.message(e),
                    posted: ["date": f.date ?? ""]))
        }
    }
}
