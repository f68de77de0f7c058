import Foundation
import Testing

@testable import InnbyggerCore

/// The service's own parameter file, so the tests check the configuration that ships.
let shippedParameters: RuleParameters = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return try! RuleParameters.load(from: root.appendingPathComponent("Resources/Parameters/rules.json"))
}()

/// A refugee settled by agreement in January 2025; each case changes what it is about.
private func facts(
    birth: String = "1990-04-12", citizenship: String? = "SY", ground: PersonFacts.ResidenceGround = .refugee,
    permit: String? = "2024-11-03", arrival: String? = "2024-11-20", settled: String? = "2025-01-15",
    agreement: Bool? = true, education: PersonFacts.EducationLevel? = .upperSecondary,
    reference: PersonFacts.ReferencePerson? = nil, familyApplication: String? = nil,
    municipality: String? = "3420"
) -> PersonFacts {
    PersonFacts(
        birthDate: d(birth), citizenship: citizenship, residenceGround: ground, permitDate: permit.map(d),
        arrivalDate: arrival.map(d),
        settlementDate: settled.map(d), settledByAgreement: agreement, educationLevel: education,
        referencePerson: reference,
        familyApplicationDate: familyApplication.map(d), municipality: municipality)
}

struct ProgrammeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var facts: PersonFacts
    var asOf: String = "2025-06-01"
    var regime: LawRegime = .integreringsloven2021
    var programme: Category
    var norwegian: Category
    var testDescription: String { name }
}

private let protectedRef = PersonFacts.ReferencePerson(residenceGround: .refugee, settlementDate: d("2019-03-01"))

