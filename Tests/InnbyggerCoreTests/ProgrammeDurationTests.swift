import Foundation
import Testing

@testable import InnbyggerCore

private func day(_ s: String) -> LocalDate { LocalDate(iso: s)! }

struct DurationGroupCase: CustomTestStringConvertible, Sendable {
    var name: String
    var law: LawRegime = .integreringsloven2021
    var goal: FinalGoal?
    var age: Int
    var education: PersonFacts.EducationLevel?
    var group: ProgrammeGroup
    var min: Int?
    var max: Int
    var extensionMonths: Int
    /// The `final_goal_fits_group` check; nil when there is none (2003 law).
    var goalFits: Bool?
    var testDescription: String { name }
}

// IMDi, "Sluttmål og varighet i integreringsloven": with upper secondary 3–6 months + 6; under 25 without it
// 3 months–3 years + 1 year; 25+ aiming at upper secondary 3 months–3 years + 1 year; others 3 months–2 years + 1 year.
// Introduksjonsloven § 5: up to 2 years, a third on special reasons.
let durationGroupCases: [DurationGroupCase] = [
    .init(
        name: "higher education, goal work", goal: .work, age: 30, education: .higher, group: .upperSecondaryOrHigher,
        min: 3, max: 6, extensionMonths: 6, goalFits: true),
    .init(
        name: "upper secondary, under 25, goal higher education", goal: .higherEducation, age: 22,
        education: .upperSecondary, group: .upperSecondaryOrHigher, min: 3, max: 6, extensionMonths: 6, goalFits: true),
    .init(
        name: "upper secondary but goal upper secondary: flagged", goal: .upperSecondaryCompletion, age: 30,
        education: .upperSecondary, group: .upperSecondaryOrHigher, min: 3, max: 6, extensionMonths: 6, goalFits: false),
    .init(
        name: "no education, 20, goal upper secondary", goal: .upperSecondaryCompletion, age: 20,
        education: PersonFacts.EducationLevel.none, group: .under25WithoutUpperSecondary, min: 3, max: 36,
        extensionMonths: 12, goalFits: true),
    .init(
        name: "primary school, 24, goal work: under-25 group, main rule not followed", goal: .work, age: 24,
        education: .primary, group: .under25WithoutUpperSecondary, min: 3, max: 36, extensionMonths: 12, goalFits: false
    ),
    .init(
        name: "primary school, exactly 25, goal upper secondary", goal: .upperSecondaryCompletion, age: 25,
        education: .primary, group: .upperSecondaryGoal25Plus, min: 3, max: 36, extensionMonths: 12, goalFits: true),
    .init(
        name: "no education, exactly 25, goal work", goal: .work, age: 25, education: PersonFacts.EducationLevel.none,
        group: .otherWithoutUpperSecondary, min: 3, max: 24, extensionMonths: 12, goalFits: true),
    .init(
        name: "no education, 40, goal primary school", goal: .primarySchool, age: 40,
        education: PersonFacts.EducationLevel.none, group: .otherWithoutUpperSecondary, min: 3, max: 24,
        extensionMonths: 12, goalFits: true),
    .init(
        name: "primary school, 40, goal higher education: flagged", goal: .higherEducation, age: 40,
        education: .primary, group: .otherWithoutUpperSecondary, min: 3, max: 24, extensionMonths: 12, goalFits: false),
    .init(
        name: "no education, 30, other goal", goal: .other, age: 30, education: PersonFacts.EducationLevel.none,
        group: .otherWithoutUpperSecondary, min: 3, max: 24, extensionMonths: 12, goalFits: true),
    .init(
        name: "2003 law: one group, no minimum", law: .introduksjonsloven2003, goal: nil, age: 30, education: nil,
        group: .introduksjonsloven2003, min: nil, max: 24, extensionMonths: 12, goalFits: nil),
    .init(
        name: "2003 law: education and age do not matter", law: .introduksjonsloven2003, goal: .work, age: 20,
        education: .higher, group: .introduksjonsloven2003, min: nil, max: 24, extensionMonths: 12, goalFits: nil),
]

