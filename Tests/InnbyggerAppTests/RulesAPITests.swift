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

@Suite("Rules API", .serialized)
struct RulesAPITests {
    static let example =
        #"{ "asOf": "2025-06-01", "person": { "birthDate": "1990-04-12", "citizenship": "SY", "residenceGround": "refugee", "permitDate": "2024-11-03", "arrivalDate": "2024-11-20", "settlementDate": "2025-01-15", "settledByAgreement": true, "educationLevel": "upper_secondary", "referencePerson": { "residenceGround": "refugee", "settlementDate": "2019-03-01" }, "familyApplicationDate": "2023-05-10" } }"#

    @Test("The contract's example gives the engine's answer to any logged-in role, and nothing is audited")
    func evaluate() async throws {
        try await withDemoApp { app in
            let before = try await auditCount(app)
            for user in ["leder.elverum", "nav.elverum", "saksbehandler.tynset"] {
                let res = try await api(
                    app, .POST, "/api/v1/rules/evaluate", token: try await token(app, for: user), json: Self.example)
                #expect(res.status == .ok)
                let e = try res.content.decode(Evaluation.self)
                #expect(e.lawRegime == .integreringsloven2021)
                #expect(e.introductionProgramme.category == .rightAndDuty)
                #expect(e.norwegianTraining.category == .rightAndDuty)
                #expect(e.deadlines.first { $0.kind == .programmeStart }?.due.iso == "2025-04-15")
                #expect(e.deadlines.first { $0.kind == .programmeStart }?.reference == "integreringsloven § 12")
                #expect(
                    e.introductionProgramme.checks.contains {
                        $0.rule == "age_at_permit" && $0.passed == true && $0.reference == "integreringsloven § 8"
                    })
            }
            #expect(try await auditCount(app) == before)
            #expect(
                try await api(app, .POST, "/api/v1/rules/evaluate", token: nil, json: Self.example).status
                    == .unauthorized)
        }
    }

    @Test(
        "Bad input gets 400 naming the field",
        arguments: [
            (#"{"person":{"birthDate":"1990-01-01","residenceGround":"tourist"}}"#, "person.residenceGround"),
            (#"{"person":{"birthDate":"1990-02-30","residenceGround":"refugee"}}"#, "person.birthDate"),
            (
                #"{"person":{"birthDate":"2025-01-01","residenceGround":"refugee","permitDate":"2024-01-01"}}"#,
                "person.birthDate"
            ),
            (
                #"{"person":{"birthDate":"1990-01-01","residenceGround":"refugee","educationLevel":"phd"}}"#,
                "person.educationLevel"
            ),
            (#"{"asOf":"yesterday","person":{"birthDate":"1990-01-01","residenceGround":"refugee"}}"#, "asOf"),
            (#"{"person":{"residenceGround":"refugee"}}"#, "person.birthDate"),
            (
                #"{"person":{"birthDate":"1990-01-01","residenceGround":"refugee","referencePerson":{"residenceGround":"x"}}}"#,
                "person.referencePerson.residenceGround"
            ),
        ])
    func badInput(_ json: String, _ field: String) async throws {
        try await withDemoApp { app in
            let res = try await api(
                app, .POST, "/api/v1/rules/evaluate", token: try await token(app, for: "veileder.elverum"), json: json)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
        }
    }
}
