import Foundation
import Testing

@testable import InnbyggerCore

/// Issue #15: the organisation number's modulus-11 check and the matching score, by tables of cases.
@Suite("Work rules")
struct WorkRulesTests {
    @Test(
        "Organisation numbers: nine digits whose last is the modulus-11 check digit (weights 3 2 7 6 5 4 3 2)",
        arguments: [
            ("974760673", true),  // Brønnøysundregistrene
            ("974 760 673", true),  // spaces as printed
            ("974760674", false),  // wrong check digit
            ("912345602", true),
            ("912345610", true),  // sum ≡ 0 (mod 11) → check digit 0
            ("91234567", false),  // eight digits
            ("9123456700", false),  // ten digits
            ("91234567X", false),
            ("", false),
        ])
    func orgNumbers(_ text: String, _ valid: Bool) {
        #expect((OrganisationNumber.valid(text) != nil) == valid, "\(text)")
    }

    @Test("A check digit of 10 is never issued, and 11 becomes 0")
    func checkDigitEdges() {
        // 9 1 2 3 4 5 6 7: the sum leaves 1 over, so the digit would be 10.
        #expect(OrganisationNumber.checkDigit([9, 1, 2, 3, 4, 5, 6, 7]) == nil)
        for n in 0...9 { #expect(OrganisationNumber.valid("91234567\(n)") == nil) }
        #expect(OrganisationNumber.checkDigit([9, 1, 2, 3, 4, 5, 6, 1]) == 0)
        #expect(OrganisationNumber.valid("912345610") == "912345610")
    }

    static let weights = MatchWeights(goal: 3, occupation: 4, languageLevel: 2, location: 2, spokenLanguage: 1)

    static func participant(
        goal: FinalGoal? = .work, occupation: WorkTrade? = nil, norwegian: TestLevel? = nil, location: String? = nil,
        languages: Set<String> = []
    ) -> MatchParticipant {
        MatchParticipant(
            goal: goal, occupation: occupation, norwegian: norwegian, location: location, languages: languages)
    }

    static func provider(
        trade: WorkTrade = .retail, kinds: Set<PlaceKind> = [.workPractice], minimum: TestLevel? = nil,
        location: String? = nil, languages: Set<String> = []
    ) -> MatchProvider {
        MatchProvider(
            trade: trade, freeKinds: kinds, minimumNorwegian: minimum, location: location, languages: languages)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var participant: MatchParticipant
        var provider: MatchProvider
        var score: Int
        var reasons: [MatchReason]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(
            name: "nothing in common", participant: participant(goal: nil), provider: provider(), score: 0, reasons: []),
        .init(
            name: "goal work and a work practice place", participant: participant(), provider: provider(), score: 3,
            reasons: [.goalWork]),
        .init(
            name: "goal education and a language practice place", participant: participant(goal: .higherEducation),
            provider: provider(kinds: [.languagePractice]), score: 3, reasons: [.goalLanguage]),
        .init(
            name: "goal work but only language practice", participant: participant(),
            provider: provider(kinds: [.languagePractice]), score: 0, reasons: []),
        .init(
            name: "the occupation wished for", participant: participant(occupation: .retail), provider: provider(),
            score: 7, reasons: [.goalWork, .occupation]),
        .init(
            name: "Norwegian at the level asked", participant: participant(norwegian: .b1),
            provider: provider(minimum: .a2), score: 5, reasons: [.goalWork, .languageLevel]),
        .init(
            name: "Norwegian below the level asked", participant: participant(norwegian: .a1),
            provider: provider(minimum: .a2), score: 1, reasons: [.goalWork, .languageBelow]),
        .init(
            name: "no level known where one is asked", participant: participant(goal: nil),
            provider: provider(minimum: .a2), score: 0, reasons: [.languageBelow]),
        .init(
            name: "near home, case-insensitive", participant: participant(location: "Parkvegen 4, 2500 Tynset"),
            provider: provider(location: "tynset"), score: 5, reasons: [.goalWork, .location]),
        .init(
            name: "a language spoken at the workplace", participant: participant(languages: ["ar", "en"]),
            provider: provider(languages: ["ar"]), score: 4, reasons: [.goalWork, .spokenLanguage]),
        .init(
            name: "everything",
            participant: participant(
                occupation: .healthCare, norwegian: .a2, location: "Tynset",
                languages: ["uk"]),
            provider: provider(
                trade: .healthCare, kinds: [.wageSubsidy], minimum: .a2, location: "Tynset", languages: ["uk"]),
            score: 12, reasons: [.goalWork, .occupation, .languageLevel, .location, .spokenLanguage]),
        .init(
            name: "no free place", participant: participant(occupation: .retail), provider: provider(kinds: []),
            score: 0, reasons: [.noFreePlace]),
    ]

    @Test("The matching score: points per reason, weighted by the parameters", arguments: cases)
    func matching(_ c: Case) {
        let s = Matching.score(c.participant, c.provider, weights: Self.weights)
        #expect(s.score == c.score)
        #expect(s.reasons == c.reasons)
    }

    @Test("The weights decide the order: with occupation weighted low, the goal wins")
    func weightsMatter() {
        let p = Self.participant(goal: .work, occupation: .retail)
        let shop = Self.provider(trade: .retail, kinds: [.languagePractice])
        let works = Self.provider(trade: .cleaning, kinds: [.workPractice])
        #expect(
            Matching.score(p, shop, weights: Self.weights).score > Matching.score(p, works, weights: Self.weights).score
        )
        let low = MatchWeights(goal: 5, occupation: 1, languageLevel: 0, location: 0, spokenLanguage: 0)
        #expect(Matching.score(p, shop, weights: low).score < Matching.score(p, works, weights: low).score)
    }

    @Test("The shipped parameter file parses and has dated weights")
    func parameterFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Resources/Parameters/work.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let weights = try #require(json["matchWeights"] as? [[String: Any]])
        #expect(!weights.isEmpty)
        for w in weights {
            #expect(LocalDate(iso: w["from"] as? String ?? "") != nil)
            #expect((w["reference"] as? String)?.isEmpty == false)
        }
    }
}
