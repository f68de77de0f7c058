import Fluent
import Vapor

/// What one feature contributes to the application.
///
/// The composition root's `Features.all` is generated from the features list in Package.swift (the FeatureList
/// plugin); configuration, routes, the menu, the person page, the demo, the commands, the templates and the
/// translation loader go through it and name no feature's types. Every member has a default of "nothing", so a
/// feature states only what it has. Adding a feature is a new folder under `Sources/` and its name in that list (see
/// `docs/adding-a-feature.md`).
package protocol Feature: Sendable {
    /// Lower-case name, the feature's identity in logs and lists.
    var id: String { get }
    /// The feature's folder under `Sources/` (its target's name): its templates are in `Views/` there, named
    /// `<folder>/<file>` in `req.page` and `#extend`, and its strings in `Translations/<lang>.json`.
    var folder: String { get }
    /// The feature's own enumerations that pages name (`Labelled`): every value's name must be in every language.
    var vocabulary: [any Labelled.Type] { get }
    /// Schema changes in the order they run: after the kernel's, and after those of the features listed before.
    var migrations: [any Migration] { get }
    /// Reads the feature's parameter files and sets up its services, once at start.
    func configure(_ app: Application) throws
    /// Registers the feature's pages and API operations.
    func routes(_ routes: FeatureRoutes) throws
    /// Menu entries the user may follow (checked against the policy); the menu sorts them by `order`.
    func navigation(_ req: Request) async throws -> [NavEntry]
    /// Sections of the person page, each loading its own data behind its own policy check.
    var personSections: [any PersonSection] { get }
    /// Buttons at the top of the person page that lead to the feature's own pages for the person.
    func personLinks(_ req: Request, _ person: Person) -> [PersonLink]
    /// What deleting a person file removes from the feature's records, one line each in the request's language
    /// ("12 journalnotater"), shown on the confirmation step.
    func deletionLosses(_ req: Request, _ person: Person) async throws -> [String]
    /// Sections of the household page, like the person page's.
    var householdSections: [any HouseholdSection] { get }
    /// Panels of the start page (the leader's dashboard: figures without names), each behind its own policy check.
    var startPanels: [any StartPanel] { get }
    /// Tables of the worklist with what falls due in the feature's own records (the legal deadlines are the
    /// worklist's own).
    var deadlineSources: [any DeadlineSource] { get }
    /// Facts in the feature's records that meet the rules' deadlines (see `DeadlineFacts`).
    var deadlineFacts: [any DeadlineFacts] { get }
    /// Tables the feature derives from each file for its lists and aggregates, kept current on write and daily.
    var derivedTables: [any DerivedTable] { get }
    /// Computed indicators for the municipal plan (`IndicatorDefinition`).
    var indicators: [any IndicatorDefinition] { get }
    /// Parameter tables of the feature that need a new entry today (the G after its yearly change), for the
    /// administrator's parameter page.
    func parameterWarnings(_ req: Request) -> [ParameterWarning]
    /// Lines of the start page's "what needs doing", from the feature's own records, behind its own policy check.
    func workItems(_ req: Request) async throws -> [WorkItem]
    /// Demo records, loaded in the order of the features into an empty database, after the kernel's demo.
    func seedDemo(_ demo: DemoContext) async throws
    /// Rows of the bench's synthetic dataset (`innbygger bench-data`), added in the order of the features after the
    /// kernel's persons and households, by multi-row inserts (`BenchContext.table`).
    func seedBench(_ bench: BenchContext) async throws
    /// `innbygger <name>` commands.
    var commands: [(name: String, command: any AsyncCommand)] { get }
    /// Runs once the database is migrated (and the demo loaded), before the server takes requests.
    func start(_ app: Application) async throws
}

