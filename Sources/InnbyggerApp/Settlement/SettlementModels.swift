import Fluent
import Vapor

/// One municipality's settlement year: IMDi's request and the council's decision (numbers only, no names).
final class SettlementYear: Model, @unchecked Sendable {
    static let schema = "settlement_years"
    @ID(key: .id) var id: UUID?
    @Parent(key: "municipality") var municipality: Municipality
    @Field(key: "year") var year: Int
    @Field(key: "requested") var requested: Int
    @Field(key: "requested_minors") var requestedMinors: Int
    @OptionalField(key: "request_date") var requestDate: String?
    @OptionalField(key: "decided") var decided: Int?
    @OptionalField(key: "decided_minors") var decidedMinors: Bool?
    @OptionalField(key: "decision_date") var decisionDate: String?
    @OptionalField(key: "decision_reference") var decisionReference: String?
    @OptionalField(key: "note") var note: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// A household IMDi proposes for settlement, before it arrives. The inter-sector group (housing, kindergarten,
/// school, health) assesses capacity; the integration service answers IMDi by accepting or declining.
final class IncomingHousehold: Model, @unchecked Sendable {
    static let schema = "incoming_households"
    @ID(key: .id) var id: UUID?
    @Parent(key: "municipality") var municipality: Municipality
    @Field(key: "imdi_reference") var imdiReference: String
    @Field(key: "label") var label: String
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "urgent") var urgent: Bool
    /// When IMDi must have the answer: received + the municipality's answer time for this urgency.
    @Field(key: "answer_due_at") var answerDueAt: Date
    @OptionalField(key: "rooms") var rooms: Int?
    @Field(key: "accessible_housing") var accessibleHousing: Bool
    @Field(key: "kindergarten_places") var kindergartenPlaces: Int
    @Field(key: "school_places") var schoolPlaces: Int
    @OptionalField(key: "health_needs") var healthNeeds: String?
    @OptionalField(key: "other_needs") var otherNeeds: String?
    @OptionalField(key: "expected_arrival") var expectedArrival: String?
    /// The inter-sector assessment, one status per sector: pending, ok or concern.
    @Field(key: "housing_status") var housingStatus: String
    @Field(key: "kindergarten_status") var kindergartenStatus: String
    @Field(key: "school_status") var schoolStatus: String
    @Field(key: "health_status") var healthStatus: String
    @OptionalField(key: "assessment_note") var assessmentNote: String?
    /// pending, accepted or declined.
    @Field(key: "decision") var decision: String
    @OptionalField(key: "decision_reason") var decisionReason: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    /// The household created when the family arrived.
    @OptionalField(key: "household_id") var householdID: UUID?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$incoming) var members: [IncomingMember]

    init() {}

    /// Partners of the assessing sectors read the proposal; that is the legal basis of the assessment.
    static let assessingSectors: Set<Sector> = [.housing, .kindergarten, .school, .health]

    /// The assessment is the partners' only basis for reading the proposal, so it ends with the answer to IMDi (or
    /// the arrival): after that a partner reads a member only through a person file shared with its sector.
    var resource: Resource {
        let open = decision == "pending" && householdID == nil
        return .personalData(municipality: $municipality.id, sharedWith: open ? Self.assessingSectors : [])
    }

    func status(for sector: Sector) -> String? {
        switch sector {
        case .housing: housingStatus
        case .kindergarten: kindergartenStatus
        case .school: schoolStatus
        case .health: healthStatus
        default: nil
        }
    }

    func setStatus(_ value: String, for sector: Sector) {
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
final class IncomingMember: Model, @unchecked Sendable {
    static let schema = "incoming_members"
    @ID(key: .id) var id: UUID?
    @Parent(key: "incoming_id") var incoming: IncomingHousehold
    @Field(key: "given_name") var givenName: String
    @Field(key: "family_name") var familyName: String
    @Field(key: "birth_date") var birthDate: String
    @Field(key: "sex") var sex: String
    @Field(key: "relation") var relation: String
    @Field(key: "citizenship") var citizenship: String
    @Field(key: "residence_ground") var residenceGround: String
    init() {}
}

/// A municipality's own settlement settings: how fast it answers IMDi.
final class MunicipalSettings: Model, @unchecked Sendable {
    static let schema = "municipal_settings"
    @ID(custom: "municipality", generatedBy: .user) var id: String?
    @Field(key: "answer_hours_urgent") var answerHoursUrgent: Int
    @Field(key: "answer_hours_ordinary") var answerHoursOrdinary: Int
    init() {}
}

/// One line of a municipality's arrival-checklist template.
final class ChecklistTemplateItem: Model, @unchecked Sendable {
    static let schema = "checklist_template_items"
    @ID(key: .id) var id: UUID?
    @Parent(key: "municipality") var municipality: Municipality
    @Field(key: "position") var position: Int
    @Field(key: "title") var title: String
    @Field(key: "sector") var sector: String
    /// Days relative to the arrival date; negative means before arrival.
    @Field(key: "offset_days") var offsetDays: Int
    init() {}
}

/// One task of a household's arrival checklist, generated from the template on arrival.
final class ArrivalTask: Model, @unchecked Sendable {
    static let schema = "arrival_tasks"
    @ID(key: .id) var id: UUID?
    @Parent(key: "household_id") var household: Household
    @Field(key: "position") var position: Int
    @Field(key: "title") var title: String
    @Field(key: "sector") var sector: String
    @Field(key: "due") var due: String
    @OptionalField(key: "done_on") var doneOn: String?
    @OptionalField(key: "done_by") var doneBy: UUID?
    init() {}
}

enum AssessmentStatus: String, CaseIterable, Codable { case pending, ok, concern }
enum SettlementDecision: String, CaseIterable, Codable { case pending, accepted, declined }

struct CreateSettlement: AsyncMigration {
    func prepare(on db: any Database) async throws {
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
    func revert(on db: any Database) async throws {
        for s in [ArrivalTask.schema, ChecklistTemplateItem.schema, MunicipalSettings.schema, IncomingMember.schema,
                  IncomingHousehold.schema, SettlementYear.schema] {
            try await db.schema(s).delete()
        }
    }
}

/// Defaults every municipality starts from (`Resources/Parameters/settlement.json`): answer times and the
/// arrival-checklist template. Local service levels, not law; each municipality changes its own.
struct SettlementDefaults: Codable {
    struct Sourced: Codable { var value: Int; var reference: String }
    struct AnswerHours: Codable { var urgent: Sourced; var ordinary: Sourced }
    struct TemplateItem: Codable { var title: String; var sector: String; var offsetDays: Int }
    struct Checklist: Codable { var reference: String; var items: [TemplateItem] }
    var answerHours: AnswerHours
    var arrivalChecklist: Checklist

    static func load(from url: URL) throws -> SettlementDefaults {
        let d = try JSONDecoder().decode(SettlementDefaults.self, from: Data(contentsOf: url))
        for item in d.arrivalChecklist.items where Sector(rawValue: item.sector) == nil {
            throw ConfigurationError("settlement.json: unknown sector \(item.sector)")
        }
        return d
    }
}

struct SettlementDefaultsKey: StorageKey { typealias Value = SettlementDefaults }

extension Application {
    var settlementDefaults: SettlementDefaults {
        get { storage[SettlementDefaultsKey.self]! }
        set { storage[SettlementDefaultsKey.self] = newValue }
    }
}
