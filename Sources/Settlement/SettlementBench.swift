import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Settlement in the bench dataset: each municipality's settings and checklist template (the service defaults), its
/// yearly request and decision for the past five years and this one (from the persons it settled), the arrival
/// checklist of the households that came in the last six months, and proposals from IMDi in every state.
extension SettlementFeature {
    package func seedBench(_ bench: BenchContext) async throws {
        let today = bench.today
        let defaults = bench.app.settlementDefaults
        let settings = bench.table(
            MunicipalSettings.schema, ["municipality", "answer_hours_urgent", "answer_hours_ordinary"])
        let template = bench.table(
            ChecklistTemplateItem.schema,
            ["id", "municipality", "position", "title", "sector", "offset_days", "deadline_kind"])
        for code in bench.municipalities {
            try await settings.add(code.value, defaults.answerHours.urgent.value, defaults.answerHours.ordinary.value)
            for (i, item) in defaults.arrivalChecklist.items.enumerated() {
                try await template.add(
                    bench.uuid(), code.value, i + 1, item.title, item.sector.rawValue, item.offsetDays,
                    item.deadline?.rawValue)
            }
        }
        try await settings.finish()
        try await template.finish()

        // Settled persons per municipality and year, and of them minors.
        var settled: [Kommunenummer: [Int: (all: Int, minors: Int)]] = [:]
        for p in bench.persons where p.ground != .familyReunification {
            var row = settled[p.municipality, default: [:]][p.settlement.year, default: (0, 0)]
            row.all += 1
            if !p.adult { row.minors += 1 }
            settled[p.municipality, default: [:]][p.settlement.year] = row
        }
        let years = bench.table(
            SettlementYear.schema,
            [
                "id", "municipality", "year", "requested", "requested_minors", "request_date", "decided",
                "decided_minors", "decision_date", "decision_reference", "updated_at",
            ])
        for code in bench.populated {
            for year in (today.year - 5)...(today.year + 1) {
                let count = settled[code]?[year] ?? (0, 0)
                // IMDi asks for somewhat more than came; next year's request is not yet decided.
                let requested = max(1, Int(Double(max(count.all, 1)) * Double(bench.int(100...115)) / 100))
                let decided = year <= today.year
                try await years.add(
                    bench.uuid(), code.value, year, requested, count.minors / 3,
                    LocalDate(year: year - 1, month: 12, day: 15)?.iso, decided ? requested - bench.int(0...2) : nil,
                    decided ? count.minors > 0 : nil, decided ? LocalDate(year: year, month: 2, day: 20)?.iso : nil,
                    decided ? "PS \(bench.int(1...60))/\(year % 100)" : nil, bench.now)
            }
        }
        try await years.finish()

        // The arrival checklist of the households that came in the last six months.
        let tasks = bench.table(
            ArrivalTask.schema,
            ["id", "household_id", "position", "title", "sector", "due", "done_on", "deadline_kind"])
        let recent = today.adding(months: -6)
        for h in bench.households where h.arrival >= recent {
            for (i, item) in defaults.arrivalChecklist.items.enumerated() {
                let due = h.arrival.adding(days: item.offsetDays)
                let done = due <= today ? bench.chance(0.85) : bench.chance(0.3)
                let doneOn = done ? min(today, bench.day(h.arrival, due)) : nil
                try await tasks.add(
                    bench.uuid(), h.id, i + 1, item.title, item.sector.rawValue, due.iso, doneOn?.iso,
                    item.deadline?.rawValue)
            }
        }
        try await tasks.finish()

        // Proposals from IMDi: about one for every 400 persons, received in the last month.
        let proposals = bench.table(
            IncomingHousehold.schema,
            [
                "id", "municipality", "imdi_reference", "label", "received_at", "urgent", "answer_due_at", "rooms",
                "accessible_housing", "kindergarten_places", "school_places", "health_needs", "expected_arrival",
                "housing_status", "kindergarten_status", "school_status", "health_status", "decision",
                "decision_reason", "decided_at", "updated_at",
            ])
        let members = bench.table(
            IncomingMember.schema,
            [
                "id", "incoming_id", "given_name", "family_name", "birth_date", "sex", "relation", "citizenship",
                "residence_ground",
            ], after: [proposals])
        let names = ["Amina", "Yusuf", "Olena", "Dawit", "Leila", "Karim", "Iryna", "Hamid", "Sahra", "Jamal"]
        let families = ["Farah", "Osman", "Moroz", "Tekle", "Nazari", "Hassan", "Sadiq", "Kidane"]
        let statuses: [AssessmentStatus] = [.pending, .ok, .ok, .concern]
        var reference = 0
        var residents: [Kommunenummer: Int] = [:]
        for p in bench.persons { residents[p.municipality, default: 0] += 1 }
        for code in bench.populated {
            let count = min(200, max(1, (residents[code] ?? 0) / 400))
            for _ in 0..<count {
                reference += 1
                let id = bench.uuid()
                let urgent = bench.chance(0.2)
                let received = bench.now.addingTimeInterval(-Double(bench.int(1...30 * 24)) * 3600)
                let hours = urgent ? defaults.answerHours.urgent.value : defaults.answerHours.ordinary.value
                let decision: SettlementDecision = bench.weighted([(.pending, 60), (.accepted, 25), (.declined, 15)])
                let size = bench.int(1...5)
                let family = bench.pick(families)
                try await proposals.add(
                    id, code.value, "IMDi-\(today.year)-" + String(100_000 + reference), "Familien \(family)", received,
                    urgent, received.addingTimeInterval(Double(hours) * 3600), max(1, size - 1), bench.chance(0.1),
                    size > 2 ? 1 : 0, size > 3 ? 1 : 0, bench.chance(0.2) ? "Behov for oppfølging av helse" : nil,
                    today.adding(days: bench.int(20...60)).iso, bench.pick(statuses).rawValue,
                    bench.pick(statuses).rawValue, bench.pick(statuses).rawValue, bench.pick(statuses).rawValue,
                    decision.rawValue, decision == .declined ? "Ingen egnet bolig i perioden" : nil,
                    decision == .pending ? nil : received.addingTimeInterval(20 * 3600), bench.now)
                for m in 0..<size {
                    let adult = m < min(2, size)
                    let age = adult ? bench.int(20...50) : bench.int(0...17)
                    let relation: FamilyRelation = m == 0 ? .main : (adult ? .spouse : .child)
                    try await members.add(
                        bench.uuid(), id, bench.pick(names), family,
                        today.adding(days: -(age * 365 + bench.int(0...364))).iso,
                        bench.pick([Sex.female, .male]).rawValue,
                        relation.rawValue, "SY", ResidenceGround.resettlementRefugee.rawValue)
                }
            }
        }
        try await proposals.finish()
        try await members.finish()
    }
}
