import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `POST /api/v1/housing/match`: the allocation's ranking without storing anything (issue #15's public contract).
/// The room rule and the weights are the dated parameters in force today (`Resources/Parameters/housing.json`).
struct HousingAPIController: RouteCollection {
    struct Child: Content {
        var age: Int?
    }
    struct HouseholdBody: Content {
        var adults: Int?
        var children: [Child]?
        var stepFree: Bool?
    }
    struct DwellingBody: Content {
        var id: String?
        var rooms: Int?
        var stepFree: Bool?
        var status: String?
        var schoolKm: Double?
    }
    struct Body: Content {
        var household: HouseholdBody?
        var dwellings: [DwellingBody]?
    }
    struct Answer: Content {
        var roomsNeeded: Int
        var ranked: [RankedDwelling]
        var excluded: [ExcludedDwelling]
        var parametersFrom: String
        var reference: String
    }

    /// The most dwellings one request ranks.
    static let maxDwellings = 1000

    func boot(routes: any RoutesBuilder) throws {
        routes.post("housing", "match", use: match)
    }

    func match(req: Request) async throws -> Answer {
        // Anyone who works with the dwellings of some municipality: the scoring reveals nothing, but it is theirs.
        let works = try await req.municipalities(where: .list) { .register(municipality: $0, sector: .housing) }
        guard !works.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        let body = try req.json(Body.self)
        guard let h = body.household else { throw ValidationFailure(field: "household", "invalid.required") }
        let adults = try Validate.number(h.adults, "household.adults", 0...20, required: true)!
        guard let children = h.children else {
            throw ValidationFailure(field: "household.children", "invalid.required")
        }
        guard children.count <= 20 else {
            throw ValidationFailure(field: "household.children", "invalid.at_most", "20")
        }
        let ages = try children.enumerated().map { n, c in
            try Validate.number(c.age, "household.children[\(n)].age", 0...17, required: true)!
        }
        guard adults + ages.count > 0 else {
            throw ValidationFailure(field: "household.adults", "housing.invalid.nobody")
        }
        guard let list = body.dwellings else { throw ValidationFailure(field: "dwellings", "invalid.required") }
        guard list.count <= Self.maxDwellings else {
            throw ValidationFailure(field: "dwellings", "invalid.at_most", String(Self.maxDwellings))
        }
        var seen: Set<String> = []
        let offers = try list.enumerated().map { n, d -> DwellingOffer in
            let field = "dwellings[\(n)]"
            guard let id = d.id, !id.isEmpty, id.count <= 100, id.allSatisfy({ !$0.isWhitespace && !$0.isNewline })
            else { throw ValidationFailure(field: "\(field).id", "invalid.required") }
            guard seen.insert(id).inserted else {
                throw ValidationFailure(field: "\(field).id", "housing.invalid.id_twice")
            }
            let rooms = try Validate.number(d.rooms, "\(field).rooms", 1...50, required: true)!
            guard let s = d.status, let status = DwellingStatus(rawValue: s) else {
                throw ValidationFailure(field: "\(field).status", "invalid.one_of")
            }
            if let km = d.schoolKm, !(km.isFinite && km >= 0 && km <= 1000) {
                throw ValidationFailure(field: "\(field).schoolKm", "invalid.range", "0", "1000")
            }
            return DwellingOffer(
                id: id, rooms: rooms, stepFree: d.stepFree ?? false, status: status, schoolKm: d.schoolKm)
        }
        let p = req.application.housingParameters
        let today = req.context.today
        guard let rule = p.roomRule.entry(on: today), let weights = p.value(\.weights, on: today) else {
            throw Abort(.internalServerError, reason: "housing parameters have no entry for today")
        }
        let need = HouseholdNeed(adults: adults, childAges: ages, stepFree: h.stepFree ?? false)
        let (ranked, excluded) = DwellingMatch.rank(need, offers, rule: rule.value, weights: weights)
        return Answer(
            roomsNeeded: rule.value.rooms(for: need), ranked: ranked, excluded: excluded,
            parametersFrom: rule.from.iso, reference: rule.reference)
    }
}