extension Feature {
    /// The module the feature's type lives in, which is its target and folder.
    package var folder: String { String(String(reflecting: Self.self).prefix { $0 != "." }) }
    package var vocabulary: [any Labelled.Type] { [] }
    package var migrations: [any Migration] { [] }
    package func configure(_ app: Application) throws {}
    package func routes(_ routes: FeatureRoutes) throws {}
    package func navigation(_ req: Request) async throws -> [NavEntry] { [] }
    package var personSections: [any PersonSection] { [] }
    package func personLinks(_ req: Request, _ person: Person) -> [PersonLink] { [] }
    package func deletionLosses(_ req: Request, _ person: Person) async throws -> [String] { [] }
    package var householdSections: [any HouseholdSection] { [] }
    package var startPanels: [any StartPanel] { [] }
    package var deadlineSources: [any DeadlineSource] { [] }
    package var deadlineFacts: [any DeadlineFacts] { [] }
    package var derivedTables: [any DerivedTable] { [] }
    package var indicators: [any IndicatorDefinition] { [] }
    package func workItems(_ req: Request) async throws -> [WorkItem] { [] }
    package func parameterWarnings(_ req: Request) -> [ParameterWarning] { [] }
    package func seedDemo(_ demo: DemoContext) async throws {}
    package func seedBench(_ bench: BenchContext) async throws {}
    package var commands: [(name: String, command: any AsyncCommand)] { [] }
    package func start(_ app: Application) async throws {}
}

/// Where a feature registers routes. The groups carry authentication and CSRF; what a user may do on a record is
/// decided in the handlers (`req.authorize`) and, for writes, first by `gated(_:_:)`.
package struct FeatureRoutes {
    /// Without any authentication: health checks and metrics.
    package let root: any RoutesBuilder
    /// Browser routes that need no login (the login form, the language switch); the session is read if present.
    package let open: any RoutesBuilder
    /// Signed-in pages: session cookie, then CSRF on every state-changing request.
    package let pages: any RoutesBuilder
    /// Signed-in pages that upload a file: the CSRF check reads the larger body the route allows.
    package let uploads: any RoutesBuilder
    /// The JSON API under `/api/v1`: bearer tokens only, so no CSRF surface.
    package let api: any RoutesBuilder

    package init(
        root: any RoutesBuilder, open: any RoutesBuilder, pages: any RoutesBuilder, uploads: any RoutesBuilder,
        api: any RoutesBuilder
    ) {
        self.root = root
        self.open = open
        self.pages = pages
        self.uploads = uploads
        self.api = api
    }
}

/// One line of the start page's "what needs doing": how many for the persons the user follows (nil when the line
/// has no "mine", as for the service's answers to IMDi) and for all the user may see, with where to act.
package struct WorkItem: Encodable, Sendable {
    package var order: Int
    /// The text, in the request's language ("Kartlegging over fristen").
    package var label: String
    package var mine: Int?
    package var all: Int
    package var href: String
    package var hrefMine: String?
    /// Overdue or due within the day: shown as urgent.
    package var urgent: Bool

    package init(
        order: Int, label: String, mine: Int?, all: Int, href: String, hrefMine: String? = nil, urgent: Bool
    ) {
        self.order = order
        self.label = label
        self.mine = mine
        self.all = all
        self.href = href
        self.hrefMine = hrefMine
        self.urgent = urgent
    }
}

/// One menu entry. `order` keeps the menu stable whatever the order of the features list.
package struct NavEntry: Sendable {
    package var order: Int
    package var href: String
    package var key: String

    package init(order: Int, href: String, key: String) {
        self.order = order
        self.href = href
        self.key = key
    }
}

/// A button on the person page to another page about the same person.
package struct PersonLink: Encodable, Sendable {
    package var order: Int
    package var href: String
    package var key: String

    package init(order: Int, href: String, key: String) {
        self.order = order
        self.href = href
        self.key = key
    }
}