let programmeCases: [ProgrammeCase] = [
    // Every residence ground.
    .init(name: "refugee", facts: facts(), programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "resettlement refugee", facts: facts(ground: .resettlementRefugee), programme: .rightAndDuty,
        norwegian: .rightAndDuty),
    .init(
        name: "humanitarian", facts: facts(ground: .humanitarian), programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "limited permit", facts: facts(ground: .limitedPermit), programme: .rightAndDuty, norwegian: .rightAndDuty
    ),
    .init(
        name: "collective protection", facts: facts(citizenship: "UA", ground: .collectiveProtection),
        programme: .rightAndDuty, norwegian: .rightOnly),
    .init(
        name: "family reunification, reference settled < 5 years",
        facts: facts(
            ground: .familyReunification, agreement: false, reference: protectedRef, familyApplication: "2023-05-10"),
        programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "independent ground, not settled by agreement",
        facts: facts(ground: .independentGround, agreement: false), programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "family of a Norwegian citizen", facts: facts(ground: .familyOfNorwegian), programme: .mayBeOffered,
        norwegian: .rightAndDuty),
    .init(
        name: "labour migrant outside the EEA", facts: facts(citizenship: "IN", ground: .labourNonEEA),
        programme: .notCovered, norwegian: .dutyOnly),
    .init(
        name: "EEA labour migrant", facts: facts(citizenship: "PL", ground: .labourEEA), programme: .notCovered,
        norwegian: .notCovered),
    .init(
        name: "student", facts: facts(citizenship: "CN", ground: .student), programme: .notCovered,
        norwegian: .notCovered),
    .init(name: "other ground", facts: facts(ground: .other), programme: .notCovered, norwegian: .undetermined),
    // Age on the permit date: 17, 18, 55, 56.
    .init(name: "17 at permit", facts: facts(birth: "2007-11-04"), programme: .notCovered, norwegian: .notCovered),
    .init(
        name: "18 on the permit date", facts: facts(birth: "2006-11-03"), programme: .rightAndDuty,
        norwegian: .rightAndDuty),
    .init(name: "55 at permit", facts: facts(birth: "1969-11-03"), programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "56 at permit: may be offered", facts: facts(birth: "1968-11-03"), programme: .mayBeOffered,
        norwegian: .rightAndDuty),
    .init(
        name: "67 at permit: Norwegian right and duty", facts: facts(birth: "1957-11-03"), programme: .mayBeOffered,
        norwegian: .rightAndDuty),
    .init(
        name: "68 at permit: not covered", facts: facts(birth: "1956-11-03"), programme: .mayBeOffered,
        norwegian: .notCovered),
    .init(
        name: "birthday one day after permit: still 17", facts: facts(birth: "2006-11-04"), programme: .notCovered,
        norwegian: .notCovered),
    // Settled without agreement.
    .init(
        name: "refugee settled without agreement", facts: facts(agreement: false), programme: .mayBeOffered,
        norwegian: .rightAndDuty),
    // The two-year window.
    .init(
        name: "one day before two years", facts: facts(), asOf: "2027-01-14", programme: .rightAndDuty,
        norwegian: .rightAndDuty),
    .init(
        name: "on the two-year day", facts: facts(), asOf: "2027-01-15", programme: .notCovered,
        norwegian: .rightAndDuty),
    .init(
        name: "56 and past two years", facts: facts(birth: "1968-11-03"), asOf: "2027-06-01", programme: .notCovered,
        norwegian: .rightAndDuty),
    // EEA and Nordic nationals.
    .init(
        name: "Swedish citizen with refugee permit", facts: facts(citizenship: "SE"), programme: .notCovered,
        norwegian: .notCovered),
    .init(name: "German citizen", facts: facts(citizenship: "DE"), programme: .notCovered, norwegian: .notCovered),
    .init(name: "Icelandic citizen", facts: facts(citizenship: "IS"), programme: .notCovered, norwegian: .notCovered),
    .init(
        name: "lower-case citizenship", facts: facts(citizenship: "dk"), programme: .notCovered, norwegian: .notCovered),
    // Family reunification and the five-year rule.
    .init(
        name: "reference settled 4 years 364 days before application",
        facts: facts(
            ground: .familyReunification, agreement: false,
            reference: .init(residenceGround: .refugee, settlementDate: d("2018-05-11")),
            familyApplication: "2023-05-10"), programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "reference settled exactly 5 years before",
        facts: facts(
            ground: .familyReunification, agreement: false,
            reference: .init(residenceGround: .refugee, settlementDate: d("2018-05-10")),
            familyApplication: "2023-05-10"), programme: .mayBeOffered, norwegian: .rightAndDuty),
    .init(
        name: "reference with a labour permit",
        facts: facts(
            ground: .familyReunification, agreement: false,
            reference: .init(residenceGround: .labourNonEEA, settlementDate: d("2022-01-01")),
            familyApplication: "2023-05-10"), programme: .mayBeOffered, norwegian: .rightAndDuty),
    .init(
        name: "reference with collective protection",
        facts: facts(
            ground: .familyReunification, agreement: false,
            reference: .init(residenceGround: .collectiveProtection, settlementDate: d("2022-06-01")),
            familyApplication: "2023-05-10"), programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "family without reference facts", facts: facts(ground: .familyReunification, agreement: false),
        programme: .undetermined, norwegian: .undetermined),
    .init(
        name: "family without application date",
        facts: facts(ground: .familyReunification, agreement: false, reference: protectedRef), programme: .undetermined,
        norwegian: .undetermined),
    // The 2021-01-01 regime switch.
    .init(
        name: "permit 2020-12-31, arrival 2020-12-31: 2003 law",
        facts: facts(permit: "2020-12-31", arrival: "2020-12-31", settled: "2021-02-01"), asOf: "2021-03-01",
        regime: .introduksjonsloven2003, programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "permit 2020-12-31, arrival 2021-01-01: 2021 law",
        facts: facts(permit: "2020-12-31", arrival: "2021-01-01", settled: "2021-02-01"), asOf: "2021-03-01",
        programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "permit 2021-01-01: 2021 law",
        facts: facts(permit: "2021-01-01", arrival: "2020-06-01", settled: "2021-02-01"), asOf: "2021-03-01",
        programme: .rightAndDuty, norwegian: .rightAndDuty),
    .init(
        name: "2003 law: 16 at permit gets Norwegian",
        facts: facts(birth: "2004-06-01", permit: "2020-06-01", arrival: "2020-05-01", settled: "2020-08-01"),
        asOf: "2020-09-01", regime: .introduksjonsloven2003, programme: .notCovered, norwegian: .rightAndDuty),
    .init(
        name: "2003 law: 60 at permit has Norwegian right only",
        facts: facts(birth: "1960-01-01", permit: "2020-06-01", arrival: "2020-05-01", settled: "2020-08-01"),
        asOf: "2020-09-01", regime: .introduksjonsloven2003, programme: .mayBeOffered, norwegian: .rightOnly),
    .init(
        name: "2003 law: 16 at permit under the 2021 law gets nothing",
        facts: facts(birth: "2008-06-01", permit: "2024-06-01"), programme: .notCovered, norwegian: .notCovered),
    // Missing facts.
    .init(
        name: "no permit or arrival date", facts: facts(permit: nil, arrival: nil), regime: .undetermined,
        programme: .undetermined, norwegian: .undetermined),
    .init(
        name: "old permit, arrival unknown", facts: facts(permit: "2019-01-01", arrival: nil), regime: .undetermined,
        programme: .undetermined, norwegian: .undetermined),
    .init(
        name: "settlement by agreement unknown", facts: facts(agreement: nil), programme: .undetermined,
        norwegian: .rightAndDuty),
    .init(name: "not yet settled", facts: facts(settled: nil), programme: .undetermined, norwegian: .rightAndDuty),
    .init(
        name: "citizenship unknown", facts: facts(citizenship: nil), programme: .undetermined, norwegian: .rightAndDuty),
    .init(
        name: "citizenship unknown but excluded anyway at 17", facts: facts(birth: "2007-11-04", citizenship: nil),
        programme: .notCovered, norwegian: .notCovered),
]

