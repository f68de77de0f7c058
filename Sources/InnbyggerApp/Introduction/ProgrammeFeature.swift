import Fluent
import Vapor

/// The introduction programme (integreringsloven kap. 4): mapping, decision, plan, measures, attendance, benefit and
/// payouts, reviews, ending and outcomes; the municipality's lists and settings.
struct ProgrammeFeature: Feature {
    let id = "programme"

    var migrations: [any Migration] {
        [CreateProgramme(), CreateProgrammeSettings(), CreateBenefitDeductions(), AddAttendanceMeasure()]
    }

    func configure(_ app: Application) throws {
        do {
            app.programmeParameters = try ProgrammeParameters.load(
                from: URL(fileURLWithPath: app.directory.resourcesDirectory + "Parameters/programme.json"))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/programme.json: \(error)")
        }
    }

    func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: ProgrammeController())
        try routes.pages.register(collection: ProgrammeSettingsController())
        try routes.api.register(collection: ProgrammeAPIController())
    }

    func navigation(_ req: Request) async throws -> [NavEntry] {
        guard try await !req.municipalities(where: .list, { .programme(municipality: $0) }).isEmpty else { return [] }
        return [NavEntry(order: 500, href: "/programme", key: "nav.programme")]
    }

    func personLinks(_ req: Request, _ person: Person) -> [PersonLink] {
        guard req.may(.read, .programme(municipality: person.$municipality.id)) else { return [] }
        return [PersonLink(order: 20, href: "/persons/\(person.id!)/programme", key: "persons.programme")]
    }

    func seedDemo(_ demo: DemoContext) async throws {
        try await DemoProgramme.load(on: demo.db, parameters: demo.app.programmeParameters, users: demo.users)
    }
}

/// Norwegian and social studies training (integreringsloven kap. 6): the right and duty, hours, tests and exemptions.
struct NorwegianFeature: Feature {
    let id = "norwegian"

    var migrations: [any Migration] { [CreateNorwegianTraining()] }

    func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: NorwegianController())
        try routes.api.register(collection: NorwegianAPIController())
    }

    func personLinks(_ req: Request, _ person: Person) -> [PersonLink] {
        guard req.may(.read, NorwegianService.part(person)) else { return [] }
        return [PersonLink(order: 10, href: "/persons/\(person.id!)/norwegian", key: "persons.norwegian")]
    }

    func seedDemo(_ demo: DemoContext) async throws {
        try await DemoProgramme.norwegian(on: demo.db)
    }
}
