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

    /// `who=mine` narrows the list to the persons the user follows as advisor ("Mine frister").
    package struct Filter: Content {
        var kind: String?
        var municipality: String?
        var who: String?
    }

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
        if mine { query.filter(\.$advisorID == user.id) }
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
        return out.sorted { ($0.deadline.due, $0.person.familyName) < ($1.deadline.due, $1.person.familyName) }
    }

    package struct PageView: Encodable {
        package struct Row: Encodable {
            var personID: UUID
            var name: String
            var kindKey: String
            var due: String
            var statusKey: String
            var status: String
            var municipality: String
        }
        package struct Group: Encodable {
            var key: String
            var rows: [Row]
        }
        package var groups: [Group]
        package var kinds: [Choice]
        package var municipalities: [Choice]
        package var query: String
        package var total: Int
        package var mine: Bool
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
        let rows = items.map { i in
            PageView.Row(
                personID: i.person.id!, name: "\(i.person.familyName), \(i.person.givenName)",
                kindKey: i.deadline.kind.labelKey,
                due: i.deadline.due.iso, statusKey: i.status.labelKey, status: i.status.rawValue,
                municipality: names[i.person.$municipality.id] ?? "")
        }
        let codes = try await req.municipalities(where: .list) { .personalDataList(municipality: $0) }
        var query = "?kind=\(f.kind ?? "")&municipality=\(f.municipality ?? "")&who=\(f.who ?? "")"
        query = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
        return try await req.page(
            "Worklist/worklist", titleKey: "worklist.title",
            PageView(
                groups: [DeadlineStatus.overdue, .soon, .later].map { s in
                    .init(key: "worklist.\(s.rawValue)", rows: rows.filter { $0.status == s.rawValue })
                },
                kinds: DeadlineKind.allCases.filter(\.isMetByEvent).map {
                    .init(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == f.kind)
                },
                municipalities: Choice.municipalities(codes, names: names, selected: f.municipality),
                query: query, total: rows.count, mine: f.who == "mine", tables: try await Self.tables(req, f)))
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
        let p = try await DeadlineEvents.record(
            req.context, personID: try req.pathID("personID"), kind: f.kind, date: f.date)
        return req.redirect(to: "/persons/\(p.id!)?notice=saved")
    }
}
