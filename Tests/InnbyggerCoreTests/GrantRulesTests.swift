import Foundation
import Testing

@testable import InnbyggerCore

private let shippedGrantTables: GrantRateTables = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return try! GrantRateTables.load(from: root.appendingPathComponent("Resources/Parameters/grants.json"))
}()

/// A person in a test table: born, settled, alone, unaccompanied minor, family immigrant (reference settled,
/// application, humanitarian).
private func person(
    _ birth: String, _ settled: String, alone: Bool = false, minor: Bool = false, disability: Bool = false,
    family: (String, String, Bool)? = nil
) -> GrantPerson {
    GrantPerson(
        birthDate: d(birth), settlementDate: d(settled), settledAlone: alone, unaccompaniedMinor: minor,
        knownDisability: disability,
        familyImmigration: family.map {
            .init(referenceSettlementDate: d($0.0), applicationDate: d($0.1), referenceHumanitarian: $0.2)
        })
}

struct GrantCase: CustomTestStringConvertible, Sendable {
    var name: String
    var person: GrantPerson
    var year: Int
    var integrationYear: Int
    /// "scheme/category kroner"
    var lines: [String]
    var missing: [String] = []
    var testDescription: String { name }
}

// Hand-computed from the 2015 table of the Elverum seed (4.5) and the 2023/2024 rates of facts.md 4.1–4.3.
let grantCases: [GrantCase] = [
    // Year 1 by category (2015).
    .init(
        name: "single adult, year 1", person: person("1985-05-05", "2015-03-01", alone: true), year: 2015,
        integrationYear: 1, lines: ["integration/single_adult 232000"]),
    .init(
        name: "adult in a family, year 1", person: person("1985-05-05", "2015-03-01"), year: 2015, integrationYear: 1,
        lines: ["integration/adult 182000"]),
    .init(
        name: "child, year 1", person: person("2008-05-05", "2015-03-01"), year: 2015, integrationYear: 1,
        lines: ["integration/child 182000"]),
    .init(
        name: "adult from the calendar year one turns 18, though 17 on the settlement date",
        person: person("1997-12-31", "2015-01-10", alone: true), year: 2015, integrationYear: 1,
        lines: ["integration/single_adult 232000"]),
    .init(
        name: "a child until the year one turns 18, settled alone or not",
        person: person("1998-01-01", "2015-12-31", alone: true), year: 2015, integrationYear: 1,
        lines: ["integration/child 182000"]),
    .init(
        name: "unaccompanied minor, year 1, with the special grant",
        person: person("2000-06-01", "2015-02-01", minor: true), year: 2015, integrationYear: 1,
        lines: ["integration/unaccompanied_minor 182000", "unaccompanied_minor/flat 191300"]),
    // Years 2–5 and outside.
    .init(
        name: "year 2", person: person("1980-01-01", "2014-06-01"), year: 2015, integrationYear: 2,
        lines: ["integration/year_2 210000"]),
    .init(
        name: "year 3", person: person("1980-01-01", "2013-12-31"), year: 2015, integrationYear: 3,
        lines: ["integration/year_3 152000"]),
    .init(
        name: "year 4", person: person("1980-01-01", "2012-01-01"), year: 2015, integrationYear: 4,
        lines: ["integration/year_4 82200"]),
    .init(
        name: "year 5", person: person("1980-01-01", "2011-07-01", alone: true), year: 2015, integrationYear: 5,
        lines: ["integration/year_5 70000"]),
    .init(
        name: "year 6 brings nothing", person: person("1980-01-01", "2010-07-01"), year: 2015, integrationYear: 6,
        lines: []),
    .init(
        name: "before the settlement year nothing", person: person("1980-01-01", "2016-01-01"), year: 2015,
        integrationYear: 0, lines: []),
    .init(
        name: "two years before settlement", person: person("1980-01-01", "2017-01-01"), year: 2015,
        integrationYear: -1, lines: []),
    // The elderly grant: 60 or older on the settlement date, year 1 only.
    .init(
        name: "60 on the settlement date", person: person("1955-03-01", "2015-03-01"), year: 2015, integrationYear: 1,
        lines: ["integration/adult 182000", "elderly/one_off 157500"]),
    .init(
        name: "59 on the settlement date, 60 the day after", person: person("1955-03-02", "2015-03-01"), year: 2015,
        integrationYear: 1, lines: ["integration/adult 182000"]),
    .init(
        name: "elderly and settled alone", person: person("1940-01-01", "2015-05-01", alone: true), year: 2015,
        integrationYear: 1, lines: ["integration/single_adult 232000", "elderly/one_off 157500"]),
    .init(
        name: "the elderly grant is one-off", person: person("1950-01-01", "2014-05-01"), year: 2015,
        integrationYear: 2, lines: ["integration/year_2 210000"]),
    // The kindergarten grant: 0–5 on the settlement date, year 1 only.
    .init(
        name: "5 on the settlement date", person: person("2010-03-01", "2015-03-01"), year: 2015, integrationYear: 1,
        lines: ["integration/child 182000", "kindergarten/one_off 24400"]),
    .init(
        name: "6 on the settlement date", person: person("2009-03-01", "2015-03-01"), year: 2015, integrationYear: 1,
        lines: ["integration/child 182000"]),
    .init(
        name: "born on the settlement date", person: person("2015-03-01", "2015-03-01"), year: 2015,
        integrationYear: 1, lines: ["integration/child 182000", "kindergarten/one_off 24400"]),
    .init(
        name: "the kindergarten grant is one-off", person: person("2012-01-01", "2014-05-01"), year: 2015,
        integrationYear: 2, lines: ["integration/year_2 210000"]),
    // Family immigrants: the 5-year application rule, and 3 years for the family of a humanitarian permit.
    .init(
        name: "family immigrant, applied within 5 years",
        person: person("1988-01-01", "2015-04-01", family: ("2012-01-01", "2014-06-01", false)), year: 2015,
        integrationYear: 1, lines: ["integration/adult 182000"]),
    .init(
        name: "family immigrant, applied on the fifth anniversary",
        person: person("1988-01-01", "2015-04-01", family: ("2010-01-01", "2015-01-01", false)), year: 2015,
        integrationYear: 1, lines: ["integration/adult 182000"]),
    .init(
        name: "family immigrant, applied a day after 5 years: nothing, not the elderly grant either",
        person: person("1950-01-01", "2015-04-01", family: ("2010-01-01", "2015-01-02", false)), year: 2015,
        integrationYear: 1, lines: []),
    .init(
        name: "family of a humanitarian permit, year 3",
        person: person("1988-01-01", "2013-04-01", family: ("2012-01-01", "2012-06-01", true)), year: 2015,
        integrationYear: 3, lines: ["integration/year_3 152000"]),
    .init(
        name: "family of a humanitarian permit, year 4: nothing",
        person: person("1988-01-01", "2012-04-01", family: ("2011-01-01", "2011-06-01", true)), year: 2015,
        integrationYear: 4, lines: []),
    .init(
        name: "family of a refugee, year 4",
        person: person("1988-01-01", "2012-04-01", family: ("2011-01-01", "2011-06-01", false)), year: 2015,
        integrationYear: 4, lines: ["integration/year_4 82200"]),
    .init(
        name: "family immigrant, 60 at settlement",
        person: person("1950-01-01", "2015-04-01", family: ("2012-01-01", "2014-06-01", false)), year: 2015,
        integrationYear: 1, lines: ["integration/adult 182000", "elderly/one_off 157500"]),
    // The unaccompanied minors' special grant: through the year one turns 20.
    .init(
        name: "unaccompanied minor in the year they turn 20", person: person("1995-08-01", "2013-02-01", minor: true),
        year: 2015, integrationYear: 3, lines: ["integration/year_3 152000", "unaccompanied_minor/flat 191300"]),
    .init(
        name: "unaccompanied minor in the year they turn 21", person: person("1994-08-01", "2013-02-01", minor: true),
        year: 2015, integrationYear: 3, lines: ["integration/year_3 152000"]),
    .init(
        name: "unaccompanied minor before the settlement year", person: person("2001-08-01", "2016-02-01", minor: true),
        year: 2015, integrationYear: 0, lines: []),
    .init(
        name: "unaccompanied minor after the integration years, still under 20",
        person: person("1996-08-01", "2009-02-01", minor: true), year: 2015, integrationYear: 7,
        lines: ["unaccompanied_minor/flat 191300"]),
    // 2023: the special grant's age bands; the integration rates of 2023 are not found.
    .init(
        name: "2023: the year one turns 16", person: person("2007-03-01", "2022-02-01", minor: true), year: 2023,
        integrationYear: 2, lines: ["unaccompanied_minor/up_to_16 1118000"], missing: ["integration.year_2"]),
    .init(
        name: "2023: the year one turns 17", person: person("2006-03-01", "2022-02-01", minor: true), year: 2023,
        integrationYear: 2, lines: ["unaccompanied_minor/from_17 705000"], missing: ["integration.year_2"]),
    .init(
        name: "2023: the year one turns 20", person: person("2003-03-01", "2020-02-01", minor: true), year: 2023,
        integrationYear: 4, lines: ["unaccompanied_minor/from_17 705000"], missing: ["integration.year_4"]),
    // 2024 (facts.md 4.1): year 1 and the one-off grants; years 2–5 and the special grant not found.
    .init(
        name: "2024 single adult", person: person("1990-01-01", "2024-02-01", alone: true), year: 2024,
        integrationYear: 1, lines: ["integration/single_adult 241100"]),
    .init(
        name: "2024 adult in a family", person: person("1990-01-01", "2024-02-01"), year: 2024, integrationYear: 1,
        lines: ["integration/adult 194400"]),
    .init(
        name: "2024 unaccompanied minor: the special grant's rate is missing",
        person: person("2009-01-01", "2024-02-01", minor: true), year: 2024, integrationYear: 1,
        lines: ["integration/unaccompanied_minor 187000"], missing: ["unaccompanied_minor"]),
    .init(
        name: "2024 elderly", person: person("1960-01-01", "2024-02-01"), year: 2024, integrationYear: 1,
        lines: ["integration/adult 194400", "elderly/one_off 180600"]),
    .init(
        name: "2024 kindergarten child", person: person("2020-01-01", "2024-02-01"), year: 2024, integrationYear: 1,
        lines: ["integration/child 194400", "kindergarten/one_off 27800"]),
    .init(
        name: "2024 year 2: the rate is missing, not zero", person: person("1990-01-01", "2023-02-01"), year: 2024,
        integrationYear: 2, lines: [], missing: ["integration.year_2"]),
    // A year without a table: every rate the rules need is missing.
    .init(
        name: "no table for 2020", person: person("1990-01-01", "2020-02-01", alone: true), year: 2020,
        integrationYear: 1, lines: [], missing: ["integration.single_adult"]),
    .init(
        name: "no table for 2020, elderly", person: person("1950-01-01", "2020-02-01"), year: 2020, integrationYear: 1,
        lines: [], missing: ["integration.adult", "elderly"]),
    .init(
        name: "no table for 2020, a small unaccompanied minor", person: person("2016-01-01", "2020-02-01", minor: true),
        year: 2020, integrationYear: 1, lines: [],
        missing: ["integration.unaccompanied_minor", "kindergarten", "unaccompanied_minor"]),
]

