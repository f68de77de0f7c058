import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `POST /api/v1/rules/introduction-benefit`: one month's introduction benefit for a participant, computed by
/// `InnbyggerCore.IntroductionBenefit` from the dated parameters. Stateless like `rules/evaluate`: it stores
/// nothing and audits nothing personal.
package struct BenefitController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        routes.post("rules", "introduction-benefit", use: calculate)
    }

    package struct Body: Content {
        package struct Participant: Content {
            var birthDate: String?
            var livesWithParents: Bool?
            var coupleWithoutChildrenBothParticipants: Bool?
        }
        package struct Programme: Content {
            var lawRegime: String?
            var start: String?
            var end: String?
        }
        package var month: String?
        package var participant: Participant?
        package var programme: Programme?
        /// Hours of invalid absence; fractions allowed down to whole minutes (7.5).
        package var invalidAbsenceHours: Double?
        package var otherDeductionsOre: Int?
    }

    package struct Result: Content {
        package var month: String
        package var age: Int
        package var g: Int
        package var factor: String
        package var annualRateOre: Int
        package var fullMonthOre: Int
        package var daysInProgramme: Int
        package var daysInMonth: Int
        package var monthlyOre: Int
        package var absenceDeductionOre: Int
        package var otherDeductionsOre: Int
        package var netOre: Int
        package var requiresDecision: Bool
        package var checks: [Check]
    }

    package func calculate(req: Request) async throws -> Result {
        _ = try req.requireUser()
        let input = try Self.input(try req.content.decode(Body.self))
        do {
            let r = try IntroductionBenefit(parameters: req.application.programmeParameters).calculate(input)
            return Result(
                month: r.month.iso, age: r.age, g: r.gOre, factor: r.factor, annualRateOre: r.annualRateOre,
                fullMonthOre: r.fullMonthOre, daysInProgramme: r.daysInProgramme, daysInMonth: r.daysInMonth,
                monthlyOre: r.monthlyOre, absenceDeductionOre: r.absenceDeductionOre,
                otherDeductionsOre: r.otherDeductionsOre,
                netOre: r.netOre, requiresDecision: r.requiresDecision, checks: r.checks)
        } catch {
            switch error {
            case .invalid(let field, let reason):
                let name = Self.contractNames[field] ?? field
                throw ValidationFailure(field: name, "invalid.value", reason)
            case .missingParameter(let name, let date):
                throw ValidationFailure(field: "month", "rules.invalid.no_parameters", name, date.iso)
            }
        }
    }

    /// Core's input names → the contract's field names.
    package static let contractNames = [
        "birthDate": "participant.birthDate", "programmeStart": "programme.start", "programmeEnd": "programme.end",
        "lawRegime": "programme.lawRegime", "invalidAbsenceMinutes": "invalidAbsenceHours",
    ]

    /// Checks the request at the edge and names the first wrong field.
    package static func input(_ b: Body) throws -> IntroductionBenefit.Input {
        func date(_ s: String?, _ field: String, required: Bool) throws -> LocalDate? {
            guard let s else {
                if required { throw ValidationFailure(field: field, "invalid.required") }
                return nil
            }
            guard let d = LocalDate(iso: s), d.isInput else {
                throw ValidationFailure(field: field, "invalid.date")
            }
            return d
        }
        guard let m = b.month else { throw ValidationFailure(field: "month", "invalid.required") }
        guard let month = YearMonth(input: m) else {
            throw ValidationFailure(field: "month", "invalid.month")
        }
        guard let participant = b.participant else {
            throw ValidationFailure(field: "participant", "invalid.required")
        }
        guard let programme = b.programme else {
            throw ValidationFailure(field: "programme", "invalid.required")
        }
        let birth = try date(participant.birthDate, "participant.birthDate", required: true)!
        guard let r = programme.lawRegime, let regime = LawRegime(rawValue: r), regime != .undetermined else {
            throw ValidationFailure(
                field: "programme.lawRegime", "invalid.one_of", "integreringsloven_2021, introduksjonsloven_2003")
        }
        let start = try date(programme.start, "programme.start", required: true)!
        let end = try date(programme.end, "programme.end", required: false)
        let minutes =
            try Validate.hoursToMinutes(b.invalidAbsenceHours, "invalidAbsenceHours", max: 744, required: false) ?? 0
        let other = b.otherDeductionsOre ?? 0
        guard (0...100_000_000).contains(other) else {
            throw ValidationFailure(field: "otherDeductionsOre", "invalid.range", "0", "100000000")
        }
        return IntroductionBenefit.Input(
            month: month, birthDate: birth, livesWithParents: participant.livesWithParents ?? false,
            coupleWithoutChildrenBothParticipants: participant.coupleWithoutChildrenBothParticipants ?? false,
            lawRegime: regime, programmeStart: start, programmeEnd: end,
            invalidAbsenceMinutes: minutes, otherDeductionsOre: other)
    }
}
