import Foundation
import Testing

@testable import InnbyggerCore

/// The shipped parameters, so the tables test the rule as configured (and fail when the file changes it).
private let parameters = try! HousingParameters.load(
    from: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Resources/Parameters/housing.json"))
private let rule = parameters.value(\.roomRule, on: d("2026-01-01"))!
private let weights = parameters.value(\.weights, on: d("2026-01-01"))!

struct RoomCase: CustomTestStringConvertible, Sendable {
    var name: String
    var adults: Int
    var children: [Int]
    var rooms: Int
    var testDescription: String { name }
}

// Living room + one bedroom per couple; children under 12 two to a room, older children one each.
let roomCases: [RoomCase] = [
    .init(name: "one adult", adults: 1, children: [], rooms: 2),
    .init(name: "couple", adults: 2, children: [], rooms: 2),
    .init(name: "three adults", adults: 3, children: [], rooms: 3),
    .init(name: "couple, two small children share", adults: 2, children: [4, 9], rooms: 3),
    .init(name: "couple, three small children", adults: 2, children: [1, 4, 9], rooms: 4),
    .init(name: "couple, teenager and small child", adults: 2, children: [14, 4], rooms: 4),
    .init(name: "single parent, two teenagers", adults: 1, children: [13, 16], rooms: 4),
    .init(name: "child at the age limit has a room", adults: 1, children: [12, 11], rooms: 4),
    .init(name: "unaccompanied minor alone", adults: 0, children: [16], rooms: 2),
]

@Test("The room rule: rooms a household needs", arguments: roomCases)
func roomFit(_ c: RoomCase) {
    #expect(rule.rooms(for: HouseholdNeed(adults: c.adults, childAges: c.children, stepFree: false)) == c.rooms)
}

struct MatchCase: CustomTestStringConvertible, Sendable {
    var name: String
    var need: HouseholdNeed
    var dwellings: [DwellingOffer]
    /// Ids in ranked order, with the reasons of the first.
    var order: [String]
    var firstReasons: [String]
    var excluded: [String: [String]]
    var testDescription: String { name }
}

let family = HouseholdNeed(adults: 2, childAges: [4, 9], stepFree: false)
let matchCases: [MatchCase] = [
    .init(
        name: "exact rooms beat one extra, which beats many", need: family,
        dwellings: [
            .init(id: "big", rooms: 6, stepFree: false, status: .free),
            .init(id: "extra", rooms: 4, stepFree: false, status: .free),
            .init(id: "fit", rooms: 3, stepFree: false, status: .free),
        ], order: ["fit", "extra", "big"], firstReasons: ["rooms_fit", "free_now"], excluded: [:]),
    .init(
        name: "too few rooms and dwellings not available are left out", need: family,
        dwellings: [
            .init(id: "small", rooms: 2, stepFree: false, status: .free),
            .init(id: "let", rooms: 3, stepFree: false, status: .let_),
            .init(id: "gone", rooms: 2, stepFree: true, status: .outOfUse),
            .init(id: "prep", rooms: 3, stepFree: false, status: .preparing),
        ], order: ["prep"], firstReasons: ["rooms_fit", "soon_free"],
        excluded: ["small": ["rooms_too_few"], "let": ["not_available"], "gone": ["not_available", "rooms_too_few"]]),
    .init(
        name: "step-free access needed: dwellings without are left out",
        need: HouseholdNeed(adults: 1, childAges: [], stepFree: true),
        dwellings: [
            .init(id: "stairs", rooms: 2, stepFree: false, status: .free),
            .init(id: "level", rooms: 3, stepFree: true, status: .free),
        ], order: ["level"], firstReasons: ["rooms_one_extra", "step_free", "free_now"],
        excluded: ["stairs": ["step_free_missing"]]),
    .init(
        name: "near school counts for a family, free now beats soon", need: family,
        dwellings: [
            .init(id: "far", rooms: 3, stepFree: false, status: .free, schoolKm: 8),
            .init(id: "near-soon", rooms: 3, stepFree: false, status: .preparing, schoolKm: 0.5),
            .init(id: "near", rooms: 3, stepFree: false, status: .free, schoolKm: 1.2),
        ], order: ["near", "far", "near-soon"], firstReasons: ["rooms_fit", "free_now", "near_school"],
        excluded: [:]),
]

@Test("The allocation ranks dwellings by fit", arguments: matchCases)
func match(_ c: MatchCase) {
    let (ranked, excluded) = DwellingMatch.rank(c.need, c.dwellings, rule: rule, weights: weights)
    #expect(ranked.map(\.id) == c.order)
    #expect(ranked.first?.reasons == c.firstReasons)
    #expect(Dictionary(uniqueKeysWithValues: excluded.map { ($0.id, $0.reasons) }) == c.excluded)
    #expect(ranked.allSatisfy { $0.score > 0 && $0.score <= 1 })
}

@Test("A perfect fit scores 1")
func perfectScore() {
    let (ranked, _) = DwellingMatch.rank(
        family, [.init(id: "a", rooms: 3, stepFree: false, status: .free, schoolKm: 1)], rule: rule,
        weights: weights)
    #expect(ranked.first?.score == 1)
}

struct ScheduleCase: CustomTestStringConvertible, Sendable {
    var name: String
    var start: String
    var items: [ChecklistItem]
    /// The first due days expected, in order.
    var firstDues: [String]
    var count: Int
    var testDescription: String { name }
}

let scheduleCases: [ScheduleCase] = [
    .init(
        name: "monthly in year 1: twelve visits from a month after the start",
        start: "2025-03-15", items: [.init(title: "Boevne", fromYear: 1, toYear: 1, interval: .monthly)],
        firstDues: ["2025-04-15", "2025-05-15", "2025-06-15"], count: 12),
    .init(
        name: "yearly in years 2–5: the end of each year",
        start: "2025-03-15", items: [.init(title: "Tilstand", fromYear: 2, toYear: 5, interval: .yearly)],
        firstDues: ["2027-03-15", "2028-03-15", "2029-03-15", "2030-03-15"], count: 4),
    .init(
        name: "items on the same day are one visit",
        start: "2025-01-31",
        items: [
            .init(title: "A", fromYear: 1, toYear: 1, interval: .quarterly),
            .init(title: "B", fromYear: 1, toYear: 1, interval: .halfYearly),
        ], firstDues: ["2025-04-30", "2025-07-31", "2025-10-31", "2026-01-31"], count: 4),
]

@Test("The checklist's due days by tenancy year", arguments: scheduleCases)
func schedule(_ c: ScheduleCase) {
    let dues = InspectionSchedule.dues(start: d(c.start), items: c.items)
    #expect(dues.count == c.count)
    #expect(dues.prefix(c.firstDues.count).map(\.due.iso) == c.firstDues)
}

@Test("The shipped checklist: monthly visits in year 1, then yearly to year 5")
func shippedChecklist() {
    let dues = InspectionSchedule.dues(start: d("2025-03-01"), items: parameters.checklist.items)
    #expect(dues.filter { $0.year == 1 }.count == 12)
    #expect(dues.filter { $0.year > 1 }.map(\.due.iso) == ["2027-03-01", "2028-03-01", "2029-03-01", "2030-03-01"])
    // The half-yearly item falls on the sixth and twelfth month, with the monthly ones.
    let six = dues.first { $0.due == d("2025-09-01") }
    #expect(six?.items.contains("Snømåking og grasklipping") == true)
}

struct OpenCase: CustomTestStringConvertible, Sendable {
    var name: String
    var visits: [String]
    var next: String?
    var testDescription: String { name }
}

// Quarterly in year 1 from 2025-01-01: due 04-01, 07-01, 10-01, 2026-01-01; 14 days' grace.
let openCases: [OpenCase] = [
    .init(name: "no visit yet: the first is open", visits: [], next: "2025-04-01"),
    .init(name: "a move-in inspection on the start day meets nothing", visits: ["2025-01-01"], next: "2025-04-01"),
    .init(name: "first met on time", visits: ["2025-03-20"], next: "2025-07-01"),
    .init(name: "first met within the grace", visits: ["2025-04-14"], next: "2025-07-01"),
    .init(
        name: "a visit after the grace meets the next one, not the first", visits: ["2025-04-20"], next: "2025-04-01"),
    .init(
        name: "a visit in the grace meets one due visit, not the next as well", visits: ["2025-04-10"],
        next: "2025-07-01"),
    .init(name: "two visits meet two", visits: ["2025-03-01", "2025-06-30"], next: "2025-10-01"),
    .init(name: "all met", visits: ["2025-03-01", "2025-06-01", "2025-09-30", "2025-12-20"], next: nil),
]

@Test("The next open inspection", arguments: openCases)
func nextOpen(_ c: OpenCase) {
    let start = d("2025-01-01")
    let dues = InspectionSchedule.dues(
        start: start, items: [.init(title: "A", fromYear: 1, toYear: 1, interval: .quarterly)])
    let next = InspectionSchedule.nextOpen(dues, start: start, inspections: c.visits.map(d), graceDays: 14)
    #expect(next?.due.iso == c.next)
}

struct GoalCase: CustomTestStringConvertible, Sendable {
    var name: String
    var settled: String
    var ended: String?
    var reason: TenancyEnd?
    var today: String
    var status: OwnHomeGoal.Status
    var testDescription: String { name }
}

// Settlement + 3 years (the shipped parameter).
let goalCases: [GoalCase] = [
    .init(
        name: "own rental within 3 years", settled: "2022-05-01", ended: "2025-04-30", reason: .ownRental,
        today: "2026-12-01", status: .reached),
    .init(
        name: "start loan on the goal day", settled: "2022-05-01", ended: "2025-05-01", reason: .startLoan,
        today: "2026-12-01", status: .reached),
    .init(
        name: "start loan a day late", settled: "2022-05-01", ended: "2025-05-02", reason: .startLoan,
        today: "2026-12-01", status: .reachedLate),
    .init(
        name: "still renting, goal ahead", settled: "2024-06-01", ended: nil, reason: nil, today: "2026-12-01",
        status: .onTheWay),
    .init(
        name: "still renting past the goal", settled: "2023-01-15", ended: nil, reason: nil, today: "2026-12-01",
        status: .overdue),
    .init(
        name: "moved away: not counted", settled: "2022-05-01", ended: "2023-05-01", reason: .movedAway,
        today: "2026-12-01", status: .other),
]

@Test("The 3-year goal of one's own home", arguments: goalCases)
func ownHome(_ c: GoalCase) {
    let years = parameters.value(\.ownHomeGoalYears, on: d(c.today))!
    #expect(years == 3)
    let goal = OwnHomeGoal.goal(settled: d(c.settled), years: years)
    #expect(goal == d(c.settled).adding(years: 3))
    #expect(OwnHomeGoal.status(goal: goal, ended: c.ended.map(d), reason: c.reason, today: d(c.today)) == c.status)
}
