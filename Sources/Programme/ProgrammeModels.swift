import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// A person's introduction programme: mapping, career guidance, the decision, the plan and contract, and the end.
/// One per person. The municipality is the person's, copied here so lists can be scoped without a join.
package final class PersonProgramme: Model, @unchecked Sendable {
    package static let schema = "participations"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "law_regime") package var lawRegime: LawRegime
    @OptionalField(key: "mapping_date") package var mappingDate: LocalDate?
    @OptionalField(key: "mapping_by") package var mappingBy: String?
    @OptionalField(key: "mapping_summary") package var mappingSummary: String?
    @OptionalField(key: "guidance_date") package var guidanceDate: LocalDate?
    @OptionalField(key: "guidance_centre") package var guidanceCentre: String?
    @OptionalField(key: "guidance_recommendation") package var guidanceRecommendation: String?
    @OptionalField(key: "decision_date") package var decisionDate: LocalDate?
    @OptionalField(key: "start_date") package var startDate: LocalDate?
    @OptionalField(key: "final_goal") package var finalGoal: FinalGoal?
    @OptionalField(key: "planned_months") package var plannedMonths: Int?
    @Field(key: "extension_months") package var extensionMonths: Int
    @OptionalField(key: "extension_reason") package var extensionReason: String?
    @OptionalField(key: "plan_date") package var planDate: LocalDate?
    @OptionalField(key: "contract_signed") package var contractSigned: LocalDate?
    /// Norwegian target per sub-skill, JSON: {"reading":"B1", …}.
    @OptionalField(key: "norwegian_target") package var norwegianTargetJSON: String?
    @Field(key: "lives_with_parents") package var livesWithParents: Bool
    @Field(key: "couple_without_children") package var coupleWithoutChildren: Bool
    /// Integreringsloven § 30: stans.
    @OptionalField(key: "stop_kind") package var stopKind: StopKind?
    @OptionalField(key: "stop_date") package var stopDate: LocalDate?
    /// The last day of a temporary stop, once it is lifted; nil while it lasts.
    @OptionalField(key: "stop_end") package var stopEnd: LocalDate?
    @OptionalField(key: "end_date") package var endDate: LocalDate?
    @OptionalField(key: "end_reason") package var endReason: EndReason?
    /// Position on the municipality's qualification ladder.
    @OptionalField(key: "ladder_phase") package var ladderPhase: Int?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?
    @Children(for: \.$participation) package var measures: [ProgrammeMeasure]
    @Children(for: \.$participation) package var leaves: [ProgrammeLeave]
    @Children(for: \.$participation) package var attendance: [AttendanceEntry]
    @Children(for: \.$participation) package var reviews: [PlanReview]
    @Children(for: \.$participation) package var outcomes: [ProgrammeOutcome]
    @Children(for: \.$participation) package var deductions: [BenefitDeduction]
    package init() {}

    package var norwegianTarget: [String: String] {
        get {
            norwegianTargetJSON.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        }
        set {
            norwegianTargetJSON =
                newValue.isEmpty
                ? nil : String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data(), as: UTF8.self)
        }
    }
}

package final class ProgrammeMeasure: Model, @unchecked Sendable {
    package static let schema = "programme_measures"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "participation_id") package var participation: PersonProgramme
    @Field(key: "kind") package var kind: MeasureKind
    @OptionalField(key: "title") package var title: String?
    @Field(key: "from_date") package var from: LocalDate
    @Field(key: "to_date") package var to: LocalDate
    @Field(key: "weekly_minutes") package var weeklyMinutes: Int
    @Field(key: "self_study") package var selfStudy: Bool
    /// The service that provides and follows up the measure (NAV for job seeking and work practice it runs, adult
    /// education for Norwegian): a partner sees the measures it owns on the files shared with it.
    @OptionalField(key: "owner") package var owner: Sector?
    package init() {}

    /// The owner, the integration service when none is set.
    package var ownedBy: Sector { owner ?? .integration }

    /// The measure as the rules see it.
    package var planned: PlannedMeasure {
        PlannedMeasure(kind: kind, from: from, to: to, weeklyMinutes: weeklyMinutes, selfStudy: selfStudy)
    }
}

