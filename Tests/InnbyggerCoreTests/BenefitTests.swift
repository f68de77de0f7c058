import Foundation
import Testing

@testable import InnbyggerCore

/// The programme parameter file that ships, so the tests check the configuration in use.
let shippedProgrammeParameters: ProgrammeParameters = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return try! ProgrammeParameters.load(from: root.appendingPathComponent("Resources/Parameters/programme.json"))
}()

private func day(_ s: String) -> LocalDate { LocalDate(iso: s)! }
private func ym(_ s: String) -> YearMonth { YearMonth(iso: s)! }

/// The shipped parameters with the couples factor (5/6) in force from `from`, as an admin would set it.
private func withCouplesFactor(from: String) -> ProgrammeParameters {
    var p = shippedProgrammeParameters
    p.integreringsloven.benefit.coupleWithoutChildrenFactor = Dated([
        DatedValue(from: day(from), value: Ratio(5, 6)!, reference: "integreringsloven § 20 fjerde ledd (test)")
    ])
    return p
}

/// A participant born 1990-03-15 (35 in 2025) in the programme since 2024-01-08 under the 2021 law;
/// each case changes what it is about.
private func input(
    _ month: String, birth: String = "1990-03-15", parents: Bool = false, couple: Bool = false,
    law: LawRegime = .integreringsloven2021, start: String = "2024-01-08", end: String? = nil,
    minutes: Int = 0, other: Int = 0
) -> IntroductionBenefit.Input {
    .init(
        month: ym(month), birthDate: day(birth), livesWithParents: parents,
        coupleWithoutChildrenBothParticipants: couple,
        lawRegime: law, programmeStart: day(start), programmeEnd: end.map(day), invalidAbsenceMinutes: minutes,
        otherDeductionsOre: other)
}

enum BenefitParameterSet: String, Sendable { case shipped, couplesFrom2025, gShareOneTwentyFourth }

struct BenefitCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: IntroductionBenefit.Input
    var parameters: BenefitParameterSet = .shipped
    var gOre: Int
    var factor: String
    var annual: Int
    var days: Int
    var monthly: Int
    var absence: Int = 0
    var net: Int
    var decision: Bool = false
    var testDescription: String { name }
}

