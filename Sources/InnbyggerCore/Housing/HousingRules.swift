import Foundation

/// Who owns or holds a dwelling the service lets to a household (Hemsedal seed "Eiendom (bolig)": the
/// municipality's own units and the private leases the integration service holds; Vestre Toten: the housing
/// foundation; Elverum 2.3: the household's own lease on the private market).
public enum DwellingOwner: String, CaseIterable, Codable, Sendable {
    case municipal
    case foundation
    /// A private owner's dwelling the service leases and sublets.
    case privateLease = "private_lease"
    /// The household's own lease with a private landlord; the service only follows it up.
    case ownLease = "own_lease"

    /// Dwellings the service itself lets: moving from one of them to one's own rental or a bought home is the way to
    /// one's own home the plan counts.
    public var heldByService: Bool { self != .ownLease }
}

public enum DwellingStatus: String, CaseIterable, Codable, Sendable {
    case free, reserved, let_ = "let", preparing, outOfUse = "out_of_use"
}

/// Why a tenancy ended (issue #15): to one's own rental, a home bought with a start loan (Husbanken's startlån),
/// moved away, evicted, or moved to another of the service's dwellings.
public enum TenancyEnd: String, CaseIterable, Codable, Sendable {
    case ownRental = "own_rental"
    case startLoan = "start_loan"
    case movedAway = "moved_away"
    case eviction
    case otherDwelling = "other_dwelling"

    /// The way to one's own home is reached ("Fra leie til eie", Elverum 2.3; Tynset: "flytter ut i egen eid eller
    /// privateid bolig innen 3 år").
    public var ownHome: Bool { self == .ownRental || self == .startLoan }
}

/// The household as the room rule sees it.
public struct HouseholdNeed: Sendable, Equatable, Codable {
    public var adults: Int
    public var childAges: [Int]
    public var stepFree: Bool

    public init(adults: Int, childAges: [Int], stepFree: Bool) {
        self.adults = adults
        self.childAges = childAges
        self.stepFree = stepFree
    }

    public var persons: Int { adults + childAges.count }
}

/// How many rooms a household needs. Not set in law: the municipality's own judgement, kept as a dated parameter
/// (`Resources/Parameters/housing.json`) with its source.
public struct RoomRule: Codable, Sendable, Equatable {
    /// Rooms besides the bedrooms (the living room).
    public var commonRooms: Int
    /// Adults per bedroom (a couple shares one).
    public var adultsPerBedroom: Int
    /// Children younger than this share bedrooms…
    public var childrenShareUnderAge: Int
    /// …this many to a room; older children have one each.
    public var childrenPerSharedRoom: Int

    public init(commonRooms: Int, adultsPerBedroom: Int, childrenShareUnderAge: Int, childrenPerSharedRoom: Int) {
        self.commonRooms = commonRooms
        self.adultsPerBedroom = adultsPerBedroom
        self.childrenShareUnderAge = childrenShareUnderAge
        self.childrenPerSharedRoom = childrenPerSharedRoom
    }

    /// Rooms the household needs: the common rooms, the adults' bedrooms, one per older child and the younger
    /// children sharing.
    public func rooms(for h: HouseholdNeed) -> Int {
        let adults = h.adults <= 0 ? 0 : (h.adults + adultsPerBedroom - 1) / max(adultsPerBedroom, 1)
        let young = h.childAges.filter { $0 < childrenShareUnderAge }.count
        let older = h.childAges.count - young
        let shared = (young + childrenPerSharedRoom - 1) / max(childrenPerSharedRoom, 1)
        return commonRooms + adults + older + shared
    }
}

/// The weights of the allocation's ranking, each a share of the score (dated parameter, local judgement).
public struct DwellingWeights: Codable, Sendable, Equatable {
    /// Exactly the rooms needed.
    public var roomsFit: Double
    /// One room more than needed (room to grow, more rent).
    public var roomsOneExtra: Double
    /// Two or more rooms more than needed.
    public var roomsMany: Double
    /// Step-free access where the household needs it (a dwelling without is left out when it is needed).
    public var stepFree: Double
    /// Free now rather than soon.
    public var freeNow: Double
    /// Within `nearKm` of school or kindergarten, for households with children.
    public var nearSchool: Double
    public var nearKm: Double

    public init(
        roomsFit: Double, roomsOneExtra: Double, roomsMany: Double, stepFree: Double, freeNow: Double,
        nearSchool: Double, nearKm: Double
    ) {
        self.roomsFit = roomsFit
        self.roomsOneExtra = roomsOneExtra
        self.roomsMany = roomsMany
        self.stepFree = stepFree
        self.freeNow = freeNow
        self.nearSchool = nearSchool
        self.nearKm = nearKm
    }

    /// The highest score a dwelling can reach, by which scores are divided to lie in 0…1.
    var maximum: Double { max(roomsFit, roomsOneExtra, roomsMany) + stepFree + freeNow + nearSchool }
}

