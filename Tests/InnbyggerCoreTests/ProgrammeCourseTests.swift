import Foundation
import Testing

@testable import InnbyggerCore

private let params = shippedProgrammeParameters

/// A course decided on 1 March 2026, started 1 April 2026, planned for 24 months; `change` adjusts it.
private func course(today: String, _ change: (inout ProgrammeCourse) -> Void = { _ in }) -> ProgrammeCourse {
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