/// One section of the person page. It loads what it shows and renders its own partial; nil when there is nothing
/// to show. The person page only lists sections, and renders one only for a user whom the table in
/// `docs/privacy.md` lets read it (`ServiceContext.mayRead(section:of:)`); a section narrows further by itself
/// (rows of other sectors, notes not shared).
package protocol PersonSection: Sendable {
    /// The section's row in `docs/privacy.md`, and its name in the page's `data-section`.
    var id: String { get }
    /// Position on the page, lower first; the person's own sections (identity 0 … household 40, sharing 800) leave
    /// room between them.
    var order: Int { get }
    func render(_ req: Request, _ person: Person) async throws -> String?
}

extension Request {
    /// The features' sections of the person page that the user may read, in order, each rendered by its feature.
    package func personSections(_ p: Person) async throws -> [String] {
        var out: [String] = []
        for section in application.features.flatMap(\.personSections).sorted(by: { $0.order < $1.order })
        where context.mayRead(section: section.id, of: p) {
            if let html = try await section.render(self, p) { out.append(html) }
        }
        return out
    }
}

/// A panel of the start page (issue #14: the leader's dashboard): the feature's own figures for the user's
/// municipalities, rendered with its own partial behind its own policy check; nil when the user may see none or
/// there is nothing to show. Figures about persons are counts, suppressed for small numbers.
package protocol StartPanel: Sendable {
    /// Position on the page, lower first.
    var order: Int { get }
    func render(_ req: Request) async throws -> String?
}

extension Request {
    /// The features' start-page panels the user may see, in order.
    package func startPanels() async throws -> [String] {
        var out: [String] = []
        for panel in application.features.flatMap(\.startPanels).sorted(by: { $0.order < $1.order }) {
            if let html = try await panel.render(self) { out.append(html) }
        }
        return out
    }
}

/// One section of the household page (see `PersonSection`).
package protocol HouseholdSection: Sendable {
    var order: Int { get }
    func render(_ req: Request, _ household: Household) async throws -> String?
}

/// What the worklist asks every deadline source: the user's filter.
package struct WorklistFilter: Sendable {
    /// A deadline kind asked for; a source whose rows have no kind shows nothing when one is set.
    package var kind: String?
    /// One municipality, or nil for every municipality the user may see.
    package var municipality: String?
    /// Only the persons the user follows as advisor.
    package var mine: Bool

    package init(kind: String? = nil, municipality: String? = nil, mine: Bool) {
        self.kind = kind
        self.municipality = municipality
        self.mine = mine
    }
}

/// A row of a worklist table: who, what, when, how urgent, and where to act on it.
package struct DueRow: Encodable, Sendable {
    package var href: String
    package var name: String
    package var kindKey: String
    package var due: String
    package var status: String
    package var statusKey: String
    package var municipality: String

    package init(
        href: String, name: String, kindKey: String, due: String, status: String, statusKey: String,
        municipality: String
    ) {
        self.href = href
        self.name = name
        self.kindKey = kindKey
        self.due = due
        self.status = status
        self.statusKey = statusKey
        self.municipality = municipality
    }
}

/// Where a feature's own records meet the rules' deadlines: for the persons asked about, the day each kind's fact
/// happened (the programme's steps from the programme record, TB screening from the arrival checklist). A fact is
/// recorded once, where its owner works, and the person page and the worklist read it from there.
package protocol DeadlineFacts: Sendable {
    func dates(for persons: [UUID], on db: any Database) async throws -> [UUID: [DeadlineKind: LocalDate]]
}

/// A table of the worklist, filled by a feature from its own records behind its own policy check.
package protocol DeadlineSource: Sendable {
    /// Names the table (`g-<id>` on the page).
    var id: String { get }
    var titleKey: String { get }
    func due(_ req: Request, _ filter: WorklistFilter) async throws -> [DueRow]
}

package enum Deadlines {
    /// Deadlines due within this many days show as "soon" (the worklist's window and the person page's).
    package static let soonDays = 14
}