@Suite("Grant rules")
struct GrantRulesTests {
    let rules = GrantRules(tables: shippedGrantTables)

    @Test("What a person brings in a payment year", arguments: grantCases)
    func year(_ c: GrantCase) {
        let r = rules.year(c.person, c.year)
        #expect(r.integrationYear == c.integrationYear)
        #expect(r.lines.map { "\($0.scheme.rawValue)/\($0.category) \($0.amountOre / 100)" } == c.lines)
        #expect(r.lines.allSatisfy { $0.amountOre % 100 == 0 && !$0.reference.isEmpty })
        #expect(r.missingRates == c.missing)
        #expect(r.totalOre == r.lines.reduce(0) { $0 + $1.amountOre })
        #expect(r.deadlines.isEmpty)
    }

    @Test("There are at least 40 hand-computed cases")
    func enoughCases() { #expect(grantCases.count >= 40) }

    @Test(
        "Disability applications: 14 months after settlement, then 2 months after each grant year, month ends clamped",
        arguments: [
            ("2015-03-01", ["2016-05-01", "2017-05-01", "2018-05-01", "2019-05-01", "2020-05-01"]),
            ("2015-12-31", ["2017-02-28", "2018-02-28", "2019-02-28", "2020-02-29", "2021-02-28"]),
            ("2014-12-30", ["2016-02-29", "2017-02-28", "2018-02-28", "2019-02-28", "2020-02-29"]),
            ("2024-07-31", ["2025-09-30", "2026-09-30", "2027-09-30", "2028-09-30", "2029-09-30"]),
        ])
    func disabilityDeadlines(_ settled: String, _ due: [String]) {
        let p = person("1980-01-01", settled, disability: true)
        let r = rules.year(p, d(settled).year)
        #expect(r.deadlines.map(\.due.iso) == due)
        #expect(r.deadlines.map(\.grantYear) == [1, 2, 3, 4, 5])
        #expect(r.deadlines.allSatisfy { $0.kind == "disability_grant_application" })
        // The grants are applied for, never paid automatically.
        #expect(!r.lines.contains { $0.reference.contains("Tilskudd 1") })
        #expect(GrantRules.disabilityDeadlines(person("1980-01-01", settled)).isEmpty)
    }

    @Test(
        "The Norwegian per-person grant: years 1–3, the low rate by citizenship, the right required",
        arguments: [
            (true, "SY", "2015-02-01", 2015, "high_year_1 31900", [String]()),
            (true, "ER", "2014-02-01", 2015, "high_year_2 57800", []),
            (true, "DE", "2014-02-01", 2015, "low_year_2 22000", []),
            (true, "us", "2013-02-01", 2015, "low_year_3 12900", []),
            (true, "AF", "2013-02-01", 2015, "high_year_3 35900", []),
            (true, "SY", "2012-02-01", 2015, nil, []),
            (false, "SY", "2015-02-01", 2015, nil, []),
            (true, "SY", "2024-02-01", 2024, nil, ["norwegian.person_year_1"]),
            (true, "SY", "2023-02-01", 2023, nil, ["norwegian.high_year_1"]),
        ] as [(Bool, String, String, Int, String?, [String])])
    func norwegianPerson(
        _ right: Bool, _ citizenship: String, _ settled: String, _ year: Int, _ expected: String?, _ missing: [String]
    ) {
        var gaps: [String] = []
        let line = rules.norwegianPersonGrant(
            hasRight: right, citizenship: citizenship, settlementDate: d(settled), year: year, missing: &gaps)
        #expect(line.map { "\($0.category) \($0.amountOre / 100)" } == expected)
        #expect(gaps == missing)
    }

    @Test(
        "The Norwegian base grant by the number of persons in the target group",
        arguments: [
            (2015, 5, 560_000 as Int?, [String]()), (2015, 151, nil, []), (2023, 1, 217_000, []),
            (2023, 3, 217_000, []), (2023, 4, 643_900, []), (2023, 150, 643_900, []), (2023, 151, nil, []),
            (2023, 0, nil, []), (2024, 10, nil, ["norwegian.base"]),
        ] as [(Int, Int, Int?, [String])])
    func norwegianBase(_ year: Int, _ persons: Int, _ kroner: Int?, _ missing: [String]) {
        var gaps: [String] = []
        let line = rules.norwegianBaseGrant(persons: persons, year: year, missing: &gaps)
        #expect(line.map { $0.amountOre / 100 } == kroner)
        #expect(gaps == missing)
    }

    @Test("A table with a negative rate, a rate without its source or an unknown category is refused")
    func tableProblems() {
        let good = GrantRate(kroner: 1, reference: "x")
        #expect(GrantRateTable(year: 2030, reference: "x", integrationYear1: ["adult": good]).problems().isEmpty)
        let negative = GrantRateTable(
            year: 2030, reference: "x", elderly: GrantRate(kroner: -1, reference: "x"))
        #expect(negative.problems() == ["elderly is negative"])
        let unsourced = GrantRateTable(
            year: 2030, reference: "x", integrationLaterYears: ["2": GrantRate(kroner: 5, reference: " ")])
        #expect(unsourced.problems() == ["integrationLaterYears.2 has no source"])
        let unknown = GrantRateTable(year: 2030, reference: "x", integrationYear1: ["pensioner": good])
        #expect(unknown.problems() == ["integrationYear1.pensioner is not a category"])
        #expect(!GrantRateTable(year: 1800, reference: "x").problems().isEmpty)
    }

    @Test("A later table for a year replaces the earlier one; the shipped years are 2015, 2023 and 2024")
    func tablesByYear() {
        #expect(shippedGrantTables.years == [2015, 2023, 2024])
        let added = GrantRateTable(
            year: 2024, reference: "admin", integrationLaterYears: ["2": GrantRate(kroner: 220_000, reference: "y")])
        let tables = GrantRateTables(Array(shippedGrantTables.byYear.values) + [added])
        let r = GrantRules(tables: tables).year(person("1990-01-01", "2023-02-01"), 2024)
        #expect(r.lines.map(\.amountOre) == [22_000_000])
        #expect(r.missingRates.isEmpty)
    }
}

@Suite("Grant eligibility")
struct GrantEligibilityTests {
    @Test(
        "Which permits trigger the integration grant",
        arguments: [
            (PersonFacts.ResidenceGround.refugee, nil, nil, GrantEligibility.triggers),
            (.resettlementRefugee, nil, nil, .triggers),
            (.humanitarian, nil, nil, .triggers),
            (.collectiveProtection, nil, nil, .triggers),
            (.independentGround, nil, nil, .triggers),
            (.limitedPermit, true, nil, .triggers),
            (.limitedPermit, false, nil, .none("limited_without_agreement")),
            (.limitedPermit, nil, nil, .unknown("settledByAgreement")),
            (.familyReunification, nil, .refugee, .triggers),
            (.familyReunification, nil, .humanitarian, .triggers),
            (.familyReunification, nil, .familyReunification, .none("reference_family_immigrant")),
            (.familyReunification, nil, .labourNonEEA, .none("reference_not_covered")),
            (.familyReunification, nil, nil, .unknown("referencePerson.residenceGround")),
            (.familyOfNorwegian, nil, nil, .none("family_of_norwegian")),
            (.labourEEA, nil, nil, .none("ground_not_covered")),
            (.student, nil, nil, .none("ground_not_covered")),
        ] as [(PersonFacts.ResidenceGround, Bool?, PersonFacts.ResidenceGround?, GrantEligibility)])
    func eligibility(
        _ ground: PersonFacts.ResidenceGround, _ agreed: Bool?, _ reference: PersonFacts.ResidenceGround?,
        _ expected: GrantEligibility
    ) {
        #expect(
            GrantRules.eligibility(ground: ground, settledByAgreement: agreed, referenceGround: reference) == expected)
    }
}

