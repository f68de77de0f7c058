import Foundation

/// The introduction benefit (introduksjonsstønad) for one participant and one month: integreringsloven
/// §§ 19–21 and 25 (2021) and introduksjonsloven §§ 8–9 (2003), with every number from `ProgrammeParameters`.
///
/// Conventions (all results depend on them; change them only with a new rule version):
/// - **Money is integer øre** everywhere, in and out. G is published in whole kroner and used × 100.
/// - **Rounding:** each computed amount is rounded once, to the nearest øre, halves away from zero,
///   from exact integer/rational arithmetic (no floating point): the annual rate, the full monthly
///   amount, the pro-rata amount and the absence deduction, in that order.
/// - **The month's first day decides** the G, the age and every other parameter used for the month.
///   A participant who turns 25 on the 2nd is "under 25" for the whole month; a G from 1 May applies to May.
/// - **Annual rate** = full rate (2 G) × factor. The factor is 1/1, or the under-25 factor (2/3; 1/3 when living
///   with a parent under integreringsloven, 2/3 regardless under introduksjonsloven), multiplied by the couples
///   factor (5/6) only when that parameter has an entry in force on the month's first day (the shipped file has none).
/// - **Monthly** = annual / 12 (rounded), then **pro rata by calendar days** when the programme starts or ends inside
///   the month, or a temporary stop (§ 18) or leave without benefit (§ 17) covers some of its days: monthly × paid
///   days in programme / days in month (rounded). `programmeEnd` is the last day in the programme
///   (inclusive). A month wholly outside the programme pays 0, with a check saying so. (Introduksjonsloven's daily
///   rate of 1/30 of the monthly amount is not used: partial months are paid by calendar days for both laws.)
/// - **Absence deduction** = hours × annual / 1850 (rounded), with hours given as whole **minutes**
///   (`invalidAbsenceMinutes`, so 7.5 h = 450 and a 45-minute lesson = 45): minutes × annual / (1850 × 60).
///   It is computed on the annual rate, not on the pro-rata amount.
/// - **Net** = monthly − absence − other deductions, never below 0; the amount actually deducted is
///   `monthlyOre − netOre`.
/// - **Decision required** when the amount actually deducted is ≥ 1/2 of the monthly (pro-rata) payment **and**
///   ≥ 1/12 G, compared exactly (no rounding of the thresholds). With the shipped 2 G and factors ≤ 1, half a payment
///   never exceeds G/12, so in practice the G condition decides.
public struct IntroductionBenefit: Sendable {
    /// Every `Check.rule` this calculator can produce (the person page has a sentence for each).
    public static let ruleIDs: Set<String> = [
        "benefit_month_in_programme", "benefit_full_rate", "benefit_age_under_limit", "benefit_lives_with_parents",
        "benefit_couple_without_children", "benefit_factor", "benefit_absence_deduction", "benefit_other_deductions",
        "benefit_decision_required",
    ]

    public struct Input: Sendable, Equatable, Codable {
        public var month: YearMonth
        public var birthDate: LocalDate
        /// Lives with one or both parents (integreringsloven § 20; ignored under introduksjonsloven).
        public var livesWithParents: Bool
        /// Part of a couple without children where both are participants (integreringsloven § 20, Prop. 101 L
        /// (2023–2024)).
        public var coupleWithoutChildrenBothParticipants: Bool
        public var lawRegime: LawRegime
        /// First day in the programme.
        public var programmeStart: LocalDate
        /// Last day in the programme (inclusive), if it has ended or an end is planned.
        public var programmeEnd: LocalDate?
        /// Invalid absence in the month, in whole minutes (7.5 hours = 450).
        public var invalidAbsenceMinutes: Int
        /// Other reductions for the month (other public benefits, own income, offset of an overpayment), øre.
        public var otherDeductionsOre: Int
        /// Days without benefit inside the programme: a temporary stop (integreringsloven § 18) and leave granted
        /// without benefit (§ 17 and integreringsforskriften), each inclusive. The month is paid pro rata for the
        /// other days.
        public var unpaidPeriods: [Period]

        /// A span of days, both ends included.
        public struct Period: Sendable, Equatable, Codable {
            public var from: LocalDate
            public var to: LocalDate
            public init(from: LocalDate, to: LocalDate) {
                self.from = from
                self.to = to
            }
        }