extension Request {
    /// Renders a section's partial with the page's layout (language, CSRF token) and the section's data.
    package func section<D: Encodable>(_ template: String, _ data: D) async throws -> String {
        let layout = try await makeLayout(titleKey: "")
        let view = try await self.view.render(template, Page(layout: layout, data: data))
        return String(buffer: view.data)
    }
}

/// What the kernel's demo made, for the features' demo data to build on.
package struct DemoContext {
    package let app: Application
    /// The demo's transaction: the whole demo commits or none of it.
    package let db: any Database
    /// Demo users by username.
    package let users: [String: UUID]
    /// The demo households' persons, by the household's position in the demo's list.
    package let households: [(index: Int, members: [Person])]

    package init(
        app: Application, db: any Database, users: [String: UUID], households: [(index: Int, members: [Person])]
    ) {
        self.app = app
        self.db = db
        self.users = users
        self.households = households
    }
}

package struct FeaturesKey: StorageKey { package typealias Value = [any Feature] }

extension Application {
    /// The features of this application, as the composition root listed them.
    package var features: [any Feature] {
        get { storage[FeaturesKey.self] ?? [] }
        set { storage[FeaturesKey.self] = newValue }
    }
}

/// One grant scheme's year for a municipality: the persons it is expected for, what the rules expect, and what was
/// received (øre).
package struct GrantYearLine: Sendable, Equatable {
    package var labelKey: String
    package var persons: Int
    package var expectedOre: Int
    package var receivedOre: Int

    package init(labelKey: String, persons: Int, expectedOre: Int, receivedOre: Int) {
        self.labelKey = labelKey
        self.persons = persons
        self.expectedOre = expectedOre
        self.receivedOre = receivedOre
    }
}

/// Facts one feature keeps and others show, asked for by person without knowing the owner's tables. The owner sets
/// them in its `configure`; without it they answer "nothing" (a feature that is not installed keeps no facts).
package struct SharedFacts: Sendable {
    /// IMDi's proposals waiting for a dwelling (answered yes or still assessed, not yet arrived; only those still
    /// assessed when `assessedOnly`, as a partner reads them) in the municipalities, soonest expected arrival first,
    /// `offset`/`limit` a page of them, with how many there are; kept by the settlement feature for the housing queue.
    package var housingQueue:
        @Sendable ([Kommunenummer], _ assessedOnly: Bool, _ offset: Int, _ limit: Int, any Database) async throws -> (
            [IncomingNeed], Int
        ) = { _, _, _, _, _ in ([], 0) }
    /// One proposal as the housing allocation sees it; nil when there is none (or no settlement feature).
    package var incomingNeed: @Sendable (UUID, any Database) async throws -> IncomingNeed? = { _, _ in nil }
    /// Notes on the proposal that a dwelling is reserved for it (its housing assessment: "ok" while the assessment
    /// is open), in the caller's write, authorized and audited by the settlement feature.
    package var dwellingReserved: @Sendable (ServiceContext, UUID, String) async throws -> Void = { _, _, _ in }
    /// For IMDi's proposal: the rooms it needs and how many dwellings with that many are free or being prepared in
    /// its municipality, kept by the housing feature for the settlement assessment; nil without the housing feature
    /// or for a reader who does not work with the dwellings.
    package var housingCapacity: @Sendable (ServiceContext, UUID) async throws -> HousingCapacity? = { _, _ in nil }
    /// The Norwegian level per skill that a person's introduction programme aims at (integreringsloven § 15).
    /// A municipality's grants of a year per scheme, kept by the economy feature; nil when it is not installed (the
    /// plan's yearly report then has no grants section).
    package var grantYear: @Sendable (Kommunenummer, Int, any Database) async throws -> [GrantYearLine]? = {
        _, _, _ in nil
    }
    package var norwegianTargets: @Sendable ([UUID], any Database) async throws -> [UUID: [String: String]] = {
        _, _ in [:]
    }
    /// The persons in a municipality whose introduction programme had started before a day.
    package var startedParticipants: @Sendable (Kommunenummer, LocalDate, any Database) async throws -> [UUID] = {
        _, _, _ in []
    }
    /// The council's settlement decision per year for a municipality (persons; IMDi's request where no decision
    /// is recorded yet), kept by the settlement feature: the grant forecast's arrivals.
    package var settlementPlans: @Sendable (Kommunenummer, any Database) async throws -> [Int: SettlementPlanFigure] = {
        _, _ in [:]
    }
    /// A municipality's own caseload norm (participants per programme advisor) and its source, kept by the
    /// programme feature: the settlement scenarios' advisor need.
    package var caseloadNorm: @Sendable (Kommunenummer, any Database) async throws -> (Int, String)? = { _, _ in nil }
    /// The day each of the persons moved away, as far as the service knows it (the programme ended because the
    /// participant moved), kept by the programme feature: the grant ledger's "moved" cause.
    package var movedOut: @Sendable ([UUID], any Database) async throws -> [UUID: LocalDate] = { _, _ in [:] }
    /// The language and work practice measures in each person's programme plan, kept by the programme feature: a
    /// work placement links to the measure of its kind, so the programme's hours and attendance stay one truth.
    package var practiceMeasures: @Sendable ([UUID], any Database) async throws -> [UUID: [PracticeMeasure]] = {
        _, _ in [:]
    }
    /// The final goal of each person's programme, kept by the programme feature: work placements match on it.
    package var programmeGoals: @Sendable ([UUID], any Database) async throws -> [UUID: FinalGoal] = { _, _ in [:] }
    /// A person's language and work practice placements that have ended, with their outcome (continued as a job,
    /// extended, ended), newest first, kept by the work feature: the programme's ending reads them (issue #15).
    package var practiceOutcomes: @Sendable (UUID, any Database) async throws -> [PracticeOutcome] = { _, _ in [] }

    package init() {}
}

