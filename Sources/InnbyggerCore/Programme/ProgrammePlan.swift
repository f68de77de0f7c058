extension LocalDate {
    /// 0 for Monday … 6 for Sunday (2024-01-01 was a Monday).
    public var weekdayFromMonday: Int {
        let offset = dayNumber - LocalDate(year: 2024, month: 1, day: 1)!.dayNumber
        return ((offset % 7) + 7) % 7
    }

    /// The Monday of this date's week.
    public var weekStart: LocalDate { adding(days: -weekdayFromMonday) }
}

/// One planned element of the programme: what, when, how many minutes a week.
public struct PlannedMeasure: Sendable, Equatable {
    public var kind: MeasureKind
    public var from: LocalDate
    public var to: LocalDate
    public var weeklyMinutes: Int
    /// Needs substantial self-study (the week then counts as full at the lower threshold).
    public var selfStudy: Bool
    public init(kind: MeasureKind, from: LocalDate, to: LocalDate, weeklyMinutes: Int, selfStudy: Bool = false) {
        self.kind = kind
        self.from = from
        self.to = to
        self.weeklyMinutes = weeklyMinutes
        self.selfStudy = selfStudy
    }
}

/// The planned load of one week (Monday to Sunday) against what full time requires that week.
public struct WeekLoad: Sendable, Equatable, Codable {
    public var weekStart: LocalDate
    public var plannedMinutes: Int
    public var requiredMinutes: Int
    public var isShort: Bool { plannedMinutes < requiredMinutes }
}

/// Full time in the introduction programme: 37.5 hours a week, or 30 when elements need substantial self-study
/// (integreringsloven § 13 and its preparatory works; fact sheet § 2). A measure counts in every week it
/// touches, whole.
public enum FullTime {
    public static let reference = "integreringsloven § 13 (programmet skal være på fulltid)"

    public static func weeks(
        _ measures: [PlannedMeasure], from: LocalDate, to: LocalDate, parameters: ProgrammeParameters
    ) -> [WeekLoad] {
        guard from <= to else { return [] }
        var out: [WeekLoad] = []
        var week = from.weekStart
        while week <= to {
            let end = week.adding(days: 6)
            let active = measures.filter { $0.from <= end && $0.to >= week }
            let full = parameters.fullTimeMinutesPerWeek.entry(on: week)?.value ?? 0
            let selfStudy = parameters.fullTimeMinutesPerWeekSelfStudy.entry(on: week)?.value ?? full
            out.append(
                WeekLoad(
                    weekStart: week, plannedMinutes: active.reduce(0) { $0 + $1.weeklyMinutes },
                    requiredMinutes: active.contains(where: \.selfStudy) ? selfStudy : full))
            week = week.adding(days: 7)
        }
        return out
    }

    public static func shortWeeks(
        _ measures: [PlannedMeasure], from: LocalDate, to: LocalDate, parameters: ProgrammeParameters
    ) -> [WeekLoad] {
        weeks(measures, from: from, to: to, parameters: parameters).filter(\.isShort)
    }
}

/// The content every programme must have (integreringsloven §§ 13–14; fact sheet § 2): Norwegian, social studies,
/// life skills (not under collective protection), an element aimed at work or education, and parenting guidance
/// for participants with children under 18.
public enum MandatoryContent {
    public static let reference = "integreringsloven §§ 13–14 (innhold i introduksjonsprogrammet)"
    public static let workOrEducation: Set<MeasureKind> = [
        .workPractice, .languagePractice, .jobSeeking, .primarySchool, .upperSecondary, .tradeCourse, .higherEducation,
    ]

    /// The element kinds missing from the plan, as measure kinds ("work_or_education" for the group).
    public static func missing(kinds: Set<MeasureKind>, childUnder18: Bool, collectiveProtection: Bool) -> [String] {
        var out: [String] = []
        if !kinds.contains(.norwegian) { out.append(MeasureKind.norwegian.rawValue) }
        if !kinds.contains(.socialStudies) { out.append(MeasureKind.socialStudies.rawValue) }
        if !collectiveProtection && !kinds.contains(.lifeSkills) { out.append(MeasureKind.lifeSkills.rawValue) }
        if kinds.isDisjoint(with: workOrEducation) { out.append("work_or_education") }
        if childUnder18 && !kinds.contains(.parentingGuidance) { out.append(MeasureKind.parentingGuidance.rawValue) }
        return out
    }
}

