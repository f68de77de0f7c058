import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

func choices<E: Labelled>(_ type: E.Type, selected: String?) -> [Choice] {
    E.allCases.map { Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == selected) }
}

func levelChoices(selected: String?) -> [Choice] {
    TestLevel.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == selected) }
}

/// What a refused form leaves on the page: the message, the field's id, and what was typed.
package struct FormProblem {
    var error: String
    var field: String
    var form: String
    var posted: [String: String]

    init(_ req: Request, _ failure: ValidationFailure, _ fields: [String: String]) {
        error = req.message(failure)
        form = fields["form"] ?? ""
        field = "\(form)-\(failure.field)"
        posted = fields
    }
}

/// `/practice`: the register of the municipalities the user keeps it for.
package struct WorkPage: Encodable {
    struct Figures: Encodable {
        var municipality: String
        var code: String
        var decided: Int
        var allocated: Int
        var inUse: Int
    }
    struct Provider: Encodable {
        var id: UUID
        var name: String
        var orgNumber: String
        var tradeKey: String
        var municipal: Bool
        var location: String?
        var contact: String?
        var capacity: Int
        var inUse: Int
    }
    struct Agreement: Encodable {
        var title: String
        var decidedOn: String
        var kindKey: String
        var places: Int
        var municipality: String
    }
    struct Event: Encodable {
        var date: String
        var title: String
        var notes: String?
        var municipality: String
    }
    var figures: [Figures]
    var providers: [Provider]
    var total: Int
    var pager: Pager
    var agreements: [Agreement]
    var events: [Event]
    var canCreate: Bool
    var mayExportPlacements: Bool
    var municipalities: [Choice]
    var trades: [Choice]
    var kinds: [Choice]
    var levels: [Choice]
    var query: String
    var saved: Bool
    var error: String?
    var errorField: String?
    var errorForm: String?
    var posted: [String: String]
    var today: String

    struct Query: Content {
        var municipality: String?
        var page: Int?
        var after: String?
        var before: String?
        var limit: Int?
        var saved: Int?
    }

    static func load(_ req: Request, problem: FormProblem? = nil) async throws -> WorkPage {
        let ctx = req.context
        let q = try req.query.decode(Query.self)
        let codes = try await ctx.scope(where: .list, requested: q.municipality) { WorkService.register($0) }
        let names = try await ctx.municipalityNames()
        var figures: [Figures] = []
        for m in codes {
            let f = try await WorkService.figures(ctx.db, m, today: ctx.today)
            figures.append(
                .init(
                    municipality: names[m] ?? m.value, code: m.value, decided: f.decided, allocated: f.allocated,
                    inUse: f.inUse))
        }
        let query = q.municipality.map { "?municipality=\($0)" } ?? ""
        let base = q.municipality.map { "/practice?municipality=\($0)&" } ?? "/practice?"
        let (rows, pager, total) = try await WorkService.providers(
            ctx, codes, try PageWindow(page: q.page, after: q.after, before: q.before, limit: q.limit), base: base)
        let agreements = try await WorkAgreement.query(on: ctx.db).filter(\.$municipality ~~ codes)
            .sort(\.$decidedOn, .descending).limit(50).all()
        let events = try await WorkEvent.query(on: ctx.db).filter(\.$municipality ~~ codes)
            .sort(\.$date, .descending).limit(20).all()
        let creatable = try await WorkService.municipalities(ctx, .create)
        let posted = problem?.posted ?? [:]
        return WorkPage(
            figures: figures,
            providers: rows.map {
                .init(
                    id: $0.id, name: $0.name, orgNumber: $0.org_number, tradeKey: "work.trade.\($0.trade)",
                    municipal: $0.municipal_flag == 1, location: $0.location, contact: $0.contact_name,
                    capacity: $0.capacity, inUse: $0.in_use)
            }, total: total, pager: pager,
            agreements: agreements.map {
                .init(
                    title: $0.title, decidedOn: $0.decidedOn.iso, kindKey: $0.kind.labelKey, places: $0.places,
                    municipality: names[$0.municipality] ?? $0.municipality.value)
            },
            events: events.map {
                .init(
                    date: $0.date.iso, title: $0.title, notes: $0.notes,
                    municipality: names[$0.municipality] ?? $0.municipality.value)
            },
            canCreate: !creatable.isEmpty,
            mayExportPlacements: codes.contains { ctx.may(.update, .personalData(municipality: $0, sharedWith: [])) },
            municipalities: creatable.map {
                Choice(value: $0.value, label: names[$0] ?? $0.value, selected: posted["municipality"] == $0.value)
            },
            trades: choices(WorkTrade.self, selected: posted["trade"]),
            kinds: choices(PlaceKind.self, selected: posted["kind"] ?? PlaceKind.languagePractice.rawValue),
            levels: levelChoices(selected: posted["minimumNorwegian"]), query: query, saved: q.saved == 1,
            error: problem?.error, errorField: problem?.field, errorForm: problem?.form, posted: posted,
            today: ctx.today.iso)
    }
}

