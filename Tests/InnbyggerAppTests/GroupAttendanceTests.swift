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

@Suite("Group attendance", .serialized)
struct GroupAttendanceTests {
    /// Two demo participants in Elverum who are in the programme this week with Norwegian training.
    static func twoActive(_ app: Application) async throws -> [PersonProgramme] {
        let week = LocalDate.today.weekStart
        let parts = try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420").with(\.$measures)
            .with(\.$person).all()
            .filter { p in
                p.endDate == nil && p.startDate.map { $0 <= week } == true
                    && p.measures.contains { $0.kind == .norwegian && $0.from <= week && $0.to >= week }
            }
        #expect(parts.count >= 2)
        return Array(parts.prefix(2))
    }

    @Test("One bad row stores nothing and keeps what was typed; then the whole week is stored")
    func groupForm() async throws {
        try await withDemoApp { app in
            let parts = try await Self.twoActive(app)
            let (a, b) = (parts[0].id!, parts[1].id!)
            let browser = Browser(app)
            try await browser.login("veileder.elverum")
            let page = try await browser.send(.GET, "/programme/attendance?measure=norwegian")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("name=\"present.\(a)\""))
            let before = try await AttendanceEntry.query(on: app.db).count()
            var form = [
                "_csrf": try await browser.csrf(), "week": LocalDate.today.iso, "measure": "norwegian",
                "present.\(a)": "15", "present.\(b)": "12", "absence.\(b)": "3",
            ]
            let bad = try await browser.send(.POST, "/programme/attendance", form: form)
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("value=\"15\""))
            #expect(try await AttendanceEntry.query(on: app.db).count() == before)
            form["kind.\(b)"] = "sick_child"
            let ok = try await browser.send(.POST, "/programme/attendance", form: form)
            #expect(
                ok.status == .seeOther,
                "\(ok.body.string.components(separatedBy: "alert--error").dropFirst().first?.prefix(600) ?? "")")
            #expect(try await AttendanceEntry.query(on: app.db).count() == before + 2)
            let entry = try #require(
                try await AttendanceEntry.query(on: app.db).filter(\.$participation.$id == b).filter(
                    \.$absenceKind == .sickChild
                ).filter(\.$date == LocalDate.today.weekStart).first())
            #expect(entry.period == .week && entry.presentMinutes == 720 && entry.absenceMinutes == 180)
            // With the measure filter, the entry belongs to the participant's Norwegian measure that week.
            let measure = try #require(parts[1].measures.first { $0.id == entry.measureID })
            #expect(measure.kind == .norwegian)
            let partner = Browser(app)
            try await partner.login("nav.elverum")
            #expect(try await partner.send(.GET, "/programme/attendance").status == .forbidden)
        }
    }

    @Test("Attendance from CSV: all or nothing, through the API and the page")
    func csvImport() async throws {
        try await withDemoApp { app in
            let parts = try await Self.twoActive(app)
            let day = LocalDate.today.weekStart.iso
            let good =
                "personId;date;period;presentHours;absenceHours;absenceKind\n\(parts[0].$person.id);\(day);day;6;1,5;invalid\n\(parts[1].$person.id);\(day);day;7,5;;\n"
            let cw = try await token(app, for: "veileder.elverum")
            func post(_ text: String, token: String, type: HTTPMediaType = HTTPMediaType(type: "text", subType: "csv"))
                async throws -> TestingHTTPResponse
            {
                var h = HTTPHeaders()
                h.bearerAuthorization = .init(token: token)
                h.contentType = type
                return try await app.testing().sendRequest(
                    .POST, "/api/v1/programme/attendance", headers: h, body: ByteBuffer(string: text))
            }
            let before = try await AttendanceEntry.query(on: app.db).count()
            let wrongMeasure = try await post(
                "personId;date;absenceHours;absenceKind;measure\n\(parts[0].$person.id);\(day);1;invalid;trade_course\n",
                token: cw)
            #expect(try wrongMeasure.content.decode(RecordsImported.self).problems.first?.field == "measure")
            let bad = try await post(good + "\(UUID());\(day);day;7,5;;\n", token: cw)
            #expect(bad.status == .badRequest)
            #expect(
                try bad.content.decode(RecordsImported.self).problems.contains { $0.row == 3 && $0.field == "personId" }
            )
            #expect(try await AttendanceEntry.query(on: app.db).count() == before)
            let ok = try await post(good, token: cw)
            #expect(ok.status == .created)
            #expect(try ok.content.decode(RecordsImported.self).stored == 2)
            #expect(try await post(good, token: try await token(app, for: "nav.elverum")).status == .forbidden)
            #expect(try await post(good, token: cw, type: .json).status == .unsupportedMediaType)
            // The page takes the same file: the same days again are corrected, not added a second time.
            let browser = Browser(app)
            try await browser.login("veileder.elverum")
            #expect(try await browser.upload("/programme/attendance/import", csv: good).status == .seeOther)
            #expect(try await AttendanceEntry.query(on: app.db).count() == before + 2)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "update_attendance").count() == 2)
        }
    }
}