/// SSB's status one year after the programme (fact sheet § 7).
public enum OutcomeStatus: String, CaseIterable, Sendable, Codable {
    case employed, employedAndEducation = "employed_and_education", education
    case unemployedOrMeasure = "unemployed_or_measure", otherUnknown = "other_unknown"

    /// Employed, in education, or both: SSB's "in work or education".
    public var isWorkOrEducation: Bool { self == .employed || self == .employedAndEducation || self == .education }
}

/// The share in work or education among those with a recorded status, as SSB counts it.
public struct OutcomeShare: Sendable, Equatable {
    public var inWorkOrEducation: Int
    public var total: Int
    /// Whole per cent, rounded half up; nil without any status.
    public var percent: Int? { total == 0 ? nil : (inWorkOrEducation * 200 + total) / (2 * total) }
    public init(_ statuses: [OutcomeStatus]) {
        total = statuses.count
        inWorkOrEducation = statuses.filter(\.isWorkOrEducation).count
    }
}

/// What NIR needs about a participant that is not yet on file (fact sheet § 6). For introduksjonsloven 2003
/// participants the final goal and contract are not registered.
public enum NIRCompleteness {
    public struct Snapshot: Sendable {
        public var regime: LawRegime
        public var hasDecision: Bool
        public var hasFinalGoal: Bool
        public var hasContract: Bool
        public var hasMeasures: Bool
        public var hasEducationBackground: Bool
        public var ended: Bool
        public var hasEndReason: Bool
        public init(
            regime: LawRegime, hasDecision: Bool, hasFinalGoal: Bool, hasContract: Bool, hasMeasures: Bool,
            hasEducationBackground: Bool, ended: Bool, hasEndReason: Bool
        ) {
            self.regime = regime
            self.hasDecision = hasDecision
            self.hasFinalGoal = hasFinalGoal
            self.hasContract = hasContract
            self.hasMeasures = hasMeasures
            self.hasEducationBackground = hasEducationBackground
            self.ended = ended
            self.hasEndReason = hasEndReason
        }
    }

    public static func missing(_ s: Snapshot) -> [String] {
        var out: [String] = []
        if !s.hasDecision { out.append("decision") }
        if !s.hasEducationBackground { out.append("education_background") }
        if s.regime != .introduksjonsloven2003 {
            if !s.hasFinalGoal { out.append("final_goal") }
            if !s.hasContract { out.append("contract") }
        }
        if s.hasDecision && !s.hasMeasures { out.append("measures") }
        if s.ended && !s.hasEndReason { out.append("end_reason") }
        return out
    }
}

/// Attendance is recorded against the plan, so a week cannot hold more hours than the plan gives it: the measure's
/// weekly hours for entries tied to a measure, the hours of every measure running that week for entries that are
/// not (integreringsloven § 13: the programme is what the plan holds; hours beyond it were not offered, and counting
/// them would hide absence, which reduces the benefit under § 20).
public enum AttendanceCap {
    /// The minutes the week's entries may add up to, or nil when the plan holds nothing that week (then only the
    /// period's own maximum applies).
    public static func plannedMinutes(week: LocalDate, measures: [PlannedMeasure], measure: PlannedMeasure? = nil)
        -> Int?
    {
        let start = week.weekStart
        let end = start.adding(days: 6)
        let running = (measure.map { [$0] } ?? measures).filter { $0.from <= end && $0.to >= start }
        let total = running.reduce(0) { $0 + $1.weeklyMinutes }
        return total > 0 ? total : nil
    }

    /// Whether `adding` minutes fit beside the `recorded` minutes already in the week.
    public static func fits(recorded: Int, adding: Int, planned: Int?) -> Bool {
        guard let planned else { return true }
        return recorded + adding <= planned
    }
}
