import Foundation

/// What an indicator of the municipality's integration plan is measured in (issue #14; the Elverum plan's
/// indicator table: shares "53 % → 70 %", hours "24 t.", counts).
public enum IndicatorUnit: String, CaseIterable, Sendable, Codable {
    case share, count, days, hours
}

/// Which way counts as better.
public enum IndicatorDirection: String, CaseIterable, Sendable, Codable {
    case higher, lower
}

/// Where an indicator stands against its baseline and target.
public enum IndicatorStatus: String, CaseIterable, Sendable, Codable {
    /// At or past the target.
    case reached
    /// Not at the target, but at least as far from the baseline as a straight line to the target says by now.
    case onTrack = "on_track"
    /// Behind that line (or, without a baseline, not at the target).
    case behind
    /// No value: nothing to count yet, or a figure suppressed for small numbers.
    case noData = "no_data"
}

/// A year's value: a baseline ("Status pr. 2014") or a target ("Mål 2019"). Shares are fractions (0.53).
public struct IndicatorPoint: Sendable, Equatable, Codable {
    public var year: Int
    public var value: Double

    public init(year: Int, value: Double) {
        self.year = year
        self.value = value
    }
}

/// A computed indicator's figure for a period, as leaders may see it: a share of counts, a count, or a median.
/// Counted persons are suppressed like every figure about persons shown to leaders (`DisclosureControl`): a share
/// whose numerator, denominator or remainder is 1 to `threshold - 1` is not shown, nor are its counts, since any
/// of them with the others would point to a few persons.
public struct IndicatorFigure: Sendable, Equatable, Codable {
    public var value: Double?
    public var numerator: Int?
    public var denominator: Int?
    public var suppressed: Bool

    public init(value: Double?, numerator: Int?, denominator: Int?, suppressed: Bool) {
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.suppressed = suppressed
    }

    /// Nothing to count: no value, nothing hidden.
    public static let none = IndicatorFigure(value: nil, numerator: nil, denominator: nil, suppressed: false)

    static func small(_ n: Int, _ threshold: Int) -> Bool { n > 0 && n < threshold }

    /// `numerator` of `denominator`; no value when the denominator is 0.
    public static func share(_ numerator: Int, of denominator: Int, threshold: Int) -> IndicatorFigure {
        precondition(numerator >= 0 && numerator <= denominator, "a share's numerator is within its denominator")
        guard denominator > 0 else {
            return IndicatorFigure(value: nil, numerator: 0, denominator: 0, suppressed: false)
        }
        if small(numerator, threshold) || small(denominator, threshold) || small(denominator - numerator, threshold) {
            return IndicatorFigure(value: nil, numerator: nil, denominator: nil, suppressed: true)
        }
        return IndicatorFigure(
            value: Double(numerator) / Double(denominator), numerator: numerator, denominator: denominator,
            suppressed: false)
    }

    /// A count of persons (or of anything counted over persons: meetings, pairs).
    public static func count(_ n: Int, threshold: Int) -> IndicatorFigure {
        small(n, threshold)
            ? IndicatorFigure(value: nil, numerator: nil, denominator: nil, suppressed: true)
            : IndicatorFigure(value: Double(n), numerator: n, denominator: nil, suppressed: false)
    }

    /// A ratio of two counts that are not persons of one group (participants per advisor): shown unless there are
    /// few participants.
    public static func ratio(_ numerator: Int, per denominator: Int, threshold: Int) -> IndicatorFigure {
        guard denominator > 0 else { return .none }
        if small(numerator, threshold) {
            return IndicatorFigure(value: nil, numerator: nil, denominator: nil, suppressed: true)
        }
        return IndicatorFigure(
            value: Double(numerator) / Double(denominator), numerator: numerator, denominator: denominator,
            suppressed: false)
    }

    /// The median of measured values (hours, days) over `values.count` cases; hidden when the cases are few.
    public static func median(_ values: [Double], threshold: Int) -> IndicatorFigure {
        let s = values.sorted()
        let lower = (s.count - 1) / 2
        return median(count: s.count, middle: Array(s.dropFirst(max(lower, 0)).prefix(2)), threshold: threshold)
    }

