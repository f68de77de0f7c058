import Foundation

/// The participant's final goal (sluttmål) for the programme (integreringsloven § 13 and § 14).
public enum FinalGoal: String, CaseIterable, Sendable, Codable {
    case work, higherEducation = "higher_education", upperSecondaryCompletion = "upper_secondary_completion"
    case primarySchool = "primary_school", other
}

/// The participant groups that decide the programme's length.
public enum ProgrammeGroup: String, CaseIterable, Sendable, Codable {
    /// Integreringsloven § 13: upper-secondary education or higher; goal work or higher education. 3–6 months + 6.
    case upperSecondaryOrHigher = "upper_secondary_or_higher"
    /// § 14: under 25 without upper-secondary education; goal as a rule upper-secondary completion. 3 months–3 years +
    /// 1 year.
    case under25WithoutUpperSecondary = "under_25_without_upper_secondary"
    /// § 14: 25 or older without upper-secondary education, goal upper-secondary completion. 3 months–3 years + 1 year.
    case upperSecondaryGoal25Plus = "upper_secondary_goal_25_plus"
    /// § 14: the others without upper-secondary education (work, primary school, part of upper secondary). 3 months–2
    /// years + 1 year.
    case otherWithoutUpperSecondary = "other_without_upper_secondary"
    /// Introduksjonsloven § 5: up to 2 years, up to 3 when there are special reasons.
    case introduksjonsloven2003 = "introduksjonsloven_2003"
}

/// The last day of the programme (inclusive) for the shortest and longest ordinary programme and with the
/// longest extension: `start + N calendar months − 1 day`, with `LocalDate.adding(months:)` clamping to the end of
/// a shorter month (start 2025-01-01, 6 months → 2025-06-30). Approved leave is not included.
public struct PlannedEndRange: Sendable, Equatable, Codable {
    /// Nil when the law sets no minimum.
    public var earliest: LocalDate?
    public var latest: LocalDate
    public var latestWithExtension: LocalDate
}

/// The programme's ordinary length and extension for one participant, with the rule that gave it.
public struct DurationAssessment: Sendable, Equatable, Codable {
    public var lawRegime: LawRegime
    public var group: ProgrammeGroup
    public var limits: DurationLimits
    /// The legal source of the limits (from the parameter file).
    public var reference: String
    public var checks: [Check]

    public var minMonths: Int? { limits.minMonths }
    public var maxMonths: Int { limits.maxMonths }
    public var maxExtensionMonths: Int { limits.maxExtensionMonths }

    /// Planned end dates for a programme starting on `start` (see `PlannedEndRange`).
    public func plannedEnd(start: LocalDate) -> PlannedEndRange {
        func end(_ months: Int) -> LocalDate { start.adding(months: months).adding(days: -1) }
        return PlannedEndRange(
            earliest: limits.minMonths.map(end), latest: end(limits.maxMonths),
            latestWithExtension: end(limits.maxMonths + limits.maxExtensionMonths))
    }

    /// Whether a planned ordinary length (before any extension) is within the group's limits.
    public func plannedLengthCheck(months: Int) throws(ProgrammeInputError) -> Check {
        guard months > 0 else { throw .invalid(field: "months", reason: "must be positive") }
        let ok = months >= (limits.minMonths ?? 0) && months <= limits.maxMonths
        return Check(
            "duration_within_limits", ok, reference,
            [String(months), limits.minMonths.map(String.init) ?? "", String(limits.maxMonths)])
    }

    /// Whether a requested extension fits: all extensions together (`alreadyExtendedMonths` + `requestedMonths`) may
    /// not exceed `maxExtensionMonths`. Whether there is reason to expect the goal to be reached with it (2021 law) or
    /// there are special reasons (2003 law) is a discretionary assessment the caseworker records; this checks the
    /// numbers.
    public func extensionCheck(requestedMonths: Int, alreadyExtendedMonths: Int = 0) throws(ProgrammeInputError)
        -> Check
    {
        guard requestedMonths > 0 else { throw .invalid(field: "requestedMonths", reason: "must be positive") }
        guard alreadyExtendedMonths >= 0 else {
            throw .invalid(field: "alreadyExtendedMonths", reason: "must not be negative")
        }
        let total = alreadyExtendedMonths + requestedMonths
        return Check(
            "extension_within_limit", total <= limits.maxExtensionMonths, reference,
            [String(requestedMonths), String(alreadyExtendedMonths), String(limits.maxExtensionMonths)])
    }
}

