import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// Where a plan is in its life (Vestre Toten and Elverum: adopted by the council, revised every four years).
package enum PlanStatus: String, CaseIterable, Codable, Sendable, Labelled {
    case draft, adopted, revised, expired

    package static let labelPrefix = "plan.status"
}

/// Where a measure (tiltak) stands.
package enum MeasureStatus: String, CaseIterable, Codable, Sendable, Labelled {
    case planned, ongoing, done, stopped

    package static let labelPrefix = "plan.measure_status"
}

/// The municipality's integration plan (issue #14): its period, status and the council's decision.
package final class IntegrationPlan: Model, @unchecked Sendable {
    package static let schema = "integration_plans"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "title") package var title: String
    @Field(key: "first_year") package var firstYear: Int
    @Field(key: "last_year") package var lastYear: Int
    @Field(key: "status") package var status: PlanStatus
    @OptionalField(key: "adopted_on") package var adoptedOn: LocalDate?
    @OptionalField(key: "case_number") package var caseNumber: String?
    /// The plan this one revised.
    @OptionalField(key: "previous_plan_id") package var previousPlanID: UUID?
    @Children(for: \.$plan) package var areas: [PlanFocusArea]

    package init() {}

    /// A plan is to be revised at least every four years from its adoption (Elverum: "evaluering minst hvert
    /// fjerde år"; Vestre Toten: revision every four years).
    package var reviseBy: LocalDate? { adoptedOn?.adding(years: 4) }
}

/// A focus area (innsatsområde) with its challenges, strategies and the units responsible.
package final class PlanFocusArea: Model, @unchecked Sendable {
    package static let schema = "plan_focus_areas"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "plan_id") package var plan: IntegrationPlan
    @Field(key: "position") package var position: Int
    @Field(key: "title") package var title: String
    @OptionalField(key: "challenges") package var challenges: String?
    @OptionalField(key: "strategies") package var strategies: String?
    /// The responsible service units, as the plan names them ("Flyktningetjenesten, NAV").
    @OptionalField(key: "responsible") package var responsible: String?
    @Children(for: \.$area) package var goals: [PlanGoal]

    package init() {}
}

/// A goal (mål) under a focus area.
package final class PlanGoal: Model, @unchecked Sendable {
    package static let schema = "plan_goals"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "area_id") package var area: PlanFocusArea
    @Field(key: "position") package var position: Int
    @Field(key: "text") package var text: String
    @Children(for: \.$goal) package var indicators: [PlanIndicator]
    @Children(for: \.$goal) package var measures: [PlanMeasure]

    package init() {}
}

/// An indicator under a goal: computed from the files by a catalogue definition (`computedKey`), or entered by hand
/// (`PlanIndicatorValue`); with its baseline and target.
package final class PlanIndicator: Model, @unchecked Sendable {
    package static let schema = "plan_indicators"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "goal_id") package var goal: PlanGoal
    @Field(key: "name") package var name: String
    @Field(key: "unit") package var unit: IndicatorUnit
    @Field(key: "direction") package var direction: IndicatorDirection
    @OptionalField(key: "computed_key") package var computedKey: String?
    @OptionalField(key: "baseline_year") package var baselineYear: Int?
    @OptionalField(key: "baseline_value") package var baselineValue: Double?
    @OptionalField(key: "target_year") package var targetYear: Int?
    @OptionalField(key: "target_value") package var targetValue: Double?
    @Children(for: \.$indicator) package var values: [PlanIndicatorValue]

    package init() {}

    package var baseline: IndicatorPoint? {
        guard let y = baselineYear, let v = baselineValue else { return nil }
        return IndicatorPoint(year: y, value: v)
    }

    package var target: IndicatorPoint? {
        guard let y = targetYear, let v = targetValue else { return nil }
        return IndicatorPoint(year: y, value: v)
    }
}

/// A figure entered by hand for an indicator from outside the files (SSB, KOSTRA, a survey), with its source.
package final class PlanIndicatorValue: Model, @unchecked Sendable {
    package static let schema = "plan_indicator_values"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "indicator_id") package var indicator: PlanIndicator
    @Field(key: "measured_on") package var measuredOn: LocalDate
    @Field(key: "value") package var value: Double
    @Field(key: "source") package var source: String

    package init() {}
}

