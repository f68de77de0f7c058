/// A person's course through the introduction programme (integreringsloven kap. 4) as the rules see it: the dates
/// and records of the programme, and what follows from them on a day: where the participant stands, when the
/// programme ends as planned, when the plan is next reviewed, the weeks short of full time and the benefit month by
/// month. Pure: the feature fills it from its records.
public struct ProgrammeCourse: Sendable {
    public struct Leave: Sendable, Equatable {
        public var from: LocalDate
        public var to: LocalDate
        /// Leave granted without the benefit is not paid (integreringsloven § 17, integreringsforskriften kap. 4).
        public var withBenefit: Bool
        public init(from: LocalDate, to: LocalDate, withBenefit: Bool = true) {
            self.from = from
            self.to = to
            self.withBenefit = withBenefit
        }
    }
    /// Absence recorded on a day (or a week entered on its Monday).
    public struct Absence: Sendable, Equatable {
        public var date: LocalDate
        public var minutes: Int
        public var kind: AbsenceKind
        public init(date: LocalDate, minutes: Int, kind: AbsenceKind) {
            self.date = date
            self.minutes = minutes
            self.kind = kind
        }
    }
    /// Another deduction from a month's benefit (integreringsloven § 23), in øre.
    public struct Deduction: Sendable, Equatable {
        public var month: YearMonth
        public var amountOre: Int
        public init(month: YearMonth, amountOre: Int) {
            self.month = month
            self.amountOre = amountOre
        }
    }

    public var lawRegime: LawRegime
    public var birthDate: LocalDate
    public var residenceGround: PersonFacts.ResidenceGround
    public var hasEducationBackground: Bool
    public var decisionDate: LocalDate?
    public var startDate: LocalDate?
    public var endDate: LocalDate?
    public var planDate: LocalDate?
    public var contractSigned: LocalDate?
    public var stopKind: StopKind?
    public var stopDate: LocalDate?
    /// The last day of a temporary stop once lifted; nil while it lasts.
    public var stopEnd: LocalDate?
    public var finalGoal: FinalGoal?
    public var endReason: EndReason?
    public var plannedMonths: Int?
    public var extensionMonths: Int
    public var livesWithParents: Bool
    public var coupleWithoutChildren: Bool
    public var measures: [PlannedMeasure]
    public var leaves: [Leave]
    public var absences: [Absence]
    public var reviews: [LocalDate]
    public var deductions: [Deduction]
    public var parameters: ProgrammeParameters
    /// The day the course is seen from.
    public var today: LocalDate

    public init(
        lawRegime: LawRegime, birthDate: LocalDate, residenceGround: PersonFacts.ResidenceGround,
        hasEducationBackground: Bool, decisionDate: LocalDate? = nil, startDate: LocalDate? = nil,
        endDate: LocalDate? = nil, planDate: LocalDate? = nil, contractSigned: LocalDate? = nil,
        stopKind: StopKind? = nil, stopDate: LocalDate? = nil, stopEnd: LocalDate? = nil, finalGoal: FinalGoal? = nil,
        endReason: EndReason? = nil,
        plannedMonths: Int? = nil, extensionMonths: Int = 0, livesWithParents: Bool = false,
        coupleWithoutChildren: Bool = false, measures: [PlannedMeasure] = [], leaves: [Leave] = [],
        absences: [Absence] = [], reviews: [LocalDate] = [], deductions: [Deduction] = [],
        parameters: ProgrammeParameters, today: LocalDate
    ) {
        self.lawRegime = lawRegime
        self.birthDate = birthDate
        self.residenceGround = residenceGround
        self.hasEducationBackground = hasEducationBackground
        self.decisionDate = decisionDate
        self.startDate = startDate
        self.endDate = endDate
        self.planDate = planDate
        self.contractSigned = contractSigned
        self.stopKind = stopKind
        self.stopDate = stopDate
        self.stopEnd = stopEnd
        self.finalGoal = finalGoal
        self.endReason = endReason
        self.plannedMonths = plannedMonths
        self.extensionMonths = extensionMonths
        self.livesWithParents = livesWithParents
        self.coupleWithoutChildren = coupleWithoutChildren
        self.measures = measures
        self.leaves = leaves
        self.absences = absences
        self.reviews = reviews
        self.deductions = deductions
        self.parameters = parameters
        self.today = today
    }

    /// The law the programme runs under; an undetermined regime is treated as the 2021 act's.
    public var regime: LawRegime { lawRegime == .undetermined ? .integreringsloven2021 : lawRegime }

    /// Where the participant stands on `today`: ended, stopped for good (§ 30), on leave, stopped for a while,
    /// still in mapping (no decision), decided but not started, in the programme, or past its planned end.
    public var status: ProgrammeStatus {
        if let e = endDate, e <= today { return .ended }
        if stopKind == .permanent, let s = stopDate, s <= today { return .stopped }
        if leaves.contains(where: { $0.from <= today && today <= $0.to }) { return .onLeave }
        if stopKind == .temporary, stopEnd.map({ $0 >= today }) ?? true { return .stoppedTemporarily }
        guard decisionDate != nil else { return .mapping }
        if let s = startDate, s <= today { return (plannedEnd.map { $0 < today } ?? false) ? .pastPlannedEnd : .active }
        return .decided
    }

