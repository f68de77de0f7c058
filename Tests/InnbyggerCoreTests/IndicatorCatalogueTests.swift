import Foundation
import Testing

@testable import InnbyggerCore

/// The Core rules behind each computed indicator of the plan's catalogue (issue #14): what one case contributes,
/// with the edges the issue names (cohorts, small numbers, persons who moved, no data). The counting itself is SQL
/// and is checked against counts a test makes independently (`IndicatorCountTests`).
@Suite("The indicator catalogue's rules")
struct IndicatorCatalogueTests {
    struct Outcome: CustomTestStringConvertible, Sendable {
        var name: String
        var due: String
        var event: String?
        var movedOut: String?
        var today: String
        var met: Bool?
        var testDescription: String { name }
    }

    static let outcomes: [Outcome] = [
        .init(name: "met before the day", due: "2025-03-15", event: "2025-03-04", today: "2025-12-01", met: true),
        .init(name: "met on the day itself", due: "2025-03-15", event: "2025-03-15", today: "2025-12-01", met: true),
        .init(name: "met a day late", due: "2025-03-15", event: "2025-03-16", today: "2025-12-01", met: false),
        .init(name: "not met, day passed", due: "2025-03-15", today: "2025-03-16", met: false),
        .init(name: "not met, day not passed: not counted", due: "2025-03-15", today: "2025-03-15", met: nil),
        .init(
            name: "moved out before the day without it: not counted", due: "2025-03-15", movedOut: "2025-03-10",
            today: "2025-12-01", met: nil),
        .init(
            name: "moved out on the day without it: not counted", due: "2025-03-15", movedOut: "2025-03-15",
            today: "2025-12-01", met: nil),
        .init(
            name: "moved out after the day without it: late here", due: "2025-03-15", movedOut: "2025-04-01",
            today: "2025-12-01", met: false),
        .init(
            name: "met here, then moved: counts as met", due: "2025-03-15", event: "2025-03-01",
            movedOut: "2025-03-05", today: "2025-12-01", met: true),
    ]

