import Fluent
import Vapor

/// One audit entry before it is chained: who did what to which record, through which route. Never names.
package struct AuditDraft: Sendable {
    package var userID: String?
    package var municipality: Kommunenummer?
    package var action: String
    package var recordType: String
    package var recordID: String?
    package var route: String
    package var at: Date = Date()

    package init(
        userID: String? = nil, municipality: Kommunenummer? = nil, action: String, recordType: String,
        recordID: String? = nil,
        route: String, at: Date = Date()
    ) {
        self.userID = userID
        self.municipality = municipality
        self.action = action
        self.recordType = recordType
        self.recordID = recordID
        self.route = route
        self.at = at
    }
}

/// The append-only, keyed hash chain. Each entry's MAC is HMAC-SHA256 over its canonical form (which holds the
/// previous entry's MAC) with a key kept outside the database, so someone who can write to the database cannot
/// recompute the chain after altering, inserting or removing entries.
///
/// Appends happen only inside a write transaction (`Writes.run`): the record and its audit entries commit
/// together or not at all.
package struct AuditLog: Sendable {
    package let key: SymmetricKey

    private struct Head: Decodable {
        package let last_seq: Int
        package let last_hash: String
    }

    package func mac(_ canonical: String) -> String {
        Secrets.hex(HMAC<SHA256>.authenticationCode(for: Data(canonical.utf8), using: key))
    }

    /// Appends entries in order. `tx` must be the transaction of a `Writes.run`, which holds the chain head.
    package func append(_ drafts: [AuditDraft], on tx: any Database) async throws {
        guard !drafts.isEmpty else { return }
        let sql = tx as! any SQLDatabase
        guard
            let head = try await sql.select().columns("last_seq", "last_hash").from("audit_head")
                .where("id", .equal, 1).first(decoding: Head.self)
        else {
            throw Abort(.internalServerError, reason: "audit head missing")
        }
        var sequence = head.last_seq
        var previous = head.last_hash
        var rows: [AuditEntry] = []
        rows.reserveCapacity(drafts.count)
        for d in drafts {
            sequence += 1
            let record = AuditRecord(
                sequence: sequence, atMillis: Int64(d.at.timeIntervalSince1970 * 1000), userID: d.userID,
                municipality: d.municipality?.value, action: d.action, recordType: d.recordType, recordID: d.recordID,
                route: d.route, previousHash: previous)
            previous = mac(record.canonical)
            rows.append(AuditEntry(record, hash: previous))
        }
        // Bulk insert in chunks (an import audits thousands of records in its one transaction).
        for chunk in stride(from: 0, to: rows.count, by: 500) {
            try await rows[chunk..<min(chunk + 500, rows.count)].create(on: tx)
        }
        try await sql.update("audit_head").set("last_seq", to: sequence).set("last_hash", to: previous)
            .where("id", .equal, 1).run()
    }

    /// The newest entry's sequence and MAC: what an operator keeps outside the system (`innbygger audit anchor`).
    package static func anchor(on db: any Database) async throws -> (sequence: Int, mac: String)? {
        guard let last = try await AuditEntry.query(on: db).sort(\.$id, .descending).first(), let seq = last.id else {
            return nil
        }
        return (seq, last.hash)
    }

    /// Walks the chain in pages and returns the first break, plus how many entries held.
    package func verify(on db: any Database) async throws -> (checked: Int, problem: AuditChain.Break?) {
        var verifier = AuditChain.Verifier(hash: mac)
        var after = 0
        while true {
            let page = try await AuditEntry.query(on: db).filter(\.$id > after).sort(\.$id).limit(1000).all()
            guard let last = page.last?.id else { break }
            for entry in page {
                if let problem = verifier.check(entry.record, storedHash: entry.hash) {
                    return (verifier.checked, problem)
                }
            }
            after = last
        }
        // The head row records the last sequence written; fewer rows means the tail was cut off.
        let head =
            try await (db as! any SQLDatabase).select().column("last_seq").from("audit_head")
            .where("id", .equal, 1).first()?.decode(column: "last_seq", as: Int.self) ?? 0
        return (verifier.checked, head > verifier.checked ? .truncated(expectedLast: head) : nil)
    }

    package init(key: SymmetricKey) {
        self.key = key
    }
}