/// `/practice/providers/:id`: a provider's places, the placements there and, for the integration service, the
/// candidates ranked by fit.
package struct ProviderPage: Encodable {
    struct Place: Encodable {
        var kindKey: String
        var capacity: Int
        var used: Int
        var statusKey: String
    }
    struct Placed: Encodable {
        var id: UUID
        var personID: UUID
        var name: String
        var kindKey: String
        var from: String
        var to: String
    }
    struct Candidate: Encodable {
        var personID: UUID
        var name: String
        var score: Int
        var reasons: [String]
    }
    var id: UUID
    var name: String
    var orgNumber: String
    var tradeKey: String
    var municipal: Bool
    var contactName: String?
    var contactPhone: String?
    var location: String?
    var languages: String?
    var minimumNorwegian: String?
    var municipality: String
    var places: [Place]
    var placed: [Placed]
    var hidden: Int
    var candidates: [Candidate]?
    var canUpdate: Bool
    var kinds: [Choice]
    var statuses: [Choice]
    var saved: Bool
    var error: String?
    var errorField: String?
    var posted: [String: String]

    static func load(_ req: Request, _ id: UUID, problem: FormProblem? = nil) async throws -> ProviderPage {
        let ctx = req.context
        let w = try await WorkService.provider(ctx, id, for: .read)
        let used = try await WorkService.used(ctx.db, w.municipality)
        let active = try await WorkService.activePlacements(ctx.db).filter(\.$place.$id ~~ w.places.compactMap(\.id))
            .with(\.$person, { $0.with(\.$shares) }).sort(\.$from).all()
        // A placement names its person only to a reader of the person's placements (NAV: files shared with it).
        let readable = active.filter { ctx.mayRead(section: WorkSection.sectionID, of: $0.person) }
        if !readable.isEmpty {
            try await ctx.auditList("work", records: readable.map { ($0.person.id!, $0.municipality) })
        }
        let staff = ctx.may(.update, .personalData(municipality: w.municipality, sharedWith: []))
        let candidates = staff ? try await WorkService.candidates(ctx, w).prefix(20) : nil
        let names = try await ctx.municipalityNames()
        let posted = problem?.posted ?? [:]
        return ProviderPage(
            id: w.id!, name: w.name, orgNumber: w.orgNumber, tradeKey: w.trade.labelKey, municipal: w.municipal,
            contactName: w.contactName, contactPhone: w.contactPhone, location: w.location, languages: w.languages,
            minimumNorwegian: w.minimumNorwegian?.rawValue, municipality: names[w.municipality] ?? w.municipality.value,
            places: w.places.sorted { ($0.kind.rawValue, $0.capacity) < ($1.kind.rawValue, $1.capacity) }.map {
                .init(
                    kindKey: $0.kind.labelKey, capacity: $0.capacity, used: used[$0.id!] ?? 0,
                    statusKey: $0.status.labelKey)
            },
            placed: readable.map {
                .init(
                    id: $0.id!, personID: $0.person.id!, name: $0.person.fullName, kindKey: $0.kind.labelKey,
                    from: $0.from.iso, to: $0.to.iso)
            }, hidden: active.count - readable.count,
            candidates: candidates.map {
                $0.map {
                    .init(
                        personID: $0.item.id!, name: $0.item.fullName, score: $0.score.score,
                        reasons: $0.score.reasons.map(\.labelKey))
                }
            }, canUpdate: ctx.may(.update, WorkService.register(w.municipality)),
            kinds: choices(PlaceKind.self, selected: posted["kind"]),
            statuses: choices(PlaceStatus.self, selected: posted["status"] ?? "open"),
            saved: (try? req.query.get(Int.self, at: "saved")) == 1, error: problem?.error,
            errorField: problem?.field, posted: posted)
    }
}

