import Fluent
import Vapor

/// A person's introduction programme: mapping, career guidance, the decision, the plan and contract, and the end.
/// One per person. The municipality is the person's, copied here so lists can be scoped without a join.
final class Participation: Model, @unchecked Sendable {
    static let schema = "participations"
    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Parent(key: "municipality") var municipality: Municipality
    @Field(key: "law_regime") var lawRegime: String
    @OptionalField(key: "mapping_date") var mappingDate: String?
    @OptionalField(key: "mapping_by") var mappingBy: String?
    @OptionalField(key: "mapping_summary") var mappingSummary: String?
    @OptionalField(key: "guidance_date") var guidanceDate: String?
    @OptionalField(key: "guidance_centre") var guidanceCentre: String?
    @OptionalField(key: "guidance_recommendation") var guidanceRecommendation: String?
    @OptionalField(key: "decision_date") var decisionDate: String?
    @OptionalField(key: "start_date") var startDate: String?
    @OptionalField(key: "final_goal") var finalGoal: String?
    @OptionalField(key: "planned_months") var plannedMonths: Int?
    @Field(key: "extension_months") var extensionMonths: Int
    @OptionalField(key: "extension_reason") var extensionReason: String?
    @OptionalField(key: "plan_date") var planDate: String?
    @OptionalField(key: "contract_signed") var contractSigned: String?
    /// Norwegian target per sub-skill, JSON: {"reading":"B1", …}.
    @OptionalField(key: "norwegian_target") var norwegianTargetJSON: String?
    @Field(key: "lives_with_parents") var livesWithParents: Bool
    @Field(key: "couple_without_children") var coupleWithoutChildren: Bool
    /// temporary or permanent (integreringsloven § 18 / § 30: stans).
    @OptionalField(key: "stop_kind") var stopKind: String?
    @OptionalField(key: "stop_date") var stopDate: String?
    @OptionalField(key: "end_date") var endDate: String?
    @OptionalField(key: "end_reason") var endReason: String?
    /// Position on the municipality's qualification ladder.
    @OptionalField(key: "ladder_phase") var ladderPhase: Int?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$participation) var measures: [ProgrammeMeasure]
    @Children(for: \.$participation) var leaves: [ProgrammeLeave]
    @Children(for: \.$participation) var attendance: [AttendanceEntry]
    @Children(for: \.$participation) var reviews: [PlanReview]
    @Children(for: \.$participation) var outcomes: [ProgrammeOutcome]
    @Children(for: \.$participation) var deductions: [BenefitDeduction]
    init() {}

    var norwegianTarget: [String: String] {
        get { norwegianTargetJSON.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:] }
        set { norwegianTargetJSON = newValue.isEmpty ? nil : String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data(), as: UTF8.self) }
    }
}

final class ProgrammeMeasure: Model, @unchecked Sendable {
    static let schema = "programme_measures"
    @ID(key: .id) var id: UUID?
    @Parent(key: "participation_id") var participation: Participation
    @Field(key: "kind") var kind: String
    @OptionalField(key: "title") var title: String?
    @Field(key: "from_date") var from: String
    @Field(key: "to_date") var to: String
    @Field(key: "weekly_minutes") var weeklyMinutes: Int
    @Field(key: "self_study") var selfStudy: Bool
    init() {}
}

final class ProgrammeLeave: Model, @unchecked Sendable {
    static let schema = "programme_leaves"
    @ID(key: .id) var id: UUID?
    @Parent(key: "participation_id") var participation: Participation
    @Field(key: "from_date") var from: String
    @Field(key: "to_date") var to: String
    @Field(key: "reason") var reason: String
    init() {}
}

/// Attendance for a day, or for a week entered on its Monday. Absence is valid (with its kind) or invalid;
/// invalid absence reduces the benefit of the month the entry's date falls in.
final class AttendanceEntry: Model, @unchecked Sendable {
    static let schema = "attendance_entries"
    @ID(key: .id) var id: UUID?
    @Parent(key: "participation_id") var participation: Participation
    @Field(key: "date") var date: String
    @Field(key: "period") var period: String
    @Field(key: "present_minutes") var presentMinutes: Int
    @Field(key: "absence_minutes") var absenceMinutes: Int
    @OptionalField(key: "absence_kind") var absenceKind: String?
    /// The measure the entry is for, when given (attendance per measure).
    @OptionalField(key: "measure_id") var measureID: UUID?
    init() {}
}

struct AddAttendanceMeasure: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(AttendanceEntry.schema).field("measure_id", .uuid).update()
    }
    func revert(on db: any Database) async throws { try await db.schema(AttendanceEntry.schema).deleteField("measure_id").update() }
}

