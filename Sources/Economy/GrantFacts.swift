import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// What the grant rules need from a person's file and household, and what they make of it year by year: one place
/// for the person page's section and the ledger's derived table.
package enum GrantFacts {
    /// A household member as the rules see them.
    package struct Member: Sendable {
        var id: UUID
        var birthDate: LocalDate
    }

    /// Why a file cannot be priced.
    package enum Blocker: Equatable, Sendable {
        /// The permit does not trigger the grant ("grant.not_covered.<reason>").
        case notCovered(String)
        /// Facts the rules need that the file lacks ("field.<name>").
        case unknown([String])
    }

    /// The rules' view of the file, or what blocks it. The household decides "settled alone" (no other member) and
    /// an unaccompanied minor (a minor in a household with no one aged 18 or more in the settlement year).
    package static func person(_ p: Person, others: [Member]) -> Result<GrantPerson, BlockerError> {
        var unknown: [String] = []
        switch GrantRules.eligibility(
            ground: p.residenceGround, settledByAgreement: p.settledByAgreement,
            referenceGround: p.referenceResidenceGround)
        {
        case .triggers: break
        case .none(let reason): return .failure(BlockerError(.notCovered("grant.not_covered.\(reason)")))
        case .unknown(let field): unknown.append("field.\(field)")
        }
        var family: GrantPerson.FamilyImmigration? = nil
        if p.residenceGround == .familyReunification {
            if p.referenceSettlementDate == nil { unknown.append("field.referencePerson.settlementDate") }
            if p.familyApplicationDate == nil { unknown.append("field.familyApplicationDate") }
            if let ref = p.referenceSettlementDate, let applied = p.familyApplicationDate {
                family = .init(
                    referenceSettlementDate: ref, applicationDate: applied,
                    referenceHumanitarian: p.referenceResidenceGround == .humanitarian)
            }
        }
        if p.settlementDate == nil { unknown.append("field.settlementDate") }
        guard let settled = p.settlementDate, unknown.isEmpty else {
            return .failure(BlockerError(.unknown(unknown)))
        }
        // The year-1 rule counts adults by the calendar year they turn 18 (IMDi 2015).
        func adult(_ birth: LocalDate) -> Bool { settled.year - birth.year >= 18 }
        let minor = !adult(p.birthDate) && p.$household.id != nil && !others.contains { adult($0.birthDate) }
        return .success(
            GrantPerson(
                birthDate: p.birthDate, settlementDate: settled, settledAlone: others.isEmpty,
                unaccompaniedMinor: minor, knownDisability: false, familyImmigration: family))
    }

    package struct BlockerError: Error, Equatable {
        package var blocker: Blocker
        init(_ b: Blocker) { blocker = b }
    }

    /// Every payment year from the settlement year: five, and for an unaccompanied minor through the year they turn
    /// 20; each year's lines with the Norwegian per-person grant when the person has the right to training.
    package static func years(
        _ person: GrantPerson, _ p: Person, rules: GrantRules, engine: RulesEngine, today: LocalDate
    ) -> [GrantYear] {
        let right = hasNorwegianRight(p, engine: engine, today: today)
        return paymentYears(person).map { year(person, p, $0, rules: rules, hasNorwegianRight: right) }
    }

    /// The payment years a person can bring something in.
    static func paymentYears(_ person: GrantPerson) -> ClosedRange<Int> {
        let first = person.settlementDate.year
        return first...max(first + 4, person.unaccompaniedMinor ? person.birthDate.year + 20 : 0)
    }

    /// The right to Norwegian training (integreringsloven § 27), by the rules engine.
    static func hasNorwegianRight(_ p: Person, engine: RulesEngine, today: LocalDate) -> Bool {
        let norwegian = engine.evaluate(p.facts, asOf: today).norwegianTraining.category
        return norwegian == .rightAndDuty || norwegian == .rightOnly
    }

    /// One payment year's lines, with the Norwegian per-person grant for a person with the right.
    static func year(_ person: GrantPerson, _ p: Person, _ year: Int, rules: GrantRules, hasNorwegianRight: Bool)
        -> GrantYear
    {
        var r = rules.year(person, year)
        if let n = rules.norwegianPersonGrant(
            hasRight: hasNorwegianRight, citizenship: p.citizenship, settlementDate: person.settlementDate,
            year: year, missing: &r.missingRates)
        {
            r.lines.append(n)
        }
        return r
    }

    /// The other members of each household, by household.
    package static func members(of households: Set<UUID>, on db: any Database) async throws -> [UUID: [Member]] {
        guard !households.isEmpty else { return [:] }
        let rows = try await Person.query(on: db).filter(\.$household.$id ~~ Array(households))
            .field(\.$id).field(\.$household.$id).field(\.$birthDate).all()
        var out: [UUID: [Member]] = [:]
        for r in rows {
            if let h = r.$household.id { out[h, default: []].append(Member(id: r.id!, birthDate: r.birthDate)) }
        }
        return out
    }
}

