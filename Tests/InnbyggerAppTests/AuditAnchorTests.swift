import Fluent
import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerKernel

/// Issue #30: the audit log must survive a file thief — the key lives outside the data directory, and the server's
/// own anchors reveal a cut tail or a wiped log without an anchor kept by hand.
@Suite("Audit anchors and the key's place")
struct AuditAnchorTests {
    @Test("The server's anchors are held by an intact chain and broken by a cut tail or a wipe")
    func anchors() async throws {
        try await withDemoApp { app in
            let path = NSTemporaryDirectory() + "innbygger-anchors-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: path) }
            var settings = app.settings
            settings.auditAnchorFile = path
            app.settings = settings
            // A login is audited in its own write, so each anchor below has a newer head than the one before.
            try await Browser(app).login("saksbehandler.elverum")
            try await AuditAnchors.write(app, reason: "start")
            try await Browser(app).login("veileder.elverum")
            try await AuditAnchors.write(app, reason: "daily")
            let anchors = try #require(AuditAnchors.read(path))
            try #require(anchors.count == 2)
            #expect(anchors[0].sequence < anchors[1].sequence)
            #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix(" daily\n"))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(try await AuditAnchors.firstBroken(anchors, on: app.db) == nil)
            // Cut the tail from the newest anchor on: the chain that is left verifies, the anchor does not.
            try await dropAuditProtection(app)
            try await AuditEntry.query(on: app.db).filter(\.$id >= anchors[1].sequence).delete()
            #expect(try await AuditAnchors.firstBroken(anchors, on: app.db) == anchors[1])
            // Wipe it all.
            try await AuditEntry.query(on: app.db).delete()
            #expect(try await AuditAnchors.firstBroken(anchors, on: app.db) == anchors[0])
        }
    }

    @Test("The key is made beside the data directory, not in it; an old key in it is still read")
    func keyFile() throws {
        let root = NSTemporaryDirectory() + "innbygger-key-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = root + "/data"
        let settings = Settings(databaseURL: nil, dataDirectory: data + "/")
        let key = try AuditKey.load(settings)
        #expect(FileManager.default.fileExists(atPath: data + ".audit.key"))
        #expect(!FileManager.default.fileExists(atPath: data + "/audit.key"))
        let mode = try FileManager.default.attributesOfItem(atPath: data + ".audit.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try AuditKey.load(settings) == key)
        // An installation from before: the key in the data directory is used, not replaced.
        let old = root + "/old"
        try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true)
        let hex = String(repeating: "ab", count: 32)
        FileManager.default.createFile(atPath: old + "/audit.key", contents: Data(hex.utf8))
        #expect(
            try AuditKey.load(Settings(databaseURL: nil, dataDirectory: old))
                == SymmetricKey(data: [UInt8](repeating: 0xab, count: 32)))
        #expect(!FileManager.default.fileExists(atPath: old + ".audit.key"))
    }
}
