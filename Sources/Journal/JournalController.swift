import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Journal pages (`/persons/:id/journal`, `/journal/:id/edit`) and API (`/api/v1/persons/{id}/journal`,
/// `/api/v1/journal/{id}`).
package struct JournalController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.gated(.create, .journalNote).post("persons", ":personID", "journal", use: create)
        routes.get("journal", ":entryID", "edit", use: editForm)
        routes.gated(.update, .journalNote).post("journal", ":entryID", use: update)
    }

    package static func formInput(_ req: Request) throws -> JournalInput {
        let f = try FormReader(req)
        return JournalInput(
            date: f.raw("date"), category: f.raw("category"), text: f.raw("text"), shared: f.checkbox("shared"))
    }

    package func create(req: Request) async throws -> Response {
        let personID = try req.pathID("personID")
        let input = try Self.formInput(req)
        do {
            let e = try await JournalService.create(req.context, personID: personID, input)
            return req.redirect(to: "/persons/\(e.$person.id)?notice=saved#journal")
        } catch let e as ValidationFailure {
            // The note comes back on the person page with what was typed and the message next to its field.
            return try await req.personPage(
                personID,
                problem: SectionProblem(
                    form: "journal", field: e.field, message: req.message(e),
                    posted: [
                        "date": input.date ?? "", "category": input.category ?? "", "text": input.text ?? "",
                    ]))
        }
    }

    package struct EditView: Encodable {
        package struct Version: Encodable {
            var date: String
            var category: String
            var text: String
            var replacedAt: String
        }
        package var id: UUID
        package var personID: UUID
        package var personName: String
        package var date: String
        package var category: String
        package var text: String
        package var shared: Bool
        package var categories: [Choice]
        package var versions: [Version]
        package var error: String?
        package var errorField: String?
    }

    /// The edit form: the note as stored, or, when a change was refused, what was typed with the message next to
    /// its field.
    package func editView(
        _ req: Request, _ e: JournalEntry, _ p: Person, error: ValidationFailure? = nil, posted: JournalInput? = nil
    ) async throws -> View {
        let category = posted?.category ?? e.category.rawValue
        return try await req.page(
            "Journal/edit", titleKey: "journal.edit",
            EditView(
                id: e.id!, personID: p.id!, personName: p.fullName, date: posted?.date ?? e.date.iso,
                category: category,
                text: posted?.text ?? e.text,
                shared: posted?.shared ?? e.shared,
                categories: JournalCategory.allCases.map {
                    .init(
                        value: $0.rawValue, label: $0.labelKey,
                        selected: $0.rawValue == category)
                },
                versions: e.versions.sorted { $0.replacedAt > $1.replacedAt }.map {
                    .init(
                        date: $0.date.iso, category: $0.category.labelKey, text: $0.text,
                        replacedAt: Oslo.stamp($0.replacedAt))
                }, error: error.map(req.message), errorField: error?.field))
    }

    package func editForm(req: Request) async throws -> View {
        let (e, p) = try await JournalService.find(
            req.context, try req.pathID("entryID"), for: .update)
        return try await editView(req, e, p)
    }

    package func update(req: Request) async throws -> Response {
        let id = try req.pathID("entryID")
        let input = try Self.formInput(req)
        do {
            let (_, p) = try await JournalService.update(req.context, id, input)
            return req.redirect(to: "/persons/\(p.id!)?notice=saved#journal")
        } catch let failure as ValidationFailure {
            let (e, p) = try await JournalService.find(req.context, id, for: .update)
            return try await editView(req, e, p, error: failure, posted: input).reshown(req)
        }
    }
}

package struct JournalAPIController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("persons", ":personID", "journal", use: list)
        routes.gated(.create, .journalNote).post("persons", ":personID", "journal", use: create)
        routes.get("journal", ":entryID", use: show)
        routes.gated(.update, .journalNote).put("journal", ":entryID", use: update)
    }

    package struct EntryDTO: Content {
        package var id: UUID
        package var personId: UUID
        package var date: LocalDate
        package var category: JournalCategory
        package var sector: Sector
        package var shared: Bool
        package var text: String
        package var edited: Bool
        package init(_ e: JournalEntry) {
            id = e.id!
            personId = e.$person.id
            date = e.date
            category = e.category
            sector = e.sector
            shared = e.shared
            text = e.text
            edited = !(e.$versions.value ?? []).isEmpty
        }
    }

    package func list(req: Request) async throws -> [EntryDTO] {
        let p = try await PersonService.find(req.context, try req.pathID("personID"))
        return try await JournalService.visible(req.context, p).map(EntryDTO.init)
    }

    package func create(req: Request) async throws -> Response {
        let e = try await JournalService.create(
            req.context, personID: try req.pathID("personID"), try req.json(JournalInput.self))
        e.$versions.value = []
        return try await EntryDTO(e).encodeResponse(status: .created, for: req)
    }

    package func show(req: Request) async throws -> EntryDTO {
        EntryDTO(try await JournalService.find(req.context, try req.pathID("entryID"), for: .read).0)
    }

    package func update(req: Request) async throws -> EntryDTO {
        let (e, _) = try await JournalService.update(
            req.context, try req.pathID("entryID"), try req.json(JournalInput.self))
        try await e.$versions.load(on: req.store)
        return EntryDTO(e)
    }
}
