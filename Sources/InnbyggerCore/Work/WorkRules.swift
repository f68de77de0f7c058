import Foundation

/// A Norwegian organisation number (Brønnøysundregistrene): nine digits, the last a modulus-11 check digit over the
/// first eight with the weights 3 2 7 6 5 4 3 2. The check digit is 11 minus the sum modulo 11; 11 gives 0, and 10
/// is never issued, so a number whose digit would be 10 is invalid.
public enum OrganisationNumber {
    public static let weights = [3, 2, 7, 6, 5, 4, 3, 2]

    /// The number without spaces when it is valid, else nil.
    public static func valid(_ text: String) -> String? {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let d = digits.compactMap { Int(String($0)) }
        guard let check = checkDigit(Array(d.prefix(8))), check == d[8] else { return nil }
        return digits
    }

    /// The check digit for the first eight digits, or nil when it would be 10.
    public static func checkDigit(_ first8: [Int]) -> Int? {
        guard first8.count == 8 else { return nil }
        let sum = zip(first8, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let r = 11 - sum % 11
        if r == 11 { return 0 }
        if r == 10 { return nil }
        return r
    }
}

/// The trade a workplace is in, and the occupation a participant wishes for.
public enum WorkTrade: String, CaseIterable, Codable, Sendable {
    case retail, healthCare = "health_care", education, kindergarten, construction, hospitality, agriculture
    case industry, transport, cleaning, office, other
}

/// The kinds of place a provider offers.
public enum PlaceKind: String, CaseIterable, Codable, Sendable {
    case languagePractice = "language_practice", workPractice = "work_practice"
    case apprenticeship, wageSubsidy = "wage_subsidy"

    /// The programme measure a placement of this kind is part of.
    public var measureKind: MeasureKind {
        self == .languagePractice ? .languagePractice : .workPractice
    }
}

public enum PlaceStatus: String, CaseIterable, Codable, Sendable { case open, paused, closed }

/// How a placement ended (issue #15): the workplace took the participant on, the placement was extended, or it
/// ended without either.
public enum PlacementOutcome: String, CaseIterable, Codable, Sendable { case job, extended, ended }

public enum FollowUpKind: String, CaseIterable, Codable, Sendable { case visit, threeWay = "three_way" }

/// The measures NAV owns and records on a placement (tiltak under arbeidsmarkedsloven).
public enum NavMeasureKind: String, CaseIterable, Codable, Sendable {
    case wageSubsidy = "wage_subsidy", mentorSubsidy = "mentor_subsidy"
}

/// A programme measure of language or work practice, as the programme feature tells it to others.
public struct PracticeMeasure: Sendable, Equatable {
    public var id: UUID
    public var kind: MeasureKind
    public var from: LocalDate
    public var to: LocalDate
    public var weeklyMinutes: Int

    public init(id: UUID, kind: MeasureKind, from: LocalDate, to: LocalDate, weeklyMinutes: Int) {
        self.id = id
        self.kind = kind
        self.from = from
        self.to = to
        self.weeklyMinutes = weeklyMinutes
    }
}

/// The weights of the matching score (`Resources/Parameters/work.json`), dated like the other parameters.
public struct MatchWeights: Codable, Sendable, Equatable {
    public var goal: Int
    public var occupation: Int
    public var languageLevel: Int
    public var location: Int
    public var spokenLanguage: Int

    public init(goal: Int, occupation: Int, languageLevel: Int, location: Int, spokenLanguage: Int) {
        self.goal = goal
        self.occupation = occupation
        self.languageLevel = languageLevel
        self.location = location
        self.spokenLanguage = spokenLanguage
    }
}

/// What matching knows of a participant: the programme's goal, the occupation wished for and the Norwegian level
/// from the mapping, where the person lives, and the languages the person speaks.
public struct MatchParticipant: Sendable, Equatable {
    public var goal: FinalGoal?
    public var occupation: WorkTrade?
    public var norwegian: TestLevel?
    public var location: String?
    public var languages: Set<String>

    public init(
        goal: FinalGoal?, occupation: WorkTrade?, norwegian: TestLevel?, location: String?, languages: Set<String>
    ) {
        self.goal = goal
        self.occupation = occupation
        self.norwegian = norwegian
        self.location = location
        self.languages = languages
    }
}

/// What matching knows of a provider: its trade, the kinds of place it has free, the Norwegian it asks for, where
/// it is and the languages spoken at the workplace.
public struct MatchProvider: Sendable, Equatable {
    public var trade: WorkTrade
    public var freeKinds: Set<PlaceKind>
    public var minimumNorwegian: TestLevel?
    public var location: String?
    public var languages: Set<String>

    public init(
        trade: WorkTrade, freeKinds: Set<PlaceKind>, minimumNorwegian: TestLevel?, location: String?,
        languages: Set<String>
    ) {
        self.trade = trade
        self.freeKinds = freeKinds
        self.minimumNorwegian = minimumNorwegian
        self.location = location
        self.languages = languages
    }
}

/// Why a provider fits (or fits less): each reason is shown next to the score.
public enum MatchReason: String, CaseIterable, Codable, Sendable {
    case goalWork = "goal_work", goalLanguage = "goal_language", occupation, languageLevel = "language_level"
    case languageBelow = "language_below", location, spokenLanguage = "spoken_language", noFreePlace = "no_free_place"
}

public struct MatchScore: Sendable, Equatable {
    public var score: Int
    public var reasons: [MatchReason]

    public init(score: Int, reasons: [MatchReason]) {
        self.score = score
        self.reasons = reasons
    }
}

/// The fit of a provider for a participant: points per reason, weighted by the parameters. A provider without a free
/// place scores 0 (it is listed last, with the reason). The advisor confirms; the score only orders the list.
public enum Matching {
    public static func score(_ p: MatchParticipant, _ w: MatchProvider, weights: MatchWeights) -> MatchScore {
        guard !w.freeKinds.isEmpty else { return MatchScore(score: 0, reasons: [.noFreePlace]) }
        var score = 0
        var reasons: [MatchReason] = []
        let work: Set<PlaceKind> = [.workPractice, .apprenticeship, .wageSubsidy]
        if p.goal == .work, !w.freeKinds.isDisjoint(with: work) {
            score += weights.goal
            reasons.append(.goalWork)
        } else if p.goal != .work, w.freeKinds.contains(.languagePractice) {
            score += weights.goal
            reasons.append(.goalLanguage)
        }
        if let o = p.occupation, o == w.trade {
            score += weights.occupation
            reasons.append(.occupation)
        }
        if let min = w.minimumNorwegian {
            if let level = p.norwegian, level >= min {
                score += weights.languageLevel
                reasons.append(.languageLevel)
            } else {
                score -= weights.languageLevel
                reasons.append(.languageBelow)
            }
        }
        if let a = p.location?.lowercased(), let b = w.location?.lowercased(), !a.isEmpty, !b.isEmpty,
            a.contains(b) || b.contains(a)
        {
            score += weights.location
            reasons.append(.location)
        }
        if !p.languages.isDisjoint(with: w.languages) {
            score += weights.spokenLanguage
            reasons.append(.spokenLanguage)
        }
        return MatchScore(score: max(0, score), reasons: reasons)
    }
}

/// The municipality's places: what the council decided, what is allocated to providers, what is in use.
public struct PlaceFigures: Sendable, Equatable, Codable {
    public var decided: Int
    public var allocated: Int
    public var inUse: Int

    public init(decided: Int, allocated: Int, inUse: Int) {
        self.decided = decided
        self.allocated = allocated
        self.inUse = inUse
    }
}
