import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// A municipality's own qualification ladder (kvalifiseringstrapp, e.g. Hemsedal's): the phases a participant
/// moves through towards work, shown as progress on the programme page.
package final class LadderPhase: Model, @unchecked Sendable {
    package static let schema = "ladder_phases"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "position") package var position: Int
    @Field(key: "name") package var name: String
    package init() {}
}

/// A measure the municipality adds to the built-in catalogue, filed under a built-in kind so the checks of
/// mandatory content and full time treat it right (e.g. "Flyktningeløftet – praksis i kommunen" as work practice).
package final class CatalogueMeasure: Model, @unchecked Sendable {
    package static let schema = "catalogue_measures"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "name") package var name: String
    @Field(key: "kind") package var kind: MeasureKind
    package init() {}
}

/// A municipality's own norm for how many participants one programme advisor follows, with where it comes from
/// (its integration plan, a council decision): the caseload list flags advisors above it and cites it. No national
/// norm exists, so a municipality without one sees counts but no warning.
package final class CaseloadNorm: Model, @unchecked Sendable {
    package static let schema = "caseload_norms"
    @ID(custom: "municipality", generatedBy: .user) package var id: Kommunenummer?
    @Field(key: "max_participants") package var maxParticipants: Int
    @Field(key: "source") package var source: String
    package init() {}
}

package struct CreateCaseloadNorms: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(CaseloadNorm.schema)
            .field("municipality", .string, .identifier(auto: false), .references(Municipality.schema, "code"))
            .field("max_participants", .int, .required).field("source", .string, .required).create()
    }
    package func revert(on db: any Database) async throws { try await db.schema(CaseloadNorm.schema).delete() }
}

package struct CreateProgrammeSettings: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(LadderPhase.schema).id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("position", .int, .required).field("name", .string, .required).create()
        try await db.schema(CatalogueMeasure.schema).id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("name", .string, .required).field("kind", .string, .required).create()
        try await db.schema(PersonProgramme.schema).field("ladder_phase", .int).update()
    }
    package func revert(on db: any Database) async throws {
        try await db.schema(PersonProgramme.schema).deleteField("ladder_phase").update()
        try await db.schema(CatalogueMeasure.schema).delete()
        try await db.schema(LadderPhase.schema).delete()
    }
}

