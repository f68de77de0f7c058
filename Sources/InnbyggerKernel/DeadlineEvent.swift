import Fluent
import Vapor

/// The date a deadline's event happened (mapping done, TB screening taken, school started …).
/// Recording it turns the deadline "met" on the person page and takes it off the worklist.
package final class DeadlineEvent: Model, @unchecked Sendable {
    package static let schema = "deadline_events"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "kind") package var kind: DeadlineKind
    @Field(key: "date") package var date: LocalDate
    @Field(key: "sector") package var sector: Sector
    @OptionalField(key: "recorded_by") package var recordedBy: UUID?
    @Timestamp(key: "recorded_at", on: .create) package var recordedAt: Date?

    package init() {}
}

package struct CreateDeadlineEvents: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
        try await db.schema(DeadlineEvent.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("date", .string, .required)
            .field("sector", .string, .required)
            .field("recorded_by", .uuid)
            .field("recorded_at", .datetime)
            .unique(on: "person_id", "kind")
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema(DeadlineEvent.schema).delete() }
}

package enum DeadlineEvents {
    /// When each deadline's fact happened, for the given persons, by person and kind: the events recorded on the
    /// file, and the features' own records (`DeadlineFacts`), where the owner's record wins.
    package static func dates(for personIDs: [UUID], features: [any Feature], on db: any Database) async throws
        -> [UUID: [DeadlineKind: LocalDate]]
    {
        guard !personIDs.isEmpty else { return [:] }
        var out: [UUID: [DeadlineKind: LocalDate]] = [:]
        for e in try await DeadlineEvent.query(on: db).filter(\.$person.$id ~~ personIDs).all() {
            out[e.$person.id, default: [:]][e.kind] = e.date
        }
        for source in features.flatMap(\.deadlineFacts) {
            for (person, dates) in try await source.dates(for: personIDs, on: db) {
                out[person, default: [:]].merge(dates) { _, owner in owner }
            }
        }
        return out
    }

    /// Records (or corrects) when the event happened. Partners may record their own sector's events.
    package static func record(_ ctx: ServiceContext, personID: UUID?, kind: String?, date: String?) async throws
        -> Person
    {
        guard let id = personID,
            let p = try await Person.query(on: ctx.db).filter(\.$id == id).with(\.$shares).first()
        else {
            throw Abort(.notFound)
        }
        guard let k = kind.flatMap(DeadlineKind.init(rawValue:)), k.isMetByEvent else {
            throw ValidationFailure(field: "kind", "invalid.choice")
        }
        try await ctx.authorize(
            .create, .sectorPart(municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: k.sector),
            recordType: "person", recordID: id.uuidString)
        // The programme's steps have one home, the programme record.
        guard k.isRecordedOnFile else { throw ValidationFailure(field: "kind", "invalid.programme_step") }
        let d = try Validate.pastDate(date, "date")
        if case let birth = p.birthDate, d < birth {
            throw ValidationFailure(field: "date", "invalid.before_birth")
        }
        let e =
            try await DeadlineEvent.query(on: ctx.db).filter(\.$person.$id == id).filter(\.$kind == k)
            .first() ?? DeadlineEvent()
        e.$person.id = id
        e.kind = k
        e.date = d
        e.sector = k.sector
        e.recordedBy = ctx.user?.id
        try await e.save(on: ctx.db)
        try await ctx.audit(
            "record_\(k.rawValue)", recordType: "person", recordID: id.uuidString, municipality: p.$municipality.id)
        return p
    }
}
