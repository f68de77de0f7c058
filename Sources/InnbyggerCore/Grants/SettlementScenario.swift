import Foundation

/// What a municipality has to receive and follow the persons it settles: the capacities a settlement scenario is
/// measured against.
public enum CapacityKind: String, Codable, Sendable, CaseIterable {
    /// Small dwellings (one or two rooms) for adults settled alone.
    case dwellingsSmall = "dwellings_small"
    /// Dwellings for families.
    case dwellingsFamily = "dwellings_family"
    /// Places for unaccompanied minors (bofellesskap, fosterhjem, hybel med oppfølging).
    case unaccompaniedMinorPlaces = "unaccompanied_minor_places"
    /// Programme advisors (programveiledere), as persons.
    case programmeAdvisors = "programme_advisors"
    case kindergartenPlaces = "kindergarten_places"
    /// Places in primary and lower secondary school (grunnskole, 6–15).
    case schoolPlaces = "school_places"
    /// Places in Norwegian training for adults (voksenopplæring).
    case adultEducationPlaces = "adult_education_places"
    /// Work-practice and language-practice places (arbeids- og språkpraksis) for programme participants.
    case workPracticePlaces = "work_practice_places"
}

/// The assumptions a scenario's capacity needs are computed with, each dated and sourced in
/// `Resources/Parameters/scenarios.json`: where a figure is a local judgement and not a rule, the file says so.
public struct ScenarioParameters: Codable, Sendable {
    /// Programme participants per programme advisor (Tynset's plan: "1 programveileder per 20 deltager"); a
    /// municipality's own caseload norm takes its place when it has one.
    public var participantsPerAdvisor: Dated<Int>
    /// Years an adult is in the introduction programme (integreringsloven § 13: as a rule up to two years).
    public var programmeYears: Dated<Int>
    /// Years an adult has the right to Norwegian training (integreringsloven § 27 and § 32: at most three years).
    public var norwegianYears: Dated<Int>
    /// Years a settled household lives in a dwelling the municipality provides before moving on (Tynset's plan:
    /// "flytter ut ... innen 3 år").
    public var municipalDwellingYears: Dated<Int>
    /// Persons per family dwelling, in tenths (40 = 4.0).
    public var familyHouseholdTenths: Dated<Int>
    /// Per cent of the programme's participants in work or language practice at any one time.
    public var workPracticePercent: Dated<Int>

    public static func load(from url: URL) throws -> ScenarioParameters {
        try JSONDecoder().decode(ScenarioParameters.self, from: Data(contentsOf: url))
    }

    /// The values in force on `date`, with their sources; nil when a parameter has no entry yet.
    public func assumptions(on date: LocalDate, participantsPerAdvisor override: Int? = nil) -> ScenarioAssumptions? {
        guard let advisor = participantsPerAdvisor.entry(on: date), let programme = programmeYears.entry(on: date),
            let norwegian = norwegianYears.entry(on: date), let dwelling = municipalDwellingYears.entry(on: date),
            let family = familyHouseholdTenths.entry(on: date), let practice = workPracticePercent.entry(on: date)
        else { return nil }
        return ScenarioAssumptions(
            participantsPerAdvisor: override ?? advisor.value, programmeYears: programme.value,
            norwegianYears: norwegian.value, municipalDwellingYears: dwelling.value,
            familyHouseholdTenths: family.value, workPracticePercent: practice.value,
            references: [
                "participantsPerAdvisor": advisor.reference, "programmeYears": programme.reference,
                "norwegianYears": norwegian.reference, "municipalDwellingYears": dwelling.reference,
                "familyHouseholdTenths": family.reference, "workPracticePercent": practice.reference,
            ])
    }
}

/// The values one scenario is computed with.
public struct ScenarioAssumptions: Sendable, Equatable {
    public var participantsPerAdvisor: Int
    public var programmeYears: Int
    public var norwegianYears: Int
    public var municipalDwellingYears: Int
    public var familyHouseholdTenths: Int
    public var workPracticePercent: Int
    /// Where each value comes from, by its name.
    public var references: [String: String]

    public init(
        participantsPerAdvisor: Int, programmeYears: Int, norwegianYears: Int, municipalDwellingYears: Int,
        familyHouseholdTenths: Int, workPracticePercent: Int, references: [String: String] = [:]
    ) {
        self.participantsPerAdvisor = participantsPerAdvisor
        self.programmeYears = programmeYears
        self.norwegianYears = norwegianYears
        self.municipalDwellingYears = municipalDwellingYears
        self.familyHouseholdTenths = familyHouseholdTenths
        self.workPracticePercent = workPracticePercent
        self.references = references
    }
}

