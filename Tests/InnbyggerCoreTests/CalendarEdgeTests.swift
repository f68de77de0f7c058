import Testing

@testable import InnbyggerCore

/// Date arithmetic never traps (issue #30: 9999-12 in a request stopped the process): it saturates at the calendar's
/// ends, the edge refuses dates outside 1900–2200, and the rules run on every edge date.
@Suite("Calendar edges")
struct CalendarEdgeTests {
    static let edges = [
        LocalDate.earliest, d("1899-12-31"), d("1900-01-01"), d("2024-02-29"), d("2200-12-31"), d("2201-01-01"),
        d("9998-12-31"), d("9999-12-01"), LocalDate.latest,
    ]
    static let steps = [0, 1, -1, 31, -31, 366, -366, 3_652_059, -3_652_059, Int.max, Int.min, Int.max / 12 + 1]

    @Test("Every day of the calendar round-trips through its day number (every 97th day, and both ends)")
    func roundTrip() {
        var n = LocalDate.earliest.dayNumber
        while n <= LocalDate.latest.dayNumber {
            let date = LocalDate(dayNumber: n)
            #expect(date.dayNumber == n, "\(n)")
            #expect(LocalDate(year: date.year, month: date.month, day: date.day) == date)
            n += 97
        }
        #expect(LocalDate(dayNumber: LocalDate.latest.dayNumber) == .latest)
        #expect(LocalDate(dayNumber: LocalDate.earliest.dayNumber) == .earliest)
    }

    @Test("Adding days, months or years saturates at the calendar's ends instead of trapping", arguments: edges)
    func saturates(_ date: LocalDate) {
        for n in Self.steps {
            let days = date.adding(days: n)
            let months = date.adding(months: n)
            let years = date.adding(years: n)
            for r in [days, months, years] {
                #expect(r >= .earliest && r <= .latest)
                #expect(LocalDate(year: r.year, month: r.month, day: r.day) == r)
            }
            if n > 0 {
                #expect(days >= date && months >= date && years >= date)
            } else if n < 0 {
                #expect(days <= date && months <= date && years <= date)
            }
        }
        #expect(date.adding(days: Int.max) == .latest)
        #expect(date.adding(days: Int.min) == .earliest)
        #expect(date.adding(years: 10_000) == .latest)
        #expect(date.adding(months: -120_000) == .earliest)
        #expect(YearMonth(date).lastDay.adding(days: 1) > date || date.adding(days: 1) == .latest)
    }

    @Test(
        "A form or request gives dates from 01.01.1900 to 31.12.2200 only",
        arguments: [
            ("1900-01-01", true), ("2200-12-31", true), ("01.01.1900", true), ("31.12.2200", true),
            ("1899-12-31", false), ("2201-01-01", false), ("0001-01-01", false), ("9999-12-31", false),
            ("10000-01-01", false), ("31.12.9999", false), ("2025-02-29", false), ("", false),
        ])
    func input(_ text: String, _ accepted: Bool) {
        #expect((LocalDate(input: text) != nil) == accepted)
    }

    @Test(
        "A month from a form or request lies from 1900-01 to 2200-12",
        arguments: [
            ("1900-01", true), ("2200-12", true), ("2026-11", true), ("1899-12", false), ("2201-01", false),
            ("9999-12", false), ("0001-01", false), ("10000-01", false), ("2026-13", false),
        ])
    func inputMonth(_ text: String, _ accepted: Bool) {
        #expect((YearMonth(input: text) != nil) == accepted)
    }

    @Test("Built from an outside year, a date is clamped to the calendar")
    func clamped() {
        #expect(LocalDate.clamped(year: 10_004, month: 12, day: 31) == .latest)
        #expect(LocalDate.clamped(year: -5, month: 0, day: 0) == .earliest)
        #expect(LocalDate.clamped(year: 2025, month: 2, day: 31) == d("2025-02-28"))
        #expect(IndicatorPeriod.year(Int.max).to == .latest)
    }

    @Test("The rules engine evaluates a person on every edge date, as of every edge date", arguments: edges)
    func rulesOnEdges(_ date: LocalDate) {
        let engine = RulesEngine(parameters: shippedParameters)
        for asOf in Self.edges {
            let facts = PersonFacts(
                birthDate: min(date, asOf), citizenship: "SY", residenceGround: .refugee, permitDate: date,
                arrivalDate: date, settlementDate: date, settledByAgreement: true, educationLevel: .upperSecondary,
                referencePerson: .init(residenceGround: .refugee, settlementDate: date),
                familyApplicationDate: date, municipality: "3420")
            let e = engine.evaluate(facts, asOf: asOf)
            #expect(e.deadlines.allSatisfy { $0.due >= .earliest && $0.due <= .latest })
        }
    }
}
