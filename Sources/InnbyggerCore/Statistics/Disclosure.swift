import Foundation

/// Small-number suppression ("prikking") for every figure shown to leaders and politicians: settlement charts,
/// reports and lists. A count from 1 up to `threshold - 1` could point to one family in a small municipality, so it is
/// not shown; and so that it cannot be worked out from the row's or column's sum either (58 − 11 − 37 − 9 = 1), other
/// figures in the same sums are hidden with it.
///
/// The ground is statistical disclosure control as Statistics Norway (SSB) practises it for tables about persons:
/// primary suppression of small cells and complementary (secondary) suppression so that a hidden cell cannot be
/// recovered from the margins. The law asks for it in principle, not in numbers: data minimisation
/// (GDPR art. 5(1)(c)) and safeguards for statistics (GDPR art. 89(1)). The threshold is configuration, not law: the
/// municipality's and SSB's practice (`Resources/Parameters/disclosure.json`).
///
/// One rule, applied to a `DisclosureTable` (figures and the sums a reader can check among them):
///
/// 1. **Primary**: every count from 1 to `threshold - 1` is hidden. Zero is shown: it says no one is there and points
///    to no one. (A zero is hidden only as a last resort, when a sum has no non-zero figure left to hide.)
/// 2. **Complementary**: in every sum, the number of hidden figures (the total counted) is 0 or at least 2. A sum with
///    one hidden figure gets a second: the smallest other non-zero figure in it, then a zero, and only when the sum
///    has no other figure, its total. Repeated until no sum changes.
/// 3. **All sums together**: a hidden figure must not be recoverable from the shown figures and all the sums
///    combined either (a row and a column together can pin a cell that neither pins alone), nor by knowing that
///    hidden counts are not zero (two hidden 1s in a sum of 2). Each hidden figure is checked; one that could be
///    worked out gets the smallest further figure that protects it, and rule 2 runs again.
///
/// The result is deterministic: ties go to the figure added to the table first. The check in rule 3 is exact for
/// tables in which each figure is in at most two sums with opposite roles, which is every table here (a grid with its
/// margins, lists sharing one total, a running total); see `DisclosureTests`.
///
/// Every hidden figure is shown the same way ("prikket"), whether it is small or hidden to protect a small one:
/// labelling only the small ones "under 5" would tell the reader that the others are 5 or more, and with the sum that
/// can give the small one away (a hidden pair adding up to 6 with one "under 5" is 1 and 5).
public struct DisclosureControl: Sendable {
    /// Counts below this (and above zero) are hidden.
    public var threshold: Int
    public init(threshold: Int) {
        precondition(threshold >= 1, "a disclosure threshold is at least 1")
        self.threshold = threshold
    }

    /// How a figure is shown. Encoded as `{"value": 7, "suppressed": false}` or `{"value": null, "suppressed": true}`,
    /// for templates and the API alike.
    public enum Shown: Equatable, Sendable, Codable {
        case exact(Int)
        case suppressed

        public var value: Int? {
            if case .exact(let v) = self { v } else { nil }
        }
        public var isSuppressed: Bool { self == .suppressed }