/// A measure (tiltak) under a goal: who owns it, when, and where it stands, with a dated note.
package final class PlanMeasure: Model, @unchecked Sendable {
    package static let schema = "plan_measures"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "goal_id") package var goal: PlanGoal
    @Field(key: "title") package var title: String
    @OptionalField(key: "owner_unit") package var ownerUnit: String?
    /// The partner sector that owns it, if a partner does: that partner reads it and reports its status.
    @OptionalField(key: "owner_sector") package var ownerSector: Sector?
    @OptionalField(key: "contact") package var contact: String?
    @OptionalField(key: "start_date") package var startDate: LocalDate?
    @OptionalField(key: "deadline") package var deadline: LocalDate?
    @Field(key: "status") package var status: MeasureStatus
    @OptionalField(key: "status_note") package var statusNote: String?
    @OptionalField(key: "status_date") package var statusDate: LocalDate?
    /// Estimated cost in øre.
    @OptionalField(key: "cost_ore") package var costOre: Int?
    /// At a revision: carried over, completed, or new in the revised plan.
    @OptionalField(key: "review") package var review: MeasureReview?

    package init() {}
}

package struct CreateIntegrationPlans: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(IntegrationPlan.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("title", .string, .required)
            .field("first_year", .int, .required)
            .field("last_year", .int, .required)
            .field("status", .string, .required)
            .field("adopted_on", .string)
            .field("case_number", .string)
            .create()
        try await db.schema(PlanFocusArea.schema)
            .id()
            .field("plan_id", .uuid, .required, .references(IntegrationPlan.schema, "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("title", .string, .required)
            .field("challenges", .string)
            .field("strategies", .string)
            .field("responsible", .string)
            .create()
        try await db.schema(PlanGoal.schema)
            .id()
            .field("area_id", .uuid, .required, .references(PlanFocusArea.schema, "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("text", .string, .required)
            .create()
        try await db.schema(PlanIndicator.schema)
            .id()
            .field("goal_id", .uuid, .required, .references(PlanGoal.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("unit", .string, .required)
            .field("direction", .string, .required)
            .field("computed_key", .string)
            .field("baseline_year", .int)
            .field("baseline_value", .double)
            .field("target_year", .int)
            .field("target_value", .double)
            .create()
        try await db.schema(PlanIndicatorValue.schema)
            .id()
            .field("indicator_id", .uuid, .required, .references(PlanIndicator.schema, "id", onDelete: .cascade))
            .field("measured_on", .string, .required)
            .field("value", .double, .required)
            .field("source", .string, .required)
            .create()
        try await db.schema(PlanMeasure.schema)
            .id()
            .field("goal_id", .uuid, .required, .references(PlanGoal.schema, "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("owner_unit", .string)
            .field("contact", .string)
            .field("start_date", .string)
            .field("deadline", .string)
            .field("status", .string, .required)
            .field("status_note", .string)
            .field("status_date", .string)
            .field("cost_ore", .int64)
            .create()
        let sql = db as! any SQLDatabase
        for (name, table, column) in [
            ("idx_plans_municipality", IntegrationPlan.schema, "municipality"),
            ("idx_plan_areas_plan", PlanFocusArea.schema, "plan_id"),
            ("idx_plan_goals_area", PlanGoal.schema, "area_id"),
            ("idx_plan_indicators_goal", PlanIndicator.schema, "goal_id"),
            ("idx_plan_values_indicator", PlanIndicatorValue.schema, "indicator_id"),
            ("idx_plan_measures_goal", PlanMeasure.schema, "goal_id"),
        ] {
            try await sql.create(index: name).on(table).column(column).run()
        }
    }

    package func revert(on db: any Database) async throws {
        for table in [
            PlanMeasure.schema, PlanIndicatorValue.schema, PlanIndicator.schema, PlanGoal.schema, PlanFocusArea.schema,
            IntegrationPlan.schema,
        ] {
            try await db.schema(table).delete()
        }
    }
}
