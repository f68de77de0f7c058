import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// One municipality's settlement year: IMDi's request and the council's decision (numbers only, no names).
package final class SettlementYear: Model, @unchecked Sendable {
    package static let schema = "settlement_years"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "year") package var year: Int
    @Field(key: "requested") package var requested: Int
    @Field(key: "requested_minors") package var requestedMinors: Int
    @OptionalField(key: "request_date") package var requestDate: LocalDate?
    @OptionalField(key: "decided") package var decided: Int?
    @OptionalField(key: "decided_minors") package var decidedMinors: Bool?
    @OptionalField(key: "decision_date") package var decisionDate: LocalDate?
    @OptionalField(key: "decision_reference") package var decisionReference: String?
    @OptionalField(key: "note") package var note: String?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}

/// A household IMDi proposes for settlement, before it arrives. The inter-sector group (housing, kindergarten,
/// school, health) assesses capacity; the integration service answers IMDi by accepting or declining.
package final class IncomingHousehold: Model, @unchecked Sendable {
    package static let schema = "incoming_households"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "imdi_reference") package var imdiReference: String
    @Field(key: "label") package var label: String
    @Field(key: "received_at") package var receivedAt: Date
    @Field(key: "urgent") package var urgent: Bool
    /// When IMDi must have the answer: received + the municipality's answer time for this urgency.
    @Field(key: "answer_due_at") package var answerDueAt: Date
    @OptionalField(key: "rooms") package var rooms: Int?
    @Field(key: "accessible_housing") package var accessibleHousing: Bool
    @Field(key: "kindergarten_places") package var kindergartenPlaces: Int
    @Field(key: "school_places") package var schoolPlaces: Int
    @OptionalField(key: "health_needs") package var healthNeeds: String?
    @OptionalField(key: "other_needs") package var otherNeeds: String?
    @OptionalField(key: "expected_arrival") package var expectedArrival: LocalDate?
    /// The inter-sector assessment, one status per sector: pending, ok or concern.
    @Field(key: "housing_status") package var housingStatus: AssessmentStatus
    @Field(key: "kindergarten_status") package var kindergartenStatus: AssessmentStatus
    @Field(key: "school_status") package var schoolStatus: AssessmentStatus
    @Field(key: "health_status") package var healthStatus: AssessmentStatus
    @OptionalField(key: "assessment_note") package var assessmentNote: String?
    @Field(key: "decision") package var decision: SettlementDecision
    @OptionalField(key: "decision_reason") package var decisionReason: String?
    @OptionalField(key: "decided_at") package var decidedAt: Date?
    /// The day (in Oslo) the proposal came, and once answered how many hours the answer took and whether within the
    /// answer time (`AnswerTime`): what the plan's answer-time indicators count in the database.
    @OptionalField(key: "received_on") package var receivedOn: LocalDate?
    @OptionalField(key: "answer_hours") package var answerHours: Double?
    @OptionalField(key: "answered_in_time") package var answeredInTime: Bool?
    /// The household created when the family arrived.
    @OptionalField(key: "household_id") package var householdID: UUID?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?
    @Children(for: \.$incoming) package var members: [IncomingMember]

    package init() {}

    /// Records the answer given at `at` with its figures.
    package func answer(_ decision: SettlementDecision, at: Date) {
        self.decision = decision
        decidedAt = at
        fillAnswerFigures()
    }

    /// The figures of the answer (or of its absence) from the stored times.
    package func fillAnswerFigures() {
        receivedOn = Oslo.day(receivedAt)
        answerHours = decidedAt.map { AnswerTime.hours(received: receivedAt, answered: $0) }
        answeredInTime = decidedAt.flatMap { AnswerTime.inTime(answered: $0, due: answerDueAt, now: $0) }
    }

    /// Partners of the assessing sectors read the proposal; that is the legal basis of the assessment.
    package static let assessingSectors: Set<Sector> = [.housing, .kindergarten, .school, .health]

    /// The assessment is the partners' only basis for reading the proposal, so it ends with the answer to IMDi (or
    /// the arrival): after that a partner reads a member only through a person file shared with its sector.
    package var resource: Resource {
        let open = decision == .pending && householdID == nil
        return .personalData(municipality: $municipality.id, sharedWith: open ? Self.assessingSectors : [])
    }

    package func status(for sector: Sector) -> AssessmentStatus? {
        switch sector {
        case .housing: housingStatus
        case .kindergarten: kindergartenStatus
        case .school: schoolStatus
        case .health: healthStatus
        default: nil
        }
    }

    package func setStatus(_ value: AssessmentStatus, for sector: Sector) {
        switch sector {
        case .housing: housingStatus = value
        case .kindergarten: kindergartenStatus = value
        case .school: schoolStatus = value
        case .health: healthStatus = value
        default: break
        }
    }
}

