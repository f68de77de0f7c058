import InnbyggerCore
import InnbyggerKernel

/// A settlement year's figures as the overview shows them: small numbers of persons suppressed by the one rule for
/// every figure leaders see (`DisclosureControl`), with the figures that would give them away. The sums a reader can
/// check are all declared: each month and the running total before it add up to the running total after it (so the
/// running total cannot be subtracted month from month), December's running total is the counted persons, counted and
/// remaining add up to the decision (public, never hidden), and the months of family reunification add up to theirs.
package struct SettlementFigures {
    package typealias Shown = DisclosureControl.Shown
    package var monthly: [Shown]
    package var cumulative: [Shown]
    package var monthlyFamily: [Shown]
    package var counted: Shown
    package var familyReunified: Shown
    package var notByAgreement: Shown
    /// Nil without a decision.
    package var remaining: Shown?
    package var decided: Int?
    /// How many more persons were counted than the council decided, when the count is shown: "0 remaining" alone
    /// would hide that the decision was passed (issue #30).
    package var overDecision: Int?
    /// Counts under this are suppressed.
    package var threshold: Int

    package init(_ p: SettlementProgress, _ rule: DisclosureControl) {
        var t = DisclosureTable()
        let months = p.monthly.map { t.cell($0) }
        var running: [DisclosureTable.Cell] = []
        for (i, v) in p.cumulative.enumerated() {
            let c = t.cell(v)
            t.sum(i == 0 ? [months[0]] : [running[i - 1], months[i]], is: c)
            running.append(c)
        }
        let family = p.monthlyFamily.map { t.cell($0) }
        let familyTotal = t.cell(p.familyReunified)
        t.sum(family, is: familyTotal)
        let other = t.cell(p.notByAgreement)
        var remainingCell: DisclosureTable.Cell?
        if let decided = p.decided, let remaining = p.remaining {
            let r = t.cell(remaining, .derived)
            // Beyond the decision, "0 remaining" says only that the decision is reached.
            if p.counted <= decided, let last = running.last { t.sum([last, r], is: t.cell(decided, .published)) }
            remainingCell = r
        }
        let s = rule.suppress(t)
        monthly = months.map(s.shown)
        cumulative = running.map(s.shown)
        monthlyFamily = family.map(s.shown)
        counted = running.last.map(s.shown) ?? .exact(0)
        familyReunified = s.shown(familyTotal)
        notByAgreement = s.shown(other)
        remaining = remainingCell.map(s.shown)
        decided = p.decided
        if let decided = p.decided, let shown = counted.value, shown > decided { overDecision = shown - decided }
        threshold = rule.threshold
    }
}

/// Geometry of the settlement-year chart, rendered as SVG by `Settlement/overview.leaf`: counted persons per month
/// as bars, the running total as a line, and the council's decision as a dashed target line. Server-side, no script.
/// A suppressed month is drawn as a short hatched marker, the same for every suppressed month, and the running total's
/// line is broken where it is suppressed; the scale is set by shown figures only.
package struct SettlementChart: Encodable {
    package struct Bar: Encodable {
        var x: Int
        var y: Int
        var height: Int
        var label: String
        /// Nil when suppressed.
        var value: Int?
        var suppressed: Bool
        var labelX: Int
    }
    package struct Tick: Encodable {
        var y: Int
        var value: Int
    }
    package static let width = 640, left = 40, bottom = 230, barWidth = 30, plotHeight = 200, markerHeight = 12
    package var width = Self.width, height = 260, left = Self.left, bottom = Self.bottom, barWidth = Self.barWidth
    package var bars: [Bar]
    /// An SVG path through the shown points of the running total.
    package var line: String
    package var targetY: Int?
    package var ticks: [Tick]
    /// For the caption: counts under this are suppressed.
    package var threshold: Int

    package init(_ f: SettlementFigures, monthLabels: [String]) {
        let (left, bottom, barWidth, plotHeight) = (Self.left, Self.bottom, Self.barWidth, Self.plotHeight)
        let maximum = max(f.decided ?? 0, f.cumulative.compactMap(\.value).max() ?? 0, 1)
        // Round the scale up to a tidy number so the ticks read well.
        let step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].first { maximum / $0 <= 5 } ?? 1000
        let top = ((maximum + step - 1) / step) * step
        let y = { (v: Int) -> Int in bottom - v * plotHeight / top }
        let slot = (Self.width - left - 10) / 12
        bars = f.monthly.enumerated().map { i, shown in
            let x = left + i * slot + (slot - barWidth) / 2
            let top = shown.value.map(y) ?? bottom - Self.markerHeight
            return Bar(
                x: x, y: top, height: bottom - top, label: monthLabels[i], value: shown.value,
                suppressed: shown.isSuppressed, labelX: x + barWidth / 2)
        }
        var path: [String] = []
        var drawing = false
        for (i, shown) in f.cumulative.enumerated() {
            guard let v = shown.value else {
                drawing = false
                continue
            }
            path.append("\(drawing ? "L" : "M")\(left + i * slot + slot / 2),\(y(v))")
            drawing = true
        }
        line = path.joined(separator: " ")
        targetY = f.decided.map(y)
        ticks = stride(from: 0, through: top, by: step).map { Tick(y: y($0), value: $0) }
        threshold = f.threshold
    }
}
