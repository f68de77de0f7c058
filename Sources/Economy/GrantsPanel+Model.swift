import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

extension GrantScheme: Labelled { package static var labelPrefix: String { "grant.scheme" } }
extension IntegrationCategory: Labelled { package static var labelPrefix: String { "grant.category" } }

/// What the person page's "Tilskudd" section shows: the grants the person has brought and will bring the
/// municipality, year by year from the settlement year, with the rule and rate behind each line, and what the rules
/// could not price (a rate not found for a year, a fact not on file). Loaded through a service context.
package struct GrantsPanel: Encodable {
    package struct Line: Encodable {
        var scheme: String
        var category: String
        var amountOre: Int
        var reference: String
    }
    package struct Year: Encodable {
        var year: Int
        var integrationYear: Int
        var lines: [Line]
        var totalOre: Int
        var missing: [String]
        /// Before, in or after the service's year.
        var when: String
    }

    package var id: UUID
    /// Why nothing can be computed: a fact not on file, or a permit that does not trigger the grant.
    package var unknownFields: [String]
    package var notCovered: String?
    /// How the person is counted in year 1 ("grant.category.single_adult" …) and why.
    package var categoryKey: String?
    package var familyYears: Int?
    package var years: [Year]
    package var totalOre: Int
    package var anyMissing: Bool
    package var disability: Disability
    /// A refused application: the message and its control (for the summary, `#invalid` and `#fieldError`).
    package var error: String?
    package var errorAnchor: String?
}

/// The disability grants on the grants section: whether a known disability is noted, the applications and the
/// deadlines still open, and the form (for the case workers) with a refused entry's message and what was typed.
package struct Disability: Encodable {
    package struct Application: Encodable {
        var grantKey: String
        var grantYear: Int
        var appliedOn: String
        var amountAppliedOre: Int
        var amountGrantedOre: Int?
        var decisionDate: String?
    }
    package struct Deadline: Encodable {
        var grantYear: Int
        var due: String
        var status: String
        var statusKey: String
    }
    package var known: Bool
    package var canEdit: Bool
    package var applications: [Application]
    package var deadlines: [Deadline]
    package var grants: [Choice]
    package var years: [Choice]
    package var posted: [String: String]

    static func load(
        _ ctx: ServiceContext, _ p: Person, problem: SectionProblem?
    ) async throws -> Disability {
        let known = try await DisabilityCase.query(on: ctx.db).filter(\.$personID == p.id!).first() != nil
        let applied = try await DisabilityApplication.query(on: ctx.db).filter(\.$personID == p.id!)
            .sort(\.$appliedOn).all()
        var deadlines: [Deadline] = []
        if known, let settled = p.settlementDate {
            let done = Set(applied.map(\.grantYear))
            let facts = GrantPerson(
                birthDate: p.birthDate, settlementDate: settled, settledAlone: false, unaccompaniedMinor: false,
                knownDisability: true)
            for d in GrantRules.disabilityDeadlines(facts) where !done.contains(d.grantYear) {
                let status = DeadlineStatus.of(due: d.due, asOf: ctx.today, soonDays: Deadlines.soonDays)
                deadlines.append(
                    Deadline(
                        grantYear: d.grantYear, due: d.due.iso, status: status.rawValue, statusKey: status.labelKey))
            }
        }
        let posted = problem?.posted ?? [:]
        return Disability(
            known: known, canEdit: ctx.may(.create, .grantLedger(municipality: p.$municipality.id)),
            applications: applied.map {
                Application(
                    grantKey: $0.grant.labelKey, grantYear: $0.grantYear, appliedOn: $0.appliedOn.iso,
                    amountAppliedOre: $0.amountAppliedOre, amountGrantedOre: $0.amountGrantedOre,
                    decisionDate: $0.decisionDate?.iso)
            }, deadlines: deadlines,
            grants: DisabilityGrant.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == posted["grant"])
            },
            years: (1...5).map {
                Choice(value: String($0), label: String($0), selected: String($0) == posted["grantYear"])
            }, posted: posted)
    }
}

extension GrantsPanel {
    /// The panel for `p` in `lang`. The household on file decides whether the person was settled alone and whether
    /// a minor is unaccompanied (no one aged 18 or more in the household in the settlement year).
    package static func load(
        _ ctx: ServiceContext, _ p: Person, lang: String, problem: SectionProblem? = nil
    ) async throws -> GrantsPanel {
        let tr = ctx.app.translations
        let problem = problem.flatMap { $0.form == "disability" ? $0 : nil }
        var panel = GrantsPanel(
            id: p.id!, unknownFields: [], notCovered: nil, categoryKey: nil, familyYears: nil, years: [], totalOre: 0,
            anyMissing: false, disability: try await Disability.load(ctx, p, problem: problem),
            error: problem?.message, errorAnchor: problem?.field.map { "d-\($0)" })
        let members = try await GrantFacts.members(of: Set([p.$household.id].compactMap { $0 }), on: ctx.db)
        let others = p.$household.id.map { h in (members[h] ?? []).filter { $0.id != p.id } } ?? []
        let person: GrantPerson
        switch GrantFacts.person(p, others: others) {
        case .success(let gp): person = gp
        case .failure(let e):
            switch e.blocker {
            case .notCovered(let key): panel.notCovered = key
            case .unknown(let fields): panel.unknownFields = fields
            }
            return panel
        }
        panel.categoryKey = GrantRules.yearOneCategory(person).labelKey
        panel.familyYears = person.familyImmigration.flatMap { _ in GrantRules.integrationYears(person)?.upperBound }
        let rules = try await GrantRateStore.rules(ctx.app, on: ctx.db)
        for r in GrantFacts.years(person, p, rules: rules, engine: ctx.app.rulesEngine, today: ctx.today) {
            let when = r.year < ctx.today.year ? "past" : r.year == ctx.today.year ? "current" : "coming"
            panel.years.append(
                Year(
                    year: r.year, integrationYear: r.integrationYear,
                    lines: r.lines.map { l in
                        Line(
                            scheme: tr.text(l.scheme.labelKey, lang),
                            category: tr.text("grant.category.\(l.category)", lang), amountOre: l.amountOre,
                            reference: l.reference)
                    }, totalOre: r.totalOre, missing: r.missingRates.map { Self.missingLabel($0, tr, lang) },
                    when: when))
            panel.totalOre += r.totalOre
            panel.anyMissing = panel.anyMissing || !r.missingRates.isEmpty
        }
        return panel
    }

    /// "integration.year_2" → "Integreringstilskudd, år 2" in the page's language.
    static func missingLabel(_ key: String, _ tr: Translations, _ lang: String) -> String {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        let scheme = tr.text("grant.scheme.\(parts[0])", lang)
        guard parts.count == 2 else { return scheme }
        let category =
            parts[1].hasPrefix("person_year_") ? "year_" + parts[1].dropFirst("person_year_".count) : parts[1]
        return "\(scheme), \(tr.text("grant.category.\(category)", lang))"
    }
}

/// The person page's grants: for the integration service only, by the `grants` row of `docs/privacy.md` (the
/// economy is neither a partner's task nor a leader's per person; leaders see the sums).
package struct GrantsSection: PersonSection {
    package let id = "grants"
    package let order = 300

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        let panel = try await GrantsPanel.load(req.context, p, lang: req.language, problem: req.sectionProblem)
        return try await req.section("Economy/section-grants", panel)
    }
}
