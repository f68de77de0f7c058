import Foundation

/// An exact fraction `numerator/denominator`, as the law writes its factors (2/3, 1/3, 5/6) and
/// thresholds (1/2, 1/12). Money is never multiplied by a floating-point factor.
public struct Ratio: Sendable, Hashable, Codable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    /// Creates a fraction; nil unless `denominator > 0` and `numerator >= 0`.
    public init?(_ numerator: Int, _ denominator: Int) {
        guard denominator > 0, numerator >= 0 else { return nil }
        self.numerator = numerator
        self.denominator = denominator
    }

    public static let one = Ratio(1, 1)!

    /// The same value in lowest terms: 10/18 → 5/9.
    public var reduced: Ratio {
        let g = Ratio.gcd(numerator, denominator)
        return Ratio(numerator / g, denominator / g)!
    }

    /// The exact product, in lowest terms (5/6 × 2/3 = 5/9).
    public func multiplied(by other: Ratio) -> Ratio {
        // Cross-reduce first so that the products stay small.
        let g1 = Ratio.gcd(numerator, other.denominator)
        let g2 = Ratio.gcd(other.numerator, denominator)
        return Ratio((numerator / g1) * (other.numerator / g2), (denominator / g2) * (other.denominator / g1))!.reduced
    }

    /// "2/3"; a whole factor is "1/1".
    public var description: String { "\(numerator)/\(denominator)" }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (abs(a), abs(b))
        while y != 0 { (x, y) = (y, x % y) }
        return max(x, 1)
    }

    private enum CodingKeys: String, CodingKey { case numerator, denominator }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let n = try c.decode(Int.self, forKey: .numerator)
        let d = try c.decode(Int.self, forKey: .denominator)
        guard let r = Ratio(n, d) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "A ratio needs numerator >= 0 and denominator > 0, got \(n)/\(d)"))
        }
        self = r
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(numerator, forKey: .numerator)
        try c.encode(denominator, forKey: .denominator)
    }
}

/// A bad input to the programme rules, naming the input field, or a parameter that is not in force.
public enum ProgrammeInputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `field` is the name of the input property (e.g. `invalidAbsenceMinutes`); `reason` says what is wrong.
    case invalid(field: String, reason: String)
    /// No value of the parameter `name` is in force on `date` (e.g. no G before 2015-05-01 in the shipped file).
    case missingParameter(name: String, date: LocalDate)

    /// The input field at fault, or nil for a missing parameter.
    public var field: String? {
        if case .invalid(let f, _) = self { return f }
        return nil
    }

    public var description: String {
        switch self {
        case .invalid(let f, let r): "\(f): \(r)"
        case .missingParameter(let n, let d): "no value of \(n) in force on \(d.iso)"
        }
    }
}

/// The number of months an introduction programme may last, for one participant group.
public struct DurationLimits: Sendable, Equatable, Codable {
    /// The shortest ordinary programme; nil when the law sets no minimum (introduksjonsloven: "inntil to år").
    public var minMonths: Int?
    /// The longest ordinary programme.
    public var maxMonths: Int
    /// The most that all extensions together may add.
    public var maxExtensionMonths: Int
    public init(minMonths: Int?, maxMonths: Int, maxExtensionMonths: Int) {
        self.minMonths = minMonths
        self.maxMonths = maxMonths
        self.maxExtensionMonths = maxExtensionMonths
    }
}

/// Every number the introduction-programme rules use (benefit, durations, full time, holiday, follow-up),
/// each dated and sourced. Loaded from `Resources/Parameters/programme.json`; the rule code has no
/// numeric literals of its own.
///
/// Units: G is stored in **whole kroner** (`grunnbelopKroner`), exactly as published, and used as øre (× 100)
/// by the calculators; hours per week are stored in **minutes** (37.5 h = 2250), like absence.
public struct ProgrammeParameters: Codable, Sendable {
    /// Folketrygdens grunnbeløp (G), whole kroner, changing on 1 May.
    public var grunnbelopKroner: Dated<Int>

    /// Introduction benefit (introduksjonsstønad) for one law.
    public struct Benefit: Codable, Sendable {
        /// The full annual rate in G (2 G).
        public var fullRateG: Dated<Int>
        /// Participants younger than this on the month's first day get `youngFactor` (or `youngWithParentsFactor`).
        public var youngAgeLimit: Dated<Int>
        public var youngFactor: Dated<Ratio>
        /// Young participants living with one or both parents. Nil when the law makes no such distinction
        /// (introduksjonsloven: 2/3 whether or not they live with their parents).
        public var youngWithParentsFactor: Dated<Ratio>?
        /// Couples without children where both are participants, multiplied onto the otherwise applicable factor.
        /// Nil when the law has no such rule; an empty list while no in-force date is set.
        public var coupleWithoutChildrenFactor: Dated<Ratio>?
        /// Monthly amount = annual / this (12).
        public var monthsPerYear: Dated<Int>
        /// Hourly amount = annual / this (1850); the deduction for invalid absence is hours × hourly amount.
        public var absenceHourlyDivisor: Dated<Int>
        /// A deduction needs an individual decision when it is at least this share of the payment…
        public var decisionShareOfPayment: Dated<Ratio>
        /// …and at least this share of G.
        public var decisionShareOfG: Dated<Ratio>
    }

