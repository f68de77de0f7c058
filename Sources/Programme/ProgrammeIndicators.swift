import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The programme's indicators for the municipal plan (issue #14), counted in the database over the programme
/// summaries (`ProgrammeSummary`), which the Core rules keep current on every change and at the day's pass.

private struct Counts: Decodable {
    var n: Int?
    var d: Int
}

/// SSB's share in work or education one year after the programme: the participants whose programme ended in the
/// period's years and whose status a year after is recorded, and of them those employed, in education or both
/// (`OutcomeStatus.isWorkOrEducation`; SSB, "Introduksjonsordningen", status in November the year after).
package struct WorkOrEducationOneYear: IndicatorDefinition {
    package let key = "work_or_education_1y"
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package let source = "SSB, Introduksjonsordningen: status i november året etter avsluttet program"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        let good = OutcomeStatus.allCases.filter(\.isWorkOrEducation).map(\.rawValue)
        return try await IndicatorShare.count(
            ctx, ProgrammeSummary.schema, codes, numerator: "one_year_outcome IN (\(binds: good))",
            where: """
                end_year BETWEEN \(bind: period.from.year) AND \(bind: period.to.year) AND one_year_outcome IS NOT NULL
                """, threshold: threshold)
    }
}

/// The share of participants settled in the period whose programme started at the latest three months after
/// settlement (integreringsloven § 12; [S6] in `facts.md`), among those whose three months have run out or who
/// have started (`ProgrammeStartDeadline`).
package struct ProgrammeStartInTime: IndicatorDefinition {
    package let key = "programme_start_3m"
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package let source = "Integreringsloven § 12; IMDi, frist for oppstart i introduksjonsprogram"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        try await IndicatorShare.count(
            ctx, ProgrammeSummary.schema, codes, numerator: "started_in_time = \(bind: true)",
            where: """
                settlement_date >= \(bind: period.from.iso) AND settlement_date <= \(bind: period.to.iso)
                AND started_in_time IS NOT NULL
                """, threshold: threshold)
    }
}

/// Open programmes per programme advisor following any, today (the period is not used): the caseload the
/// municipality's norm is set against (`CaseloadNorm`).
package struct ParticipantsPerAdvisor: IndicatorDefinition {
    package let key = "participants_per_advisor"
    package let unit = IndicatorUnit.count
    package let direction = IndicatorDirection.lower
    package let source = "Kommunens egen bemanningsnorm (Programme › Innstillinger)"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        let c = try await (ctx.db as! any SQLDatabase).raw(
            """
            SELECT COUNT(DISTINCT p.advisor_id) AS n, COUNT(*) AS d
            FROM \(ident: ProgrammeSummary.schema) s JOIN \(ident: Person.schema) p ON p.id = s.person_id
            WHERE s.municipality IN (\(binds: codes.map(\.value))) AND s.is_open = \(bind: true)
            AND p.advisor_id IS NOT NULL
            """
        ).first(decoding: Counts.self)
        return .ratio(c?.d ?? 0, per: c?.n ?? 0, threshold: threshold)
    }
}

/// The start page's programme results (issue #14: the leader's dashboard): participants now, and SSB's share in
/// work or education a year after for last year's cohort, per municipality whose aggregates the user reads.
struct ProgrammePanel: StartPanel {
    let order = 200

    struct Row: Encodable {
        var municipality: String
        var open: DisclosureControl.Shown
        var share: String?
        var suppressed: Bool
    }
    struct Model: Encodable {
        var rows: [Row]
        var cohort: Int
    }

    func render(_ req: Request) async throws -> String? {
        let codes = try await req.municipalities(where: .read) { .aggregates(municipality: $0) }
        guard !codes.isEmpty else { return nil }
        try await req.application.deadlineIndex.ensureCurrent(req.application)
        struct Open: Decodable {
            var municipality: String
            var n: Int
        }
        let open = try await (req.store as! any SQLDatabase).raw(
            """
            SELECT municipality, COUNT(*) AS n FROM \(ident: ProgrammeSummary.schema)
            WHERE municipality IN (\(binds: codes.map(\.value))) AND is_open = \(bind: true) GROUP BY municipality
            """
        ).all(decoding: Open.self)
        guard !open.isEmpty else { return nil }
        let names = try await req.municipalityNames()
        let threshold = req.application.disclosure.threshold
        let cohort = LocalDate.today.year - 1
        var rows: [Row] = []
        for o in open.sorted(by: { $0.municipality < $1.municipality }) {
            guard let m = Kommunenummer(o.municipality) else { continue }
            let f = try await WorkOrEducationOneYear().figure(
                req.context, [m], .year(cohort), threshold: threshold)
            rows.append(
                Row(
                    municipality: names[m] ?? m.value,
                    open: IndicatorFigure.count(o.n, threshold: threshold).numerator.map {
                        DisclosureControl.Shown.exact($0)
                    }
                        ?? .suppressed,
                    share: f.value.map { "\(Int(($0 * 100).rounded())) %" }, suppressed: f.suppressed))
        }
        return try await req.section("Programme/panel", Model(rows: rows, cohort: cohort))
    }
}
