import Foundation

/// The state grant schemes that follow a settled person (IMDi tilskudd; facts.md section 4).
public enum GrantScheme: String, Codable, CaseIterable, Sendable {
    case integration, elderly, kindergarten
    case unaccompaniedMinor = "unaccompanied_minor"
    case norwegian
}

/// The integration grant's category: year 1 by who the person is, years 2–5 by the integration year.
public enum IntegrationCategory: String, Codable, CaseIterable, Sendable {
    case singleAdult = "single_adult", adult, child
    case unaccompaniedMinor = "unaccompanied_minor"
    case year2 = "year_2", year3 = "year_3", year4 = "year_4", year5 = "year_5"

    public static let yearOne: [IntegrationCategory] = [.singleAdult, .adult, .child, .unaccompaniedMinor]

    /// The category of integration year 2…5.
    public static func later(_ n: Int) -> IntegrationCategory? {
        [2: .year2, 3: .year3, 4: .year4, 5: .year5][n]
    }
}

/// What the grant rules need to know about a person.
public struct GrantPerson: Sendable, Equatable {
    /// A family immigrant's reference person: when they were first settled, when the family-immigration application
    /// came, and whether the reference person holds a humanitarian permit.
    public struct FamilyImmigration: Sendable, Equatable {
        public var referenceSettlementDate: LocalDate
        public var applicationDate: LocalDate
        public var referenceHumanitarian: Bool

        public init(referenceSettlementDate: LocalDate, applicationDate: LocalDate, referenceHumanitarian: Bool) {
            self.referenceSettlementDate = referenceSettlementDate
            self.applicationDate = applicationDate
            self.referenceHumanitarian = referenceHumanitarian
        }
    }

    public var birthDate: LocalDate
    public var settlementDate: LocalDate
    /// Settled as a household of one adult (the year-1 single-adult rate).
    public var settledAlone: Bool
    public var unaccompaniedMinor: Bool
    /// A serious, known disability from before settlement: the disability grants may be applied for.
    public var knownDisability: Bool
    /// Nil when the person is not a family immigrant.
    public var familyImmigration: FamilyImmigration?

    public init(
        birthDate: LocalDate, settlementDate: LocalDate, settledAlone: Bool, unaccompaniedMinor: Bool,
        knownDisability: Bool, familyImmigration: FamilyImmigration? = nil
    ) {
        self.birthDate = birthDate
        self.settlementDate = settlementDate
        self.settledAlone = settledAlone
        self.unaccompaniedMinor = unaccompaniedMinor
        self.knownDisability = knownDisability
        self.familyImmigration = familyImmigration
    }
}

/// One amount a person brings in a payment year, with the rule and rate behind it.
public struct GrantLine: Codable, Sendable, Equatable {
    public var scheme: GrantScheme
    /// The integration grant's `IntegrationCategory`; `up_to_16`, `from_17` or `flat` for the unaccompanied minors'
    /// grant; `one_off` for the elderly and kindergarten grants; `low_year_n` / `high_year_n` for Norwegian.
    public var category: String
    public var amountOre: Int
    /// The rule and the rate's source.
    public var reference: String

    public init(scheme: GrantScheme, category: String, amountOre: Int, reference: String) {
        self.scheme = scheme
        self.category = category
        self.amountOre = amountOre
        self.reference = reference
    }
}

/// A deadline the grants give the municipality.
public struct GrantDeadline: Codable, Sendable, Equatable {
    public static let disabilityApplication = "disability_grant_application"

    public var kind: String
    public var due: LocalDate
    /// The grant year (counted from the settlement date) the application is for.
    public var grantYear: Int

    public init(kind: String, due: LocalDate, grantYear: Int) {
        self.kind = kind
        self.due = due
        self.grantYear = grantYear
    }
}

/// What one person brings in one payment year.
public struct GrantYear: Sendable, Equatable {
    public var year: Int
    /// Payment year − settlement year + 1, also when nothing is due (0 or less before, 6 and more after).
    public var integrationYear: Int
    public var lines: [GrantLine]
    public var deadlines: [GrantDeadline]
    /// The rates the rules needed and the year's table does not have ("integration.year_2", "elderly" …).
    public var missingRates: [String]

    public var totalOre: Int { lines.reduce(0) { $0 + $1.amountOre } }
}

/// The grant rules, pure and driven by the dated rate tables.
public struct GrantRules: Sendable {
    public let tables: GrantRateTables

    public init(tables: GrantRateTables) { self.tables = tables }

