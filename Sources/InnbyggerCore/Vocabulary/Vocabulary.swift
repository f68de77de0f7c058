/// The words the case files use, shared by every feature and stored by their raw values.

// MARK: The person's file

/// Why a partner sector may see a file: the person's consent or a legal basis (forvaltningsloven § 13 b).
public enum ShareBasis: String, CaseIterable, Codable, Sendable { case consent, legalBasis = "legal_basis" }

public enum Sex: String, CaseIterable, Codable, Sendable { case female, male, unspecified }

/// A household member's relation to the household's main person.
public enum FamilyRelation: String, CaseIterable, Codable, Sendable { case main, spouse, partner, child, parent, other }

/// How the person wants to be contacted by the services (and by a volunteer the file is shared with).
public enum ContactPreference: String, CaseIterable, Codable, Sendable {
    case phone, sms, email
    /// Through the integration service: the person's contact there passes messages on.
    case throughService = "through_service"
}

// MARK: The introduction programme (integreringsloven kap. 4)

/// The kinds of measure a programme plan holds.
public enum MeasureKind: String, CaseIterable, Codable, Sendable {
    case norwegian, socialStudies = "social_studies", lifeSkills = "life_skills", parentingGuidance =
        "parenting_guidance"
    case languagePractice = "language_practice", workPractice = "work_practice", primarySchool = "primary_school"
    case upperSecondary = "upper_secondary", tradeCourse = "trade_course", jobSeeking = "job_seeking"
    case higherEducation = "higher_education", health, other
}

/// Kinds of absence from the programme.
public enum AbsenceKind: String, CaseIterable, Codable, Sendable {
    case ownIllnessSelfCertified = "own_illness_self_certified", ownIllnessDoctor = "own_illness_doctor", sickChild =
        "sick_child"
    case pregnancy, birth, welfare, holiday, invalid
    /// Only invalid absence reduces the benefit (integreringsloven § 20 and integreringsforskriften).
    public var reducesBenefit: Bool { self == .invalid }
}

/// Why a participation ended.
public enum EndReason: String, CaseIterable, Codable, Sendable {
    case completedWork = "completed_work", completedEducation = "completed_education", completedBoth = "completed_both"
    case moved, illness, parentalLeave = "parental_leave", ownChoice = "own_choice", other
    public var isCompleted: Bool { self == .completedWork || self == .completedEducation || self == .completedBoth }
}

/// A stop of the programme (stans, integreringsloven § 30): for a while, or for good.
public enum StopKind: String, CaseIterable, Codable, Sendable { case temporary, permanent }

/// Attendance is entered for a day, or for a week on its Monday.
public enum AttendancePeriod: String, CaseIterable, Codable, Sendable {
    case day, week
    /// The most hours one entry can hold.
    public var maxHours: Double { self == .week ? 60 : 12 }
    /// The last day the entry covers, counted from its first.
    public var lastDayOffset: Int { self == .week ? 6 : 0 }
}

/// When an outcome is measured: one year after the programme ended, or five years after settlement.
public enum OutcomeKind: String, CaseIterable, Codable, Sendable {
    case oneYear = "one_year", fiveYear = "five_year"
}

/// Where a participant stands today.
public enum ProgrammeStatus: String, CaseIterable, Codable, Sendable {
    case mapping, decided, active, onLeave = "on_leave", stoppedTemporarily = "stopped_temporarily", stopped, ended
    /// In the programme after its planned end (with any extension) and no ending registered: needs an ending or an
    /// extension.
    case pastPlannedEnd = "past_planned_end"
}

// MARK: Norwegian training (integreringsloven kap. 6)

/// The four skills Norwegian tests measure.
public enum NorwegianSkill: String, CaseIterable, Codable, Sendable { case reading, listening, writing, speaking }

/// Levels of the Common European Framework of Reference for Languages.
public enum CEFRLevel: String, CaseIterable, Codable, Sendable {
    case a1 = "A1", a2 = "A2", b1 = "B1", b2 = "B2", c1 = "C1"
}

/// The tests a person's file records: Norwegian per skill, the social-studies test and the citizenship test
/// (integreringsloven §§ 28–29, statsborgerloven § 8).
public enum LanguageTestKind: String, CaseIterable, Codable, Sendable {
    case norwegian, socialStudies = "social_studies", citizenship
}

/// A Norwegian test result for one skill: below A1, or a CEFR level. Ordered from the lowest.
public enum TestLevel: String, CaseIterable, Codable, Sendable, Comparable {
    case belowA1 = "below_a1", a1 = "A1", a2 = "A2", b1 = "B1", b2 = "B2", c1 = "C1"

    public static func < (a: TestLevel, b: TestLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
