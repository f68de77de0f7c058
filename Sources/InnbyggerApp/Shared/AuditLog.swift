import Fluent
import Vapor

/// Writes the append-only, hash-chained audit log. Every read and write of personal data goes
/// through `Request.audit`, before the data leaves the server (fail closed: no log, no data).
struct AuditLog {
    let db: any Database
    let lock: SerialLock

    private struct Head: Decodable { let last_seq: Int; let last_hash: String }

    func append(userID: String?, municipality: String?, action: String, recordType: String,
                recordID: String?, route: String) async throws {
        try await lock.run {
            try await db.transaction { tx in
                let sql = tx as! any SQLDatabase
                guard let head = try await sql.select().columns("last_seq", "last_hash").from("audit_head")
                    .where("id", .equal, 1).for(.update).first(decoding: Head.self) else {
                    throw Abort(.internalServerError, reason: "audit head missing")
                }
                let record = AuditRecord(
                    sequence: head.last_seq + 1, atMillis: Int64(Date().timeIntervalSince1970 * 1000),
                    userID: userID, municipality: municipality, action: action, recordType: recordType,
                    recordID: recordID, route: route, previousHash: head.last_hash)
                let hash = Secrets.sha256Hex(record.canonical)
                try await AuditEntry(record, hash: hash).create(on: tx)
                try await sql.update("audit_head").set("last_seq", to: record.sequence).set("last_hash", to: hash)
                    .where("id", .equal, 1).run()
            }
        }
    }

    /// Walks the chain in pages and returns the first break, plus how many entries held.
    static func verify(on db: any Database) async throws -> (checked: Int, problem: AuditChain.Break?) {
        var verifier = AuditChain.Verifier(hash: Secrets.sha256Hex)
        var after = 0
        while true {
            let page = try await AuditEntry.query(on: db).filter(\.$id > after).sort(\.$id).limit(1000).all()
            guard let last = page.last?.id else { break }
            for entry in page {
                if let problem = verifier.check(entry.record, storedHash: entry.hash) { return (verifier.checked, problem) }
            }
            after = last
        }
        // The head row records the last sequence written; fewer rows means the tail was cut off.
        let head = try await (db as! any SQLDatabase).select().column("last_seq").from("audit_head")
            .where("id", .equal, 1).first()?.decode(column: "last_seq", as: Int.self) ?? 0
        return (verifier.checked, head > verifier.checked ? .truncated(expectedLast: head) : nil)
    }
}

/// Serialises audit appends inside one process (SQLite has one writer; on PostgreSQL the head
/// row lock does the same across processes).
actor SerialLock {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

struct AuditLockKey: StorageKey { typealias Value = SerialLock }

extension Application {
    var auditLock: SerialLock {
        if let l = storage[AuditLockKey.self] { return l }
        let l = SerialLock(); storage[AuditLockKey.self] = l; return l
    }
}
