import Foundation

/// How long the municipality took to answer IMDi's proposal to settle a household, and whether within its answer
/// time (Elverum's plan: urgent proposals answered within 24 hours; the municipality's answer hours are a setting).
/// The plan's indicators `imdi_answer_hours_urgent` and `imdi_answered_in_time_urgent` count these.
public enum AnswerTime {
    /// Whole and part hours from the proposal's receipt to the answer (never negative: a clock set wrong on entry
    /// does not make an answer come before its question).
    public static func hours(received: Date, answered: Date) -> Double {
        max(0, answered.timeIntervalSince(received)) / 3600
    }

    /// `true` answered at or before the due time, `false` answered later or still unanswered past it, nil while the
    /// time runs.
    public static func inTime(answered: Date?, due: Date, now: Date) -> Bool? {
        if let answered { return answered <= due }
        return now > due ? false : nil
    }
}
