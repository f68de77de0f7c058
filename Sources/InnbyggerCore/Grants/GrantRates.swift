import Foundation

/// One rate of a grant scheme, in whole kroner as IMDi and the Storting publish it, with where it was found.
public struct GrantRate: Codable, Sendable, Equatable {
    public var kroner: Int
    public var reference: String

    public init(kroner: Int, reference: String) {
        self.kroner = kroner
        self.reference = reference
    }

    /// The rate in øre: every amount the grant rules return is in whole øre.
    public var ore: Int { kroner * 100 }
}

/// The Norwegian training grant's rates of one payment year (integreringsloven § 45 and IMDi's yearly circular):
/// the base grant by the number of persons in the target group, the per-person grant by grant year for the low
/// and the high country group, and the countries of the low group.
public struct NorwegianGrantRates: Codable, Sendable, Equatable {
    /// A band of the base grant: from `fromPersons` through `toPersons` (open above when nil).
    public struct BaseBand: Codable, Sendable, Equatable {
        public var fromPersons: Int
        public var toPersons: Int?
        public var rate: GrantRate

        public init(fromPersons: Int, toPersons: Int?, rate: GrantRate) {
            self.fromPersons = fromPersons
            self.toPersons = toPersons
            self.rate = rate
        }
    }

    public var base: [BaseBand]
    /// Per-person rates by grant year ("1", "2", "3").
    public var personLow: [String: GrantRate]
    public var personHigh: [String: GrantRate]
    /// ISO 3166 alpha-2 codes of the citizenships that get the low rate (Western Europe, North America, Australia
    /// and New Zealand in the 2015 circular); every other citizenship gets the high rate.
    public var lowRateCountries: [String]
    public var lowRateReference: String

    public init(
        base: [BaseBand], personLow: [String: GrantRate], personHigh: [String: GrantRate], lowRateCountries: [String],
        lowRateReference: String
    ) {
        self.base = base
        self.personLow = personLow
        self.personHigh = personHigh
        self.lowRateCountries = lowRateCountries
        self.lowRateReference = lowRateReference
    }
}

/// Every rate of one payment year, each with its source. A rate that is not known for the year is absent (nil or
/// missing from its map), and the rules report it as missing rather than count it as zero.
public struct GrantRateTable: Codable, Sendable, Equatable {
    public var year: Int
    /// Where the table as a whole comes from (the year's circulars, the budget decision).
    public var reference: String
    /// Integration grant year 1 by category: `single_adult`, `adult`, `child`, `unaccompanied_minor`.
    public var integrationYear1: [String: GrantRate]
    /// Integration grant years 2–5, by integration year ("2" … "5").
    public var integrationLaterYears: [String: GrantRate]
    public var elderly: GrantRate?
    public var kindergarten: GrantRate?
    /// The unaccompanied minors' special grant: one flat rate, or two age bands (through the year one turns 16,
    /// from the year one turns 17) where the table has them.
    public var unaccompaniedMinorFlat: GrantRate?
    public var unaccompaniedMinorThrough16: GrantRate?
    public var unaccompaniedMinorFrom17: GrantRate?
    /// Disability grant 1 (one-off) and the most grant 2 can be per year; both are applied for.
    public var disability1: GrantRate?
    public var disability2Max: GrantRate?
    public var norwegian: NorwegianGrantRates?

    public init(
        year: Int, reference: String, integrationYear1: [String: GrantRate] = [:],
        integrationLaterYears: [String: GrantRate] = [:], elderly: GrantRate? = nil, kindergarten: GrantRate? = nil,
        unaccompaniedMinorFlat: GrantRate? = nil, unaccompaniedMinorThrough16: GrantRate? = nil,
        unaccompaniedMinorFrom17: GrantRate? = nil, disability1: GrantRate? = nil, disability2Max: GrantRate? = nil,
        norwegian: NorwegianGrantRates? = nil
    ) {
        self.year = year
        self.reference = reference
        self.integrationYear1 = integrationYear1
        self.integrationLaterYears = integrationLaterYears
        self.elderly = elderly
        self.kindergarten = kindergarten
        self.unaccompaniedMinorFlat = unaccompaniedMinorFlat
        self.unaccompaniedMinorThrough16 = unaccompaniedMinorThrough16
        self.unaccompaniedMinorFrom17 = unaccompaniedMinorFrom17
        self.disability1 = disability1
        self.disability2Max = disability2Max
        self.norwegian = norwegian
    }

    private enum CodingKeys: String, CodingKey {
        case year, reference, integrationYear1, integrationLaterYears, elderly, kindergarten
        case unaccompaniedMinorFlat, unaccompaniedMinorThrough16, unaccompaniedMinorFrom17
        case disability1, disability2Max, norwegian
    }