        private enum CodingKeys: String, CodingKey { case value, suppressed }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self =
                try c.decode(Bool.self, forKey: .suppressed)
                ? .suppressed : .exact(try c.decode(Int.self, forKey: .value))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(value, forKey: .value)
            try c.encode(isSuppressed, forKey: .suppressed)
        }
    }

    /// Applies the rule to a table.
    public func suppress(_ table: DisclosureTable) -> DisclosureTable.Suppression {
        var hidden = table.values.indices.map { i in
            table.kinds[i] == .count && table.values[i] > 0 && table.values[i] < threshold
        }
        var unprotectable = Set<Int>()
        while true {
            Self.complete(table, &hidden)
            let check = Protection(table, hidden)
            guard let weak = check.unknowns.first(where: { !unprotectable.contains($0) && !check.protects($0) })
            else { break }
            if let c = Self.protector(for: weak, table, hidden) {
                hidden[c] = true
            } else {
                unprotectable.insert(weak)
            }
        }
        return DisclosureTable.Suppression(values: table.values, hidden: hidden)
    }

    /// Rule 2: until no sum has exactly one hidden figure.
    static func complete(_ t: DisclosureTable, _ hidden: inout [Bool]) {
        var changed = true
        while changed {
            changed = false
            for line in t.lines {
                let cells = line.cells
                guard cells.filter({ hidden[$0] }).count == 1 else { continue }
                let members = line.members.map(\.index).filter { !hidden[$0] && t.kinds[$0] != .published }
                let pick =
                    members.min { t.preference($0) < t.preference($1) }
                    ?? (hidden[line.total.index] || t.kinds[line.total.index] == .published ? nil : line.total.index)
                if let pick {
                    hidden[pick] = true
                    changed = true
                }
            }
        }
    }

    /// Rule 3's choice: the smallest shown non-zero figure that protects `cell`, preferring one in a sum that already
    /// has a hidden figure (so that it does not start a new one); then zeros; failing that, the smallest in a sum with
    /// `cell`.
    static func protector(for cell: Int, _ t: DisclosureTable, _ hidden: [Bool]) -> Int? {
        let lines = t.lines.map(\.cells)
        let candidates = t.values.indices.filter { !hidden[$0] && t.kinds[$0] != .published }.sorted { a, b in
            func opens(_ c: Int) -> Bool { lines.contains { $0.contains(c) && !$0.contains { hidden[$0] } } }
            let (pa, pb) = (t.preference(a), t.preference(b))
            return (pa.0, opens(a) ? 1 : 0, pa.1, pa.2) < (pb.0, opens(b) ? 1 : 0, pb.1, pb.2)
        }
        for c in candidates {
            var h = hidden
            h[c] = true
            if Protection(t, h).protects(cell) { return c }
        }
        return candidates.first { c in lines.contains { $0.contains(c) && $0.contains(cell) } } ?? candidates.first
    }
}

/// Whether a hidden figure can take another value that agrees with every shown figure and every sum, hidden counts
/// staying at least 1 (or 0 for a hidden zero) and derived figures at least 0. It can if some direction of change that
/// keeps every sum (a vector in the kernel of the sums over the hidden figures) moves it without lowering a figure that
/// is already at its least. That is a small linear programme; the sums here are totally unimodular, so such a
/// direction is also a whole-number change of ±1 (a cycle through the table) and the figure has another whole value.
struct Protection {
    /// The hidden figures, in table order.
    let unknowns: [Int]
    private let column: [Int: Int]
    private let kernel: [[Double]]
    /// Columns of the hidden figures already at their least value.
    private let atLeast: [Int]

    init(_ t: DisclosureTable, _ hidden: [Bool]) {
        let unknowns = t.values.indices.filter { hidden[$0] }
        let column = Dictionary(uniqueKeysWithValues: unknowns.enumerated().map { ($1, $0) })
        let rows: [[Int]] = t.lines.compactMap { line in
            var row = Array(repeating: 0, count: unknowns.count)
            for m in line.members { if let c = column[m.index] { row[c] += 1 } }
            if let c = column[line.total.index] { row[c] -= 1 }
            return row.contains { $0 != 0 } ? row : nil
        }
        self.unknowns = unknowns
        self.column = column
        kernel = Linear.kernel(rows, columns: unknowns.count)
        atLeast = unknowns.enumerated().filter { t.values[$1] <= t.lowerBound($1) }.map(\.offset)
    }

    func protects(_ cell: Int) -> Bool {
        guard let e = column[cell] else { return true }
        let direction = kernel.map { $0[e] }
        guard direction.contains(where: { $0 != 0 }) else { return false }
        if atLeast.isEmpty { return true }
        // Some λ with (Kλ)ᵢ ≥ 0 for every figure at its least and (Kλ)ₑ ≠ 0.
        let bounds = atLeast.map { i in kernel.map { $0[i] } }
        return Linear.positiveSomewhere(direction, keeping: bounds)
            || Linear.positiveSomewhere(direction.map { -$0 }, keeping: bounds)
    }
}

/// Figures to be shown together and the sums among them that a reader can check: a grid with its margins, lists
/// sharing one total, a running total. Build it, then `DisclosureControl.suppress` it.
public struct DisclosureTable: Sendable {
    /// What a figure is, for the rule.
    public enum Kind: Sendable {
        /// A number of persons (or households): hidden when small.
        case count
        /// Computed from counts and harmless itself (what remains of a decision): hidden only to protect a count.
        case derived
        /// Public anyway (the council's decision): never hidden.
        case published
    }
    /// A figure in the table.
    public struct Cell: Hashable, Sendable {
        public let index: Int
    }
    /// `members` add up to `total`.
    public struct Line: Sendable {
        public var members: [Cell]
        public var total: Cell
        var cells: [Int] { members.map(\.index) + [total.index] }
    }