/// `/persons/:id/practice`: the person's placements, the providers ranked by fit and the forms to register a placement
/// and the work profile.
package struct PersonWorkPage: Encodable {
    struct Match: Encodable {
        var id: UUID
        var name: String
        var tradeKey: String
        var score: Int
        var reasons: [String]
        var places: [Choice]
    }
    var personID: UUID
    var name: String
    var placements: [PlacementView]
    var matches: [Match]
    var openPlaces: [Choice]
    var canWrite: Bool
    var occupation: [Choice]
    var norwegian: [Choice]
    var goalKey: String?
    var saved: Bool
    var error: String?
    var errorField: String?
    var posted: [String: String]
    var today: String

    static func load(_ req: Request, _ id: UUID, problem: FormProblem? = nil) async throws -> PersonWorkPage {
        let ctx = req.context
        let p = try await WorkService.person(ctx, id, write: false)
        let placements = try await PlacementView.load(ctx.db, person: p.id!, today: ctx.today)
        let canWrite = ctx.may(.update, p.resource)
        var matches: [Match] = []
        var open: [Choice] = []
        let posted = problem?.posted ?? [:]
        if canWrite {
            let used = try await WorkService.used(ctx.db, p.$municipality.id)
            let tr = ctx.app.translations
            for r in try await WorkService.matches(ctx, p) {
                let free = r.item.places.filter { $0.status == .open && (used[$0.id!] ?? 0) < $0.capacity }
                let placeChoices = free.map {
                    Choice(
                        value: $0.id!.uuidString,
                        label: "\(r.item.name) – \(tr.text($0.kind.labelKey, req.language))",
                        selected: posted["placeID"] == $0.id!.uuidString)
                }
                open += placeChoices
                matches.append(
                    .init(
                        id: r.item.id!, name: r.item.name, tradeKey: r.item.trade.labelKey, score: r.score.score,
                        reasons: r.score.reasons.map(\.labelKey), places: placeChoices))
            }
        }
        let profile = try await WorkProfile.query(on: ctx.db).filter(\.$person.$id == p.id!).first()
        let goal = try await ctx.app.sharedFacts.programmeGoals([p.id!], ctx.db)[p.id!]
        return PersonWorkPage(
            personID: p.id!, name: p.fullName, placements: placements, matches: Array(matches.prefix(10)),
            openPlaces: open, canWrite: canWrite,
            occupation: choices(WorkTrade.self, selected: posted["occupation"] ?? profile?.occupation?.rawValue),
            norwegian: levelChoices(selected: posted["norwegian"] ?? profile?.norwegian?.rawValue),
            goalKey: goal.map { "work.goal.\($0.rawValue)" },
            saved: (try? req.query.get(Int.self, at: "saved")) == 1, error: problem?.error,
            errorField: problem?.field, posted: posted, today: ctx.today.iso)
    }
}

/// `/practice/placements/:id`: one placement with its agreement, follow-up, evaluation and NAV's measures.
package struct PlacementPage: Encodable {
    struct FollowUp: Encodable {
        var kindKey: String
        var due: String?
        var done: String?
        var notes: String?
        var overdue: Bool
    }
    var placement: PlacementView
    /// The programme measure the placement is part of (period and weekly hours), for the integration service.
    var measure: String?
    var personID: UUID
    var name: String
    var providerID: UUID
    var tasks: String?
    var mentorPhone: String?
    var evaluation: String?
    var followUps: [FollowUp]
    var canWrite: Bool
    var canNav: Bool
    var followUpKinds: [Choice]
    var outcomes: [Choice]
    var navKinds: [Choice]
    var nextDue: String
    var saved: Bool
    var error: String?
    var errorField: String?
    var posted: [String: String]
    var today: String

    static func load(_ req: Request, _ id: UUID, problem: FormProblem? = nil) async throws -> PlacementPage {
        let ctx = req.context
        let (pl, p) = try await WorkService.placement(ctx, id, write: false)
        let posted = problem?.posted ?? [:]
        let today = ctx.today
        var measure: String? = nil
        if let id = pl.measureID, ctx.may(.read, .programme(municipality: p.$municipality.id)),
            let m = try await ctx.app.sharedFacts.practiceMeasures([p.id!], ctx.db)[p.id!]?.first(where: { $0.id == id }
            )
        {
            measure = req.text(
                "work.measure_line",
                [
                    req.text(m.kind.labelKey), m.from.norwegian, m.to.norwegian,
                    NorwegianFormat.hours(minutes: m.weeklyMinutes),
                ])
        }
        return PlacementPage(
            placement: PlacementView(pl, today: today), measure: measure, personID: p.id!, name: p.fullName,
            providerID: pl.place.provider.id!, tasks: pl.tasks, mentorPhone: pl.mentorPhone, evaluation: pl.evaluation,
            followUps: pl.followUps.sorted { ($0.doneOn ?? $0.dueOn ?? today) > ($1.doneOn ?? $1.dueOn ?? today) }.map {
                .init(
                    kindKey: $0.kind.labelKey, due: $0.dueOn?.iso, done: $0.doneOn?.iso, notes: $0.notes,
                    overdue: $0.doneOn == nil && ($0.dueOn.map { $0 < today } ?? false))
            }, canWrite: ctx.may(.update, p.resource), canNav: ctx.may(.create, WorkService.navPart(p)),
            followUpKinds: choices(FollowUpKind.self, selected: posted["kind"]),
            outcomes: choices(PlacementOutcome.self, selected: posted["outcome"]),
            navKinds: choices(NavMeasureKind.self, selected: posted["navKind"]),
            nextDue: today.adding(days: ctx.app.workParameters.followUpDays(on: today)).iso,
            saved: (try? req.query.get(Int.self, at: "saved")) == 1, error: problem?.error,
            errorField: problem?.field, posted: posted, today: today.iso)
    }
}