        public init(
            month: YearMonth, birthDate: LocalDate, livesWithParents: Bool = false,
            coupleWithoutChildrenBothParticipants: Bool = false, lawRegime: LawRegime,
            programmeStart: LocalDate, programmeEnd: LocalDate? = nil,
            invalidAbsenceMinutes: Int = 0, otherDeductionsOre: Int = 0, unpaidPeriods: [Period] = []
        ) {
            self.unpaidPeriods = unpaidPeriods
            self.month = month
            self.birthDate = birthDate
            self.livesWithParents = livesWithParents
            self.coupleWithoutChildrenBothParticipants = coupleWithoutChildrenBothParticipants
            self.lawRegime = lawRegime
            self.programmeStart = programmeStart
            self.programmeEnd = programmeEnd
            self.invalidAbsenceMinutes = invalidAbsenceMinutes
            self.otherDeductionsOre = otherDeductionsOre
        }
    }

    public struct Result: Sendable, Equatable, Codable {
        public var month: YearMonth
        /// Age on the month's first day.
        public var age: Int
        /// G in force on the month's first day, øre.
        public var gOre: Int
        /// The factor applied to the full rate, in lowest terms: "1/1", "2/3", "1/3", "5/6", "5/9".
        public var factor: String
        /// Full rate × G × factor, øre.
        public var annualRateOre: Int
        /// annual / 12, øre, before pro rata.
        public var fullMonthOre: Int
        /// Calendar days of the month inside the programme, and the month's length: the pro-rata fraction used.
        public var daysInProgramme: Int
        public var daysInMonth: Int
        /// The month's payment before deductions (pro rata), øre.
        public var monthlyOre: Int
        public var absenceDeductionOre: Int
        /// As given in the input.
        public var otherDeductionsOre: Int
        /// What is actually deducted: `monthlyOre − netOre` (the deductions, capped at the payment).
        public var deductedOre: Int
        /// Paid out, never below 0.
        public var netOre: Int
        /// The deduction needs an individual decision (enkeltvedtak).
        public var requiresDecision: Bool
        public var checks: [Check]
    }

    public var parameters: ProgrammeParameters
    public init(parameters: ProgrammeParameters) { self.parameters = parameters }