struct PlannedEndCase: CustomTestStringConvertible, Sendable {
    var name: String
    var group: DurationGroupCase
    var start: String
    var earliest: String?
    var latest: String
    var latestWithExtension: String
    var testDescription: String { name }
}

private let higher = durationGroupCases[0]
private let under25 = durationGroupCases[3]
private let others = durationGroupCases[7]
private let old = durationGroupCases[10]

// Last day = start + N calendar months − 1 day (months clamp to a shorter month's end).
let plannedEndCases: [PlannedEndCase] = [
    // 2025-01-01 + 3 = 2025-04-01 → 03-31; + 6 = 07-01 → 06-30; + 12 = 2026-01-01 → 2025-12-31.
    .init(
        name: "3–6 + 6 months from 1 January", group: higher, start: "2025-01-01", earliest: "2025-03-31",
        latest: "2025-06-30", latestWithExtension: "2025-12-31"),
    // 2025-01-15 + 3 = 04-15 → 04-14; + 36 = 2028-01-15 → 01-14; + 48 = 2029-01-15 → 01-14.
    .init(
        name: "3 months–3 years + 1 from mid-January", group: under25, start: "2025-01-15", earliest: "2025-04-14",
        latest: "2028-01-14", latestWithExtension: "2029-01-14"),
    // 2025-11-30 + 3 = 2026-02-28 (clamped) → 02-27; + 24 = 2027-11-30 → 11-29; + 36 = 2028-11-30 → 11-29.
    .init(
        name: "start 30 November clamps into February", group: others, start: "2025-11-30", earliest: "2026-02-27",
        latest: "2027-11-29", latestWithExtension: "2028-11-29"),
    // 2024-02-29 + 3 = 05-29 → 05-28; + 6 = 08-29 → 08-28; + 12 = 2025-02-28 (clamped) → 02-27.
    .init(
        name: "start on a leap day", group: higher, start: "2024-02-29", earliest: "2024-05-28", latest: "2024-08-28",
        latestWithExtension: "2025-02-27"),
    // 2020-08-31 + 24 = 2022-08-31 → 08-30; + 36 = 2023-08-31 → 08-30.
    .init(
        name: "2003 law: no earliest end", group: old, start: "2020-08-31", earliest: nil, latest: "2022-08-30",
        latestWithExtension: "2023-08-30"),
]

struct ExtensionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var group: DurationGroupCase
    var requested: Int
    var already: Int = 0
    var fits: Bool
    var testDescription: String { name }
}

let extensionCases: [ExtensionCase] = [
    .init(name: "6 of 6 months", group: higher, requested: 6, fits: true),
    .init(name: "7 of 6 months", group: higher, requested: 7, fits: false),
    .init(name: "3 more after 3: 6 of 6", group: higher, requested: 3, already: 3, fits: true),
    .init(name: "4 more after 3: 7 of 6", group: higher, requested: 4, already: 3, fits: false),
    .init(name: "a year for the under-25 group", group: under25, requested: 12, fits: true),
    .init(name: "13 months for the under-25 group", group: under25, requested: 13, fits: false),
    .init(name: "2003 law: the third year", group: old, requested: 12, fits: true),
    .init(name: "2003 law: more than a third year", group: old, requested: 1, already: 12, fits: false),
]

@Suite("Programme duration")
struct ProgrammeDurationTests {
    let rules = ProgrammeDuration(parameters: shippedProgrammeParameters)

    func assess(_ c: DurationGroupCase, on date: String = "2025-03-01") throws -> DurationAssessment {
        try rules.assess(
            lawRegime: c.law, finalGoal: c.goal, ageAtDecision: c.age, educationLevel: c.education,
            decisionDate: day(date))
    }

    @Test("Group, ordinary length and extension", arguments: durationGroupCases)
    func group(_ c: DurationGroupCase) throws {
        let a = try assess(c)
        #expect(a.group == c.group)
        #expect(a.minMonths == c.min)
        #expect(a.maxMonths == c.max)
        #expect(a.maxExtensionMonths == c.extensionMonths)
        #expect(!a.reference.isEmpty)
        #expect(a.checks.first { $0.rule == "duration_group" }?.passed == true)
        #expect(a.checks.first { $0.rule == "final_goal_fits_group" }?.passed == c.goalFits)
        for check in a.checks {
            #expect(!check.reference.isEmpty)
            #expect(ProgrammeDuration.ruleIDs.contains(check.rule), "\(check.rule)")
        }
    }