/// A dwelling as the ranking sees it.
public struct DwellingOffer: Sendable, Equatable, Codable {
    public var id: String
    public var rooms: Int
    public var stepFree: Bool
    public var status: DwellingStatus
    /// Distance to the nearest school or kindergarten, where known.
    public var schoolKm: Double?

    public init(id: String, rooms: Int, stepFree: Bool, status: DwellingStatus, schoolKm: Double? = nil) {
        self.id = id
        self.rooms = rooms
        self.stepFree = stepFree
        self.status = status
        self.schoolKm = schoolKm
    }
}

/// One dwelling's place in the ranking, with the reasons (codes the pages translate as `housing.reason.<code>`).
public struct RankedDwelling: Sendable, Equatable, Codable {
    public var id: String
    /// 0…1, rounded to two decimals.
    public var score: Double
    public var reasons: [String]
}

/// A dwelling the ranking left out, and why.
public struct ExcludedDwelling: Sendable, Equatable, Codable {
    public var id: String
    public var reasons: [String]
}

/// Ranks the dwellings for a household (issue #15, allocation): free and soon-free dwellings (being prepared) with
/// at least the rooms the room rule asks for and step-free access where needed, best fit first. Ties keep the
/// order given (the caller's: by address).
public enum DwellingMatch {
    public static func rank(
        _ h: HouseholdNeed, _ dwellings: [DwellingOffer], rule: RoomRule, weights w: DwellingWeights
    )
        -> (ranked: [RankedDwelling], excluded: [ExcludedDwelling])
    {
        let needed = rule.rooms(for: h)
        var ranked: [(Int, RankedDwelling)] = []
        var excluded: [ExcludedDwelling] = []
        for (i, d) in dwellings.enumerated() {
            var out: [String] = []
            if d.status != .free && d.status != .preparing { out.append("not_available") }
            if d.rooms < needed { out.append("rooms_too_few") }
            if h.stepFree && !d.stepFree { out.append("step_free_missing") }
            guard out.isEmpty else {
                excluded.append(ExcludedDwelling(id: d.id, reasons: out))
                continue
            }
            var score = 0.0
            var reasons: [String] = []
            switch d.rooms - needed {
            case 0:
                score += w.roomsFit
                reasons.append("rooms_fit")
            case 1:
                score += w.roomsOneExtra
                reasons.append("rooms_one_extra")
            default:
                score += w.roomsMany
                reasons.append("rooms_many")
            }
            if h.stepFree {
                score += w.stepFree
                reasons.append("step_free")
            } else {
                // Access is no concern for this household: the weight counts in full.
                score += w.stepFree
            }
            if d.status == .free {
                score += w.freeNow
                reasons.append("free_now")
            } else {
                reasons.append("soon_free")
            }
            if !h.childAges.isEmpty, let km = d.schoolKm, km <= w.nearKm {
                score += w.nearSchool
                reasons.append("near_school")
            } else if h.childAges.isEmpty {
                score += w.nearSchool
            }
            let share = w.maximum > 0 ? score / w.maximum : 0
            ranked.append((i, RankedDwelling(id: d.id, score: (share * 100).rounded() / 100, reasons: reasons)))
        }
        ranked.sort { $0.1.score != $1.1.score ? $0.1.score > $1.1.score : $0.0 < $1.0 }
        return (ranked.map(\.1), excluded)
    }
}

/// How often an item of the inspection checklist is gone through in a tenancy year.
public enum InspectionInterval: String, CaseIterable, Codable, Sendable {
    case monthly, quarterly, halfYearly = "half_yearly", yearly

    public var months: Int {
        switch self {
        case .monthly: 1
        case .quarterly: 3
        case .halfYearly: 6
        case .yearly: 12
        }
    }
}

/// One item of a municipality's checklist for inspections of its dwellings (Hemsedal seed: "en punktliste som
/// gjennomgås ved tilsyn av bolig. Hva som skal gjøres og når fra år 1 til år 5"): what, in which tenancy years, how
/// often.
public struct ChecklistItem: Codable, Sendable, Equatable {
    public var title: String
    /// First and last tenancy year (1…5) the item is due in.
    public var fromYear: Int
    public var toYear: Int
    public var interval: InspectionInterval

    public init(title: String, fromYear: Int, toYear: Int, interval: InspectionInterval) {
        self.title = title
        self.fromYear = fromYear
        self.toYear = toYear
        self.interval = interval
    }
}

/// A visit the checklist asks for: the day it falls due and the items to go through then.
public struct DueInspection: Sendable, Equatable {
    public var due: LocalDate
    /// Tenancy year, 1…5.
    public var year: Int
    public var items: [String]
}

/// The inspection schedule of a tenancy (issue #15): for tenancy years 1–5 from the start, each item falls due at
/// the end of each of its intervals within its years (a monthly item of year 1 on the start day of months 2…13, a
/// yearly item of year 3 at the end of year 3). Visits on the same day are one visit.
public enum InspectionSchedule {
    public static let years = 1...5

