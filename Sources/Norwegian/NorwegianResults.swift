import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// Each person's standing per Norwegian skill against the programme plan's target (`NorwegianResult`), kept for the
/// plan's indicators so that they count in the database (issue #14). Refreshed with the file's other derived rows
/// whenever its tests or its programme change, and at the day's pass.
package final class NorwegianResultRow: Model, @unchecked Sendable {
    package static let schema = "norwegian_results"
    @ID(custom: "id", generatedBy: .database) package var id: Int?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "skill") package var skill: NorwegianSkill
    @OptionalField(key: "target") package var target: TestLevel?
    @OptionalField(key: "best") package var best: TestLevel?
    @OptionalField(key: "last_tested_on") package var lastTestedOn: LocalDate?
    @OptionalField(key: "reached") package var reached: Bool?

    package init() {}
}

package struct CreateNorwegianResults: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(NorwegianResultRow.schema)
            .field("id", .int, .identifier(auto: true))
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required)
            .field("skill", .string, .required)
            .field("target", .string)
            .field("best", .string)
            .field("last_tested_on", .string)
            .field("reached", .bool)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_norwegian_results_count").on(NorwegianResultRow.schema)
            .column("municipality").column("skill").column("last_tested_on").run()
        try await sql.create(index: "idx_norwegian_results_person").on(NorwegianResultRow.schema).column("person_id")
            .run()
        // Filled for every file at the next pass.
        try await DeadlineState.query(on: db).delete()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(NorwegianResultRow.schema).delete()
    }
}

package enum NorwegianResults {
    /// The Norwegian tests among a person's tests, as the Core computation reads them.
    package static func tests(_ tests: [LanguageTest]) -> [NorwegianResult.Test] {
        tests.compactMap { t in
            guard t.kind == .norwegian, let skill = t.skill else { return nil }
            return NorwegianResult.Test(skill: skill, level: t.level, date: t.date)
        }
    }
}

/// One row per person with a Norwegian test or a target, per skill.
struct NorwegianResultTable: DerivedTable {
    func refresh(_ ids: [UUID], persons: [Person], app: Application, on db: any Database) async throws {
        try await NorwegianResultRow.query(on: db).filter(\.$person.$id ~~ ids).delete()
        let present = persons.compactMap(\.id)
        guard !present.isEmpty else { return }
        var tests: [UUID: [LanguageTest]] = [:]
        for t in try await LanguageTest.query(on: db).filter(\.$person.$id ~~ present)
            .filter(\.$kind == .norwegian).all()
        {
            tests[t.$person.id, default: []].append(t)
        }
        let targets = try await app.sharedFacts.norwegianTargets(present, db)
        var rows: [[any Encodable & Sendable]] = []
        for p in persons {
            let id = p.id!
            let target = NorwegianResult.target(targets[id] ?? [:])
            let own = tests[id] ?? []
            guard !own.isEmpty || !target.isEmpty else { continue }
            for r in NorwegianResult.all(NorwegianResults.tests(own), target: target) {
                rows.append([
                    id, p.$municipality.id.value, r.skill.rawValue, r.target?.rawValue, r.best?.rawValue,
                    r.lastTested?.iso, r.reached,
                ])
            }
        }
        try await BulkInsert.run(
            into: NorwegianResultRow.schema,
            columns: ["person_id", "municipality", "skill", "target", "best", "last_tested_on", "reached"], rows,
            on: db)
    }
}

/// The share at the target level in one skill (issue #14, "share passing Norwegian at the target level per skill"):
/// among the persons with a target in the skill whose last test of it was taken in the period, those whose best
/// result reaches the target.
package struct NorwegianAtTarget: IndicatorDefinition {
    package let skill: NorwegianSkill
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package let source = "Integreringsloven § 28 (avsluttende prøver); IMDi, anbefalte norskmål per ferdighet"
    package var key: String { "norwegian_target_\(skill.rawValue)" }

    package static let all = NorwegianSkill.allCases.map { NorwegianAtTarget(skill: $0) }

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        try await IndicatorShare.count(
            ctx, NorwegianResultRow.schema, codes, numerator: "reached = \(bind: true)",
            where: """
                skill = \(bind: skill.rawValue) AND target IS NOT NULL
                AND last_tested_on >= \(bind: period.from.iso) AND last_tested_on <= \(bind: period.to.iso)
                """, threshold: threshold)
    }
}