// Hand arithmetic (all in øre; "→" is rounding to the nearest øre, halves up):
//   G 2023 = 118 620 kr = 11 862 000; G 2024 = 124 028 kr = 12 402 800; G 2025 = 130 160 kr = 13 016 000.
//   Full 2025: 2 × 13 016 000 = 26 032 000 a year; / 12 = 2 169 333.33 → 2 169 333 a month.
//   2/3 2025: 26 032 000 × 2/3 = 17 354 666.67 → 17 354 667; / 12 = 1 446 222.25 → 1 446 222.
//   1/3 2025: 26 032 000 / 3 = 8 677 333.33 → 8 677 333; / 12 = 723 111.08 → 723 111.
//   Full 2024: 24 805 600; / 12 = 2 067 133.33 → 2 067 133.  2/3 2024: 16 537 066.67 → 16 537 067; / 12 = 1 378 088.92 → 1 378 089.
//   Full 2023: 23 724 000; / 12 = 1 977 000 exactly.  2/3 2023: 15 816 000 exactly; / 12 = 1 318 000.
let benefitCases: [BenefitCase] = [
    // G changes on 1 May: April 2025 still has the 2024 G, May 2025 the new one.
    .init(
        name: "April 2025 uses G 2024", input: input("2025-04"), gOre: 12_402_800, factor: "1/1", annual: 24_805_600,
        days: 30, monthly: 2_067_133, net: 2_067_133),
    .init(
        name: "May 2025 uses G 2025", input: input("2025-05"), gOre: 13_016_000, factor: "1/1", annual: 26_032_000,
        days: 31, monthly: 2_169_333, net: 2_169_333),
    .init(
        name: "April 2024 uses G 2023 (annual divisible by 12)", input: input("2024-04"), gOre: 11_862_000,
        factor: "1/1", annual: 23_724_000, days: 30, monthly: 1_977_000, net: 1_977_000),
    // 2 × 11 147 700 = 22 295 400; / 12 = 1 857 950.
    .init(
        name: "December 2022 uses G 2022", input: input("2022-12", start: "2022-01-10"), gOre: 11_147_700,
        factor: "1/1", annual: 22_295_400, days: 31, monthly: 1_857_950, net: 1_857_950),
    // 2003 law, G 2015: 2 × 9 006 800 = 18 013 600; / 12 = 1 501 133.33 → 1 501 133.
    .init(
        name: "2003 law, January 2016 uses G 2015",
        input: input("2016-01", law: .introduksjonsloven2003, start: "2015-09-01"), gOre: 9_006_800, factor: "1/1",
        annual: 18_013_600, days: 31, monthly: 1_501_133, net: 1_501_133),

    // Factors.
    .init(
        name: "under 25, own home: 2/3", input: input("2025-05", birth: "2003-01-10"), gOre: 13_016_000, factor: "2/3",
        annual: 17_354_667, days: 31, monthly: 1_446_222, net: 1_446_222),
    .init(
        name: "under 25 with parents: 1/3", input: input("2025-05", birth: "2003-01-10", parents: true),
        gOre: 13_016_000, factor: "1/3", annual: 8_677_333, days: 31, monthly: 723_111, net: 723_111),
    .init(
        name: "25 or older living with parents: full", input: input("2025-05", parents: true), gOre: 13_016_000,
        factor: "1/1", annual: 26_032_000, days: 31, monthly: 2_169_333, net: 2_169_333),
    // 2003 law, G 2019: 2 × 9 985 800 = 19 971 600; × 2/3 = 13 314 400; / 12 = 1 109 533.33 → 1 109 533.
    .init(
        name: "2003 law, under 25 with parents: still 2/3",
        input: input("2020-06", birth: "1998-02-01", parents: true, law: .introduksjonsloven2003, start: "2019-09-01"),
        gOre: 9_985_800, factor: "2/3", annual: 13_314_400, days: 30, monthly: 1_109_533, net: 1_109_533),
    .init(
        name: "2003 law, under 25 on own: 2/3 (G 2024)",
        input: input("2024-06", birth: "2001-02-01", law: .introduksjonsloven2003, start: "2020-09-01"),
        gOre: 12_402_800, factor: "2/3", annual: 16_537_067, days: 30, monthly: 1_378_089, net: 1_378_089),
    // Couples: off while the parameter has no entry, on once it has one.
    .init(
        name: "couple without children, shipped parameters: off", input: input("2025-05", couple: true),
        gOre: 13_016_000, factor: "1/1", annual: 26_032_000, days: 31, monthly: 2_169_333, net: 2_169_333),
    .init(
        name: "couple, under 25, shipped parameters: off", input: input("2025-05", birth: "2003-01-10", couple: true),
        gOre: 13_016_000, factor: "2/3", annual: 17_354_667, days: 31, monthly: 1_446_222, net: 1_446_222),
    // 26 032 000 × 5/6 = 21 693 333.33 → 21 693 333; / 12 = 1 807 777.75 → 1 807 778.
    .init(
        name: "couple, factor in force: 5/6", input: input("2025-05", couple: true), parameters: .couplesFrom2025,
        gOre: 13_016_000, factor: "5/6", annual: 21_693_333, days: 31, monthly: 1_807_778, net: 1_807_778),
    // 2/3 × 5/6 = 10/18 = 5/9: 26 032 000 × 5/9 = 14 462 222.22 → 14 462 222; / 12 = 1 205 185.17 → 1 205 185.
    .init(
        name: "couple under 25: 5/6 × 2/3 = 5/9", input: input("2025-05", birth: "2003-01-10", couple: true),
        parameters: .couplesFrom2025, gOre: 13_016_000, factor: "5/9", annual: 14_462_222, days: 31, monthly: 1_205_185,
        net: 1_205_185),
    // 1/3 × 5/6 = 5/18: 26 032 000 × 5/18 = 7 231 111.11 → 7 231 111; / 12 = 602 592.58 → 602 593.
    .init(
        name: "couple under 25 with parents: 5/6 × 1/3 = 5/18",
        input: input("2025-05", birth: "2003-01-10", parents: true, couple: true), parameters: .couplesFrom2025,
        gOre: 13_016_000, factor: "5/18", annual: 7_231_111, days: 31, monthly: 602_593, net: 602_593),
    .init(
        name: "couples factor from 2025-01-01 is not used in December 2024", input: input("2024-12", couple: true),
        parameters: .couplesFrom2025, gOre: 12_402_800, factor: "1/1", annual: 24_805_600, days: 31, monthly: 2_067_133,
        net: 2_067_133),
    .init(
        name: "couples factor is not a rule of the 2003 law",
        input: input("2025-05", couple: true, law: .introduksjonsloven2003, start: "2020-09-01"),
        parameters: .couplesFrom2025, gOre: 13_016_000, factor: "1/1", annual: 26_032_000, days: 31, monthly: 2_169_333,
        net: 2_169_333),
    .init(
        name: "couple flag false with the factor in force: full", input: input("2025-05"), parameters: .couplesFrom2025,
        gOre: 13_016_000, factor: "1/1", annual: 26_032_000, days: 31, monthly: 2_169_333, net: 2_169_333),

    // Age 25 is taken on the month's first day.
    .init(
        name: "turns 25 on 1 May: full for May", input: input("2025-05", birth: "2000-05-01"), gOre: 13_016_000,
        factor: "1/1", annual: 26_032_000, days: 31, monthly: 2_169_333, net: 2_169_333),
    .init(
        name: "turns 25 on 2 May: 2/3 for all of May", input: input("2025-05", birth: "2000-05-02"), gOre: 13_016_000,
        factor: "2/3", annual: 17_354_667, days: 31, monthly: 1_446_222, net: 1_446_222),
    .init(
        name: "turns 25 on 1 May: still 2/3 in April (G 2024)", input: input("2025-04", birth: "2000-05-01"),
        gOre: 12_402_800, factor: "2/3", annual: 16_537_067, days: 30, monthly: 1_378_089, net: 1_378_089),
    .init(
        name: "turned 25 on 30 April: full in May", input: input("2025-05", birth: "2000-04-30"), gOre: 13_016_000,
        factor: "1/1", annual: 26_032_000, days: 31, monthly: 2_169_333, net: 2_169_333),

    // Partial months, by calendar days.
    // Starts 16 June: 15 of 30 days; 2 169 333 × 15/30 = 1 084 666.5 → 1 084 667 (half rounds up).
    .init(
        name: "starts 16 June: 15/30, half øre rounds up", input: input("2025-06", start: "2025-06-16"),
        gOre: 13_016_000, factor: "1/1", annual: 26_032_000, days: 15, monthly: 1_084_667, net: 1_084_667),
    // Ends 10 March 2025: 10 of 31 days at G 2024; 2 067 133 × 10/31 = 666 817.10 → 666 817.
    .init(
        name: "ends 10 March: 10/31", input: input("2025-03", end: "2025-03-10"), gOre: 12_402_800, factor: "1/1",
        annual: 24_805_600, days: 10, monthly: 666_817, net: 666_817),
    // 10–19 June: 10 days; 2 169 333 × 10/30 = 723 111 exactly.
    .init(
        name: "starts and ends inside June", input: input("2025-06", start: "2025-06-10", end: "2025-06-19"),
        gOre: 13_016_000, factor: "1/1", annual: 26_032_000, days: 10, monthly: 723_111, net: 723_111),
    // Leap February 2024 (G 2023): from the 15th is 15 of 29 days; 1 977 000 × 15/29 = 1 022 586.21 → 1 022 586.
    .init(
        name: "leap February: starts 15th, 15/29", input: input("2024-02", start: "2024-02-15"), gOre: 11_862_000,
        factor: "1/1", annual: 23_724_000, days: 15, monthly: 1_022_586, net: 1_022_586),
    .init(
        name: "leap February: ends on the 29th, whole month", input: input("2024-02", end: "2024-02-29"),
        gOre: 11_862_000, factor: "1/1", annual: 23_724_000, days: 29, monthly: 1_977_000, net: 1_977_000),
    // February 2025: from the 15th is 14 of 28 days; 2 067 133 × 14/28 = 1 033 566.5 → 1 033 567.
    .init(
        name: "February 2025: starts 15th, 14/28, half rounds up", input: input("2025-02", start: "2025-02-15"),
        gOre: 12_402_800, factor: "1/1", annual: 24_805_600, days: 14, monthly: 1_033_567, net: 1_033_567),
    // Starts on 31 January: 1 day; 2 067 133 / 31 = 66 681.71 → 66 682.
    .init(
        name: "starts on the month's last day: 1/31", input: input("2025-01", start: "2025-01-31"), gOre: 12_402_800,
        factor: "1/1", annual: 24_805_600, days: 1, monthly: 66_682, net: 66_682),
    .init(
        name: "month after the programme ended: 0", input: input("2025-04", end: "2025-03-31"), gOre: 12_402_800,
        factor: "1/1", annual: 24_805_600, days: 0, monthly: 0, net: 0),
    .init(
        name: "month before the programme starts: 0", input: input("2025-06", start: "2025-07-01"), gOre: 13_016_000,
        factor: "1/1", annual: 26_032_000, days: 0, monthly: 0, net: 0),

    // Absence: minutes × annual / (1850 × 60).
    // 7.5 h = 450 min: 450 × 26 032 000 / 111 000 = 105 535.14 → 105 535; net 2 169 333 − 105 535 = 2 063 798.
    .init(
        name: "7.5 hours of invalid absence", input: input("2025-05", minutes: 450), gOre: 13_016_000, factor: "1/1",
        annual: 26_032_000, days: 31, monthly: 2_169_333, absence: 105_535, net: 2_063_798),
    // 1 h: 26 032 000 / 1850 = 14 071.35 → 14 071.
    .init(
        name: "1 hour of invalid absence", input: input("2025-05", minutes: 60), gOre: 13_016_000, factor: "1/1",
        annual: 26_032_000, days: 31, monthly: 2_169_333, absence: 14_071, net: 2_155_262),
    // A 45-minute lesson at 2/3: 45 × 17 354 667 / 111 000 = 7 035.68 → 7 036.
    .init(
        name: "a 45-minute lesson at 2/3", input: input("2025-05", birth: "2003-01-10", minutes: 45), gOre: 13_016_000,
        factor: "2/3", annual: 17_354_667, days: 31, monthly: 1_446_222, absence: 7_036, net: 1_439_186),
    // The deduction is on the annual rate, not the pro-rata payment: 10 h in a 15-day June;
    // 600 × 26 032 000 / 111 000 = 140 713.51 → 140 714; net 1 084 667 − 140 714 = 943 953.
    .init(
        name: "absence in a partial month uses the annual rate",
        input: input("2025-06", start: "2025-06-16", minutes: 600), gOre: 13_016_000, factor: "1/1", annual: 26_032_000,
        days: 15, monthly: 1_084_667, absence: 140_714, net: 943_953),
    // 2003 law, G 2019 full: 8 h = 480 min; 480 × 19 971 600 / 111 000 = 86 363.68 → 86 364; 1 664 300 − 86 364 = 1 577 936.
    .init(
        name: "2003 law: 8 hours at 1/1850",
        input: input("2020-06", law: .introduksjonsloven2003, start: "2019-09-01", minutes: 480), gOre: 9_985_800,
        factor: "1/1", annual: 19_971_600, days: 30, monthly: 1_664_300, absence: 86_364, net: 1_577_936),

    // Decision threshold: deducted ≥ 1/2 of the payment AND ≥ G/12.
    // June 2023 at 2/3: payment 1 318 000 (half 659 000); G/12 = 11 862 000 / 12 = 988 500 exactly.
    .init(
        name: "2/3, deduction exactly G/12: decision",
        input: input("2023-06", birth: "2001-01-01", start: "2022-01-10", other: 988_500), gOre: 11_862_000,
        factor: "2/3", annual: 15_816_000, days: 30, monthly: 1_318_000, net: 329_500, decision: true),
    .init(
        name: "2/3, deduction 1 øre below G/12: no decision",
        input: input("2023-06", birth: "2001-01-01", start: "2022-01-10", other: 988_499), gOre: 11_862_000,
        factor: "2/3", annual: 15_816_000, days: 30, monthly: 1_318_000, net: 329_501, decision: false),
    // May 2025 at 2/3: G/12 = 1 084 666.67, so 1 084 667 is the first øre at the threshold. Absence 7.5 h at 2/3:
    // 450 × 17 354 667 / 111 000 = 70 356.76 → 70 357; other 1 014 310 makes 1 084 667 in all; net 1 446 222 − 1 084 667 = 361 555.
    .init(
        name: "absence + other reach G/12 together",
        input: input("2025-05", birth: "2003-01-10", minutes: 450, other: 1_014_310), gOre: 13_016_000, factor: "2/3",
        annual: 17_354_667, days: 31, monthly: 1_446_222, absence: 70_357, net: 361_555, decision: true),
    .init(
        name: "absence + other 1 øre short of G/12",
        input: input("2025-05", birth: "2003-01-10", minutes: 450, other: 1_014_309), gOre: 13_016_000, factor: "2/3",
        annual: 17_354_667, days: 31, monthly: 1_446_222, absence: 70_357, net: 361_556, decision: false),
    // Full rate June 2023: payment 1 977 000, half = 988 500 = G/12: both conditions meet at the same øre.
    .init(
        name: "full rate: exactly half the payment and G/12",
        input: input("2023-06", start: "2022-01-10", other: 988_500), gOre: 11_862_000, factor: "1/1",
        annual: 23_724_000, days: 30, monthly: 1_977_000, net: 988_500, decision: true),
    .init(
        name: "full rate: 1 øre below half the payment", input: input("2023-06", start: "2022-01-10", other: 988_499),
        gOre: 11_862_000, factor: "1/1", annual: 23_724_000, days: 30, monthly: 1_977_000, net: 988_501, decision: false
    ),
    // The half-payment condition alone: with the G share lowered to 1/24 (494 250) only the half can fail.
    .init(
        name: "G share 1/24: exactly half the payment: decision",
        input: input("2023-06", start: "2022-01-10", other: 988_500), parameters: .gShareOneTwentyFourth,
        gOre: 11_862_000, factor: "1/1", annual: 23_724_000, days: 30, monthly: 1_977_000, net: 988_500, decision: true),
    .init(
        name: "G share 1/24: 1 øre below half the payment: none",
        input: input("2023-06", start: "2022-01-10", other: 988_499), parameters: .gShareOneTwentyFourth,
        gOre: 11_862_000, factor: "1/1", annual: 23_724_000, days: 30, monthly: 1_977_000, net: 988_501, decision: false
    ),
    // Deductions above the payment: net 0, and the whole payment is deducted.
    .init(
        name: "deductions above the payment: net 0", input: input("2025-05", other: 5_000_000), gOre: 13_016_000,
        factor: "1/1", annual: 26_032_000, days: 31, monthly: 2_169_333, net: 0, decision: true),
    // Starts 20 June: 11/30; 2 169 333 × 11/30 = 795 422.1 → 795 422. All of it is deducted, but 795 422 < G/12 (1 084 666.67).
    .init(
        name: "whole short payment deducted, still below G/12",
        input: input("2025-06", start: "2025-06-20", other: 2_000_000), gOre: 13_016_000, factor: "1/1",
        annual: 26_032_000, days: 11, monthly: 795_422, net: 0, decision: false),
]

