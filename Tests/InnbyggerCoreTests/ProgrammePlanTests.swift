import Foundation
import Testing

@testable import InnbyggerCore

private let params = shippedProgrammeParameters

@Suite("Programme plan")
struct ProgrammePlanTests {
    @Test(
        "Week starts on Monday",
        arguments: [
            ("2025-06-02", "2025-06-02"), ("2025-06-08", "2025-06-02"), ("2024-02-29", "2024-02-26"),
            ("2025-01-01", "2024-12-30"),
        ])
    func weekStart(_ date: String, _ monday: String) {
        #expect(d(date).weekStart == d(monday))
    }

    @Test("Full time: 37.5 h, or 30 h in weeks with self-study; short weeks are listed")
    func fullTime() {
        // Norwegian 15 h all June; work practice 22.5 h from 16 June; a self-study course 15 h in the last week.
        let measures = [
            PlannedMeasure(kind: .norwegian, from: d("2025-06-02"), to: d("2025-06-29"), weeklyMinutes: 900),
            PlannedMeasure(kind: .workPractice, from: d("2025-06-16"), to: d("2025-06-29"), weeklyMinutes: 1350),
            PlannedMeasure(
                kind: .upperSecondary, from: d("2025-06-23"), to: d("2025-06-29"), weeklyMinutes: 900, selfStudy: true
            ),
        ]
        let weeks = FullTime.weeks(measures, from: d("2025-06-02"), to: d("2025-06-29"), parameters: params)
        #expect(weeks.map(\.plannedMinutes) == [900, 900, 2250, 3150])
        #expect(weeks.map(\.requiredMinutes) == [2250, 2250, 2250, 1800])
        #expect(
            FullTime.shortWeeks(measures, from: d("2025-06-02"), to: d("2025-06-29"), parameters: params).map(
                \.weekStart) == [d("2025-06-02"), d("2025-06-09")])
    }

    @Test(
        "Mandatory content",
        arguments: [
            (Set(["norwegian", "social_studies", "life_skills", "work_practice"]), false, false, [String]()),
            (
                Set(["norwegian", "social_studies", "life_skills", "work_practice"]), true, false,
                ["parenting_guidance"]
            ),
            (Set(["norwegian", "social_studies", "work_practice"]), false, true, []),
            (Set(["norwegian"]), false, false, ["social_studies", "life_skills", "work_or_education"]),
        ])
    func mandatory(_ kinds: Set<String>, _ child: Bool, _ collective: Bool, _ missing: [String]) {
        #expect(
            MandatoryContent.missing(
                kinds: Set(kinds.map { MeasureKind(rawValue: $0)! }), childUnder18: child,
                collectiveProtection: collective) == missing)
    }

    @Test("Share in work or education, SSB's way")
    func outcomeShare() {
        let s = OutcomeShare([
            .employed, .education, .employedAndEducation, .unemployedOrMeasure, .otherUnknown, .otherUnknown,
        ])
        #expect(s.inWorkOrEducation == 3 && s.total == 6)
        #expect(s.percent == 50)
        #expect(OutcomeShare([.employed, .employed, .otherUnknown]).percent == 67)  // 66.7 rounds up
        #expect(OutcomeShare([]).percent == nil)
    }

    @Test("What NIR is missing")
    func nir() {
        let full = NIRCompleteness.Snapshot(
            regime: .integreringsloven2021, hasDecision: true, hasFinalGoal: true, hasContract: true,
            hasMeasures: true, hasEducationBackground: true, ended: true, hasEndReason: true)
        #expect(NIRCompleteness.missing(full).isEmpty)
        var gaps = full
        gaps.hasFinalGoal = false
        gaps.hasContract = false
        gaps.hasEndReason = false
        #expect(NIRCompleteness.missing(gaps) == ["final_goal", "contract", "end_reason"])
        gaps.regime = .introduksjonsloven2003
        #expect(NIRCompleteness.missing(gaps) == ["end_reason"])  // no goal or contract under the 2003 law
        var none = full
        none.hasDecision = false
        none.hasMeasures = false
        #expect(NIRCompleteness.missing(none) == ["decision"])
    }
}

@Suite("Recommended Norwegian targets")
struct NorwegianTargetTests {
    @Test(
        "IMDi's recommendation by education (2023-12-20)",
        arguments: [
            (PersonFacts.EducationLevel.none, "A2", "B1"), (.primary, "B1", "B1"), (.upperSecondary, "B1", "B2"),
            (.higher, "B1", "B2"),
        ])
    func byEducation(_ e: PersonFacts.EducationLevel, _ reading: String, _ speaking: String) {
        let t = params.norwegianTarget(for: e, on: d("2025-01-01"))
        #expect(t["reading"] == reading)
        #expect(t["speaking"] == speaking)
        #expect(params.norwegianTarget(for: e, on: d("2023-01-01")).isEmpty)  // before the recommendation
    }
}
