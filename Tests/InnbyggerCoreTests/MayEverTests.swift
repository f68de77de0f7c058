import Testing

@testable import InnbyggerCore

/// `AccessPolicy.mayEver` is the check made before a body is read: it must say yes exactly when some concrete record
/// of the kind would be allowed, for every role, action and kind (else a permitted write would be refused up front,
/// or the up-front refusal would be no refusal at all).
@Suite("AccessPolicy.mayEver")
struct MayEverTests {
    static func concrete(_ kind: ResourceKind, in m: Kommunenummer) -> [Resource] {
        let sharings: [Set<Sector>] = [[], Set(Sector.allCases)] + Sector.allCases.map { [$0] }
        switch kind {
        case .personalData:
            return sharings.map { .personalData(municipality: m, sharedWith: $0) }
        case .sectorPart:
            return sharings.flatMap { s in
                Sector.allCases.map { .sectorPart(municipality: m, sharedWith: s, sector: $0) }
            }
        case .journalNote:
            return sharings.flatMap { s in
                Sector.allCases.flatMap { sector in
                    [true, false].map { .journalNote(municipality: m, sharedWith: s, sector: sector, shared: $0) }
                }
            }
        case .programme: return [.programme(municipality: m)]
        case .grantLedger: return [.grantLedger(municipality: m)]
        case .settlementPlan: return [.settlementPlan(municipality: m)]
        case .municipalSettings: return [.municipalSettings(municipality: m)]
        case .planning: return [.planning(municipality: m)]
        case .planMeasure:
            return [.planMeasure(municipality: m, sector: nil)]
                + Sector.allCases.map { .planMeasure(municipality: m, sector: $0) }
        case .register:
            return Sector.allCases.map { .register(municipality: m, sector: $0) }
        case .userAdministration: return [.userAdministration(municipality: m)]
        case .roleApproval: return [.roleApproval(municipality: m)]
        case .tenancy: return [.tenancy]
        }
    }

    @Test("Says yes exactly when some record of the kind is allowed", arguments: Role.allCases)
    func matchesConcreteRecords(_ role: Role) {
        let scope: Scope = role == .systemAdmin ? .all : .municipalities(["3420"])
        let principal = Principal(userID: "u", grants: [Grant(role: role, scope: scope)])
        for action in Action.allCases {
            for kind in ResourceKind.allCases {
                let some = (["3420", "3427"] as [Kommunenummer]).flatMap { Self.concrete(kind, in: $0) }
                    .contains { AccessPolicy.decide(principal, action, $0).isAllowed }
                #expect(AccessPolicy.mayEver(principal, action, kind) == some, "\(role) \(action) \(kind)")
            }
        }
    }

    @Test("A user without grants may never do anything")
    func nobody() {
        let principal = Principal(userID: "u", grants: [])
        for action in Action.allCases {
            for kind in ResourceKind.allCases {
                #expect(!AccessPolicy.mayEver(principal, action, kind))
            }
        }
    }
}
