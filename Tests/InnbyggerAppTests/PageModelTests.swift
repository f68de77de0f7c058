import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Norwegian

/// A page's view model loaded through a service context, without HTTP: what the page will show, in which language,
/// and what the user may do on it.
@Suite("Page models")
struct PageModelTests {
    @Test("The Norwegian page: every skill, the months newest first, texts in the page's language, the right to record")
    func norwegianPage() async throws {
        try await withDemoApp { app in
            let elverum = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").all().map { $0.id! }
            let training = try #require(
                try await NorwegianTraining.query(on: app.db).filter(\.$person.$id ~~ elverum).first())
            let id = training.$person.id
            let staff = try await ServiceContextTests.context(app, "saksbehandler.elverum", route: "test")
            let nb = try await NorwegianPage.load(staff, person: id, lang: "nb")
            #expect(nb.skills.map(\.skillKey) == NorwegianSkill.allCases.map(\.labelKey))
            #expect(!nb.months.isEmpty)
            #expect(nb.months.map(\.month) == nb.months.map(\.month).sorted(by: >))
            #expect(nb.canRecord)
            #expect(nb.today == testDay.iso)
            let en = try await NorwegianPage.load(staff, person: id, lang: "en")
            let test = try #require(nb.tests.first { $0.label.contains("–") })
            #expect(test.label.hasPrefix("Norsk"))
            #expect(en.tests.first { $0.date == test.date }?.label.hasPrefix("Norwegian") == true)
            // A partner whose task is not Norwegian training is refused the page.
            let school = try await ServiceContextTests.context(app, "skole.elverum", route: "test")
            await #expect(throws: Abort.self) { _ = try await NorwegianPage.load(school, person: id, lang: "nb") }
        }
    }
}
