import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Persons
@testable import Programme
@testable import Settlement

/// Irreversible actions ask first, naming what will be lost, and work without JavaScript (a page with a form).
@Suite("Confirmations before irreversible actions", .serialized)
struct ConfirmationTests {
    @Test("Deleting a person file: the step names the person and what goes with the file, and deletes nothing")
    func deletePerson() async throws {
        try await withDemoApp { app in
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).with(\.$person).first())
            let p = part.person
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let page = try await b.send(.GET, "/persons/\(p.id!)")
            #expect(page.body.string.contains("href=\"/persons/\(p.id!)/delete\""))
            #expect(!page.body.string.contains("action=\"/persons/\(p.id!)/delete\""))
            let step = try await b.send(.GET, "/persons/\(p.id!)/delete")
            #expect(step.status == .ok)
            let html = step.body.string
            #expect(html.contains(p.fullName) && html.contains(p.birthDate.norwegian))
            #expect(html.contains("Introduksjonsprogrammet med"))
            #expect(html.contains("action=\"/persons/\(p.id!)/delete\""))
            #expect(try await Person.find(p.id, on: app.db) != nil)
            let done = try await b.send(.POST, "/persons/\(p.id!)/delete", form: ["_csrf": try await b.csrf()])
            #expect(done.status == .seeOther)
            #expect(try await Person.find(p.id, on: app.db) == nil)
            // A programme advisor may not delete: no step either.
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            let other = try await person(in: "3420", app)
            #expect(try await advisor.send(.GET, "/persons/\(other.id!)/delete").status == .forbidden)
        }
    }

    @Test("Revoking a share names the sector that loses access, and revokes nothing until confirmed")
    func revokeShare() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app, sharedWith: .health)
            let share = try #require(p.shares.first { $0.sector == .health && $0.revokedAt == nil })
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let step = try await b.send(.GET, "/persons/\(p.id!)/shares/\(share.id!)/revoke")
            #expect(step.status == .ok)
            #expect(step.body.string.contains("Helse") && step.body.string.contains(p.fullName))
            #expect(try await PersonShare.find(share.id, on: app.db)?.revokedAt == nil)
            let done = try await b.send(
                .POST, "/persons/\(p.id!)/shares/\(share.id!)/revoke", form: ["_csrf": try await b.csrf()])
            #expect(done.status == .seeOther)
            #expect(try await PersonShare.find(share.id, on: app.db)?.revokedAt != nil)
            #expect(try await b.send(.GET, "/persons/\(p.id!)/shares/\(share.id!)/revoke").status == .notFound)
        }
    }

    @Test("Removing a measure and ending a programme each ask first; the programme ends only when confirmed")
    func programme() async throws {
        try await withDemoApp { app in
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).filter(\.$endDate == nil).with(\.$measures).with(\.$person).all()
                    .first { !$0.measures.isEmpty })
            let id = part.person.id!
            let measure = part.measures[0]
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let step = try await b.send(.GET, "/persons/\(id)/programme/measures/\(measure.id!)/delete")
            #expect(step.status == .ok)
            #expect(step.body.string.contains(measure.from.norwegian))
            #expect(try await ProgrammeMeasure.find(measure.id, on: app.db) != nil)
            let csrf = try await b.csrf()
            let ask = try await b.send(
                .POST, "/persons/\(id)/programme/ending",
                form: ["_csrf": csrf, "endDate": LocalDate.today.iso, "endReason": "completed_work"])
            #expect(ask.status == .ok)
            #expect(ask.body.string.contains(part.person.fullName) && ask.body.string.contains("name=\"confirmed\""))
            #expect(try await PersonProgramme.find(part.id, on: app.db)?.endDate == nil)
            let done = try await b.send(
                .POST, "/persons/\(id)/programme/ending",
                form: [
                    "_csrf": csrf, "endDate": LocalDate.today.iso, "endReason": "completed_work", "confirmed": "yes",
                ])
            #expect(done.status == .seeOther)
            #expect(try await PersonProgramme.find(part.id, on: app.db)?.endDate == .today)
        }
    }

    @Test("Deleting a proposal from IMDi names it and its members first")
    func deleteProposal() async throws {
        try await withDemoApp { app in
            let proposal = try #require(
                try await IncomingHousehold.query(on: app.db).filter(\.$municipality.$id == "3420").with(\.$members)
                    .first())
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let step = try await b.send(.GET, "/settlement/incoming/\(proposal.id!)/delete")
            #expect(step.status == .ok)
            #expect(step.body.string.contains(proposal.imdiReference))
            #expect(step.body.string.contains("\(proposal.members.count) medlemmer"))
            #expect(try await IncomingHousehold.find(proposal.id, on: app.db) != nil)
            let done = try await b.send(
                .POST, "/settlement/incoming/\(proposal.id!)/delete", form: ["_csrf": try await b.csrf()])
            #expect(done.status == .seeOther)
            #expect(try await IncomingHousehold.find(proposal.id, on: app.db) == nil)
        }
    }
}