    @Test("A deadline is met on or before its day; a person who moved before it is not counted", arguments: outcomes)
    func deadline(_ c: Outcome) {
        #expect(
            DeadlineOutcome.metInTime(
                due: d(c.due), event: c.event.map(d), movedOut: c.movedOut.map(d), today: d(c.today)) == c.met)
    }

    @Test("The programme start: moved before the three months ran out without starting is not counted")
    func programmeStartMoved() {
        let settled = d("2025-01-31")
        #expect(
            ProgrammeStartDeadline.met(
                settled: settled, start: nil, movedOut: d("2025-04-01"), today: d("2025-12-01")) == nil)
        #expect(
            ProgrammeStartDeadline.met(
                settled: settled, start: nil, movedOut: d("2025-06-01"), today: d("2025-12-01")) == false)
        #expect(
            ProgrammeStartDeadline.met(
                settled: settled, start: d("2025-03-01"), movedOut: d("2025-04-01"), today: d("2025-12-01")) == true)
    }

    struct Answer: CustomTestStringConvertible, Sendable {
        var name: String
        var hoursToAnswer: Double?
        var hoursNow: Double
        var hours: Double?
        var inTime: Bool?
        var testDescription: String { name }
    }

    static let answers: [Answer] = [
        .init(name: "answered in 20 h of 24", hoursToAnswer: 20, hoursNow: 100, hours: 20, inTime: true),
        .init(name: "answered at the 24th hour", hoursToAnswer: 24, hoursNow: 100, hours: 24, inTime: true),
        .init(name: "answered in 30 h", hoursToAnswer: 30, hoursNow: 100, hours: 30, inTime: false),
        .init(name: "unanswered, time running", hoursToAnswer: nil, hoursNow: 10, hours: nil, inTime: nil),
        .init(name: "unanswered past the time: late", hoursToAnswer: nil, hoursNow: 25, hours: nil, inTime: false),
        .init(name: "a clock set wrong: never negative", hoursToAnswer: -2, hoursNow: 100, hours: 0, inTime: true),
    ]

    @Test("Answer time to IMDi: hours and whether within the municipality's 24 hours", arguments: answers)
    func answer(_ c: Answer) {
        let received = Date(timeIntervalSince1970: 1_750_000_000)
        let due = received.addingTimeInterval(24 * 3600)
        let answered = c.hoursToAnswer.map { received.addingTimeInterval($0 * 3600) }
        #expect(answered.map { AnswerTime.hours(received: received, answered: $0) } == c.hours)
        #expect(
            AnswerTime.inTime(answered: answered, due: due, now: received.addingTimeInterval(c.hoursNow * 3600))
                == c.inTime)
    }

    @Test("The median from the database's middle rows, as from all the values")
    func median() {
        for values in [[7.0], [3, 1, 2], [4, 1, 3, 2], [10, 20, 30, 40, 50, 60, 70], [2, 2, 2, 9, 9, 9]] {
            let sorted = values.sorted()
            let middle = Array(sorted.dropFirst((sorted.count - 1) / 2).prefix(2))
            #expect(
                IndicatorFigure.median(count: values.count, middle: middle, threshold: 1)
                    == IndicatorFigure.median(values, threshold: 1))
        }
        #expect(IndicatorFigure.median(count: 6, middle: [20, 23], threshold: 5).value == 21.5)
        #expect(IndicatorFigure.median(count: 7, middle: [20, 23], threshold: 5).value == 20)
        #expect(IndicatorFigure.median(count: 4, middle: [20, 23], threshold: 5).suppressed)
        #expect(IndicatorFigure.median(count: 0, middle: [], threshold: 5) == .none)
    }

    struct Norwegian: CustomTestStringConvertible, Sendable {
        var name: String
        var tests: [NorwegianResult.Test]
        var target: [NorwegianSkill: TestLevel]
        var speaking: NorwegianResult
        var testDescription: String { name }
    }

    static let norwegian: [Norwegian] = [
        .init(
            name: "no tests, no target", tests: [], target: [:],
            speaking: .init(skill: .speaking, best: nil, lastTested: nil, target: nil)),
        .init(
            name: "a target and no test yet: not reached", tests: [], target: [.speaking: .b1],
            speaking: .init(skill: .speaking, best: nil, lastTested: nil, target: .b1)),
        .init(
            name: "the best of several, the last day",
            tests: [
                .init(skill: .speaking, level: .b1, date: d("2025-03-01")),
                .init(skill: .speaking, level: .a2, date: d("2025-09-01")),
                .init(skill: .reading, level: .b2, date: d("2025-10-01")),
            ], target: [.speaking: .b1],
            speaking: .init(skill: .speaking, best: .b1, lastTested: d("2025-09-01"), target: .b1)),
        .init(
            name: "below the target", tests: [.init(skill: .speaking, level: .a2, date: d("2025-03-01"))],
            target: [.speaking: .b2],
            speaking: .init(skill: .speaking, best: .a2, lastTested: d("2025-03-01"), target: .b2)),
        .init(
            name: "a test without a level counts its day only",
            tests: [.init(skill: .speaking, level: nil, date: d("2025-03-01"))], target: [.speaking: .a1],
            speaking: .init(skill: .speaking, best: nil, lastTested: d("2025-03-01"), target: .a1)),
    ]

    @Test("Norwegian per skill: the best level against the plan's target", arguments: norwegian)
    func norwegianResult(_ c: Norwegian) {
        let all = NorwegianResult.all(c.tests, target: c.target)
        #expect(all.map(\.skill) == NorwegianSkill.allCases)
        #expect(all.first { $0.skill == .speaking } == c.speaking)
    }

    @Test("Reached: at or above the target; nil without one")
    func reached() {
        #expect(NorwegianResult(skill: .writing, best: .b1, lastTested: nil, target: .a2).reached == true)
        #expect(NorwegianResult(skill: .writing, best: .a2, lastTested: nil, target: .a2).reached == true)
        #expect(NorwegianResult(skill: .writing, best: .a1, lastTested: nil, target: .a2).reached == false)
        #expect(NorwegianResult(skill: .writing, best: .b1, lastTested: nil, target: nil).reached == nil)
        #expect(NorwegianResult.target(["speaking": "B1", "shoe": "B1", "reading": "Z9"]) == [.speaking: .b1])
    }
}
