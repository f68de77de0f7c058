import Fluent
import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Programme
@testable import Work

/// Issue #15, work practice and employers: the register, placements and their follow-up, matching, NAV's own
/// measures, and who may see what.
@Suite("Work practice and employers")
struct WorkTests {
    static func provider(_ app: Application, _ name: String) async throws -> WorkProvider {
        try #require(try await WorkProvider.query(on: app.db).filter(\.$name == name).with(\.$places).first())
    }

    static func placements(_ app: Application, of person: UUID) async throws -> [WorkPlacement] {
        try await WorkPlacement.query(on: app.db).filter(\.$person.$id == person).all()
    }

    /// A placement on an Elverum file shared with NAV, and one on a file that is not.
    static func elverumPlacements(_ app: Application) async throws -> (shared: WorkPlacement, unshared: WorkPlacement) {
        let all = try await WorkPlacement.query(on: app.db).filter(\.$municipality == "3420")
            .with(\.$person, { $0.with(\.$shares) }).all()
        let shared = try #require(all.first { $0.person.activeSectors.contains(.nav) })
        let unshared = try #require(all.first { !$0.person.activeSectors.contains(.nav) })
        return (shared, unshared)
    }

    @Test("Tynset's register: 20 decided, 16 allocated, 7 in use, counted in the database and shown on the page")
    func tynsetFigures() async throws {
        try await withDemoApp { app in
            let f = try await WorkService.figures(app.db, "3427", today: .today)
            #expect(f == PlaceFigures(decided: 20, allocated: 16, inUse: 7))
            let b = Browser(app)
            try await b.login("saksbehandler.tynset")
            let page = try await b.send(.GET, "/practice")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("<td class=\"num\" data-decided>20</td>"))
            #expect(html.contains("<td class=\"num\" data-allocated>16</td>"))
            #expect(html.contains("<td class=\"num\" data-in-use>7</td>"))
            #expect(html.contains("Tynset opplæringssenter"))
            #expect(html.contains("Frokostmøte i arbeidsgivernettverket"))
            // The menu offers the register.
            #expect(html.contains("href=\"/practice\""))
        }
    }

    @Test("Only the integration service and NAV reach the register; other partners and leaders are refused")
    func registerAccess() async throws {
        try await withDemoApp { app in
            let w = try await Self.provider(app, "Elverum Mat AS")
            for user in ["saksbehandler.elverum", "veileder.elverum", "nav.elverum"] {
                let b = Browser(app)
                try await b.login(user)
                #expect(try await b.send(.GET, "/practice").status == .ok, "\(user)")
                #expect(try await b.send(.GET, "/practice/providers/\(w.id!)").status == .ok, "\(user)")
                #expect(try await b.send(.GET, "/practice/providers.csv").status == .ok, "\(user)")
            }
            for user in [
                "helse.elverum", "skole.elverum", "bolig.elverum", "barnehage.elverum", "frivillig.elverum",
                "leder.elverum", "admin.elverum", "voksenopplaering.tynset", "leder.tynset",
            ] {
                let b = Browser(app)
                try await b.login(user)
                #expect(try await b.send(.GET, "/practice").status == .forbidden, "\(user)")
                #expect(try await b.send(.GET, "/practice/providers/\(w.id!)").status == .forbidden, "\(user)")
                #expect(try await b.send(.GET, "/practice/providers.xlsx").status == .forbidden, "\(user)")
                let csrf = try await b.csrf()
                let post = try await b.send(
                    .POST, "/practice/providers",
                    form: ["_csrf": csrf, "name": "X", "orgNumber": "974760673", "trade": "retail"])
                #expect(post.status == .forbidden, "\(user)")
                for path in ["/practice/agreements", "/practice/events"] {
                    let refused = try await b.send(
                        .POST, path,
                        form: ["_csrf": csrf, "title": "X", "decidedOn": "2026-01-01", "date": "2026-01-01"])
                    #expect(refused.status == .forbidden, "\(user) \(path)")
                }
                #expect(
                    try await b.send(
                        .POST, "/practice/providers/\(w.id!)/places",
                        form: ["_csrf": csrf, "kind": "work_practice", "capacity": "1"]
                    ).status == .forbidden, "\(user)")
                #expect(
                    !(try await b.send(.GET, "/").body.string.contains("href=\"/practice\"")),
                    "\(user) has the menu entry")
            }
            // Tynset's case worker sees Tynset, not Elverum.
            let t = Browser(app)
            try await t.login("saksbehandler.tynset")
            #expect(try await t.send(.GET, "/practice/providers/\(w.id!)").status == .forbidden)
            #expect(try await t.send(.GET, "/practice?municipality=3420").status == .forbidden)
        }
    }

    @Test("Registering an employer: the organisation number is checked, a bad one comes back with the message")
    func addProvider() async throws {
        try await withDemoApp { app in
            for user in ["veileder.elverum", "nav.elverum"] {
                let b = Browser(app)
                try await b.login(user)
                let csrf = try await b.csrf()
                let bad = try await b.send(
                    .POST, "/practice/providers",
                    form: [
                        "_csrf": csrf, "form": "provider", "name": "Elverum Bakeri AS", "orgNumber": "974760674",
                        "trade": "retail",
                    ])
                #expect(bad.status == .badRequest)
                #expect(bad.body.string.contains("id=\"e-provider-orgNumber\""))
                #expect(bad.body.string.contains("Elverum Bakeri AS"), "what was typed is kept")
                #expect(try await WorkProvider.query(on: app.db).filter(\.$name == "Elverum Bakeri AS").count() == 0)
            }
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let csrf = try await b.csrf()
            let ok = try await b.send(
                .POST, "/practice/providers",
                form: [
                    "_csrf": csrf, "form": "provider", "name": "Elverum Bakeri AS", "orgNumber": "974 760 673",
                    "trade": "hospitality", "municipal": "false", "languages": "ar, so", "location": "Elverum",
                ])
            #expect(ok.status == .seeOther)
            let w = try await Self.provider(app, "Elverum Bakeri AS")
            #expect(w.orgNumber == "974760673" && w.municipality == "3420" && w.languages == "ar so" && !w.municipal)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == w.id!.uuidString).count() == 1)
            // The same number twice in a municipality is refused.
            let again = try await b.send(
                .POST, "/practice/providers",
                form: [
                    "_csrf": csrf, "form": "provider", "name": "Bakeri 2", "orgNumber": "974760673", "trade": "retail",
                ])
            #expect(again.status == .badRequest)
            // Places, an agreement and an event.
            #expect(
                try await b.send(
                    .POST, "/practice/providers/\(w.id!)/places",
                    form: ["_csrf": csrf, "form": "place", "kind": "work_practice", "capacity": "2", "status": "open"]
                ).status == .seeOther)
            let badPlace = try await b.send(
                .POST, "/practice/providers/\(w.id!)/places",
                form: ["_csrf": csrf, "form": "place", "kind": "work_practice", "capacity": "tre"])
            #expect(badPlace.status == .badRequest && badPlace.body.string.contains("id=\"e-place-capacity\""))
            #expect(try await Self.provider(app, "Elverum Bakeri AS").places.map(\.capacity) == [2])
            #expect(
                try await b.send(
                    .POST, "/practice/agreements",
                    form: [
                        "_csrf": csrf, "form": "agreement", "title": "Tilleggsvedtak", "decidedOn": "01.10.2026",
                        "kind": "work_practice", "places": "5",
                    ]
                ).status == .seeOther)
            let future = try await b.send(
                .POST, "/practice/agreements",
                form: [
                    "_csrf": csrf, "form": "agreement", "title": "Fremtid", "decidedOn": "01.10.2099",
                    "kind": "work_practice", "places": "5",
                ])
            #expect(future.status == .badRequest)
            #expect(
                try await b.send(
                    .POST, "/practice/events",
                    form: ["_csrf": csrf, "form": "event", "title": "Jobbmesse", "date": "2026-12-01"]
                ).status == .seeOther)
            let f = try await WorkService.figures(app.db, "3420", today: .today)
            #expect(f.decided == 15)
        }
    }

    @Test("An advisor registers a placement for a participant, records the follow-up and the outcome")
    func placementFlow() async throws {
        try await withDemoApp { app in
            let started = try await app.sharedFacts.startedParticipants("3420", .today, app.db)
            let busy = Set(try await WorkPlacement.query(on: app.db).all().map { $0.$person.id })
            let measures = try await app.sharedFacts.practiceMeasures(started, app.db)
            let id = try #require(started.sorted { $0.uuidString < $1.uuidString }.first { !busy.contains($0) })
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let page = try await b.send(.GET, "/persons/\(id)/practice")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("data-matches"))
            let w = try await Self.provider(app, "Glåmdal Renhold AS")
            let place = try #require(w.places.first)
            let csrf = try await b.csrf()
            // A period ending before it starts comes back next to the field.
            let bad = try await b.send(
                .POST, "/persons/\(id)/practice/placements",
                form: [
                    "_csrf": csrf, "form": "placement", "placeID": place.id!.uuidString, "from": "2026-11-20",
                    "to": "2026-11-01", "mentor": "Aud Nilsen",
                ])
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("id=\"e-placement-to\""))
            #expect(bad.body.string.contains("Aud Nilsen"))
            let ok = try await b.send(
                .POST, "/persons/\(id)/practice/placements",
                form: [
                    "_csrf": csrf, "form": "placement", "placeID": place.id!.uuidString, "from": "16.11.2026",
                    "to": "2027-02-28", "tasks": "Renhold av kontorer", "mentor": "Aud Nilsen",
                    "firstVisit": "2026-11-30",
                ])
            #expect(ok.status == .seeOther)
            let pl = try #require(try await Self.placements(app, of: id).first)
            #expect(pl.kind == .workPractice && pl.from == LocalDate(iso: "2026-11-16"))
            // Linked to the programme's work practice measure when the plan has one.
            let own = measures[id]?.first { $0.kind == .workPractice }
            #expect(pl.measureID == own?.id)
            let view = try await b.send(.GET, "/practice/placements/\(pl.id!)")
            #expect(view.status == .ok)
            #expect(view.body.string.contains("Renhold av kontorer"))
            #expect(view.body.string.contains("<dd>Pågår"))
            // A placement that starts next month is planned, not going on (issue #30).
            pl.from = LocalDate(iso: "2026-12-14")!
            try await pl.update(on: app.db)
            let planned = try await b.send(.GET, "/practice/placements/\(pl.id!)").body.string
            #expect(planned.contains("<dd>Planlagt") && !planned.contains("<dd>Pågår"))
            pl.from = LocalDate(iso: "2026-11-16")!
            try await pl.update(on: app.db)
            // A follow-up visit: notes are required.
            let noNotes = try await b.send(
                .POST, "/practice/placements/\(pl.id!)/followups",
                form: ["_csrf": csrf, "form": "followup", "kind": "visit", "doneOn": "2026-11-16"])
            #expect(noNotes.status == .badRequest && noNotes.body.string.contains("id=\"e-followup-notes\""))
            let visit = try await b.send(
                .POST, "/practice/placements/\(pl.id!)/followups",
                form: [
                    "_csrf": csrf, "form": "followup", "kind": "three_way", "doneOn": "2026-11-16",
                    "notes": "God start.", "nextDue": "2026-12-16",
                ])
            #expect(visit.status == .seeOther)
            let followUps = try await WorkFollowUp.query(on: app.db).filter(\.$placement.$id == pl.id!).all()
            #expect(followUps.filter { $0.doneOn != nil }.count == 1)
            // The first planned visit was met by this one; the next is planned.
            #expect(followUps.filter { $0.doneOn == nil }.compactMap(\.dueOn) == [LocalDate(iso: "2026-12-16")!])
            #expect(
                try await b.send(
                    .POST, "/practice/placements/\(pl.id!)/agreement",
                    form: [
                        "_csrf": csrf, "tasks": "Renhold og vaskeri", "mentor": "Aud Nilsen",
                        "mentorPhone": "+4790000000",
                    ]
                ).status == .seeOther)
            // Extended: the end moves, the placement runs on.
            let extended = try await b.send(
                .POST, "/practice/placements/\(pl.id!)/end",
                form: [
                    "_csrf": csrf, "form": "end", "outcome": "extended", "evaluation": "Godt i gang.",
                    "extendedTo": "2027-04-30",
                ])
            #expect(extended.status == .seeOther)
            let running = try #require(try await WorkPlacement.find(pl.id!, on: app.db))
            #expect(
                running.to == LocalDate(iso: "2027-04-30") && running.endedOn == nil && running.outcome == .extended)
            let notLater = try await b.send(
                .POST, "/practice/placements/\(pl.id!)/end",
                form: [
                    "_csrf": csrf, "form": "end", "outcome": "extended", "evaluation": "x", "extendedTo": "2027-01-01",
                ])
            #expect(notLater.status == .badRequest && notLater.body.string.contains("id=\"e-end-extendedTo\""))
            // The evaluation and the outcome.
            let noEval = try await b.send(
                .POST, "/practice/placements/\(pl.id!)/end", form: ["_csrf": csrf, "form": "end", "outcome": "job"])
            #expect(noEval.status == .badRequest)
            let end = try await b.send(
                .POST, "/practice/placements/\(pl.id!)/end",
                form: [
                    "_csrf": csrf, "form": "end", "outcome": "job", "evaluation": "Ansatt i 60 %.",
                    "endedOn": "2026-11-16",
                ])
            #expect(end.status == .seeOther)
            let ended = try #require(try await WorkPlacement.find(pl.id!, on: app.db))
            #expect(ended.outcome == .job && ended.endedOn == LocalDate(iso: "2026-11-16"))
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$recordType == "work").filter(
                    \.$recordID == id.uuidString
                )
                .filter(\.$action ~~ ["add_placement", "record_followup", "update_placement", "end_placement"]).count()
                    == 5)
            // The person page's section shows it.
            let file = try await b.send(.GET, "/persons/\(id)")
            #expect(file.body.string.contains("data-section=\"placements\""))
            #expect(file.body.string.contains("Glåmdal Renhold AS"))
            // The outcome feeds the programme's ending: listed there, and "completed, work" proposed as the reason
            // while the programme has not ended (the demo participant picked may have ended it: reopened here).
            let part = try #require(try await PersonProgramme.query(on: app.db).filter(\.$person.$id == id).first())
            part.endDate = nil
            part.endReason = nil
            try await part.update(on: app.db)
            let programme = try await b.send(.GET, "/persons/\(id)/programme").body.string
            let listed = try #require(programme.range(of: "id=\"practice-outcomes\""))
            #expect(programme[listed.upperBound...].prefix(600).contains("Glåmdal Renhold AS"))
            #expect(programme.contains("<option value=\"completed_work\" selected>"))
        }
    }

    @Test("NAV sees placements on files shared with it and records its own measures there, nothing on other files")
    func navAccess() async throws {
        try await withDemoApp { app in
            let (shared, unshared) = try await Self.elverumPlacements(app)
            let b = Browser(app)
            try await b.login("nav.elverum")
            let csrf = try await b.csrf()
            #expect(try await b.send(.GET, "/persons/\(shared.$person.id)/practice").status == .ok)
            let page = try await b.send(.GET, "/practice/placements/\(shared.id!)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("action=\"/practice/placements/\(shared.id!)/nav\""))
            #expect(!page.body.string.contains("/followups\""), "NAV does not write the follow-up")
            #expect(try await b.send(.GET, "/persons/\(unshared.$person.id)/practice").status == .forbidden)
            #expect(try await b.send(.GET, "/practice/placements/\(unshared.id!)").status == .forbidden)
            // The refusal is audited.
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "denied_read")
                    .filter(\.$recordID == unshared.$person.id.uuidString).count() >= 1)
            let before = try await WorkNavMeasure.query(on: app.db).count()
            let ok = try await b.send(
                .POST, "/practice/placements/\(shared.id!)/nav",
                form: [
                    "_csrf": csrf, "form": "nav", "navKind": "mentor_subsidy", "from": "2026-11-16", "to": "2027-01-31",
                    "monthly": "2 500,50".replacingOccurrences(of: " ", with: ""),
                ])
            #expect(ok.status == .seeOther)
            let m = try #require(
                try await WorkNavMeasure.query(on: app.db).filter(\.$placement.$id == shared.id!)
                    .filter(\.$monthlyOre == 250_050).first())
            #expect(m.kind == .mentorSubsidy)
            let badAmount = try await b.send(
                .POST, "/practice/placements/\(shared.id!)/nav",
                form: [
                    "_csrf": csrf, "form": "nav", "navKind": "wage_subsidy", "from": "2026-11-16", "to": "2027-01-31",
                    "monthly": "mye",
                ])
            #expect(badAmount.status == .badRequest && badAmount.body.string.contains("id=\"e-nav-monthly\""))
            let refused = try await b.send(
                .POST, "/practice/placements/\(unshared.id!)/nav",
                form: ["_csrf": csrf, "navKind": "wage_subsidy", "from": "2026-11-16", "to": "2027-01-31"])
            #expect(refused.status == .forbidden)
            #expect(try await WorkNavMeasure.query(on: app.db).count() == before + 1)
            // NAV writes no placement, profile, agreement, evaluation or follow-up itself, and exports no placements.
            for path in ["/practice/placements/\(shared.id!)/agreement", "/practice/placements/\(shared.id!)/end"] {
                let refused = try await b.send(.POST, path, form: ["_csrf": csrf, "outcome": "job", "evaluation": "x"])
                #expect(refused.status == .forbidden, "\(path)")
            }
            #expect(
                try await b.send(
                    .POST, "/persons/\(shared.$person.id)/practice/profile",
                    form: ["_csrf": csrf, "occupation": "retail"]
                ).status == .forbidden)
            let place = try #require(try await WorkPlace.query(on: app.db).filter(\.$municipality == "3420").first())
            #expect(
                try await b.send(
                    .POST, "/persons/\(shared.$person.id)/practice/placements",
                    form: ["_csrf": csrf, "placeID": place.id!.uuidString, "from": "2026-11-16", "to": "2026-12-16"]
                ).status == .forbidden)
            #expect(
                try await b.send(
                    .POST, "/practice/placements/\(shared.id!)/followups",
                    form: ["_csrf": csrf, "kind": "visit", "doneOn": "2026-11-16", "notes": "x"]
                ).status == .forbidden)
            #expect(try await b.send(.GET, "/practice/placements.csv").status == .forbidden)
            // On the provider page NAV sees only the placements on files shared with it.
            let provider = try await b.send(.GET, "/practice/providers/\(unshared.$place.id)")
            let w = try #require(try await WorkPlace.find(unshared.$place.id, on: app.db))
            let providerPage = try await b.send(.GET, "/practice/providers/\(w.$provider.id)")
            #expect(provider.status == .notFound || provider.status == .ok)
            #expect(providerPage.status == .ok)
            #expect(!providerPage.body.string.contains(unshared.person.familyName))
            #expect(!providerPage.body.string.contains("candidates-h"))
            // The person page: the section for NAV on the shared file.
            let file = try await b.send(.GET, "/persons/\(shared.$person.id)")
            #expect(file.body.string.contains("data-section=\"placements\""))
        }
    }

    @Test("Other partners and leaders see no placements, on the page or the person file")
    func partnersRefused() async throws {
        try await withDemoApp { app in
            let (shared, _) = try await Self.elverumPlacements(app)
            for user in ["helse.elverum", "skole.elverum", "bolig.elverum", "leder.elverum", "frivillig.elverum"] {
                let b = Browser(app)
                try await b.login(user)
                #expect(
                    try await b.send(.GET, "/persons/\(shared.$person.id)/practice").status == .forbidden, "\(user)")
                #expect(try await b.send(.GET, "/practice/placements/\(shared.id!)").status == .forbidden, "\(user)")
                let csrf = try await b.csrf()
                #expect(
                    try await b.send(
                        .POST, "/practice/placements/\(shared.id!)/nav",
                        form: ["_csrf": csrf, "navKind": "wage_subsidy", "from": "2026-11-16", "to": "2027-01-31"]
                    ).status == .forbidden, "\(user)")
                #expect(
                    try await b.send(
                        .POST, "/practice/placements/\(shared.id!)/end", form: ["_csrf": csrf, "outcome": "job"]
                    ).status == .forbidden, "\(user)")
                let file = try await b.send(.GET, "/persons/\(shared.$person.id)")
                #expect(!file.body.string.contains("data-section=\"placements\""), "\(user)")
            }
        }
    }

    @Test("Matching: a participant's providers ranked with reasons, and a provider's candidates")
    func matching() async throws {
        try await withDemoApp { app in
            let busy = Set(
                try await WorkPlacement.query(on: app.db).filter(\.$endedOn == nil).all().map { $0.$person.id })
            let profiles = try await WorkProfile.query(on: app.db).all().filter { !busy.contains($0.$person.id) }
            let profile = try #require(profiles.first { $0.occupation == .retail })
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let page = try await b.send(.GET, "/persons/\(profile.$person.id)/practice")
            #expect(page.status == .ok)
            let html = page.body.string
            let matches = try #require(html.range(of: "data-matches"))
            let first = html[matches.upperBound...]
            // The shop ranks before the cleaning company, for the occupation wished for.
            let shop = try #require(first.range(of: "Elverum Mat AS"))
            let cleaning = try #require(first.range(of: "Glåmdal Renhold AS"))
            #expect(shop.lowerBound < cleaning.lowerBound)
            #expect(html.contains("Samme bransje som yrkesønsket"))
            // Saving the mapping's wish.
            let csrf = try await b.csrf()
            #expect(
                try await b.send(
                    .POST, "/persons/\(profile.$person.id)/practice/profile",
                    form: ["_csrf": csrf, "form": "profile", "occupation": "cleaning", "norwegian": "B1"]
                ).status == .seeOther)
            #expect(try await WorkProfile.find(profile.id!, on: app.db)?.occupation == .cleaning)
            let bad = try await b.send(
                .POST, "/persons/\(profile.$person.id)/practice/profile",
                form: ["_csrf": csrf, "form": "profile", "occupation": "astronaut"])
            #expect(bad.status == .badRequest && bad.body.string.contains("id=\"e-profile-occupation\""))
            // The provider's candidates.
            let w = try await Self.provider(app, "Glåmdal Renhold AS")
            let provider = try await b.send(.GET, "/practice/providers/\(w.id!)")
            #expect(provider.status == .ok && provider.body.string.contains("candidates-h"))
            #expect(provider.body.string.contains(profile.$person.id.uuidString))
        }
    }

    @Test("Exports: the providers and the placements as CSV and XLSX")
    func exports() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.tynset")
            let csv = try await b.send(.GET, "/practice/providers.csv")
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            let text = csv.body.string
            #expect(text.hasPrefix("\u{FEFF}"))
            #expect(text.contains("Tynset opplæringssenter") && !text.contains("Elverum Mat AS"))
            #expect(text.split(whereSeparator: \.isNewline).count == 7)
            let xlsx = try await b.send(.GET, "/practice/providers.xlsx")
            #expect(xlsx.status == .ok && xlsx.body.readableBytes > 100)
            let placements = try await b.send(.GET, "/practice/placements.csv")
            #expect(placements.status == .ok)
            #expect(placements.body.string.split(whereSeparator: \.isNewline).count == 9)
            #expect(try await b.send(.GET, "/practice/placements.xlsx").status == .ok)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$recordType == "work").filter(\.$action == "list")
                    .count() >= 2)
        }
    }

    @Test("The worklist shows visits overdue and placements ending without evaluation; the indicator counts jobs")
    func worklistAndIndicator() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.tynset")
            let list = try await b.send(.GET, "/worklist")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("Oppfølgingsbesøk"))
            #expect(list.body.string.contains("Praksis slutter uten evaluering"))
            let ctx = ServiceContext(app: app, user: nil, route: "test")
            let period = IndicatorPeriod(from: LocalDate(iso: "2026-01-01")!, to: LocalDate(iso: "2026-12-31")!)
            let figure = try await WorkPracticeToJob().figure(ctx, ["3427"], period, threshold: 0)
            #expect(figure == .share(1, of: 1, threshold: 0))
            #expect(app.indicatorCatalogue["work_practice_to_job"] != nil)
            // Deleting a Tynset file names what it loses.
            let p = try #require(try await WorkPlacement.query(on: app.db).filter(\.$municipality == "3427").first())
            let person = try #require(try await Person.find(p.$person.id, on: app.db))
            let req = Request(application: app, on: app.eventLoopGroup.next())
            let losses = try await WorkFeature().deletionLosses(req, person)
            #expect(losses.count == 1)
        }
    }
}