    public private(set) var values: [Int] = []
    public private(set) var kinds: [Kind] = []
    public private(set) var lines: [Line] = []

    public init() {}

    /// Adds a figure; figures added first win ties when the rule picks one to hide.
    public mutating func cell(_ value: Int, _ kind: Kind = .count) -> Cell {
        precondition(value >= 0, "figures in a disclosure table are not negative")
        values.append(value)
        kinds.append(kind)
        return Cell(index: values.count - 1)
    }

    /// Declares that `members` add up to `total` (and the reader can see that they do).
    public mutating func sum(_ members: [Cell], is total: Cell) {
        precondition(!members.contains(total), "a total is not its own member")
        assert(members.map { values[$0.index] }.reduce(0, +) == values[total.index], "the members add up to the total")
        lines.append(Line(members: members, total: total))
    }

    /// The least value a hidden figure can have, as a reader knows the rule: counts that are hidden are not zero
    /// (zeros are shown), derived figures are not negative.
    func lowerBound(_ i: Int) -> Int { kinds[i] == .count ? min(values[i], 1) : 0 }

    /// The order in which figures are picked to hide: non-zero first, then the smallest, then the first added.
    func preference(_ i: Int) -> (Int, Int, Int) { (values[i] == 0 ? 1 : 0, values[i], i) }

    /// Which figures are shown.
    public struct Suppression: Sendable, Equatable {
        public let values: [Int]
        public let hidden: [Bool]
        public func shown(_ cell: Cell) -> DisclosureControl.Shown {
            hidden[cell.index] ? .suppressed : .exact(values[cell.index])
        }
        public func isSuppressed(_ cell: Cell) -> Bool { hidden[cell.index] }
    }
}

extension DisclosureControl {
    /// A grid with every row total, column total and the grand total shown.
    public struct Grid: Sendable, Equatable {
        public var cells: [[Shown]]
        public var rowTotals: [Shown]
        public var columnTotals: [Shown]
        public var grandTotal: Shown
    }

    /// Suppresses a grid of counts (rows of equal length) shown with its row totals, column totals and grand total.
    public func grid(_ counts: [[Int]]) -> Grid {
        let columns = counts.first?.count ?? 0
        precondition(counts.allSatisfy { $0.count == columns }, "every row has as many cells")
        var t = DisclosureTable()
        let cells = counts.map { row in row.map { t.cell($0) } }
        let rowTotals = counts.map { t.cell($0.reduce(0, +)) }
        let columnTotals = (0..<columns).map { j in t.cell(counts.map { $0[j] }.reduce(0, +)) }
        let grand = t.cell(counts.joined().reduce(0, +))
        for (i, row) in cells.enumerated() { t.sum(row, is: rowTotals[i]) }
        for j in 0..<columns { t.sum(cells.map { $0[j] }, is: columnTotals[j]) }
        t.sum(rowTotals, is: grand)
        t.sum(columnTotals, is: grand)
        let s = suppress(t)
        return Grid(
            cells: cells.map { $0.map(s.shown) }, rowTotals: rowTotals.map(s.shown),
            columnTotals: columnTotals.map(s.shown), grandTotal: s.shown(grand))
    }

    /// Suppresses counts by category shown with their total.
    public func list(_ counts: [Int]) -> (counts: [Shown], total: Shown) {
        var t = DisclosureTable()
        let cells = counts.map { t.cell($0) }
        let total = t.cell(counts.reduce(0, +))
        t.sum(cells, is: total)
        let s = suppress(t)
        return (cells.map(s.shown), s.shown(total))
    }
}

