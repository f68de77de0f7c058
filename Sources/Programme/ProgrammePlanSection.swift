import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The person page's summary of the introduction programme's plan: the final goal, the period and the measures. The
/// integration service sees every measure; NAV, on a file shared with it, sees the plan and the measures it owns
/// (integreringsloven § 15: the plan is made with the participant, and NAV takes part where it runs measures).
package struct ProgrammePlanSection: PersonSection {
    package let id = "programme_plan"
    package let order = 200

    package struct Model: Encodable {
        package struct Measure: Encodable {
            var kindKey: String
            var title: String?
            var from: String
            var to: String
            var hours: String
            var ownerKey: String
            var owner: String
        }
        var personID: UUID
        var goalKey: String?
        var start: String?
        var plannedEnd: String?
        var planDate: String?
        var ended: String?
        var measures: [Measure]
        var ownOnly: Bool
    }

    package func render(_ req: Request, _ p: Person) async throws -> String? {
        guard
            let part = try await PersonProgramme.query(on: req.store).filter(\.$person.$id == p.id!)
                .with(\.$measures).first()
        else { return nil }
        let integration = req.may(.read, .programme(municipality: p.$municipality.id))
        let measures = part.measures.filter { m in
            req.may(
                .read,
                .sectorPart(municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: m.ownedBy))
        }
        let plannedEnd = ProgrammeFacts(
            part: part, person: p, parameters: req.application.programmeParameters, today: .today
        ).course.plannedEnd
        return try await req.section(
            "Programme/section-plan",
            Model(
                personID: p.id!, goalKey: part.finalGoal?.labelKey, start: part.startDate?.iso,
                plannedEnd: plannedEnd?.iso,
                planDate: part.planDate?.iso, ended: part.endDate?.iso,
                measures: measures.sorted { $0.from < $1.from }.map {
                    .init(
                        kindKey: $0.kind.labelKey, title: $0.title, from: $0.from.iso, to: $0.to.iso,
                        hours: NorwegianFormat.hours(minutes: $0.weeklyMinutes), ownerKey: $0.ownedBy.labelKey,
                        owner: $0.ownedBy.rawValue)
                }, ownOnly: !integration))
    }
}
