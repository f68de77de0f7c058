import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerKernel

@Suite("Reads audited by group commit", .serialized)
struct AuditGroupCommitTests {
    @Test("Concurrent reads each get their entry, in fewer transactions than reads, and the chain holds")
    func concurrentReads() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let ids = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").limit(40).all()
                .compactMap(\.id)
            #expect(ids.count >= 20)
            let readsBefore = try await AuditEntry.query(on: app.db).filter(\.$action == "read").count()
            let batchesBefore = await app.auditBatcher.batches
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for id in ids {
                    group.addTask { try await api(app, .GET, "/api/v1/persons/\(id)", token: t).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok })
            // Every read is in the log before its response left.
            let reads = try await AuditEntry.query(on: app.db).filter(\.$action == "read").count() - readsBefore
            #expect(reads == ids.count)
            let batches = await app.auditBatcher.batches - batchesBefore
            #expect(batches >= 1 && batches < ids.count, "\(batches) transactions for \(ids.count) reads")
            let (_, problem) = try await app.auditLog.verify(on: app.db)
            #expect(problem == nil)
        }
    }

    @Test("A list read names the ids of the files it listed, and the audit page finds them")
    func listNamesIDs() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let res = try await api(app, .GET, "/api/v1/persons?municipality=3420&limit=5", token: t)
            #expect(res.status == .ok)
            struct Page: Decodable {
                struct Item: Decodable { var id: UUID }
                var items: [Item]
            }
            let listed = try JSONDecoder().decode(Page.self, from: res.body).items.map(\.id.uuidString)
            let entry = try #require(
                try await AuditEntry.query(on: app.db).filter(\.$action == "list").filter(\.$recordType == "person")
                    .sort(\.$id, .descending).first())
            #expect(entry.recordID == listed.joined(separator: " "))
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            let page = try await admin.send(.GET, "/admin/audit?record=\(listed[2])").body.string
            // The list entry is found by one id it names, and shows the others.
            #expect(page.contains(listed[0]))
        }
    }
}