@Suite("Rules engine: categories")
struct RulesCategoryTests {
    let engine = RulesEngine(parameters: shippedParameters)

    @Test("Programme and Norwegian categories", arguments: programmeCases)
    func categories(_ c: ProgrammeCase) {
        let e = engine.evaluate(c.facts, asOf: d(c.asOf))
        #expect(e.lawRegime == c.regime)
        #expect(e.introductionProgramme.category == c.programme, "programme: \(e.introductionProgramme.checks)")
        #expect(e.norwegianTraining.category == c.norwegian, "norwegian: \(e.norwegianTraining.checks)")
    }

    @Test("Every check carries a legal reference, and missing facts are named")
    func explained() {
        for c in programmeCases {
            let e = engine.evaluate(c.facts, asOf: d(c.asOf))
            for check in e.introductionProgramme.checks + e.norwegianTraining.checks {
                #expect(!check.reference.isEmpty, "\(c.name) \(check.rule)")
            }
            if e.introductionProgramme.category == .undetermined {
                #expect(!e.introductionProgramme.missing.isEmpty, "\(c.name)")
            }
            for check in e.introductionProgramme.checks + e.norwegianTraining.checks {
                #expect(RulesEngine.ruleIDs.contains(check.rule), "\(check.rule) is not listed in RulesEngine.ruleIDs")
            }
        }
    }