@Suite("Introduction benefit")
struct IntroductionBenefitTests {
    static func parameters(_ set: BenefitParameterSet) -> ProgrammeParameters {
        switch set {
        case .shipped: return shippedProgrammeParameters
        case .couplesFrom2025: return withCouplesFactor(from: "2025-01-01")
        case .gShareOneTwentyFourth:
            var p = shippedProgrammeParameters
            p.integreringsloven.benefit.decisionShareOfG = Dated([
                DatedValue(from: day("2021-01-01"), value: Ratio(1, 24)!, reference: "test")
            ])
            return p
        }
    }

    @Test("Monthly benefit", arguments: benefitCases)
    func monthly(_ c: BenefitCase) throws {
        let r = try IntroductionBenefit(parameters: Self.parameters(c.parameters)).calculate(c.input)
        #expect(r.gOre == c.gOre)
        #expect(r.factor == c.factor)
        #expect(r.annualRateOre == c.annual)
        #expect(r.daysInProgramme == c.days)
        #expect(r.daysInMonth == c.input.month.numberOfDays)
        #expect(r.monthlyOre == c.monthly)
        #expect(r.absenceDeductionOre == c.absence)
        #expect(r.otherDeductionsOre == c.input.otherDeductionsOre)
        #expect(r.netOre == c.net)
        #expect(r.deductedOre == c.monthly - c.net)
        #expect(r.requiresDecision == c.decision)
        for check in r.checks {
            #expect(!check.reference.isEmpty, "\(check.rule)")
            #expect(
                IntroductionBenefit.ruleIDs.contains(check.rule),
                "\(check.rule) is not listed in IntroductionBenefit.ruleIDs")
        }
        #expect(r.checks.first { $0.rule == "benefit_decision_required" }?.passed == c.decision)
        #expect(r.checks.first { $0.rule == "benefit_month_in_programme" }?.passed == (c.days > 0))
    }

    @Test("The couples check says whether the factor was applied")
    func couplesCheck() throws {
        let off = try IntroductionBenefit(parameters: shippedProgrammeParameters).calculate(
            input("2025-05", couple: true))
        let offCheck = try #require(off.checks.first { $0.rule == "benefit_couple_without_children" })
        #expect(offCheck.passed == false)
        #expect(offCheck.values == ["not_in_force"])
        #expect(offCheck.reference.contains("Prop. 101 L"))
        let on = try IntroductionBenefit(parameters: withCouplesFactor(from: "2025-01-01")).calculate(
            input("2025-05", couple: true))
        let onCheck = try #require(on.checks.first { $0.rule == "benefit_couple_without_children" })
        #expect(onCheck.passed == true)
        #expect(onCheck.values == ["5/6", "2025-01-01"])
        // No couples check when the flag is not set.
        let none = try IntroductionBenefit(parameters: shippedProgrammeParameters).calculate(input("2025-05"))
        #expect(!none.checks.contains { $0.rule == "benefit_couple_without_children" })
    }

    @Test("The shipped file has no in-force date for the couples factor")
    func couplesOffByDefault() {
        #expect(
            shippedProgrammeParameters.integreringsloven.benefit.coupleWithoutChildrenFactor?.entries.isEmpty == true)
        #expect(shippedProgrammeParameters.introduksjonsloven.benefit.coupleWithoutChildrenFactor == nil)
    }

    @Test("A month outside the programme says so, and is 0")
    func outside() throws {
        let r = try IntroductionBenefit(parameters: shippedProgrammeParameters).calculate(
            input("2025-04", end: "2025-03-31"))
        let check = try #require(r.checks.first)
        #expect(check.rule == "benefit_month_in_programme")
        #expect(check.passed == false)
        #expect(check.values.prefix(2) == ["0", "30"])
        #expect(r.netOre == 0 && r.monthlyOre == 0 && !r.requiresDecision)
    }

    @Test("A new G in the parameters changes the result: 2026-05-01 at 136 000 kr (hypothetical)")
    func newG() throws {
        var p = shippedProgrammeParameters
        let before = try IntroductionBenefit(parameters: p).calculate(input("2026-05"))
        #expect(before.gOre == 13_016_000)
        #expect(before.monthlyOre == 2_169_333)
        p.grunnbelopKroner = Dated(
            p.grunnbelopKroner.entries + [
                DatedValue(from: day("2026-05-01"), value: 136_000, reference: "G fra 1. mai 2026 (test)")
            ])
        // 2 × 13 600 000 = 27 200 000; / 12 = 2 266 666.67 → 2 266 667.
        let after = try IntroductionBenefit(parameters: p).calculate(input("2026-05"))
        #expect(after.gOre == 13_600_000)
        #expect(after.annualRateOre == 27_200_000)
        #expect(after.monthlyOre == 2_266_667)
        #expect(after.checks.first { $0.rule == "benefit_full_rate" }?.values == ["2", "136000", "2026-05-01"])
        // April 2026 is still on the 2025 G.
        #expect(try IntroductionBenefit(parameters: p).calculate(input("2026-04")).monthlyOre == 2_169_333)
    }
}