    @Test("Planned end dates", arguments: plannedEndCases)
    func plannedEnd(_ c: PlannedEndCase) throws {
        let range = try assess(c.group).plannedEnd(start: day(c.start))
        #expect(range.earliest?.iso == c.earliest)
        #expect(range.latest.iso == c.latest)
        #expect(range.latestWithExtension.iso == c.latestWithExtension)
    }

    @Test("A requested extension must fit what is left", arguments: extensionCases)
    func extensionFits(_ c: ExtensionCase) throws {
        let check = try assess(c.group).extensionCheck(requestedMonths: c.requested, alreadyExtendedMonths: c.already)
        #expect(check.rule == "extension_within_limit")
        #expect(check.passed == c.fits)
        #expect(check.values == [String(c.requested), String(c.already), String(c.group.extensionMonths)])
    }

    @Test(
        "A planned ordinary length within the limits",
        arguments: [
            (0, 2, false), (0, 3, true), (0, 6, true), (0, 7, false), (10, 1, true), (10, 24, true), (10, 25, false),
        ])
    func plannedLength(_ caseIndex: Int, _ months: Int, _ ok: Bool) throws {
        let check = try assess(durationGroupCases[caseIndex]).plannedLengthCheck(months: months)
        #expect(check.passed == ok)
    }

    @Test("Bad extension and length requests name the field")
    func badRequests() throws {
        let a = try assess(higher)
        #expect(throws: ProgrammeInputError.invalid(field: "requestedMonths", reason: "must be positive")) {
            try a.extensionCheck(requestedMonths: 0)
        }
        #expect(throws: ProgrammeInputError.invalid(field: "alreadyExtendedMonths", reason: "must not be negative")) {
            try a.extensionCheck(requestedMonths: 1, alreadyExtendedMonths: -1)
        }
        #expect(throws: ProgrammeInputError.invalid(field: "months", reason: "must be positive")) {
            try a.plannedLengthCheck(months: -3)
        }
    }

    @Test(
        "Bad assessment input names the field",
        arguments: [
            (
                LawRegime.undetermined, FinalGoal?.some(.work), 30, PersonFacts.EducationLevel?.some(.higher),
                "2025-03-01", "lawRegime"
            ),
            (.integreringsloven2021, .work, 30, nil, "2025-03-01", "educationLevel"),
            (.integreringsloven2021, nil, 30, .primary, "2025-03-01", "finalGoal"),
            (.integreringsloven2021, .work, -1, .primary, "2025-03-01", "ageAtDecision"),
        ] as [(LawRegime, FinalGoal?, Int, PersonFacts.EducationLevel?, String, String)])
    func badInput(
        _ law: LawRegime, _ goal: FinalGoal?, _ age: Int, _ education: PersonFacts.EducationLevel?, _ date: String,
        _ field: String
    ) {
        do {
            _ = try rules.assess(
                lawRegime: law, finalGoal: goal, ageAtDecision: age, educationLevel: education, decisionDate: day(date))
            Issue.record("expected an error naming \(field)")
        } catch {
            #expect(error.field == field)
        }
    }

    @Test("No 2021 durations before the law was in force")
    func beforeTheLaw() {
        #expect(
            throws: ProgrammeInputError.missingParameter(
                name: "integreringsloven.duration.youngAgeLimit", date: day("2020-12-31"))
        ) {
            try rules.assess(
                lawRegime: .integreringsloven2021, finalGoal: .work, ageAtDecision: 30, educationLevel: .primary,
                decisionDate: day("2020-12-31"))
        }
    }

    @Test(
        "Durations follow their dated parameter: an extra year for upper-secondary goals from 2026-07-01 (hypothetical)"
    )
    func datedExtension() throws {
        var p = shippedProgrammeParameters
        let key = ProgrammeGroup.upperSecondaryGoal25Plus.rawValue
        p.integreringsloven.duration.groups[key] = Dated(
            p.integreringsloven.duration.groups[key]!.entries + [
                DatedValue(
                    from: day("2026-07-01"), value: DurationLimits(minMonths: 3, maxMonths: 36, maxExtensionMonths: 24),
                    reference: "integreringsloven § 14 (Prop. 81 L (2024–2025), test)")
            ])
        let rules = ProgrammeDuration(parameters: p)
        let before = try rules.assess(
            lawRegime: .integreringsloven2021, finalGoal: .upperSecondaryCompletion, ageAtDecision: 30,
            educationLevel: .primary, decisionDate: day("2026-06-30"))
        let after = try rules.assess(
            lawRegime: .integreringsloven2021, finalGoal: .upperSecondaryCompletion, ageAtDecision: 30,
            educationLevel: .primary, decisionDate: day("2026-07-01"))
        #expect(before.maxExtensionMonths == 12)
        #expect(after.maxExtensionMonths == 24)
        #expect(after.reference.contains("Prop. 81 L"))
        #expect(try after.extensionCheck(requestedMonths: 24).passed == true)
        #expect(try before.extensionCheck(requestedMonths: 24).passed == false)
    }
}