    @Test("The upper age follows its dated parameter: 58 at permit, before and after the change to 60")
    func datedAgeChange() throws {
        var params = shippedParameters
        params.integreringsloven.programmeMaxAge = Dated(
            params.integreringsloven.programmeMaxAge.entries + [
                DatedValue(
                    from: d("2026-07-01"), value: 60, reference: "integreringsloven § 8 (Prop. 81 L (2024–2025))")
            ])
        let engine = RulesEngine(parameters: params)
        let person = facts(birth: "1966-10-01", permit: "2025-09-01", arrival: "2025-09-10", settled: "2025-11-01")
        let before = engine.evaluate(person, asOf: d("2026-06-30"))
        let after = engine.evaluate(person, asOf: d("2026-07-01"))
        #expect(before.introductionProgramme.category == .mayBeOffered)
        #expect(after.introductionProgramme.category == .rightAndDuty)
        let check = try #require(after.introductionProgramme.checks.first { $0.rule == "age_at_permit" })
        #expect(check.values == ["58", "18", "60"])
        #expect(check.reference.contains("Prop. 81 L"))
    }
}

struct DeadlineCase: CustomTestStringConvertible, Sendable {
    var name: String
    var facts: PersonFacts
    var kind: DeadlineKind
    var due: String?
    var testDescription: String { name }
}

let deadlineCases: [DeadlineCase] = [
    .init(name: "programme start 3 months after settlement", facts: facts(), kind: .programmeStart, due: "2025-04-15"),
    .init(name: "mapping with the same clock", facts: facts(), kind: .competenceMapping, due: "2025-04-15"),
    .init(name: "career guidance", facts: facts(), kind: .careerGuidance, due: "2025-04-15"),
    .init(name: "programme decision", facts: facts(), kind: .programmeDecision, due: "2025-04-15"),
    .init(
        name: "settled 31 January: start clamps to 30 April", facts: facts(settled: "2025-01-31"),
        kind: .programmeStart, due: "2025-04-30"),
    .init(
        name: "settled 30 November: start clamps to 28 February", facts: facts(settled: "2025-11-30"),
        kind: .programmeStart, due: "2026-02-28"),
    .init(
        name: "settled 30 November 2023: leap year 29 February",
        facts: facts(permit: "2023-10-01", arrival: "2023-10-05", settled: "2023-11-30"), kind: .programmeStart,
        due: "2024-02-29"),
    .init(
        name: "no programme deadlines when only offered", facts: facts(agreement: false), kind: .programmeStart,
        due: nil),
    .init(
        name: "no career guidance under the 2003 law",
        facts: facts(permit: "2020-06-01", arrival: "2020-05-01", settled: "2020-08-01"), kind: .careerGuidance,
        due: nil),
    .init(
        name: "Norwegian 18 months with upper secondary", facts: facts(), kind: .norwegianCompletion, due: "2026-05-20"),
    .init(
        name: "Norwegian 3 years without", facts: facts(education: .primary), kind: .norwegianCompletion,
        due: "2027-11-20"),
    .init(
        name: "Norwegian counts from the permit when it came after arrival",
        facts: facts(permit: "2024-12-31", arrival: "2024-06-01", education: .higher), kind: .norwegianCompletion,
        due: "2026-06-30"),
    .init(
        name: "Norwegian 12 months under collective protection",
        facts: facts(citizenship: "UA", ground: .collectiveProtection), kind: .norwegianCompletion, due: "2026-01-15"),
    .init(
        name: "Norwegian deadline needs the education level", facts: facts(education: nil), kind: .norwegianCompletion,
        due: nil),
    .init(name: "TB screening 14 days after arrival", facts: facts(), kind: .tbScreening, due: "2024-12-04"),
    .init(
        name: "TB screening over new year", facts: facts(arrival: "2024-12-25"), kind: .tbScreening, due: "2025-01-08"),
    .init(
        name: "health examination 3 months after arrival", facts: facts(), kind: .healthExamination, due: "2025-02-20"),
    .init(
        name: "no TB deadline for an EEA labour migrant", facts: facts(citizenship: "PL", ground: .labourEEA),
        kind: .tbScreening, due: nil),
    .init(
        name: "kindergarten for a 3-year-old (Elverum: 2 months)", facts: facts(birth: "2021-08-01"),
        kind: .kindergartenStart, due: "2025-03-15"),
    .init(
        name: "no kindergarten for a 7-year-old", facts: facts(birth: "2017-08-01"), kind: .kindergartenStart, due: nil),
    .init(name: "school for a 9-year-old", facts: facts(birth: "2015-08-01"), kind: .schoolStart, due: "2025-03-15"),
    .init(
        name: "school in a municipality without its own level uses the default",
        facts: facts(birth: "2015-08-01", municipality: "3427"), kind: .schoolStart, due: "2025-03-15"),
    .init(name: "no school deadline for an adult", facts: facts(), kind: .schoolStart, due: nil),
    .init(
        name: "grant ends 31 December of settlement year + 4", facts: facts(), kind: .integrationGrantEnd,
        due: "2029-12-31"),
    .init(
        name: "grant for a family immigrant of a humanitarian-permit holder: 3 years",
        facts: facts(
            ground: .familyReunification, agreement: false,
            reference: .init(residenceGround: .humanitarian, settlementDate: d("2022-01-01")),
            familyApplication: "2023-05-10"), kind: .integrationGrantEnd, due: "2027-12-31"),
    .init(
        name: "no grant when settled without agreement", facts: facts(agreement: false), kind: .integrationGrantEnd,
        due: nil),
    .init(
        name: "settled on 31 December",
        facts: facts(permit: "2025-11-01", arrival: "2025-11-05", settled: "2025-12-31"), kind: .integrationGrantEnd,
        due: "2029-12-31"),
]

