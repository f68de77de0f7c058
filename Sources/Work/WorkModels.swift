import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

extension WorkTrade: Labelled { package static var labelPrefix: String { "work.trade" } }
extension PlaceKind: Labelled { package static var labelPrefix: String { "work.kind" } }
extension PlaceStatus: Labelled { package static var labelPrefix: String { "work.place_status" } }
extension PlacementOutcome: Labelled { package static var labelPrefix: String { "work.outcome" } }
extension FollowUpKind: Labelled { package static var labelPrefix: String { "work.followup" } }
extension NavMeasureKind: Labelled { package static var labelPrefix: String { "work.nav" } }
extension MatchReason: Labelled { package static var labelPrefix: String { "work.reason" } }

/// An employer or placement provider in a municipality's register: a municipal unit or a private employer, with its
/// organisation number, trade, contact, where it is and the languages spoken at the workplace.
package final class WorkProvider: Model, @unchecked Sendable {
    package static let schema = "work_providers"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "org_number") package var orgNumber: String
    @Field(key: "name") package var name: String
    @Field(key: "trade") package var trade: WorkTrade
    @Field(key: "municipal") package var municipal: Bool
    @OptionalField(key: "contact_name") package var contactName: String?
    @OptionalField(key: "contact_phone") package var contactPhone: String?
    @OptionalField(key: "location") package var location: String?
    /// Language codes spoken at the workplace, space-separated ("ar uk").
    @OptionalField(key: "languages") package var languages: String?
    @OptionalField(key: "minimum_norwegian") package var minimumNorwegian: TestLevel?
    @Children(for: \.$provider) package var places: [WorkPlace]
    package init() {}

    package var languageSet: Set<String> { Set((languages ?? "").split(separator: " ").map(String.init)) }
}

/// Places of one kind at a provider: how many, and whether they are open.
package final class WorkPlace: Model, @unchecked Sendable {
    package static let schema = "work_places"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "provider_id") package var provider: WorkProvider
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "kind") package var kind: PlaceKind
    @Field(key: "capacity") package var capacity: Int
    @Field(key: "status") package var status: PlaceStatus
    package init() {}
}

/// An agreement of the municipality on places (the council's decision of 20 language practice places).
package final class WorkAgreement: Model, @unchecked Sendable {
    package static let schema = "work_agreements"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "title") package var title: String
    @Field(key: "decided_on") package var decidedOn: LocalDate
    @Field(key: "kind") package var kind: PlaceKind
    @Field(key: "places") package var places: Int
    package init() {}
}

/// An event of the employer network (a breakfast meeting, a visit round).
package final class WorkEvent: Model, @unchecked Sendable {
    package static let schema = "work_events"
    @ID(key: .id) package var id: UUID?
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "date") package var date: LocalDate
    @Field(key: "title") package var title: String
    @OptionalField(key: "notes") package var notes: String?
    package init() {}
}

/// A participant's placement at a place: the period, the programme measure it is part of, the agreed tasks, the
/// mentor at the workplace, and at the end the evaluation and the outcome.
package final class WorkPlacement: Model, @unchecked Sendable {
    package static let schema = "work_placements"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @Parent(key: "place_id") package var place: WorkPlace
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "kind") package var kind: PlaceKind
    @Field(key: "from_date") package var from: LocalDate
    @Field(key: "to_date") package var to: LocalDate
    /// The programme measure (`programme_measures`) the placement is part of, when the plan has one of its kind.
    @OptionalField(key: "measure_id") package var measureID: UUID?
    @OptionalField(key: "tasks") package var tasks: String?
    @OptionalField(key: "mentor") package var mentor: String?
    @OptionalField(key: "mentor_phone") package var mentorPhone: String?
    @OptionalField(key: "evaluation") package var evaluation: String?
    @OptionalField(key: "outcome") package var outcome: PlacementOutcome?
    @OptionalField(key: "ended_on") package var endedOn: LocalDate?
    @Children(for: \.$placement) package var followUps: [WorkFollowUp]
    @Children(for: \.$placement) package var navMeasures: [WorkNavMeasure]
    package init() {}
}

