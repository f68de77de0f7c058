import InnbyggerCore
import InnbyggerKernel

/// The economy in the bench dataset: two settlement scenarios for each municipality with persons (its settled of
/// the last year kept for three years, and twice that), over the municipality alone, and a capacity of every kind,
/// so that the bench times the scenario pages and the result at every scale.
extension EconomyFeature {
    package func seedBench(_ bench: BenchContext) async throws {
        let first = bench.today.year + 1
        var settled: [Kommunenummer: Int] = [:]
        for p in bench.persons where p.settlement.year == bench.today.year - 1 {
            settled[p.municipality, default: 0] += 1
        }
        let scenarios = bench.table(
            SettlementScenario.schema, ["id", "municipality", "name", "description", "first_year", "updated_at"])
        let arrivals = bench.table(
            ScenarioArrival.schema, ["id", "scenario_id", "year", "persons"], after: [scenarios])
        let members = bench.table(ScenarioMember.schema, ["id", "scenario_id", "municipality"], after: [scenarios])
        let capacities = bench.table(
            MunicipalCapacity.schema, ["id", "municipality", "kind", "amount", "recorded_on", "note"])
        for code in bench.populated {
            let base = max(settled[code] ?? 0, 10)
            for (name, persons) in [("Som i fjor i tre år", base), ("Dobbelt så mange i tre år", 2 * base)] {
                let id = bench.uuid()
                try await scenarios.add(id, code.value, name, String?.none, first, bench.now)
                for i in 0..<3 { try await arrivals.add(bench.uuid(), id, first + i, persons) }
                try await members.add(bench.uuid(), id, code.value)
            }
            for kind in CapacityKind.allCases {
                try await capacities.add(
                    bench.uuid(), code.value, kind.rawValue, bench.int(0...(base * 2)), bench.today.iso,
                    "Bench")
            }
        }
        try await scenarios.finish()
        try await arrivals.finish()
        try await members.finish()
        try await capacities.finish()
    }
}
