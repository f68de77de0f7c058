import Foundation
import Testing

@testable import InnbyggerCore

/// The shipped assumptions, as the service reads them.
let shippedScenarioParameters: ScenarioParameters = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return try! ScenarioParameters.load(from: root.appendingPathComponent("Resources/Parameters/scenarios.json"))
}()

@Suite("Settlement scenario needs")
struct SettlementScenarioTests {
    static let base = ScenarioAssumptions(
        participantsPerAdvisor: 20, programmeYears: 2, norwegianYears: 3, municipalDwellingYears: 3,
        familyHouseholdTenths: 40, workPracticePercent: 50)

    static func composition(
        single: Int = 0, family: Int = 0, elderly: Int = 0, under6: Int = 0, school: Int = 0, minors: Int = 0
    ) -> ArrivalComposition {
        ArrivalComposition(
            singleAdults: single, adultsInFamilies: family, elderly: elderly, childrenUnder6: under6,
            children6to17: school, unaccompaniedMinors: minors)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arrivals: [Int: Int]
        var composition: ArrivalComposition
        var assumptions: ScenarioAssumptions = SettlementScenarioTests.base
        var year: Int
        var expected: [CapacityKind: Int]
        var testDescription: String { "\(name) \(year)" }
    }

    static let all: [CapacityKind: Int] = Dictionary(uniqueKeysWithValues: CapacityKind.allCases.map { ($0, 0) })
    static func need(_ values: [CapacityKind: Int]) -> [CapacityKind: Int] { all.merging(values) { $1 } }

    static let cases: [Case] = [
        // 100 single adults arriving in 2027: a small dwelling each for three years, the programme for two, Norwegian
        // for three; 100 / 20 = 5 advisors; half of them in practice.
        Case(
            name: "single adults", arrivals: [2027: 100], composition: composition(single: 1000), year: 2027,
            expected: need([
                .dwellingsSmall: 100, .programmeAdvisors: 5, .adultEducationPlaces: 100, .workPracticePlaces: 50,
            ])),
        Case(
            name: "single adults", arrivals: [2027: 100], composition: composition(single: 1000), year: 2028,
            expected: need([
                .dwellingsSmall: 100, .programmeAdvisors: 5, .adultEducationPlaces: 100, .workPracticePlaces: 50,
            ])),
        Case(
            name: "single adults, programme over", arrivals: [2027: 100], composition: composition(single: 1000),
            year: 2029, expected: need([.dwellingsSmall: 100, .adultEducationPlaces: 100])),
        Case(
            name: "single adults, moved on", arrivals: [2027: 100], composition: composition(single: 1000),
            year: 2030, expected: need([:])),
        Case(
            name: "before the arrivals", arrivals: [2027: 100], composition: composition(single: 1000), year: 2026,
            expected: need([:])),
        // Families of 10: 4 adults, 3 small children, 3 at school; 10 persons / 4.0 = 2.5, so 3 family dwellings.
        Case(
            name: "families", arrivals: [2027: 10], composition: composition(family: 400, under6: 300, school: 300),
            year: 2027,
            expected: need([
                .dwellingsFamily: 3, .programmeAdvisors: 1, .kindergartenPlaces: 3, .schoolPlaces: 3,
                .adultEducationPlaces: 4, .workPracticePlaces: 2,
            ])),
        Case(
            name: "families, third year", arrivals: [2027: 10],
            composition: composition(family: 400, under6: 300, school: 300), year: 2029,
            expected: need([.dwellingsFamily: 3, .kindergartenPlaces: 3, .schoolPlaces: 3, .adultEducationPlaces: 4])),
        // The child of 3 turns 6 in the fourth year and moves from kindergarten to school.
        Case(
            name: "families, fourth year", arrivals: [2027: 10],
            composition: composition(family: 400, under6: 300, school: 300), year: 2030,
            expected: need([.schoolPlaces: 6])),
        // An unaccompanied minor of 16: a place for two years, then the programme at 18 for two.
        Case(
            name: "unaccompanied minors", arrivals: [2027: 5], composition: composition(minors: 1000), year: 2028,
            expected: need([.unaccompaniedMinorPlaces: 5])),
        Case(
            name: "unaccompanied minors at 18", arrivals: [2027: 5], composition: composition(minors: 1000),
            year: 2029, expected: need([.programmeAdvisors: 1, .workPracticePlaces: 3])),
        Case(
            name: "unaccompanied minors, programme over", arrivals: [2027: 5], composition: composition(minors: 1000),
            year: 2031, expected: need([:])),
        // The elderly are outside the programme (over 55) and inside Norwegian training (up to 67).
        Case(
            name: "elderly", arrivals: [2027: 10], composition: composition(elderly: 1000), year: 2027,
            expected: need([.dwellingsFamily: 3, .adultEducationPlaces: 10])),
        // 7 × 33.3 % = 2.331 persons: dwellings round up to 3, places to the nearest, 2.
        Case(
            name: "rounding", arrivals: [2027: 7], composition: composition(single: 333), year: 2027,
            expected: need([
                .dwellingsSmall: 3, .programmeAdvisors: 1, .adultEducationPlaces: 2, .workPracticePlaces: 2,
            ])),
        // A municipality's own norm of 10 per advisor doubles the advisors.
        Case(
            name: "own caseload norm", arrivals: [2027: 100], composition: composition(single: 1000),
            assumptions: ScenarioAssumptions(
                participantsPerAdvisor: 10, programmeYears: 2, norwegianYears: 3, municipalDwellingYears: 3,
                familyHouseholdTenths: 40, workPracticePercent: 50), year: 2027,
            expected: need([
                .dwellingsSmall: 100, .programmeAdvisors: 10, .adultEducationPlaces: 100, .workPracticePlaces: 50,
            ])),
        // Two years of arrivals overlap.
        Case(
            name: "two years", arrivals: [2027: 20, 2028: 20], composition: composition(single: 1000), year: 2028,
            expected: need([
                .dwellingsSmall: 40, .programmeAdvisors: 2, .adultEducationPlaces: 40, .workPracticePlaces: 20,
            ])),
        Case(
            name: "two years", arrivals: [2027: 20, 2028: 20], composition: composition(single: 1000), year: 2029,
            expected: need([
                .dwellingsSmall: 40, .programmeAdvisors: 1, .adultEducationPlaces: 40, .workPracticePlaces: 10,
            ])),
        Case(
            name: "two years", arrivals: [2027: 20, 2028: 20], composition: composition(single: 1000), year: 2030,
            expected: need([.dwellingsSmall: 20, .adultEducationPlaces: 20])),
        Case(
            name: "no arrivals", arrivals: [:], composition: composition(single: 1000), year: 2027, expected: need([:])),
    ]