/// Where the chain's key comes from: `INNBYGGER_AUDIT_KEY` (at least 32 bytes, hex or base64), else the file
/// `Settings.keyFile` (`INNBYGGER_AUDIT_KEY_FILE`, default beside the data directory, not in it), created with
/// mode 0600 on first start. A key left in the data directory by an earlier version is still read, with a warning
/// to move it. Tests on an in-memory database get a fresh random key.
package enum AuditKey {
    package static let fileName = "audit.key"

    package static func load(_ settings: Settings) throws -> SymmetricKey {
        if let text = settings.auditKey {
            guard let bytes = decode(text), bytes.count >= 32 else {
                throw ConfigurationError("INNBYGGER_AUDIT_KEY must be at least 32 bytes, as hex or base64")
            }
            return SymmetricKey(data: bytes)
        }
        if settings.inMemory { return SymmetricKey(size: .bits256) }
        let fm = FileManager.default
        let legacy = settings.dataDirectory + "/" + fileName
        var path = settings.keyFile
        if !fm.fileExists(atPath: path) && settings.auditKeyFile == nil && fm.fileExists(atPath: legacy) {
            // Kept where earlier versions put it; whoever copies the data directory gets it too.
            Logger(label: "innbygger.audit").warning(
                "the audit key is in the data directory (\(legacy)); move it to \(path) or set INNBYGGER_AUDIT_KEY_FILE"
            )
            path = legacy
        }
        if let data = fm.contents(atPath: path) {
            guard let text = String(data: data, encoding: .utf8), let bytes = decode(text), bytes.count >= 32 else {
                throw ConfigurationError("\(path) does not hold an audit key (64 hex digits)")
            }
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { Secrets.hex($0) }
        // The key's own directory may not exist yet (on PostgreSQL, not even the data directory).
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && !fm.fileExists(atPath: parent) {
            try? fm.createDirectory(
                atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard fm.createFile(atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ConfigurationError("cannot write the audit key to \(path)")
        }
        return key
    }

    package static func decode(_ raw: String) -> [UInt8]? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) {
            var bytes: [UInt8] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                guard let b = UInt8(text[index..<next], radix: 16) else { return nil }
                bytes.append(b)
                index = next
            }
            return bytes
        }
        return Data(base64Encoded: text).map { [UInt8]($0) }
    }
}

/// Serialises write transactions inside one process (SQLite has one writer; on PostgreSQL the head row lock
/// does the same across processes, and waiting here keeps waiting writers from holding pooled connections).
package actor SerialLock {
    private var busy = false
    private var waiters: [(id: UInt64, resume: CheckedContinuation<Bool, Never>)] = []
    private var nextID: UInt64 = 0

    /// Runs `body` holding the lock. Throws `DatabaseSaturated` when the lock is not had within `timeout`.
    package func run<T: Sendable>(timeout: Duration? = nil, _ body: @Sendable () async throws -> T) async throws -> T {
        guard await acquire(timeout: timeout) else { throw DatabaseSaturated() }
        defer { release() }
        return try await body()
    }

    package func acquire() async {
        _ = await acquire(timeout: nil)
    }

    /// True when the lock was had; false when `timeout` passed first.
    package func acquire(timeout: Duration?) async -> Bool {
        if !busy {
            busy = true
            return true
        }
        nextID += 1
        let id = nextID
        if let timeout {
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
        return await withCheckedContinuation { waiters.append((id, $0)) }
    }

    private func expire(_ id: UInt64) {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: i).resume.resume(returning: false)
    }

    package func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume.resume(returning: true)
        }
    }
}

/// The database could not take the write in time: answered 503 with `Retry-After`, nothing stored.
package struct DatabaseSaturated: Error {}