    public func calculate(_ input: Input) throws(ProgrammeInputError) -> Result {
        let month = input.month
        let first = month.firstDay
        let regime = try parameters.regime(input.lawRegime)
        let b = regime.benefit
        let lawName = input.lawRegime == .integreringsloven2021 ? "integreringsloven" : "introduksjonsloven"

        // Input checks, each naming its field.
        if input.birthDate > first {
            throw .invalid(field: "birthDate", reason: "after \(first.iso), the day the age for \(month.iso) is taken")
        }
        if let end = input.programmeEnd, end < input.programmeStart {
            throw .invalid(field: "programmeEnd", reason: "before programmeStart")
        }
        if input.invalidAbsenceMinutes < 0 {
            throw .invalid(field: "invalidAbsenceMinutes", reason: "must not be negative")
        }
        if input.otherDeductionsOre < 0 { throw .invalid(field: "otherDeductionsOre", reason: "must not be negative") }

        // Parameters in force on the month's first day.
        func p<T>(_ d: Dated<T>, _ name: String) throws(ProgrammeInputError) -> DatedValue<T> {
            guard let e = d.entry(on: first) else {
                throw .missingParameter(name: "\(lawName).benefit.\(name)", date: first)
            }
            return e
        }
        let g = try parameters.grunnbelopOre(on: first)
        let fullRate = try p(b.fullRateG, "fullRateG")
        let ageLimit = try p(b.youngAgeLimit, "youngAgeLimit")
        let monthsPerYear = try p(b.monthsPerYear, "monthsPerYear")
        let hourly = try p(b.absenceHourlyDivisor, "absenceHourlyDivisor")
        let shareOfPayment = try p(b.decisionShareOfPayment, "decisionShareOfPayment")
        let shareOfG = try p(b.decisionShareOfG, "decisionShareOfG")

        // Days of the month inside the programme, less the days of a stop or of leave without benefit (each day
        // counted once, however the periods overlap).
        let from = max(first, input.programmeStart)
        let to = min(month.lastDay, input.programmeEnd ?? month.lastDay)
        var unpaid = 0
        if from <= to {
            var day = from
            while day <= to {
                if input.unpaidPeriods.contains(where: { $0.from <= day && day <= $0.to }) { unpaid += 1 }
                day = day.adding(days: 1)
            }
        }
        let days = from <= to ? from.days(until: to) + 1 - unpaid : 0
        if input.invalidAbsenceMinutes > days * 24 * 60 {
            throw .invalid(
                field: "invalidAbsenceMinutes",
                reason: "more than the time in the programme in \(month.iso) (\(days) days)")
        }

        // A month wholly outside the programme pays 0; the check says so.
        var checks = [
            Check(
                "benefit_month_in_programme", days > 0,
                input.lawRegime == .integreringsloven2021
                    ? "integreringsloven § 19; pro rata by calendar days"
                    : "introduksjonsloven § 8; pro rata by calendar days",
                [String(days), String(month.numberOfDays), input.programmeStart.iso, input.programmeEnd?.iso ?? ""])
        ]
        let age = input.birthDate.age(on: first)

        // Factor: under 25 (with or without parents), then the couples factor if in force.
        var factor = Ratio.one
        var factorReference = fullRate.reference
        checks.append(
            Check(
                "benefit_full_rate", true, fullRate.reference,
                [String(fullRate.value), String(g.value / 100), g.from.iso]))
        let young = age < ageLimit.value
        checks.append(
            Check("benefit_age_under_limit", young, ageLimit.reference, [String(age), String(ageLimit.value)]))
        if young {
            let youngFactor = try p(b.youngFactor, "youngFactor")
            (factor, factorReference) = (youngFactor.value, youngFactor.reference)
            if let withParentsParam = b.youngWithParentsFactor {
                let withParents = try p(withParentsParam, "youngWithParentsFactor")
                checks.append(Check("benefit_lives_with_parents", input.livesWithParents, withParents.reference))
                if input.livesWithParents { (factor, factorReference) = (withParents.value, withParents.reference) }
            }
        }
        if input.coupleWithoutChildrenBothParticipants {
            if let couple = b.coupleWithoutChildrenFactor?.entry(on: first) {
                factor = factor.multiplied(by: couple.value)
                factorReference += "; " + couple.reference
                checks.append(
                    Check(
                        "benefit_couple_without_children", true, couple.reference,
                        [couple.value.description, couple.from.iso]))
            } else {
                // Not in force on the month's first day (no in-force date set), or not a rule of this law.
                checks.append(
                    Check(
                        "benefit_couple_without_children", false,
                        b.coupleWithoutChildrenFactor == nil
                            ? "\(lawName): no couples factor"
                            : "integreringsloven § 20 (Prop. 101 L (2023–2024)): not in force on \(first.iso) in the "
                                + "parameters",
                        ["not_in_force"]))
            }
        }
        factor = factor.reduced

        guard let gTimesRate = checkedMultiply(g.value, fullRate.value),
            let annual = mulDivRounded(gTimesRate, factor.numerator, factor.denominator),
            let fullMonth = mulDivRounded(annual, 1, monthsPerYear.value),
            let monthly = mulDivRounded(fullMonth, days, month.numberOfDays),
            let minutesPerDivisor = checkedMultiply(hourly.value, 60),
            let absence = mulDivRounded(input.invalidAbsenceMinutes, annual, minutesPerDivisor)
        else {
            throw .invalid(field: "parameters", reason: "amount out of range")
        }
        checks.append(Check("benefit_factor", true, factorReference, [factor.description, String(annual)]))

        if input.invalidAbsenceMinutes > 0 {
            checks.append(
                Check(
                    "benefit_absence_deduction", true, hourly.reference,
                    [String(input.invalidAbsenceMinutes), String(hourly.value), String(absence)]))
        }
        if input.otherDeductionsOre > 0 {
            checks.append(
                Check(
                    "benefit_other_deductions", true,
                    input.lawRegime == .integreringsloven2021
                        ? "integreringsloven §§ 22, 23 og 25" : "introduksjonsloven (samordning og trekk)",
                    [String(input.otherDeductionsOre)]))
        }

        // Deductions capped at the payment; the sum cannot overflow because each part is capped first.
        let deducted = min(monthly, min(absence, monthly) + min(input.otherDeductionsOre, monthly))
        let net = monthly - deducted

        // Exact comparisons: deducted/payment ≥ n/d  ⇔  deducted·d ≥ payment·n; the same against G.
        guard let dPay = checkedMultiply(deducted, shareOfPayment.value.denominator),
            let pay = checkedMultiply(monthly, shareOfPayment.value.numerator),
            let dG = checkedMultiply(deducted, shareOfG.value.denominator),
            let gShare = checkedMultiply(g.value, shareOfG.value.numerator)
        else {
            throw .invalid(field: "parameters", reason: "amount out of range")
        }
        let halfOK = dPay >= pay
        let gOK = dG >= gShare
        let requiresDecision = deducted > 0 && halfOK && gOK
        checks.append(
            Check(
                "benefit_decision_required", requiresDecision, shareOfG.reference,
                [String(deducted), String(monthly), shareOfPayment.value.description, shareOfG.value.description]))

        return Result(
            month: month, age: age, gOre: g.value, factor: factor.description, annualRateOre: annual,
            fullMonthOre: fullMonth, daysInProgramme: days, daysInMonth: month.numberOfDays, monthlyOre: monthly,
            absenceDeductionOre: absence, otherDeductionsOre: input.otherDeductionsOre, deductedOre: deducted,
            netOre: net, requiresDecision: requiresDecision, checks: checks)
    }
}