/// `/programme/settings`: the administrator edits the ladder and the catalogue; integration staff use them.
package struct ProgrammeSettingsController: RouteCollection {

    package func boot(routes: any RoutesBuilder) throws {
        let s = routes.grouped("programme", "settings")
        s.get(use: show)
        s.gated(.update, .municipalSettings).post("phases", use: addPhase)
        s.gated(.update, .municipalSettings).post("phases", ":phaseID", "delete", use: deletePhase)
        s.gated(.update, .municipalSettings).post("measures", use: addMeasure)
        s.gated(.update, .municipalSettings).post("measures", ":measureID", "delete", use: deleteMeasure)
        s.gated(.update, .municipalSettings).post("caseload", use: setCaseload)
        routes.gated(.update, .programme).post("persons", ":personID", "programme", "phase", use: setPhase)
    }

    package struct PageView: Encodable {
        package struct Phase: Encodable {
            var id: UUID
            var position: Int
            var name: String
        }
        package struct Measure: Encodable {
            var id: UUID
            var name: String
            var kindKey: String
        }
        package var municipality: String
        package var municipalityName: String
        package var municipalities: [Choice]
        package var phases: [Phase]
        package var measures: [Measure]
        package var kinds: [Choice]
        package struct Caseload: Encodable {
            var maxParticipants: Int
            var source: String
        }
        /// The municipality's caseload norm, if it has one.
        package var caseload: Caseload?
        package var error: String?
        /// The refused field's id on the page.
        package var errorAnchor: String?
    }

    package static func municipality(_ ctx: ServiceContext, _ requested: String?) async throws -> Kommunenummer {
        let codes = try await ctx.municipalities(where: .update) { .municipalSettings(municipality: $0) }
        if let text = requested, !text.isEmpty {
            let r = try Validate.municipality(text)
            guard codes.contains(r) else { throw Abort(.forbidden, reason: "access denied") }
            return r
        }
        guard let first = codes.first else { throw Abort(.forbidden, reason: "access denied") }
        return first
    }

    package func page(_ req: Request, _ requested: String?, error: String? = nil, anchor: String? = nil) async throws
        -> View
    {
        let m = try await Self.municipality(req.context, requested)
        let names = try await req.municipalityNames()
        let codes = try await req.municipalities(where: .update) { .municipalSettings(municipality: $0) }
        return try await req.page(
            "Programme/settings", titleKey: "programme_settings.title",
            PageView(
                municipality: m.value, municipalityName: names[m] ?? m.value,
                municipalities: codes.count > 1
                    ? Choice.municipalities(codes, names: names, selected: m) : [],
                phases: try await LadderPhase.query(on: req.store).filter(\.$municipality.$id == m).sort(\.$position)
                    .all().map { .init(id: $0.id!, position: $0.position, name: $0.name) },
                measures: try await CatalogueMeasure.query(on: req.store).filter(\.$municipality.$id == m).sort(\.$name)
                    .all().map { .init(id: $0.id!, name: $0.name, kindKey: $0.kind.labelKey) },
                kinds: MeasureKind.allCases.map {
                    Choice(value: $0.rawValue, label: $0.labelKey, selected: false)
                },
                caseload: try await CaseloadNorm.find(m, on: req.store).map {
                    .init(maxParticipants: $0.maxParticipants, source: $0.source)
                }, error: error, errorAnchor: anchor))
    }

    package func show(req: Request) async throws -> View {
        try await page(req, try? req.query.get(String.self, at: "municipality"))
    }

    package struct Form: Content {
        var municipality: String?
        var name: String?
        var position: String?
        var kind: String?
        var maxParticipants: String?
        var source: String?
    }

    /// Sets the municipality's caseload norm with its source; an empty number removes it.
    package func setCaseload(req: Request) async throws -> Response {
        try await change(req) { m, f in
            let existing = try await CaseloadNorm.find(m, on: req.store)
            guard let text = f.maxParticipants?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
                try await existing?.delete(on: req.store)
                return
            }
            let n = try Validate.formInt(text, "maxParticipants")
            guard let n, (1...200).contains(n) else {
                throw ValidationFailure(field: "maxParticipants", "invalid.range", "1", "200")
            }
            let norm = existing ?? CaseloadNorm()
            norm.id = m
            norm.maxParticipants = n
            norm.source = try Validate.required(f.source, "source", max: 300)
            try await norm.save(on: req.store)
        }
    }

    package func change(_ req: Request, _ action: (Kommunenummer, Form) async throws -> Void) async throws -> Response {
        let f = try req.content.decode(Form.self)
        let m = try await Self.municipality(req.context, f.municipality)
        do {
            try await action(m, f)
            try await req.audit("update", recordType: "programme_settings", recordID: m.value, municipality: m)
            return req.redirect(to: "/programme/settings?municipality=\(m.value)&notice=saved")
        } catch let e as ValidationFailure {
            // The field's id on the page: the three forms share field names, so the form is the route's.
            let form = req.url.path.split(separator: "/").last.map(String.init) ?? ""
            let ids = [
                "phases.position": "phase-position", "phases.name": "phase-name", "measures.name": "measure-name",
                "measures.kind": "measure-kind", "caseload.maxParticipants": "caseload-max",
                "caseload.source": "caseload-source",
            ]
            return try await page(req, m.value, error: req.message(e), anchor: ids["\(form).\(e.field)"])
                .reshown(req)
        }
    }

    package func addPhase(req: Request) async throws -> Response {
        try await change(req) { m, f in
            let p = LadderPhase()
            p.$municipality.id = m
            p.name = try Validate.required(f.name, "name", max: 100)
            let existing = try await LadderPhase.query(on: req.store).filter(\.$municipality.$id == m).all()
            p.position =
                try Validate.number(try Validate.formInt(f.position, "position"), "position", 1...20)
                ?? ((existing.map(\.position).max() ?? 0) + 1)
            try await p.create(on: req.store)
        }
    }

    package func addMeasure(req: Request) async throws -> Response {
        try await change(req) { m, f in
            guard let kind = f.kind.flatMap(MeasureKind.init(rawValue:)) else {
                throw ValidationFailure(field: "kind", "invalid.choice")
            }
            let c = CatalogueMeasure()
            c.$municipality.id = m
            c.name = try Validate.required(f.name, "name", max: 200)
            c.kind = kind
            try await c.create(on: req.store)
        }
    }

    package func delete<M: Model>(_ req: Request, _ type: M.Type, _ param: String, municipality: (M) -> Kommunenummer)
        async throws -> Response where M.IDValue == UUID
    {
        guard let id = req.parameters.get(param, as: UUID.self), let row = try await M.find(id, on: req.store) else {
            throw Abort(.notFound)
        }
        let m = municipality(row)
        try await req.authorize(.update, .municipalSettings(municipality: m))
        try await row.delete(on: req.store)
        try await req.audit("update", recordType: "programme_settings", recordID: m.value, municipality: m)
        return req.redirect(to: "/programme/settings?municipality=\(m.value)&notice=deleted")
    }

    package func deletePhase(req: Request) async throws -> Response {
        try await delete(req, LadderPhase.self, "phaseID") { $0.$municipality.id }
    }
    package func deleteMeasure(req: Request) async throws -> Response {
        try await delete(req, CatalogueMeasure.self, "measureID") { $0.$municipality.id }
    }

    /// Moves a participant to a phase of the municipality's ladder.
    package func setPhase(req: Request) async throws -> Response {
        let id = try req.pathID("personID")
        let (p, part) = try await ProgrammeService.existing(req.context, id)
        let position = try Validate.formInt(try req.content.get(String?.self, at: "phase"), "phase")
        if let position {
            guard
                try await LadderPhase.query(on: req.store).filter(\.$municipality.$id == p.$municipality.id).filter(
                    \.$position == position
                ).first() != nil
            else {
                throw ValidationFailure(field: "phase", "programme.invalid.not_a_phase")
            }
        }
        part.ladderPhase = position
        try await part.update(on: req.store)
        try await req.audit(
            "set_phase", recordType: "programme", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return req.redirect(to: "/persons/\(p.id!)/programme?notice=saved")
    }
}