    /// Programme durations for one law.
    public struct Durations: Codable, Sendable {
        /// "Under 25" in the grouping by age (integreringsloven § 14); nil where age does not matter
        /// (introduksjonsloven).
        public var youngAgeLimit: Dated<Int>?
        /// Limits by `ProgrammeGroup.rawValue`.
        public var groups: [String: Dated<DurationLimits>]
    }

    public struct Regime: Codable, Sendable {
        public var benefit: Benefit
        public var duration: Durations
        /// Hours of social studies (samfunnskunnskap).
        public var socialStudiesHours: Dated<Int>
    }

    public var integreringsloven: Regime
    public var introduksjonsloven: Regime

    /// Full time: minutes per week without preparation or homework (37.5 h).
    public var fullTimeMinutesPerWeek: Dated<Int>
    /// Full time when elements need substantial self-study (30 h).
    public var fullTimeMinutesPerWeekSelfStudy: Dated<Int>
    /// Holiday in a year-round programme, in working days (5 weeks).
    public var maxHolidayWorkingDays: Dated<Int>
    /// How often the integration plan is reviewed with the participant (local practice).
    public var planReviewIntervalMonths: Dated<Int>
    /// IMDi's recommended Norwegian target per sub-skill, by education level (none, primary, upper_secondary,
    /// higher); the plan starts from it and the advisor adjusts it.
    public var norwegianTargetByEducation: Dated<[String: [String: String]]>?

    /// The recommended target for an education level on a date, or empty when there is none.
    public func norwegianTarget(for education: PersonFacts.EducationLevel?, on date: LocalDate) -> [String: String] {
        guard let e = education else { return [:] }
        return norwegianTargetByEducation?.entry(on: date)?.value[e.rawValue] ?? [:]
    }

    /// The parameters of a law; `undetermined` is an input error.
    public func regime(_ law: LawRegime) throws(ProgrammeInputError) -> Regime {
        switch law {
        case .integreringsloven2021: integreringsloven
        case .introduksjonsloven2003: introduksjonsloven
        case .undetermined: throw .invalid(field: "lawRegime", reason: "the law regime must be known")
        }
    }

    /// G in øre on `date` (the published whole-kroner value × 100).
    public func grunnbelopOre(on date: LocalDate) throws(ProgrammeInputError) -> DatedValue<Int> {
        guard let g = grunnbelopKroner.entry(on: date) else {
            throw .missingParameter(name: "grunnbelopKroner", date: date)
        }
        return DatedValue(from: g.from, value: g.value * 100, reference: g.reference)
    }

    /// The G changes every year on 1 May (shared/domain/facts.md § 3.1). For a month from the first
    /// 1 May after the newest G in the table, the table is behind: the month is computed with an old G until an
    /// administrator adds the new one. Returns the newest G's date then, nil while the table is current.
    public func staleGrunnbelop(for month: YearMonth) -> LocalDate? {
        guard let newest = grunnbelopKroner.entries.last else { return nil }
        var expected = LocalDate.clamped(year: newest.from.year, month: 5, day: 1)
        if expected <= newest.from { expected = expected.adding(years: 1) }
        return month.firstDay >= expected ? newest.from : nil
    }

    public static func load(from url: URL) throws -> ProgrammeParameters {
        let p = try JSONDecoder().decode(ProgrammeParameters.self, from: Data(contentsOf: url))
        try p.validate()
        return p
    }

    /// Refuses values the rules cannot use: non-positive G or divisors, missing duration groups, negative months.
    public func validate() throws(ProgrammeInputError) {
        func positive(_ d: Dated<Int>, _ name: String) throws(ProgrammeInputError) {
            for e in d.entries where e.value <= 0 {
                throw .invalid(field: name, reason: "must be positive (entry from \(e.from.iso))")
            }
        }
        try positive(grunnbelopKroner, "grunnbelopKroner")
        for (name, r) in [("integreringsloven", integreringsloven), ("introduksjonsloven", introduksjonsloven)] {
            try positive(r.benefit.fullRateG, "\(name).benefit.fullRateG")
            try positive(r.benefit.monthsPerYear, "\(name).benefit.monthsPerYear")
            try positive(r.benefit.absenceHourlyDivisor, "\(name).benefit.absenceHourlyDivisor")
            for (key, limits) in r.duration.groups {
                guard ProgrammeGroup(rawValue: key) != nil else {
                    throw .invalid(field: "\(name).duration.groups", reason: "unknown group \(key)")
                }
                for e in limits.entries {
                    let l = e.value
                    if (l.minMonths ?? 0) < 0 || l.maxMonths < (l.minMonths ?? 0) || l.maxExtensionMonths < 0 {
                        throw .invalid(
                            field: "\(name).duration.groups.\(key)",
                            reason: "needs 0 <= minMonths <= maxMonths and maxExtensionMonths >= 0")
                    }
                }
            }
        }
        for g in ProgrammeGroup.allCases {
            let r = g == .introduksjonsloven2003 ? introduksjonsloven : integreringsloven
            if r.duration.groups[g.rawValue] == nil {
                throw .invalid(field: "duration.groups", reason: "missing group \(g.rawValue)")
            }
        }
        if integreringsloven.duration.youngAgeLimit == nil {
            throw .invalid(
                field: "integreringsloven.duration.youngAgeLimit", reason: "required: the 2021 groups depend on age")
        }
    }
}
