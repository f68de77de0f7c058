import InnbyggerCore
import InnbyggerKernel
import Vapor

/// What a scenario brings and needs over the five years from its first: the grants its arrivals bring by the rules
/// (`GrantForecast`, the files already settled left out: the scenario is the decision's own effect), the capacity
/// they need by `ScenarioNeeds`, and what its region has.
package struct ScenarioResult: Sendable {
    package struct Capacity: Sendable {
        package var kind: CapacityKind
        /// The region's recorded figure; nil when none of its municipalities has recorded the kind.
        package var has: Int?
        /// The region's municipalities that have not recorded it.
        package var missingIn: [Kommunenummer]
        package var needs: [Int]
        package var statuses: [CapacityStatus]
    }

    package var loaded: LoadedScenario
    package var years: [Int]
    /// Persons settled in each year, and so far.
    package var arrivals: [Int]
    package var persons: [Int]
    package var grants: [(GrantScheme, [Int])]
    package var grantTotals: [Int]
    package var capacities: [Capacity]
    package var composition: ArrivalComposition
    /// "entered", "municipality" (the region's last three years), "service" or "fallback".
    package var compositionSource: String
    package var assumptions: ScenarioAssumptions
    /// The years priced with an earlier year's rates, and with which.
    package var assumedRates: [(Int, Int)]
    package var missingRates: [String]

    package static let window = 5

    package static func compute(_ ctx: ServiceContext, _ loaded: LoadedScenario) async throws -> ScenarioResult {
        let s = loaded.scenario
        let years = s.firstYear...(s.firstYear + window - 1)

        let (composition, source): (ArrivalComposition, String)
        if let entered = s.composition {
            (composition, source) = (entered, "entered")
        } else {
            (composition, source) = try await ScenarioComposition.observedDefault(
                ctx, in: loaded.members, before: ctx.today.year)
        }

        let rules = try await GrantRateStore.rules(ctx.app, on: ctx.db)
        let forecast = GrantForecast(rules: rules, through: years.upperBound)
        var missing: Set<String> = []
        let cells = forecast.forecast(
            years: years, existing: [], arrivals: loaded.arrivals, composition: composition, missing: &missing)
        var grants: [(GrantScheme, [Int])] = []
        for scheme in GrantScheme.allCases {
            let row = years.map { y in cells.first { $0.scheme == scheme && $0.year == y }?.totalOre ?? 0 }
            if row.contains(where: { $0 != 0 }) { grants.append((scheme, row)) }
        }
        let totals = years.map { y in cells.filter { $0.year == y }.reduce(0) { $0 + $1.totalOre } }

        let norm = try await ctx.app.sharedFacts.caseloadNorm(s.municipality, ctx.db)
        guard
            var assumptions = ctx.app.scenarioParameters.assumptions(
                on: .clamped(year: s.firstYear, month: 1, day: 1), participantsPerAdvisor: norm?.0)
        else { throw Abort(.internalServerError, reason: "Resources/Parameters/scenarios.json has no values yet") }
        if let norm { assumptions.references["participantsPerAdvisor"] = norm.1 }
        let needs = ScenarioNeeds.compute(
            years: years, arrivals: loaded.arrivals, composition: composition, assumptions: assumptions)
        let recorded = try await CapacityService.summed(loaded.members, on: ctx.db)
        let capacities = CapacityKind.allCases.map { kind in
            let r = recorded[kind]
            let row = years.map { needs[$0]?[kind] ?? 0 }
            return Capacity(
                kind: kind, has: r?.amount, missingIn: loaded.members.filter { !(r?.recordedBy.contains($0) ?? false) },
                needs: row, statuses: row.map { CapacityStatus(need: $0, has: r?.amount) })
        }
        let settled = ScenarioNeeds.persons(years: years, arrivals: loaded.arrivals)
        return ScenarioResult(
            loaded: loaded, years: Array(years), arrivals: years.map { loaded.arrivals[$0] ?? 0 },
            persons: years.map { settled[$0] ?? 0 }, grants: grants, grantTotals: totals, capacities: capacities,
            composition: composition, compositionSource: source, assumptions: assumptions,
            assumedRates: forecast.assumedRates.filter { years.contains($0.key) }.sorted { $0.key < $1.key }.map {
                ($0.key, $0.value)
            }, missingRates: missing.sorted())
    }
}

private struct ScenarioParametersKey: StorageKey { typealias Value = ScenarioParameters }

extension Application {
    /// The assumptions of `Resources/Parameters/scenarios.json`.
    package var scenarioParameters: ScenarioParameters {
        get { storage[ScenarioParametersKey.self]! }
        set { storage[ScenarioParametersKey.self] = newValue }
    }
}
