import Testing

@testable import InnbyggerCore

@Suite("Attendance cannot exceed the plan's hours for the week")
struct AttendanceCapTests {
    static let monday = LocalDate(iso: "2026-11-02")!
    static let norwegian = PlannedMeasure(
        kind: .norwegian, from: LocalDate(iso: "2026-01-05")!, to: LocalDate(iso: "2026-12-31")!, weeklyMinutes: 900)
    static let practice = PlannedMeasure(
        kind: .workPractice, from: LocalDate(iso: "2026-11-04")!, to: LocalDate(iso: "2026-11-20")!,
        weeklyMinutes: 1050)
    static let ended = PlannedMeasure(
        kind: .socialStudies, from: LocalDate(iso: "2026-01-05")!, to: LocalDate(iso: "2026-03-31")!,
        weeklyMinutes: 300)

    @Test(
        "Planned minutes of a week",
        arguments: [
            // (week given by any day, measure, expected)
            ("2026-11-02", nil, 1950),  // both running (practice from Wednesday counts the whole week)
            ("2026-11-08", nil, 1950),  // Sunday of the same week
            ("2026-10-26", nil, 900),  // practice not yet
            ("2026-11-23", nil, 900),  // practice ended the Friday before
            ("2026-11-02", 1, 1050),  // only the practice
            ("2027-01-04", nil, -1),  // nothing planned: no cap from the plan
            ("2026-11-02", 2, -1),  // the ended measure that week
        ] as [(String, Int?, Int)])
    func planned(day: String, measure: Int?, expected: Int) {
        let measures = [Self.norwegian, Self.practice, Self.ended]
        let got = AttendanceCap.plannedMinutes(
            week: LocalDate(iso: day)!, measures: measures, measure: measure.map { measures[$0] })
        #expect(got == (expected < 0 ? nil : expected))
    }

    @Test(
        "Whether more hours fit",
        arguments: [
            (0, 1950, 1950, true), (1950, 1, 1950, false), (900, 1050, 1950, true), (2250, 4050, 1950, false),
            (100, 5000, -1, true),
        ])
    func fits(recorded: Int, adding: Int, planned: Int, expected: Bool) {
        #expect(
            AttendanceCap.fits(recorded: recorded, adding: adding, planned: planned < 0 ? nil : planned) == expected)
    }
}
