import InnbyggerCore
import InnbyggerKernel
import SQLKit

/// The plan's "share within the deadline" indicators (issue #14), one per legal deadline a municipality is measured
/// on: among the deadlines that fell due in the period and are decided (`DeadlineOutcome`: met, or passed without
/// the event; persons who moved out before the day are not counted), the share met on or before the due day.
/// Counted in the database over the kernel's `deadline_outcomes`, which the rules keep current on every change and at
/// the day's pass.
package struct DeadlineInTime: IndicatorDefinition {
    package let kind: DeadlineKind
    package let source: String
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package var key: String { "\(kind.rawValue)_in_time" }

    /// The deadlines the plan asks about, each with where its time limit comes from.
    package static let all: [DeadlineInTime] = [
        DeadlineInTime(
            kind: .tbScreening, source: "Tuberkuloseforskriften § 3-2: tuberkuloseundersøkelse innen 14 dager"),
        DeadlineInTime(
            kind: .healthExamination,
            source: "Helsedirektoratet, Veileder for helsetjenester til asylsøkere, flyktninger og familiegjenforente: "
                + "helseundersøkelse innen 3 måneder"),
        DeadlineInTime(kind: .kindergartenStart, source: "Kommunens frist for barnehagestart etter bosetting"),
        DeadlineInTime(kind: .schoolStart, source: "Opplæringslova: skolestart etter bosetting"),
        DeadlineInTime(
            kind: .programmeDecision, source: "Integreringsloven § 12: vedtak om introduksjonsprogram innen 3 måneder"),
    ]

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        try await IndicatorShare.count(
            ctx, DeadlineOutcomeRow.schema, codes, numerator: "met_in_time = \(bind: true)",
            where: """
                kind = \(bind: kind.rawValue) AND due >= \(bind: period.from.iso) AND due <= \(bind: period.to.iso)
                AND met_in_time IS NOT NULL
                """, threshold: threshold)
    }
}