    /// Counts on a caseload: decided and not ended or permanently stopped.
    public var isOpen: Bool { [.decided, .active, .onLeave, .stoppedTemporarily, .pastPlannedEnd].contains(status) }

    /// The last day of the decided length with any extension (integreringsloven §§ 13–14).
    public var plannedEnd: LocalDate? {
        guard let s = startDate, let months = plannedMonths else { return nil }
        return s.adding(months: months + extensionMonths).adding(days: -1)
    }

    /// The next plan review: the last review (or the plan date) plus the review interval in force, while the
    /// programme is open; nil when no interval is configured for the day.
    public var nextReview: LocalDate? {
        guard let last = (reviews + [planDate].compactMap { $0 }).max(), isOpen,
            let months = parameters.planReviewIntervalMonths.entry(on: today)?.value
        else { return nil }
        return last.adding(months: months)
    }

    /// Short weeks from the start (or four weeks back) through the planned end, at most a year ahead.
    public var shortWeeks: [WeekLoad] {
        guard let s = startDate else { return [] }
        let until = min(plannedEnd ?? s.adding(years: 1), endDate ?? s.adding(years: 5), today.adding(years: 1))
        return FullTime.shortWeeks(measures, from: max(s, today.adding(days: -28)), to: until, parameters: parameters)
    }

    /// The mandatory content the plan lacks (integreringsloven §§ 13–14).
    public func missingContent(childUnder18: Bool) -> [String] {
        MandatoryContent.missing(
            kinds: Set(measures.map(\.kind)), childUnder18: childUnder18,
            collectiveProtection: residenceGround == .collectiveProtection)
    }

    /// Holiday taken in a calendar year, in working days of 7.5 hours.
    public func holidayDays(in year: Int) -> Double {
        Double(absences.filter { $0.kind == .holiday && $0.date.year == year }.reduce(0) { $0 + $1.minutes }) / 450
    }

    /// Invalid absence in a month: the only absence that reduces the benefit (integreringsloven § 20).
    public func invalidAbsenceMinutes(in month: YearMonth) -> Int {
        absences.filter { $0.kind == .invalid && YearMonth($0.date) == month }.reduce(0) { $0 + $1.minutes }
    }

    /// The days without benefit: a temporary stop from its date through its end (or for as long as it lasts,
    /// integreringsloven § 18) and leave granted without the benefit (§ 17). The benefit follows participation
    /// (§ 19), so these days are not paid.
    public var unpaidPeriods: [IntroductionBenefit.Input.Period] {
        var out = leaves.filter { !$0.withBenefit }.map { IntroductionBenefit.Input.Period(from: $0.from, to: $0.to) }
        if stopKind == .temporary, let s = stopDate {
            out.append(.init(from: s, to: stopEnd ?? s.adding(years: 100)))
        }
        return out
    }

    /// The benefit for a month, from the start through the end, a permanent stop or the planned end, less the
    /// unpaid days of a temporary stop or leave without benefit.
    public func benefit(for month: YearMonth) -> IntroductionBenefit.Result? {
        guard let s = startDate else { return nil }
        // A permanent stop ends the payments like an ending does.
        let stopped = stopKind == .permanent ? stopDate : nil
        let last = [endDate, stopped, plannedEnd].compactMap { $0 }.min()
        return try? IntroductionBenefit(parameters: parameters).calculate(
            .init(
                month: month, birthDate: birthDate, livesWithParents: livesWithParents,
                coupleWithoutChildrenBothParticipants: coupleWithoutChildren, lawRegime: regime, programmeStart: s,
                programmeEnd: last, invalidAbsenceMinutes: invalidAbsenceMinutes(in: month),
                otherDeductionsOre: deductions.filter { $0.month == month }.reduce(0) { $0 + $1.amountOre },
                unpaidPeriods: unpaidPeriods))
    }

    /// Every month from the start to this month (or the end), newest first.
    public var benefitHistory: [IntroductionBenefit.Result] {
        guard let s = startDate else { return [] }
        var out: [IntroductionBenefit.Result] = []
        var m = YearMonth(s)
        let last = YearMonth(min(endDate ?? today, today))
        while m <= last {
            if let r = benefit(for: m) { out.append(r) }
            m = YearMonth(m.lastDay.adding(days: 1))
        }
        return out.reversed()
    }

    /// What NIR's reporting needs, as present or missing.
    public var nirSnapshot: NIRCompleteness.Snapshot {
        .init(
            regime: regime, hasDecision: decisionDate != nil, hasFinalGoal: finalGoal != nil,
            hasContract: contractSigned != nil, hasMeasures: !measures.isEmpty,
            hasEducationBackground: hasEducationBackground, ended: endDate != nil, hasEndReason: endReason != nil)
    }
}