struct BenefitErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: IntroductionBenefit.Input
    var expected: ProgrammeInputError
    var testDescription: String { name }
}

let benefitErrorCases: [BenefitErrorCase] = [
    .init(
        name: "negative absence", input: input("2025-05", minutes: -1),
        expected: .invalid(field: "invalidAbsenceMinutes", reason: "must not be negative")),
    .init(
        name: "absence longer than the days in the programme",
        input: input("2025-06", start: "2025-06-30", minutes: 24 * 60 + 1),
        expected: .invalid(
            field: "invalidAbsenceMinutes", reason: "more than the time in the programme in 2025-06 (1 days)")),
    .init(
        name: "absence in a month outside the programme", input: input("2025-06", start: "2025-07-01", minutes: 60),
        expected: .invalid(
            field: "invalidAbsenceMinutes", reason: "more than the time in the programme in 2025-06 (0 days)")),
    .init(
        name: "negative other deductions", input: input("2025-05", other: -100),
        expected: .invalid(field: "otherDeductionsOre", reason: "must not be negative")),
    .init(
        name: "end before start", input: input("2025-05", start: "2025-05-10", end: "2025-05-09"),
        expected: .invalid(field: "programmeEnd", reason: "before programmeStart")),
    .init(
        name: "born after the month's first day", input: input("2025-05", birth: "2025-05-02"),
        expected: .invalid(field: "birthDate", reason: "after 2025-05-01, the day the age for 2025-05 is taken")),
    .init(
        name: "law regime undetermined", input: input("2025-05", law: .undetermined),
        expected: .invalid(field: "lawRegime", reason: "the law regime must be known")),
    .init(
        name: "2021 law before it was in force", input: input("2020-06", start: "2020-01-06"),
        expected: .missingParameter(
            name: "integreringsloven.benefit.fullRateG", date: LocalDate(year: 2020, month: 6, day: 1)!)),
    .init(
        name: "no G before 2015-05-01", input: input("2014-06", law: .introduksjonsloven2003, start: "2013-09-02"),
        expected: .missingParameter(name: "grunnbelopKroner", date: LocalDate(year: 2014, month: 6, day: 1)!)),
]

