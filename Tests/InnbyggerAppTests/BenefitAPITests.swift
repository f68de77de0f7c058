import Testing
import VaporTesting

@testable import Account
@testable import Admin
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Journal
@testable import Norwegian
@testable import Overview
@testable import Persons
@testable import Programme
@testable import Rules
@testable import Settlement
@testable import Worklist

/// The public benefit contract against values computed by hand from G and the rules (not from the code).
@Suite("Introduction benefit API")
struct BenefitAPITests {
    static func body(
        month: String, birth: String, parents: Bool = false, regime: String = "integreringsloven_2021",
        start: String = "2025-02-01", end: String? = nil, hours: Double = 0
    ) -> String {
        #"{"month":"\#(month)","participant":{"birthDate":"\#(birth)","livesWithParents":\#(parents),"coupleWithoutChildrenBothParticipants":false},"programme":{"lawRegime":"\#(regime)","start":"\#(start)","end":\#(end.map { "\"\($0)\"" } ?? "null")},"invalidAbsenceHours":\#(hours),"otherDeductionsOre":0}"#
    }

    /// (request, g, factor, monthlyOre, absenceDeductionOre, netOre, requiresDecision)
    static let cases: [(String, Int, String, Int, Int, Int, Bool)] = [
        // The issue's example. G 130 160 kr from 2025-05-01; 24 on 1 June → 2/3. Annual 2 × 13 016 000 × 2/3 = 17 354 666.67
        // → 17 354 667; monthly / 12 = 1 446 222.25 → 1 446 222; 15 h × 17 354 667 / 1850 = 140 713.52 → 140 714.
        (
            body(month: "2025-06", birth: "2001-03-10", hours: 15), 13_016_000, "2/3", 1_446_222, 140_714, 1_305_508,
            false
        ),
        // April 2025 still has G 124 028 kr: 2 G = 24 805 600 øre a year, / 12 = 2 067 133.33 → 2 067 133.
        (body(month: "2025-04", birth: "1995-01-01"), 12_402_800, "1/1", 2_067_133, 0, 2_067_133, false),
        // May 2025: 2 G = 26 032 000, / 12 = 2 169 333.33 → 2 169 333.
        (body(month: "2025-05", birth: "1995-01-01"), 13_016_000, "1/1", 2_169_333, 0, 2_169_333, false),
        // Living with parents under 25 (2021 law): 1/3 → 8 677 333.33 → 8 677 333 a year, / 12 = 723 111.08 → 723 111.
        (body(month: "2025-06", birth: "2003-01-01", parents: true), 13_016_000, "1/3", 723_111, 0, 723_111, false),
        // The 2003 law: 2/3 under 25 regardless of parents.
        (
            body(month: "2025-06", birth: "2003-01-01", parents: true, regime: "introduksjonsloven_2003"), 13_016_000,
            "2/3", 1_446_222, 0, 1_446_222, false
        ),
        // Starts 16 June: 15 of 30 days → 2 169 333.33 × 15 / 30 = 1 084 666.67 → 1 084 667.
        (
            body(month: "2025-06", birth: "1995-01-01", start: "2025-06-16"), 13_016_000, "1/1", 1_084_667, 0,
            1_084_667, false
        ),
        // 120 h invalid absence: 120 × 26 032 000 / 1850 = 1 688 562.16 → 1 688 562; that is ≥ half the payment and ≥ G/12
        // (1 084 666.67), so a formal decision is required. Net 2 169 333 − 1 688 562 = 480 771.
        (
            body(month: "2025-06", birth: "1995-01-01", hours: 120), 13_016_000, "1/1", 2_169_333, 1_688_562, 480_771,
            true
        ),
    ]

    @Test("Benefit contract against hand-computed values", arguments: cases)
    func contract(_ c: (String, Int, String, Int, Int, Int, Bool)) async throws {
        try await withDemoApp { app in
            let res = try await api(
                app, .POST, "/api/v1/rules/introduction-benefit", token: try await token(app, for: "veileder.elverum"),
                json: c.0)
            #expect(res.status == .ok)
            let r = try res.content.decode(BenefitController.Result.self)
            #expect(r.g == c.1)
            #expect(r.factor == c.2)
            #expect(r.monthlyOre == c.3)
            #expect(r.absenceDeductionOre == c.4)
            #expect(r.netOre == c.5)
            #expect(r.requiresDecision == c.6)
            #expect(r.checks.allSatisfy { !$0.reference.isEmpty })
        }
    }

    @Test(
        "Bad input names the field; no login is refused",
        arguments: [
            (body(month: "2025-13", birth: "1995-01-01"), "month"),
            (body(month: "2025-06", birth: "1995-02-30"), "participant.birthDate"),
            (body(month: "2025-06", birth: "1995-01-01", regime: "undetermined"), "programme.lawRegime"),
            (body(month: "2025-06", birth: "1995-01-01", start: "2025-06-10", end: "2025-06-01"), "programme.end"),
            (body(month: "2025-06", birth: "1995-01-01", hours: -1), "invalidAbsenceHours"),
            (body(month: "2025-06", birth: "1995-01-01", hours: 0.001), "invalidAbsenceHours"),
            (
                body(month: "2010-06", birth: "1985-01-01", regime: "introduksjonsloven_2003", start: "2010-01-01"),
                "month"
            ),
        ])
    func badInput(_ json: String, _ field: String) async throws {
        try await withDemoApp { app in
            let res = try await api(
                app, .POST, "/api/v1/rules/introduction-benefit", token: try await token(app, for: "leder.elverum"),
                json: json)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
            #expect(
                try await api(app, .POST, "/api/v1/rules/introduction-benefit", token: nil, json: json).status
                    == .unauthorized)
        }
    }
}