@Suite("Grant forecast")
struct GrantForecastTests {
    let forecast = GrantForecast(rules: GrantRules(tables: shippedGrantTables), through: 2030)

    static func only(_ c: WritableKeyPath<ArrivalComposition, Int>) -> ArrivalComposition {
        var x = ArrivalComposition(
            singleAdults: 0, adultsInFamilies: 0, elderly: 0, childrenUnder6: 0, children6to17: 0,
            unaccompaniedMinors: 0)
        x[keyPath: c] = 1000
        return x
    }

    func cells(_ existing: [GrantPerson], _ arrivals: [Int: Int], _ c: ArrivalComposition) -> [String: Int] {
        var missing: Set<String> = []
        let out = forecast.forecast(
            years: 2025...2029, existing: existing, arrivals: arrivals, composition: c, missing: &missing)
        var map: [String: Int] = [:]
        for cell in out { map["\(cell.scheme.rawValue) \(cell.year)"] = cell.totalOre / 100 }
        return map
    }

    @Test("A year without a table takes the latest earlier rates, each rate where it is known, and says so")
    func assumedRates() {
        #expect(forecast.assumedRates[2025] == 2024 && forecast.assumedRates[2030] == 2024)
        #expect(forecast.assumedRates[2024] == nil && forecast.assumedRates[2016] == 2015)
        let t2025 = forecast.rules.tables[2025]!
        #expect(t2025.integrationYear1["single_adult"]?.kroner == 241_100)
        // 2024's table has no years 2–5: the forecast carries 2015's, the last known.
        #expect(t2025.integrationLaterYears["2"]?.kroner == 210_000)
        // The special grant's bands come from 2023.
        #expect(t2025.unaccompaniedMinorThrough16?.kroner == 1_118_000)
    }

