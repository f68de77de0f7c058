import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The share of the council's settlement decision fulfilled (issue #14; Elverum's plan, "bosette flyktninger i
/// henhold til politisk vedtak"): persons settled by agreement with IMDi in the period's years, family
/// reunification excluded as IMDi counts it (`SettlementProgress.counted`), against the sum of the decisions of
/// those years. Years without a decision count in neither. Above 1 when more were settled than decided.
package struct SettlementFulfilled: IndicatorDefinition {
    package let key = "settlement_fulfilled"
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package let source =
        "Kommunestyrets vedtak om bosetting; IMDi, anmodning og vedtak (familiegjenforente telles ikke)"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        struct Counts: Decodable {
            var settled: Int?
            var decided: Int?
        }
        let years = Array(period.from.year...period.to.year)
        let family = ResidenceGround.familyReunification.rawValue
        let c = try await (ctx.db as! any SQLDatabase).raw(
            """
            SELECT
            (SELECT COUNT(*) FROM \(ident: Person.schema) p WHERE p.municipality IN (\(binds: codes.map(\.value)))
              AND p.settled_by_agreement = \(bind: true) AND p.residence_ground <> \(bind: family)
              AND p.settlement_date >= \(bind: period.from.iso) AND p.settlement_date <= \(bind: period.to.iso)
              AND EXISTS (SELECT 1 FROM \(ident: SettlementYear.schema) y WHERE y.municipality = p.municipality
                AND y.decided IS NOT NULL AND y.year = CAST(substr(p.settlement_date, 1, 4) AS INTEGER))) AS settled,
            (SELECT CAST(SUM(y.decided) AS BIGINT) FROM \(ident: SettlementYear.schema) y
              WHERE y.municipality IN (\(binds: codes.map(\.value))) AND y.year IN (\(binds: years))) AS decided
            """
        ).first(decoding: Counts.self)
        return .ratio(c?.settled ?? 0, per: c?.decided ?? 0, threshold: threshold)
    }
}

/// Median hours from IMDi's proposal to the municipality's answer, for the urgent proposals received in the period
/// and answered (Elverum's plan: "svar innen 24 timer" on urgent requests). The two middle values are read in order
/// from the database; the count is suppressed like every figure about few households.
package struct AnswerHoursUrgent: IndicatorDefinition {
    package let key = "imdi_answer_hours_urgent"
    package let unit = IndicatorUnit.hours
    package let direction = IndicatorDirection.lower
    package let source = "IMDi, anmodning om bosetting: hastesaker; kommunens svarfrist (Bosetting › Innstillinger)"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        struct Count: Decodable { var n: Int }
        struct Value: Decodable { var v: Double }
        let sql = ctx.db as! any SQLDatabase
        let scope: SQLQueryString = """
            FROM \(ident: IncomingHousehold.schema) WHERE municipality IN (\(binds: codes.map(\.value)))
            AND urgent = \(bind: true) AND answer_hours IS NOT NULL
            AND received_on >= \(bind: period.from.iso) AND received_on <= \(bind: period.to.iso)
            """
        let n = try await sql.raw("SELECT COUNT(*) AS n " + scope).first(decoding: Count.self)?.n ?? 0
        guard n > 0 else { return .none }
        let middle = try await sql.raw(
            "SELECT answer_hours AS v " + scope
                + " ORDER BY answer_hours LIMIT 2 OFFSET \(unsafeRaw: String((n - 1) / 2))"
        ).all(decoding: Value.self)
        return .median(count: n, middle: middle.map(\.v), threshold: threshold)
    }
}

/// The share of urgent proposals received in the period answered within the municipality's answer time; a proposal
/// still unanswered past its time counts as late (`AnswerTime.inTime`), one whose time still runs is not counted.
package struct AnsweredInTimeUrgent: IndicatorDefinition {
    package let key = "imdi_answered_in_time_urgent"
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package let source = "IMDi, anmodning om bosetting: hastesaker; kommunens svarfrist (Bosetting › Innstillinger)"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        try await IndicatorShare.count(
            ctx, IncomingHousehold.schema, codes, numerator: "answered_in_time = \(bind: true)",
            where: """
                urgent = \(bind: true)
                AND received_on >= \(bind: period.from.iso) AND received_on <= \(bind: period.to.iso)
                AND (answered_in_time IS NOT NULL OR (decided_at IS NULL AND answer_due_at < \(bind: Oslo.now())))
                """, threshold: threshold)
    }
}

/// The start page's settlement this year (issue #14: the leader's dashboard): the council's decision against the
/// persons counted against it, per municipality whose settlement plan the user reads.
struct SettlementPanel: StartPanel {
    let order = 100

    struct Row: Encodable {
        var municipality: String
        var decided: Int?
        var counted: DisclosureControl.Shown
        var remaining: Int?
    }
    struct Model: Encodable {
        var year: Int
        var rows: [Row]
    }

    func render(_ req: Request) async throws -> String? {
        let codes = try await req.municipalities(where: .read) { .settlementPlan(municipality: $0) }
        guard !codes.isEmpty else { return nil }
        let year = LocalDate.today.year
        let years = try await SettlementYear.query(on: req.store).filter(\.$municipality.$id ~~ codes)
            .filter(\.$year == year).all()
        guard !years.isEmpty else { return nil }
        let names = try await req.municipalityNames()
        let threshold = req.application.disclosure.threshold
        var rows: [Row] = []
        for y in years.sorted(by: { $0.$municipality.id < $1.$municipality.id }) {
            let p = try await SettlementYearService.progress(req.context, y)
            let counted = IndicatorFigure.count(p.counted, threshold: threshold)
            rows.append(
                Row(
                    municipality: names[y.$municipality.id] ?? y.$municipality.id.value, decided: p.decided,
                    counted: counted.numerator.map { DisclosureControl.Shown.exact($0) } ?? .suppressed,
                    // What is left would give a suppressed count away: shown only with it.
                    remaining: counted.suppressed ? nil : p.remaining))
        }
        return try await req.section("Settlement/panel", Model(year: year, rows: rows))
    }
}
