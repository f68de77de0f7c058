/// Small-number suppression for aggregates shown to leaders and politicians: a count from 1 up to
/// `threshold - 1` could point to one family in a small municipality, so it is shown as "under N".
/// (Statistical disclosure control as practised by SSB; the threshold is configuration, not law.)
public struct DisclosureControl: Sendable {
    public var threshold: Int
    public init(threshold: Int = 5) { self.threshold = threshold }

    public enum Shown: Equatable, Sendable, Codable {
        case exact(Int)
        case suppressed(below: Int)
    }

    public func show(_ count: Int) -> Shown {
        (count > 0 && count < threshold) ? .suppressed(below: threshold) : .exact(count)
    }
}