@Suite("Outcomes and deductions", .serialized)
struct OutcomeImportTests {
    @Test("Outcome statuses from CSV, all or nothing; refused for partners")
    func outcomes() async throws {
        try await withDemoApp { app in
            let ended = try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420").filter(
                \.$endDate != nil
            ).with(\.$outcomes).all()
                .filter { $0.outcomes.isEmpty }
            #expect(ended.count >= 2)
            let today = LocalDate.today.iso
            let good =
                "personId,kind,status,recordedOn\n\(ended[0].$person.id),one_year,employed,\(today)\n\(ended[1].$person.id),one_year,education,\(today)\n"
            var h = HTTPHeaders()
            h.bearerAuthorization = .init(token: try await token(app, for: "veileder.elverum"))
            h.contentType = HTTPMediaType(type: "text", subType: "csv")
            let before = try await ProgrammeOutcome.query(on: app.db).count()
            let bad = try await app.testing().sendRequest(
                .POST, "/api/v1/programme/outcomes", headers: h,
                body: ByteBuffer(string: good + "\(ended[0].$person.id),one_year,retired,\(today)\n"))
            #expect(bad.status == .badRequest)
            #expect(
                try bad.content.decode(RecordsImported.self).problems.contains { $0.row == 3 && $0.field == "status" })
            #expect(try await ProgrammeOutcome.query(on: app.db).count() == before)
            let ok = try await app.testing().sendRequest(
                .POST, "/api/v1/programme/outcomes", headers: h, body: ByteBuffer(string: good))
            #expect(ok.status == .created)
            #expect(try await ProgrammeOutcome.query(on: app.db).count() == before + 2)
            h.bearerAuthorization = .init(token: try await token(app, for: "nav.elverum"))
            #expect(
                try await app.testing().sendRequest(
                    .POST, "/api/v1/programme/outcomes", headers: h, body: ByteBuffer(string: good)
                ).status == .forbidden)
            // The page shows the problems of a bad file.
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let page = try await b.upload(
                "/programme/outcomes/import", csv: "personId,kind,status\nx,one_year,employed")
            #expect(page.status == .badRequest)
            #expect(page.body.string.contains("recordedOn"))
        }
    }

    @Test("Another deduction counts in the month's benefit: 1 000 kr off May 2025")
    func deduction() async throws {
        try await withDemoApp { app in
            let id = try await ProgrammeTests.participant(app)
            let advisor = try await token(app, for: "veileder.elverum")
            _ = try await api(
                app, .PUT, "/api/v1/persons/\(id)/programme", token: advisor, json: ProgrammeTests.decision)
            let b = Browser(app)
            try await b.login("veileder.elverum")
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/deductions",
                    form: ["_csrf": try await b.csrf(), "month": "2025-05", "amount": "1000", "reason": "Dagpenger"]
                ).status == .seeOther)
            #expect(
                try await b.send(
                    .POST, "/persons/\(id)/programme/deductions",
                    form: ["_csrf": try await b.csrf(), "month": "2025-05", "amount": "-5", "reason": "x"]
                ).status == .badRequest)
            // May 2025: 2 169 333 øre, less 100 000 øre = 2 069 333.
            let dto = try await api(app, .GET, "/api/v1/persons/\(id)/programme", token: advisor).content.decode(
                ProgrammeAPIController.ProgrammeDTO.self)
            #expect(dto.benefit.first { $0.month == "2025-05" }?.netOre == 2_069_333)
        }
    }
}