    /// A table names only the rates found for its year; the rest are absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        year = try c.decode(Int.self, forKey: .year)
        reference = try c.decode(String.self, forKey: .reference)
        integrationYear1 = try c.decodeIfPresent([String: GrantRate].self, forKey: .integrationYear1) ?? [:]
        integrationLaterYears = try c.decodeIfPresent([String: GrantRate].self, forKey: .integrationLaterYears) ?? [:]
        elderly = try c.decodeIfPresent(GrantRate.self, forKey: .elderly)
        kindergarten = try c.decodeIfPresent(GrantRate.self, forKey: .kindergarten)
        unaccompaniedMinorFlat = try c.decodeIfPresent(GrantRate.self, forKey: .unaccompaniedMinorFlat)
        unaccompaniedMinorThrough16 = try c.decodeIfPresent(GrantRate.self, forKey: .unaccompaniedMinorThrough16)
        unaccompaniedMinorFrom17 = try c.decodeIfPresent(GrantRate.self, forKey: .unaccompaniedMinorFrom17)
        disability1 = try c.decodeIfPresent(GrantRate.self, forKey: .disability1)
        disability2Max = try c.decodeIfPresent(GrantRate.self, forKey: .disability2Max)
        norwegian = try c.decodeIfPresent(NorwegianGrantRates.self, forKey: .norwegian)
    }

    /// Checks what a decoder cannot: a sensible year, no negative rate, a source on every rate.
    public func problems() -> [String] {
        var out: [String] = []
        if !(1990...2100).contains(year) { out.append("year \(year) is outside 1990–2100") }
        var rates: [(String, GrantRate)] = integrationYear1.map { ("integrationYear1.\($0.key)", $0.value) }
        rates += integrationLaterYears.map { ("integrationLaterYears.\($0.key)", $0.value) }
        let single: [(String, GrantRate?)] = [
            ("elderly", elderly), ("kindergarten", kindergarten), ("unaccompaniedMinorFlat", unaccompaniedMinorFlat),
            ("unaccompaniedMinorThrough16", unaccompaniedMinorThrough16),
            ("unaccompaniedMinorFrom17", unaccompaniedMinorFrom17), ("disability1", disability1),
            ("disability2Max", disability2Max),
        ]
        rates += single.compactMap { name, rate in rate.map { (name, $0) } }
        if let n = norwegian {
            rates += n.base.map { ("norwegian.base.\($0.fromPersons)", $0.rate) }
            rates += n.personLow.map { ("norwegian.personLow.\($0.key)", $0.value) }
            rates += n.personHigh.map { ("norwegian.personHigh.\($0.key)", $0.value) }
        }
        for (name, rate) in rates.sorted(by: { $0.0 < $1.0 }) {
            if rate.kroner < 0 { out.append("\(name) is negative") }
            if rate.reference.trimmingCharacters(in: .whitespaces).isEmpty { out.append("\(name) has no source") }
        }
        let keys1 = Set(integrationYear1.keys).subtracting(IntegrationCategory.yearOne.map(\.rawValue))
        out += keys1.sorted().map { "integrationYear1.\($0) is not a category" }
        let keysLater = Set(integrationLaterYears.keys).subtracting(["2", "3", "4", "5"])
        out += keysLater.sorted().map { "integrationLaterYears.\($0) is not a year 2–5" }
        return out
    }
}

/// The shipped rate tables (`Resources/Parameters/grants.json`) and any an administrator added, by payment year.
public struct GrantRateTables: Sendable {
    public private(set) var byYear: [Int: GrantRateTable]

    public init(_ tables: [GrantRateTable]) {
        var map: [Int: GrantRateTable] = [:]
        // A later table for the same year (an administrator's) replaces an earlier one (the shipped file's).
        for t in tables { map[t.year] = t }
        byYear = map
    }

    public subscript(year: Int) -> GrantRateTable? { byYear[year] }

    public var years: [Int] { byYear.keys.sorted() }

    private struct File: Decodable { var tables: [GrantRateTable] }

    /// Reads the tables of the shipped file; a table with a problem stops the start with its year named.
    public static func load(from url: URL) throws -> GrantRateTables {
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        for t in file.tables {
            let p = t.problems()
            if !p.isEmpty { throw GrantTableError(year: t.year, problems: p) }
        }
        return GrantRateTables(file.tables)
    }
}

public struct GrantTableError: Error, CustomStringConvertible, Sendable {
    public var year: Int
    public var problems: [String]
    public var description: String { "grant table \(year): " + problems.joined(separator: "; ") }
}