    public static func dues(start: LocalDate, items: [ChecklistItem], end: LocalDate? = nil) -> [DueInspection] {
        var byDay: [LocalDate: (year: Int, items: [String])] = [:]
        for item in items {
            let first = max(item.fromYear, years.lowerBound)
            let last = min(item.toYear, years.upperBound)
            guard first <= last else { continue }
            for year in first...last {
                let yearStart = start.adding(years: year - 1)
                var m = item.interval.months
                while m <= 12 {
                    let due = yearStart.adding(months: m)
                    var slot = byDay[due] ?? (year, [])
                    if !slot.items.contains(item.title) { slot.items.append(item.title) }
                    byDay[due] = slot
                    m += item.interval.months
                }
            }
        }
        return byDay.map { DueInspection(due: $0.key, year: $0.value.year, items: $0.value.items) }
            .filter { end == nil || $0.due <= end! }
            .sorted { $0.due < $1.due }
    }

    /// Which due visits the inspections meet, in order: a visit is met by the first inspection not yet counted that
    /// was made after the previous due day (or the start) and no later than `graceDays` after its own day. One
    /// inspection meets one due visit.
    public static func met(_ dues: [DueInspection], start: LocalDate, inspections: [LocalDate], graceDays: Int)
        -> [Bool]
    {
        var left = inspections.sorted()
        var previous = start
        var out: [Bool] = []
        for d in dues {
            if let i = left.firstIndex(where: { $0 > previous && $0 <= d.due.adding(days: graceDays) }) {
                left.removeSubrange(...i)
                out.append(true)
            } else {
                out.append(false)
            }
            previous = d.due
        }
        return out
    }

    /// The first visit not yet made (see `met`); nil when every visit is met or the schedule is over.
    public static func nextOpen(_ dues: [DueInspection], start: LocalDate, inspections: [LocalDate], graceDays: Int)
        -> DueInspection?
    {
        let met = met(dues, start: start, inspections: inspections, graceDays: graceDays)
        return zip(dues, met).first { !$0.1 }?.0
    }
}

/// The way to one's own home (issue #15): the goal is to have moved from the service's dwelling to one's own rental
/// or a bought home within a number of years of settlement (Tynset: "innen 3 år"; a dated parameter).
public enum OwnHomeGoal {
    /// The goal day: settlement (the household's earliest settlement date, else the tenancy's start) + `years`.
    public static func goal(settled: LocalDate, years: Int) -> LocalDate { settled.adding(years: years) }

    public enum Status: String, Sendable, Equatable {
        /// Moved to one's own home by the goal day.
        case reached
        /// Moved to one's own home after the goal day.
        case reachedLate = "reached_late"
        /// Still in the service's dwelling, the goal ahead.
        case onTheWay = "on_the_way"
        /// Still in the service's dwelling past the goal day.
        case overdue
        /// Left otherwise (moved away, evicted, another dwelling of the service): not counted either way.
        case other
    }

    public static func status(goal: LocalDate, ended: LocalDate?, reason: TenancyEnd?, today: LocalDate) -> Status {
        if let ended, let reason {
            guard reason.ownHome else { return .other }
            return ended <= goal ? .reached : .reachedLate
        }
        return today <= goal ? .onTheWay : .overdue
    }
}

/// Every number and default of the housing rules, dated and sourced (`Resources/Parameters/housing.json`). None is set
/// in law: they are the municipalities' own judgements, as the file says.
public struct HousingParameters: Codable, Sendable {
    public var roomRule: Dated<RoomRule>
    public var weights: Dated<DwellingWeights>
    /// Years from settlement to the goal of one's own home.
    public var ownHomeGoalYears: Dated<Int>
    /// The longest stay in the service's dwellings a municipality agrees to (a time-limited lease), in months.
    public var maxStayMonths: Dated<Int>
    /// An inspection this many days after its due day still meets it.
    public var inspectionGraceDays: Dated<Int>
    /// A let dwelling whose tenancy ends within this many days counts as soon free.
    public var soonFreeDays: Dated<Int>

    public struct Checklist: Codable, Sendable {
        public var reference: String
        public var items: [ChecklistItem]
    }
    /// The checklist every municipality starts from (Hemsedal's list) and then edits as its own.
    public var checklist: Checklist

    public static func load(from url: URL) throws -> HousingParameters {
        let decoder = JSONDecoder()
        return try decoder.decode(HousingParameters.self, from: Data(contentsOf: url))
    }

    /// The value of `table` in force on `day`; a table without an entry by then is a configuration error.
    public func value<V>(_ table: KeyPath<HousingParameters, Dated<V>>, on day: LocalDate) -> V? {
        self[keyPath: table].entry(on: day)?.value
    }
}
