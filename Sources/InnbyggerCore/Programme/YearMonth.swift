import Foundation

/// A calendar month (`yyyy-MM` on the wire), the period the introduction benefit is paid for.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// Nil unless 1 ≤ month ≤ 12 and the year is one `LocalDate` accepts.
    public init?(year: Int, month: Int) {
        guard LocalDate(year: year, month: month, day: 1) != nil else { return nil }
        self.year = year
        self.month = month
    }

    /// The month a date falls in.
    public init(_ date: LocalDate) {
        year = date.year
        month = date.month
    }

    /// Parses strictly `yyyy-MM`.
    public init?(iso: String) {
        guard iso.count == 7, let d = LocalDate(iso: iso + "-01") else { return nil }
        self.init(d)
    }

    /// `init?(iso:)` within `LocalDate.inputRange`: a month as a form or a request gives it.
    public init?(input text: String) {
        guard let m = YearMonth(iso: text), m.firstDay.isInput else { return nil }
        self = m
    }

    public var firstDay: LocalDate { LocalDate(year: year, month: month, day: 1)! }
    public var lastDay: LocalDate { LocalDate(year: year, month: month, day: numberOfDays)! }
    public var numberOfDays: Int { LocalDate.daysIn(month: month, year: year) }
    public var iso: String { String(firstDay.iso.prefix(7)) }
    public var description: String { iso }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

}

extension YearMonth: TextCoded {
    public init?(codedText: String) { self.init(iso: codedText) }
    public var codedText: String { iso }
    public static var expectedText: String { "a month as yyyy-MM" }
}

/// Exact integer arithmetic for money: `a × b / c` rounded to the nearest integer, halves away from zero.
/// Nil on overflow or when `c` is not positive, so a bad parameter cannot crash the service.
func mulDivRounded(_ a: Int, _ b: Int, _ c: Int) -> Int? {
    guard c > 0 else { return nil }
    let (p, overflow) = a.multipliedReportingOverflow(by: b)
    guard !overflow else { return nil }
    let q = p / c
    let r = p % c
    // |r| ≥ c/2  ⇔  2|r| ≥ c; |r| < c so 2|r| cannot overflow.
    guard 2 * r.magnitude >= UInt(c) else { return q }
    return p >= 0 ? q + 1 : q - 1
}

func checkedMultiply(_ a: Int, _ b: Int) -> Int? {
    let (p, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? nil : p
}
