import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// What the programme lists and their aggregates show of one participation, as the Core rules (`ProgrammeCourse`)
/// computed it when the records last changed or at the day's pass (`DerivedTable`): the overview pages 50 rows and
/// counts caseload and outcomes with `GROUP BY`, instead of loading every participation with its measures,
/// attendance and reviews per request (issue #12).
package final class ProgrammeSummary: Model, @unchecked Sendable {
    package static let schema = "programme_summaries"
    /// The participation's id.
    @ID(custom: "id", generatedBy: .user) package var id: UUID?
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "status") package var status: ProgrammeStatus
    @Field(key: "is_open") package var isOpen: Bool
    /// Shown in the participants list: mapped, or past the mapping stage.
    @Field(key: "listed") package var listed: Bool
    @OptionalField(key: "start_date") package var startDate: LocalDate?
    @OptionalField(key: "planned_end") package var plannedEnd: LocalDate?
    @OptionalField(key: "next_review") package var nextReview: LocalDate?
    /// The year the programme ended: SSB's cohort.
    @OptionalField(key: "end_year") package var endYear: Int?
    /// The status one year after the end, once recorded.
    @OptionalField(key: "one_year_outcome") package var oneYearOutcome: OutcomeStatus?
    /// What NIR lacks, space-separated; empty when complete.
    @Field(key: "nir_missing") package var nirMissing: String
    /// The person's settlement date, and whether the programme started within three months of it (nil while the
    /// three months run and it has not started): the plan's indicator `programme_start_3m`.
    @OptionalField(key: "settlement_date") package var settlementDate: LocalDate?
    @OptionalField(key: "started_in_time") package var startedInTime: Bool?

    package init() {}
}

package struct CreateProgrammeSummaries: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(ProgrammeSummary.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required)
            .field("status", .string, .required)
            .field("is_open", .bool, .required)
            .field("listed", .bool, .required)
            .field("start_date", .string)
            .field("planned_end", .string)
            .field("next_review", .string)
            .field("end_year", .int)
            .field("one_year_outcome", .string)
            .field("nir_missing", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_programme_summaries_municipality").on(ProgrammeSummary.schema)
            .column("municipality").column("is_open").run()
        try await sql.create(index: "idx_programme_summaries_person").on(ProgrammeSummary.schema).column("person_id")
            .run()
    }

    package func revert(on db: any Database) async throws { try await db.schema(ProgrammeSummary.schema).delete() }
}

/// The settlement date and the start within three months, for the plan's indicators (issue #14).
package struct AddSummaryStartInTime: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(ProgrammeSummary.schema).field("settlement_date", .string).update()
        try await db.schema(ProgrammeSummary.schema).field("started_in_time", .bool).update()
        // Every file's derived rows are computed again at the next pass, so the new columns are filled.
        try await DeadlineState.query(on: db).delete()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(ProgrammeSummary.schema).deleteField("started_in_time").update()
        try await db.schema(ProgrammeSummary.schema).deleteField("settlement_date").update()
    }
}

/// One month's benefit of one participation, as the Core rules (`IntroductionBenefit`) computed it when the records
/// last changed or at the day's pass: the payout list pages and sums these rows in the database instead of
/// computing every participant's month per request (issue #12). From the start month through the last paid month,
/// or through next month while the programme runs.
package final class PayoutMonth: Model, @unchecked Sendable {
    package static let schema = "programme_payout_months"
    @ID(custom: "id", generatedBy: .user) package var id: UUID?
    @Field(key: "participation_id") package var participationID: UUID
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "municipality") package var municipality: Kommunenummer
    /// "YYYY-MM".
    @Field(key: "month") package var month: String
    @Field(key: "factor") package var factor: String
    @Field(key: "days_in_programme") package var daysInProgramme: Int
    @Field(key: "days_in_month") package var daysInMonth: Int
    @Field(key: "monthly_ore") package var monthlyOre: Int
    @Field(key: "absence_ore") package var absenceOre: Int
    @Field(key: "other_ore") package var otherOre: Int
    @Field(key: "net_ore") package var netOre: Int
    @Field(key: "requires_decision") package var requiresDecision: Bool

    package init() {}
}

