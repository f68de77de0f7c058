import Fluent
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

@Suite("Introduction programme", .serialized)
struct ProgrammeTests {
    /// A new participant in Elverum, born 1990, higher education, settled 2025-03-01.
    static func participant(_ app: Application, nationalId: String? = "12049010026") async throws -> UUID {
        let cw = try await token(app, for: "saksbehandler.elverum")
        let id = nationalId.map { #","nationalId":"\#($0)""# } ?? ""
        let res = try await api(
            app, .POST, "/api/v1/persons", token: cw,
            json:
                #"{"municipality":"3420","givenName":"Test","familyName":"Deltaker","birthDate":"1990-01-15","sex":"female","citizenship":"SY","residenceGround":"refugee","settlementDate":"2025-03-01","settledByAgreement":true,"educationLevel":"primary"\#(id)}"#
        )
        return try res.content.decode(PersonDTO.self).id
    }

    static let decision =
        #"{"mappingDate":"2025-04-01","guidanceDate":"2025-04-10","decisionDate":"2025-04-20","startDate":"2025-05-01","finalGoal":"work","plannedMonths":24,"planDate":"2025-05-15","contractSigned":"2025-05-15","norwegianTarget":{"reading":"B1","speaking":"B1"}}"#

    @Test("Decision, attendance and the benefit in the programme's history, computed by hand")
    func decisionAndBenefit() async throws {
        try await withDemoApp { app in
            let id = try await Self.participant(app)
            let advisor = try await token(app, for: "veileder.elverum")
            let saved = try await api(app, .PUT, "/api/v1/persons/\(id)/programme", token: advisor, json: Self.decision)
            #expect(saved.status == .ok)
            let dto = try saved.content.decode(ProgrammeAPIController.ProgrammeDTO.self)
            // Under 25 without upper secondary? No: 35 at the decision with primary school → "others without upper secondary", up to 24 months.
            #expect(dto.plannedEnd == "2027-04-30")
            #expect(dto.missingForNIR == ["measures"])
            // The programme's dates meet the mapping, guidance, decision and start deadlines, read from the programme
            // record (no copy in the file's events).
            let events = try await DeadlineEvents.dates(for: [id], features: app.features, on: app.db)[id] ?? [:]
            #expect(try await DeadlineEvent.query(on: app.db).filter(\.$person.$id == id).count() == 0)
            #expect(events[.competenceMapping] == LocalDate(iso: "2025-04-01"))
            #expect(events[.careerGuidance] == LocalDate(iso: "2025-04-10"))
            #expect(events[.programmeStart] == LocalDate(iso: "2025-05-01"))
            // The target as given; another participant without one gets IMDi's recommendation for primary school (B1).
            #expect(dto.norwegianTarget == ["reading": "B1", "speaking": "B1"])
            let other = try await Self.participant(app, nationalId: nil)
            let defaulted = try await api(
                app, .PUT, "/api/v1/persons/\(other)/programme", token: advisor, json: #"{"decisionDate":"2025-04-20"}"#
            )
            #expect(
                try defaulted.content.decode(ProgrammeAPIController.ProgrammeDTO.self).norwegianTarget == [
                    "reading": "B1", "listening": "B1", "writing": "B1", "speaking": "B1",
                ])
            // 15 hours of invalid absence on 10 June 2025. June 2025: G 130 160 kr, full rate 2 G = 26 032 000 øre a year,
            // monthly 2 169 333.33 → 2 169 333; deduction 15 × 26 032 000 / 1850 = 211 070.27 → 211 070; net 1 958 263.
            let att = try await api(
                app, .POST, "/api/v1/persons/\(id)/programme/attendance", token: advisor,
                json:
                    #"{"date":"2025-06-10","period":"day","presentHours":0,"absenceHours":7.5,"absenceKind":"invalid"}"#
            )
            #expect(att.status == .created)
            _ = try await api(
                app, .POST, "/api/v1/persons/\(id)/programme/attendance", token: advisor,
                json: #"{"date":"2025-06-11","period":"day","absenceHours":7.5,"absenceKind":"invalid"}"#)
            let june = try #require(
                try att.content.decode(ProgrammeAPIController.ProgrammeDTO.self).benefit.first { $0.month == "2025-06" }
            )
            #expect(june.monthlyOre == 2_169_333)
            let after = try await api(app, .GET, "/api/v1/persons/\(id)/programme", token: advisor).content.decode(
                ProgrammeAPIController.ProgrammeDTO.self)
            let june2 = try #require(after.benefit.first { $0.month == "2025-06" })
            #expect(june2.absenceDeductionOre == 211_070)
            #expect(june2.netOre == 1_958_263)
            // May 2025 is the first month (G changed on 1 May: 2 169 333 again, no absence).
            #expect(after.benefit.first { $0.month == "2025-05" }?.netOre == 2_169_333)
            // The payout list for June has the line; partners and other municipalities get nothing.
            let payouts = try await api(
                app, .GET, "/api/v1/programme/payouts?month=2025-06&municipality=3420", token: advisor)
            #expect(payouts.status == .ok)
            let line = try #require(
                try payouts.content.decode(ProgrammeLists.Payouts.self).lines.first { $0.personId == id })
            #expect(line.netOre == 1_958_263)
            #expect(
                try await api(
                    app, .GET, "/api/v1/programme/payouts?month=2025-06",
                    token: try await token(app, for: "nav.elverum")
                ).status == .forbidden)
            #expect(
                try await api(app, .GET, "/api/v1/programme/payouts?month=2025-06&municipality=3427", token: advisor)
                    .status == .forbidden)
            #expect(
                try await api(app, .GET, "/api/v1/programme/payouts?month=2025-13", token: advisor).status
                    == .badRequest)
        }
    }

    @Test(
        "Bad programme input names the field",
        arguments: [
            (#"{"mappingDate":"2025-05-01","decisionDate":"2025-04-20"}"#, "mappingDate"),
            (#"{"decisionDate":"2025-04-20","startDate":"2025-04-01"}"#, "startDate"),
            (#"{"startDate":"2025-04-01"}"#, "decisionDate"),
            (#"{"decisionDate":"2025-04-20","finalGoal":"work","plannedMonths":30}"#, "plannedMonths"),
            (#"{"decisionDate":"2025-04-20","finalGoal":"work","extensionMonths":6}"#, "extensionReason"),
            (#"{"decisionDate":"2025-04-20","finalGoal":"astronaut"}"#, "finalGoal"),
            (#"{"norwegianTarget":{"reading":"D1"}}"#, "norwegianTarget.reading"),
            (#"{"stopKind":"permanent"}"#, "stopDate"),
            (#"{"lawRegime":"undetermined"}"#, "lawRegime"),
        ])
    func badInput(_ json: String, _ field: String) async throws {
        try await withDemoApp { app in
            let id = try await Self.participant(app)
            let res = try await api(
                app, .PUT, "/api/v1/persons/\(id)/programme", token: try await token(app, for: "veileder.elverum"),
                json: json)
            #expect(res.status == .badRequest)
            #expect(try res.content.decode(ErrorBody.self).error.field == field)
        }
    }

    @Test("Only the integration service of the municipality reads and writes the programme")
    func access() async throws {
        try await withDemoApp { app in
            let id = try await Self.participant(app)
            try await PersonShare(person: id, sector: .nav, basis: .consent, reference: "test", by: nil).create(
                on: app.db)
            let advisor = try await token(app, for: "veileder.elverum")
            _ = try await api(app, .PUT, "/api/v1/persons/\(id)/programme", token: advisor, json: Self.decision)
            for user in ["nav.elverum", "leder.elverum", "saksbehandler.tynset", "admin.elverum"] {
                #expect(
                    try await api(app, .GET, "/api/v1/persons/\(id)/programme", token: try await token(app, for: user))
                        .status == .forbidden)
                #expect(
                    try await api(
                        app, .PUT, "/api/v1/persons/\(id)/programme", token: try await token(app, for: user),
                        json: Self.decision
                    ).status == .forbidden)
            }
            let b = Browser(app)
            try await b.login("nav.elverum")
            #expect(try await b.send(.GET, "/persons/\(id)/programme").status == .forbidden)
            #expect(try await b.send(.GET, "/programme").status == .forbidden)
            #expect(try await b.send(.GET, "/programme/payouts.csv").status == .forbidden)
            // Attendance before a decision exists is refused as a state conflict.
            let fresh = try await Self.participant(app)
            #expect(
                try await api(
                    app, .POST, "/api/v1/persons/\(fresh)/programme/attendance", token: advisor,
                    json: #"{"date":"2025-06-10","absenceHours":1,"absenceKind":"invalid"}"#
                ).status == .conflict)
        }
    }

    @Test("Ending needs a reason and gives the participation certificate; outcomes follow")
    func endingAndCertificate() async throws {
        try await withDemoApp { app in
            let id = try await Self.participant(app)
            let advisor = try await token(app, for: "veileder.elverum")
            _ = try await api(app, .PUT, "/api/v1/persons/\(id)/programme", token: advisor, json: Self.decision)
            let b = Browser(app)
            try await b.login("veileder.elverum")
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/measures",
                    form: [
                        "_csrf": try await b.csrf(), "kind": "norwegian", "from": "2025-05-01", "to": "2025-10-31",
                        "weeklyHours": "15",
                    ]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/measures",
                    form: [
                        "_csrf": try await b.csrf(), "kind": "work_practice", "from": "2025-05-01", "to": "2025-10-31",
                        "weeklyHours": "22,5",
                    ]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/measures",
                    form: [
                        "_csrf": try await b.csrf(), "kind": "norwegian", "from": "2025-05-01", "to": "2025-04-01",
                        "weeklyHours": "15",
                    ]
                ).status == .badRequest)
            #expect(try await b.send(.GET, "/persons/\(id)/programme/certificate").status == .notFound)
            // Attendance as it was recorded: two weeks of Norwegian, one of practice, one day with no measure.
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$person.$id == id).with(\.$measures).first())
            let norwegian = try #require(part.measures.first { $0.kind == .norwegian })
            let practice = try #require(part.measures.first { $0.kind == .workPractice })
            for (day, period, hours, measure) in [
                ("2025-05-05", "week", "15", norwegian.id), ("2025-05-12", "week", "12", norwegian.id),
                ("2025-05-05", "week", "22,5", practice.id), ("2025-06-02", "day", "6", nil),
            ] as [(String, String, String, UUID?)] {
                var form = [
                    "_csrf": try await b.csrf(), "date": day, "period": period, "presentHours": hours,
                    "absenceHours": "", "absenceKind": "",
                ]
                if let measure { form["measureId"] = measure.uuidString }
                #expect(
                    try await b.send(.POST, "/persons/\(id)/programme/attendance", form: form).status == .seeOther,
                    "\(day) \(hours)")
            }
            let noReason = try await api(
                app, .POST, "/api/v1/persons/\(id)/programme/ending", token: advisor, json: #"{"endDate":"2025-10-31"}"#
            )
            #expect(noReason.status == .badRequest)
            #expect(try noReason.content.decode(ErrorBody.self).error.field == "endReason")
            let ended = try await api(
                app, .POST, "/api/v1/persons/\(id)/programme/ending", token: advisor,
                json: #"{"endDate":"2025-10-31","endReason":"completed_work"}"#)
            #expect(try ended.content.decode(ProgrammeAPIController.ProgrammeDTO.self).status == "ended")
            // The hours attended, as recorded: 27 h Norwegian, 22.5 h practice, 6 h without a measure; 55.5 h in all.
            let cert = try await b.send(.GET, "/persons/\(id)/programme/certificate")
            #expect(cert.status == .ok)
            let html = cert.body.string
            #expect(html.contains("<td class=\"num\">27</td>") && html.contains("<td class=\"num\">22,5</td>"))
            #expect(html.contains("<td class=\"num\">6</td>") && html.contains("<td class=\"num\">55,5</td>"))
            // The document names the municipality, the issuer and the date, and says the outcome once.
            #expect(html.contains("Elverum kommune") && html.contains("Utstedt av Anders Bakken"))
            #expect(html.contains("Gjennomført, til arbeid"))
            #expect(html.components(separatedBy: "Gjennomført").count == 2)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/outcomes",
                    form: [
                        "_csrf": try await b.csrf(), "kind": "one_year", "status": "employed",
                        "recordedOn": LocalDate.today.iso,
                    ]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/outcomes",
                    form: [
                        "_csrf": try await b.csrf(), "kind": "one_year", "status": "retired",
                        "recordedOn": LocalDate.today.iso,
                    ]
                ).status == .badRequest)
            let other = Browser(app)
            try await other.login("saksbehandler.tynset")
            #expect(try await other.send(.GET, "/persons/\(id)/programme/certificate").status == .forbidden)
            // An interruption's reason is private: the certificate says only that it was interrupted.
            let interrupted = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$endReason == .illness).first())
            let page = try await b.send(.GET, "/persons/\(interrupted.$person.id)/programme/certificate").body.string
            #expect(page.contains("Avbrutt"))
            #expect(!page.contains("sykdom") && !page.contains("illness"))
        }
    }

    @Test("The programme page: forms keep input on errors; leave, reviews and attendance")
    func pageForms() async throws {
        try await withDemoApp { app in
            let id = try await Self.participant(app)
            let b = Browser(app)
            try await b.login("veileder.elverum")
            #expect(try await b.send(.GET, "/persons/\(id)/programme").status == .ok)
            let bad = try await b.send(
                .POST, "/persons/\(id)/programme",
                form: [
                    "_csrf": try await b.csrf(), "mappingDate": "2025-05-01", "decisionDate": "2025-04-20",
                    "mappingBy": "Kari Kartlegger",
                ])
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("Kari Kartlegger"))
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/leaves",
                    form: ["_csrf": try await b.csrf(), "from": "2025-07-01", "to": "2025-07-10", "reason": "x"]
                ).status == .conflict)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme",
                    form: [
                        "_csrf": try await b.csrf(), "mappingDate": "2025-04-01", "decisionDate": "2025-04-20",
                        "startDate": "2025-05-01", "finalGoal": "work", "plannedMonths": "12", "planDate": "2025-05-15",
                        "livesWithParents": "on",
                    ]
                ).status == .seeOther)
            #expect(
                try await PersonProgramme.query(on: app.db).filter(\.$person.$id == id).first()?.livesWithParents
                    == true)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/leaves",
                    form: ["_csrf": try await b.csrf(), "from": "2025-07-01", "to": "2025-07-10", "reason": "Velferd"]
                ).status == .seeOther)
            // A smaller form's error is shown at that form, with what was typed kept and the field marked.
            let badMeasure = try await b.send(
                .POST, "/persons/\(id)/programme/measures",
                form: [
                    "_csrf": try await b.csrf(), "kind": "norwegian", "from": "2025-09-01", "to": "2025-09-30",
                    "weeklyHours": "abc",
                ])
            #expect(badMeasure.status == .badRequest)
            #expect(badMeasure.body.string.contains("id=\"error-measures\""))
            #expect(badMeasure.body.string.contains("value=\"2025-09-01\""))
            #expect(badMeasure.body.string.contains("aria-describedby=\"e-measures-weeklyHours\""))
            #expect(badMeasure.body.string.contains("<p class=\"field-error\" id=\"e-measures-weeklyHours\">"))
            FormMessagesTests.expectWiring(badMeasure.body.string, "measures")
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/reviews",
                    form: ["_csrf": try await b.csrf(), "date": "2025-11-15", "note": "Gjennomgått"]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/reviews",
                    form: ["_csrf": try await b.csrf(), "date": "2025-11-15", "note": " "]
                ).status == .badRequest)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/attendance",
                    form: [
                        "_csrf": try await b.csrf(), "date": "2025-06-04", "period": "week", "presentHours": "30",
                        "absenceHours": "7,5", "absenceKind": "holiday",
                    ]
                ).status == .seeOther)
            let entry = try #require(
                try await AttendanceEntry.query(on: app.db).filter(\.$absenceKind == .holiday).all().first {
                    $0.presentMinutes == 1800
                })
            #expect(entry.date == LocalDate(iso: "2025-06-02"))  // a week is entered on its Monday
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/attendance",
                    form: ["_csrf": try await b.csrf(), "date": "2025-06-04", "absenceHours": "2"]
                ).status == .badRequest)
            let measure = ProgrammeMeasure()
            let part = try #require(try await PersonProgramme.query(on: app.db).filter(\.$person.$id == id).first())
            measure.$participation.id = part.id!
            measure.kind = .norwegian
            measure.from = LocalDate(iso: "2025-05-01")!
            measure.to = LocalDate(iso: "2025-12-31")!
            measure.weeklyMinutes = 900
            measure.selfStudy = false
            try await measure.create(on: app.db)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/measures/\(measure.id!)/delete",
                    form: ["_csrf": try await b.csrf()]
                ).status == .seeOther)
            #expect(try await ProgrammeMeasure.find(measure.id, on: app.db) == nil)
        }
    }

    @Test("Lists: caseload above the recommendation, payouts for payroll, data quality and the NIR file")
    func lists() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let overview = try await b.send(.GET, "/programme").body.string
            #expect(overview.contains("status--over\""))  // the demo advisor follows more than 20
            let payouts = try await b.send(.GET, "/programme/payouts")
            #expect(payouts.status == .ok)
            let csv = try await b.send(.GET, "/programme/payouts.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.hasPrefix("\u{FEFF}person_id;national_id;name;month"))
            #expect(csv.body.string.split(separator: "\r\n").count > 2)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export_payouts").count() == 1)
            let quality = try await b.send(.GET, "/programme/data-quality").body.string
            #expect(quality.contains("/programme\">"))  // at least one participant listed
            let nir = try await b.send(.GET, "/programme/nir.csv").body.string
            #expect(nir.hasPrefix("\u{FEFF}person_id;national_id;duf_number"))
            // The same list as a workbook.
            let book = try await b.send(.GET, "/programme/nir.xlsx")
            #expect(book.status == .ok && book.headers.contentType?.subType.hasSuffix("sheet") == true)
            #expect(try await b.send(.GET, "/programme/payouts?month=2025-13").status == .badRequest)
            // The worklist has the plan reviews due.
            #expect(try await b.send(.GET, "/worklist").body.string.contains("id=\"g-reviews\""))
            let leader = Browser(app)
            try await leader.login("leder.elverum")
            #expect(try await leader.send(.GET, "/programme/data-quality").status == .forbidden)
            #expect(try await leader.send(.GET, "/programme/nir.csv").status == .forbidden)
        }
    }
}