/// What a settlement scenario needs, year by year: the arrivals of each year by their composition, followed as the
/// forecast's model persons (`GrantForecast.model`: adults 30, elderly 65, children 3 and 10, unaccompanied minors
/// 16 on arrival), and counted where they are in each year of the window.
///
/// Each need is the sum, over the arrival years still in the period, of persons × share (exact thousandths of a
/// person), rounded once: persons to the nearest whole, dwellings, advisors and practice places up, since half an
/// advisor is an advisor to hire.
public enum ScenarioNeeds {
    /// The need of every kind in each of `years`.
    public static func compute(
        years: ClosedRange<Int>, arrivals: [Int: Int], composition: ArrivalComposition,
        assumptions a: ScenarioAssumptions
    ) -> [Int: [CapacityKind: Int]] {
        var out: [Int: [CapacityKind: Int]] = [:]
        for y in years {
            // Thousandths of a person of `category` who arrived `since` years before y, for `since` in `range`.
            func present(_ category: KeyPath<ArrivalComposition, Int>, _ range: Range<Int>) -> Int {
                var sum = 0
                for (year, persons) in arrivals where persons > 0 && range.contains(y - year) {
                    sum += persons * composition[keyPath: category]
                }
                return sum
            }
            let dwelling = 0..<max(a.municipalDwellingYears, 0)
            // The programme is for adults 18–55 (integreringsloven § 8): the model's elderly are 65 and outside it;
            // an unaccompanied minor of 16 comes into it the year they turn 18.
            let programme = 0..<max(a.programmeYears, 0)
            let minorsInProgramme = present(\.unaccompaniedMinors, 2..<(2 + max(a.programmeYears, 0)))
            let participants =
                present(\.singleAdults, programme) + present(\.adultsInFamilies, programme) + minorsInProgramme
            // Norwegian training: adults 18–67 (§ 27), the model's elderly of 65 included.
            let norwegian = 0..<max(a.norwegianYears, 0)
            let learners =
                present(\.singleAdults, norwegian) + present(\.adultsInFamilies, norwegian)
                + present(\.elderly, norwegian)
            let families =
                present(\.adultsInFamilies, dwelling) + present(\.elderly, dwelling)
                + present(\.childrenUnder6, dwelling) + present(\.children6to17, dwelling)
            var need: [CapacityKind: Int] = [:]
            need[.dwellingsSmall] = up(present(\.singleAdults, dwelling), 1000)
            need[.dwellingsFamily] = up(families, 100 * max(a.familyHouseholdTenths, 1))
            // Until the year they turn 18: arrival at 16 gives the arrival year and the next.
            need[.unaccompaniedMinorPlaces] = up(present(\.unaccompaniedMinors, 0..<2), 1000)
            need[.programmeAdvisors] = up(participants, 1000 * max(a.participantsPerAdvisor, 1))
            // A child of 3 is in kindergarten at 3, 4 and 5, and in school from 6; a child of 10 is in school
            // through 15 (grunnskole: opplæringslova § 2-1).
            need[.kindergartenPlaces] = nearest(present(\.childrenUnder6, 0..<3))
            need[.schoolPlaces] = nearest(present(\.children6to17, 0..<6) + present(\.childrenUnder6, 3..<13))
            need[.adultEducationPlaces] = nearest(learners)
            need[.workPracticePlaces] = up(participants * max(a.workPracticePercent, 0), 100 * 1000)
            out[y] = need
        }
        return out
    }

    /// Persons in the period: arrivals still counted, to the nearest whole person.
    public static func persons(years: ClosedRange<Int>, arrivals: [Int: Int]) -> [Int: Int] {
        Dictionary(
            uniqueKeysWithValues: years.map { y in (y, arrivals.filter { $0.key <= y }.values.reduce(0, +)) })
    }

    static func up(_ thousandths: Int, _ per: Int) -> Int { (thousandths + per - 1) / per }
    static func nearest(_ thousandths: Int) -> Int { (thousandths + 500) / 1000 }
}

/// A need against what the municipality has: enough, short by a number, or not known because the capacity is not
/// recorded.
public enum CapacityStatus: Equatable, Sendable {
    case enough(spare: Int)
    case short(by: Int)
    case notRecorded

    public init(need: Int, has: Int?) {
        guard let has else {
            self = .notRecorded
            return
        }
        self = has >= need ? .enough(spare: has - need) : .short(by: need - has)
    }
}
