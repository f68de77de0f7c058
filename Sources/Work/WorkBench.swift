import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Work practice in the bench dataset: per populated municipality an agreement, a provider per 25 adults with one or
/// two kinds of place, and placements for about a fifth of the programme candidates (most running, with a planned
/// visit; the rest ended with an outcome).
extension WorkFeature {
    package func seedBench(_ bench: BenchContext) async throws {
        let today = bench.today
        let providers = bench.table(
            WorkProvider.schema,
            [
                "id", "municipality", "org_number", "name", "trade", "municipal", "contact_name", "contact_phone",
                "location", "languages", "minimum_norwegian",
            ])
        let places = bench.table(
            WorkPlace.schema, ["id", "provider_id", "municipality", "kind", "capacity", "status"], after: [providers])
        let agreements = bench.table(
            WorkAgreement.schema, ["id", "municipality", "title", "decided_on", "kind", "places"])
        let placements = bench.table(
            WorkPlacement.schema,
            [
                "id", "person_id", "place_id", "municipality", "kind", "from_date", "to_date", "measure_id", "tasks",
                "mentor", "mentor_phone", "evaluation", "outcome", "ended_on",
            ], after: [places])
        let followUps = bench.table(
            WorkFollowUp.schema, ["id", "placement_id", "municipality", "kind", "due_on", "done_on", "notes"],
            after: [placements])
        var serial = 10_000_000
        for m in bench.populated {
            let adults = bench.persons(in: m).filter { $0.adult }
            guard !adults.isEmpty else { continue }
            var open: [(UUID, PlaceKind, Int)] = []
            for _ in 0..<max(1, adults.count / 25) {
                // An organisation number with a valid check digit (the bench's own series, never a real one's).
                var number = ""
                while number.isEmpty {
                    serial += 1
                    let digits = String(80_000_000 + serial % 10_000_000).compactMap { Int(String($0)) }
                    if let c = OrganisationNumber.checkDigit(digits) {
                        number = digits.map(String.init).joined() + "\(c)"
                    }
                }
                let id = bench.uuid()
                let trade = bench.pick(WorkTrade.allCases)
                try await providers.add(
                    id, m.value, number, "Arbeidsgiver \(serial)", trade.rawValue, bench.chance(0.4), "Kontakt", nil,
                    nil, nil, bench.chance(0.5) ? TestLevel.a2.rawValue : nil)
                for kind in [PlaceKind.languagePractice, .workPractice] where bench.chance(0.7) {
                    let place = bench.uuid()
                    let capacity = bench.int(1...4)
                    try await places.add(place, id, m.value, kind.rawValue, capacity, PlaceStatus.open.rawValue)
                    open.append((place, kind, capacity))
                }
            }
            let total = open.reduce(0) { $0 + $1.2 }
            try await agreements.add(
                bench.uuid(), m.value, "Vedtak om praksisplasser", today.adding(years: -1).iso,
                PlaceKind.languagePractice.rawValue, total + bench.int(0...5))
            var used: [UUID: Int] = [:]
            for p in adults where p.programmeCandidate && bench.chance(0.2) {
                guard let slot = open.first(where: { (used[$0.0] ?? 0) < $0.2 }) else { break }
                let earliest = max(p.settlement, today.adding(months: -8))
                guard earliest <= today else { continue }
                let from = bench.day(earliest, today)
                let to = from.adding(months: bench.int(3...6))
                let placement = bench.uuid()
                let ended = to < today
                let outcome = ended ? bench.weighted([(PlacementOutcome.job, 3), (.ended, 7)]) : nil
                if !ended { used[slot.0, default: 0] += 1 }
                try await placements.add(
                    placement, p.id, slot.0, m.value, slot.1.rawValue, from.iso, to.iso, nil, nil, "Mentor", nil,
                    ended ? "Evaluert" : nil, outcome?.rawValue, ended ? to.iso : nil)
                try await followUps.add(
                    bench.uuid(), placement, m.value, FollowUpKind.threeWay.rawValue, nil, from.adding(days: 14).iso,
                    "Oppstart")
                if !ended {
                    try await followUps.add(
                        bench.uuid(), placement, m.value, FollowUpKind.visit.rawValue,
                        today.adding(days: bench.int(-10...30)).iso, nil, nil)
                }
            }
        }
        for table in [providers, places, agreements, placements, followUps] { try await table.finish() }
    }
}
