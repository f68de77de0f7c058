import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// "Mine frister": every open deadline of the persons the user may see, overdue first.
/// Integration staff see all deadlines; a partner sees its own sector's deadlines on files shared with it.
package struct WorklistController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("worklist", use: page)
        routes.get("worklist.csv", use: csv)
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

    package struct Item {
        package var person: Person
        package var deadline: Deadline
        package var status: DeadlineStatus
    }

    /// Open deadlines, evaluated today, filtered by the policy and the query.
    package static func items(_ ctx: ServiceContext, _ f: Filter) async throws -> [Item] {
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
        let query = Person.query(on: ctx.db).filter(\.$municipality.$id ~~ codes).with(\.$shares)
        if mine { _ = PersonService.followedBy(query, user.id) }
        if let text = f.q?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.count <= 100 else { throw ValidationFailure(field: "q", "invalid.too_long", "100") }
            let pattern = "%\(Search.escapeLike(text))%"
            query.group(.or) {
                $0.filter(Search.like("given_name", in: Person.schema, pattern, on: ctx.db))
                    .filter(Search.like("family_name", in: Person.schema, pattern, on: ctx.db))
            }
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
        let persons = try await query.all().filter { ctx.may(.read, $0.resource) }
        let events = try await DeadlineEvents.dates(
            for: persons.compactMap(\.id), features: ctx.app.features, on: ctx.db)
        let staff = user.principal.roles.contains(where: \.isIntegrationStaff)
        let sectors = Set(user.principal.roles.compactMap(\.partnerSector))
        let today = LocalDate.today
        var out: [Item] = []
        for p in persons {
            for d in ctx.app.rulesEngine.evaluate(p.facts, asOf: today).deadlines {
                if let kind, d.kind != kind { continue }
                if !staff && !sectors.contains(d.kind.sector) { continue }
                let status = DeadlineStatus.of(
                    d, eventDate: events[p.id!]?[d.kind], asOf: today, soonDays: Deadlines.soonDays)
                if status != .met && d.kind.isMetByEvent { out.append(Item(person: p, deadline: d, status: status)) }
            }
        }
        try await ctx.auditList("worklist", municipalities: out.map { $0.person.$municipality.id })
        let byDue: (Item, Item) -> Bool = {
            ($0.deadline.due, $0.person.familyName, $0.person.givenName)
                < ($1.deadline.due, $1.person.familyName, $1.person.givenName)
        }
        switch sort {
        case .overdue:
            return out.sorted(by: byDue)
        case .upcoming:
            let (late, ahead) = (out.filter { $0.status == .overdue }, out.filter { $0.status != .overdue })
            return ahead.sorted(by: byDue) + late.sorted { byDue($1, $0) }
        case .name:
            return out.sorted {
                ($0.person.familyName, $0.person.givenName, $0.deadline.due)
                    < ($1.person.familyName, $1.person.givenName, $1.deadline.due)
            }
        }
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
        package var page: Int
        package var pages: Int
        package var previousPage: Int?
        package var nextPage: Int?
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
        let items = try await Self.items(req.context, f)
        let names = try await req.municipalityNames()
        let today = LocalDate.today
        let pages = max(1, (items.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(f.page ?? 1, pages)
        let rows = items.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize).map { i in
            let late = i.status == .overdue ? -today.days(until: i.deadline.due) : nil
            return PageView.Row(
                personID: i.person.id!, name: "\(i.person.familyName), \(i.person.givenName)",
                kindKey: i.deadline.kind.labelKey, due: i.deadline.due.iso, statusKey: i.status.labelKey,
                status: i.status.rawValue, daysOverdue: late, municipality: names[i.person.$municipality.id] ?? "")
        }
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
        return try await req.page(
            "Worklist/worklist", titleKey: "worklist.title",
            PageView(
                rows: Array(rows),
                counts: [DeadlineStatus.overdue, .soon, .later].map { s in
                    .init(
                        key: "worklist.\(s.rawValue)", status: s.rawValue, count: items.filter { $0.status == s }.count)
                },
                kinds: DeadlineKind.allCases.filter(\.isMetByEvent).map {
                    .init(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == f.kind)
                },
                municipalities: Choice.municipalities(codes, names: names, selected: f.municipality),
                sorts: Sort.allCases.map {
                    .init(value: $0.rawValue, label: "worklist.sort.\($0.rawValue)", selected: $0.rawValue == f.sort)
                },
                q: f.q ?? "", query: query, total: items.count, page: page, pages: pages,
                previousPage: page > 1 ? page - 1 : nil, nextPage: page < pages ? page + 1 : nil,
                mine: f.who == "mine", emptyReason: items.isEmpty ? try await Self.emptyReason(req, f) : nil,
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

    package func csv(req: Request) async throws -> Response {
        let f = try req.query.decode(Filter.self)
        let items = try await Self.items(req.context, f)
        let names = try await req.municipalityNames()
        let tr = req.application.translations
        let lang = req.language
        let body = CSV.document(
            header: [
                "person_id", "family_name", "given_name", "municipality", "deadline", "due", "status", "reference",
            ],
            rows: items.map { i in
                [
                    i.person.id!.uuidString, i.person.familyName, i.person.givenName,
                    names[i.person.$municipality.id] ?? "",
                    tr.text(i.deadline.kind.labelKey, lang), i.deadline.due.norwegian,
                    tr.text(i.status.labelKey, lang),
                    i.deadline.reference,
                ]
            })
        for m in Set(items.map { $0.person.$municipality.id }).sorted() {
            try await req.audit("export", recordType: "worklist", recordID: nil, municipality: m)
        }
        let res = Response(status: .ok, body: .init(string: body))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(
            name: .contentDisposition, value: "attachment; filename=\"frister-\(LocalDate.today.iso).csv\"")
        return res
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
