import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Housing
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Settlement

/// Issue #15, housing: the dwellings, the allocation, tenancies and inspections, the way to one's own home; who may
/// reach each route (the integration service; the housing sector on households shared with it; nobody else).
@Suite("Housing: dwellings, allocation, tenancies and inspections")
struct HousingTests {
    /// The demo household of `name` ("Husstand Haddad") with its members and shares.
    static func household(_ app: Application, _ name: String) async throws -> Household {
        try #require(
            try await Household.query(on: app.db).filter(\.$name == name).with(\.$members) { $0.with(\.$shares) }
                .first())
    }

    static func tenancy(_ app: Application, of h: Household) async throws -> Tenancy {
        try #require(
            try await Tenancy.query(on: app.db).filter(\.$household.$id == h.id!).filter(\.$endedOn == nil).first())
    }

    @Test("The demo: Hemsedal's 11 municipal units (6 let) and 15 private leases; inspections due and overdue")
    func demo() async throws {
        try await withDemoApp { app in
            let hemsedal = Dwelling.query(on: app.db).filter(\.$municipality.$id == "3326")
            #expect(try await hemsedal.copy().filter(\.$owner == .municipal).count() == 11)
            #expect(try await hemsedal.copy().filter(\.$owner == .municipal).filter(\.$status == .let_).count() == 6)
            #expect(try await hemsedal.copy().filter(\.$owner == .privateLease).count() == 15)
            // Every let dwelling has exactly one active tenancy, and no other dwelling has one.
            let active = try await Tenancy.query(on: app.db).filter(\.$endedOn == nil).with(\.$dwelling).all()
            #expect(active.allSatisfy { $0.dwelling.status == .let_ })
            #expect(try await Dwelling.query(on: app.db).filter(\.$status == .let_).count() >= active.count)
            let today = LocalDate.today
            #expect(active.contains { ($0.nextInspection ?? today) < today })
            #expect(active.contains { ($0.nextInspection.map { $0 >= today }) ?? false })
            // On their way to their own homes: steps taken, and one who reached it with a start loan.
            #expect(active.contains { $0.startLoanAppliedOn != nil && $0.housingSchoolOn != nil })
            #expect(try await Tenancy.query(on: app.db).filter(\.$endReason == .startLoan).count() >= 1)
            // The stored next visit is the rule's, computed afresh from the checklist and the visits.
            let settings = app.housingParameters
            for t in active {
                let visits = try await Inspection.query(on: app.db).filter(\.$tenancy.$id == t.id!)
                    .filter(\.$moveIn == false).all().map(\.date)
                let dues = InspectionSchedule.dues(start: t.start, items: settings.checklist.items)
                let open = InspectionSchedule.nextOpen(dues, start: t.start, inspections: visits, graceDays: 14)
                #expect(t.nextInspection == open?.due)
            }
        }
    }

    @Test("Who reaches which route: the integration service, the housing sector on shared households, nobody else")
    func access() async throws {
        try await withDemoApp { app in
            let shared = try await Self.tenancy(app, of: try await Self.household(app, "Husstand Haddad"))
            let unshared = try await Self.tenancy(app, of: try await Self.household(app, "Husstand Kovalenko"))
            let dwelling = try #require(
                try await Dwelling.query(on: app.db).filter(\.$municipality.$id == "3420").first())
            let pages = [
                "/housing", "/housing/dwellings/new", "/housing/dwellings/\(dwelling.id!)", "/housing/queue",
                "/housing/tenancies", "/housing/dwellings.csv", "/housing/tenancies.xlsx", "/housing/queue.csv",
                "/housing/tenancies/\(shared.id!)",
            ]
            for user in ["saksbehandler.elverum", "veileder.elverum", "bolig.elverum"] {
                let b = Browser(app)
                try await b.login(user)
                for p in pages { #expect(try await b.send(.GET, p).status == .ok, "\(user) \(p)") }
                let other = try await b.send(.GET, "/housing/tenancies/\(unshared.id!)").status
                #expect(other == (user == "bolig.elverum" ? .forbidden : .ok), "\(user) on an unshared household")
            }
            // The housing partner keeps the register: a new dwelling and a change of it are stored and audited.
            let keeper = Browser(app)
            try await keeper.login("bolig.elverum")
            let kc = try await keeper.csrf()
            let form = [
                "_csrf": kc, "municipality": "3420", "address": "Prøvevegen 1, 2406 Elverum", "owner": "foundation",
                "rooms": "3", "rent": "8900", "status": "free",
            ]
            #expect(try await keeper.send(.POST, "/housing/dwellings", form: form).status == .seeOther)
            let made = try #require(
                try await Dwelling.query(on: app.db).filter(\.$address == "Prøvevegen 1, 2406 Elverum").first())
            var change = form
            change["rent"] = "9100"
            #expect(try await keeper.send(.POST, "/housing/dwellings/\(made.id!)", form: change).status == .seeOther)
            #expect(try await Dwelling.find(made.id, on: app.db)?.rent == 9100)
            change["status"] = "let"
            #expect(try await keeper.send(.POST, "/housing/dwellings/\(made.id!)", form: change).status == .badRequest)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$recordType == "dwelling")
                    .filter(\.$recordID == made.id!.uuidString).count() == 2)
            // Its writes on a household not shared with it are refused and audited.
            let refused = try await keeper.send(
                .POST, "/housing/tenancies/\(unshared.id!)/own-home", form: ["_csrf": kc, "saving": "1"])
            #expect(refused.status == .forbidden)
            // The housing partner's list has only the households every member of which is shared with housing.
            let partner = Browser(app)
            try await partner.login("bolig.elverum")
            let list = try await partner.send(.GET, "/housing/tenancies").body.string
            #expect(list.contains("Husstand Haddad") && !list.contains("Husstand Kovalenko"))
            let refusals = try await AuditEntry.query(on: app.db).filter(\.$recordType == "tenancy")
                .filter(\.$action == "denied_read").filter(\.$recordID == unshared.id!.uuidString).count()
            #expect(refusals >= 1)
            // Other partners, the leader and the administrator: nothing here (the administrator keeps the checklist).
            for user in [
                "nav.elverum", "helse.elverum", "skole.elverum", "barnehage.elverum", "frivillig.elverum",
                "leder.elverum", "admin.elverum",
            ] {
                let b = Browser(app)
                try await b.login(user)
                for p in pages { #expect(try await b.send(.GET, p).status == .forbidden, "\(user) \(p)") }
                let csrf = try await b.csrf()
                for path in [
                    "/housing/dwellings", "/housing/dwellings/\(dwelling.id!)",
                    "/housing/dwellings/\(dwelling.id!)/reserve",
                    "/housing/dwellings/\(dwelling.id!)/release", "/housing/dwellings/\(dwelling.id!)/tenancy",
                    "/housing/tenancies/\(shared.id!)", "/housing/tenancies/\(shared.id!)/own-home",
                    "/housing/tenancies/\(shared.id!)/end", "/housing/tenancies/\(shared.id!)/inspections",
                ] {
                    let post = try await b.send(.POST, path, form: ["_csrf": csrf, "address": "x"])
                    #expect(post.status == .forbidden, "\(user) POST \(path)")
                }
                #expect(
                    try await b.send(.GET, "/housing/allocate?household=\(shared.$household.id)").status == .forbidden)
                let checklist = try await b.send(.GET, "/housing/checklist").status
                #expect(checklist == (user == "admin.elverum" ? .ok : .forbidden), "\(user) checklist")
            }
            // Another municipality's partner or case worker: refused.
            let tynset = Browser(app)
            try await tynset.login("saksbehandler.tynset")
            #expect(try await tynset.send(.GET, "/housing/dwellings/\(dwelling.id!)").status == .forbidden)
            #expect(try await tynset.send(.GET, "/housing/tenancies/\(shared.id!)").status == .forbidden)
            // The person page: the housing section for the housing partner on a shared file, not on another.
            let member = try #require(try await Self.household(app, "Husstand Haddad").members.first)
            let page = try await partner.send(.GET, "/persons/\(member.id!)").body.string
            #expect(page.contains("data-section=\"housing\""))
        }
    }

    @Test("The lists' filters as the forms send them: empty fields mean any, the rows and counts from the database")
    func filters() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.gol")
            let any = try await b.send(.GET, "/housing?municipality=&status=&owner=&rooms=")
            #expect(any.status == .ok)
            let all = try await Dwelling.query(on: app.db).filter(\.$municipality.$id ~~ ["3324", "3326"]).count()
            #expect(any.body.string.contains("Boliger (\(all))"))
            let three = try await b.send(.GET, "/housing?municipality=3326&status=let&owner=&rooms=3")
            let n = try await Dwelling.query(on: app.db).filter(\.$municipality.$id == "3326")
                .filter(\.$status == .let_).filter(\.$rooms == 3).count()
            #expect(three.body.string.contains("Boliger (\(n))"))
            #expect(try await b.send(.GET, "/housing?rooms=tre").status == .badRequest)
            #expect(try await b.send(.GET, "/housing/tenancies?show=&municipality=").status == .ok)
            #expect(try await b.send(.GET, "/housing/tenancies?show=soon").status == .badRequest)
            let ending = try await b.send(.GET, "/housing/tenancies?show=ending&municipality=3326")
            let soon = LocalDate.today.adding(days: 90)
            let m = try await Tenancy.query(on: app.db).filter(\.$municipality.$id == "3326").filter(\.$endedOn == nil)
                .filter(\.$agreedEnd <= soon).count()
            #expect(ending.body.string.contains(m == 0 ? "Ingen leieforhold" : "Leieforhold (\(m))"))
        }
    }

    @Test("Allocate a dwelling to an incoming household: ranked by fit, reserved, the assessment marked")
    func allocateIncoming() async throws {
        try await withDemoApp { app in
            let incoming = try #require(
                try await IncomingHousehold.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$decision == .pending).filter(\.$householdID == nil).with(\.$members).all()
                    .first { $0.members.count >= 3 })
            let b = Browser(app)
            try await b.login("bolig.elverum")
            let page = try await b.send(.GET, "/housing/allocate?incoming=\(incoming.id!)")
            #expect(page.status == .ok)
            // The ranking on the page is the rule's over the free and soon-free dwellings.
            let need = SettlementFeature.need(incoming).need
            let rule = try #require(app.housingParameters.value(\.roomRule, on: .today))
            let free = try await Dwelling.query(on: app.db).filter(\.$municipality.$id == "3420")
                .filter(\.$status ~~ [.free, .preparing]).sort(\.$address).sort(\.$id).all()
            let (ranked, _) = DwellingMatch.rank(
                need,
                free.map {
                    DwellingOffer(
                        id: $0.id!.uuidString, rooms: $0.rooms, stepFree: $0.stepFree, status: $0.status,
                        schoolKm: $0.schoolKm)
                },
                rule: rule, weights: app.housingParameters.value(\.weights, on: .today)!)
            let best = try #require(ranked.first)
            #expect(free.first { $0.id!.uuidString == best.id }!.rooms >= rule.rooms(for: need))
            let html = page.body.string
            let order = ranked.compactMap { r in html.range(of: "data-dwelling=\"\(r.id)\"")?.lowerBound }
            #expect(order == order.sorted() && order.count == ranked.count)
            // The proposal's assessment shows the same capacity: dwellings with the rooms it needs, free or soon.
            let needed = max(rule.rooms(for: need), incoming.rooms ?? 0)
            let fitting = free.filter { $0.rooms >= needed && (!need.stepFree || $0.stepFree) }.count
            let proposal = try await b.send(.GET, "/settlement/incoming/\(incoming.id!)").body.string
            #expect(proposal.contains("minst \(needed) rom: \(fitting)."))
            let csrf = try await b.csrf()
            let res = try await b.send(
                .POST, "/housing/dwellings/\(best.id)/reserve",
                form: ["_csrf": csrf, "incoming": incoming.id!.uuidString])
            #expect(res.status == .seeOther)
            let d = try #require(try await Dwelling.find(UUID(uuidString: best.id), on: app.db))
            #expect(d.status == .reserved && d.reservedIncoming == incoming.id)
            let after = try #require(try await IncomingHousehold.find(incoming.id, on: app.db))
            #expect(after.housingStatus == .ok)
            #expect(after.assessmentNote?.contains(d.address) == true)
            // Reserving it again is refused with a message, and nothing changes.
            let again = try await b.send(
                .POST, "/housing/dwellings/\(best.id)/reserve",
                form: ["_csrf": csrf, "incoming": incoming.id!.uuidString])
            #expect(again.status == .badRequest)
            #expect(again.body.string.contains("Boligen er ikke ledig."))
        }
    }

    /// A multipart inspection form with an optional file, as the browser sends it.
    static func inspection(
        _ b: Browser, _ tenancy: UUID, fields: [(String, String)], file: (type: String, bytes: [UInt8])? = nil
    ) async throws -> TestingHTTPResponse {
        let boundary = "housing-boundary"
        var body = ByteBuffer()
        for (name, value) in [("_csrf", try await b.csrf())] + fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        if let file {
            body.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"photos[]\"; filename=\"a\"\r\nContent-Type: \(file.type)\r\n\r\n"
            )
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var h = HTTPHeaders()
        h.contentType = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])
        h.replaceOrAdd(name: .cookie, value: b.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        return try await b.app.testing().sendRequest(
            .POST, "/housing/tenancies/\(tenancy)/inspections", headers: h, body: body)
    }

    @Test("Record an inspection with a photo: the next visit moves on; a wrong file is refused and nothing stored")
    func recordInspection() async throws {
        try await withDemoApp { app in
            let h = try await Self.household(app, "Husstand Mukendi")
            let t = try await Self.tenancy(app, of: h)
            let due = try #require(t.nextInspection)
            let items = InspectionSchedule.dues(start: t.start, items: app.housingParameters.checklist.items)
                .first { $0.due == due }!.items
            let b = Browser(app)
            try await b.login("bolig.elverum")
            let before = try await Inspection.query(on: app.db).filter(\.$tenancy.$id == t.id!).count()
            // Not an image: refused, the form shown again.
            let bad = try await Self.inspection(
                b, t.id!, fields: [("date", LocalDate.today.iso), ("findings", "Alt i orden")],
                file: ("image/png", Array("not a picture".utf8)))
            #expect(bad.status == .badRequest)
            #expect(try await Inspection.query(on: app.db).filter(\.$tenancy.$id == t.id!).count() == before)
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 32)
            let ok = try await Self.inspection(
                b, t.id!,
                fields: [
                    ("date", LocalDate.today.iso), ("findings", "Brannslukker sjekket"), ("nextSteps", "Snømåking"),
                ]
                    + items.map { ("items[]", $0) }, file: ("image/png", png))
            #expect(ok.status == .seeOther)
            let saved = try #require(
                try await Inspection.query(on: app.db).filter(\.$tenancy.$id == t.id!).filter(
                    \.$findings == "Brannslukker sjekket"
                )
                .with(\.$photos).first())
            #expect(saved.items == items)
            let photo = try #require(saved.photos.first)
            #expect(photo.contentType == "image/png" && photo.bytes == png.count)
            let after = try await Self.tenancy(app, of: h)
            #expect(after.nextInspection.map { $0 > due } ?? true)
            // The photo: for the tenancy's readers only.
            let shown = try await b.send(.GET, "/housing/photos/\(photo.id!)")
            #expect(shown.status == .ok && shown.headers.contentType?.subType == "png")
            let nav = Browser(app)
            try await nav.login("nav.elverum")
            #expect(try await nav.send(.GET, "/housing/photos/\(photo.id!)").status == .forbidden)
            // The worklist's inspections: the active tenancies due within the window, the partner's own only.
            let worklist = try await b.send(.GET, "/worklist").body.string
            let soon = LocalDate.today.adding(days: Deadlines.soonDays)
            let dueNow = try await Tenancy.query(on: app.db).filter(\.$municipality.$id == "3420")
                .filter(\.$endedOn == nil).filter(\.$nextInspection <= soon).with(\.$household) {
                    $0.with(\.$members) { $0.with(\.$shares) }
                }
                .all().filter { t in t.household.members.allSatisfy { $0.activeSectors.contains(.housing) } }
            for d in dueNow { #expect(worklist.contains("/housing/tenancies/\(d.id!)#inspections")) }
        }
    }

    @Test("Start and end a tenancy for a settled household; the longest stay and the household's other tenancy refuse")
    func tenancyLifecycle() async throws {
        try await withDemoApp { app in
            let h = try await Self.household(app, "Husstand Rahimi")
            let d = try #require(
                try await Dwelling.query(on: app.db).filter(\.$municipality.$id == "3420").filter(\.$status == .free)
                    .first())
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let csrf = try await b.csrf()
            #expect(
                try await b.send(
                    .POST, "/housing/dwellings/\(d.id!)/reserve", form: ["_csrf": csrf, "household": h.id!.uuidString]
                ).status == .seeOther)
            let today = LocalDate.today
            // Reserved for Rahimi: another household cannot move in.
            let other = try await Self.household(app, "Husstand Kovalenko")
            let elsewhere = try await b.send(
                .POST, "/housing/dwellings/\(d.id!)/tenancy",
                form: ["_csrf": csrf, "form": "tenancy", "household": other.id!.uuidString, "start": today.iso])
            #expect(elsewhere.status == .badRequest)
            #expect(elsewhere.body.string.contains("Boligen er reservert for en annen husstand."))
            let tooLong = try await b.send(
                .POST, "/housing/dwellings/\(d.id!)/tenancy",
                form: [
                    "_csrf": csrf, "form": "tenancy", "household": h.id!.uuidString, "start": today.iso,
                    "agreedEnd": today.adding(months: 37).iso,
                ])
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.body.string.contains("Kommunens lengste botid er 36 måneder."))
            #expect(try await Tenancy.query(on: app.db).filter(\.$household.$id == h.id!).count() == 0)
            let started = try await b.send(
                .POST, "/housing/dwellings/\(d.id!)/tenancy",
                form: [
                    "_csrf": csrf, "form": "tenancy", "household": h.id!.uuidString, "start": today.iso,
                    "agreedEnd": today.adding(months: 36).iso, "rent": "9000", "navGuarantee": "27000",
                ])
            #expect(started.status == .seeOther)
            let t = try await Self.tenancy(app, of: h)
            let settled = try #require(h.members.compactMap(\.settlementDate).min())
            #expect(t.goalDate == settled.adding(years: 3) && t.rent == 9000 && t.navGuarantee == 27000)
            #expect(try await Dwelling.find(d.id, on: app.db)?.status == .let_)
            // A second dwelling for the same household is refused.
            let second = try #require(
                try await Dwelling.query(on: app.db).filter(\.$municipality.$id == "3420").filter(\.$status == .free)
                    .first())
            _ = try await b.send(
                .POST, "/housing/dwellings/\(second.id!)/reserve", form: ["_csrf": csrf, "household": h.id!.uuidString])
            let twice = try await b.send(
                .POST, "/housing/dwellings/\(second.id!)/tenancy",
                form: ["_csrf": csrf, "form": "tenancy", "household": h.id!.uuidString, "start": today.iso])
            #expect(twice.status == .badRequest)
            #expect(twice.body.string.contains("Husstanden har allerede et leieforhold."))
            let ended = try await b.send(
                .POST, "/housing/tenancies/\(t.id!)/end",
                form: ["_csrf": csrf, "form": "end", "endedOn": today.iso, "reason": "own_rental"])
            #expect(ended.status == .seeOther)
            let after = try #require(try await Tenancy.find(t.id, on: app.db))
            #expect(after.endReason == .ownRental && after.endedOn == today && after.nextInspection == nil)
            #expect(try await Dwelling.find(d.id, on: app.db)?.status == .preparing)
            let audits = try await AuditEntry.query(on: app.db).filter(\.$recordType == "tenancy")
                .filter(\.$recordID == t.id!.uuidString).all().map(\.action)
            #expect(audits.contains("create") && audits.contains("end"))
        }
    }

    @Test("The administrator's checklist replaces the shipped one and moves every tenancy's next visit")
    func checklist() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("admin.elverum")
            let csrf = try await b.csrf()
            let bad = try await b.send(
                .POST, "/housing/checklist",
                form: [
                    "_csrf": csrf, "municipality": "3420", "title.0": "Brann", "fromYear.0": "3", "toYear.0": "1",
                    "interval.0": "yearly",
                ])
            #expect(bad.status == .badRequest)
            let saved = try await b.send(
                .POST, "/housing/checklist",
                form: [
                    "_csrf": csrf, "municipality": "3420", "title.0": "Brannsikkerhet", "fromYear.0": "1",
                    "toYear.0": "5", "interval.0": "yearly", "title.1": "", "maxStayMonths": "24",
                ])
            #expect(saved.status == .seeOther)
            let rows = try await ChecklistRow.query(on: app.db).filter(\.$municipality.$id == "3420").all()
            #expect(rows.map(\.title) == ["Brannsikkerhet"])
            let ctx = ServiceContext(app: app, user: nil, route: "test")
            let s = try await HousingService.settings(ctx, "3420")
            #expect(s.maxStayMonths == 24 && s.ownChecklist)
            for t in try await Tenancy.query(on: app.db).filter(\.$municipality.$id == "3420").filter(\.$endedOn == nil)
                .all()
            {
                let dues = InspectionSchedule.dues(start: t.start, items: s.checklist)
                let visits = try await Inspection.query(on: app.db).filter(\.$tenancy.$id == t.id!)
                    .filter(\.$moveIn == false).all().map(\.date)
                #expect(
                    t.nextInspection
                        == InspectionSchedule.nextOpen(
                            dues, start: t.start, inspections: visits, graceDays: s.graceDays)?.due)
            }
        }
    }

    @Test("POST /api/v1/housing/match: the contract's example, the dated rule, and 400 naming the field")
    func matchAPI() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.elverum")
            let res = try await api(
                app, .POST, "/api/v1/housing/match", token: t,
                json:
                    #"{"household":{"adults":2,"children":[{"age":4},{"age":9}],"stepFree":false},"dwellings":[{"id":"a","rooms":3,"stepFree":false,"status":"free"},{"id":"b","rooms":2,"status":"free"},{"id":"c","rooms":4,"status":"preparing"}]}"#
            )
            #expect(res.status == .ok)
            struct Answer: Decodable {
                struct R: Decodable {
                    var id: String
                    var score: Double
                    var reasons: [String]
                }
                struct X: Decodable {
                    var id: String
                    var reasons: [String]
                }
                var roomsNeeded: Int
                var ranked: [R]
                var excluded: [X]
            }
            let body = try JSONDecoder().decode(Answer.self, from: res.body)
            #expect(body.roomsNeeded == 3)
            #expect(body.ranked.map(\.id) == ["a", "c"])
            #expect(body.ranked.first?.reasons.contains("rooms_fit") == true)
            #expect(body.excluded.map(\.id) == ["b"])
            for (json, field) in [
                (
                    #"{"household":{"adults":2,"children":[]},"dwellings":[{"id":"a","rooms":0,"status":"free"}]}"#,
                    "dwellings[0].rooms"
                ),
                (#"{"household":{"adults":2,"children":[{"age":30}]},"dwellings":[]}"#, "household.children[0].age"),
                (
                    #"{"household":{"adults":2,"children":[]},"dwellings":[{"id":"a","rooms":2,"status":"taken"}]}"#,
                    "dwellings[0].status"
                ),
                (
                    #"{"household":{"adults":2,"children":[]},"dwellings":[{"id":"a","rooms":2,"status":"free"},{"id":"a","rooms":2,"status":"free"}]}"#,
                    "dwellings[1].id"
                ),
                (#"{"household":{"adults":2,"children":[]},"dwellings":[],"extra":1}"#, "extra"),
                (#"{"dwellings":[]}"#, "household"),
            ] {
                let r = try await api(app, .POST, "/api/v1/housing/match", token: t, json: json)
                #expect(r.status == .badRequest, "\(json)")
                #expect(r.body.string.contains("\"\(field)\""), "\(field): \(r.body.string)")
            }
            let nav = try await token(app, for: "nav.elverum")
            #expect(
                try await api(
                    app, .POST, "/api/v1/housing/match", token: nav,
                    json: #"{"household":{"adults":1,"children":[]},"dwellings":[]}"#
                ).status == .forbidden)
        }
    }

    @Test("Own home within 3 years: the indicator equals a count made from the same tenancies")
    func ownHomeIndicator() async throws {
        try await withDemoApp { app in
            // Households settled in 2016 (goal days in 2019, a year the demo leaves empty): reached, late, still
            // renting, moved away (not counted) and in their own lease (not counted).
            let cases: [(TenancyEnd?, Int?, Bool)] = [
                (.ownRental, -30, true), (.startLoan, -200, true), (.ownRental, -1, true), (.startLoan, 0, true),
                (.ownRental, -90, true), (.startLoan, -10, true), (.ownRental, -400, true), (.ownRental, 20, true),
                (.startLoan, 100, true), (nil, nil, true), (nil, nil, true), (.movedAway, -50, true), (nil, nil, false),
            ]
            let d = try #require(try await Dwelling.query(on: app.db).filter(\.$municipality.$id == "3420").first())
            var reached = 0
            var counted = 0
            for (n, (reason, offset, serviceHeld)) in cases.enumerated() {
                let h = Household()
                h.$municipality.id = "3420"
                h.name = "Telling \(n)"
                try await h.create(on: app.db)
                let settled = LocalDate(iso: "2016-03-01")!.adding(days: n * 7)
                let t = Tenancy()
                t.$municipality.id = "3420"
                t.$dwelling.id = d.id!
                t.$household.id = h.id!
                t.start = settled
                t.rent = 9000
                t.goalDate = settled.adding(years: 3)
                t.serviceHeld = serviceHeld
                t.saving = false
                if let reason, let offset {
                    t.endReason = reason
                    t.endedOn = t.goalDate.adding(days: offset)
                }
                try await t.create(on: app.db)
                let status = OwnHomeGoal.status(goal: t.goalDate, ended: t.endedOn, reason: t.endReason, today: .today)
                guard serviceHeld, status != .other else { continue }
                counted += 1
                if status == .reached { reached += 1 }
            }
            #expect(counted == 11 && reached == 7)
            let leader = try await token(app, for: "leder.elverum")
            let figure = try await PlanTests.figure(app, leader, "own_home_3y", from: "2019-01-01", to: "2019-12-31")
            #expect(figure == PlanTests.expected(.share(reached, of: counted, threshold: app.disclosure.threshold)))
        }
    }
}
