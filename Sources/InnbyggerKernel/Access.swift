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

package struct CurrentUserKey: StorageKey { package typealias Value = CurrentUser }
package struct MunicipalitiesKey: StorageKey { package typealias Value = [Municipality] }

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

    /// Asks the policy. Refusals of personal data are audited (also when the request's write is rolled back), then
    /// answered with 403.
    package func authorize(_ action: Action, _ resource: Resource, recordType: String = "", recordID: String? = nil)
        async throws
    {
        let user = try requireUser()
        let decision = AccessPolicy.decide(user.principal, action, resource)
        guard case .deny = decision else { return }
        if let m = resource.personalDataMunicipality {
            try await auditRefusal(
                "denied_\(action.rawValue)", recordType: recordType, recordID: recordID, municipality: m)
        }
        throw Abort(.forbidden, reason: "access denied")
    }

    /// A refusal is kept whatever happens to the request's transaction: inside a write it is written after the
    /// write ends (committed or rolled back), otherwise at once.
    package func auditRefusal(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        async throws
    {
        let draft = auditDraft(action, recordType: recordType, recordID: recordID, municipality: municipality)
        if let unit = storage[WriteUnitKey.self] {
            unit.refusals.withLockedValue { $0.append(draft) }
        } else {
            try await application.audit([draft])
        }
    }

    /// Whether the policy allows it, without side effects (for showing or hiding links and buttons).
    package func may(_ action: Action, _ resource: Resource) -> Bool {
        guard let user = currentUser else { return false }
        return AccessPolicy.decide(user.principal, action, resource).isAllowed
    }

    /// All municipalities by name, read once per request (pages ask for them many times: menu, filters, labels).
    package func allMunicipalities() async throws -> [Municipality] {
        if let cached = storage[MunicipalitiesKey.self] { return cached }
        let all = try await Municipality.query(on: store).sort(\.$name).all()
        storage[MunicipalitiesKey.self] = all
        return all
    }

    /// Municipality names by number, for labelling pages.
    package func municipalityNames() async throws -> [Kommunenummer: String] {
        Dictionary(uniqueKeysWithValues: try await allMunicipalities().map { ($0.id!, $0.name) })
    }

    /// Municipalities (codes) in which the policy allows `action` on the resource made for each.
    package func municipalities(where action: Action, _ resource: (Kommunenummer) -> Resource) async throws
        -> [Kommunenummer]
    {
        try await allMunicipalities().compactMap(\.id).filter { may(action, resource($0)) }
    }

    /// The municipalities a list covers: those where the policy allows `action`, narrowed to `requested` when one is
    /// asked for (a malformed number is 400, one outside the user's reach 403). Refused when none is left.
    package func scope(where action: Action, requested: String?, _ resource: (Kommunenummer) -> Resource)
        async throws -> [Kommunenummer]
    {
        var codes = try await municipalities(where: action, resource)
        if let text = requested, !text.isEmpty {
            let m = try Validate.municipality(text)
            guard codes.contains(m) else { throw Abort(.forbidden, reason: "access denied") }
            codes = [m]
        }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        return codes
    }

    package func auditDraft(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        -> AuditDraft
    {
        AuditDraft(
            userID: currentUser?.id.uuidString, municipality: municipality, action: action,
            recordType: recordType,
            recordID: recordID, route: routeLabel)
    }

    /// A list read: one entry per municipality whose rows the list shows, appended together.
    package func auditList<Codes: Sequence>(_ recordType: String, municipalities: Codes) async throws
    where Codes.Element == Kommunenummer {
        let drafts = Set(municipalities).sorted().map {
            auditDraft("list", recordType: recordType, recordID: nil, municipality: $0)
        }
        guard !drafts.isEmpty else { return }
        let log = application.auditLog
        try await write { tx in try await log.append(drafts, on: tx) }
    }

    /// Appends one audit entry for this request: inside the request's write transaction when there is one (so it
    /// commits with the record), else in a write of its own, before the data leaves the server.
    package func audit(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        async throws
    {
        let draft = auditDraft(action, recordType: recordType, recordID: recordID, municipality: municipality)
        let log = application.auditLog
        try await write { tx in try await log.append([draft], on: tx) }
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
        case .personalData(let m, _), .sectorPart(let m, _, _), .journalNote(let m, _, _, _), .programme(let m): m
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