@Suite("Programme parameters")
struct ProgrammeParameterTests {
    @Test(
        "Shipped values (each dated and sourced)",
        arguments: [
            ("fullTimeMinutesPerWeek", 2250), ("fullTimeMinutesPerWeekSelfStudy", 1800), ("maxHolidayWorkingDays", 25),
            ("planReviewIntervalMonths", 6), ("socialStudiesHours2021", 75),
            ("socialStudiesHours2003", 50),
        ])
    func shipped(_ name: String, _ expected: Int) throws {
        let p = shippedProgrammeParameters
        let table: [String: Dated<Int>] = [
            "fullTimeMinutesPerWeek": p.fullTimeMinutesPerWeek,
            "fullTimeMinutesPerWeekSelfStudy": p.fullTimeMinutesPerWeekSelfStudy,
            "maxHolidayWorkingDays": p.maxHolidayWorkingDays, "planReviewIntervalMonths": p.planReviewIntervalMonths,
            "socialStudiesHours2021": p.integreringsloven.socialStudiesHours,
            "socialStudiesHours2003": p.introduksjonsloven.socialStudiesHours,
        ]
        let value = try #require(table[name]?.entry(on: day("2025-06-01")))
        #expect(value.value == expected)
        #expect(!value.reference.isEmpty)
    }

    @Test(
        "G table by 1 May, whole kroner",
        arguments: [
            ("2015-05-01", 90_068), ("2019-04-30", 90_068), ("2019-05-01", 99_858), ("2022-05-01", 111_477),
            ("2023-05-01", 118_620),
            ("2024-04-30", 118_620), ("2024-05-01", 124_028), ("2025-05-01", 130_160), ("2030-01-01", 130_160),
        ])
    func grunnbelop(_ date: String, _ kroner: Int) throws {
        #expect(shippedProgrammeParameters.grunnbelopKroner.entry(on: day(date))?.value == kroner)
        #expect(try shippedProgrammeParameters.grunnbelopOre(on: day(date)).value == kroner * 100)
    }

    @Test("Loading refuses a parameter file the rules cannot use")
    func validation() throws {
        var p = shippedProgrammeParameters
        p.integreringsloven.benefit.absenceHourlyDivisor = Dated([
            DatedValue(from: day("2021-01-01"), value: 0, reference: "test")
        ])
        #expect(throws: ProgrammeInputError.self) { try p.validate() }
        var q = shippedProgrammeParameters
        q.integreringsloven.duration.groups.removeValue(forKey: ProgrammeGroup.otherWithoutUpperSecondary.rawValue)
        #expect(throws: ProgrammeInputError.self) { try q.validate() }
        #expect(throws: Never.self) { try shippedProgrammeParameters.validate() }
    }
}