/// Who owns each measure.
package struct AddMeasureOwner: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(ProgrammeMeasure.schema).field("owner", .string).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(ProgrammeMeasure.schema).deleteField("owner").update()
    }
}

package final class ProgrammeLeave: Model, @unchecked Sendable {
    package static let schema = "programme_leaves"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "participation_id") package var participation: PersonProgramme
    @Field(key: "from_date") package var from: LocalDate
    @Field(key: "to_date") package var to: LocalDate
    @Field(key: "reason") package var reason: String
    /// Leave with the benefit (welfare, birth …) or without it (integreringsloven § 17, integreringsforskriften).
    @Field(key: "with_benefit") package var withBenefit: Bool
    package init() {}
}

/// A stop can end, and leave can be without the benefit: both days are then not paid.
package struct AddStopEndAndUnpaidLeave: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(PersonProgramme.schema).field("stop_end", .string).update()
        try await db.schema(ProgrammeLeave.schema).field("with_benefit", .bool, .required, .sql(.default(true)))
            .update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(ProgrammeLeave.schema).deleteField("with_benefit").update()
        try await db.schema(PersonProgramme.schema).deleteField("stop_end").update()
    }
}

/// Attendance for a day, or for a week entered on its Monday. Absence is valid (with its kind) or invalid;
/// invalid absence reduces the benefit of the month the entry's date falls in.
package final class AttendanceEntry: Model, @unchecked Sendable {
    package static let schema = "attendance_entries"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "participation_id") package var participation: PersonProgramme
    @Field(key: "date") package var date: LocalDate
    @Field(key: "period") package var period: AttendancePeriod
    @Field(key: "present_minutes") package var presentMinutes: Int
    @Field(key: "absence_minutes") package var absenceMinutes: Int
    @OptionalField(key: "absence_kind") package var absenceKind: AbsenceKind?
    /// The measure the entry is for, when given (attendance per measure).
    @OptionalField(key: "measure_id") package var measureID: UUID?
    package init() {}
}

package struct AddAttendanceMeasure: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(AttendanceEntry.schema).field("measure_id", .uuid).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(AttendanceEntry.schema).deleteField("measure_id").update()
    }
}

package final class PlanReview: Model, @unchecked Sendable {
    package static let schema = "plan_reviews"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "participation_id") package var participation: PersonProgramme
    @Field(key: "date") package var date: LocalDate
    @Field(key: "note") package var note: String
    package init() {}
}

/// Status one year after the programme ended, or five years after settlement (SSB's categories).
package final class ProgrammeOutcome: Model, @unchecked Sendable {
    package static let schema = "programme_outcomes"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "participation_id") package var participation: PersonProgramme
    @Field(key: "kind") package var kind: OutcomeKind
    @Field(key: "status") package var status: OutcomeStatus
    @Field(key: "recorded_on") package var recordedOn: LocalDate
    package init() {}
}

/// Another deduction from a month's benefit, in øre, with its reason.
package final class BenefitDeduction: Model, @unchecked Sendable {
    package static let schema = "benefit_deductions"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "participation_id") package var participation: PersonProgramme
    @Field(key: "month") package var month: YearMonth
    @Field(key: "amount_ore") package var amountOre: Int
    @Field(key: "reason") package var reason: String
    package init() {}
}

package struct CreateBenefitDeductions: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(BenefitDeduction.schema).id()
            .field("participation_id", .uuid, .required, .references(PersonProgramme.schema, "id", onDelete: .cascade))
            .field("month", .string, .required).field("amount_ore", .int, .required).field("reason", .string, .required)
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema(BenefitDeduction.schema).delete() }
}

