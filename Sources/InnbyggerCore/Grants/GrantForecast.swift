import Foundation

/// Who the arrivals of a coming year are, as shares in per mille of the persons settled: the categories the grant
/// rules price differently. The shares need not add up to 1 000 (a rounding of observed figures); the forecast uses
/// each as given.
public struct ArrivalComposition: Codable, Sendable, Equatable {
    /// Adults settled alone (the year-1 single-adult rate).
    public var singleAdults: Int
    /// Adults in a family, under 60.
    public var adultsInFamilies: Int
    /// Adults of 60 or more (the elderly grant on top of the adult rate).
    public var elderly: Int
    /// Children aged 0–5 (the kindergarten grant on top of the child rate).
    public var childrenUnder6: Int
    /// Children aged 6–17.
    public var children6to17: Int
    /// Unaccompanied minors (their year-1 rate and the special grant).
    public var unaccompaniedMinors: Int

    public init(
        singleAdults: Int, adultsInFamilies: Int, elderly: Int, childrenUnder6: Int, children6to17: Int,
        unaccompaniedMinors: Int
    ) {
        self.singleAdults = singleAdults
        self.adultsInFamilies = adultsInFamilies
        self.elderly = elderly
        self.childrenUnder6 = childrenUnder6
        self.children6to17 = children6to17
        self.unaccompaniedMinors = unaccompaniedMinors
    }

    public var total: Int {
        singleAdults + adultsInFamilies + elderly + childrenUnder6 + children6to17 + unaccompaniedMinors
    }

    /// The shares of the persons counted, in per mille, rounded; all zero when there is no one.
    public static func observed(_ counts: ArrivalComposition) -> ArrivalComposition {
        let n = counts.total
        guard n > 0 else { return counts }
        func share(_ c: Int) -> Int { (c * 1000 + n / 2) / n }
        return ArrivalComposition(
            singleAdults: share(counts.singleAdults), adultsInFamilies: share(counts.adultsInFamilies),
            elderly: share(counts.elderly), childrenUnder6: share(counts.childrenUnder6),
            children6to17: share(counts.children6to17), unaccompaniedMinors: share(counts.unaccompaniedMinors))
    }
}

/// The grant income a municipality can expect over coming years: what the persons already settled bring by the
/// rules, and what the arrivals of each coming year would bring by their composition.
///
/// A year without a rate table is priced with the latest table before it that has the rate, and says so: the
/// Storting sets next year's rates in the autumn budget, so a forecast beyond it assumes today's (facts.md 4.1:
/// "load the table from IMDi each year").
public struct GrantForecast: Sendable {
    public struct Cell: Sendable, Equatable {
        public var scheme: GrantScheme
        public var year: Int
        /// From the persons in the files.
        public var existingOre: Int
        /// From the coming arrivals.
        public var arrivalsOre: Int
        public var totalOre: Int { existingOre + arrivalsOre }

        public init(scheme: GrantScheme, year: Int, existingOre: Int, arrivalsOre: Int) {
            self.scheme = scheme
            self.year = year
            self.existingOre = existingOre
            self.arrivalsOre = arrivalsOre
        }
    }

    public let rules: GrantRules
    /// The years priced with an earlier year's rates, and with which.
    public private(set) var assumedRates: [Int: Int] = [:]

    /// `rules` with every year from the first table to `last` filled: a year without a table takes the latest
    /// earlier table's rates (each one where it has it).
    public init(rules: GrantRules, through last: Int) {
        var tables = rules.tables.byYear
        var assumed: [Int: Int] = [:]
        if let first = tables.keys.min(), first <= last {
            var carry: GrantRateTable? = nil
            var carryYear = first
            for y in first...last {
                if let t = tables[y] {
                    carry = carry.map { Self.fill(t, from: $0) } ?? t
                    carryYear = y
                } else if var c = carry {
                    c.year = y
                    tables[y] = c
                    assumed[y] = carryYear
                }
            }
        }
        self.rules = GrantRules(tables: GrantRateTables(Array(tables.values)))
        assumedRates = assumed
    }

