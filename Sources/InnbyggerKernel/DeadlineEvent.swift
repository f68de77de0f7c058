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
    /// Event dates for the given persons, by person and kind.
    package static func dates(for personIDs: [UUID], on db: any Database) async throws -> [UUID: [DeadlineKind:
        LocalDate]]
    {
        guard !personIDs.isEmpty else { return [:] }
        var out: [UUID: [DeadlineKind: LocalDate]] = [:]
        for e in try await DeadlineEvent.query(on: db).filter(\.$person.$id ~~ personIDs).all() {
            out[e.$person.id, default: [:]][e.kind] = e.date
        }
        return out
    }

    /// Sets the events the programme's own dates stand for (mapping, guidance, decision, start), so the deadlines
    /// computed by the rules turn "met" from the programme page alone. A date taken away removes its event.
    package static func sync(_ dates: [DeadlineKind: LocalDate?], personID: UUID, by user: UUID?, on db: any Database)
        async throws
    {
        for (kind, date) in dates {
            let existing = try await DeadlineEvent.query(on: db).filter(\.$person.$id == personID).filter(
                \.$kind == kind
            ).first()
            guard let date else {
                try await existing?.delete(on: db)
                continue
            }
            let e = existing ?? DeadlineEvent()
            e.$person.id = personID
            e.kind = kind
            e.date = date
            e.sector = kind.sector
            e.recordedBy = user
            try await e.save(on: db)
        }
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
