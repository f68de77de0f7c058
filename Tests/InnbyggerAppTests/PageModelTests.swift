import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Norwegian
@testable import Programme

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

    @Test("The programme page: the status and benefit months, measure labels in the page's language, a form's error")
    func programmePage() async throws {
        try await withDemoApp { app in
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).filter(\.$endDate == nil).first())
            let id = part.$person.id
            let advisor = try await ServiceContextTests.context(app, "veileder.elverum", route: "test")
            let nb = try await ProgrammePage.load(advisor, person: id, lang: "nb")
            #expect(nb.exists)
            #expect(nb.personID == id)
            #expect(nb.today == testDay.iso)
            #expect(!nb.benefits.isEmpty)
            #expect(nb.subAnchor == nil && nb.error == nil)
            let en = try await ProgrammePage.load(advisor, person: id, lang: "en")
            #expect(nb.measureOptions.map(\.value) == en.measureOptions.map(\.value))
            if let first = nb.measureOptions.first {
                #expect(first.label != en.measureOptions.first?.label, "measure labels are not translated")
            }
            // A smaller form's failure names its control for #invalid and #fieldError, in the page's language.
            let failure = ValidationFailure(field: "weeklyHours", "invalid.number")
            let sub = ProgrammeController.SubFormError(form: "measures", failure: failure, posted: ["weeklyHours": "x"])
            let bad = try await ProgrammePage.load(advisor, person: id, lang: "nb", sub: sub)
            #expect(bad.subAnchor == "measures-weeklyHours")
            #expect(bad.subError == failure.message(app.translations, "nb"))
            #expect(bad.subError != failure.message(app.translations, "en"))
            // A partner whose task is not the programme is refused the page.
            let health = try await ServiceContextTests.context(app, "helse.elverum", route: "test")
            await #expect(throws: Abort.self) { _ = try await ProgrammePage.load(health, person: id, lang: "nb") }
        }
    }
}