package struct CreatePayoutMonths: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(PayoutMonth.schema)
            .field("id", .uuid, .identifier(auto: false))
            .field(
                "participation_id", .uuid, .required, .references(PersonProgramme.schema, "id", onDelete: .cascade)
            )
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required)
            .field("month", .string, .required)
            .field("factor", .string, .required)
            .field("days_in_programme", .int, .required)
            .field("days_in_month", .int, .required)
            .field("monthly_ore", .int64, .required)
            .field("absence_ore", .int64, .required)
            .field("other_ore", .int64, .required)
            .field("net_ore", .int64, .required)
            .field("requires_decision", .bool, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_payout_months_list").on(PayoutMonth.schema).column("municipality")
            .column("month").run()
        try await sql.create(index: "idx_payout_months_person").on(PayoutMonth.schema).column("person_id").run()
    }

    package func revert(on db: any Database) async throws { try await db.schema(PayoutMonth.schema).delete() }
}

/// Keeps `programme_summaries` and `programme_payout_months` current for the given files, from one read of the
/// programme's records.
package struct ProgrammeSummaries: DerivedTable {
    package func refresh(_ ids: [UUID], persons: [Person], app: Application, on db: any Database) async throws {
        try await ProgrammeSummary.query(on: db).filter(\.$personID ~~ ids).delete()
        try await PayoutMonth.query(on: db).filter(\.$personID ~~ ids).delete()
        // The files come decoded from the kernel; only the programme's own records are read here.
        let byID = Dictionary(uniqueKeysWithValues: persons.map { ($0.id!, $0) })
        let parts = try await PersonProgramme.query(on: db).filter(\.$person.$id ~~ ids)
            .with(\.$measures).with(\.$leaves).with(\.$attendance).with(\.$reviews).with(\.$outcomes)
            .with(\.$deductions).all()
        guard !parts.isEmpty else { return }
        let params = app.programmeParameters
        let today = LocalDate.today
        var months: [[any Encodable & Sendable]] = []
        // Next month too while the programme runs, so that the coming payout list is there before the month turns.
        let horizon = YearMonth(YearMonth(today).lastDay.adding(days: 1))
        let rows: [[any Encodable & Sendable]] = parts.compactMap { part in
            guard let person = byID[part.$person.id] else { return nil }
            let facts = ProgrammeFacts(part: part, person: person, parameters: params, today: today)
            if let start = part.startDate {
                var m = YearMonth(start)
                while m <= horizon {
                    if let b = facts.benefit(for: m), b.daysInProgramme > 0 {
                        months.append([
                            UUID(), part.id!, part.$person.id, part.$municipality.id.value, m.iso, b.factor,
                            b.daysInProgramme, b.daysInMonth, b.monthlyOre, b.absenceDeductionOre,
                            b.otherDeductionsOre, b.netOre, b.requiresDecision,
                        ])
                    } else if facts.end.map({ YearMonth($0) < m }) ?? false {
                        break
                    }
                    m = YearMonth(m.lastDay.adding(days: 1))
                }
            }
            let outcome = part.outcomes.first { $0.kind == .oneYear }?.status
            return [
                part.id!, part.$person.id, part.$municipality.id.value, facts.status.rawValue, facts.isOpen,
                facts.status != .mapping || part.mappingDate != nil, part.startDate?.iso, facts.plannedEnd?.iso,
                facts.nextReview?.iso, facts.end?.year, outcome?.rawValue,
                NIRCompleteness.missing(facts.nirSnapshot).joined(separator: " "), person.settlementDate?.iso,
                ProgrammeStartDeadline.met(
                    settled: person.settlementDate, start: part.startDate, movedOut: person.movedOutOn, today: today),
            ]
        }
        try await BulkInsert.run(
            into: ProgrammeSummary.schema,
            columns: [
                "id", "person_id", "municipality", "status", "is_open", "listed", "start_date", "planned_end",
                "next_review", "end_year", "one_year_outcome", "nir_missing", "settlement_date", "started_in_time",
            ], rows, on: db)
        try await BulkInsert.run(
            into: PayoutMonth.schema,
            columns: [
                "id", "participation_id", "person_id", "municipality", "month", "factor", "days_in_programme",
                "days_in_month", "monthly_ore", "absence_ore", "other_ore", "net_ore", "requires_decision",
            ], months, on: db)
    }
}
