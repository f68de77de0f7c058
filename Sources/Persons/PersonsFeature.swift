import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Person and household files: the lists, the person page (which lists the features' sections), the forms, sharing
/// with partners, and the import of files from a spreadsheet or another system.
package struct PersonsFeature: Feature {
    package init() {}

    package let id = "persons"
    package var vocabulary: [any Labelled.Type] { [ImportJob.Status.self] }

    package var migrations: [any Migration] { [CreateImportJobs()] }

    package var personSections: [any PersonSection] {
        [
            IdentitySection(), ContactSection(), BackgroundSection(), ResidenceSection(), HouseholdMembershipSection(),
            SharingSection(),
        ]
    }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: PersonsController())
        try routes.uploads.register(collection: ImportController())
        try routes.api.register(collection: PersonsAPIController())
        try routes.api.register(collection: ImportAPIController())
    }

    /// The person page, for the features whose section forms re-show it with their problem.
    package func configure(_ app: Application) throws {
        app.personPageRenderer = { req, id in try await PersonsController().page(req, id) }
    }

    /// An import cut off by a stop is reconciled with what it stored.
    package func start(_ app: Application) async throws {
        try await ImportService.closeInterrupted(app)
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        var out: [NavEntry] = []
        if try await !req.municipalities(where: .list, { .personalDataList(municipality: $0) }).isEmpty {
            out.append(NavEntry(order: 300, href: "/persons", key: "nav.persons"))
            out.append(NavEntry(order: 400, href: "/households", key: "nav.households"))
        }
        if try await !req.municipalities(where: .create, { .personalData(municipality: $0, sharedWith: []) }).isEmpty {
            out.append(NavEntry(order: 510, href: "/import", key: "nav.import"))
        }
        return out
    }
}
