import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// Disability grants 1 and 2 are applied for, not paid automatically (facts.md 4.2 [S65]): the case worker notes
/// that a person has a serious disability known before settlement, and records each application with its
/// decision. The deadlines follow from the settlement date (`GrantRules.disabilityDeadlines`).
package enum DisabilityGrant: String, Codable, CaseIterable, Sendable {
    case grant1 = "grant_1", grant2 = "grant_2"
}

extension DisabilityGrant: Labelled { package static var labelPrefix: String { "grant.disability" } }

/// The note that a person has a known disability: the grants may be applied for.
package final class DisabilityCase: Model, @unchecked Sendable {
    package static let schema = "disability_grant_cases"
    @ID(key: .id) package var id: UUID?
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "noted_on") package var notedOn: LocalDate
    @OptionalField(key: "noted_by") package var notedBy: UUID?

    package init() {}
}

/// One application for a disability grant, for one grant year, with the decision when it has come.
package final class DisabilityApplication: Model, @unchecked Sendable {
    package static let schema = "disability_grant_applications"
    @ID(key: .id) package var id: UUID?
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "grant") package var grant: DisabilityGrant
    @Field(key: "grant_year") package var grantYear: Int
    @Field(key: "applied_on") package var appliedOn: LocalDate
    @Field(key: "amount_applied_ore") package var amountAppliedOre: Int
    @OptionalField(key: "amount_granted_ore") package var amountGrantedOre: Int?
    @OptionalField(key: "decision_date") package var decisionDate: LocalDate?

    package init() {}
}

/// The open application deadlines of each file with a disability case: a derived table the worklist reads.
package final class DisabilityDeadline: Model, @unchecked Sendable {
    package static let schema = "disability_grant_deadlines"
    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "grant_year") package var grantYear: Int
    @Field(key: "due") package var due: LocalDate

    package init() {}
}

package struct CreateDisabilityGrants: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(DisabilityCase.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("noted_on", .string, .required).field("noted_by", .uuid)
            .unique(on: "person_id").create()
        try await db.schema(DisabilityApplication.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("grant", .string, .required).field("grant_year", .int, .required)
            .field("applied_on", .string, .required).field("amount_applied_ore", .int, .required)
            .field("amount_granted_ore", .int).field("decision_date", .string)
            .create()
        try await db.schema(DisabilityDeadline.schema)
            .field("id", .int, .identifier(auto: true))
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required).field("grant_year", .int, .required)
            .field("due", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_disability_deadlines_due").on(DisabilityDeadline.schema)
            .column("municipality").column("due").run()
        try await sql.create(index: "idx_disability_deadlines_person").on(DisabilityDeadline.schema)
            .column("person_id").run()
        try await sql.create(index: "idx_disability_applications_person").on(DisabilityApplication.schema)
            .column("person_id").run()
    }

    package func revert(on db: any Database) async throws {
        for s in [DisabilityDeadline.schema, DisabilityApplication.schema, DisabilityCase.schema] {
            try await db.schema(s).delete()
        }
    }
}

/// Keeps `disability_grant_deadlines` current: for every file with a case and a settlement date, the deadline of
/// each grant year no application has been recorded for.
package struct DisabilityDeadlines: DerivedTable {
    package func refresh(_ ids: [UUID], persons all: [Person], app: Application, on db: any Database) async throws {
        try await DisabilityDeadline.query(on: db).filter(\.$personID ~~ ids).delete()
        let cases = Set(try await DisabilityCase.query(on: db).filter(\.$personID ~~ ids).all().map(\.personID))
        guard !cases.isEmpty else { return }
        let applied = try await DisabilityApplication.query(on: db).filter(\.$personID ~~ Array(cases)).all()
        let persons = all.filter { cases.contains($0.id!) }
        var rows: [[any Encodable & Sendable]] = []
        for p in persons {
            guard let settled = p.settlementDate else { continue }
            let done = Set(applied.filter { $0.personID == p.id }.map(\.grantYear))
            let facts = GrantPerson(
                birthDate: p.birthDate, settlementDate: settled, settledAlone: false, unaccompaniedMinor: false,
                knownDisability: true)
            for d in GrantRules.disabilityDeadlines(facts) where !done.contains(d.grantYear) {
                rows.append([p.id!, p.$municipality.id.value, d.grantYear, d.due.iso])
            }
        }
        try await BulkInsert.run(
            into: DisabilityDeadline.schema, columns: ["person_id", "municipality", "grant_year", "due"], rows, on: db)
    }
}

