import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Norwegian training in the bench dataset: the decision (or an exemption) for most adults, the hours of up to the
/// last six months of training, and test results per skill and the social-studies test once a year has passed.
extension NorwegianFeature {
    package func seedBench(_ bench: BenchContext) async throws {
        let today = bench.today
        let training = bench.table(
            NorwegianTraining.schema, ["id", "person_id", "decision_date", "exempt_reason", "exempt_date"])
        let hours = bench.table(NorwegianHours.schema, ["id", "person_id", "month", "minutes"])
        let tests = bench.table(
            LanguageTest.schema, ["id", "person_id", "kind", "skill", "level", "passed", "date"])
        let levels: [(TestLevel, Double)] = [(.belowA1, 5), (.a1, 15), (.a2, 30), (.b1, 35), (.b2, 12), (.c1, 3)]
        for p in bench.persons where p.adult && p.age(on: p.settlement) <= 67 && bench.chance(0.92) {
            let decided = p.settlement.adding(days: bench.int(15...60))
            guard decided <= today else { continue }
            if bench.chance(0.03) {
                try await training.add(
                    bench.uuid(), p.id, nil, "Dokumenterte tilstrekkelige kunnskaper i norsk", decided.iso)
                continue
            }
            try await training.add(bench.uuid(), p.id, decided.iso, nil, nil)
            // Training lasts up to three years; the bench keeps the last six months of it.
            let last = min(YearMonth(today), YearMonth(decided.adding(years: 3)))
            var month = YearMonth(decided)
            var months: [YearMonth] = []
            while month <= last {
                months.append(month)
                month = YearMonth(month.firstDay.adding(months: 1))
            }
            for m in months.suffix(6) where bench.chance(0.9) {
                try await hours.add(bench.uuid(), p.id, m.codedText, bench.int(20...60) * 60)
            }
            let tested = decided.adding(days: bench.int(270...720))
            if tested <= today {
                for skill in NorwegianSkill.allCases {
                    try await tests.add(
                        bench.uuid(), p.id, LanguageTestKind.norwegian.rawValue, skill.rawValue,
                        bench.weighted(levels).rawValue, nil, tested.iso)
                }
                if bench.chance(0.7) {
                    try await tests.add(
                        bench.uuid(), p.id, LanguageTestKind.socialStudies.rawValue, nil, nil, bench.chance(0.8),
                        tested.adding(days: bench.int(0...60)).iso)
                }
            }
        }
        for table in [training, hours, tests] { try await table.finish() }
    }
}
