/// Progress of one municipality's settlement year against the council's decision.
///
/// What counts: persons settled **by agreement with IMDi** with a settlement date in the year. The council decides a
/// number only, and family-reunified persons are not part of that number (IMDi's request letter, see the fact sheet
/// § 5), so they are counted apart. Persons who moved in on their own (not by agreement) are counted apart too.
public struct SettlementProgress: Sendable, Equatable {
    public struct Settled: Sendable, Equatable {
        public var date: LocalDate
        public var byAgreement: Bool
        public var familyReunification: Bool
        public init(date: LocalDate, byAgreement: Bool, familyReunification: Bool) {
            self.date = date
            self.byAgreement = byAgreement
            self.familyReunification = familyReunification
        }
    }

    public var year: Int
    /// The council's decision; nil while not yet decided.
    public var decided: Int?
    /// Settled by agreement, family reunification excluded: what counts against the decision.
    public var counted: Int
    public var familyReunified: Int
    public var notByAgreement: Int
    /// Persons still to settle, never below zero; nil without a decision.
    public var remaining: Int? { decided.map { max(0, $0 - counted) } }
    /// Counted persons per month, January first.
    public var monthly: [Int]
    /// Family-reunified persons per month.
    public var monthlyFamily: [Int]
    /// Counted persons up to and including each month.
    public var cumulative: [Int] {
        var total = 0
        return monthly.map {
            total += $0
            return total
        }
    }

    /// How many persons settled in one month with the same two facts: what an aggregate query returns.
    public struct Group: Sendable, Equatable {
        public var month: Int
        public var byAgreement: Bool
        public var familyReunification: Bool
        public var count: Int
        public init(month: Int, byAgreement: Bool, familyReunification: Bool, count: Int) {
            self.month = month
            self.byAgreement = byAgreement
            self.familyReunification = familyReunification
            self.count = count
        }
    }

    public init(year: Int, decided: Int?, settlements: [Settled]) {
        self.init(
            year: year, decided: decided,
            groups: settlements.filter { $0.date.year == year }.map {
                Group(
                    month: $0.date.month, byAgreement: $0.byAgreement, familyReunification: $0.familyReunification,
                    count: 1)
            })
    }

    /// From counts per month and kind (the year's settlements grouped in the database). Months outside 1…12 are
    /// ignored.
    public init(year: Int, decided: Int?, groups: [Group]) {
        self.year = year
        self.decided = decided
        var monthly = Array(repeating: 0, count: 12)
        var family = Array(repeating: 0, count: 12)
        var other = 0
        for g in groups where (1...12).contains(g.month) {
            if g.familyReunification {
                family[g.month - 1] += g.count
            } else if g.byAgreement {
                monthly[g.month - 1] += g.count
            } else {
                other += g.count
            }
        }
        self.monthly = monthly
        self.monthlyFamily = family
        self.counted = monthly.reduce(0, +)
        self.familyReunified = family.reduce(0, +)
        self.notByAgreement = other
    }
}