/// A person in a proposed household, as far as IMDi's proposal tells.
package final class IncomingMember: Model, @unchecked Sendable {
    package static let schema = "incoming_members"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "incoming_id") package var incoming: IncomingHousehold
    @Field(key: "given_name") package var givenName: String
    @Field(key: "family_name") package var familyName: String
    @Field(key: "birth_date") package var birthDate: LocalDate
    @Field(key: "sex") package var sex: Sex
    @Field(key: "relation") package var relation: FamilyRelation
    @Field(key: "citizenship") package var citizenship: String
    @Field(key: "residence_ground") package var residenceGround: PersonFacts.ResidenceGround
    package init() {}

    /// The person file this member becomes on arrival: the proposal's facts, settled by agreement on `day` in the
    /// household `household` of `municipality`.
    package func person(municipality: Kommunenummer, household: UUID?, settledOn day: LocalDate) -> Person {
        let p = Person()
        p.$municipality.id = municipality
        p.$household.id = household
        p.givenName = givenName
        p.familyName = familyName
        p.birthDate = birthDate
        p.sex = sex
        p.citizenship = citizenship
        p.residenceGround = residenceGround
        p.relation = relation
        p.settlementDate = day
        p.settledByAgreement = true
        return p
    }
}

/// A municipality's own settlement settings: how fast it answers IMDi.
package final class MunicipalSettings: Model, @unchecked Sendable {
    package static let schema = "municipal_settings"
    @ID(custom: "municipality", generatedBy: .user) package var id: Kommunenummer?
    @Field(key: "answer_hours_urgent") package var answerHoursUrgent: Int
    @Field(key: "answer_hours_ordinary") package var answerHoursOrdinary: Int
    package init() {}
}

/// One line of a municipality's arrival-checklist template.
package final class ChecklistTemplateItem: Model, @unchecked Sendable {
    package static let schema = "checklist_template_items"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "position") package var position: Int
    @Field(key: "title") package var title: String
    @Field(key: "sector") package var sector: Sector
    /// Days relative to the arrival date; negative means before arrival.
    @Field(key: "offset_days") package var offsetDays: Int
    /// The deadline a done task meets for every member of the household (TB screening).
    @OptionalField(key: "deadline_kind") package var deadlineKind: DeadlineKind?
    package init() {}
}

/// One task of a household's arrival checklist, generated from the template on arrival.
package final class ArrivalTask: Model, @unchecked Sendable {
    package static let schema = "arrival_tasks"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "household_id") package var household: Household
    @Field(key: "position") package var position: Int
    @Field(key: "title") package var title: String
    @Field(key: "sector") package var sector: Sector
    @Field(key: "due") package var due: LocalDate
    @OptionalField(key: "done_on") package var doneOn: LocalDate?
    @OptionalField(key: "done_by") package var doneBy: UUID?
    @OptionalField(key: "deadline_kind") package var deadlineKind: DeadlineKind?
    package init() {}
}

/// The answer figures, filled for the proposals already stored.
package struct AddAnswerFigures: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(IncomingHousehold.schema).field("received_on", .string).update()
        try await db.schema(IncomingHousehold.schema).field("answer_hours", .double).update()
        try await db.schema(IncomingHousehold.schema).field("answered_in_time", .bool).update()
        // Once, for the proposals there are: afterwards every answer stores its own.
        for h in try await IncomingHousehold.query(on: db).all() {
            h.fillAnswerFigures()
            try await h.update(on: db)
        }
        try await (db as! any SQLDatabase).create(index: "idx_incoming_received_on").on(IncomingHousehold.schema)
            .column("municipality").column("received_on").run()
    }
    package func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "idx_incoming_received_on").run()
        for f in ["answered_in_time", "answer_hours", "received_on"] {
            try await db.schema(IncomingHousehold.schema).deleteField(.string(f)).update()
        }
    }
}

package struct AddChecklistDeadlines: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(ChecklistTemplateItem.schema).field("deadline_kind", .string).update()
        try await db.schema(ArrivalTask.schema).field("deadline_kind", .string).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(ArrivalTask.schema).deleteField("deadline_kind").update()
        try await db.schema(ChecklistTemplateItem.schema).deleteField("deadline_kind").update()
    }
}

/// A task of the arrival checklist that stands for a deadline (TB screening) meets it, on the day it was done, for
/// every member of the household: the fact is recorded once, on the checklist, where the health service works.
/// A member's own event on the file, if any, is the same fact for that person and yields to the checklist's.
package struct ChecklistFacts: DeadlineFacts {
    package func dates(for persons: [UUID], on db: any Database) async throws -> [UUID: [DeadlineKind: LocalDate]] {
        let members = try await Person.query(on: db).filter(\.$id ~~ persons).filter(\.$household.$id != nil)
            .field(\.$id).field(\.$household.$id).all()
        let households = Set(members.compactMap { $0.$household.id })
        guard !households.isEmpty else { return [:] }
        var done: [UUID: [DeadlineKind: LocalDate]] = [:]
        for t in try await ArrivalTask.query(on: db).filter(\.$household.$id ~~ households)
            .filter(\.$deadlineKind != nil).filter(\.$doneOn != nil).all()
        {
            if let kind = t.deadlineKind, let day = t.doneOn { done[t.$household.id, default: [:]][kind] = day }
        }
        var out: [UUID: [DeadlineKind: LocalDate]] = [:]
        for m in members { if let h = m.$household.id, let d = done[h] { out[m.id!] = d } }
        return out
    }
}

