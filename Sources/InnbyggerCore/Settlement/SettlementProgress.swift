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

    public init(year: Int, decided: Int?, settlements: [Settled]) {
        self.year = year
        self.decided = decided
        var monthly = Array(repeating: 0, count: 12)
        var family = Array(repeating: 0, count: 12)
        var other = 0
        for s in settlements where s.date.year == year {
            if s.familyReunification {
                family[s.date.month - 1] += 1
            } else if s.byAgreement {
                monthly[s.date.month - 1] += 1
            } else {
                other += 1
            }
        }
        self.monthly = monthly
        self.monthlyFamily = family
        self.counted = monthly.reduce(0, +)
        self.familyReunified = family.reduce(0, +)
        self.notByAgreement = other
    }
}