package struct WorkController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("practice") { req in
            try await req.page("Work/work", titleKey: "work.title", try await WorkPage.load(req))
        }
        let register = routes.grouped("practice").gated(.create, .register)
        register.post("providers") { req in
            try await Self.run(req, { _ = try await WorkService.addProvider(req.context, $0) }) { problem in
                try await req.page("Work/work", titleKey: "work.title", try await WorkPage.load(req, problem: problem))
            } done: {
                "/practice?saved=1"
            }
        }
        register.post("agreements") { req in
            try await Self.run(req, { _ = try await WorkService.addAgreement(req.context, $0) }) { problem in
                try await req.page("Work/work", titleKey: "work.title", try await WorkPage.load(req, problem: problem))
            } done: {
                "/practice?saved=1#agreements"
            }
        }
        register.post("events") { req in
            try await Self.run(req, { _ = try await WorkService.addEvent(req.context, $0) }) { problem in
                try await req.page("Work/work", titleKey: "work.title", try await WorkPage.load(req, problem: problem))
            } done: {
                "/practice?saved=1#events"
            }
        }
        Export.routes(routes, ["practice"], last: "providers") { req, format in
            try await WorkExports.providers(req, format)
        }
        Export.routes(routes, ["practice"], last: "placements") { req, format in
            try await WorkExports.placements(req, format)
        }
        routes.get("practice", "providers", ":providerID") { req in
            try await req.page(
                "Work/provider", titleKey: "work.provider",
                try await ProviderPage.load(req, try req.pathID("providerID")))
        }
        routes.grouped("practice", "providers", ":providerID").gated(.update, .register).post("places") { req in
            let id = try req.pathID("providerID")
            return try await Self.run(req, { _ = try await WorkService.addPlace(req.context, id, $0) }) { problem in
                try await req.page(
                    "Work/provider", titleKey: "work.provider", try await ProviderPage.load(req, id, problem: problem))
            } done: {
                "/practice/providers/\(id)?saved=1"
            }
        }

        routes.get("persons", ":personID", "practice") { req in
            try await req.page(
                "Work/person", titleKey: "work.person_title",
                try await PersonWorkPage.load(req, try req.pathID("personID")))
        }
        let person = routes.grouped("persons", ":personID", "practice").gated(.update, .personalData)
        for (path, step) in [
            ("placements", WorkService.addPlacement), ("profile", { try await WorkService.saveProfile($0, $1, $2) }),
        ] as [(String, @Sendable (ServiceContext, UUID?, FormReader) async throws -> Any)] {
            person.post(PathComponent(stringLiteral: path)) { req in
                let id = try req.pathID("personID")
                return try await Self.run(req, { _ = try await step(req.context, id, $0) }) { problem in
                    try await req.page(
                        "Work/person", titleKey: "work.person_title",
                        try await PersonWorkPage.load(req, id, problem: problem))
                } done: {
                    "/persons/\(id)/practice?saved=1"
                }
            }
        }

        routes.get("practice", "placements", ":placementID") { req in
            try await req.page(
                "Work/placement", titleKey: "work.placement",
                try await PlacementPage.load(req, try req.pathID("placementID")))
        }
        let steps:
            [(
                String, Action, ResourceKind,
                @Sendable (ServiceContext, UUID?, FormReader) async throws -> WorkPlacement
            )] = [
                ("followups", .update, .personalData, WorkService.recordFollowUp),
                ("agreement", .update, .personalData, WorkService.updateAgreement),
                ("end", .update, .personalData, WorkService.endPlacement),
                ("nav", .create, .sectorPart, WorkService.addNavMeasure),
            ]
        for (path, action, kind, step) in steps {
            routes.grouped("practice", "placements", ":placementID").gated(action, kind).post(
                PathComponent(stringLiteral: path)
            ) { req in
                let id = try req.pathID("placementID")
                return try await Self.run(req, { _ = try await step(req.context, id, $0) }) { problem in
                    try await req.page(
                        "Work/placement", titleKey: "work.placement",
                        try await PlacementPage.load(req, id, problem: problem))
                } done: {
                    "/practice/placements/\(id)?saved=1#\(path)"
                }
            }
        }
    }

    /// Runs a form's step; a refused one shows the page again (400) with the message next to the field and what was
    /// typed, so nothing is lost.
    static func run(
        _ req: Request, _ step: (FormReader) async throws -> Void, reshow: (FormProblem) async throws -> View,
        done: () -> String
    ) async throws -> Response {
        let form = try FormReader(req)
        do {
            try await step(form)
            return req.redirect(to: done())
        } catch let failure as ValidationFailure {
            return try await reshow(FormProblem(req, failure, form.fields)).reshown(req)
        }
    }
}

