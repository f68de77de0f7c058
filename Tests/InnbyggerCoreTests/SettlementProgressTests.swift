import Testing

@testable import InnbyggerCore

@Suite("SettlementProgress")
struct SettlementProgressTests {
    static func settled(_ iso: String, agreement: Bool = true, family: Bool = false) -> SettlementProgress.Settled {
        .init(date: LocalDate(iso: iso)!, byAgreement: agreement, familyReunification: family)
    }

    @Test func countsOnlyAgreementSettlementsOfTheYear() {
        let p = SettlementProgress(
            year: 2026, decided: 10,
            settlements: [
                Self.settled("2026-01-15"), Self.settled("2026-01-31"), Self.settled("2026-03-01"),
                Self.settled("2026-03-02", family: true),  // family reunification: apart
                Self.settled("2026-04-10", agreement: false),  // moved on their own: apart
                Self.settled("2025-12-31"), Self.settled("2027-01-01"),  // other years: ignored
            ])
        #expect(p.counted == 3)
        #expect(p.familyReunified == 1)
        #expect(p.notByAgreement == 1)
        #expect(p.remaining == 7)
        #expect(p.monthly == [2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(p.monthlyFamily[2] == 1)
        #expect(p.cumulative == [2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    }

    @Test func remainingNeverNegativeAndUnknownWithoutDecision() {
        let over = SettlementProgress(
            year: 2026, decided: 1, settlements: [Self.settled("2026-05-01"), Self.settled("2026-12-31")])
        #expect(over.remaining == 0)
        #expect(over.monthly[11] == 1)
        let undecided = SettlementProgress(year: 2026, decided: nil, settlements: [Self.settled("2026-05-01")])
        #expect(undecided.remaining == nil)
        #expect(undecided.counted == 1)
    }
}
