import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// A dated note on a person's file. Visible to the writing sector only, unless shared; an edit
/// keeps the earlier text as a version.
package final class JournalEntry: Model, @unchecked Sendable {
    package static let schema = "journal_entries"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "date") package var date: LocalDate
    @Field(key: "category") package var category: JournalCategory
    @Field(key: "sector") package var sector: Sector
    @Field(key: "shared") package var shared: Bool
    @Field(key: "text") package var text: String
    @OptionalField(key: "author_id") package var authorID: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?
    @Children(for: \.$entry) package var versions: [JournalVersion]

    package init() {}

    package func resource(_ p: Person) -> Resource {
        .journalNote(
            municipality: p.$municipality.id, sharedWith: p.activeSectors,
            sector: sector, shared: shared)
    }
}

/// An earlier version of a note, kept when it is edited.
package final class JournalVersion: Model, @unchecked Sendable {
    package static let schema = "journal_versions"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "entry_id") package var entry: JournalEntry
    @Field(key: "date") package var date: LocalDate
    @Field(key: "category") package var category: JournalCategory
    @Field(key: "shared") package var shared: Bool
    @Field(key: "text") package var text: String
    @OptionalField(key: "author_id") package var authorID: UUID?
    @Field(key: "replaced_at") package var replacedAt: Date

    package init() {}
}

package enum JournalCategory: String, CaseIterable, Codable, Labelled {
    case general, meeting, health, education, work, housing, family, economy, other
    package static var labelPrefix: String { "journal.category" }
}

package struct CreateJournal: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(JournalEntry.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("date", .string, .required)
            .field("category", .string, .required)
            .field("sector", .string, .required)
            .field("shared", .bool, .required)
            .field("text", .string, .required)
            .field("author_id", .uuid)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema(JournalVersion.schema)
            .id()
            .field("entry_id", .uuid, .required, .references(JournalEntry.schema, "id", onDelete: .cascade))
            .field("date", .string, .required)
            .field("category", .string, .required)
            .field("shared", .bool, .required)
            .field("text", .string, .required)
            .field("author_id", .uuid)
            .field("replaced_at", .datetime, .required)
            .create()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(JournalVersion.schema).delete()
        try await db.schema(JournalEntry.schema).delete()
    }
}

package struct JournalInput: Content {
    package var date: String?
    package var category: String?
    package var text: String?
    package var shared: Bool?

    package func validated() throws -> (LocalDate, JournalCategory, String, Bool) {
        let d = try Validate.pastDate(date, "date")
        guard let c = category.flatMap(JournalCategory.init(rawValue:)) else {
            throw ValidationFailure(
                field: "category", "invalid.one_of", JournalCategory.allCases.map(\.rawValue).joined(separator: ", "))
        }
        // Notes may hold line breaks.
        let t = try Validate.required(text, "text", max: 10_000, multiline: true)
        return (d, c, t, shared ?? false)
    }
}

