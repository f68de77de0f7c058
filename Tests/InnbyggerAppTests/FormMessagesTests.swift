import Fluent
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Journal
@testable import Programme

/// Messages in the page's language, next to every field that is wrong and summarised with links; a bad date
/// re-shows the form; error pages speak the page's language.
@Suite("Form messages", .serialized)
struct FormMessagesTests {
    /// Every control marked invalid names, in its one `aria-describedby`, ids the page has, among them its message
    /// `e-…` with text; no element carries the attribute twice (a browser reads only the first).
    static func expectWiring(_ html: String, _ page: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let tags = html.matches(of: /<(?:input|select|textarea)\b[^>]*>/).map { String($0.output) }
        #expect(!tags.isEmpty, "\(page): no controls", sourceLocation: sourceLocation)
        for tag in tags {
            let described = tag.matches(of: /aria-describedby="([^"]*)"/).map { String($0.output.1) }
            #expect(described.count <= 1, "\(page): \(tag) has aria-describedby twice", sourceLocation: sourceLocation)
            guard tag.contains("aria-invalid=\"true\"") else { continue }
            let ids = described.first?.split(separator: " ").map(String.init) ?? []
            #expect(
                ids.contains { $0.hasPrefix("e-") }, "\(page): \(tag) names no message", sourceLocation: sourceLocation)
            for id in ids {
                #expect(
                    html.contains("id=\"\(id)\""), "\(page): \(id) is not on the page", sourceLocation: sourceLocation)
            }
            for id in ids where id.hasPrefix("e-") {
                #expect(
                    html.contains(try! Regex("id=\"\(id)\">[^<]+</p>")), "\(page): \(id) has no text",
                    sourceLocation: sourceLocation)
            }
        }
    }
    @Test("Every wrong field of the person form gets its message next to it, and the summary links to each")
    func everyField() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let res = try await b.send(
                .POST, "/persons",
                form: [
                    "_csrf": try await b.csrf(), "municipality": "3420", "givenName": "Amal", "familyName": "",
                    "birthDate": "2026-02-30", "sex": "female", "citizenship": "SY", "residenceGround": "refugee",
                    "phone": "12", "educationYears": "abc", "language1": "ar", "level1": "nonsense",
                ])
            #expect(res.status == .badRequest)
            let html = res.body.string
            for field in ["familyName", "birthDate", "phone", "educationYears", "language1"] {
                #expect(html.contains("id=\"e-\(field)\""), "no message next to \(field)")
            }
            for link in ["familyName", "birthDate", "phone", "educationYears", "level1"] {
                #expect(html.contains("<a href=\"#\(link)\">"), "no link to \(link) in the summary")
            }
            #expect(html.contains("aria-describedby=\"e-birthDate\""))
            Self.expectWiring(html, "person form")
            #expect(html.contains("Rett 5 feil i skjemaet"))
            // What was typed is kept, and the messages are Norwegian.
            #expect(html.contains("value=\"Amal\"") && html.contains("value=\"abc\"") == false)
            #expect(html.contains("value=\"12\""))
            #expect(html.contains("Skriv telefonnummeret med 8 til 15 sifre"))
            #expect(try await Person.query(on: app.db).filter(\.$givenName == "Amal").count() == 0)
        }
    }

    @Test("A control with a hint and an error names both in its one aria-describedby")
    func hintAndError() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let res = try await b.send(
                .POST, "/persons",
                form: [
                    "_csrf": try await b.csrf(), "municipality": "3420", "givenName": "Hint", "familyName": "Feil",
                    "birthDate": "1990-01-01", "sex": "female", "citizenship": "S1", "residenceGround": "refugee",
                ])
            #expect(res.status == .badRequest)
            let html = res.body.string
            #expect(html.contains("aria-describedby=\"e-citizenship citizenship-hint\""))
            #expect(html.contains("<p class=\"field-error\" id=\"e-citizenship\">"))
            Self.expectWiring(html, "person form, citizenship")
            let fine = try await b.send(.GET, "/persons/new")
            #expect(fine.body.string.contains("aria-describedby=\"citizenship-hint\""))
            #expect(!fine.body.string.contains("aria-invalid"))
        }
    }

    @Test("A bad date re-shows the form it came from, never a bare error page")
    func badDatesReshowTheForm() async throws {
        try await withDemoApp { app in
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).filter(\.$endDate == nil).first())
            let person = part.$person.id
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            let cases: [(Browser, String, [String: String], String)] = [
                (
                    cw, "/persons/\(person)/journal", ["date": "2026-13-01", "category": "general", "text": "x"],
                    "journal-error"
                ),
                (
                    advisor, "/persons/\(person)/programme/attendance", ["date": "31.02.2026", "presentHours": "2"],
                    "/programme/attendance"
                ),
                (
                    advisor, "/persons/\(person)/programme/leaves",
                    ["from": "2026-02-30", "to": "2026-03-01", "reason": "x"],
                    "/programme/leaves"
                ),
                (
                    advisor, "/persons/\(person)/programme/reviews", ["date": "i går", "note": "x"],
                    "/programme/reviews"
                ),
                (
                    cw, "/persons/\(person)/events", ["kind": "tb_screening", "date": "2026-02-31"],
                    "event-error-tb_screening"
                ),
            ]
            for (browser, path, form, marker) in cases {
                let res = try await browser.send(
                    .POST, path, form: form.merging(["_csrf": try await browser.csrf()]) { a, _ in a })
                #expect(res.status == .badRequest, "\(path)")
                let html = res.body.string
                #expect(!html.contains("Feilkode"), "\(path) answered with the bare error page")
                #expect(html.contains(marker), "\(path) did not re-show its form")
            }
        }
    }

    @Test("Error pages speak Norwegian on Norwegian pages and English on English ones")
    func errorPagesInTheLanguage() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let missing = try await b.send(.GET, "/persons/\(UUID())")
            #expect(missing.status == .notFound)
            #expect(missing.body.string.contains("<html lang=\"nb\">"))
            #expect(!missing.body.string.contains("class=\"error-detail\""))
            #expect(!missing.body.string.lowercased().contains("not found"))
            let forbidden = try await b.send(.GET, "/admin/tenancy")
            #expect(forbidden.status == .forbidden && !forbidden.body.string.contains("access denied"))
            _ = try await b.send(.GET, "/lang/en")
            let english = try await b.send(.GET, "/persons/\(UUID())")
            #expect(english.body.string.contains("<html lang=\"en\">"))
        }
    }

    @Test("The Norwegian page names the field of the refused form next to it and keeps what was typed")
    func norwegianPage() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3427", app, sharedWith: .adultEducation)
            let b = Browser(app)
            try await b.login("voksenopplaering.tynset")
            let res = try await b.send(
                .POST, "/persons/\(p.id!)/norwegian/hours",
                form: ["_csrf": try await b.csrf(), "form": "hours", "month": "2026-10", "hours": "mange"])
            #expect(res.status == .badRequest)
            let html = res.body.string
            #expect(html.contains("aria-describedby=\"e-h-hours\""))
            #expect(html.contains("<p class=\"field-error\" id=\"e-h-hours\">"))
            #expect(html.contains("value=\"mange\"") && html.contains("<a href=\"#h-hours\">"))
            #expect(!html.contains("aria-describedby=\"e-t-date\""))
            Self.expectWiring(html, "Norwegian page")
        }
    }

    @Test("The journal's edit form and the household form keep what was typed and mark the field")
    func journalAndHousehold() async throws {
        try await withDemoApp { app in
            let p = try await person(in: "3420", app)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let created = try await b.send(
                .POST, "/persons/\(p.id!)/journal",
                form: ["_csrf": try await b.csrf(), "date": "2026-11-02", "category": "general", "text": "Første"])
            #expect(created.status == .seeOther)
            let entry = try #require(
                try await JournalEntry.query(on: app.db).filter(\.$person.$id == p.id!).filter(\.$text == "Første")
                    .first())
            let bad = try await b.send(
                .POST, "/journal/\(entry.id!)",
                form: [
                    "_csrf": try await b.csrf(), "date": "2026-02-31", "category": "general", "text": "Rettet tekst",
                ])
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("Rettet tekst") && bad.body.string.contains("id=\"e-date\""))
            let household = try await b.send(
                .POST, "/households", form: ["_csrf": try await b.csrf(), "municipality": "3420", "name": " "])
            #expect(household.status == .badRequest)
            #expect(household.body.string.contains("id=\"e-name\""))
        }
    }

    @Test("The administrator's forms mark the refused field and link to it")
    func adminForms() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("sysadmin")
            let user = try await b.send(
                .POST, "/admin/users",
                form: [
                    "_csrf": try await b.csrf(), "municipality": "3420", "username": "x", "displayName": "X Y",
                    "role": "case_worker", "password": "Fjellvann-Tretopp-2026!",
                ])
            #expect(user.status == .badRequest)
            #expect(
                user.body.string.contains("id=\"e-username\"") && user.body.string.contains("<a href=\"#username\">"))
            let agreement = try await b.send(
                .POST, "/admin/tenancy/agreements",
                form: ["_csrf": try await b.csrf(), "unit": "nonsense", "served": "3326", "validFrom": "2026-01-01"])
            #expect(agreement.status == .badRequest && agreement.body.string.contains("id=\"e-unit\""))
            Self.expectWiring(user.body.string, "users")
            Self.expectWiring(agreement.body.string, "tenancy")
        }
    }

    @Test("The settings pages mark the refused field of the form that was sent")
    func settingsPages() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("admin.elverum")
            let phase = try await b.send(
                .POST, "/programme/settings/phases",
                form: ["_csrf": try await b.csrf(), "municipality": "3420", "position": "x", "name": "Fase"])
            #expect(phase.status == .badRequest && phase.body.string.contains("id=\"e-phase-position\""))
            let norm = try await b.send(
                .POST, "/programme/settings/caseload",
                form: ["_csrf": try await b.csrf(), "municipality": "3420", "maxParticipants": "500", "source": "x"])
            #expect(norm.status == .badRequest && norm.body.string.contains("id=\"e-caseload-max\""))
            let hours = try await b.send(
                .POST, "/settlement/settings",
                form: [
                    "_csrf": try await b.csrf(), "municipality": "3420", "answerHoursUrgent": "0",
                    "answerHoursOrdinary": "48",
                ])
            #expect(hours.status == .badRequest && hours.body.string.contains("id=\"e-answerHoursUrgent\""))
            for (page, res) in [("phases", phase), ("caseload", norm), ("settlement settings", hours)] {
                Self.expectWiring(res.body.string, page)
            }
        }
    }
}
