import Foundation
import Testing

@testable import InnbyggerCore

private let params = shippedProgrammeParameters

/// A course decided on 1 March 2026, started 1 April 2026, planned for 24 months; `change` adjusts it.
func course(today: String, _ change: (inout ProgrammeCourse) -> Void = { _ in }) -> ProgrammeCourse {
    var c = ProgrammeCourse(
        lawRegime: .integreringsloven2021, birthDate: d("1990-05-05"), residenceGround: .refugee,
        hasEducationBackground: true, decisionDate: d("2026-03-01"), startDate: d("2026-04-01"),
        planDate: d("2026-04-15"), plannedMonths: 24, parameters: params, today: d(today))
    change(&c)
    return c
}

@Suite("Programme course")
struct ProgrammeCourseTests {
    /// Variations of the course, by name, for the status table.
    static func variant(_ name: String, _ c: inout ProgrammeCourse) {
        switch name {
        case "no decision": c.decisionDate = nil
        case "leave": c.leaves = [.init(from: d("2026-04-20"), to: d("2026-05-10"))]
        case "temporary stop":
            c.stopKind = .temporary
            c.stopDate = d("2026-04-25")
        case "permanent stop":
            c.stopKind = .permanent
            c.stopDate = d("2026-04-25")
        case "ended": c.endDate = d("2026-05-31")
        case "extended": c.extensionMonths = 3
        default: break
        }
    }

    @Test(
        "Where the participant stands",
        arguments: [
            ("2026-03-15", "as decided", "decided"), ("2026-05-01", "as decided", "active"),
            ("2026-02-15", "no decision", "mapping"), ("2026-05-01", "leave", "on_leave"),
            ("2026-05-11", "leave", "active"), ("2026-05-01", "temporary stop", "stopped_temporarily"),
            ("2026-05-01", "permanent stop", "stopped"), ("2026-04-20", "permanent stop", "active"),
            ("2026-06-01", "ended", "ended"), ("2028-04-01", "as decided", "past_planned_end"),
            ("2028-04-01", "extended", "active"),
        ])
    func status(_ today: String, _ variant: String, _ expected: String) {
        #expect(course(today: today) { Self.variant(variant, &$0) }.status.rawValue == expected)
    }

    @Test("The planned end counts the decided months and any extension from the start")
    func plannedEnd() {
        #expect(course(today: "2026-05-01").plannedEnd == d("2028-03-31"))
        #expect(course(today: "2026-05-01") { $0.extensionMonths = 6 }.plannedEnd == d("2028-09-30"))
        #expect(course(today: "2026-05-01") { $0.plannedMonths = nil }.plannedEnd == nil)
    }

    @Test("The next review is the interval in force after the last review or the plan, while the course is open")
    func nextReview() {
        let months = params.planReviewIntervalMonths.entry(on: d("2026-05-01"))!.value
        #expect(course(today: "2026-05-01").nextReview == d("2026-04-15").adding(months: months))
        let reviewed = course(today: "2026-11-01") { $0.reviews = [d("2026-10-10"), d("2026-07-01")] }
        #expect(reviewed.nextReview == d("2026-10-10").adding(months: months))
        #expect(course(today: "2026-06-01") { $0.endDate = d("2026-05-31") }.nextReview == nil)
    }

    @Test("Only invalid absence counts against the month's benefit; holiday is counted in days of 7.5 hours")
    func absence() {
        let c = course(today: "2026-06-30") {
            $0.absences = [
                .init(date: d("2026-06-02"), minutes: 450, kind: .invalid),
                .init(date: d("2026-06-03"), minutes: 450, kind: .sickChild),
                .init(date: d("2026-06-08"), minutes: 900, kind: .holiday),
                .init(date: d("2026-07-01"), minutes: 450, kind: .invalid),
            ]
        }
        #expect(c.invalidAbsenceMinutes(in: YearMonth(d("2026-06-01"))) == 450)
        #expect(c.holidayDays(in: 2026) == 2)
        let june = c.benefit(for: YearMonth(d("2026-06-01")))!
        let clean = course(today: "2026-06-30").benefit(for: YearMonth(d("2026-06-01")))!
        #expect(june.absenceDeductionOre > 0 && clean.absenceDeductionOre == 0)
    }

    @Test("The benefit is paid from the start and stops at a permanent stop; the history runs newest first")
    func benefitMonths() {
        let c = course(today: "2026-07-15") {
            $0.stopKind = .permanent
            $0.stopDate = d("2026-05-31")
        }
        #expect(c.benefit(for: YearMonth(d("2026-03-01")))?.netOre ?? 0 == 0)
        #expect((c.benefit(for: YearMonth(d("2026-04-01")))?.netOre ?? 0) > 0)
        #expect(c.benefit(for: YearMonth(d("2026-06-01")))?.netOre ?? 0 == 0)
        #expect(c.benefitHistory.map(\.month) == c.benefitHistory.map(\.month).sorted(by: >))
    }
}

