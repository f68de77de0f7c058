import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The person page's "rights and deadlines" panel: the engine's result, said in words with the legal source.
package struct RightsPanel: Encodable {
    package struct CheckRow: Encodable {
        var state: String
        var stateKey: String
        var text: String
        var reference: String
    }
    package struct AssessmentView: Encodable {
        package var titleKey: String
        package var category: String
        package var categoryKey: String
        package var checks: [CheckRow]
        package var missing: [String]
    }
    package struct DeadlineRow: Encodable {
        package var kind: String
        package var kindKey: String
        package var due: String
        package var status: String
        package var statusKey: String
        package var reference: String
        package var eventDate: String?
        package var canRecord: Bool
        /// A programme step: recorded on the programme page, which the row links to.
        package var onProgramme: Bool
    }

    package var asOf: String
    package var regime: String
    package var assessments: [AssessmentView]
    package var deadlines: [DeadlineRow]
    package var undetermined: [String]

    package init(
        _ e: Evaluation, asOf: LocalDate, req: Request, events: [DeadlineKind: LocalDate],
        canRecord: (DeadlineKind) -> Bool
    ) {
        self.asOf = asOf.norwegian
        regime = e.lawRegime.labelKey
        func view(_ a: Assessment, _ title: String) -> AssessmentView {
            AssessmentView(
                titleKey: title, category: a.category.rawValue, categoryKey: a.category.labelKey,
                checks: a.checks.filter { $0.rule != "law_regime" }.map { c in
                    let state = c.passed.map { $0 ? "passed" : "failed" } ?? "unknown"
                    // Dates in the values are shown as dd.mm.åååå.
                    let values = c.values.map { LocalDate(iso: $0)?.norwegian ?? $0 }
                    return CheckRow(
                        state: state, stateKey: "check.\(state)",
                        text: req.application.translations.text("rule.\(c.rule).\(state)", req.language, values),
                        reference: c.reference)
                },
                missing: a.missing.map { "field.\($0)" })
        }
        assessments = [
            view(e.introductionProgramme, "rights.programme"), view(e.norwegianTraining, "rights.norwegian"),
        ]
        deadlines = e.deadlines.map { d in
            let status = DeadlineStatus.of(d, eventDate: events[d.kind], asOf: asOf, soonDays: Deadlines.soonDays)
                .rawValue
            return DeadlineRow(
                kind: d.kind.rawValue, kindKey: d.kind.labelKey, due: d.due.iso, status: status,
                statusKey: "status.\(status)", reference: d.reference, eventDate: events[d.kind]?.iso,
                canRecord: d.kind.isRecordedOnFile && canRecord(d.kind),
                onProgramme: d.kind.isProgrammeStep && events[d.kind] == nil && canRecord(d.kind))
        }
        undetermined = Array(
            Set(
                e.undeterminedDeadlines.compactMap {
                    $0.split(separator: ":").last.map { "field." + $0.trimmingCharacters(in: .whitespaces) }
                })
        ).sorted()
    }
}

/// The person page's section with the rights panel. Shown to whoever may read the file (the file read itself is
/// audited by the person page); recording a met deadline is offered per sector part.
package struct RightsSection: PersonSection {
    package let order = 100

    package struct Model: Encodable {
        package var id: UUID
        package var rights: RightsPanel
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        guard req.may(.read, p.resource) else { return nil }
        let facts = p.facts
        let events =
            try await DeadlineEvents.dates(for: [p.id!], features: req.application.features, on: req.store)[p.id!]
            ?? [:]
        let today = LocalDate.today
        let panel = RightsPanel(
            req.application.rulesEngine.evaluate(facts, asOf: today), asOf: today, req: req,
            events: events
        ) { kind in
            req.may(
                .create, .sectorPart(municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: kind.sector)
            )
        }
        return try await req.section("Rules/section", Model(id: p.id!, rights: panel))
    }
}