/// A visit or a three-way talk: planned (due) or held (done), with notes.
package final class WorkFollowUp: Model, @unchecked Sendable {
    package static let schema = "work_followups"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "placement_id") package var placement: WorkPlacement
    @Field(key: "municipality") package var municipality: Kommunenummer
    @Field(key: "kind") package var kind: FollowUpKind
    @OptionalField(key: "due_on") package var dueOn: LocalDate?
    @OptionalField(key: "done_on") package var doneOn: LocalDate?
    @OptionalField(key: "notes") package var notes: String?
    package init() {}
}

/// A measure NAV owns on a placement (wage subsidy, mentor subsidy), recorded by NAV on a file shared with it.
package final class WorkNavMeasure: Model, @unchecked Sendable {
    package static let schema = "work_nav_measures"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "placement_id") package var placement: WorkPlacement
    @Field(key: "kind") package var kind: NavMeasureKind
    @Field(key: "from_date") package var from: LocalDate
    @Field(key: "to_date") package var to: LocalDate
    /// Per month, in øre.
    @OptionalField(key: "monthly_ore") package var monthlyOre: Int?
    package init() {}
}

/// What the advisor's mapping says about work for a person: the occupation wished for and the spoken Norwegian level.
package final class WorkProfile: Model, @unchecked Sendable {
    package static let schema = "work_profiles"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @OptionalField(key: "occupation") package var occupation: WorkTrade?
    @OptionalField(key: "norwegian") package var norwegian: TestLevel?
    package init() {}
}

package struct CreateWorkTables: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(WorkProvider.schema).id()
            .field("municipality", .string, .required).field("org_number", .string, .required)
            .field("name", .string, .required).field("trade", .string, .required).field("municipal", .bool, .required)
            .field("contact_name", .string).field("contact_phone", .string).field("location", .string)
            .field("languages", .string).field("minimum_norwegian", .string)
            .unique(on: "municipality", "org_number").create()
        try await db.schema(WorkPlace.schema).id()
            .field("provider_id", .uuid, .required, .references(WorkProvider.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required).field("kind", .string, .required)
            .field("capacity", .int, .required).field("status", .string, .required).create()
        try await db.schema(WorkAgreement.schema).id()
            .field("municipality", .string, .required).field("title", .string, .required)
            .field("decided_on", .string, .required).field("kind", .string, .required)
            .field("places", .int, .required).create()
        try await db.schema(WorkEvent.schema).id()
            .field("municipality", .string, .required).field("date", .string, .required)
            .field("title", .string, .required).field("notes", .string).create()
        try await db.schema(WorkPlacement.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("place_id", .uuid, .required, .references(WorkPlace.schema, "id", onDelete: .restrict))
            .field("municipality", .string, .required).field("kind", .string, .required)
            .field("from_date", .string, .required).field("to_date", .string, .required).field("measure_id", .uuid)
            .field("tasks", .string).field("mentor", .string).field("mentor_phone", .string)
            .field("evaluation", .string).field("outcome", .string).field("ended_on", .string).create()
        try await db.schema(WorkFollowUp.schema).id()
            .field("placement_id", .uuid, .required, .references(WorkPlacement.schema, "id", onDelete: .cascade))
            .field("municipality", .string, .required).field("kind", .string, .required)
            .field("due_on", .string).field("done_on", .string).field("notes", .string).create()
        try await db.schema(WorkNavMeasure.schema).id()
            .field("placement_id", .uuid, .required, .references(WorkPlacement.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required).field("from_date", .string, .required)
            .field("to_date", .string, .required).field("monthly_ore", .int).create()
        try await db.schema(WorkProfile.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("occupation", .string).field("norwegian", .string).unique(on: "person_id").create()
    }
    package func revert(on db: any Database) async throws {
        for s in [
            WorkProfile.schema, WorkNavMeasure.schema, WorkFollowUp.schema, WorkPlacement.schema, WorkEvent.schema,
            WorkAgreement.schema, WorkPlace.schema, WorkProvider.schema,
        ] {
            try await db.schema(s).delete()
        }
    }
}