final class PlanReview: Model, @unchecked Sendable {
    static let schema = "plan_reviews"
    @ID(key: .id) var id: UUID?
    @Parent(key: "participation_id") var participation: Participation
    @Field(key: "date") var date: String
    @Field(key: "note") var note: String
    init() {}
}

/// Status one year after the programme ended, or five years after settlement (SSB's categories).
final class ProgrammeOutcome: Model, @unchecked Sendable {
    static let schema = "programme_outcomes"
    @ID(key: .id) var id: UUID?
    @Parent(key: "participation_id") var participation: Participation
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "recorded_on") var recordedOn: String
    init() {}
}

/// Another deduction from a month's benefit, in øre, with its reason.
final class BenefitDeduction: Model, @unchecked Sendable {
    static let schema = "benefit_deductions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "participation_id") var participation: Participation
    @Field(key: "month") var month: String
    @Field(key: "amount_ore") var amountOre: Int
    @Field(key: "reason") var reason: String
    init() {}
}

struct CreateBenefitDeductions: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(BenefitDeduction.schema).id()
            .field("participation_id", .uuid, .required, .references(Participation.schema, "id", onDelete: .cascade))
            .field("month", .string, .required).field("amount_ore", .int, .required).field("reason", .string, .required).create()
    }
    func revert(on db: any Database) async throws { try await db.schema(BenefitDeduction.schema).delete() }
}

enum MeasureKind: String, CaseIterable, Codable {
    case norwegian, socialStudies = "social_studies", lifeSkills = "life_skills", parentingGuidance = "parenting_guidance"
    case languagePractice = "language_practice", workPractice = "work_practice", primarySchool = "primary_school"
    case upperSecondary = "upper_secondary", tradeCourse = "trade_course", jobSeeking = "job_seeking"
    case higherEducation = "higher_education", health, other
}

enum AbsenceKind: String, CaseIterable, Codable {
    case ownIllnessSelfCertified = "own_illness_self_certified", ownIllnessDoctor = "own_illness_doctor", sickChild = "sick_child"
    case pregnancy, birth, welfare, holiday, invalid
    /// Only invalid absence reduces the benefit (integreringsloven § 20 and integreringsforskriften).
    var reducesBenefit: Bool { self == .invalid }
}

enum EndReason: String, CaseIterable, Codable {
    case completedWork = "completed_work", completedEducation = "completed_education", completedBoth = "completed_both"
    case moved, illness, parentalLeave = "parental_leave", ownChoice = "own_choice", other
    var isCompleted: Bool { self == .completedWork || self == .completedEducation || self == .completedBoth }
}

enum NorwegianSkill: String, CaseIterable, Codable { case reading, listening, writing, speaking }
enum CEFRLevel: String, CaseIterable, Codable { case a1 = "A1", a2 = "A2", b1 = "B1", b2 = "B2", c1 = "C1" }

struct CreateProgramme: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Participation.schema)
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
            .field("stop_kind", .string).field("stop_date", .string).field("end_date", .string).field("end_reason", .string)
            .field("updated_at", .datetime)
            .unique(on: "person_id")
            .create()
        try await db.schema(ProgrammeMeasure.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(Participation.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required).field("title", .string)
            .field("from_date", .string, .required).field("to_date", .string, .required)
            .field("weekly_minutes", .int, .required).field("self_study", .bool, .required)
            .create()
        try await db.schema(ProgrammeLeave.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(Participation.schema, "id", onDelete: .cascade))
            .field("from_date", .string, .required).field("to_date", .string, .required).field("reason", .string, .required)
            .create()
        try await db.schema(AttendanceEntry.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(Participation.schema, "id", onDelete: .cascade))
            .field("date", .string, .required).field("period", .string, .required)
            .field("present_minutes", .int, .required).field("absence_minutes", .int, .required).field("absence_kind", .string)
            .create()
        try await db.schema(PlanReview.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(Participation.schema, "id", onDelete: .cascade))
            .field("date", .string, .required).field("note", .string, .required)
            .create()
        try await db.schema(ProgrammeOutcome.schema)
            .id()
            .field("participation_id", .uuid, .required, .references(Participation.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required).field("status", .string, .required).field("recorded_on", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        for s in [ProgrammeOutcome.schema, PlanReview.schema, AttendanceEntry.schema, ProgrammeLeave.schema, ProgrammeMeasure.schema, Participation.schema] {
            try await db.schema(s).delete()
        }
    }
}
