import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// A payment received from IMDi for one person: the payment year and term (year 1 is paid in full on settlement,
/// years 2–5 in four terms; facts.md 4.1), the scheme, the amount in øre and IMDi's reference.
package final class GrantPayment: Model, @unchecked Sendable {
    package static let schema = "grant_payments"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "year") package var year: Int
    @Field(key: "term") package var term: Int
    @Field(key: "scheme") package var scheme: GrantScheme
    @Field(key: "amount_ore") package var amountOre: Int
    @OptionalField(key: "reference") package var reference: String?
    @Field(key: "registered_at") package var registeredAt: Date
    @OptionalField(key: "registered_by") package var registeredBy: UUID?

    package init() {}
}

package struct CreateGrantPayments: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(GrantPayment.schema).id()
            .field("municipality", .string, .required)
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("year", .int, .required).field("term", .int, .required)
            .field("scheme", .string, .required).field("amount_ore", .int, .required)
            .field("reference", .string)
            .field("registered_at", .datetime, .required).field("registered_by", .uuid)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_grant_payments_municipality_year").on(GrantPayment.schema)
            .column("municipality").column("year").column("person_id").run()
        try await sql.create(index: "idx_grant_payments_person").on(GrantPayment.schema).column("person_id").run()
    }

    package func revert(on db: any Database) async throws { try await db.schema(GrantPayment.schema).delete() }
}

/// One payment as typed in the form or a row of the CSV file.
package struct PaymentInput: Sendable {
    var dufNumber: String?
    var scheme: String?
    var term: String?
    var amount: String?
    var reference: String?
}

/// Registers the payments IMDi made: one from the ledger page's form, or a CSV file all or nothing.
package enum GrantPaymentService {
    package static let csvColumns = ["dufNumber", "scheme", "term", "amount", "reference"]

    /// A checked payment, with the person it belongs to.
    struct Checked {
        var person: Person
        var scheme: GrantScheme
        var term: Int
        var amountOre: Int
        var reference: String?
    }

    /// Checks one payment: the person by DUF number in `municipality`, a scheme, a term 1–4, an amount in kroner
    /// (øre after a comma) above zero.
    static func check(_ i: PaymentInput, municipality: Kommunenummer, on db: any Database) async throws -> Checked {
        let duf = try Validate.text(i.dufNumber, "dufNumber", max: 12, required: true)!
        guard
            let person = try await Person.query(on: db).filter(\.$municipality.$id == municipality)
                .filter(\.$dufNumber == duf).first()
        else { throw ValidationFailure(field: "dufNumber", "grant.invalid.no_person", duf) }
        guard let s = i.scheme?.trimmingCharacters(in: .whitespaces), let scheme = GrantScheme(rawValue: s) else {
            throw ValidationFailure(
                field: "scheme", "invalid.one_of", GrantScheme.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let t = i.term?.trimmingCharacters(in: .whitespaces), let term = Int(t), (1...4).contains(term) else {
            throw ValidationFailure(field: "term", "invalid.range", "1", "4")
        }
        let ore = try DisabilityService.kroner(i.amount, "amount", required: true)!
        let reference = try Validate.text(i.reference, "reference", max: 200, required: false)
        return Checked(person: person, scheme: scheme, term: term, amountOre: ore, reference: reference)
    }

    /// Stores checked payments for `year` with one audit entry per payment, in the request's write.
    static func store(_ ctx: ServiceContext, _ rows: [Checked], year: Int, municipality: Kommunenummer) async throws {
        let user = try ctx.requireUser()
        try await ctx.write { db in
            for r in rows {
                let p = GrantPayment()
                p.municipality = municipality
                p.personID = r.person.id!
                p.year = year
                p.term = r.term
                p.scheme = r.scheme
                p.amountOre = r.amountOre
                p.reference = r.reference
                p.registeredAt = Oslo.now()
                p.registeredBy = user.id
                try await p.create(on: db)
                try await ctx.audit(
                    "create", recordType: "grant_payment", recordID: p.id!.uuidString, municipality: municipality)
            }
        }
    }

    /// Registers one payment from the form.
    package static func register(
        _ ctx: ServiceContext, _ input: PaymentInput, year: Int, municipality: Kommunenummer
    ) async throws {
        try await ctx.authorize(.create, .grantLedger(municipality: municipality), recordType: "grant_payment")
        let checked = try await check(input, municipality: municipality, on: ctx.db)
        try await store(ctx, [checked], year: year, municipality: municipality)
    }

    /// A CSV file of payments: every row checked first, each bad row and field named, nothing stored unless all are
    /// good.
    package static func importCSV(
        _ ctx: ServiceContext, _ text: String, year: Int, municipality: Kommunenummer,
        message: (ValidationFailure) -> String
    ) async throws -> Result<Int, ImportFailure> {
        try await ctx.authorize(.create, .grantLedger(municipality: municipality), recordType: "grant_payment")
        let table: CSVTable
        switch CSVTable.read(
            text, columns: csvColumns, required: ["dufNumber", "scheme", "term", "amount"], maxRows: 20_000)
        {
        case .success(let t): table = t
        case .failure(let f): return .failure(f)
        }
        var problems = table.problems
        var checked: [Checked] = []
        for row in table.rows {
            let v = row.values
            do {
                checked.append(
                    try await check(
                        PaymentInput(
                            dufNumber: v["dufNumber"], scheme: v["scheme"], term: v["term"], amount: v["amount"],
                            reference: v["reference"]), municipality: municipality, on: ctx.db))
            } catch let f as ValidationFailure {
                problems.append(ImportProblem(row: row.line, field: f.field, message: message(f)))
            }
        }
        guard problems.isEmpty else { return .failure(ImportFailure(problems: problems)) }
        guard !checked.isEmpty else {
            return .failure(ImportFailure(problems: [ImportProblem(row: 0, message: "the file has no rows")]))
        }
        try await store(ctx, checked, year: year, municipality: municipality)
        return .success(checked.count)
    }
}
