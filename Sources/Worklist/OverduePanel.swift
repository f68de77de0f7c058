import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The start page's overdue legal deadlines by kind, counts only (issue #14: the leader's dashboard), for the
/// municipalities whose aggregates the user reads; small counts suppressed with the total as their sum.
struct OverduePanel: StartPanel {
    let order = 300

    struct Row: Encodable {
        var labelKey: String
        var count: DisclosureControl.Shown
    }
    struct Model: Encodable {
        var rows: [Row]
        var total: DisclosureControl.Shown
    }

    func render(_ req: Request) async throws -> String? {
        let codes = try await req.municipalities(where: .read) { .aggregates(municipality: $0) }
        guard !codes.isEmpty else { return nil }
        struct Count: Decodable {
            var kind: String
            var n: Int
        }
        try await req.application.deadlineIndex.ensureCurrent(req.application)
        let counts = try await (req.store as! any SQLDatabase).raw(
            """
            SELECT kind, COUNT(*) AS n FROM \(ident: OpenDeadline.schema)
            WHERE municipality IN (\(binds: codes.map(\.value))) AND due < \(bind: LocalDate.today.iso)
            GROUP BY kind ORDER BY kind
            """
        ).all(decoding: Count.self).compactMap { c in DeadlineKind(rawValue: c.kind).map { ($0, c.n) } }
        guard !counts.isEmpty else { return nil }
        var table = DisclosureTable()
        let cells = counts.map { table.cell($0.1) }
        let total = table.cell(counts.reduce(0) { $0 + $1.1 })
        table.sum(cells, is: total)
        let shown = req.application.disclosure.suppress(table)
        return try await req.section(
            "Worklist/panel",
            Model(
                rows: zip(counts, cells).map { Row(labelKey: $0.0.0.labelKey, count: shown.shown($0.1)) },
                total: shown.shown(total)))
    }
}
