import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Programme

/// Services take a context, not a request: a command or a background job makes one and gets the same policy,
/// audit and write rules as a page.
@Suite("Service context")
struct ServiceContextTests {
    static func context(_ app: Application, _ username: String, route: String) async throws -> ServiceContext {
        let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
        return ServiceContext(app: app, user: try await .load(user, on: app.db), route: route)
    }

    @Test("A command's context reads a file through the policy and audits the read with its own route")
    func commandReads() async throws {
        try await withDemoApp { app in
            let p = try #require(try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").first())
            let ctx = try await Self.context(app, "saksbehandler.elverum", route: "command report")
            let found = try await PersonService.find(ctx, p.id)
            #expect(found.id == p.id)
            let entry = try #require(try await AuditEntry.query(on: app.db).sort(\.$id, .descending).first())
            #expect(entry.action == "read" && entry.recordID == p.id!.uuidString)
            #expect(entry.route == "command report" && entry.userID == ctx.user?.id.uuidString)
        }
    }

    @Test("A context without the right is refused, and the refusal is audited")
    func commandRefused() async throws {
        try await withDemoApp { app in
            // Tynset's case worker has no grant in Elverum.
            let p = try #require(try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").first())
            let ctx = try await Self.context(app, "saksbehandler.tynset", route: "job reminders")
            await #expect(throws: Abort.self) { try await PersonService.find(ctx, p.id) }
            let entry = try #require(try await AuditEntry.query(on: app.db).sort(\.$id, .descending).first())
            #expect(entry.action == "denied_read" && entry.route == "job reminders")
        }
    }

    @Test("A context's write stores the record and its audit entry together, or neither")
    func commandWrites() async throws {
        try await withDemoApp { app in
            let ctx = try await Self.context(app, "veileder.elverum", route: "command import")
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).filter(\.$endDate == nil).first())
            let reviews = try await PlanReview.query(on: app.db).count()
            let audits = try await AuditEntry.query(on: app.db).count()
            _ = try await ctx.write { _ in
                try await ProgrammeService.addReview(
                    ctx, part.$person.id, ReviewInput(date: testDay.iso, note: "Gjennomgang fra kommando"))
            }
            #expect(try await PlanReview.query(on: app.db).count() == reviews + 1)
            #expect(try await AuditEntry.query(on: app.db).count() == audits + 1)
            // A refused input stores nothing, not even an audit entry.
            await #expect(throws: ValidationFailure.self) {
                _ = try await ctx.write { _ in
                    try await ProgrammeService.addReview(ctx, part.$person.id, ReviewInput(date: testDay.iso, note: ""))
                }
            }
            #expect(try await PlanReview.query(on: app.db).count() == reviews + 1)
            #expect(try await AuditEntry.query(on: app.db).count() == audits + 1)
        }
    }
}
