import Fluent
import NIOConcurrencyHelpers
import Vapor

/// What a service works with: who asks (the principal), the database (inside a write, its transaction), the audit
/// writer, the service's day and the application's parameters. Services take a context, never a `Request`: the edge
/// makes it from the request (`req.context`, one per request), a command or a background job makes its own
/// (`ServiceContext(app:user:route:)`), and both go through the same policy, audit and write rules.
package final class ServiceContext: Sendable {
    package let app: Application
    /// The work only reads and shows what it loads (a GET page or API read): what it shows is audited as read.
    package let isReadOnly: Bool
    private let userSource: @Sendable () -> CurrentUser?
    private let routeSource: @Sendable () -> String
    private let base: any Database
    private let unit = NIOLockedValueBox<WriteUnit?>(nil)
    private let municipalityCache = NIOLockedValueBox<[Municipality]?>(nil)

    /// For a command or a background job: a fixed user (nil for the system itself) and a route label for the audit
    /// log ("command import", "job reminders").
    package convenience init(app: Application, user: CurrentUser?, route: String) {
        self.init(app: app, db: app.db, isReadOnly: false, user: { user }, route: { route })
    }

    package init(
        app: Application, db: any Database, isReadOnly: Bool, user: @escaping @Sendable () -> CurrentUser?,
        route: @escaping @Sendable () -> String
    ) {
        self.app = app
        self.isReadOnly = isReadOnly
        self.base = db
        self.userSource = user
        self.routeSource = route
    }

    /// The signed-in user, if any.
    package var user: CurrentUser? { userSource() }
    /// What the audit log records as the route: "GET /persons/:personID", or a command's label.
    package var route: String { routeSource() }
    /// The service's day (`ServiceClock`).
    package var today: LocalDate { .today }

    /// The database to read and write: inside a write, its transaction (so that everything done commits with its
    /// audit entries), otherwise the pool.
    package var db: any Database { unit.withLockedValue { $0?.tx } ?? base }

    /// The signed-in user, or 401.
    package func requireUser() throws -> CurrentUser {
        guard let u = user else { throw Abort(.unauthorized, reason: "login required") }
        return u
    }

    // MARK: The policy

    /// Whether the policy allows it, without side effects (for showing or hiding links and buttons).
    package func may(_ action: Action, _ resource: Resource) -> Bool {
        guard let user else { return false }
        return AccessPolicy.decide(user.principal, action, resource).isAllowed
    }

    /// Asks the policy. Refusals of personal data are audited (also when the write is rolled back), then answered
    /// with 403.
    package func authorize(_ action: Action, _ resource: Resource, recordType: String = "", recordID: String? = nil)
        async throws
    {
        let user = try requireUser()
        guard case .deny = AccessPolicy.decide(user.principal, action, resource) else { return }
        if let m = resource.personalDataMunicipality {
            try await auditRefusal(
                "denied_\(action.rawValue)", recordType: recordType, recordID: recordID, municipality: m)
        }
        throw Abort(.forbidden, reason: "access denied")
    }

    /// The one way to a record the policy guards: finds it (404 when there is none), asks the policy for `action` on
    /// its resource (403, audited for personal data), and records a read when `auditsRead` (by default when `action`
    /// is a read). Every service's "get the record I may work on" goes through here.
    package func guarded<M>(
        _ action: Action, recordType: String, id: UUID?, auditsRead: Bool? = nil, find: (UUID) async throws -> M?,
        resource: (M) -> Resource, municipality: (M) -> Kommunenummer?
    ) async throws -> M {
        guard let id, let record = try await find(id) else { throw Abort(.notFound) }
        try await authorize(action, resource(record), recordType: recordType, recordID: id.uuidString)
        if auditsRead ?? (action == .read) {
            try await audit("read", recordType: recordType, recordID: id.uuidString, municipality: municipality(record))
        }
        return record
    }

    /// The municipalities (numbers) in which the policy allows `action` on the resource made for each.
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

    /// All municipalities by name, read once per context (pages ask for them many times: menu, filters, labels), and
    /// kept by the application between requests (`MunicipalityCache`): a national service has 356 of them, and every
    /// page would otherwise decode them all.
    package func allMunicipalities() async throws -> [Municipality] {
        if let cached = municipalityCache.withLockedValue({ $0 }) { return cached }
        let all = try await app.municipalityCache.all(on: db)
        municipalityCache.withLockedValue { $0 = all }
        return all
    }

    /// Municipality names by number, for labelling pages.
    package func municipalityNames() async throws -> [Kommunenummer: String] {
        Dictionary(uniqueKeysWithValues: try await allMunicipalities().map { ($0.id!, $0.name) })
    }

    // MARK: The audit log

    package func auditDraft(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        -> AuditDraft
    {
        AuditDraft(
            userID: user?.id.uuidString, municipality: municipality, action: action, recordType: recordType,
            recordID: recordID, route: route)
    }

    /// Appends one audit entry: inside the write when there is one (so it commits with the record), else through the
    /// group commit (`AuditBatcher`), before the data leaves the server.
    package func audit(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        async throws
    {
        try await append([auditDraft(action, recordType: recordType, recordID: recordID, municipality: municipality)])
    }

    /// A list read: one entry per municipality whose rows the list shows, appended together.
    package func auditList<Codes: Sequence>(_ recordType: String, municipalities: Codes) async throws
    where Codes.Element == Kommunenummer {
        try await append(
            Set(municipalities).sorted().map {
                auditDraft("list", recordType: recordType, recordID: nil, municipality: $0)
            })
    }

    /// A list read of records by id: one entry per municipality shown, each naming the ids it returned (in the order
    /// shown), so the log tells whose files a page listed.
    package func auditList(_ recordType: String, records: [(id: UUID, municipality: Kommunenummer)]) async throws {
        var ids: [Kommunenummer: [String]] = [:]
        for r in records { ids[r.municipality, default: []].append(r.id.uuidString) }
        try await append(
            ids.keys.sorted().map {
                auditDraft("list", recordType: recordType, recordID: ids[$0]!.joined(separator: " "), municipality: $0)
            })
    }

    /// Inside a write, appended to its transaction; otherwise a read's entries, by group commit.
    private func append(_ drafts: [AuditDraft]) async throws {
        guard !drafts.isEmpty else { return }
        if let open = unit.withLockedValue({ $0 }) {
            try await app.auditLog.append(drafts, on: open.tx)
            open.noteChanges(drafts)
        } else {
            try await app.auditBatcher.append(drafts, app: app)
        }
    }

    /// A refusal is kept whatever happens to the transaction: inside a write it is written after the write ends
    /// (committed or rolled back), otherwise at once.
    package func auditRefusal(_ action: String, recordType: String, recordID: String?, municipality: Kommunenummer?)
        async throws
    {
        let draft = auditDraft(action, recordType: recordType, recordID: recordID, municipality: municipality)
        if let unit = unit.withLockedValue({ $0 }) {
            unit.refusals.withLockedValue { $0.append(draft) }
        } else {
            try await app.audit([draft])
        }
    }

    // MARK: Writes

    /// Runs `body` in this context's write transaction, beginning one when there is none yet (one writer at a time,
    /// `Writes`). Refusals noted during the write are appended after it ends, committed or not.
    package func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let open = unit.withLockedValue({ $0 }) { return try await body(open.tx) }
        let app = app
        var refusals: [AuditDraft] = []
        do {
            let result = try await Writes.run(
                on: base, lock: app.writeLock, timeout: .seconds(app.settings.writeWaitSeconds)
            ) { tx in
                let open = WriteUnit(tx: tx)
                self.unit.withLockedValue { $0 = open }
                defer { self.unit.withLockedValue { $0 = nil } }
                do {
                    let value = try await body(tx)
                    try await open.refreshDeadlines(app)
                    refusals = open.refusals.withLockedValue { $0 }
                    return value
                } catch {
                    refusals = open.refusals.withLockedValue { $0 }
                    throw error
                }
            }
            if !refusals.isEmpty { try await app.audit(refusals) }
            return result
        } catch {
            if !refusals.isEmpty { try? await app.audit(refusals) }
            throw error
        }
    }
}

package struct ServiceContextKey: StorageKey { package typealias Value = ServiceContext }

extension Request {
    /// A record id from the path (`:personID`), parsed at the edge: a malformed one is 404 before any service runs.
    package func pathID(_ name: String) throws -> UUID {
        guard let id = parameters.get(name, as: UUID.self) else { throw Abort(.notFound) }
        return id
    }

    /// This request's service context, made on first use: the signed-in user and the route are read from the
    /// request when asked, so a context made before authentication still sees the user.
    package var context: ServiceContext {
        if let c = storage[ServiceContextKey.self] { return c }
        let c = ServiceContext(
            app: application, db: db, isReadOnly: method == .GET || method == .HEAD,
            user: { [weak self] in self?.currentUser },
            route: { [weak self] in self?.routeLabel ?? "(ended)" })
        storage[ServiceContextKey.self] = c
        return c
    }
}