/// Days of a temporary stop (integreringsloven § 18) and of leave without benefit (§ 17) are not paid; the month is
/// paid pro rata for its other days (§ 19).
@Suite("Benefit during stops and unpaid leave")
struct UnpaidDaysTests {
    /// June 2026 (30 days) for a course started long before: the paid days, from the pro-rata result.
    static func paidDays(_ change: (inout ProgrammeCourse) -> Void) -> Int? {
        course(today: "2026-07-15", change).benefit(for: YearMonth(d("2026-06-01")))?.daysInProgramme
    }

    @Test(
        "Paid days in June 2026",
        arguments: [
            ("nothing unpaid", 30),
            ("stop 10.–20. June", 19),
            ("stop from 25 June, still stopped", 24),
            ("stop lifted in May", 30),
            ("stop from May, lifted 5 June", 25),
            ("unpaid leave 1.–3. June", 27),
            ("paid leave 1.–3. June", 30),
            ("unpaid leave over the stop", 19),
            ("unpaid leave from May to 2 June and a stop from 29 June", 26),
        ])
    func paid(_ variant: String, _ expected: Int) {
        let days = Self.paidDays { c in
            switch variant {
            case "stop 10.–20. June":
                c.stopKind = .temporary
                c.stopDate = d("2026-06-10")
                c.stopEnd = d("2026-06-20")
            case "stop from 25 June, still stopped":
                c.stopKind = .temporary
                c.stopDate = d("2026-06-25")
            case "stop lifted in May":
                c.stopKind = .temporary
                c.stopDate = d("2026-05-01")
                c.stopEnd = d("2026-05-31")
            case "stop from May, lifted 5 June":
                c.stopKind = .temporary
                c.stopDate = d("2026-05-20")
                c.stopEnd = d("2026-06-05")
            case "unpaid leave 1.–3. June":
                c.leaves = [.init(from: d("2026-06-01"), to: d("2026-06-03"), withBenefit: false)]
            case "paid leave 1.–3. June": c.leaves = [.init(from: d("2026-06-01"), to: d("2026-06-03"))]
            case "unpaid leave over the stop":
                c.stopKind = .temporary
                c.stopDate = d("2026-06-10")
                c.stopEnd = d("2026-06-20")
                c.leaves = [.init(from: d("2026-06-12"), to: d("2026-06-15"), withBenefit: false)]
            case "unpaid leave from May to 2 June and a stop from 29 June":
                c.leaves = [.init(from: d("2026-05-15"), to: d("2026-06-02"), withBenefit: false)]
                c.stopKind = .temporary
                c.stopDate = d("2026-06-29")
            default: break
            }
        }
        #expect(days == expected)
    }

    @Test("The amount follows the paid days, and a lifted stop is no longer a stop")
    func amountAndStatus() {
        let full = course(today: "2026-07-15").benefit(for: YearMonth(d("2026-06-01")))!
        let stopped = course(today: "2026-07-15") {
            $0.stopKind = .temporary
            $0.stopDate = d("2026-06-16")
            $0.stopEnd = d("2026-06-30")
        }
        let half = stopped.benefit(for: YearMonth(d("2026-06-01")))!
        #expect(half.monthlyOre * 2 == full.monthlyOre || abs(half.monthlyOre * 2 - full.monthlyOre) <= 1)
        #expect(stopped.status == .active)
        #expect(
            course(today: "2026-06-20") {
                $0.stopKind = .temporary
                $0.stopDate = d("2026-06-16")
            }.status == .stoppedTemporarily)
    }
}

/// The G changes every 1 May (facts § 3.1): from the first 1 May after the newest G in the table, months are
/// computed with an old G, and that is said.
@Suite("A G table that is behind")
struct StaleGTests {
    @Test(
        "Stale from the 1 May after the newest G",
        arguments: [
            ("2026-04", nil as String?), ("2026-05", "2025-05-01"), ("2026-11", "2025-05-01"), ("2025-05", nil),
        ])
    func stale(_ month: String, _ newest: String?) {
        let p = shippedProgrammeParameters
        try! #require(p.grunnbelopKroner.entries.last?.from == d("2025-05-01"))
        #expect(p.staleGrunnbelop(for: YearMonth(iso: month)!) == newest.map(d))
    }
}