package struct CreateProgramme: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(PersonProgramme.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("law_regime", .string, .required)
            .field("mapping_date", .string).field("mapping_by", .string).field("mapping_summary", .string)
            .field("guidance_date", .string).field("guidance_centre", .string).field("guidance_recommendation", .string)
            .field("decision_date", .string).field("start_date", .string).field("final_goal", .string)
            .field("planned_months", .int).field("extension_months", .int, .required).field("extension_reason", .string)
            .field("plan_date", .string).field("contract_signed", .string).field("norwegian_target", .string)
            .field("lives_with_parents", .bool, .required).field("couple_without_children", .bool, .required)
            .field("stop_kind", .string).field("stop_date", .string).field("end_date", .string).field(
                "end_reason", .string
            )
            .field("updated_at", .datetime)
            .unique(on: "person_id")
            .create()
        try await db.schema(ProgrammeMeasure.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(PersonProgramme.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required).field("title", .string)
            .field("from_date", .string, .required).field("to_date", .string, .required)
            .field("weekly_minutes", .int, .required).field("self_study", .bool, .required)
            .create()
        try await db.schema(ProgrammeLeave.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(PersonProgramme.schema, "id", onDelete: .cascade))
            .field("from_date", .string, .required).field("to_date", .string, .required).field(
                "reason", .string, .required
            )
            .create()
        try await db.schema(AttendanceEntry.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(PersonProgramme.schema, "id", onDelete: .cascade))
            .field("date", .string, .required).field("period", .string, .required)
            .field("present_minutes", .int, .required).field("absence_minutes", .int, .required).field(
                "absence_kind", .string
            )
            .create()
        try await db.schema(PlanReview.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(PersonProgramme.schema, "id", onDelete: .cascade))
            .field("date", .string, .required).field("note", .string, .required)
            .create()
        try await db.schema(ProgrammeOutcome.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(PersonProgramme.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required).field("status", .string, .required).field(
                "recorded_on", .string, .required
            )
            .create()
    }
    package func revert(on db: any Database) async throws {
        for s in [
            ProgrammeOutcome.schema, PlanReview.schema, AttendanceEntry.schema, ProgrammeLeave.schema,
            ProgrammeMeasure.schema, PersonProgramme.schema,
        ] {
            try await db.schema(s).delete()
        }
    }
}

/// The programme's steps meet the rules' deadlines from the programme record itself: mapping, career guidance, the
/// decision, and the start once it has come (integreringsloven §§ 10–12, 16).
package struct ProgrammeSteps: DeadlineFacts {
    package func dates(for persons: [UUID], on db: any Database) async throws -> [UUID: [DeadlineKind: LocalDate]] {
        var out: [UUID: [DeadlineKind: LocalDate]] = [:]
        let today = LocalDate.today
        for p in try await PersonProgramme.query(on: db).filter(\.$person.$id ~~ persons).all() {
            var d: [DeadlineKind: LocalDate] = [:]
            d[.competenceMapping] = p.mappingDate
            d[.careerGuidance] = p.guidanceDate
            d[.programmeDecision] = p.decisionDate
            d[.programmeStart] = p.startDate.flatMap { $0 <= today ? $0 : nil }
            if !d.isEmpty { out[p.$person.id] = d }
        }
        return out
    }
}

/// The programme's dates used to be copied into the file's deadline events; the programme record is now the only
/// place they live, so the copies go (events of the steps for persons without a programme record stay).
package struct RemoveCopiedProgrammeSteps: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        // One statement with a subquery, so it does not grow with the number of programmes.
        let kinds = DeadlineKind.allCases.filter(\.isProgrammeStep).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await (db as! any SQLDatabase).raw(
            SQLQueryString(
                "DELETE FROM \(DeadlineEvent.schema) WHERE kind IN (\(kinds)) AND person_id IN "
                    + "(SELECT person_id FROM \(PersonProgramme.schema))")
        ).run()
    }
    package func revert(on db: any Database) async throws {}
}
