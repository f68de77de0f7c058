import InnbyggerCore
import InnbyggerKernel

/// Geometry of the settlement-year chart, rendered as SVG by `Settlement/overview.leaf`: counted persons per month
/// as bars, the running total as a line, and the council's decision as a dashed target line. Server-side, no script.
package struct SettlementChart: Encodable {
    package struct Bar: Encodable {
        var x: Int
        var y: Int
        var height: Int
        var label: String
        var value: Int
        var labelX: Int
    }
    package struct Tick: Encodable {
        var y: Int
        var value: Int
    }
    package static let width = 640, left = 40, bottom = 230, barWidth = 30, plotHeight = 200
    package var width = Self.width, height = 260, left = Self.left, bottom = Self.bottom, barWidth = Self.barWidth
    package var bars: [Bar]
    package var line: String
    package var targetY: Int?
    package var ticks: [Tick]

    package init(_ p: SettlementProgress, monthLabels: [String]) {
        let (left, bottom, barWidth, plotHeight) = (Self.left, Self.bottom, Self.barWidth, Self.plotHeight)
        let maximum = max(p.decided ?? 0, p.cumulative.last ?? 0, 1)
        // Round the scale up to a tidy number so the ticks read well.
        let step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].first { maximum / $0 <= 5 } ?? 1000
        let top = ((maximum + step - 1) / step) * step
        let y = { (v: Int) -> Int in bottom - v * plotHeight / top }
        let slot = (Self.width - left - 10) / 12
        bars = p.monthly.enumerated().map { i, v in
            let x = left + i * slot + (slot - barWidth) / 2
            return Bar(x: x, y: y(v), height: bottom - y(v), label: monthLabels[i], value: v, labelX: x + barWidth / 2)
        }
        line = p.cumulative.enumerated().map { i, v in "\(left + i * slot + slot / 2),\(y(v))" }.joined(separator: " ")
        targetY = p.decided.map(y)
        ticks = stride(from: 0, through: top, by: step).map { Tick(y: y($0), value: $0) }
    }
}
