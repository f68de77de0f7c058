import Fluent
import NIOConcurrencyHelpers
import Vapor

/// The signed-in user for this request, with the policy's view of their grants.
package struct CurrentUser: Sendable {
    package let id: UUID
    package let username: String
    package let displayName: String
    package let principal: Principal
    /// Set for browser sessions (carries the CSRF token); nil for API tokens.
    package let session: UserSession?
}

extension CurrentUser {
    /// The user with the grants the policy sees today: for a session, an API token, or a command's context.
    package static func load(_ user: User, session: UserSession? = nil, on db: any Database) async throws
        -> CurrentUser
    {
        let principal = try await PrincipalLoader.load(userID: user.id!, on: db)
        return CurrentUser(
            id: user.id!, username: user.username, displayName: user.displayName, principal: principal,
            session: session)
    }
}

package struct CurrentUserKey: StorageKey { package typealias Value = CurrentUser }

extension Request {
    package var currentUser: CurrentUser? {
        get { storage[CurrentUserKey.self] }
        set { storage[CurrentUserKey.self] = newValue }
    }

    /// The signed-in user, or 401.
    package func requireUser() throws -> CurrentUser {
        guard let u = currentUser else { throw Abort(.unauthorized, reason: "login required") }
        return u
    }

    /// The route's path pattern ("/persons/:personID"), never the concrete path, for logs, metrics and audit.
    package var routePattern: String {
        route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "(unmatched)"
    }

    /// Method and pattern: "GET /persons/:personID".
    package var routeLabel: String { "\(method.rawValue) \(routePattern)" }

    // The policy, the audit log and the municipality lists of this request: its service context's (see
    // `ServiceContext`), so handlers and services share one write and one municipality cache.

    package func authorize(_ action: Action, _ resource: Resource, recordType: String = "", recordID: String? = nil)
        async throws
    {
        try await context.authorize(action, resource, recordType: recordType, recordID: recordID)
    }

    package func auditRefusal(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        async throws
    {
        try await context.auditRefusal(action, recordType: recordType, recordID: recordID, municipality: municipality)
    }

    package func may(_ action: Action, _ resource: Resource) -> Bool { context.may(action, resource) }

    package func allMunicipalities() async throws -> [Municipality] { try await context.allMunicipalities() }

    package func municipalityNames() async throws -> [Kommunenummer: String] {
        try await context.municipalityNames()
    }

    package func municipalities(where action: Action, _ resource: (Kommunenummer) -> Resource) async throws
        -> [Kommunenummer]
    {
        try await context.municipalities(where: action, resource)
    }

    package func scope(where action: Action, requested: String?, _ resource: (Kommunenummer) -> Resource)
        async throws -> [Kommunenummer]
    {
        try await context.scope(where: action, requested: requested, resource)
    }

    package func auditList<Codes: Sequence>(_ recordType: String, municipalities: Codes) async throws
    where Codes.Element == Kommunenummer {
        try await context.auditList(recordType, municipalities: municipalities)
    }

    package func audit(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        async throws
    {
        try await context.audit(action, recordType: recordType, recordID: recordID, municipality: municipality)
    }
}

/// Builds the policy's view of a user: each role assignment, widened by the active service
/// agreements of the assignment's unit (a unit hosted by Gol that serves Hemsedal reaches both).
package enum PrincipalLoader {
    package static func load(userID: UUID, on db: any Database, today: LocalDate = .today) async throws -> Principal {
        // A grant still waiting for its second approval gives nothing.
        let assignments = try await RoleAssignment.query(on: db).filter(\.$user.$id == userID)
            .filter(\.$pending == false).all()
        let unitIDs = assignments.compactMap { $0.$unit.id }
        let agreements =
            unitIDs.isEmpty ? [] : try await ServiceAgreement.query(on: db).filter(\.$unit.$id ~~ unitIDs).all()
        let grants: [Grant] = assignments.compactMap { a in
            let role = a.role
            if role == .systemAdmin { return Grant(role: role, scope: .all) }
            var codes: Set<Kommunenummer> = [a.$municipality.id]
            if let unit = a.$unit.id {
                for ag in agreements where ag.$unit.id == unit && ag.isActive(on: today) { codes.insert(ag.$served.id) }
            }
            return Grant(role: role, scope: .municipalities(codes))
        }
        return Principal(userID: userID.uuidString, grants: grants)
    }
}

/// The service's day: the wall clock's date in Norway (the service's time zone, not UTC), unless it was fixed for
/// the whole process (`INNBYGGER_TODAY` for a demo, a bench or a replay; the test suite's fixed day), so that every
/// request, service, demo and background task sees the same day.
package enum ServiceClock {
    private static let fixed = NIOLockedValueBox<LocalDate?>(nil)

    package static var fixedDay: LocalDate? { fixed.withLockedValue { $0 } }

    package static func fix(_ day: LocalDate?) { fixed.withLockedValue { $0 = day } }
}

extension LocalDate {
    /// Today's date for the service (see `ServiceClock`).
    package static var today: LocalDate { ServiceClock.fixedDay ?? Oslo.day(Date()) }
}

extension Resource {
    /// The municipality of a resource that holds personal data (a file, a part of it, a note): refusals of these are
    /// audited.
    package var personalDataMunicipality: Kommunenummer? {
        switch self {
        case .personalData(let m, _), .sectorPart(let m, _, _), .journalNote(let m, _, _, _), .programme(let m),
            .fileSection(let m, _, _), .grantLedger(let m):
            m
        default: nil
        }
    }
}

/// Refuses a write before its body is read when the user could not do `action` on any record of `kind`
/// (`AccessPolicy.mayEver`): 403 before 400, and the refusal of personal data is audited like any other.
package struct Gate: AsyncMiddleware {
    package let action: Action
    package let kind: ResourceKind

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let user = try req.requireUser()
        guard AccessPolicy.mayEver(user.principal, action, kind) else {
            if kind.isPersonal {
                try await req.auditRefusal(
                    "denied_\(action.rawValue)", recordType: kind.rawValue, recordID: nil, municipality: nil)
            }
            throw Abort(.forbidden, reason: "access denied")
        }
        return try await next.respond(to: req)
    }
}

extension RoutesBuilder {
    /// The routes registered on the result pass `Gate(action, kind)` first.
    package func gated(_ action: Action, _ kind: ResourceKind) -> any RoutesBuilder {
        grouped(Gate(action: action, kind: kind))
    }
}