    @Test("The persons in the files, priced year by year")
    func existing() {
        let p = GrantPerson(
            birthDate: d("1990-01-01"), settlementDate: d("2025-02-01"), settledAlone: true, unaccompaniedMinor: false,
            knownDisability: false)
        let c = cells([p], [:], Self.only(\.singleAdults))
        #expect(c["integration 2025"] == 241_100)
        #expect(c["integration 2026"] == 210_000)
        #expect(c["integration 2027"] == 152_000)
        #expect(c["integration 2029"] == 70_000)
    }

    @Test("Arrivals by composition: persons × rate × share")
    func arrivals() {
        let singles = cells([], [2025: 10], Self.only(\.singleAdults))
        #expect(singles["integration 2025"] == 2_411_000 && singles["integration 2026"] == 2_100_000)
        #expect(singles["integration 2029"] == 700_000)
        var mixed = Self.only(\.adultsInFamilies)
        mixed.adultsInFamilies = 500
        mixed.childrenUnder6 = 500
        let m = cells([], [2025: 4], mixed)
        #expect(m["integration 2025"] == 777_600)
        #expect(m["kindergarten 2025"] == 55_600)
        #expect(m["kindergarten 2026"] == nil)
        let elderly = cells([], [2026: 2], Self.only(\.elderly))
        #expect(elderly["elderly 2026"] == 361_200 && elderly["integration 2026"] == 388_800)
        #expect(elderly["integration 2025"] == nil)
        let minors = cells([], [2025: 1], Self.only(\.unaccompaniedMinors))
        #expect(minors["integration 2025"] == 187_000)
        #expect(minors["unaccompanied_minor 2025"] == 1_118_000 && minors["unaccompanied_minor 2026"] == 705_000)
        // Arrivals and files add up in the same cells.
        let p = GrantPerson(
            birthDate: d("1990-01-01"), settlementDate: d("2025-02-01"), settledAlone: true, unaccompaniedMinor: false,
            knownDisability: false)
        #expect(cells([p], [2025: 10], Self.only(\.singleAdults))["integration 2025"] == 2_652_100)
    }

    @Test("Observed shares in per mille")
    func observed() {
        let counts = ArrivalComposition(
            singleAdults: 3, adultsInFamilies: 5, elderly: 1, childrenUnder6: 2, children6to17: 4,
            unaccompaniedMinors: 5)
        #expect(
            ArrivalComposition.observed(counts)
                == ArrivalComposition(
                    singleAdults: 150, adultsInFamilies: 250, elderly: 50, childrenUnder6: 100, children6to17: 200,
                    unaccompaniedMinors: 250))
    }
}
