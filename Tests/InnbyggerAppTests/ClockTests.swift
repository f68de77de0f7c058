import Testing
import VaporTesting

@testable import Account
@testable import Admin
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Journal
@testable import Norwegian
@testable import Overview
@testable import Persons
@testable import Programme
@testable import Rules
@testable import Settlement
@testable import Worklist

/// The service's day is injectable: the app tests run on `testDay`, which pages, rules and the demo all see.
@Suite("The service's clock", .serialized)
struct ClockTests {
    @Test("A test app runs on the fixed day, in its handlers too")
    func fixedDay() async throws {
        try await withDemoApp { app in
            #expect(LocalDate.today == testDay)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let p = try await person(in: "3420", app)
            let page = try await b.send(.GET, "/persons/\(p.id!)").body.string
            // The journal's form offers the service's day as the new note's date …
            #expect(page.contains(#"id="journal-date" name="date" type="date" required value="\#(testDay.iso)""#))
            // … and a note dated the day after is in the future for the handler as well.
            let note = [
                "_csrf": try await b.csrf(), "date": testDay.adding(days: 1).iso, "category": "general", "text": "x",
            ]
            #expect(try await b.send(.POST, "/persons/\(p.id!)/journal", form: note).status == .badRequest)
        }
    }

    @Test("INNBYGGER_TODAY fixes the day of a served instance; a malformed value is refused at start")
    func fromEnvironment() throws {
        #expect(try Settings.parseDay("2026-03-02") == LocalDate(iso: "2026-03-02"))
        #expect(try Settings.parseDay(nil) == nil)
        #expect(throws: ConfigurationError.self) { try Settings.parseDay("02.13.2026") }
    }
}
