import Fluent
import Foundation
import Vapor

#if canImport(Glibc)
    import Glibc
    private let posixWrite = Glibc.write
#else
    import Darwin
    private let posixWrite = Darwin.write
#endif

/// The audit chain's anchors, written by the server itself (issue #30): the chain's head — its newest sequence and
/// that entry's keyed MAC — appended with the time to `Settings.auditAnchorFile` at start, once a day and at
/// shutdown, and logged at notice level (no personal data: a number and a MAC). `audit verify` checks that the chain
/// still holds every anchor unchanged, so a cut tail or a wiped log fails without an anchor kept by hand. The file
/// sits beside the data directory; `docs/architecture.md` says to ship it, or the log, off the machine, since whoever
/// can write both the database and this file can cut them together.
package enum AuditAnchors {
    package struct Anchor: Equatable, Sendable {
        package var sequence: Int
        package var mac: String
    }

    /// Appends the head of the chain to the anchor file (nothing when the log is empty or anchoring is off).
    package static func write(_ app: Application, reason: String) async throws {
        guard let path = app.settings.auditAnchorFile,
            let head = try await AuditLog.anchor(on: app.db)
        else { return }
        let line = "\(ISO8601DateFormatter().string(from: Date())) \(head.sequence):\(head.mac) \(reason)\n"
        // One append of one line (O_APPEND), made 0600 when new.
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot open the audit anchor file \(path)") }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw ConfigurationError("cannot write the audit anchor file \(path)") }
        app.logger.notice("audit anchor \(head.sequence):\(head.mac) (\(reason))")
    }

    /// The anchors in the file, oldest first; lines that are not anchors are skipped. Nil when there is no file.
    package static func read(_ path: String) -> [Anchor]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { return nil }
            let parts = fields[1].split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let seq = Int(parts[0]), seq > 0, parts[1].count == 64 else { return nil }
            return Anchor(sequence: seq, mac: parts[1].lowercased())
        }
    }

    /// The first anchor the chain no longer holds: its entry is gone (cut or wiped) or has another MAC (rewritten).
    package static func firstBroken(_ anchors: [Anchor], on db: any Database) async throws -> Anchor? {
        for a in anchors {
            guard let entry = try await AuditEntry.find(a.sequence, on: db), entry.hash == a.mac else { return a }
        }
        return nil
    }
}

/// Writes an anchor when the server starts and stops, and every day between; only `serve` does (a command such as
/// `audit verify` must not anchor the chain it is about to check).
package struct AuditAnchoring: LifecycleHandler {
    package init() {}

    private static func serving(_ app: Application) -> Bool {
        // As the entry point reads it: no command, a flag, or `serve`.
        guard let command = app.environment.arguments.dropFirst().first else { return true }
        return command == "serve" || command.hasPrefix("-")
    }

    package func didBootAsync(_ app: Application) async throws {
        guard app.settings.auditAnchorFile != nil, Self.serving(app) else { return }
        try await AuditAnchors.write(app, reason: "start")
        app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .hours(24), delay: .hours(24)) { _ in
            let promise = app.eventLoopGroup.next().makePromise(of: Void.self)
            promise.completeWithTask { try await AuditAnchors.write(app, reason: "daily") }
            return promise.futureResult
        }
    }

    package func shutdownAsync(_ app: Application) async {
        guard app.settings.auditAnchorFile != nil, Self.serving(app) else { return }
        do { try await AuditAnchors.write(app, reason: "stop") } catch {
            app.logger.error("could not write the audit anchor at shutdown: \(String(describing: error))")
        }
    }
}