/// The small exact linear algebra the rule needs: the kernel of a sum matrix, and whether a direction in it can be
/// positive while other coordinates stay non-negative.
enum Linear {
    /// A basis of { x : rows · x = 0 }, as rows of `columns` numbers. Exact: whole-number elimination, each row kept
    /// divided by the greatest common divisor of its entries.
    static func kernel(_ rows: [[Int]], columns: Int) -> [[Double]] {
        var m = rows
        var pivots: [(row: Int, column: Int)] = []
        var r = 0
        for c in 0..<columns where r < m.count {
            guard let p = (r..<m.count).first(where: { m[$0][c] != 0 }) else { continue }
            m.swapAt(r, p)
            for i in m.indices where i != r && m[i][c] != 0 {
                let (a, b) = (m[r][c], m[i][c])
                m[i] = normalised(zip(m[i], m[r]).map { a * $0 - b * $1 })
            }
            pivots.append((r, c))
            r += 1
        }
        let pivotColumns = Set(pivots.map(\.column))
        return (0..<columns).filter { !pivotColumns.contains($0) }.map { free in
            var v = Array(repeating: 0.0, count: columns)
            v[free] = 1
            for (row, column) in pivots { v[column] = -Double(m[row][free]) / Double(m[row][column]) }
            return v
        }
    }

    static func normalised(_ row: [Int]) -> [Int] {
        let g = row.reduce(0) { gcd($0, abs($1)) }
        return g > 1 ? row.map { $0 / g } : row
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// Whether some λ has `direction · λ > 0` while `bound · λ ≥ 0` for every bound: the simplex method (Bland's
    /// rule, so it cannot cycle) on max direction·λ subject to −bound·λ ≤ 0 and direction·λ ≤ 1, λ = λ⁺ − λ⁻.
    static func positiveSomewhere(_ direction: [Double], keeping bounds: [[Double]]) -> Bool {
        let k = direction.count
        let split = { (v: [Double]) in v + v.map { -$0 } }
        // Rows: constraint coefficients (2k), slack columns (one per row), right-hand side.
        let constraints = bounds.map { split($0.map { -$0 }) } + [split(direction)]
        let n = constraints.count
        var tableau: [[Double]] = constraints.enumerated().map { i, row in
            row + (0..<n).map { $0 == i ? 1 : 0 } + [i == n - 1 ? 1 : 0]
        }
        var objective = split(direction).map { -$0 } + Array(repeating: 0, count: n) + [0]
        var basis = Array(2 * k..<2 * k + n)
        let eps = 1e-9
        while let entering = objective.indices.dropLast().first(where: { objective[$0] < -eps }) {
            var leaving: Int?
            var best = Double.infinity
            for i in 0..<n where tableau[i][entering] > eps {
                let ratio = tableau[i].last! / tableau[i][entering]
                if ratio < best - eps || (abs(ratio - best) <= eps && basis[i] < basis[leaving!]) {
                    best = ratio
                    leaving = i
                }
            }
            guard let l = leaving else { return true }  // unbounded: cannot happen with direction·λ ≤ 1
            let pivot = tableau[l][entering]
            tableau[l] = tableau[l].map { $0 / pivot }
            for i in 0..<n where i != l && abs(tableau[i][entering]) > eps {
                let f = tableau[i][entering]
                tableau[i] = zip(tableau[i], tableau[l]).map { $0 - f * $1 }
            }
            let f = objective[entering]
            objective = zip(objective, tableau[l]).map { $0 - f * $1 }
            basis[l] = entering
        }
        return objective.last! > eps
    }
}

/// The disclosure threshold in force by date (`Resources/Parameters/disclosure.json`), sourced like every parameter.
public struct DisclosureParameters: Codable, Sendable {
    public var threshold: Dated<Int>

    public init(threshold: Dated<Int>) { self.threshold = threshold }

    /// `Parameters/disclosure.json` in the resources directory.
    public static func load(resourcesDirectory: String) throws -> DisclosureParameters {
        try load(from: URL(fileURLWithPath: resourcesDirectory).appendingPathComponent("Parameters/disclosure.json"))
    }

    public static func load(from url: URL) throws -> DisclosureParameters {
        let p = try JSONDecoder().decode(DisclosureParameters.self, from: Data(contentsOf: url))
        try p.validate()
        return p
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Refuses a file without a threshold, or with one below 1 (a threshold of 1 hides nothing; below, nonsense).
    public func validate() throws(Invalid) {
        guard !threshold.entries.isEmpty else { throw Invalid(description: "threshold has no entry") }
        for e in threshold.entries where e.value < 1 {
            throw Invalid(description: "threshold must be at least 1 (entry from \(e.from.iso))")
        }
    }

    /// The rule in force on `date` (the first entry's before it).
    public func control(on date: LocalDate) -> DisclosureControl {
        DisclosureControl(threshold: (threshold.entry(on: date) ?? threshold.entries[0]).value)
    }
}