/// A year's settlement figure: the number of persons and whether the council decided it (else it is IMDi's
/// request).
package struct SettlementPlanFigure: Sendable, Equatable {
    package var persons: Int
    package var decided: Bool

    package init(persons: Int, decided: Bool) {
        self.persons = persons
        self.decided = decided
    }
}

struct SharedFactsKey: StorageKey { typealias Value = SharedFacts }

extension Application {
    package var sharedFacts: SharedFacts {
        get { storage[SharedFactsKey.self] ?? SharedFacts() }
        set { storage[SharedFactsKey.self] = newValue }
    }
}

/// A form inside a person-page section that was refused: which form, the field, the message in the page's language
/// and what was typed, so the section shows it again with the message next to the field.
package struct SectionProblem: Sendable {
    package var form: String
    package var field: String?
    package var message: String
    package var posted: [String: String]

    package init(form: String, field: String?, message: String, posted: [String: String]) {
        self.form = form
        self.field = field
        self.message = message
        self.posted = posted
    }
}

private struct SectionProblemKey: StorageKey { typealias Value = SectionProblem }
private struct PersonPageKey: StorageKey {
    typealias Value = @Sendable (Request, UUID) async throws -> View
}

extension Request {
    /// The refused section form of this request, if any (see `SectionProblem`).
    package var sectionProblem: SectionProblem? {
        get { storage[SectionProblemKey.self] }
        set { storage[SectionProblemKey.self] = newValue }
    }

    /// Re-shows the person page with a section form's problem (400): a section form never ends on a bare error page.
    package func personPage(_ personID: UUID, problem: SectionProblem) async throws -> Response {
        guard let render = application.storage[PersonPageKey.self] else { throw Abort(.badRequest) }
        sectionProblem = problem
        return try await render(self, personID).reshown(self)
    }
}

extension Application {
    /// How the person page is rendered; the feature that owns the page sets it in its `configure`.
    package var personPageRenderer: (@Sendable (Request, UUID) async throws -> View)? {
        get { storage[PersonPageKey.self] }
        set { storage[PersonPageKey.self] = newValue }
    }
}