    /// `newer` with the rates it lacks taken from `older`, so that a table found in part (2024) still prices the
    /// years it has no figure for with the last figure known.
    static func fill(_ newer: GrantRateTable, from older: GrantRateTable) -> GrantRateTable {
        var t = newer
        t.integrationYear1.merge(older.integrationYear1) { mine, _ in mine }
        t.integrationLaterYears.merge(older.integrationLaterYears) { mine, _ in mine }
        t.elderly = t.elderly ?? older.elderly
        t.kindergarten = t.kindergarten ?? older.kindergarten
        if t.unaccompaniedMinorFlat == nil && t.unaccompaniedMinorThrough16 == nil && t.unaccompaniedMinorFrom17 == nil
        {
            t.unaccompaniedMinorFlat = older.unaccompaniedMinorFlat
            t.unaccompaniedMinorThrough16 = older.unaccompaniedMinorThrough16
            t.unaccompaniedMinorFrom17 = older.unaccompaniedMinorFrom17
        }
        t.disability1 = t.disability1 ?? older.disability1
        t.disability2Max = t.disability2Max ?? older.disability2Max
        t.norwegian = t.norwegian ?? older.norwegian
        return t
    }

    /// A model person of each category arriving on 1 July of `year`: adults 30 (elderly 65), children 3 and 10,
    /// unaccompanied minors 16. The ages decide only which rates apply, so the day within the year does not matter
    /// for the year-1 rules, and 16 puts an unaccompanied minor's special grant in the "through 16" band in year 1
    /// and "from 17" after.
    static func model(_ category: WritableKeyPath<ArrivalComposition, Int>, arriving year: Int) -> GrantPerson {
        let settled = LocalDate.clamped(year: year, month: 7, day: 1)
        func born(_ age: Int) -> LocalDate { .clamped(year: year - age, month: 1, day: 1) }
        switch category {
        case \.singleAdults:
            return GrantPerson(
                birthDate: born(30), settlementDate: settled, settledAlone: true, unaccompaniedMinor: false,
                knownDisability: false)
        case \.elderly:
            return GrantPerson(
                birthDate: born(65), settlementDate: settled, settledAlone: false, unaccompaniedMinor: false,
                knownDisability: false)
        case \.childrenUnder6:
            return GrantPerson(
                birthDate: born(3), settlementDate: settled, settledAlone: false, unaccompaniedMinor: false,
                knownDisability: false)
        case \.children6to17:
            return GrantPerson(
                birthDate: born(10), settlementDate: settled, settledAlone: false, unaccompaniedMinor: false,
                knownDisability: false)
        case \.unaccompaniedMinors:
            return GrantPerson(
                birthDate: born(16), settlementDate: settled, settledAlone: false, unaccompaniedMinor: true,
                knownDisability: false)
        default:
            return GrantPerson(
                birthDate: born(30), settlementDate: settled, settledAlone: false, unaccompaniedMinor: false,
                knownDisability: false)
        }
    }

    // Key paths are immutable values; the compiler only lacks their Sendable conformance.
    nonisolated(unsafe) static let categories: [WritableKeyPath<ArrivalComposition, Int>] = [
        \.singleAdults, \.adultsInFamilies, \.elderly, \.childrenUnder6, \.children6to17, \.unaccompaniedMinors,
    ]

    /// The forecast for `years` (from the first): the settled persons' lines by the rules, and for each coming
    /// year's `arrivals` (persons) the model persons of `composition`, each category's amount × persons × share /
    /// 1 000, rounded to whole øre once per cell. Lines whose rate no table has are left out and named in `missing`.
    public func forecast(
        years: ClosedRange<Int>, existing: [GrantPerson], arrivals: [Int: Int], composition: ArrivalComposition,
        missing: inout Set<String>
    ) -> [Cell] {
        var existingOre: [GrantScheme: [Int: Int]] = [:]
        for p in existing {
            for y in years {
                let r = rules.year(p, y)
                for l in r.lines { existingOre[l.scheme, default: [:]][y, default: 0] += l.amountOre }
                missing.formUnion(r.missingRates)
            }
        }
        // Arrivals: amounts in øre × persons × per mille, summed exactly before one rounding per cell.
        var arrivalThousandths: [GrantScheme: [Int: Int]] = [:]
        for (arrivalYear, persons) in arrivals where persons > 0 {
            for c in Self.categories where composition[keyPath: c] > 0 {
                let model = Self.model(c, arriving: arrivalYear)
                for y in years where y >= arrivalYear {
                    let r = rules.year(model, y)
                    missing.formUnion(r.missingRates)
                    for l in r.lines {
                        arrivalThousandths[l.scheme, default: [:]][y, default: 0] +=
                            l.amountOre * persons * composition[keyPath: c]
                    }
                }
            }
        }
        var out: [Cell] = []
        for s in GrantScheme.allCases {
            for y in years {
                let e = existingOre[s]?[y] ?? 0
                let a = ((arrivalThousandths[s]?[y] ?? 0) + 500) / 1000
                if e != 0 || a != 0 { out.append(Cell(scheme: s, year: y, existingOre: e, arrivalsOre: a)) }
            }
        }
        return out
    }
}
