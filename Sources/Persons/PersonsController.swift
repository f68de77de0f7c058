import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The person and household pages.
package struct PersonsController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let persons = routes.grouped("persons")
        persons.get(use: list)
        persons.get("new", use: newForm)
        persons.gated(.create, .personalData).post(use: create)
        persons.get(":personID", use: show)
        persons.get(":personID", "edit", use: editForm)
        persons.gated(.update, .personalData).post(":personID", use: update)
        persons.get(":personID", "delete", use: deleteForm)
        persons.gated(.delete, .personalData).post(":personID", "delete", use: delete)
        persons.gated(.update, .personalData).post(":personID", "shares", use: share)
        persons.gated(.update, .personalData).post(":personID", "move-out", use: moveOut)
        persons.gated(.update, .personalData).post(":personID", "move-out", "cancel", use: cancelMoveOut)
        persons.get(":personID", "shares", ":shareID", "revoke", use: unshareForm)
        persons.gated(.update, .personalData).post(":personID", "shares", ":shareID", "revoke", use: unshare)

        Export.routes(routes, [], last: "persons") { req, format in try await Self.exportPersons(req, format) }
        Export.routes(routes, [], last: "households") { req, format in try await Self.exportHouseholds(req, format) }

        let households = routes.grouped("households")
        households.get(use: listHouseholds)
        households.get("new", use: newHousehold)
        households.gated(.create, .personalData).post(use: createHousehold)
        households.get(":householdID", use: showHousehold)
    }

    /// The person list's export: each column shows a section of the file, and a user gets only the columns of the
    /// sections it may read (`SectionColumns`, the person page's table), empty in a row whose file withholds one.
    static func personColumns(_ names: [Kommunenummer: String], _ tr: Translations, _ language: String)
        -> SectionColumns<Person>
    {
        let name = FileSections.name
        return SectionColumns<Person>([
            .init("person_id", name) { .text($0.id!.uuidString) },
            .init("family_name", name) { .text($0.familyName) },
            .init("given_name", name) { .text($0.givenName) },
            .init("birth_date", "identity") { .text($0.birthDate.iso) },
            .init("municipality", name) { .text(names[$0.$municipality.id] ?? $0.$municipality.id.value) },
            .init("citizenship", "background") { .text($0.citizenship) },
            .init("residence_ground", "residence") { .text(tr.text($0.residenceGround.labelKey, language)) },
            .init("settlement_date", "residence") { .text($0.settlementDate?.iso ?? "") },
            .init("moved_out_on", "residence") { .text($0.movedOutOn?.iso ?? "") },
            .init("moved_to", "residence") { .text($0.movedTo?.value ?? "") },
        ])
    }

    /// The person list with its filter, every row, read 200 at a time by keyset (each page audited as the list
    /// is, with the ids it returned), as CSV or XLSX.
    static func exportPersons(_ req: Request, _ format: Export.Format) async throws -> Response {
        var query = try req.query.decode(PersonPageQuery.self)
        if query.municipality?.isEmpty == true { query.municipality = nil }
        query.page = nil
        query.limit = 200
        let ctx = req.context
        let table = personColumns(try await req.municipalityNames(), req.application.translations, req.language)
        var persons: [(Person, Set<String>)] = []
        var codes: [Kommunenummer] = []
        while true {
            let r = try await PersonService.list(ctx, query)
            codes = r.municipalities
            persons += r.persons.map { ($0, ctx.readableSections(of: $0)) }
            guard let next = r.next else { break }
            query.cursor = next.token
        }
        let allowed = table.allowed(ctx, in: codes)
        for m in codes { try await req.audit("export", recordType: "person", recordID: nil, municipality: m) }
        return try Export.response(
            format, name: "personer-\(LocalDate.today.iso)", sheet: "Personer", header: allowed.map(\.header),
            rows: persons.map { SectionColumns.cells($0.0, allowed, readable: $0.1) })
    }

    /// The household list's export: the name, address and size are the `household` section of the members' files
    /// (docs/privacy.md); a user who may not read it gets the household's id and municipality only.
    static func householdColumns(_ names: [Kommunenummer: String]) -> SectionColumns<Household> {
        SectionColumns<Household>([
            .init("household_id", FileSections.name) { .text($0.id!.uuidString) },
            .init("name", "household") { .text($0.name) },
            .init("address", "household") { .text($0.address ?? "") },
            .init("municipality", FileSections.name) { .text(names[$0.$municipality.id] ?? $0.$municipality.id.value) },
            .init("members", "household") { .number($0.members.count) },
        ])
    }

    /// The household list, every row, read 200 at a time by keyset, as CSV or XLSX.
    static func exportHouseholds(_ req: Request, _ format: Export.Format) async throws -> Response {
        let ctx = req.context
        let table = householdColumns(try await req.municipalityNames())
        var households: [(Household, Set<String>)] = []
        var after: Cursor? = nil
        var seen: Set<Kommunenummer> = []
        while true {
            let r = try await HouseholdService.list(ctx, PageWindow(after: after, size: 200))
            households += r.households.map { h in
                seen.insert(h.$municipality.id)
                // A household shows what every member's file lets the user read: the sections all of them share.
                let sections = h.members.map { ctx.readableSections(of: $0) }
                return (h, sections.dropFirst().reduce(sections.first ?? []) { $0.intersection($1) })
            }
            guard let next = r.next else { break }
            after = next
        }
        let allowed = table.allowed(ctx, in: seen.sorted())
        for m in seen.sorted() {
            try await req.audit("export", recordType: "household", recordID: nil, municipality: m)
        }
        return try Export.response(
            format, name: "husstander-\(LocalDate.today.iso)", sheet: "Husstander", header: allowed.map(\.header),
            rows: households.map { SectionColumns.cells($0.0, allowed, readable: $0.1) })
    }

    package struct ListView: Encodable {
        package struct Row: Encodable {
            var id: UUID
            var name: String
            var birthDate: String
            var municipality: String
            var citizenship: String
            var residenceGround: String
        }
        package var rows: [Row]
        package var total: Int
        package var q: String
        package var municipalities: [Choice]
        package var pager: Pager
        package var canCreate: Bool
    }

    package func list(req: Request) async throws -> View {
        var query = try req.query.decode(PersonPageQuery.self)
        if query.municipality?.isEmpty == true { query.municipality = nil }  // "all municipalities" in the filter form
        let r = try await PersonService.list(req.context, query)
        let names = try await req.municipalityNames()
        let creatable = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        return try await req.page(
            "Persons/list", titleKey: "persons.title",
            ListView(
                rows: r.persons.map {
                    .init(
                        id: $0.id!, name: "\($0.familyName), \($0.givenName)", birthDate: $0.birthDate.iso,
                        municipality: names[$0.$municipality.id] ?? $0.$municipality.id.value,
                        citizenship: $0.citizenship,
                        residenceGround: $0.residenceGround.labelKey)
                },
                total: r.total, q: query.q ?? "",
                municipalities: r.municipalities.count > 1 || query.municipality != nil
                    ? Choice.municipalities(
                        try await req.municipalities(where: .list) { .personalDataList(municipality: $0) },
                        names: names,
                        selected: query.municipality) : [],
                pager: r.pager, canCreate: !creatable.isEmpty))
    }

    package struct FormView: Encodable {
        package var action: String
        package var input: PersonInput
        /// Every problem, in the page's language, by the field's id on the form (shown next to the field).
        package var errors: [String: String]
        /// The same in the form's order, each linking to its field (the summary at the top).
        package var errorList: [FieldError]
        package var municipalities: [Choice]
        package var sexes: [Choice]
        package var grounds: [Choice]
        package var households: [Choice]
        package var educations: [Choice]
        package var agreement: [Choice]
        package var relations: [Choice]
        package var advisors: [Choice]
        package var caseWorkers: [Choice]
        package var referenceGrounds: [Choice]
        package var reservation: [Choice]
        package var contactPreferences: [Choice]
        /// Three language rows, filled from the input.
        package struct LanguageRow: Encodable {
            var index: Int
            var code: String
            var levels: [Choice]
            /// The row's problem (its code or its level), next to it.
            var error: String?
        }
        package var languageRows: [LanguageRow]
        package var isNew: Bool
    }

    package func formView(
        _ req: Request, action: String, input: PersonInput, errors failures: [ValidationFailure], isNew: Bool
    ) async throws -> FormView {
        let list = failures.map { FieldError(field: Self.formField($0.field), message: req.message($0)) }
        let names = try await req.municipalityNames()
        let codes = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        let households = try await Household.query(on: req.store).filter(\.$municipality.$id ~~ codes).sort(\.$name)
            .all()
        // The household choice names families: a list read.
        try await req.auditList("household", municipalities: households.map { $0.$municipality.id })
        return FormView(
            action: action, input: input,
            errors: Dictionary(list.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a }), errorList: list,
            municipalities: Choice.municipalities(codes, names: names, selected: input.municipality),
            sexes: Sex.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == input.sex)
            },
            grounds: ResidenceGround.allCases.map {
                Choice(
                    value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == input.residenceGround)
            },
            households: households.map {
                Choice(
                    value: $0.id!.uuidString, label: "\($0.name) (\(names[$0.$municipality.id] ?? ""))",
                    selected: $0.id == input.householdId)
            },
            educations: EducationLevel.allCases.map {
                Choice(
                    value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == input.educationLevel
                )
            },
            agreement: [("true", true), ("false", false)].map {
                Choice(value: $0.0, label: "agreement.\($0.0)", selected: input.settledByAgreement == $0.1)
            },
            relations: FamilyRelation.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == input.relation)
            },
            advisors: try await advisorOptions(req, codes: codes, selected: input.advisorId),
            caseWorkers: try await advisorOptions(req, codes: codes, selected: input.caseWorkerId),
            referenceGrounds: ResidenceGround.allCases.map {
                Choice(
                    value: $0.rawValue, label: $0.labelKey,
                    selected: $0.rawValue == input.referencePersonResidenceGround)
            },
            reservation: [("true", true), ("false", false)].map {
                Choice(
                    value: $0.0, label: "reservation.\($0.0)", selected: (input.researchReservation ?? false) == $0.1)
            },
            contactPreferences: ContactPreference.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == input.contactPreference)
            },
            languageRows: (0..<3).map { i in
                let skill = (input.languages ?? []).indices.contains(i) ? input.languages![i] : nil
                return .init(
                    index: i + 1, code: skill?.code ?? "",
                    levels: LanguageSkill.Level.allCases.map {
                        Choice(
                            value: $0.rawValue, label: $0.labelKey,
                            selected: $0.rawValue == skill?.level)
                    },
                    error: list.first { $0.field == "language\(i + 1)" || $0.field == "level\(i + 1)" }?.message)
            },
            isNew: isNew)
    }

    /// Staff who can follow persons in the municipalities the user works in, labelled with their name.
    package func advisorOptions(_ req: Request, codes: [Kommunenummer], selected: UUID?) async throws -> [Choice] {
        var seen: Set<UUID> = []
        var options: [Choice] = []
        for code in codes {
            for u in try await Advisors.available(in: code, on: req.store) where seen.insert(u.id!).inserted {
                options.append(Choice(value: u.id!.uuidString, label: u.displayName, selected: u.id == selected))
            }
        }
        return options.sorted { $0.label < $1.label }
    }

    /// The form's field id for a failure's field: the language rows are numbered from 1 on the form.
    static func formField(_ field: String?) -> String {
        guard let f = field else { return "givenName" }
        if f.hasPrefix("languages["), let close = f.firstIndex(of: "]"),
            let i = Int(f[f.index(f.startIndex, offsetBy: 10)..<close])
        {
            return (f.hasSuffix(".level") ? "level" : "language") + String(i + 1)
        }
        return f == "languages" ? "language1" : f
    }

    package func newForm(req: Request) async throws -> View {
        let codes = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        var input = PersonInput()
        input.municipality = codes.first?.value
        input.householdId = try? req.query.get(UUID.self, at: "household")
        return try await req.page(
            "Persons/form", titleKey: "persons.new",
            try await formView(req, action: "/persons", input: input, errors: [], isNew: true))
    }

    /// Re-shows the form with the user's input and every problem of it, not only the first, so nothing typed is
    /// lost (`known` are problems found before: an unreadable number, the service's own checks).
    package func formFailure(
        _ req: Request, action: String, input: PersonInput, known: [ValidationFailure], isNew: Bool
    ) async throws -> Response {
        var all = known
        for f in input.allFailures() where !all.contains(where: { $0.field == f.field }) { all.append(f) }
        let view = try await req.page(
            "Persons/form", titleKey: isNew ? "persons.new" : "persons.edit",
            try await formView(req, action: action, input: input, errors: all, isNew: isNew))
        return try await view.reshown(req)
    }

    package func create(req: Request) async throws -> Response {
        let (input, unreadable) = try PersonInput.fromForm(req)
        guard unreadable.isEmpty else {
            return try await formFailure(req, action: "/persons", input: input, known: unreadable, isNew: true)
        }
        do {
            let p = try await PersonService.create(req.context, input)
            return req.redirect(to: "/persons/\(p.id!)?notice=created")
        } catch let e as ValidationFailure {
            return try await formFailure(req, action: "/persons", input: input, known: [e], isNew: true)
        }
    }

    package struct ShowView: Encodable {
        package var id: UUID
        package var name: String
        package var canEdit: Bool
        package var canDelete: Bool
        /// Buttons to the features' own pages for this person, and the sections the user may read, rendered by each.
        package var links: [PersonLink]
        package var sections: [String]
    }

    package func show(req: Request) async throws -> View { try await page(req, try req.pathID("personID")) }

    /// The person page, with a refused section form's problem when the request carries one.
    package func page(_ req: Request, _ id: UUID) async throws -> View {
        let p = try await PersonService.find(req.context, id)
        let links = req.application.features.flatMap { $0.personLinks(req, p) }.sorted { $0.order < $1.order }
        return try await req.page(
            "Persons/show", titleKey: "persons.file",
            ShowView(
                id: p.id!, name: p.fullName, canEdit: req.may(.update, p.resource),
                canDelete: req.may(.delete, p.resource), links: links, sections: try await req.personSections(p)))
    }

    package func editForm(req: Request) async throws -> View {
        let p = try await PersonService.find(req.context, try req.pathID("personID"), for: .update)
        let input = PersonInput(p)
        return try await req.page(
            "Persons/form", titleKey: "persons.edit",
            try await formView(req, action: "/persons/\(p.id!)", input: input, errors: [], isNew: false))
    }

    package func update(req: Request) async throws -> Response {
        let id = try req.pathID("personID")
        // Editing needs the right to change the file before anything is said about the input.
        _ = try await PersonService.find(req.context, id, for: .update, audited: false)
        let (input, unreadable) = try PersonInput.fromForm(req)
        guard unreadable.isEmpty else {
            return try await formFailure(
                req, action: "/persons/\(id.uuidString)", input: input, known: unreadable, isNew: false)
        }
        do {
            let p = try await PersonService.update(req.context, id, input)
            return req.redirect(to: "/persons/\(p.id!)?notice=saved")
        } catch let e as ValidationFailure {
            return try await formFailure(
                req, action: "/persons/\(id.uuidString)", input: input, known: [e], isNew: false)
        }
    }

    /// Names the file and what goes with it before it is deleted for good.
    package func deleteForm(req: Request) async throws -> View {
        let p = try await PersonService.find(req.context, try req.pathID("personID"), for: .delete)
        var losses: [String] = []
        for feature in req.application.features { losses += try await feature.deletionLosses(req, p) }
        return try await req.confirmation(
            titleKey: "persons.delete_title",
            Confirmation(
                subject: req.text("persons.delete_subject", [p.fullName, p.birthDate.norwegian]),
                lead: req.text("persons.delete_lead"), losses: losses, action: "/persons/\(p.id!)/delete",
                confirm: req.text("persons.delete"), cancel: "/persons/\(p.id!)"))
    }

    package func delete(req: Request) async throws -> Response {
        try await PersonService.delete(req.context, try req.pathID("personID"))
        return req.redirect(to: "/persons?notice=deleted")
    }

    package struct ShareForm: Content {
        var sector: String?
        var basis: String?
        var reference: String?
    }

    package func share(req: Request) async throws -> Response {
        let f = try req.content.decode(ShareForm.self)
        let p = try await PersonService.share(
            req.context, try req.pathID("personID"), sector: f.sector, basis: f.basis,
            reference: f.reference
        )
        return req.redirect(to: "/persons/\(p.id!)?notice=shared")
    }

    /// Registers the move-out from the residence section; a refusal shows there with what was typed.
    package func moveOut(req: Request) async throws -> Response {
        let f = try req.content.decode(PersonService.MoveOutInput.self)
        let id = try req.pathID("personID")
        let input = PersonService.MoveOutInput(
            date: f.date.flatMap { $0.isEmpty ? nil : $0 },
            municipality: f.municipality.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 })
        do {
            let p = try await PersonService.moveOut(req.context, id, input)
            return req.redirect(to: "/persons/\(p.id!)?notice=saved")
        } catch let e as ValidationFailure {
            return try await req.personPage(
                id,
                problem: SectionProblem(
                    form: "move-out", field: e.field, message: req.message(e),
                    posted: ["date": f.date ?? "", "municipality": f.municipality ?? ""]))
        }
    }

    package func cancelMoveOut(req: Request) async throws -> Response {
        let p = try await PersonService.cancelMoveOut(req.context, try req.pathID("personID"))
        return req.redirect(to: "/persons/\(p.id!)?notice=saved")
    }

    /// Names the sector that will lose access before a share is revoked.
    package func unshareForm(req: Request) async throws -> View {
        let p = try await PersonService.find(req.context, try req.pathID("personID"), for: .update)
        let shareID = try req.pathID("shareID")
        guard let share = p.shares.first(where: { $0.id == shareID && $0.revokedAt == nil }) else {
            throw Abort(.notFound)
        }
        let sector = req.text(share.sector.labelKey)
        return try await req.confirmation(
            titleKey: "shares.revoke_title",
            Confirmation(
                subject: req.text("shares.revoke_subject", [sector, p.fullName]),
                lead: req.text("shares.revoke_lead", [sector]), action: "/persons/\(p.id!)/shares/\(shareID)/revoke",
                confirm: req.text("shares.revoke"), cancel: "/persons/\(p.id!)"))
    }

    package func unshare(req: Request) async throws -> Response {
        let id = try req.pathID("personID")
        try await PersonService.unshare(req.context, id, shareID: try req.pathID("shareID"))
        return req.redirect(to: "/persons/\(id)?notice=unshared")
    }

    // MARK: Households

    package struct HouseholdsView: Encodable {
        package struct Row: Encodable {
            var id: UUID
            var name: String
            var municipality: String
            var size: Int
            var address: String?
        }
        package var rows: [Row]
        package var canCreate: Bool
        package var total: Int
        package var pager: Pager
    }

    package struct HouseholdPage: Content {
        var page: Int?
        var after: String?
        var before: String?
        var limit: Int?
    }

    package func listHouseholds(req: Request) async throws -> View {
        let q = try req.query.decode(HouseholdPage.self)
        let (rows, total, pager, _) = try await HouseholdService.list(
            req.context, try PageWindow(page: q.page, after: q.after, before: q.before, limit: q.limit))
        let names = try await req.municipalityNames()
        let creatable = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        return try await req.page(
            "Persons/households", titleKey: "households.title",
            HouseholdsView(
                rows: rows.map {
                    .init(
                        id: $0.id!, name: $0.name, municipality: names[$0.$municipality.id] ?? "",
                        size: $0.members.count, address: $0.address)
                },
                canCreate: !creatable.isEmpty, total: total, pager: pager))
    }

    package struct HouseholdFormView: Encodable {
        var input: HouseholdInput
        var error: String?
        var errorField: String?
        var municipalities: [Choice]
    }

    package func householdForm(_ req: Request, _ input: HouseholdInput, _ error: ValidationFailure?) async throws
        -> View
    {
        let names = try await req.municipalityNames()
        let codes = try await req.municipalities(where: .create) { .personalData(municipality: $0, sharedWith: []) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        return try await req.page(
            "Persons/household-form", titleKey: "households.new",
            HouseholdFormView(
                input: input, error: error.map(req.message), errorField: error?.field,
                municipalities: Choice.municipalities(codes, names: names, selected: input.municipality)))
    }

    package func newHousehold(req: Request) async throws -> View {
        try await householdForm(req, HouseholdInput(), nil)
    }

    package func createHousehold(req: Request) async throws -> Response {
        let input = try req.content.decode(HouseholdInput.self)
        do {
            let h = try await HouseholdService.create(req.context, input)
            return req.redirect(to: "/households/\(h.id!)?notice=created")
        } catch let e as ValidationFailure {
            return try await householdForm(req, input, e).reshown(req)
        }
    }

    package struct HouseholdView: Encodable {
        package struct Member: Encodable {
            var id: UUID
            var name: String
            var birthDate: String
            var relation: String?
        }
        package var id: UUID
        package var name: String
        package var address: String?
        package var municipality: String
        package var members: [Member]
        package var canEdit: Bool
        /// The features' sections (the arrival checklist …), rendered by each.
        package var sections: [String]
    }

    package func showHousehold(req: Request) async throws -> View {
        let h = try await HouseholdService.find(req.context, try req.pathID("householdID"))
        let names = try await req.municipalityNames()
        let resource = HouseholdService.resource(h)
        var sections: [String] = []
        for section in req.application.features.flatMap(\.householdSections).sorted(by: { $0.order < $1.order }) {
            if let html = try await section.render(req, h) { sections.append(html) }
        }
        return try await req.page(
            "Persons/household", titleKey: "households.one",
            HouseholdView(
                id: h.id!, name: h.name, address: h.address, municipality: names[h.$municipality.id] ?? "",
                members: h.members.sorted {
                    ($0.relation == .main ? 0 : 1, $0.birthDate) < ($1.relation == .main ? 0 : 1, $1.birthDate)
                }
                .map {
                    .init(
                        id: $0.id!, name: $0.fullName, birthDate: $0.birthDate.iso,
                        relation: $0.relation.map { $0.labelKey })
                },
                canEdit: req.may(.update, resource), sections: sections))
    }
}