@Suite("Introduction benefit: bad input")
struct IntroductionBenefitErrorTests {
    @Test("Bad input throws a typed error naming the field", arguments: benefitErrorCases)
    func rejected(_ c: BenefitErrorCase) {
        #expect(throws: c.expected) {
            try IntroductionBenefit(parameters: shippedProgrammeParameters).calculate(c.input)
        }
    }

    @Test("A ratio needs a positive denominator")
    func badRatio() {
        #expect(Ratio(1, 0) == nil)
        #expect(Ratio(-1, 3) == nil)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Ratio.self, from: Data(#"{"numerator": 1, "denominator": 0}"#.utf8))
        }
    }
}

@Suite("Exact money arithmetic")
struct MoneyArithmeticTests {
    @Test(
        "a × b / c rounds to nearest, halves away from zero",
        arguments: [
            (5, 1, 2, 3), (7, 1, 2, 4), (-5, 1, 2, -3), (1, 1, 3, 0), (2, 1, 3, 1), (26_032_000, 2, 3, 17_354_667),
            (2_169_333, 15, 30, 1_084_667), (2_169_333, 1, 2, 1_084_667), (2_169_332, 1, 2, 1_084_666), (99, 1, 100, 1),
            (49, 1, 100, 0),
        ])
    func rounding(_ a: Int, _ b: Int, _ c: Int, _ expected: Int) {
        #expect(mulDivRounded(a, b, c) == expected)
    }

    @Test("Overflow and a non-positive divisor give nil, not a crash")
    func guarded() {
        #expect(mulDivRounded(Int.max, 2, 3) == nil)
        #expect(mulDivRounded(1, 1, 0) == nil)
    }

    @Test(
        "Fractions multiply exactly and print in lowest terms",
        arguments: [
            (2, 3, 5, 6, "5/9"), (1, 3, 5, 6, "5/18"), (1, 1, 5, 6, "5/6"), (2, 4, 1, 1, "1/2"), (3, 3, 1, 1, "1/1"),
        ])
    func fractions(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ expected: String) {
        #expect(Ratio(a, b)!.multiplied(by: Ratio(c, d)!).description == expected)
    }

    @Test(
        "Months parse strictly",
        arguments: [("2025-05", true), ("2025-13", false), ("2025-5", false), ("25-05", false), ("2024-02", true)])
    func yearMonth(_ s: String, _ ok: Bool) {
        #expect((YearMonth(iso: s) != nil) == ok)
        if ok { #expect(YearMonth(iso: s)!.iso == s) }
    }
}
