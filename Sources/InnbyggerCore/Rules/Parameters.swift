import Foundation

/// One value of a dated parameter: in force from `from` until the next entry's `from`.
public struct DatedValue<Value: Codable & Sendable>: Codable, Sendable {
    public var from: LocalDate
    public var value: Value
    /// Where the value comes from (law, regulation, guide), shown with every result that uses it.
    public var reference: String
    public init(from: LocalDate, value: Value, reference: String) {
        self.from = from
        self.value = value
        self.reference = reference
    }
}

/// A parameter whose value changes over time, e.g. the programme's upper age (55, then 60 when
/// Prop. 81 L (2024–2025) takes effect).
public struct Dated<Value: Codable & Sendable>: Codable, Sendable {
    public var entries: [DatedValue<Value>]
    public init(_ entries: [DatedValue<Value>]) { self.entries = entries.sorted { $0.from < $1.from } }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([DatedValue<Value>].self))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(entries)
    }

    /// The entry in force on `date`, or nil before the first one.
    public func entry(on date: LocalDate) -> DatedValue<Value>? { entries.last { $0.from <= date } }
}

/// Every age limit, period and cut-off the rules use, each dated and sourced. Loaded from
/// `Resources/Parameters/rules.json`; nothing here is a literal in the rules themselves.
public struct RuleParameters: Codable, Sendable {
    /// Integreringsloven applies to permits granted, or arrivals, from this date (LOV-2020-11-06-127).
    public var integrationActFrom: DatedValue<LocalDate>

    public struct Regime: Codable, Sendable {
        public var programmeMinAge: Dated<Int>
        public var programmeMaxAge: Dated<Int>
        /// Years lived in a municipality within which the programme decision must fall.
        public var programmeWindowYears: Dated<Int>
        /// Family immigration counts under § 9 f only if the reference person had lived in a municipality less than
        /// this.
        public var familyReferenceYears: Dated<Int>
        public var norwegianMinAge: Dated<Int>
        /// Upper age for right and duty; above it (up to `norwegianRightOnlyMaxAge`) right only (2003 law).
        public var norwegianMaxAge: Dated<Int>
        public var norwegianRightOnlyMaxAge: Dated<Int>?
        /// Mapping, guidance, decision and start: months after settlement (or claim).
        public var programmeDeadlineMonths: Dated<Int>
        public var norwegianMonthsWithUpperSecondary: Dated<Int>?
        public var norwegianMonthsDefault: Dated<Int>?
        public var norwegianMonthsCollectiveProtection: Dated<Int>?
        public var careerGuidance: Dated<Bool>
    }
    public var integreringsloven: Regime
    public var introduksjonsloven: Regime

    public var tbScreeningDays: Dated<Int>
    public var healthExaminationMonths: Dated<Int>
    public var kindergartenAgeFrom: Dated<Int>
    public var schoolAgeFrom: Dated<Int>
    public var schoolAgeTo: Dated<Int>
    /// Local service levels, by kommunenummer, with a default for municipalities without their own.
    public var kindergartenStartMonths: [String: Dated<Int>]
    public var schoolStartMonths: [String: Dated<Int>]
    /// The settlement year plus this many years (integreringstilskudd).
    public var integrationGrantYears: Dated<Int>
    /// Family of a person with a humanitarian permit triggers a shorter grant period.
    public var integrationGrantYearsHumanitarianFamily: Dated<Int>
    /// Nordic and EEA nationals (ISO 3166 alpha-2) are outside the programme and Norwegian-training duty.
    public var eeaAndNordicCountries: DatedValue<[String]>

    public static func load(from url: URL) throws -> RuleParameters {
        try JSONDecoder().decode(RuleParameters.self, from: Data(contentsOf: url))
    }
}