    /// The median of `count` measured values from the (at most) two in the middle of their order, as a database
    /// reads them (`ORDER BY v LIMIT 2 OFFSET (count - 1) / 2`): the first for an odd count, the mean of both for an
    /// even one.
    public static func median(count: Int, middle: [Double], threshold: Int) -> IndicatorFigure {
        guard count > 0, let first = middle.first else { return .none }
        if small(count, threshold) {
            return IndicatorFigure(value: nil, numerator: nil, denominator: nil, suppressed: true)
        }
        let m = count % 2 == 1 || middle.count < 2 ? first : (first + middle[1]) / 2
        return IndicatorFigure(value: m, numerator: nil, denominator: count, suppressed: false)
    }
}

/// The status of a value against its baseline and target in a year. The straight line from the baseline to the
/// target is the plan's own reading of "on track": Elverum's plan sets a baseline (2014) and a target (2019) and
/// evaluates at least every four years, so half-way through the period half the distance should be covered.
public enum IndicatorProgress {
    public static func status(
        value: Double?, baseline: IndicatorPoint?, target: IndicatorPoint?, direction: IndicatorDirection, in year: Int
    ) -> IndicatorStatus {
        guard let value else { return .noData }
        guard let target else { return .noData }
        // Better-or-equal in the indicator's own direction.
        func atLeast(_ a: Double, _ b: Double) -> Bool {
            let tolerance = 1e-9
            return direction == .higher ? a >= b - tolerance : a <= b + tolerance
        }
        if atLeast(value, target.value) { return .reached }
        guard let baseline, target.year > baseline.year else { return .behind }
        let elapsed = Double(min(max(year, baseline.year), target.year) - baseline.year)
        let expected = baseline.value + (target.value - baseline.value) * elapsed / Double(target.year - baseline.year)
        return atLeast(value, expected) ? .onTrack : .behind
    }
}

/// A period a computed indicator is counted over: both days included.
public struct IndicatorPeriod: Sendable, Equatable {
    public var from: LocalDate
    public var to: LocalDate

    public init(from: LocalDate, to: LocalDate) {
        self.from = from
        self.to = to
    }

    /// A calendar year.
    public static func year(_ y: Int) -> IndicatorPeriod {
        IndicatorPeriod(from: .clamped(year: y, month: 1, day: 1), to: .clamped(year: y, month: 12, day: 31))
    }
}

/// Whether a programme started in time: at the latest three months after settlement in the municipality
/// (integreringsloven § 12 and its regulations; IMDi's guide, [S6] in `facts.md`). The plan's indicator
/// `programme_start_3m` counts it.
public enum ProgrammeStartDeadline {
    /// Nil while the three months run and it has not started (not yet decided either way), or without a settlement
    /// date; the last day of the three months still counts as in time. A person who moved out of the municipality
    /// before the three months ran out without starting is not counted: the start became another municipality's.
    public static func met(settled: LocalDate?, start: LocalDate?, movedOut: LocalDate? = nil, today: LocalDate)
        -> Bool?
    {
        guard let settled else { return nil }
        return DeadlineOutcome.metInTime(due: settled.adding(months: 3), event: start, movedOut: movedOut, today: today)
    }
}

/// Whether a legal deadline was met in time, as the plan's "share … within the deadline" indicators count it
/// (health examination within three months and TB screening within 14 days, [S91]–[S93] in `facts.md`; school and
/// kindergarten start; the programme decision within three months of settlement, integreringsloven § 12, [S14]).
public enum DeadlineOutcome {
    /// `true` when the event happened on or before the due day, `false` when it happened later or the day has passed
    /// without it. Nil (not counted) while the day has not passed and nothing is recorded, and when the person moved
    /// out of the municipality on or before the due day without the event: the deadline followed them.
    public static func metInTime(due: LocalDate, event: LocalDate?, movedOut: LocalDate?, today: LocalDate) -> Bool? {
        if let event { return event <= due }
        if let movedOut, movedOut <= due { return nil }
        return today > due ? false : nil
    }
}
