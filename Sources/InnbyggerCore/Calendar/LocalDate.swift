import Foundation

/// A calendar date without time or time zone, as used in decisions and deadlines.
///
/// Legal deadlines in integreringsloven are counted in calendar days and months, so the
/// domain never uses instants for them. ISO form `yyyy-MM-dd` on the wire, `dd.mm.åååå` to people.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or nil when the combination does not exist (e.g. 2025-02-29) or lies outside the calendar this
    /// type holds (years 1 to 9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// A date already known to exist (the arithmetic below keeps to the calendar's days).
    private init(valid year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day, with the year kept to 1–9999, the month to 1–12 and the day to the month's days: for dates built from
    /// a year or month that came from outside (a scenario's first year, a settlement year plus five), where a force
    /// unwrap would trap.
    public static func clamped(year: Int, month: Int, day: Int) -> LocalDate {
        let y = min(max(year, 1), 9999)
        let m = min(max(month, 1), 12)
        return LocalDate(valid: y, m, min(max(day, 1), LocalDate.daysIn(month: m, year: y)))
    }

    /// The first and last days this type holds. Date arithmetic saturates at them instead of trapping, so no input can
    /// stop the service; the dates accepted from a form or a request lie far inside (`inputRange`), so no real
    /// answer meets them.
    public static let earliest = LocalDate(valid: 1, 1, 1)
    public static let latest = LocalDate(valid: 9999, 12, 31)

    /// The dates a form or a request may give: 01.01.1900 to 31.12.2200. No person, decision or payment in this
    /// domain lies outside it, and its deadlines and grant years, counted from it, stay far from the calendar's end
    /// (issue #30: 9999-12-31 in a request reached arithmetic past year 9999). Stored and derived dates may lie
    /// outside it (a grant year after 2200), so the plain parsers take the whole calendar.
    public static let inputRange = LocalDate(valid: 1900, 1, 1)...LocalDate(valid: 2200, 12, 31)

    /// Whether a form or a request may give this date (`inputRange`).
    public var isInput: Bool { LocalDate.inputRange.contains(self) }

    /// `init?(parsing:)` within `inputRange`: a date as a form gives it.
    public init?(input text: String) {
        guard let d = LocalDate(parsing: text), d.isInput else { return nil }
        self = d
    }

    /// Parses strictly `yyyy-MM-dd`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses the Norwegian form `dd.mm.åååå` that people type in forms.
    public init?(norwegian: String) {
        let parts = norwegian.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count == 4, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Accepts either ISO or Norwegian form; forms use `<input type=date>` (ISO) but people paste both.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let d = LocalDate(iso: t) {
            self = d
        } else if let d = LocalDate(norwegian: t) {
            self = d
        } else {
            return nil
        }
    }

    public var iso: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }
    /// `dd.mm.åååå`, the staff UI's date format.
    public var norwegian: String { "\(pad(day, 2)).\(pad(month, 2)).\(pad(year, 4))" }
    public var description: String { iso }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// "N months after D" in calendar months, clamped to the last day of a shorter month:
    /// 2025-01-31 + 3 months = 2025-04-30. This is how the deadlines in integreringsloven are read.
    /// Saturates at `earliest` and `latest`.
    public func adding(months: Int) -> LocalDate {
        let base = year * 12 + (month - 1)
        let (total, overflow) = base.addingReportingOverflow(months)
        if overflow { return months < 0 ? .earliest : .latest }
        guard total >= 12 else { return .earliest }
        guard total <= 9999 * 12 + 11 else { return .latest }
        let y = total / 12
        let m = total % 12 + 1
        return LocalDate(valid: y, m, min(day, LocalDate.daysIn(month: m, year: y)))
    }

    /// Saturates at `earliest` and `latest`.
    public func adding(years: Int) -> LocalDate {
        let (months, overflow) = years.multipliedReportingOverflow(by: 12)
        if overflow { return years < 0 ? .earliest : .latest }
        return adding(months: months)
    }

    /// Days since 0001-01-01 in the proleptic Gregorian calendar.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let m = month <= 2 ? month + 12 : month
        return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + day - 307
    }

    /// The inverse of `dayNumber`; a number before `earliest` or after `latest` gives that day.
    public init(dayNumber n: Int) {
        if n <= LocalDate.earliest.dayNumber {
            self = .earliest
            return
        }
        if n >= LocalDate.latest.dayNumber {
            self = .latest
            return
        }
        // The year by bisection, then the month and day, kept exact with integer arithmetic.
        var lo = 1
        var hi = 9999
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if LocalDate(valid: mid, 1, 1).dayNumber <= n { lo = mid } else { hi = mid - 1 }
        }
        var month = 1
        var remaining = n - LocalDate(valid: lo, 1, 1).dayNumber
        while remaining >= LocalDate.daysIn(month: month, year: lo) {
            remaining -= LocalDate.daysIn(month: month, year: lo)
            month += 1
        }
        self.init(valid: lo, month, 1 + remaining)
    }

    /// Saturates at `earliest` and `latest`.
    public func adding(days: Int) -> LocalDate {
        let (n, overflow) = dayNumber.addingReportingOverflow(days)
        if overflow { return days < 0 ? .earliest : .latest }
        return LocalDate(dayNumber: n)
    }
    public func days(until other: LocalDate) -> Int { other.dayNumber - dayNumber }

    /// Whole years of age on `date` for someone born on `self` (a birthday on 29 February counts on 1 March in other
    /// years).
    public func age(on date: LocalDate) -> Int {
        var age = date.year - year
        if (date.month, date.day) < (month, day) { age -= 1 }
        return age
    }

}

extension LocalDate: TextCoded {
    public init?(codedText: String) { self.init(iso: codedText) }
    public var codedText: String { iso }
    public static var expectedText: String { "a date as yyyy-MM-dd" }
}

private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
