import Fluent
import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Programme

/// The key pages as HTML, on the suite's fixed day, against files in `Snapshots/`: a change to a page's markup,
/// texts, numbers or order shows up as a diff to review. Record anew after an intended change with
/// `INNBYGGER_RECORD_SNAPSHOTS=1 swift test --filter Snapshot`; a missing file fails (it is never recorded silently).
@Suite("Page snapshots", .serialized)
struct SnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Snapshots")
    static let recording = ProcessInfo.processInfo.environment["INNBYGGER_RECORD_SNAPSHOTS"] == "1"

    /// What differs between two runs of the same page and is not the page's content: record ids, the pager's cursors
    /// (which hold ids) and the session's CSRF token.
    static func normalized(_ html: String) -> String {
        var s = html
        let uuid = try! Regex("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
        s = s.replacing(uuid, with: "<id>")
        let csrf = try! Regex(#"name="_csrf" value="[^"]*""#)
        s = s.replacing(csrf, with: #"name="_csrf" value="<csrf>""#)
        let cursor = try! Regex(#"(after|before)=[A-Za-z0-9_-]+"#)
        s = s.replacing(cursor) { "\($0.output[1].substring ?? "")=<cursor>" }
        return s
    }

    /// How `html` differs from the stored snapshot `name`, or nil when it is the same (recording it when asked).
    static func difference(_ name: String, _ html: String) throws -> String? {
        let file = directory.appendingPathComponent("\(name).html")
        let page = normalized(html)
        if recording {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try page.write(to: file, atomically: true, encoding: .utf8)
            return nil
        }
        guard let stored = try? String(contentsOf: file, encoding: .utf8) else {
            return "no snapshot \(file.lastPathComponent): record it with INNBYGGER_RECORD_SNAPSHOTS=1"
        }
        guard stored != page else { return nil }
        let a = stored.components(separatedBy: "\n")
        let b = page.components(separatedBy: "\n")
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        return """
            \(name) differs from its snapshot at line \(line + 1):
            stored: \(line < a.count ? a[line] : "(end)")
            now:    \(line < b.count ? b[line] : "(end)")
            """
    }

    static func check(_ name: String, _ html: String) throws {
        if let problem = try difference(name, html) { Issue.record("\(problem)") }
    }

    /// The case worker's key pages (name, path, status, HTML).
    static func caseWorkerPages(_ app: Application) async throws -> [(String, String, HTTPStatus, String)] {
        let b = Browser(app)
        try await b.login("saksbehandler.elverum")
        // The same person every run: the first in Elverum by name.
        let p = try #require(
            try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").filter(\.$household.$id != nil)
                .sort(\.$familyName).sort(\.$givenName).first())
        var out: [(String, String, HTTPStatus, String)] = []
        for (name, path) in [
            ("start", "/"), ("worklist", "/worklist"), ("persons", "/persons"), ("person", "/persons/\(p.id!)"),
            ("household", "/households/\(p.$household.id!)"),
        ] {
            let res = try await b.send(.GET, path)
            out.append((name, path, res.status, res.body.string))
        }
        return out
    }

    /// The programme advisor's key pages (name, path, status, HTML).
    static func advisorPages(_ app: Application) async throws -> [(String, String, HTTPStatus, String)] {
        let b = Browser(app)
        try await b.login("veileder.elverum")
        let part = try #require(
            try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                .filter(\.$startDate != nil).filter(\.$endDate == nil).join(
                    Person.self, on: \PersonProgramme.$person.$id == \Person.$id
                )
                .sort(Person.self, \.$familyName).sort(Person.self, \.$givenName).first())
        let id = part.$person.id
        var out: [(String, String, HTTPStatus, String)] = []
        for (name, path) in [
            ("programme", "/persons/\(id)/programme"), ("norwegian", "/persons/\(id)/norwegian"),
            ("caseload", "/programme"), ("payouts", "/programme/payouts?month=2026-11"),
        ] {
            let res = try await b.send(.GET, path)
            out.append((name, path, res.status, res.body.string))
        }
        return out
    }

    @Test("The case worker's start page, worklist, person list, person page and household page")
    func caseWorkerPages() async throws {
        try await withDemoApp { app in
            for (name, path, status, html) in try await Self.caseWorkerPages(app) {
                #expect(status == .ok, "\(path)")
                try Self.check(name, html)
            }
        }
    }

    @Test("The programme advisor's programme page, Norwegian page, caseload and payouts")
    func advisorPages() async throws {
        try await withDemoApp { app in
            for (name, path, status, html) in try await Self.advisorPages(app) {
                #expect(status == .ok, "\(path)")
                try Self.check(name, html)
            }
        }
    }
}
