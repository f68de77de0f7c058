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
        /// A refused date for this row: the message and what was typed.
        package var error: String?
        package var posted: String?
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
                canRecord: d.kind.isRecordedOnFile && canRecord(d.kind), error: nil, posted: nil,
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

private struct RightsPanelKey: StorageKey { typealias Value = [UUID: RightsPanel] }

extension RightsPanel {
    /// The panel for a person today, with the facts the features recorded; recording is offered per sector part.
    /// Computed once per request: the rights and the deadlines sections of one page share it.
    static func today(_ req: Request, _ p: Person) async throws -> RightsPanel {
        if let cached = req.storage[RightsPanelKey.self]?[p.id!] { return cached }
        let panel = try await evaluate(req, p)
        var cache = req.storage[RightsPanelKey.self] ?? [:]
        cache[p.id!] = panel
        req.storage[RightsPanelKey.self] = cache
        return panel
    }

    private static func evaluate(_ req: Request, _ p: Person) async throws -> RightsPanel {
        let events =
            try await DeadlineEvents.dates(for: [p.id!], features: req.application.features, on: req.store)[p.id!]
            ?? [:]
        let today = LocalDate.today
        return RightsPanel(
            req.application.rulesEngine.evaluate(p.facts, asOf: today), asOf: today, req: req, events: events
        ) { kind in
            req.may(
                .create, .sectorPart(municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: kind.sector)
            )
        }
    }
}

/// The person page's rights: the right and duty to the introduction programme and to Norwegian training, each check
/// said in words with its legal source.
package struct RightsSection: PersonSection {
    package let id = "rights"
    package let order = 100

    package struct Model: Encodable {
        package var id: UUID
        package var rights: RightsPanel
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        try await req.section("Rules/section-rights", Model(id: p.id!, rights: try await RightsPanel.today(req, p)))
    }
}

/// The person page's legal deadlines. The integration service sees them all; a partner sees the deadlines its own
/// sector meets (health the TB screening and health examination, the school its start, …).
package struct DeadlinesSection: PersonSection {
    package let id = "deadlines"
    package let order = 110

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        var panel = try await RightsPanel.today(req, p)
        panel.deadlines = panel.deadlines.filter { row in
            guard let kind = DeadlineKind(rawValue: row.kind) else { return false }
            return req.may(
                .read, .sectorPart(municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: kind.sector))
        }
        if let problem = req.sectionProblem, problem.form.hasPrefix("event:") {
            let kind = String(problem.form.dropFirst("event:".count))
            for i in panel.deadlines.indices where panel.deadlines[i].kind == kind {
                panel.deadlines[i].error = problem.message
                panel.deadlines[i].posted = problem.posted["date"]
            }
        }
        // What the rules are missing is for the integration service, which keeps the facts.
        if !req.may(.update, p.resource) { panel.undetermined = [] }
        guard !panel.deadlines.isEmpty || !panel.undetermined.isEmpty else { return nil }
        return try await req.section("Rules/section-deadlines", RightsSection.Model(id: p.id!, rights: panel))
    }
}
