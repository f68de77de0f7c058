import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `GET /api/v1/economy/grants`: the grant ledger of a municipality and year as JSON, on the same queries as the
/// page: per scheme for every reader of the municipality's aggregates, per person (paged) for the integration
/// service.
package struct EconomyAPIController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("economy", "grants", use: grants)
    }

    package struct Ledger: Content {
        package struct Scheme: Content {
            var scheme: String
            var persons: DisclosureControl.Shown
            var expectedOre: Int?
            var receivedOre: Int?
            var differenceOre: Int?
            var missingRates: Int
        }
        package struct PersonLine: Content {
            var personId: UUID
            var name: String
            var expectedOre: Int
            var receivedOre: Int
            var differenceOre: Int
            var likelyCause: String?
        }
        var municipality: String
        var year: Int
        var schemes: [Scheme]
        var expectedOre: Int?
        var receivedOre: Int?
        var missingRates: Int
        /// Nil for a reader of the sums only.
        var persons: [PersonLine]?
        var total: Int?
        var page: Int?
        var pages: Int?
    }

    package func grants(req: Request) async throws -> Ledger {
        let q = try req.query.decode(LedgerQuery.self)
        let m = try await GrantLedgerPage.load(req.context, q, lang: "en")
        let tr = req.application.translations
        return Ledger(
            municipality: m.municipality, year: m.year,
            schemes: m.schemes.map {
                .init(
                    scheme: $0.scheme, persons: $0.persons, expectedOre: $0.expectedOre, receivedOre: $0.receivedOre,
                    differenceOre: $0.differenceOre, missingRates: $0.missing)
            }, expectedOre: m.expectedOre, receivedOre: m.receivedOre, missingRates: m.missingRates,
            persons: m.showNames
                ? m.rows.map {
                    .init(
                        personId: $0.id, name: $0.name, expectedOre: $0.expectedOre, receivedOre: $0.receivedOre,
                        differenceOre: $0.differenceOre, likelyCause: $0.causeKey.map { tr.text($0, "en") })
                } : nil,
            total: m.showNames ? m.total : nil, page: m.pager?.page, pages: m.pager?.pages)
    }
}
