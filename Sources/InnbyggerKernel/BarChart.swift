import InnbyggerCore

/// The geometry of a grouped bar chart drawn as server-rendered SVG (`Shared/bar-chart.leaf`): one group per label
/// on the x axis (years), one bar per series in each group (scenarios), on a scale rounded up to a tidy number. The
/// page shows the same numbers in a table; the chart adds nothing the table lacks.
package struct BarChart: Encodable, Sendable {
    package struct Bar: Encodable, Sendable {
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        var series: Int
        /// The bar's value as the page writes it, for its tooltip.
        var text: String
    }
    package struct Group: Encodable, Sendable {
        var label: String
        var x: Int
    }
    package struct Tick: Encodable, Sendable {
        var y: Int
        var text: String
    }
    package struct Series: Encodable, Sendable {
        var index: Int
        var name: String
    }

    package static let width = 640, height = 270, left = 96, bottom = 236, plotHeight = 210
    package var id: String
    package var title: String
    package var width = Self.width, height = Self.height, left = Self.left, bottom = Self.bottom
    package var bars: [Bar]
    package var groups: [Group]
    package var ticks: [Tick]
    package var series: [Series]

    /// `values[s][g]` is series s in group g; `text` writes a value for the axis and the tooltips.
    package init(
        id: String, title: String, groups labels: [String], series names: [String], values: [[Int]],
        text: (Int) -> String
    ) {
        self.id = id
        self.title = title
        let maximum = max(values.flatMap { $0 }.max() ?? 0, 1)
        let step = Self.step(for: maximum)
        let top = ((maximum + step - 1) / step) * step
        let (left, bottom, plot) = (Self.left, Self.bottom, Self.plotHeight)
        func y(_ v: Int) -> Int { bottom - Int((Double(max(v, 0)) * Double(plot) / Double(top)).rounded()) }
        let slot = (Self.width - left - 10) / max(labels.count, 1)
        let barWidth = max(4, min(36, (slot - 12) / max(names.count, 1)))
        var bars: [Bar] = []
        for (s, row) in values.enumerated() {
            for (g, v) in row.enumerated() where g < labels.count {
                let x = left + g * slot + (slot - barWidth * names.count) / 2 + s * barWidth
                bars.append(Bar(x: x, y: y(v), width: barWidth - 2, height: bottom - y(v), series: s, text: text(v)))
            }
        }
        self.bars = bars
        groups = labels.enumerated().map { g, label in Group(label: label, x: left + g * slot + slot / 2) }
        ticks = stride(from: 0, through: top, by: step).map { Tick(y: y($0), text: text($0)) }
        series = names.enumerated().map { Series(index: $0, name: $1) }
    }

    /// 1, 2 or 5 times a power of ten, so that the scale has at most five steps.
    static func step(for maximum: Int) -> Int {
        var power = 1
        while true {
            for m in [1, 2, 5] where maximum <= m * power * 5 { return m * power }
            power *= 10
        }
    }
}

/// The context `Shared/bar-chart` reads: `#extend("Shared/bar-chart", model.someChart)` with a `ChartContext`.
package struct ChartContext: Encodable, Sendable {
    package var chart: BarChart

    package init(_ chart: BarChart) { self.chart = chart }
}