    @Test("Needs by year", arguments: cases)
    func needs(_ c: Case) {
        let out = ScenarioNeeds.compute(
            years: 2026...2031, arrivals: c.arrivals, composition: c.composition, assumptions: c.assumptions)
        #expect(out[c.year] == c.expected)
    }

    @Test("Persons settled so far by year")
    func persons() {
        let p = ScenarioNeeds.persons(years: 2027...2030, arrivals: [2027: 40, 2028: 40, 2029: 40])
        #expect(p == [2027: 40, 2028: 80, 2029: 120, 2030: 120])
    }

    @Test(
        "A need against a capacity",
        arguments: [
            (5, 7, CapacityStatus.enough(spare: 2)), (5, 5, .enough(spare: 0)), (5, 3, .short(by: 2)),
            (5, nil, .notRecorded), (0, nil, .notRecorded),
        ] as [(Int, Int?, CapacityStatus)])
    func status(_ need: Int, _ has: Int?, _ expected: CapacityStatus) {
        #expect(CapacityStatus(need: need, has: has) == expected)
    }

    @Test("The shipped assumptions, with their sources, and none before they apply")
    func shipped() throws {
        let a = try #require(shippedScenarioParameters.assumptions(on: d("2027-01-01")))
        #expect(a.participantsPerAdvisor == 20 && a.programmeYears == 2 && a.norwegianYears == 3)
        #expect(a.municipalDwellingYears == 3 && a.familyHouseholdTenths == 40 && a.workPracticePercent == 50)
        #expect(a.references["participantsPerAdvisor"]?.contains("Tynset") == true)
        #expect(a.references["workPracticePercent"]?.hasPrefix("UNVERIFIED") == true)
        #expect(shippedScenarioParameters.assumptions(on: d("2020-01-01"), participantsPerAdvisor: 12) == nil)
        #expect(
            shippedScenarioParameters.assumptions(on: d("2027-01-01"), participantsPerAdvisor: 12)?
                .participantsPerAdvisor == 12)
    }
}
