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
}

extension GrantsPanel {
    /// The panel for `p` in `lang`. The household on file decides whether the person was settled alone and whether
    /// a minor is unaccompanied (no one aged 18 or more in the household in the settlement year).
    package static func load(_ ctx: ServiceContext, _ p: Person, lang: String) async throws -> GrantsPanel {
        let tr = ctx.app.translations
        var panel = GrantsPanel(
            id: p.id!, unknownFields: [], notCovered: nil, categoryKey: nil, familyYears: nil, years: [], totalOre: 0,
            anyMissing: false)
        switch GrantRules.eligibility(
            ground: p.residenceGround, settledByAgreement: p.settledByAgreement,
            referenceGround: p.referenceResidenceGround)
        {
        case .triggers: break
        case .none(let reason):
            panel.notCovered = "grant.not_covered.\(reason)"
            return panel
        case .unknown(let field): panel.unknownFields.append("field.\(field)")
        }
        var family: GrantPerson.FamilyImmigration? = nil
        if p.residenceGround == .familyReunification {
            if p.referenceSettlementDate == nil { panel.unknownFields.append("field.referencePerson.settlementDate") }
            if p.familyApplicationDate == nil { panel.unknownFields.append("field.familyApplicationDate") }
            if let ref = p.referenceSettlementDate, let applied = p.familyApplicationDate {
                family = .init(
                    referenceSettlementDate: ref, applicationDate: applied,
                    referenceHumanitarian: p.referenceResidenceGround == .humanitarian)
            }
        }
        guard let settled = p.settlementDate else {
            panel.unknownFields.append("field.settlementDate")
            return panel
        }
        guard panel.unknownFields.isEmpty else { return panel }

        let others: [Person]
        if let hid = p.$household.id {
            others = try await Person.query(on: ctx.db).filter(\.$household.$id == hid).filter(\.$id != p.id!).all()
        } else {
            others = []
        }
        // The year-1 rule counts adults by the calendar year they turn 18 (IMDi 2015).
        func adult(_ birth: LocalDate) -> Bool { settled.year - birth.year >= 18 }
        let minor = !adult(p.birthDate) && p.$household.id != nil && !others.contains { adult($0.birthDate) }
        let person = GrantPerson(
            birthDate: p.birthDate, settlementDate: settled, settledAlone: others.isEmpty,
            unaccompaniedMinor: minor, knownDisability: false, familyImmigration: family)
        panel.categoryKey = GrantRules.yearOneCategory(person).labelKey
        panel.familyYears = family.flatMap { _ in GrantRules.integrationYears(person)?.upperBound }

        let rules = try await GrantRateStore.rules(ctx.app, on: ctx.db)
        let norwegian = ctx.app.rulesEngine.evaluate(p.facts, asOf: ctx.today).norwegianTraining.category
        let hasRight = norwegian == .rightAndDuty || norwegian == .rightOnly
        let last = max(settled.year + 4, minor ? p.birthDate.year + 20 : 0)
        for year in settled.year...last {
            let r = rules.year(person, year)
            var missing = r.missingRates
            var lines = r.lines
            if let n = rules.norwegianPersonGrant(
                hasRight: hasRight, citizenship: p.citizenship, settlementDate: settled, year: year, missing: &missing)
            {
                lines.append(n)
            }
            let when = year < ctx.today.year ? "past" : year == ctx.today.year ? "current" : "coming"
            let total = lines.reduce(0) { $0 + $1.amountOre }
            panel.years.append(
                Year(
                    year: year, integrationYear: r.integrationYear,
                    lines: lines.map { l in
                        Line(
                            scheme: tr.text(l.scheme.labelKey, lang),
                            category: tr.text("grant.category.\(l.category)", lang), amountOre: l.amountOre,
                            reference: l.reference)
                    }, totalOre: total, missing: missing.map { Self.missingLabel($0, tr, lang) }, when: when))
            panel.totalOre += total
            panel.anyMissing = panel.anyMissing || !missing.isEmpty
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
        let panel = try await GrantsPanel.load(req.context, p, lang: req.language)
        return try await req.section("Economy/section-grants", panel)
    }
}