/// What each file is expected to bring, per payment year, scheme and category, kept by the rules (`DerivedTable`):
/// the ledger sums and lists it in SQL. A row with no amount is a rate the year's table lacks (`missing_key`); its
/// `assumed_ore` is what the latest earlier rates would give (`GrantForecast`), which the forecast sums and the
/// ledger does not.
package final class GrantExpectation: Model, @unchecked Sendable {
    package static let schema = "grant_expectations"
    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "year") package var year: Int
    @Field(key: "scheme") package var scheme: GrantScheme
    @Field(key: "category") package var category: String
    @OptionalField(key: "amount_ore") package var amountOre: Int?
    @OptionalField(key: "missing_key") package var missingKey: String?
    @OptionalField(key: "assumed_ore") package var assumedOre: Int?
    @Field(key: "reference") package var reference: String

    package init() {}
}

package struct CreateGrantExpectations: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(GrantExpectation.schema)
            .field("id", .int, .identifier(auto: true))
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required)
            .field("year", .int, .required)
            .field("scheme", .string, .required)
            .field("category", .string, .required)
            .field("amount_ore", .int)
            .field("missing_key", .string)
            .field("reference", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_grant_expectations_municipality_year").on(GrantExpectation.schema)
            .column("municipality").column("year").column("person_id").run()
        try await sql.create(index: "idx_grant_expectations_person").on(GrantExpectation.schema).column("person_id")
            .run()
    }

    package func revert(on db: any Database) async throws { try await db.schema(GrantExpectation.schema).delete() }
}

/// The forecast's amounts for the years without a rate table: a column on the derived rows, filled when each file
/// is next computed (every file at the next pass, since the migration forgets when they were).
package struct AddAssumedGrantAmounts: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(GrantExpectation.schema).field("assumed_ore", .int).update()
        try await DeadlineState.query(on: db).delete()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(GrantExpectation.schema).deleteField("assumed_ore").update()
    }
}

/// Keeps `grant_expectations` current for the given files.
package struct GrantExpectations: DerivedTable {
    package func refresh(_ ids: [UUID], persons: [Person], app: Application, on db: any Database) async throws {
        try await GrantExpectation.query(on: db).filter(\.$personID ~~ ids).delete()
        guard !persons.isEmpty else { return }
        let members = try await GrantFacts.members(of: Set(persons.compactMap { $0.$household.id }), on: db)
        let rules = try await GrantRateStore.rules(app, on: db)
        let engine = app.rulesEngine
        let today = LocalDate.today
        // An unaccompanied minor's last payment year is at most 20 years after settlement.
        let filled = GrantForecast(rules: rules, through: today.year + 25).rules
        var rows: [[any Encodable & Sendable]] = []
        for p in persons {
            let others = p.$household.id.map { h in (members[h] ?? []).filter { $0.id != p.id } } ?? []
            guard case .success(let person) = GrantFacts.person(p, others: others) else { continue }
            let right = GrantFacts.hasNorwegianRight(p, engine: engine, today: today)
            for year in GrantFacts.paymentYears(person) {
                let y = GrantFacts.year(person, p, year, rules: rules, hasNorwegianRight: right)
                for l in y.lines {
                    rows.append([
                        p.id!, p.$municipality.id.value, y.year, l.scheme.rawValue, l.category, l.amountOre,
                        String?.none, Int?.none, l.reference,
                    ])
                }
                // Per scheme, what the filled rates give beyond the lines the year's own table has: on the scheme's
                // first missing row, so that the forecast's sum is the filled rules' sum.
                var pending: [String: Int] = [:]
                // Only a year with a missing rate needs the filled rules.
                let f =
                    y.missingRates.isEmpty
                    ? y : GrantFacts.year(person, p, year, rules: filled, hasNorwegianRight: right)
                for s in Set(y.missingRates.map { String($0.split(separator: ".").first ?? "") }) {
                    let all = f.lines.filter { $0.scheme.rawValue == s }.reduce(0) { $0 + $1.amountOre }
                    let found = y.lines.filter { $0.scheme.rawValue == s }.reduce(0) { $0 + $1.amountOre }
                    let unpriced = f.missingRates.contains { $0.hasPrefix(s) }
                    if !unpriced { pending[s] = all - found }
                }
                var used: Set<String> = []
                for m in y.missingRates {
                    let scheme = String(m.split(separator: ".").first ?? "")
                    let assumedOre = pending[scheme].map { used.insert(scheme).inserted ? $0 : 0 }
                    rows.append([
                        p.id!, p.$municipality.id.value, y.year, scheme, m, Int?.none, m, assumedOre, "",
                    ])
                }
            }
        }
        try await BulkInsert.run(
            into: GrantExpectation.schema,
            columns: [
                "person_id", "municipality", "year", "scheme", "category", "amount_ore", "missing_key", "assumed_ore",
                "reference",
            ], rows, on: db)
    }
}
