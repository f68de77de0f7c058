import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The register (providers, places, agreements, network events) and the placements on persons' files.
///
/// The register is `Resource.register(sector: .nav)`: the integration service and NAV keep it. A placement is
/// personal data: the integration service writes it (`personalData`), NAV reads it on a file shared with NAV (the
/// `placements` section of the privacy table) and records the measures it owns (`sectorPart` of NAV).
package enum WorkService {
    // MARK: The register

    package static func register(_ m: Kommunenummer) -> Resource { .register(municipality: m, sector: .nav) }

    /// The municipalities whose register the user may `action`.
    package static func municipalities(_ ctx: ServiceContext, _ action: Action) async throws -> [Kommunenummer] {
        try await ctx.municipalities(where: action) { register($0) }
    }

    /// Decided, allocated and in use, counted by aggregate queries.
    package static func figures(_ db: any Database, _ m: Kommunenummer, today: LocalDate) async throws -> PlaceFigures {
        // SUM of an integer column is numeric on PostgreSQL: cast, so both databases answer a whole number.
        struct Sum: Decodable { var n: Int }
        let sql = db as! any SQLDatabase
        let decided =
            try await sql.raw(
                "SELECT CAST(COALESCE(SUM(places), 0) AS BIGINT) AS n FROM \(ident: WorkAgreement.schema)"
                    + " WHERE municipality = \(bind: m.value)"
            ).first(decoding: Sum.self)?.n ?? 0
        let allocated =
            try await sql.raw(
                "SELECT CAST(COALESCE(SUM(capacity), 0) AS BIGINT) AS n FROM \(ident: WorkPlace.schema)"
                    + " WHERE municipality = \(bind: m.value) AND status <> 'closed'"
            ).first(decoding: Sum.self)?.n ?? 0
        let inUse = try await activePlacements(db).filter(\.$municipality == m).filter(\.$from <= today).count()
        return PlaceFigures(decided: decided, allocated: allocated, inUse: inUse)
    }

    /// Placements not ended.
    static func activePlacements(_ db: any Database) -> QueryBuilder<WorkPlacement> {
        WorkPlacement.query(on: db).filter(\.$endedOn == nil)
    }

    package struct ProviderRow: Decodable, Sendable {
        var id: UUID
        var name: String
        var org_number: String
        var trade: String
        var municipal_flag: Int
        var municipality: String
        var location: String?
        var contact_name: String?
        var capacity: Int
        var in_use: Int
    }

    static let providerOrder = Keyset([.init("name"), .init("id")])

    static func providerQuery(_ codes: [Kommunenummer]) -> SQLQueryString {
        """
        SELECT p.id, p.name, p.org_number, p.trade, CASE WHEN p.municipal THEN 1 ELSE 0 END AS municipal_flag,
        p.municipality, p.location, p.contact_name,
        CAST(COALESCE((SELECT SUM(w.capacity) FROM \(ident: WorkPlace.schema) w WHERE w.provider_id = p.id
        AND w.status <> 'closed'), 0) AS BIGINT) AS capacity,
        (SELECT COUNT(*) FROM \(ident: WorkPlacement.schema) x JOIN \(ident: WorkPlace.schema) w2 ON w2.id = x.place_id
        WHERE w2.provider_id = p.id AND x.ended_on IS NULL) AS in_use
        FROM \(ident: WorkProvider.schema) p WHERE p.municipality IN (\(binds: codes.map(\.value)))
        """
    }

    /// One page of the providers in the municipalities, by name, and how many there are.
    package static func providers(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ window: PageWindow, base: String)
        async throws -> (rows: [ProviderRow], pager: Pager, total: Int)
    {
        let total = try await WorkProvider.query(on: ctx.db).filter(\.$municipality ~~ codes).count()
        let fetched = try await window.rows(
            ctx.db as! any SQLDatabase, providerQuery(codes), providerOrder, decoding: ProviderRow.self)
        let (rows, pager) = window.settle(fetched, total: total, base: base) {
            Cursor([.text($0.name), .id($0.id)])
        }
        return (rows, pager, total)
    }

    package static func provider(_ ctx: ServiceContext, _ id: UUID?, for action: Action) async throws -> WorkProvider {
        guard let id, let p = try await WorkProvider.query(on: ctx.db).filter(\.$id == id).with(\.$places).first()
        else { throw Abort(.notFound) }
        try await ctx.authorize(action, register(p.municipality), recordType: "work_provider", recordID: id.uuidString)
        return p
    }

    /// The municipality a register form names, after the policy allows `action` there.
    static func municipality(_ ctx: ServiceContext, _ form: FormReader, _ action: Action) async throws
        -> Kommunenummer
    {
        let codes = try await municipalities(ctx, action)
        let m: Kommunenummer
        if let text = form.text("municipality") {
            m = try Validate.municipality(text)
        } else if codes.count == 1 {
            m = codes[0]
        } else {
            throw ValidationFailure(field: "municipality", "invalid.municipality")
        }
        try await ctx.authorize(action, register(m), recordType: "work_register")
        return m
    }

    static func orgNumber(_ text: String?) throws -> String {
        guard let t = text, !t.isEmpty else { throw ValidationFailure(field: "orgNumber", "invalid.required") }
        guard let n = OrganisationNumber.valid(t) else {
            throw ValidationFailure(field: "orgNumber", "work.invalid.org")
        }
        return n
    }

    static func languages(_ text: String?) throws -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        var codes: [String] = []
        for part in t.split(whereSeparator: { $0 == " " || $0 == "," }) {
            guard let c = try Validate.languageCode(String(part), "languages") else { continue }
            if !codes.contains(c) { codes.append(c) }
        }
        return codes.joined(separator: " ")
    }

    static func choice<E: RawRepresentable>(_ type: E.Type, _ text: String?, _ field: String, required: Bool = true)
        throws -> E? where E.RawValue == String
    {
        guard let t = text, !t.isEmpty else {
            if required { throw ValidationFailure(field: field, "invalid.required") }
            return nil
        }
        guard let v = E(rawValue: t) else { throw ValidationFailure(field: field, "invalid.choice") }
        return v
    }

    package static func addProvider(_ ctx: ServiceContext, _ form: FormReader) async throws -> WorkProvider {
        let m = try await municipality(ctx, form, .create)
        let p = WorkProvider()
        p.municipality = m
        p.orgNumber = try orgNumber(form.text("orgNumber"))
        p.name = try Validate.required(form.text("name"), "name", max: 200)
        p.trade = try choice(WorkTrade.self, form.text("trade"), "trade")!
        p.municipal = form.text("municipal") == "true"
        p.contactName = try Validate.text(form.text("contactName"), "contactName", max: 200, required: false)
        p.contactPhone = try Validate.text(form.text("contactPhone"), "contactPhone", max: 30, required: false)
        p.location = try Validate.text(form.text("location"), "location", max: 100, required: false)
        p.languages = try languages(form.text("languages"))
        p.minimumNorwegian = try choice(
            TestLevel.self, form.text("minimumNorwegian"), "minimumNorwegian", required: false)
        let db = ctx.db
        if try await WorkProvider.query(on: db).filter(\.$municipality == m).filter(\.$orgNumber == p.orgNumber)
            .first() != nil
        {
            throw ValidationFailure(field: "orgNumber", "work.invalid.org_taken")
        }
        try await p.create(on: db)
        try await ctx.audit("create", recordType: "work_provider", recordID: p.id?.uuidString, municipality: m)
        return p
    }

    package static func addPlace(_ ctx: ServiceContext, _ providerID: UUID?, _ form: FormReader) async throws
        -> WorkPlace
    {
        let p = try await provider(ctx, providerID, for: .update)
        let place = WorkPlace()
        place.$provider.id = p.id!
        place.municipality = p.municipality
        place.kind = try choice(PlaceKind.self, form.text("kind"), "kind")!
        place.capacity = try Validate.number(
            try Validate.formInt(form.text("capacity"), "capacity"), "capacity", 1...100,
            required: true)!
        place.status = try choice(PlaceStatus.self, form.text("status") ?? "open", "status")!
        try await place.create(on: ctx.db)
        try await ctx.audit(
            "add_place", recordType: "work_provider", recordID: p.id?.uuidString, municipality: p.municipality)
        return place
    }

    package static func addAgreement(_ ctx: ServiceContext, _ form: FormReader) async throws -> WorkAgreement {
        let m = try await municipality(ctx, form, .create)
        let a = WorkAgreement()
        a.municipality = m
        a.title = try Validate.required(form.text("title"), "title", max: 300)
        a.decidedOn = try Validate.pastDate(form.text("decidedOn"), "decidedOn")
        a.kind = try choice(PlaceKind.self, form.text("kind"), "kind")!
        a.places = try Validate.number(
            try Validate.formInt(form.text("places"), "places"), "places", 1...1000,
            required: true)!
        try await a.create(on: ctx.db)
        try await ctx.audit("create", recordType: "work_agreement", recordID: a.id?.uuidString, municipality: m)
        return a
    }

    package static func addEvent(_ ctx: ServiceContext, _ form: FormReader) async throws -> WorkEvent {
        let m = try await municipality(ctx, form, .create)
        let e = WorkEvent()
        e.municipality = m
        guard let d = try Validate.optionalDate(form.text("date"), "date") else {
            throw ValidationFailure(field: "date", "invalid.required")
        }
        e.date = d
        e.title = try Validate.required(form.text("title"), "title", max: 300)
        e.notes = try Validate.text(form.text("notes"), "notes", max: 2000, required: false, multiline: true)
        try await e.create(on: ctx.db)
        try await ctx.audit("create", recordType: "work_event", recordID: e.id?.uuidString, municipality: m)
        return e
    }

    // MARK: Placements on a person's file

    /// The resource a person's placements are read as: the `placements` section of the privacy table.
    static func section(_ ctx: ServiceContext, _ p: Person) -> Resource {
        .fileSection(
            municipality: p.$municipality.id, sharedWith: p.activeSectors,
            readers: ctx.app.sectionTable.readers(WorkSection.sectionID))
    }

    /// NAV's own part of the file, where it records the measures it owns.
    package static func navPart(_ p: Person) -> Resource {
        .sectorPart(municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: .nav)
    }

    /// The person, after the policy allows reading the placements (audited), or writing them (the integration
    /// service: `personalData` update).
    package static func person(_ ctx: ServiceContext, _ id: UUID?, write: Bool) async throws -> Person {
        let p = try await PersonService.find(ctx, id, for: .read, audited: false)
        if write {
            try await ctx.authorize(
                .update, .personalData(municipality: p.$municipality.id, sharedWith: p.activeSectors),
                recordType: "work", recordID: p.id?.uuidString)
        } else {
            try await ctx.authorize(.read, section(ctx, p), recordType: "work", recordID: p.id?.uuidString)
            if ctx.isReadOnly {
                try await ctx.audit(
                    "read", recordType: "work", recordID: p.id?.uuidString, municipality: p.$municipality.id)
            }
        }
        return p
    }

    /// The placement and its person, after the same checks.
    package static func placement(_ ctx: ServiceContext, _ id: UUID?, write: Bool) async throws
        -> (WorkPlacement, Person)
    {
        guard let id,
            let pl = try await WorkPlacement.query(on: ctx.db).filter(\.$id == id).with(
                \.$place, { $0.with(\.$provider) }
            )
            .with(\.$followUps).with(\.$navMeasures).first()
        else { throw Abort(.notFound) }
        let p = try await person(ctx, pl.$person.id, write: write)
        return (pl, p)
    }

    package static func addPlacement(_ ctx: ServiceContext, _ personID: UUID?, _ form: FormReader) async throws
        -> WorkPlacement
    {
        let p = try await person(ctx, personID, write: true)
        guard let placeID = try? form.id("placeID"),
            let place = try await WorkPlace.query(on: ctx.db).filter(\.$id == placeID).first()
        else { throw ValidationFailure(field: "placeID", "invalid.required") }
        guard place.municipality == p.$municipality.id else {
            throw ValidationFailure(field: "placeID", "work.invalid.other_municipality")
        }
        guard place.status == .open else { throw ValidationFailure(field: "placeID", "work.invalid.place_closed") }
        let used = try await activePlacements(ctx.db).filter(\.$place.$id == placeID).count()
        guard used < place.capacity else { throw ValidationFailure(field: "placeID", "work.invalid.place_full") }
        let (from, to) = try Validate.period(form.text("from"), form.text("to"))
        let pl = WorkPlacement()
        pl.$person.id = p.id!
        pl.$place.id = placeID
        pl.municipality = p.$municipality.id
        pl.kind = place.kind
        pl.from = from
        pl.to = to
        pl.tasks = try Validate.text(form.text("tasks"), "tasks", max: 2000, required: false, multiline: true)
        pl.mentor = try Validate.text(form.text("mentor"), "mentor", max: 200, required: false)
        pl.mentorPhone = try Validate.text(form.text("mentorPhone"), "mentorPhone", max: 30, required: false)
        // The programme's measure of this kind that covers the placement's start: the hours stay the programme's.
        let measures = try await ctx.app.sharedFacts.practiceMeasures([p.id!], ctx.db)[p.id!] ?? []
        pl.measureID =
            measures.first { $0.kind == place.kind.measureKind && $0.from <= from && $0.to >= from }?.id
            ?? measures.first { $0.kind == place.kind.measureKind }?.id
        try await pl.create(on: ctx.db)
        if let first = try Validate.optionalDate(form.text("firstVisit"), "firstVisit") {
            let f = WorkFollowUp()
            f.$placement.id = pl.id!
            f.municipality = pl.municipality
            f.kind = .visit
            f.dueOn = first
            try await f.create(on: ctx.db)
        }
        try await ctx.audit(
            "add_placement", recordType: "work", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return pl
    }

    /// A visit or three-way talk held (with notes; the planned ones are met by it), and the next one planned.
    package static func recordFollowUp(_ ctx: ServiceContext, _ id: UUID?, _ form: FormReader) async throws
        -> WorkPlacement
    {
        let (pl, p) = try await placement(ctx, id, write: true)
        let kind = try choice(FollowUpKind.self, form.text("kind"), "kind")!
        let done = try Validate.pastDate(form.text("doneOn"), "doneOn")
        let notes = try Validate.text(form.text("notes"), "notes", max: 4000, required: true, multiline: true)
        let next = try Validate.optionalDate(form.text("nextDue"), "nextDue")
        if let next, next <= done { throw ValidationFailure(field: "nextDue", "work.invalid.next_after") }
        for planned in pl.followUps where planned.doneOn == nil {
            if let due = planned.dueOn, due > done.adding(days: Deadlines.soonDays) { continue }
            try await planned.delete(on: ctx.db)
        }
        let f = WorkFollowUp()
        f.$placement.id = pl.id!
        f.municipality = pl.municipality
        f.kind = kind
        f.doneOn = done
        f.notes = notes
        try await f.create(on: ctx.db)
        if let next {
            let n = WorkFollowUp()
            n.$placement.id = pl.id!
            n.municipality = pl.municipality
            n.kind = .visit
            n.dueOn = next
            try await n.create(on: ctx.db)
        }
        try await ctx.audit(
            "record_followup", recordType: "work", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return pl
    }

    /// The agreed tasks and the mentor, kept up to date during the placement.
    package static func updateAgreement(_ ctx: ServiceContext, _ id: UUID?, _ form: FormReader) async throws
        -> WorkPlacement
    {
        let (pl, p) = try await placement(ctx, id, write: true)
        pl.tasks = try Validate.text(form.text("tasks"), "tasks", max: 2000, required: false, multiline: true)
        pl.mentor = try Validate.text(form.text("mentor"), "mentor", max: 200, required: false)
        pl.mentorPhone = try Validate.text(form.text("mentorPhone"), "mentorPhone", max: 30, required: false)
        try await pl.update(on: ctx.db)
        try await ctx.audit(
            "update_placement", recordType: "work", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return pl
    }

    /// The evaluation at the end and the outcome; an extended placement runs on to its new end.
    package static func endPlacement(_ ctx: ServiceContext, _ id: UUID?, _ form: FormReader) async throws
        -> WorkPlacement
    {
        let (pl, p) = try await placement(ctx, id, write: true)
        guard pl.endedOn == nil else { throw ValidationFailure(field: "outcome", "work.invalid.already_ended") }
        let outcome = try choice(PlacementOutcome.self, form.text("outcome"), "outcome")!
        let evaluation = try Validate.text(
            form.text("evaluation"), "evaluation", max: 4000, required: true, multiline: true)
        pl.evaluation = evaluation
        if outcome == .extended {
            guard let to = try Validate.optionalDate(form.text("extendedTo"), "extendedTo") else {
                throw ValidationFailure(field: "extendedTo", "invalid.required")
            }
            guard to > pl.to else { throw ValidationFailure(field: "extendedTo", "work.invalid.extend_after") }
            pl.to = to
            pl.outcome = .extended
        } else {
            let end = try Validate.pastDate(form.text("endedOn"), "endedOn")
            guard end >= pl.from else { throw ValidationFailure(field: "endedOn", "invalid.period_order") }
            pl.endedOn = end
            pl.outcome = outcome
            for planned in pl.followUps where planned.doneOn == nil { try await planned.delete(on: ctx.db) }
        }
        try await pl.update(on: ctx.db)
        try await ctx.audit(
            "end_placement", recordType: "work", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return pl
    }

    /// A measure NAV owns, recorded by NAV (or the integration service) on a file shared with NAV.
    package static func addNavMeasure(_ ctx: ServiceContext, _ id: UUID?, _ form: FormReader) async throws
        -> WorkPlacement
    {
        guard let id, let pl = try await WorkPlacement.find(id, on: ctx.db) else { throw Abort(.notFound) }
        let p = try await PersonService.find(ctx, pl.$person.id, for: .read, audited: false)
        try await ctx.authorize(.create, navPart(p), recordType: "work", recordID: p.id?.uuidString)
        let m = WorkNavMeasure()
        m.$placement.id = id
        m.kind = try choice(NavMeasureKind.self, form.text("navKind"), "navKind")!
        let (from, to) = try Validate.period(form.text("from"), form.text("to"))
        m.from = from
        m.to = to
        if let kr = try Validate.decimal(form.text("monthly"), "monthly") {
            guard kr >= 0, kr <= 1_000_000 else {
                throw ValidationFailure(field: "monthly", "invalid.range", "0", "1000000")
            }
            m.monthlyOre = Int((kr * 100).rounded())
        }
        try await m.create(on: ctx.db)
        try await ctx.audit(
            "add_nav_measure", recordType: "work", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return pl
    }

    package static func saveProfile(_ ctx: ServiceContext, _ id: UUID?, _ form: FormReader) async throws -> Person {
        let p = try await person(ctx, id, write: true)
        let profile =
            try await WorkProfile.query(on: ctx.db).filter(\.$person.$id == p.id!).first() ?? WorkProfile()
        profile.$person.id = p.id!
        profile.occupation = try choice(WorkTrade.self, form.text("occupation"), "occupation", required: false)
        profile.norwegian = try choice(TestLevel.self, form.text("norwegian"), "norwegian", required: false)
        try await profile.save(on: ctx.db)
        try await ctx.audit(
            "save_profile", recordType: "work", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return p
    }

    // MARK: Matching

    /// What matching knows of the persons.
    static func participants(_ ctx: ServiceContext, _ persons: [Person]) async throws -> [UUID: MatchParticipant] {
        let ids = persons.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let goals = try await ctx.app.sharedFacts.programmeGoals(ids, ctx.db)
        let profiles = try await WorkProfile.query(on: ctx.db).filter(\.$person.$id ~~ ids).all()
        let byPerson = Dictionary(profiles.map { ($0.$person.id, $0) }, uniquingKeysWith: { a, _ in a })
        let households = Set(persons.compactMap { $0.$household.id })
        let addresses =
            households.isEmpty
            ? [:]
            : Dictionary(
                try await Household.query(on: ctx.db).filter(\.$id ~~ households).all().map { ($0.id!, $0.address) },
                uniquingKeysWith: { a, _ in a })
        var out: [UUID: MatchParticipant] = [:]
        for p in persons {
            let profile = byPerson[p.id!]
            out[p.id!] = MatchParticipant(
                goal: goals[p.id!], occupation: profile?.occupation, norwegian: profile?.norwegian,
                location: p.$household.id.flatMap { addresses[$0] ?? nil },
                languages: Set(p.languages.map(\.code)))
        }
        return out
    }

    /// The free places per place id of a municipality, counted in the database.
    static func used(_ db: any Database, _ m: Kommunenummer) async throws -> [UUID: Int] {
        struct Row: Decodable {
            var place_id: UUID
            var n: Int
        }
        let rows = try await (db as! any SQLDatabase).raw(
            """
            SELECT place_id, COUNT(*) AS n FROM \(ident: WorkPlacement.schema)
            WHERE municipality = \(bind: m.value) AND ended_on IS NULL GROUP BY place_id
            """
        ).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.place_id, $0.n) }, uniquingKeysWith: +)
    }

    static func matchProvider(_ w: WorkProvider, used: [UUID: Int]) -> MatchProvider {
        let free = w.places.filter { $0.status == .open && (used[$0.id!] ?? 0) < $0.capacity }.map(\.kind)
        return MatchProvider(
            trade: w.trade, freeKinds: Set(free), minimumNorwegian: w.minimumNorwegian, location: w.location,
            languages: w.languageSet)
    }

    package struct Ranked<T> {
        var item: T
        var score: MatchScore
    }

    /// The providers of the person's municipality ranked by fit, with the reasons.
    package static func matches(_ ctx: ServiceContext, _ p: Person) async throws -> [Ranked<WorkProvider>] {
        let m = p.$municipality.id
        let participant = try await participants(ctx, [p])[p.id!]!
        let used = try await used(ctx.db, m)
        let providers = try await WorkProvider.query(on: ctx.db).filter(\.$municipality == m).with(\.$places)
            .sort(\.$name).limit(500).all()
        let weights = ctx.app.workParameters.weights(on: ctx.today)
        return providers.map {
            Ranked(item: $0, score: Matching.score(participant, matchProvider($0, used: used), weights: weights))
        }.sorted { ($0.score.score, $1.item.name) > ($1.score.score, $0.item.name) }
    }

    /// The candidates for a provider: the municipality's participants in the programme and persons with a work
    /// profile, without an active placement, ranked by fit.
    package static func candidates(_ ctx: ServiceContext, _ w: WorkProvider) async throws -> [Ranked<Person>] {
        let m = w.municipality
        let started = try await ctx.app.sharedFacts.startedParticipants(m, ctx.today.adding(days: 1), ctx.db)
        let profiled = try await WorkProfile.query(on: ctx.db).join(
            Person.self, on: \WorkProfile.$person.$id == \Person.$id
        )
        .filter(Person.self, \.$municipality.$id == m).field(\.$id).field(\.$person.$id).all().map { $0.$person.id }
        // Ids only, filtered in the database.
        let busy = Set(
            try await activePlacements(ctx.db).filter(\.$municipality == m).field(\.$id).field(\.$person.$id).all()
                .map { $0.$person.id })
        let ids = Array(Set(started + profiled).subtracting(busy))
        guard !ids.isEmpty else { return [] }
        let persons = try await Person.query(on: ctx.db).filter(\.$id ~~ ids).filter(\.$movedOutOn == nil)
            .sort(\.$familyName).sort(\.$givenName).limit(500).all()
        let facts = try await participants(ctx, persons)
        let provider = matchProvider(w, used: try await used(ctx.db, m))
        let weights = ctx.app.workParameters.weights(on: ctx.today)
        let ranked = persons.map {
            Ranked(item: $0, score: Matching.score(facts[$0.id!]!, provider, weights: weights))
        }.sorted { $0.score.score > $1.score.score }
        try await ctx.auditList("work_candidates", records: ranked.map { ($0.item.id!, m) })
        return ranked
    }
}