/// Sorts a participant into a duration group (integreringsloven §§ 13–14, introduksjonsloven § 5) and gives the
/// ordinary length and the extension allowed, from `ProgrammeParameters`, as in force on the decision date.
///
/// Grouping under integreringsloven (IMDi, "Sluttmål og varighet i integreringsloven"):
/// 1. upper-secondary education or higher → `upperSecondaryOrHigher` (whatever the goal; a goal other than work or
///    higher education is flagged by the check `final_goal_fits_group`);
/// 2. otherwise, younger than 25 at the decision → `under25WithoutUpperSecondary` (goal "as a rule" upper secondary;
///    another goal is flagged, not refused);
/// 3. otherwise, goal upper-secondary completion → `upperSecondaryGoal25Plus`;
/// 4. otherwise → `otherWithoutUpperSecondary`.
/// Under introduksjonsloven everyone is in `introduksjonsloven2003`, and goal and education are not needed.
public struct ProgrammeDuration: Sendable {
    /// Every `Check.rule` this type can produce.
    public static let ruleIDs: Set<String> = [
        "duration_group", "final_goal_fits_group", "duration_within_limits", "extension_within_limit",
    ]

    public var parameters: ProgrammeParameters
    public init(parameters: ProgrammeParameters) { self.parameters = parameters }

    public func assess(
        lawRegime: LawRegime, finalGoal: FinalGoal?, ageAtDecision: Int,
        educationLevel: PersonFacts.EducationLevel?, decisionDate: LocalDate
    ) throws(ProgrammeInputError) -> DurationAssessment {
        let regime = try parameters.regime(lawRegime)
        guard ageAtDecision >= 0 else { throw .invalid(field: "ageAtDecision", reason: "must not be negative") }
        let lawName = lawRegime == .integreringsloven2021 ? "integreringsloven" : "introduksjonsloven"

        var checks: [Check] = []
        let group: ProgrammeGroup
        switch lawRegime {
        case .introduksjonsloven2003:
            group = .introduksjonsloven2003
        default:
            guard let education = educationLevel else {
                throw .invalid(field: "educationLevel", reason: "required under integreringsloven")
            }
            guard let goal = finalGoal else {
                throw .invalid(field: "finalGoal", reason: "required under integreringsloven")
            }
            guard let limitParam = regime.duration.youngAgeLimit, let limit = limitParam.entry(on: decisionDate) else {
                throw .missingParameter(name: "\(lawName).duration.youngAgeLimit", date: decisionDate)
            }
            let hasUpperSecondary = education == .upperSecondary || education == .higher
            let fits: Bool
            if hasUpperSecondary {
                group = .upperSecondaryOrHigher
                fits = goal == .work || goal == .higherEducation
            } else if ageAtDecision < limit.value {
                group = .under25WithoutUpperSecondary
                fits = goal == .upperSecondaryCompletion
            } else if goal == .upperSecondaryCompletion {
                group = .upperSecondaryGoal25Plus
                fits = true
            } else {
                group = .otherWithoutUpperSecondary
                fits = goal != .higherEducation
            }
            checks.append(
                Check(
                    "duration_group", true, limit.reference,
                    [group.rawValue, education.rawValue, String(ageAtDecision), String(limit.value), goal.rawValue]))
            checks.append(
                Check(
                    "final_goal_fits_group", fits,
                    group == .upperSecondaryOrHigher ? "integreringsloven § 13" : "integreringsloven § 14",
                    [goal.rawValue, group.rawValue]))
        }
        guard let limits = regime.duration.groups[group.rawValue]?.entry(on: decisionDate) else {
            throw .missingParameter(name: "\(lawName).duration.groups.\(group.rawValue)", date: decisionDate)
        }
        if lawRegime == .introduksjonsloven2003 {
            checks.append(Check("duration_group", true, limits.reference, [group.rawValue]))
        }
        return DurationAssessment(
            lawRegime: lawRegime, group: group, limits: limits.value, reference: limits.reference, checks: checks)
    }
}
