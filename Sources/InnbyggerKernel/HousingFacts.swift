import Foundation
import InnbyggerCore

/// An incoming household (IMDi's proposal) as the housing allocation reads it through `SharedFacts`: who is coming,
/// what they need and where the proposal stands. Only the settlement feature makes these.
package struct IncomingNeed: Sendable, Encodable {
    package var id: UUID
    package var municipality: Kommunenummer
    package var reference: String
    package var label: String
    package var need: HouseholdNeed
    /// The rooms IMDi's proposal asks for, when it says.
    package var rooms: Int?
    package var expectedArrival: LocalDate?
    /// The housing sector's assessment (pending, ok, concern) and the answer to IMDi (pending, accepted, declined).
    package var housingStatus: String
    package var decision: String
    /// The household made when the family arrived.
    package var householdID: UUID?
    /// The proposal's place in the policy (the assessing partners read it while it is open).
    package var resource: Resource

    package init(
        id: UUID, municipality: Kommunenummer, reference: String, label: String, need: HouseholdNeed, rooms: Int?,
        expectedArrival: LocalDate?, housingStatus: String, decision: String, householdID: UUID?,
        resource: Resource
    ) {
        self.id = id
        self.municipality = municipality
        self.reference = reference
        self.label = label
        self.need = need
        self.rooms = rooms
        self.expectedArrival = expectedArrival
        self.housingStatus = housingStatus
        self.decision = decision
        self.householdID = householdID
        self.resource = resource
    }

    private enum CodingKeys: String, CodingKey {
        case id, municipality, reference, label, need, rooms, expectedArrival, housingStatus, decision, householdID
    }
}

/// The housing capacity for one proposal (`SharedFacts.housingCapacity`): the rooms needed, the dwellings that have
/// them, free now or being prepared, and where to allocate one.
package struct HousingCapacity: Sendable, Encodable {
    package var rooms: Int
    package var free: Int
    package var href: String

    package init(rooms: Int, free: Int, href: String) {
        self.rooms = rooms
        self.free = free
        self.href = href
    }
}

/// A placement's end as the programme reads it (`SharedFacts.practiceOutcomes`): where, what kind of place, when it
/// ended and how (`job`, `extended`, `ended`).
package struct PracticeOutcome: Sendable, Encodable {
    package var provider: String
    package var kind: String
    package var endedOn: LocalDate
    package var outcome: String

    package init(provider: String, kind: String, endedOn: LocalDate, outcome: String) {
        self.provider = provider
        self.kind = kind
        self.endedOn = endedOn
        self.outcome = outcome
    }

    /// The placement went on as a job: the programme then ends "completed, work" (`EndReason.completedWork`).
    package var isJob: Bool { outcome == "job" }
}