    /// The integration years a person triggers the grant for.
    ///
    /// Integreringstilskudd covers the settlement year and the next four (5 years), a family immigrant of a person
    /// with humanitarian residence only 3; a family immigrant triggers nothing when the application came more than
    /// 5 years after the reference person's first settlement (IMDi's circular on integreringstilskudd, facts.md 2.4
    /// and 4.1 [S37][S38]).
    public static func integrationYears(_ p: GrantPerson) -> ClosedRange<Int>? {
        guard let f = p.familyImmigration else { return 1...5 }
        if f.referenceSettlementDate.adding(years: 5) < f.applicationDate { return nil }
        return f.referenceHumanitarian ? 1...3 : 1...5
    }

    /// The year-1 category. An unaccompanied minor has their own rate; a person counts as an adult from the calendar
    /// year they turn 18 ("Personer regnes som voksne fra og med det året de fyller 18 år", IMDi 2015, Elverum seed
    /// 4.5), settled alone as a single adult, else as an adult in a family; everyone else as a child.
    public static func yearOneCategory(_ p: GrantPerson) -> IntegrationCategory {
        if p.unaccompaniedMinor { return .unaccompaniedMinor }
        let adult = p.settlementDate.year - p.birthDate.year >= 18
        if adult { return p.settledAlone ? .singleAdult : .adult }
        return .child
    }

    /// Applications for disability grant 2 (and grant 1 with the first): the first, for grant year 1 or 2, is due
    /// 14 months after the settlement date; each later one 2 months after its grant year has passed; month ends are
    /// clamped (IMDi's rules for tilskudd 1 and 2, facts.md 4.2 [S65]). A grant year runs from the settlement date.
    public static func disabilityDeadlines(_ p: GrantPerson) -> [GrantDeadline] {
        guard p.knownDisability else { return [] }
        return (1...5).map { k in
            GrantDeadline(
                kind: GrantDeadline.disabilityApplication, due: p.settlementDate.adding(months: 12 * k + 2),
                grantYear: k)
        }
    }

    /// Every line the person brings in payment `year`, the application deadlines, and the rates the year's table
    /// lacks. The Norwegian training grant needs the right under § 27 and is asked for separately
    /// (`norwegianPersonGrant`).
    public func year(_ p: GrantPerson, _ year: Int) -> GrantYear {
        let n = year - p.settlementDate.year + 1
        let table = tables[year]
        var lines: [GrantLine] = []
        var missing: [String] = []

        func add(_ scheme: GrantScheme, _ category: String, _ rate: GrantRate?, _ missingName: String, _ rule: String) {
            guard let rate else {
                missing.append(missingName)
                return
            }
            lines.append(
                GrantLine(
                    scheme: scheme, category: category, amountOre: rate.ore, reference: "\(rule) — \(rate.reference)"))
        }

        if let years = Self.integrationYears(p), years.contains(n) {
            if n == 1 {
                let c = Self.yearOneCategory(p)
                add(
                    .integration, c.rawValue, table?.integrationYear1[c.rawValue], "integration.\(c.rawValue)",
                    "Integreringstilskudd år 1, \(c.rawValue)")
                // The one-off grants are part of the integration grant and follow its eligibility (facts.md 4.1).
                let age = p.birthDate.age(on: p.settlementDate)
                if age >= 60 {
                    add(
                        .elderly, "one_off", table?.elderly, "elderly", "Eldretilskudd: 60 år eller eldre ved bosetting"
                    )
                }
                if (0...5).contains(age) {
                    add(
                        .kindergarten, "one_off", table?.kindergarten, "kindergarten",
                        "Barnehagetilskudd: 0–5 år ved bosetting")
                }
            } else if let c = IntegrationCategory.later(n) {
                add(
                    .integration, c.rawValue, table?.integrationLaterYears[String(n)], "integration.\(c.rawValue)",
                    "Integreringstilskudd år \(n)")
            }
        }

        // Særskilt tilskudd for enslige mindreårige: every year from the settlement year through the year the person
        // turns 20, by the table's age bands where it has them (facts.md 4.3 [S67][S66]).
        if p.unaccompaniedMinor, year >= p.settlementDate.year, year <= p.birthDate.year + 20 {
            let ageInYear = year - p.birthDate.year
            let rule = "Særskilt tilskudd enslige mindreårige"
            if let t = table, t.unaccompaniedMinorThrough16 != nil || t.unaccompaniedMinorFrom17 != nil {
                if ageInYear <= 16 {
                    add(
                        .unaccompaniedMinor, "up_to_16", t.unaccompaniedMinorThrough16, "unaccompanied_minor.up_to_16",
                        "\(rule), til og med året personen fyller 16")
                } else {
                    add(
                        .unaccompaniedMinor, "from_17", t.unaccompaniedMinorFrom17, "unaccompanied_minor.from_17",
                        "\(rule), fra året personen fyller 17")
                }
            } else {
                add(.unaccompaniedMinor, "flat", table?.unaccompaniedMinorFlat, "unaccompanied_minor", rule)
            }
        }
        return GrantYear(
            year: year, integrationYear: n, lines: lines, deadlines: Self.disabilityDeadlines(p), missingRates: missing)
    }

