import Foundation

/// The service's clock: dates and times shown to people, and "today", are Norwegian time.
package enum Oslo {
    package static let timeZone = TimeZone(identifier: "Europe/Oslo") ?? .current
    package static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }()

    /// The calendar date of an instant in Norway.
    package static func day(_ date: Date) -> LocalDate {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// Midnight at the start of a Norwegian day, as milliseconds since 1970 (the audit log's clock).
    package static func startMillis(_ d: LocalDate) -> Int64 {
        Int64(
            calendar.date(from: DateComponents(year: d.year, month: d.month, day: d.day))!.timeIntervalSince1970 * 1000)
    }

    /// The service's instant for a record's time stamp: the wall clock, or noon on the fixed day when the service
    /// runs on one (`INNBYGGER_TODAY`, the test suite), so that a stamp shows the same day as everything else.
    package static func now() -> Date {
        guard let d = ServiceClock.fixedDay else { return Date() }
        return calendar.date(from: DateComponents(year: d.year, month: d.month, day: d.day, hour: 12))!
    }

    /// `dd.mm.åååå tt:mm` (with `:ss` when asked), for time stamps in the staff UI.
    package static func stamp(_ date: Date, seconds: Bool = false) -> String {
        let f = DateFormatter()
        f.dateFormat = seconds ? "dd.MM.yyyy HH:mm:ss" : "dd.MM.yyyy HH:mm"
        f.timeZone = timeZone
        return f.string(from: date)
    }
}