@Suite("Attendance: one record per week, within the plan", .serialized)
struct AttendanceWeekTests {
    /// The week's saved record for a participant and its Norwegian measure.
    static func weekRecords(_ app: Application, _ part: UUID) async throws -> [AttendanceEntry] {
        try await AttendanceEntry.query(on: app.db).filter(\.$participation.$id == part)
            .filter(\.$date == LocalDate.today.weekStart).filter(\.$period == .week).all()
    }

    static func audits(_ app: Application, _ action: String) async throws -> Int {
        try await AuditEntry.query(on: app.db).filter(\.$action == action).count()
    }

    @Test("A saved week reopens with its values, is corrected in place, and is deleted when cleared — all audited")
    func weekIsOneRecord() async throws {
        try await withDemoApp { app in
            let parts = try await GroupAttendanceTests.twoActive(app)
            let a = parts[0].id!
            for e in try await Self.weekRecords(app, a) { try await e.delete(on: app.db) }
            let browser = Browser(app)
            try await browser.login("veileder.elverum")
            let csrf = try await browser.csrf()
            var form = ["_csrf": csrf, "week": LocalDate.today.iso, "measure": "norwegian", "present.\(a)": "10"]
            #expect(try await browser.send(.POST, "/programme/attendance", form: form).status == .seeOther)
            let page = try await browser.send(.GET, "/programme/attendance?measure=norwegian").body.string
            #expect(
                page.contains(
                    "id=\"p-\(a)\" name=\"present.\(a)\" type=\"text\" inputmode=\"decimal\" size=\"5\" value=\"10\""))
            // Saving the reopened week again corrects it: still one record, now 12 hours.
            form["present.\(a)"] = "12"
            #expect(try await browser.send(.POST, "/programme/attendance", form: form).status == .seeOther)
            var records = try await Self.weekRecords(app, a)
            #expect(records.count == 1)
            #expect(records.first?.presentMinutes == 720)
            #expect(try await Self.audits(app, "update_attendance") >= 1)
            // Clearing the row deletes the week.
            form["present.\(a)"] = ""
            #expect(try await browser.send(.POST, "/programme/attendance", form: form).status == .seeOther)
            records = try await Self.weekRecords(app, a)
            #expect(records.isEmpty)
            #expect(try await Self.audits(app, "delete_attendance") >= 1)
        }
    }

    @Test("More hours than the plan has for the week are refused with a message on the row, in Norwegian")
    func overThePlan() async throws {
        try await withDemoApp { app in
            let parts = try await GroupAttendanceTests.twoActive(app)
            let a = parts[0].id!
            for e in try await Self.weekRecords(app, a) { try await e.delete(on: app.db) }
            let norwegian = try #require(
                parts[0].measures.first { $0.kind == .norwegian && $0.from <= .today && $0.to >= .today })
            let browser = Browser(app)
            try await browser.login("veileder.elverum")
            let over = NorwegianFormat.hours(minutes: norwegian.weeklyMinutes + 60)
            let res = try await browser.send(
                .POST, "/programme/attendance",
                form: [
                    "_csrf": try await browser.csrf(), "week": LocalDate.today.iso, "measure": "norwegian",
                    "order": "\(a)", "present.\(a)": over,
                ])
            #expect(res.status == .badRequest)
            #expect(
                res.body.string.contains(
                    "Uken har bare \(NorwegianFormat.hours(minutes: norwegian.weeklyMinutes)) timer"))
            #expect(res.body.string.contains("Rad 1"))
            #expect(try await Self.weekRecords(app, a).isEmpty)
            // The same on the programme page: a day on top of a full week is refused.
            let id = parts[0].$person.id
            let page = try await browser.send(
                .POST, "/persons/\(id)/programme/attendance",
                form: [
                    "_csrf": try await browser.csrf(), "date": LocalDate.today.weekStart.iso, "period": "week",
                    "presentHours": NorwegianFormat.hours(minutes: norwegian.weeklyMinutes),
                    "measureId": norwegian.id!.uuidString,
                ])
            #expect(page.status == .seeOther)
            let again = try await browser.send(
                .POST, "/persons/\(id)/programme/attendance",
                form: [
                    "_csrf": try await browser.csrf(), "date": LocalDate.today.weekStart.iso, "period": "day",
                    "presentHours": "2", "measureId": norwegian.id!.uuidString,
                ])
            #expect(again.status == .badRequest)
        }
    }

    @Test("Everyone present fills the empty rows with the plan's hours; a typed row keeps its value")
    func everyonePresent() async throws {
        try await withDemoApp { app in
            let parts = try await GroupAttendanceTests.twoActive(app)
            let (a, b) = (parts[0].id!, parts[1].id!)
            for p in [a, b] { for e in try await Self.weekRecords(app, p) { try await e.delete(on: app.db) } }
            let browser = Browser(app)
            try await browser.login("veileder.elverum")
            let res = try await browser.send(
                .POST, "/programme/attendance",
                form: [
                    "_csrf": try await browser.csrf(), "week": LocalDate.today.iso, "measure": "norwegian",
                    "order": "\(a),\(b)", "present.\(b)": "5", "allPresent": "yes",
                ])
            #expect(res.status == .seeOther)
            let measureA = try #require(
                parts[0].measures.first { $0.kind == .norwegian && $0.from <= .today && $0.to >= .today })
            #expect(try await Self.weekRecords(app, a).first?.presentMinutes == measureA.weeklyMinutes)
            #expect(try await Self.weekRecords(app, b).first?.presentMinutes == 300)
        }
    }

    @Test("A row on the programme page can be deleted, and the deletion is audited")
    func deleteRow() async throws {
        try await withDemoApp { app in
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .with(\.$attendance).all().first { !$0.attendance.isEmpty })
            let entry = part.attendance[0]
            let browser = Browser(app)
            try await browser.login("veileder.elverum")
            let res = try await browser.send(
                .POST, "/persons/\(part.$person.id)/programme/attendance/\(entry.id!)/delete",
                form: ["_csrf": try await browser.csrf()])
            #expect(res.status == .seeOther)
            #expect(try await AttendanceEntry.find(entry.id, on: app.db) == nil)
            #expect(try await Self.audits(app, "delete_attendance") == 1)
        }
    }

    @Test("No demo participant has more hours in a week than the plan gives it")
    func demoWithinPlan() async throws {
        try await withDemoApp { app in
            let parts = try await PersonProgramme.query(on: app.db).with(\.$attendance).with(\.$measures).all()
            var weeks = 0
            for p in parts {
                let byWeek = Dictionary(grouping: p.attendance, by: { $0.date.weekStart })
                for (week, entries) in byWeek {
                    let total = entries.reduce(0) { $0 + $1.presentMinutes + $1.absenceMinutes }
                    let cap = AttendanceCap.plannedMinutes(week: week, measures: p.measures.map(\.planned))
                    #expect(
                        AttendanceCap.fits(recorded: 0, adding: total, planned: cap), "\(p.id!) \(week.iso): \(total)")
                    weeks += 1
                }
            }
            #expect(weeks > 50)
        }
    }
}