/// What the grants section shows of the disability grants, and the changes to them.
package enum DisabilityService {
    /// The integration service keeps the case and the applications (the grant ledger's resource).
    static func person(_ ctx: ServiceContext, _ id: UUID, for action: Action) async throws -> Person {
        try await ctx.guarded(
            action == .read ? .read : .update, recordType: "person", id: id, auditsRead: false,
            find: { try await Person.find($0, on: ctx.db) }, resource: { $0.resource },
            municipality: { $0.$municipality.id })
    }

    /// The grants are only for persons the integration grant covers ("Det kan kun søkes om tilskudd for personer
    /// som faller innenfor integreringstilskuddsordningen", IMDi rundskriv 02/15, Elverum seed 4.4).
    static func requireCovered(_ p: Person) throws {
        let e = GrantRules.eligibility(
            ground: p.residenceGround, settledByAgreement: p.settledByAgreement,
            referenceGround: p.referenceResidenceGround)
        if case .none = e { throw ValidationFailure(field: "known", "grant.invalid.disability_not_covered") }
    }

    /// Notes (or removes the note) that the person has a known disability; audited with the person.
    package static func setKnown(_ ctx: ServiceContext, person id: UUID, known: Bool) async throws {
        let p = try await person(ctx, id, for: .update)
        try await ctx.authorize(.create, .grantLedger(municipality: p.$municipality.id), recordType: "person")
        if known { try requireCovered(p) }
        let user = try ctx.requireUser()
        let app = ctx.app
        try await ctx.write { db in
            let existing = try await DisabilityCase.query(on: db).filter(\.$personID == id).first()
            if known, existing == nil {
                let c = DisabilityCase()
                c.personID = id
                c.notedOn = ctx.today
                c.notedBy = user.id
                try await c.create(on: db)
            } else if !known, let existing {
                try await existing.delete(on: db)
            } else {
                return
            }
            try await ctx.audit(
                known ? "create" : "delete", recordType: "disability_case", recordID: id.uuidString,
                municipality: p.$municipality.id)
            try await DeadlineIndex.refresh([id], app: app, on: db)
        }
    }

    /// Records an application: the grant, the grant year it is for, when it was sent and the amount; the amount
    /// granted and the decision date when the decision has come.
    package static func addApplication(_ ctx: ServiceContext, person id: UUID, form f: FormReader) async throws {
        let p = try await person(ctx, id, for: .update)
        try await ctx.authorize(.create, .grantLedger(municipality: p.$municipality.id), recordType: "person")
        try requireCovered(p)
        guard let g = f.text("grant"), let grant = DisabilityGrant(rawValue: g) else {
            throw ValidationFailure(field: "grant", "invalid.choice")
        }
        guard let year = try f.int("grantYear"), (1...5).contains(year) else {
            throw ValidationFailure(field: "grantYear", "invalid.range", "1", "5")
        }
        guard f.text("appliedOn") != nil else { throw ValidationFailure(field: "appliedOn", "invalid.required") }
        let applied = try Validate.pastDate(f.text("appliedOn"), "appliedOn")
        let amount = try kroner(f.text("amountApplied"), "amountApplied", required: true)!
        let granted = try kroner(f.text("amountGranted"), "amountGranted", required: false)
        let decided = try f.text("decisionDate").map { try Validate.pastDate($0, "decisionDate") }
        if let decided, decided < applied { throw ValidationFailure(field: "decisionDate", "invalid.period_order") }
        if granted != nil && decided == nil { throw ValidationFailure(field: "decisionDate", "invalid.required") }
        let app = ctx.app
        try await ctx.write { db in
            let a = DisabilityApplication()
            a.personID = id
            a.grant = grant
            a.grantYear = year
            a.appliedOn = applied
            a.amountAppliedOre = amount
            a.amountGrantedOre = granted
            a.decisionDate = decided
            try await a.create(on: db)
            try await ctx.audit(
                "create", recordType: "disability_application", recordID: a.id!.uuidString,
                municipality: p.$municipality.id)
            try await DeadlineIndex.refresh([id], app: app, on: db)
        }
    }

    /// An amount typed in kroner ("196 400", "100 000,50": spaces grouping, øre after a comma) as øre, above zero:
    /// the payments and the applications read amounts the same way.
    static func kroner(_ text: String?, _ field: String, required: Bool) throws -> Int? {
        let typed = text?.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{00A0}", with: "")
        guard let v = try Validate.decimal(typed, field) else {
            if required { throw ValidationFailure(field: field, "invalid.required") }
            return nil
        }
        let ore = Int((v * 100).rounded())
        guard ore > 0, ore <= 10_000_000_000, abs(v * 100 - Double(ore)) < 0.000_1 else {
            throw ValidationFailure(field: field, "grant.invalid.amount")
        }
        return ore
    }
}

