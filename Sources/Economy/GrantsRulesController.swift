import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `POST /api/v1/rules/grants`: what one person brings the municipality in one payment year, by the grant rules of
/// `InnbyggerCore.GrantRules` and the rate tables. Stateless like `rules/evaluate`: it stores nothing and audits
/// nothing personal.
package struct GrantsRulesController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.post("rules", "grants", use: calculate)
    }

    package struct Body: Content {
        package struct Family: Content {
            var referenceSettlementDate: String?
            var applicationDate: String?
            var referenceHumanitarian: Bool?
        }
        package struct Person: Content {
            var birthDate: String?
            var settlementDate: String?
            var settledAlone: Bool?
            var unaccompaniedMinor: Bool?
            var knownDisability: Bool?
            var familyImmigration: Family?
        }
        package var year: Int?
        package var person: Person?
    }

    package struct Result: Content {
        package struct Deadline: Content {
            var kind: String
            var due: String
            var grantYear: Int
        }
        package var year: Int
        package var integrationYear: Int
        package var lines: [GrantLine]
        package var totalOre: Int
        package var deadlines: [Deadline]
        package var missingRates: [String]
    }

    package func calculate(req: Request) async throws -> Result {
        _ = try req.requireUser()
        let (person, year) = try Self.input(try req.content.decode(Body.self))
        let r = try await GrantRateStore.rules(req.application, on: req.store).year(person, year)
        return Result(
            year: r.year, integrationYear: r.integrationYear, lines: r.lines, totalOre: r.totalOre,
            deadlines: r.deadlines.map { .init(kind: $0.kind, due: $0.due.iso, grantYear: $0.grantYear) },
            missingRates: r.missingRates)
    }

    /// The payment years the contract accepts.
    static let years = 1990...2100

    /// Checks the request at the edge and names the first wrong field.
    package static func input(_ b: Body) throws -> (GrantPerson, Int) {
        func date(_ s: String?, _ field: String) throws -> LocalDate {
            guard let s else { throw ValidationFailure(field: field, "invalid.required") }
            guard let d = LocalDate(iso: s), d.isInput else {
                throw ValidationFailure(field: field, "invalid.date")
            }
            return d
        }
        func flag(_ b: Bool?, _ field: String) throws -> Bool {
            guard let b else { throw ValidationFailure(field: field, "invalid.required") }
            return b
        }
        guard let year = b.year else { throw ValidationFailure(field: "year", "invalid.required") }
        guard years.contains(year) else {
            throw ValidationFailure(
                field: "year", "invalid.range", String(years.lowerBound), String(years.upperBound))
        }
        guard let p = b.person else { throw ValidationFailure(field: "person", "invalid.required") }
        let birth = try date(p.birthDate, "person.birthDate")
        let settled = try date(p.settlementDate, "person.settlementDate")
        guard birth <= settled else { throw ValidationFailure(field: "person.settlementDate", "invalid.before_birth") }
        var family: GrantPerson.FamilyImmigration? = nil
        if let f = p.familyImmigration {
            family = .init(
                referenceSettlementDate: try date(
                    f.referenceSettlementDate, "person.familyImmigration.referenceSettlementDate"),
                applicationDate: try date(f.applicationDate, "person.familyImmigration.applicationDate"),
                referenceHumanitarian: try flag(
                    f.referenceHumanitarian, "person.familyImmigration.referenceHumanitarian"))
        }
        let person = GrantPerson(
            birthDate: birth, settlementDate: settled, settledAlone: try flag(p.settledAlone, "person.settledAlone"),
            unaccompaniedMinor: try flag(p.unaccompaniedMinor, "person.unaccompaniedMinor"),
            knownDisability: try flag(p.knownDisability, "person.knownDisability"), familyImmigration: family)
        return (person, year)
    }
}
