import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The start page and the aggregate reports (no names: leaders and politicians see these).
package struct OverviewController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("reports", use: reports)
    }

    package struct HomeView: Encodable {
        package struct Card: Encodable {
            var href: String
            var titleKey: String
            var textKey: String
        }
        package var displayName: String
        /// What needs doing: from every feature, for the user's own persons and for the service.
        package var work: [WorkItem]
        /// The features' panels (the dashboard), rendered.
        package var panels: [String]
        package var cards: [Card]
    }

    package func home(req: Request) async throws -> View {
        let user = try req.requireUser()
        let layout = try await req.makeLayout(titleKey: "home.title")
        let cards = layout.nav.filter { $0.href != "/" }.map {
            HomeView.Card(href: $0.href, titleKey: $0.key, textKey: $0.key + ".text")
        }
        var work: [WorkItem] = []
        for feature in req.application.features { work += try await feature.workItems(req) }
        work.sort { ($0.order, $0.label) < ($1.order, $1.label) }
        return try await req.view.render(
            "Overview/home",
            Page(
                layout: layout,
                data: HomeView(
                    displayName: user.displayName, work: work, panels: try await req.startPanels(), cards: cards)))
    }

    package func reports(req: Request) async throws -> View {
        let stats = try await Statistics.overview(req.context)
        return try await req.page("Overview/reports", titleKey: "reports.title", stats)
    }
}

/// Counts per municipality, with small numbers suppressed by the one rule for every figure leaders see
/// (`DisclosureControl`): counts under the threshold are hidden, and so are the figures that would give them away
/// through a sum (persons by residence ground and persons by citizenship both add up to the persons shown).
package struct Statistics: Content {
    package struct Count: Content {
        package var key: String
        /// Absent when suppressed.
        package var count: Int?
        package var suppressed: Bool

        init(key: String, _ shown: DisclosureControl.Shown) {
            self.key = key
            count = shown.value
            suppressed = shown.isSuppressed
        }
    }
    package struct MunicipalityStats: Content {
        package var code: String
        package var name: String
        package var persons: Count
        package var households: Count
        package var byResidenceGround: [Count]
        package var byCitizenship: [Count]
    }
    package var municipalities: [MunicipalityStats]
    package var disclosureThreshold: Int

    package static func overview(_ ctx: ServiceContext) async throws -> Statistics {
        let codes = try await ctx.municipalities(where: .read) { .aggregates(municipality: $0) }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let control = ctx.app.disclosure
        let names = try await ctx.municipalityNames()
        // Counted by the database, one GROUP BY per breakdown over all the municipalities (issue #12): no file is
        // read, and the cost does not grow with the number of persons.
        struct Group: Decodable {
            var municipality: String
            var key: String
            var n: Int
        }
        let sql = ctx.db as! any SQLDatabase
        let values = codes.map(\.value)
        func grouped(_ column: String, _ table: String) async throws -> [String: [String: Int]] {
            var out: [String: [String: Int]] = [:]
            let rows = try await sql.raw(
                """
                SELECT municipality, \(ident: column) AS key, COUNT(*) AS n FROM \(ident: table)
                WHERE municipality IN (\(binds: values)) GROUP BY municipality, \(ident: column)
                """
            ).all(decoding: Group.self)
            for r in rows { out[r.municipality, default: [:]][r.key] = r.n }
            return out
        }
        let groundsBy = try await grouped("residence_ground", Person.schema)
        let citizenshipsBy = try await grouped("citizenship", Person.schema)
        // Households by municipality: the key column is the municipality itself.
        let householdsBy = try await grouped("municipality", Household.schema)
        var out: [MunicipalityStats] = []
        for code in codes {
            let grounds = (groundsBy[code.value] ?? [:]).sorted { $0.key < $1.key }
            let citizenships = (citizenshipsBy[code.value] ?? [:]).sorted { $0.key < $1.key }
            let households = householdsBy[code.value]?[code.value] ?? 0
            var table = DisclosureTable()
            let total = table.cell(grounds.map(\.value).reduce(0, +))
            let householdCell = table.cell(households)
            let groundCells = grounds.map { table.cell($0.value) }
            let citizenshipCells = citizenships.map { table.cell($0.value) }
            table.sum(groundCells, is: total)
            table.sum(citizenshipCells, is: total)
            let shown = control.suppress(table)
            // Largest first; the suppressed last, by code, so that their place says nothing of their size.
            let byCitizenship = zip(citizenships, citizenshipCells).map { Count(key: $0.key, shown.shown($1)) }
            let shownFirst =
                byCitizenship.filter { !$0.suppressed }.sorted { ($1.count!, $0.key) < ($0.count!, $1.key) }
                + byCitizenship.filter(\.suppressed)
            out.append(
                MunicipalityStats(
                    code: code.value, name: names[code] ?? code.value,
                    persons: Count(key: "persons", shown.shown(total)),
                    households: Count(key: "households", shown.shown(householdCell)),
                    byResidenceGround: zip(grounds, groundCells).map { Count(key: $0.key, shown.shown($1)) },
                    byCitizenship: shownFirst))
        }
        return Statistics(municipalities: out, disclosureThreshold: control.threshold)
    }
}

/// Small API resources that hold no personal data about residents.
package struct MetaAPIController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.get("me", use: me)
        routes.get("municipalities", use: municipalities)
        routes.get("statistics", "overview") { req in try await Statistics.overview(req.context) }
    }

    package struct Me: Content {
        package struct RoleDTO: Content {
            var role: String
            var municipalities: [String]?
            var allMunicipalities: Bool
        }
        package var id: UUID
        package var username: String
        package var displayName: String
        package var roles: [RoleDTO]
    }

    package func me(req: Request) async throws -> Me {
        let u = try req.requireUser()
        try await req.authorize(.read, .ownAccount)
        return Me(
            id: u.id, username: u.username, displayName: u.displayName,
            roles: u.principal.grants.map {
                switch $0.scope {
                case .all: Me.RoleDTO(role: $0.role.rawValue, municipalities: nil, allMunicipalities: true)
                case .municipalities(let s):
                    Me.RoleDTO(
                        role: $0.role.rawValue, municipalities: s.sorted().map(\.value), allMunicipalities: false)
                }
            })
    }

    package struct MunicipalityDTO: Content {
        var code: String
        var name: String
        var county: String
    }

    package func municipalities(req: Request) async throws -> [MunicipalityDTO] {
        _ = try req.requireUser()
        return try await req.allMunicipalities().map { .init(code: $0.id!.value, name: $0.name, county: $0.county) }
    }
}