@Suite("Rules engine: deadlines")
struct RulesDeadlineTests {
    let engine = RulesEngine(parameters: shippedParameters)

    @Test("Deadlines", arguments: deadlineCases)
    func deadline(_ c: DeadlineCase) {
        let e = engine.evaluate(c.facts, asOf: d("2025-06-01"))
        let found = e.deadlines.first { $0.kind == c.kind }
        #expect(found?.due.iso == c.due, "\(e.deadlines.map { "\($0.kind.rawValue) \($0.due)" })")
        if let found { #expect(!found.reference.isEmpty) }
    }

    @Test("Missing facts are reported instead of guessed")
    func undeterminedDeadlines() {
        let e = engine.evaluate(facts(education: nil), asOf: d("2025-06-01"))
        #expect(e.undeterminedDeadlines.contains { $0.hasPrefix("norwegian_completion") })
        let noSettlement = engine.evaluate(facts(settled: nil), asOf: d("2025-06-01"))
        #expect(noSettlement.undeterminedDeadlines.contains { $0.contains("settlementDate") })
    }

    @Test("Every deadline kind is reachable")
    func allKinds() {
        let kinds = Set(deadlineCases.compactMap { c in c.due == nil ? nil : c.kind })
        #expect(kinds == Set(DeadlineKind.allCases))
    }
}

@Suite("Deadline status")
struct DeadlineStatusTests {
    static let due = Deadline(kind: .tbScreening, due: d("2025-03-10"), reference: "r", basis: "b")

    @Test(
        "Status on a date",
        arguments: [
            ("2025-03-11", nil, DeadlineStatus.overdue), ("2025-03-10", nil, .soon), ("2025-02-24", nil, .soon),
            ("2025-02-23", nil, .later), ("2025-04-01", "2025-03-20", .met), ("2025-01-01", "2025-01-01", .met),
        ] as [(String, String?, DeadlineStatus)])
    func status(_ asOf: String, _ event: String?, _ expected: DeadlineStatus) {
        #expect(DeadlineStatus.of(Self.due, eventDate: event.map(d), asOf: d(asOf), soonDays: 14) == expected)
    }

    @Test("The grant's end is never 'met' by an event")
    func grantEnd() {
        let g = Deadline(kind: .integrationGrantEnd, due: d("2029-12-31"), reference: "r", basis: "b")
        #expect(DeadlineStatus.of(g, eventDate: d("2025-01-01"), asOf: d("2025-06-01"), soonDays: 14) == .later)
    }
}