    /// The Norwegian training per-person grant in payment `year` for a person with the right to training under
    /// integreringsloven § 27 (aged 18–67): grant years 1–3 counted from the settlement year, the high rate unless
    /// the citizenship is on the year's low-rate list (IMDi rundskriv 4/2015, Elverum seed 4.6; facts.md 4.4 [S26]).
    /// Returns nil outside grant years 1–3 or without the right; a missing rate is named in `missing`.
    public func norwegianPersonGrant(
        hasRight: Bool, citizenship: String?, settlementDate: LocalDate, year: Int, missing: inout [String]
    ) -> GrantLine? {
        let n = year - settlementDate.year + 1
        guard hasRight, (1...3).contains(n) else { return nil }
        guard let rates = tables[year]?.norwegian else {
            missing.append("norwegian.person_year_\(n)")
            return nil
        }
        let low = citizenship.map { rates.lowRateCountries.contains($0.uppercased()) } ?? false
        let group = low ? "low" : "high"
        guard let rate = (low ? rates.personLow : rates.personHigh)[String(n)] else {
            missing.append("norwegian.\(group)_year_\(n)")
            return nil
        }
        return GrantLine(
            scheme: .norwegian, category: "\(group)_year_\(n)", amountOre: rate.ore,
            reference: "Persontilskudd norsk og samfunnskunnskap år \(n), \(group == "low" ? "lav" : "høy") sats — "
                + rate.reference)
    }

    /// The Norwegian training base grant in payment `year` for a municipality with `persons` in the target group,
    /// by the table's bands (facts.md 4.4 [S66]). Nil when no band covers the number; `missing` names an absent table.
    public func norwegianBaseGrant(persons: Int, year: Int, missing: inout [String]) -> GrantLine? {
        guard persons > 0 else { return nil }
        guard let bands = tables[year]?.norwegian?.base, !bands.isEmpty else {
            missing.append("norwegian.base")
            return nil
        }
        guard
            let band = bands.first(where: { persons >= $0.fromPersons && persons <= ($0.toPersons ?? Int.max) })
        else { return nil }
        return GrantLine(
            scheme: .norwegian, category: "base", amountOre: band.rate.ore,
            reference: "Grunntilskudd norsk og samfunnskunnskap — \(band.rate.reference)")
    }
}

/// Whether a person's permit triggers the integration grant at all.
public enum GrantEligibility: Equatable, Sendable {
    case triggers
    /// The permit does not: the reason as a translation key's last part.
    case none(String)
    /// A fact the rule needs is not on file (the field's name).
    case unknown(String)
}

extension GrantRules {
    /// Refugees, resettlement refugees, humanitarian and collective protection, independent-ground permits, limited
    /// permits when settled by agreement, and family immigrants of these trigger the integration grant; a family
    /// member of a Norwegian or Nordic citizen, or of a person who came by family immigration, and labour, study
    /// and other permits do not (IMDi's circular on integreringstilskudd, facts.md 4.1 [S37][S38][S39]).
    public static func eligibility(
        ground: PersonFacts.ResidenceGround, settledByAgreement: Bool?, referenceGround: PersonFacts.ResidenceGround?
    ) -> GrantEligibility {
        switch ground {
        case .refugee, .resettlementRefugee, .humanitarian, .collectiveProtection, .independentGround:
            return .triggers
        case .limitedPermit:
            guard let agreed = settledByAgreement else { return .unknown("settledByAgreement") }
            return agreed ? .triggers : .none("limited_without_agreement")
        case .familyReunification:
            guard let reference = referenceGround else { return .unknown("referencePerson.residenceGround") }
            switch reference {
            case .refugee, .resettlementRefugee, .humanitarian, .collectiveProtection, .independentGround,
                .limitedPermit:
                return .triggers
            case .familyReunification: return .none("reference_family_immigrant")
            default: return .none("reference_not_covered")
            }
        case .familyOfNorwegian: return .none("family_of_norwegian")
        case .labourNonEEA, .labourEEA, .student, .other: return .none("ground_not_covered")
        }
    }
}