/// Journal notes, with the sector rule applied per note.
package enum JournalService {
    /// The user's own sector for writing: integration staff write in the integration sector.
    package static func writingSector(_ ctx: ServiceContext) -> Sector? {
        guard let roles = ctx.user?.principal.roles else { return nil }
        if roles.contains(where: \.isIntegrationStaff) { return .integration }
        return roles.compactMap(\.partnerSector).first
    }

    /// The notes on a file this user may read, newest first (the file read itself is audited by the caller).
    package static func visible(_ ctx: ServiceContext, _ p: Person) async throws -> [JournalEntry] {
        try await JournalEntry.query(on: ctx.db).filter(\.$person.$id == p.id!).with(\.$versions)
            .sort(\.$date, .descending).sort(\.$createdAt, .descending).all()
            .filter { ctx.may(.read, $0.resource(p)) }
    }

    package static func create(_ ctx: ServiceContext, personID: UUID?, _ input: JournalInput) async throws
        -> JournalEntry
    {
        guard let id = personID,
            let p = try await Person.query(on: ctx.db).filter(\.$id == id).with(\.$shares).first()
        else { throw Abort(.notFound) }
        guard let sector = writingSector(ctx) else { throw Abort(.forbidden, reason: "access denied") }
        let (d, c, t, shared) = try input.validated()
        let e = JournalEntry()
        e.$person.id = id
        e.date = d
        e.category = c
        e.sector = sector
        e.shared = shared
        e.text = t
        e.authorID = ctx.user?.id
        try await ctx.authorize(.create, e.resource(p), recordType: "person", recordID: id.uuidString)
        try await e.create(on: ctx.db)
        try await ctx.audit(
            "journal_create", recordType: "journal_entry", recordID: e.id?.uuidString, municipality: p.$municipality.id)
        return e
    }

    package static func find(_ ctx: ServiceContext, _ entryID: UUID?, for action: Action) async throws -> (
        JournalEntry, Person
    ) {
        // The edit form shows the note and its versions: a read, too.
        try await ctx.guarded(
            action, recordType: "journal_entry", id: entryID, auditsRead: action == .read || ctx.isReadOnly,
            find: { id -> (JournalEntry, Person)? in
                guard let e = try await JournalEntry.query(on: ctx.db).filter(\.$id == id).with(\.$versions).first(),
                    let p = try await Person.query(on: ctx.db).filter(\.$id == e.$person.id).with(\.$shares).first()
                else { return nil }
                return (e, p)
            },
            resource: { $0.0.resource($0.1) }, municipality: { $0.1.$municipality.id })
    }

    package static func update(_ ctx: ServiceContext, _ entryID: UUID?, _ input: JournalInput) async throws -> (
        JournalEntry, Person
    ) {
        let (e, p) = try await find(ctx, entryID, for: .update)
        let (d, c, t, shared) = try input.validated()
        let old = JournalVersion()
        old.$entry.id = e.id!
        old.date = e.date
        old.category = e.category
        old.shared = e.shared
        old.text = e.text
        old.authorID = e.authorID
        old.replacedAt = Oslo.now()
        try await ctx.write { tx in
            try await old.create(on: tx)
            e.date = d
            e.category = c
            e.shared = shared
            e.text = t
            e.authorID = ctx.user?.id
            try await e.update(on: tx)
        }
        try await ctx.audit(
            "journal_update", recordType: "journal_entry", recordID: e.id?.uuidString, municipality: p.$municipality.id)
        return (e, p)
    }
}

/// The person page's journal: the notes this user may read, and the form for a new note in the user's own sector.
package struct JournalSection: PersonSection {
    package let id = "journal"
    package let order = 500

    package struct Model: Encodable {
        package struct Note: Encodable {
            package var id: UUID
            package var date: String
            package var categoryKey: String
            package var sectorKey: String
            package var shared: Bool
            package var text: String
            package var edited: Bool
            package var canEdit: Bool
        }
        package var id: UUID
        package var journal: [Note]
        package var canWriteJournal: Bool
        package var journalCategories: [Choice]
        package var today: String
        /// A refused new note: its message, the field it is about, and what was typed.
        package var error: String?
        package var errorField: String?
        package var posted: [String: String]
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        guard req.may(.read, p.resource) else { return nil }
        let notes = try await JournalService.visible(req.context, p)
        let problem = req.sectionProblem.flatMap { $0.form == "journal" ? $0 : nil }
        let canWrite =
            JournalService.writingSector(req.context).map {
                req.may(
                    .create,
                    .journalNote(
                        municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: $0, shared: false))
            } ?? false
        let model = Model(
            id: p.id!,
            journal: notes.map { n in
                .init(
                    id: n.id!, date: n.date.iso, categoryKey: n.category.labelKey,
                    sectorKey: n.sector.labelKey,
                    shared: n.shared, text: n.text, edited: !n.versions.isEmpty,
                    canEdit: req.may(.update, n.resource(p)))
            },
            canWriteJournal: canWrite,
            journalCategories: JournalCategory.allCases.map { c in
                Choice(
                    value: c.rawValue, label: c.labelKey,
                    selected: problem.map { $0.posted["category"] == c.rawValue } ?? (c == .general))
            },
            today: LocalDate.today.iso, error: problem?.message, errorField: problem?.field,
            posted: problem?.posted ?? [:])
        return try await req.section("Journal/section", model)
    }
}
