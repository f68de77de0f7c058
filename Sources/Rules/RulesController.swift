import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `POST /api/v1/rules/evaluate`: stateless; stores nothing and audits nothing personal.
package struct RulesController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.post("rules", "evaluate", use: evaluate)
    }

    package struct Request_: Content {
        package struct Reference: Content {
            var residenceGround: String?
            var settlementDate: String?
        }
        package struct Person: Content {
            package var birthDate: String?
            package var citizenship: String?
            package var residenceGround: String?
            package var permitDate: String?
            package var arrivalDate: String?
            package var settlementDate: String?
            package var settledByAgreement: Bool?
            package var educationLevel: String?
            package var referencePerson: Reference?
            package var familyApplicationDate: String?
            package var municipality: String?
        }
        package var asOf: String?
        package var person: Person?
    }

    package func evaluate(req: Request) async throws -> Evaluation {
        _ = try req.requireUser()
        let body = try req.content.decode(Request_.self)
        let (facts, asOf) = try Self.facts(from: body)
        return req.application.rulesEngine.evaluate(facts, asOf: asOf)
    }

    /// Validates the request and names the first wrong field (`person.birthDate` …).
    package static func facts(from body: Request_) throws -> (PersonFacts, LocalDate) {
        func date(_ s: String?, _ field: String, required: Bool = false) throws -> LocalDate? {
            guard let s else {
                if required { throw ValidationFailure(field: field, "invalid.required") }
                return nil
            }
            guard let d = LocalDate(iso: s), d.isInput else {
                throw ValidationFailure(field: field, "invalid.date")
            }
            return d
        }
        func ground(_ s: String?, _ field: String) throws -> PersonFacts.ResidenceGround? {
            guard let s else { return nil }
            guard let g = PersonFacts.ResidenceGround(rawValue: s) else {
                throw ValidationFailure(
                    field: field, "invalid.one_of",
                    PersonFacts.ResidenceGround.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return g
        }
        let asOf = try date(body.asOf, "asOf") ?? .today
        guard let p = body.person else { throw ValidationFailure(field: "person", "invalid.required") }
        let birth = try date(p.birthDate, "person.birthDate", required: true)!
        guard let g = try ground(p.residenceGround, "person.residenceGround") else {
            throw ValidationFailure(field: "person.residenceGround", "invalid.required")
        }
        let permit = try date(p.permitDate, "person.permitDate")
        let arrival = try date(p.arrivalDate, "person.arrivalDate")
        let settlement = try date(p.settlementDate, "person.settlementDate")
        for (d, name) in [(permit, "permitDate"), (arrival, "arrivalDate"), (settlement, "settlementDate")] {
            if let d, d < birth {
                throw ValidationFailure(field: "person.birthDate", "invalid.before_birth")
            }
        }
        var education: PersonFacts.EducationLevel? = nil
        if let e = p.educationLevel {
            guard let v = PersonFacts.EducationLevel(rawValue: e) else {
                throw ValidationFailure(
                    field: "person.educationLevel", "invalid.one_of", "none, primary, upper_secondary, higher")
            }
            education = v
        }
        if let c = p.citizenship, !(c.count == 2 && c.allSatisfy { $0.isASCII && $0.isLetter }) {
            throw ValidationFailure(field: "person.citizenship", "invalid.code", "an ISO 3166 two-letter code")
        }
        if let m = p.municipality { _ = try Validate.municipality(m, "person.municipality") }
        var reference: PersonFacts.ReferencePerson? = nil
        if let r = p.referencePerson {
            reference = .init(
                residenceGround: try ground(r.residenceGround, "person.referencePerson.residenceGround"),
                settlementDate: try date(r.settlementDate, "person.referencePerson.settlementDate"))
        }
        let facts = PersonFacts(
            birthDate: birth, citizenship: p.citizenship?.uppercased(), residenceGround: g, permitDate: permit,
            arrivalDate: arrival, settlementDate: settlement, settledByAgreement: p.settledByAgreement,
            educationLevel: education, referencePerson: reference,
            familyApplicationDate: try date(p.familyApplicationDate, "person.familyApplicationDate"),
            municipality: p.municipality)
        return (facts, asOf)
    }
}

/// The Core result goes out as JSON as it is (Core stays free of Vapor).
extension Evaluation: Content {}
