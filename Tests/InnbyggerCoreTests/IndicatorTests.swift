import Foundation
import Testing

@testable import InnbyggerCore

/// The plan's indicator arithmetic: figures with small-number suppression, status against baseline and target, and
/// the programme-start deadline the `programme_start_3m` indicator counts.
@Suite("Plan indicators")
struct IndicatorTests {
    struct Share: CustomTestStringConvertible, Sendable {
        var name: String
        var numerator: Int
        var denominator: Int
        var value: Double?
        var suppressed: Bool
        var testDescription: String { name }
    }

    static let shares: [Share] = [
        .init(name: "Elverum's 2014 baseline, 53 %", numerator: 53, denominator: 100, value: 0.53, suppressed: false),
        .init(
            name: "nobody ended: no value, nothing hidden", numerator: 0, denominator: 0, value: nil, suppressed: false),
        .init(name: "none of twelve", numerator: 0, denominator: 12, value: 0, suppressed: false),
        .init(name: "all of twelve", numerator: 12, denominator: 12, value: 1, suppressed: false),
        .init(name: "four of twenty: the four are few", numerator: 4, denominator: 20, value: nil, suppressed: true),
        .init(
            name: "seventeen of twenty: the three not are few", numerator: 17, denominator: 20, value: nil,
            suppressed: true),
        .init(name: "a cohort of three", numerator: 0, denominator: 3, value: nil, suppressed: true),
        .init(name: "five of ten, at the threshold", numerator: 5, denominator: 10, value: 0.5, suppressed: false),
    ]

    @Test("A share is hidden when its numerator, denominator or remainder is 1–4", arguments: shares)
    func share(_ c: Share) {
        let f = IndicatorFigure.share(c.numerator, of: c.denominator, threshold: 5)
        #expect(f.value == c.value)
        #expect(f.suppressed == c.suppressed)
        // A hidden share hides its counts too; a shown one shows both.
        #expect((f.numerator == nil) == c.suppressed)
        #expect((f.denominator == nil) == c.suppressed)
    }

    @Test("Counts, ratios and medians")
    func others() {
        #expect(
            IndicatorFigure.count(0, threshold: 5)
                == IndicatorFigure(value: 0, numerator: 0, denominator: nil, suppressed: false))
        #expect(IndicatorFigure.count(3, threshold: 5).suppressed)
        #expect(IndicatorFigure.count(7, threshold: 5).value == 7)
        // 45 participants over 2 advisors; no advisor: no value.
        #expect(IndicatorFigure.ratio(45, per: 2, threshold: 5).value == 22.5)
        #expect(IndicatorFigure.ratio(45, per: 0, threshold: 5) == .none)
        #expect(IndicatorFigure.ratio(3, per: 1, threshold: 5).suppressed)
        // More settled than decided reads above 1.
        #expect(IndicatorFigure.ratio(36, per: 35, threshold: 5).value! > 1)
        #expect(IndicatorFigure.median([30, 10, 20, 50, 40], threshold: 5).value == 30)
        #expect(IndicatorFigure.median([1, 2, 3, 4, 5, 6], threshold: 5).value == 3.5)
        #expect(IndicatorFigure.median([1, 2], threshold: 5).suppressed)
        #expect(IndicatorFigure.median([], threshold: 5) == .none)
    }

    struct Progress: CustomTestStringConvertible, Sendable {
        var name: String
        var value: Double?
        var baseline: IndicatorPoint?
        var target: IndicatorPoint?
        var direction: IndicatorDirection
        var year: Int
        var status: IndicatorStatus
        var testDescription: String { name }
    }

    static let elverumBase = IndicatorPoint(year: 2014, value: 0.53)
    static let elverumTarget = IndicatorPoint(year: 2019, value: 0.70)

    static let progress: [Progress] = [
        .init(
            name: "at the target", value: 0.70, baseline: elverumBase, target: elverumTarget, direction: .higher,
            year: 2017, status: .reached),
        .init(
            name: "past the target", value: 0.75, baseline: elverumBase, target: elverumTarget, direction: .higher,
            year: 2015, status: .reached),
        // 2017 is 3/5 of the way: 0.53 + 0.17 × 0.6 = 0.632.
        .init(
            name: "on the line in 2017", value: 0.632, baseline: elverumBase, target: elverumTarget,
            direction: .higher, year: 2017, status: .onTrack),
        .init(
            name: "below the line in 2017", value: 0.61, baseline: elverumBase, target: elverumTarget,
            direction: .higher, year: 2017, status: .behind),
        .init(
            name: "after the target year and short of it", value: 0.69, baseline: elverumBase, target: elverumTarget,
            direction: .higher, year: 2024, status: .behind),
        .init(
            name: "before the baseline year: only the baseline is expected", value: 0.53, baseline: elverumBase,
            target: elverumTarget, direction: .higher, year: 2012, status: .onTrack),
        .init(
            name: "lower is better: 24 participants against 20", value: 24, baseline: .init(year: 2020, value: 30),
            target: .init(year: 2024, value: 20), direction: .lower, year: 2022, status: .onTrack),
        .init(
            name: "lower is better, behind", value: 29, baseline: .init(year: 2020, value: 30),
            target: .init(year: 2024, value: 20), direction: .lower, year: 2023, status: .behind),
        .init(
            name: "no baseline: reached or behind", value: 0.4, baseline: nil, target: .init(year: 2019, value: 0.5),
            direction: .higher, year: 2018, status: .behind),
        .init(
            name: "no value (nothing counted or suppressed)", value: nil, baseline: elverumBase, target: elverumTarget,
            direction: .higher, year: 2017, status: .noData),
        .init(
            name: "no target", value: 0.6, baseline: elverumBase, target: nil, direction: .higher, year: 2017,
            status: .noData),
    ]

    @Test("Status against baseline and target", arguments: progress)
    func status(_ c: Progress) {
        #expect(
            IndicatorProgress.status(
                value: c.value, baseline: c.baseline, target: c.target, direction: c.direction, in: c.year) == c.status)
    }

    @Test("The programme starts in time at the latest three months after settlement")
    func startDeadline() {
        let settled = d("2025-01-31")
        // Three months from 31 January is 30 April (the month's last day).
        #expect(ProgrammeStartDeadline.met(settled: settled, start: d("2025-04-30"), today: d("2025-12-01")) == true)
        #expect(ProgrammeStartDeadline.met(settled: settled, start: d("2025-05-01"), today: d("2025-12-01")) == false)
        #expect(ProgrammeStartDeadline.met(settled: settled, start: nil, today: d("2025-04-30")) == nil)
        #expect(ProgrammeStartDeadline.met(settled: settled, start: nil, today: d("2025-05-01")) == false)
        #expect(ProgrammeStartDeadline.met(settled: nil, start: d("2025-02-01"), today: d("2025-12-01")) == nil)
    }

    @Test("A year as a period")
    func year() {
        #expect(IndicatorPeriod.year(2024) == IndicatorPeriod(from: d("2024-01-01"), to: d("2024-12-31")))
    }
}
