import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Housing in the bench dataset: a dwelling of the service for most households (municipal, foundation or a private
/// lease), let from the settlement with its next inspection from the shipped checklist, a few ended in one's own
/// home, and spare dwellings free or being prepared.
extension HousingFeature {
    package func seedBench(_ bench: BenchContext) async throws {
        let today = bench.today
        let p = bench.app.housingParameters
        let items = p.checklist.items
        let years = p.value(\.ownHomeGoalYears, on: today) ?? 3
        let dwellings = bench.table(
            Dwelling.schema,
            [
                "id", "municipality", "address", "owner_kind", "rooms", "size_m2", "floor", "step_free", "furnished",
                "rent", "deposit", "landlord", "lease_from", "lease_to", "lease_rent", "lease_notice_months", "status",
                "school_km", "created_at", "updated_at",
            ])
        let tenancies = bench.table(
            Tenancy.schema,
            [
                "id", "municipality", "dwelling_id", "household_id", "start_date", "agreed_end", "rent", "ended_on",
                "end_reason", "goal_date", "service_held", "saving", "next_inspection", "next_inspection_year",
                "created_at",
            ], after: [dwellings])
        let owners: [(DwellingOwner, Double)] = [
            (.municipal, 55), (.foundation, 15), (.privateLease, 25), (.ownLease, 5),
        ]
        var n = 0
        func dwelling(_ m: Kommunenummer, rooms: Int, status: DwellingStatus) async throws -> (UUID, DwellingOwner, Int)
        {
            n += 1
            let id = bench.uuid()
            let owner = bench.weighted(owners)
            let rent = 6_000 + rooms * 1_400 + bench.int(0...1_500)
            let lease = owner == .privateLease
            let from = today.adding(days: -bench.int(30...1_500))
            try await dwellings.add(
                id, m.value, "Benkvegen \(n), \(m.value)", owner.rawValue, rooms, 30 + rooms * 15, bench.int(0...4),
                bench.chance(0.2), bench.chance(0.8), rent, rent * 3, lease ? "Utleier \(n % 97)" : nil,
                lease ? from.iso : nil, lease ? from.adding(years: 3).iso : nil, lease ? rent - 400 : nil,
                lease ? 3 : nil, status.rawValue, Double(bench.int(1...60)) / 10, bench.now, bench.now)
            return (id, owner, rent)
        }
        for h in bench.households where bench.chance(0.8) {
            let members = bench.persons[h.members]
            let settled = members.map(\.settlement).min() ?? h.arrival
            guard settled <= today else { continue }
            let rooms = min(6, 1 + max(1, (members.count + 1) / 2))
            let ended = settled.adding(years: 2) < today && bench.chance(0.2)
            let (id, owner, rent) = try await dwelling(h.municipality, rooms: rooms, status: ended ? .preparing : .let_)
            let goal = OwnHomeGoal.goal(settled: settled, years: years)
            let endedOn = ended ? settled.adding(days: bench.int(400...1_400)) : nil
            let end = endedOn.map { $0 > today ? today : $0 }
            // Visits made up to a while ago: the next open one from the checklist.
            let dues = InspectionSchedule.dues(start: settled, items: items)
            let next = ended ? nil : dues.first { $0.due >= today.adding(days: -bench.int(0...60)) }
            try await tenancies.add(
                bench.uuid(), h.municipality.value, id, h.id, settled.iso, settled.adding(years: 3).iso, rent,
                end?.iso, ended ? bench.pick([TenancyEnd.ownRental, .startLoan, .movedAway]).rawValue : nil, goal.iso,
                owner.heldByService, bench.chance(0.3), next?.due.iso, next?.year, bench.now)
        }
        // Spare stock: about one free or being prepared per twenty households.
        for h in bench.households where bench.chance(0.05) {
            _ = try await dwelling(
                h.municipality, rooms: bench.int(1...5), status: bench.chance(0.7) ? .free : .preparing)
        }
        try await dwellings.finish()
        try await tenancies.finish()
    }
}