/// Every audited write goes through `run`: one transaction that first takes the audit chain's head (SQLite: the
/// write lock, as `BEGIN IMMEDIATE` would; PostgreSQL: the head row, `FOR UPDATE`), then runs the body, whose
/// records and audit entries commit together or not at all.
package enum Writes {
    /// - Parameter timeout: how long the write waits for its turn before it is answered 503
    ///   (`Settings.writeWaitSeconds`).
    package static func run<T: Sendable>(
        on db: any Database, lock: SerialLock, timeout: Duration,
        _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        try await lock.run(timeout: timeout) {
            try await db.transaction { tx in
                let sql = tx as! any SQLDatabase
                if sql.dialect.name == "sqlite" {
                    // Wait (up to 5 s) rather than fail when another process holds the lock, then take the write
                    // lock before anything is read, so the transaction never has to upgrade a read lock.
                    try await sql.raw("PRAGMA busy_timeout = 5000").run()
                    try await sql.raw("UPDATE audit_head SET last_seq = last_seq WHERE id = 1").run()
                } else {
                    try await sql.raw("SELECT last_seq FROM audit_head WHERE id = 1 FOR UPDATE").run()
                }
                return try await body(tx)
            }
        }
    }
}

/// Group commit for the audit entries of reads (issue #12): a read must be audited before its response leaves, but
/// reads must not each wait for a write transaction of their own. Entries wait here while the one writer commits the
/// batch before them; then all that arrived meanwhile are appended in one transaction, in arrival order, and each
/// waiting read continues once its entry is durable. The hash chain stays exact: appends still go through `Writes`,
/// one at a time, interleaved with the writes of records.
package actor AuditBatcher {
    private var pending: [(drafts: [AuditDraft], done: CheckedContinuation<Void, any Error>)] = []
    private var draining = false
    /// Transactions committed and entries they held, for the bench and `/metrics`.
    package private(set) var batches = 0
    package private(set) var entries = 0

    package init() {}

    /// Returns once `drafts` are committed to the chain; throws (nothing stored) when the batch failed.
    package func append(_ drafts: [AuditDraft], app: Application) async throws {
        guard !drafts.isEmpty else { return }
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            pending.append((drafts, done))
            if !draining {
                draining = true
                Task { await self.drain(app) }
            }
        }
    }

    private func drain(_ app: Application) async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let drafts = batch.flatMap(\.drafts)
            let log = app.auditLog
            do {
                try await app.write { tx in try await log.append(drafts, on: tx) }
                batches += 1
                entries += drafts.count
                for waiter in batch { waiter.done.resume() }
            } catch {
                for waiter in batch { waiter.done.resume(throwing: error) }
            }
        }
        draining = false
    }
}

package struct AuditBatcherKey: StorageKey { package typealias Value = AuditBatcher }

package struct WriteLockKey: StorageKey { package typealias Value = SerialLock }
package struct AuditLogKey: StorageKey { package typealias Value = AuditLog }

extension Application {
    package var writeLock: SerialLock {
        if let l = storage[WriteLockKey.self] { return l }
        let l = SerialLock()
        storage[WriteLockKey.self] = l
        return l
    }

    /// The group commit of read audits (`AuditBatcher`); set once in `configure`.
    package var auditBatcher: AuditBatcher {
        get {
            guard let b = storage[AuditBatcherKey.self] else { fatalError("configure() sets the audit batcher") }
            return b
        }
        set { storage[AuditBatcherKey.self] = newValue }
    }

    package var auditLog: AuditLog {
        get {
            guard let log = storage[AuditLogKey.self] else { fatalError("configure() sets the audit key") }
            return log
        }
        set { storage[AuditLogKey.self] = newValue }
    }

    /// A write outside a request (commands, background jobs), with its audit entries.
    package func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await Writes.run(on: db, lock: writeLock, timeout: .seconds(settings.writeWaitSeconds), body)
    }

    /// Appends entries in a write of their own (logins, commands).
    package func audit(_ drafts: [AuditDraft]) async throws {
        let log = auditLog
        try await write { tx in try await log.append(drafts, on: tx) }
    }
}
