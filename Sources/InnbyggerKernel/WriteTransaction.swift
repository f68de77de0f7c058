import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The write a request is inside: its transaction, the refusals to keep whatever becomes of it, and the files it
/// changed (whose deadlines are recomputed before it commits).
package final class WriteUnit: Sendable {
    package let tx: any Database
    package let refusals = NIOLockedValueBox<[AuditDraft]>([])
    package let changed = NIOLockedValueBox<(persons: Set<UUID>, households: Set<UUID>)>(([], []))
    package init(tx: any Database) { self.tx = tx }

    /// Notes the files an audit entry names as changed: a person's file, its programme and its Norwegian training are
    /// keyed by the person, a household (its checklist, its members) by the household. Reads change nothing.
    package func noteChanges(_ drafts: [AuditDraft]) {
        for d in drafts where d.action != "read" && d.action != "list" {
            guard let id = d.recordID.flatMap(UUID.init(uuidString:)) else { continue }
            switch d.recordType {
            case "person", "programme", "norwegian": changed.withLockedValue { _ = $0.persons.insert(id) }
            case "household": changed.withLockedValue { _ = $0.households.insert(id) }
            default: break
            }
        }
    }

    /// Recomputes the deadlines of the files changed so far, inside the transaction.
    package func refreshDeadlines(_ app: Application) async throws {
        let (persons, households) = changed.withLockedValue { $0 }
        let all = persons.union(try await DeadlineIndex.members(of: households, on: tx))
        try await DeadlineIndex.refresh(all, app: app, on: tx)
    }
}

extension Request {
    /// The database this request reads and writes: inside a write, its transaction (so that everything the handler
    /// does commits with its audit entries), otherwise the pool. Handlers use this, never Fluent's `db`.
    package var store: any Database { context.db }

    /// Runs `body` in this request's write transaction, beginning one when there is none yet (see
    /// `ServiceContext.write`).
    package func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await context.write(body)
    }
}

extension Route {
    /// Marks a route whose handler opens its own writes (login hashes passwords outside the write lock; imports
    /// commit their job before storing rows in the background).
    @discardableResult
    package func ownWrites() -> Route {
        userInfo["ownWrites"] = true
        return self
    }

    package var hasOwnWrites: Bool { userInfo["ownWrites"] as? Bool == true }
}

/// Every state-changing request (POST, PUT, PATCH, DELETE) runs in one write transaction: what the handler stores
/// and the audit entries it appends commit together, or — on any error — nothing is stored.
package struct WriteTransaction: AsyncMiddleware {
    package init() {}

    package func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(req.method), let route = req.route, !route.hasOwnWrites else {
            return try await next.respond(to: req)
        }
        return try await req.write { _ in try await next.respond(to: req) }
    }
}

/// Indexes for the filters, joins and sorts of a feature's tables, on SQLite and PostgreSQL alike (issue #12: no
/// list or lookup scans a whole table). Each feature lists its own; `name` keeps the migration apart from others.
package struct IndexMigration: AsyncMigration {
    package let name: String
    /// (index name, table, columns in order)
    package let indexes: [(String, String, [String])]

    package init(name: String, _ indexes: [(String, String, [String])]) {
        self.name = name
        self.indexes = indexes
    }

    package func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for (index, table, columns) in indexes {
            var builder = sql.create(index: index).on(table)
            for c in columns { builder = builder.column(c) }
            try await builder.run()
        }
    }

    package func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for (index, _, _) in indexes.reversed() { try await sql.drop(index: index).run() }
    }
}