package enum AssessmentStatus: String, CaseIterable, Codable, Labelled {
    case pending, ok, concern
    package static var labelPrefix: String { "assessment" }
}
package enum SettlementDecision: String, CaseIterable, Codable, Labelled {
    case pending, accepted, declined
    package static var labelPrefix: String { "decision" }
}

package struct CreateSettlement: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(SettlementYear.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("year", .int, .required)
            .field("requested", .int, .required)
            .field("requested_minors", .int, .required)
            .field("request_date", .string)
            .field("decided", .int)
            .field("decided_minors", .bool)
            .field("decision_date", .string)
            .field("decision_reference", .string)
            .field("note", .string)
            .field("updated_at", .datetime)
            .unique(on: "municipality", "year")
            .create()
        try await db.schema(IncomingHousehold.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("imdi_reference", .string, .required)
            .field("label", .string, .required)
            .field("received_at", .datetime, .required)
            .field("urgent", .bool, .required)
            .field("answer_due_at", .datetime, .required)
            .field("rooms", .int)
            .field("accessible_housing", .bool, .required)
            .field("kindergarten_places", .int, .required)
            .field("school_places", .int, .required)
            .field("health_needs", .string)
            .field("other_needs", .string)
            .field("expected_arrival", .string)
            .field("housing_status", .string, .required)
            .field("kindergarten_status", .string, .required)
            .field("school_status", .string, .required)
            .field("health_status", .string, .required)
            .field("assessment_note", .string)
            .field("decision", .string, .required)
            .field("decision_reason", .string)
            .field("decided_at", .datetime)
            .field("household_id", .uuid, .references(Household.schema, "id", onDelete: .setNull))
            .field("updated_at", .datetime)
            .create()
        try await db.schema(IncomingMember.schema)
            .id()
            .field("incoming_id", .uuid, .required, .references(IncomingHousehold.schema, "id", onDelete: .cascade))
            .field("given_name", .string, .required)
            .field("family_name", .string, .required)
            .field("birth_date", .string, .required)
            .field("sex", .string, .required)
            .field("relation", .string, .required)
            .field("citizenship", .string, .required)
            .field("residence_ground", .string, .required)
            .create()
        try await db.schema(MunicipalSettings.schema)
            .field("municipality", .string, .identifier(auto: false), .references(Municipality.schema, "code"))
            .field("answer_hours_urgent", .int, .required)
            .field("answer_hours_ordinary", .int, .required)
            .create()
        try await db.schema(ChecklistTemplateItem.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("position", .int, .required)
            .field("title", .string, .required)
            .field("sector", .string, .required)
            .field("offset_days", .int, .required)
            .create()
        try await db.schema(ArrivalTask.schema)
            .id()
            .field("household_id", .uuid, .required, .references(Household.schema, "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("title", .string, .required)
            .field("sector", .string, .required)
            .field("due", .string, .required)
            .field("done_on", .string)
            .field("done_by", .uuid)
            .create()
    }
    package func revert(on db: any Database) async throws {
        for s in [
            ArrivalTask.schema, ChecklistTemplateItem.schema, MunicipalSettings.schema, IncomingMember.schema,
            IncomingHousehold.schema, SettlementYear.schema,
        ] {
            try await db.schema(s).delete()
        }
    }
}

/// Defaults every municipality starts from (`Resources/Parameters/settlement.json`): answer times and the
/// arrival-checklist template. Local service levels, not law; each municipality changes its own.
package struct SettlementDefaults: Codable {
    package struct Sourced: Codable {
        var value: Int
        var reference: String
    }
    package struct AnswerHours: Codable {
        var urgent: Sourced
        var ordinary: Sourced
    }
    package struct TemplateItem: Codable {
        var title: String
        var sector: Sector
        var offsetDays: Int
        /// The deadline the task meets for the household's members, if any.
        var deadline: DeadlineKind?
    }
    package struct Checklist: Codable {
        var reference: String
        var items: [TemplateItem]
    }
    package var answerHours: AnswerHours
    package var arrivalChecklist: Checklist

    package static func load(from url: URL) throws -> SettlementDefaults {
        // An unknown sector in the checklist fails the decoding, with its path in the file.
        try JSONDecoder().decode(SettlementDefaults.self, from: Data(contentsOf: url))
    }
}

package struct SettlementDefaultsKey: StorageKey { package typealias Value = SettlementDefaults }

extension Application {
    package var settlementDefaults: SettlementDefaults {
        get { storage[SettlementDefaultsKey.self]! }
        set { storage[SettlementDefaultsKey.self] = newValue }
    }
}