/// The worklist's table of disability-grant applications falling due: each person's earliest open deadline that is
/// overdue or within the window, for the integration service of the municipalities it reads the ledger of.
package struct DisabilityApplicationsDue: DeadlineSource {
    package let id = "disability"
    package let titleKey = "worklist.disability_applications"

    /// The worklist shows the first this many, soonest first.
    package static let shown = 100

    package func due(_ req: Request, _ filter: WorklistFilter) async throws -> [DueRow] {
        let user = try req.requireUser()
        var codes = try await req.municipalities(where: .list) { .grantLedger(municipality: $0) }
        if let m = filter.municipality { codes = codes.filter { $0.value == m } }
        guard !codes.isEmpty, filter.kind == nil else { return [] }
        try await req.application.deadlineIndex.ensureCurrent(req.application)
        let today = req.context.today
        let soon = today.adding(days: Deadlines.soonDays).iso
        var sql: SQLQueryString = """
            SELECT d.person_id AS person_id, p.family_name AS family_name, p.given_name AS given_name,
            d.municipality AS municipality, MIN(d.due) AS due
            FROM \(ident: DisabilityDeadline.schema) d JOIN \(ident: Person.schema) p ON p.id = d.person_id
            WHERE d.municipality IN (\(binds: codes.map(\.value))) AND d.due <= \(bind: soon)
            """
        if filter.mine { sql += " AND (p.advisor_id = \(bind: user.id) OR p.case_worker_id = \(bind: user.id))" }
        sql += """
             GROUP BY d.person_id, p.family_name, p.given_name, d.municipality
             ORDER BY due, family_name, given_name LIMIT \(unsafeRaw: String(Self.shown))
            """
        struct Row: Decodable {
            var person_id: UUID
            var family_name: String
            var given_name: String
            var municipality: String
            var due: String
        }
        let rows = try await (req.store as! any SQLDatabase).raw(sql).all(decoding: Row.self)
        let names = try await req.municipalityNames()
        try await req.context.auditList(
            "disability_deadlines",
            records: rows.compactMap { r in Kommunenummer(r.municipality).map { (r.person_id, $0) } })
        return rows.compactMap { r -> DueRow? in
            guard let due = LocalDate(iso: r.due), let m = Kommunenummer(r.municipality) else { return nil }
            let status = due < today ? "overdue" : "soon"
            return DueRow(
                href: "/persons/\(r.person_id)#grants", name: "\(r.family_name), \(r.given_name)",
                kindKey: "worklist.disability_applications", due: due.iso, status: status,
                statusKey: "status.\(status)", municipality: names[m] ?? m.value)
        }
    }
}

/// `POST /persons/:id/grants/disability` (note or remove the known disability) and
/// `POST /persons/:id/grants/applications` (record an application); both re-show the person page on a refusal.
package struct DisabilityController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let person = routes.grouped("persons", ":personID", "grants").gated(.create, .grantLedger)
        person.post("disability", use: setKnown)
        person.post("applications", use: addApplication)
    }

    package func setKnown(req: Request) async throws -> Response {
        let id = try req.pathID("personID")
        let f = try FormReader(req)
        try await DisabilityService.setKnown(req.context, person: id, known: f.checkbox("known"))
        return req.redirect(to: "/persons/\(id)?notice=saved#grants")
    }

    package func addApplication(req: Request) async throws -> Response {
        let id = try req.pathID("personID")
        let f = try FormReader(req)
        do {
            try await DisabilityService.addApplication(req.context, person: id, form: f)
            return req.redirect(to: "/persons/\(id)?notice=saved#grants")
        } catch let e as ValidationFailure {
            return try await req.personPage(
                id,
                problem: SectionProblem(form: "disability", field: e.field, message: req.message(e), posted: f.fields))
        }
    }
}