/// The register's lists as CSV and XLSX, read in keyset batches and audited per municipality.
enum WorkExports {
    static func providers(_ req: Request, _ format: Export.Format) async throws -> Response {
        let ctx = req.context
        let codes = try await ctx.scope(where: .list, requested: try? req.query.get(String.self, at: "municipality")) {
            WorkService.register($0)
        }
        let providers = try await PageWindow.all(
            size: 500, cursor: { (r: WorkService.ProviderRow) in Cursor([.text(r.name), .id(r.id)]) }
        ) {
            try await $0.rows(
                ctx.db as! any SQLDatabase, WorkService.providerQuery(codes), WorkService.providerOrder,
                decoding: WorkService.ProviderRow.self)
        }
        let rows: [[XLSX.Cell]] = providers.map { r in
            [
                .text(r.municipality), .text(r.org_number), .text(r.name), .text(r.trade),
                .text(r.municipal_flag == 1 ? "municipal" : "private"), .text(r.location ?? ""),
                .text(r.contact_name ?? ""), .number(r.capacity), .number(r.in_use),
            ]
        }
        try await ctx.auditList("work_providers", municipalities: codes)
        return try Export.response(
            format, name: "arbeidsgivere", sheet: "Arbeidsgivere",
            header: [
                "municipality", "org_number", "name", "trade", "type", "location", "contact", "places", "in_use",
            ], rows: rows)
    }

    struct PlacementRow: Decodable {
        var id: UUID
        var person_id: UUID
        var family_name: String
        var given_name: String
        var municipality: String
        var provider: String
        var kind: String
        var from_date: String
        var to_date: String
        var ended_on: String?
        var outcome: String?
    }

    /// The placements of the municipalities whose files the user writes (the integration service).
    static func placements(_ req: Request, _ format: Export.Format) async throws -> Response {
        let ctx = req.context
        let codes = try await ctx.scope(where: .update, requested: try? req.query.get(String.self, at: "municipality"))
        {
            .personalData(municipality: $0, sharedWith: [])
        }
        let order = Keyset([.init("family_name"), .init("given_name"), .init("id")])
        let query: SQLQueryString =
            """
            SELECT x.id, x.person_id, p.family_name, p.given_name, x.municipality, w.name AS provider, x.kind,
            x.from_date, x.to_date, x.ended_on, x.outcome
            FROM \(ident: WorkPlacement.schema) x JOIN \(ident: Person.schema) p ON p.id = x.person_id
            JOIN \(ident: WorkPlace.schema) pl ON pl.id = x.place_id
            JOIN \(ident: WorkProvider.schema) w ON w.id = pl.provider_id
            WHERE x.municipality IN (\(binds: codes.map(\.value)))
            """
        let placements = try await PageWindow.all(
            size: 500, cursor: { (r: PlacementRow) in Cursor([.text(r.family_name), .text(r.given_name), .id(r.id)]) }
        ) {
            try await $0.rows(ctx.db as! any SQLDatabase, query, order, decoding: PlacementRow.self)
        }
        let rows: [[XLSX.Cell]] = placements.map { r in
            [
                .text(r.municipality), .text(r.family_name), .text(r.given_name), .text(r.provider), .text(r.kind),
                .text(r.from_date), .text(r.to_date), .text(r.ended_on ?? ""), .text(r.outcome ?? ""),
            ]
        }
        let records = placements.compactMap { r in
            Kommunenummer(r.municipality).map { (id: r.person_id, municipality: $0) }
        }
        try await ctx.auditList("work", records: records)
        return try Export.response(
            format, name: "praksisplasser", sheet: "Praksis",
            header: [
                "municipality", "family_name", "given_name", "provider", "kind", "from", "to", "ended_on", "outcome",
            ], rows: rows)
    }
}
