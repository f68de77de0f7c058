import Fluent
import Testing
import VaporTesting
import ZIPFoundation

@testable import Economy
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel

/// Settlement scenarios: drawn up on the page and over the API, their grants and needs against hand-computed values,
/// the capacities they are measured against, compared side by side and exported; and who may do what.
@Suite("Settlement scenarios", .serialized)
struct ScenarioTests {
    static let first = LocalDate.today.year + 1

    static func json(
        name: String = "Ti enslige", municipality: String = "3427", members: [String] = [], arrivals: [Int] = [10],
        composition: String? = #"{"singleAdults":100}"#, firstYear: Int = first
    ) -> String {
        let m = members.map { "\"\($0)\"" }.joined(separator: ",")
        let c = composition.map { #","composition":\#($0)"# } ?? ""
        return
            #"{"name":"\#(name)","municipality":"\#(municipality)","municipalities":[\#(m)],"firstYear":\#(firstYear),"arrivals":[\#(arrivals.map(String.init).joined(separator: ","))]\#(c)}"#
    }

    @Test("A scenario's grants and needs are the rules' and the model's, against the region's recorded capacity")
    func result() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "leder.tynset")
            let created = try await api(app, .POST, "/api/v1/economy/scenarios", token: t, json: Self.json())
            #expect(created.status == .created, "\(created.body.string)")
            let s = try created.content.decode(ScenarioAPIController.ScenarioDTO.self)
            #expect(s.arrivals == [10] && s.municipalities == ["3427"] && s.composition?["singleAdults"] == 100)
            let res = try await api(app, .GET, "/api/v1/economy/scenarios/\(s.id)/result", token: t)
            #expect(res.status == .ok, "\(res.body.string)")
            let r = try res.content.decode(ScenarioAPIController.ResultDTO.self)
            #expect(r.years.map(\.year) == Array(Self.first...(Self.first + 4)))
            #expect(r.years.map(\.persons) == [10, 10, 10, 10, 10])
            // Ten single adults: ten times the year-1 single-adult rate in the first year, the year-2 rate after.
            let rules = GrantForecast(rules: try await GrantRateStore.rules(app, on: app.db), through: Self.first + 4)
                .rules
            let year1 = try #require(rules.tables[Self.first]?.integrationYear1["single_adult"]).ore
            let year2 = try #require(rules.tables[Self.first + 1]?.integrationLaterYears["2"]).ore
            #expect(r.years[0].grantsOre == 10 * year1 && r.years[0].schemes["integration"] == 10 * year1)
            #expect(r.years[1].grantsOre == 10 * year2)
            // Tynset's own caseload norm (20): ten participants need one advisor; ten small dwellings for three years.
            func need(_ kind: CapacityKind) throws -> ScenarioAPIController.ResultDTO.Capacity {
                try #require(r.capacities.first { $0.kind == kind.rawValue })
            }
            #expect(try need(.programmeAdvisors).years.map(\.need) == [1, 1, 0, 0, 0])
            #expect(try need(.dwellingsSmall).years.map(\.need) == [10, 10, 10, 0, 0])
            #expect(try need(.adultEducationPlaces).years.map(\.need) == [10, 10, 10, 0, 0])
            #expect(try need(.workPracticePlaces).years.map(\.need) == [5, 5, 0, 0, 0])
            #expect(try need(.kindergartenPlaces).years.allSatisfy { $0.need == 0 })
            // The demo's Tynset has 14 small dwellings: enough, with the status said per year.
            #expect(try need(.dwellingsSmall).has == 14 && need(.dwellingsSmall).years[0].status == "enough")
            #expect(r.assumptions["participantsPerAdvisor"] == 20 && r.compositionSource == "entered")

            // Widened to Folldal, which has recorded nothing: the sum is Tynset's, and Folldal is named.
            let put = try await api(
                app, .PUT, "/api/v1/economy/scenarios/\(s.id)", token: t,
                json: Self.json(members: ["3429"], arrivals: [60, 0, 20], composition: nil))
            #expect(put.status == .ok, "\(put.body.string)")
            let wider = try await api(app, .GET, "/api/v1/economy/scenarios/\(s.id)/result", token: t).content.decode(
                ScenarioAPIController.ResultDTO.self)
            let small = try #require(wider.capacities.first { $0.kind == "dwellings_small" })
            #expect(small.has == 14 && small.notRecordedIn == ["3429"])
            #expect(wider.years.map(\.persons) == [60, 60, 80, 80, 80])
            #expect(wider.compositionSource != "entered")
            let minors = try #require(wider.capacities.first { $0.kind == "unaccompanied_minor_places" })
            #expect(minors.has == 6)
            // A kind nobody in the region has recorded is "not recorded", never zero.
            try await MunicipalCapacity.query(on: app.db).filter(\.$kind == .workPracticePlaces).delete()
            let none = try await api(app, .GET, "/api/v1/economy/scenarios/\(s.id)/result", token: t).content.decode(
                ScenarioAPIController.ResultDTO.self)
            let practice = try #require(none.capacities.first { $0.kind == "work_practice_places" })
            #expect(practice.has == nil && practice.years.allSatisfy { $0.status == "not_recorded" })
        }
    }

    @Test("The API refuses bad input naming the field, writes are audited, a deleted scenario is gone")
    func crud() async throws {
        try await withDemoApp { app in
            let t = try await token(app, for: "saksbehandler.tynset")
            for (body, field) in [
                (Self.json(name: ""), "name"),
                (Self.json(arrivals: []), "arrivals"),
                (Self.json(arrivals: [10, -1]), "arrivals[1]"),
                (Self.json(arrivals: [1, 1, 1, 1, 1, 1]), "arrivals"),
                (Self.json(composition: #"{"elderly":150}"#), "composition[elderly]"),
                (Self.json(composition: #"{"robots":10}"#), "composition[robots]"),
                (Self.json(composition: #"{"elderly":0}"#), "composition[adultsInFamilies]"),
                (Self.json(members: ["9999"]), "municipalities"),
                (Self.json(members: ["12"]), "municipalities[0]"),
                (Self.json(firstYear: 1900), "firstYear"),
                (Self.json(municipality: "x"), "municipality"),
            ] {
                let res = try await api(app, .POST, "/api/v1/economy/scenarios", token: t, json: body)
                #expect(res.status == .badRequest, "\(body): \(res.body.string)")
                #expect(try res.content.decode(ErrorBody.self).error.field == field, "\(body)")
            }
            let before = try await AuditEntry.query(on: app.db).filter(\.$recordType == "settlement_scenario").count()
            let created = try await api(app, .POST, "/api/v1/economy/scenarios", token: t, json: Self.json())
            let id = try created.content.decode(ScenarioAPIController.ScenarioDTO.self).id
            let moved = try await api(
                app, .PUT, "/api/v1/economy/scenarios/\(id)", token: t, json: Self.json(municipality: "3420"))
            #expect(moved.status == .forbidden || moved.status == .badRequest)
            let renamed = try await api(
                app, .PUT, "/api/v1/economy/scenarios/\(id)", token: t, json: Self.json(name: "Nytt navn"))
            #expect(try renamed.content.decode(ScenarioAPIController.ScenarioDTO.self).name == "Nytt navn")
            let list = try await api(app, .GET, "/api/v1/economy/scenarios?municipality=3427", token: t)
            let listed = try list.content.decode(ScenarioAPIController.ListDTO.self)
            #expect(listed.scenarios.contains { $0.id == id } && listed.total >= 3)
            #expect(try await api(app, .DELETE, "/api/v1/economy/scenarios/\(id)", token: t).status == .noContent)
            #expect(try await api(app, .GET, "/api/v1/economy/scenarios/\(id)", token: t).status == .notFound)
            let actions = try await AuditEntry.query(on: app.db).filter(\.$recordType == "settlement_scenario")
                .sort(\.$id).all().dropFirst(before).map(\.action)
            #expect(actions == ["create", "update", "delete"])
            #expect(try await ScenarioArrival.query(on: app.db).filter(\.$scenarioID == id).count() == 0)
        }
    }

    @Test("Partners see nothing of it; advisors read; another municipality's leader is refused")
    func access() async throws {
        try await withDemoApp { app in
            let tynset = try #require(
                try await SettlementScenario.query(on: app.db).filter(\.$municipality == "3427").first())
            let id = tynset.id!.uuidString
            for partner in ["voksenopplaering.tynset", "helse.elverum"] {
                let b = Browser(app)
                try await b.login(partner)
                for path in ["/economy/scenarios", "/economy/scenarios/\(id)", "/economy/capacity"] {
                    #expect(try await b.send(.GET, path).status == .forbidden, "\(partner) \(path)")
                }
                let t = try await token(app, for: partner)
                #expect(try await api(app, .GET, "/api/v1/economy/scenarios", token: t).status == .forbidden)
                #expect(
                    try await api(app, .GET, "/api/v1/economy/scenarios/\(id)/result", token: t).status == .forbidden)
                #expect(
                    try await api(app, .POST, "/api/v1/economy/scenarios", token: t, json: Self.json()).status
                        == .forbidden)
            }
            let elverum = try await token(app, for: "leder.elverum")
            #expect(try await api(app, .GET, "/api/v1/economy/scenarios/\(id)", token: elverum).status == .forbidden)
            let theirs = try await api(app, .GET, "/api/v1/economy/scenarios", token: elverum).content.decode(
                ScenarioAPIController.ListDTO.self)
            #expect(!theirs.scenarios.contains { $0.municipality == "3427" })
            #expect(
                try await api(app, .GET, "/api/v1/economy/scenarios?municipality=3427", token: elverum).status
                    == .forbidden)
            for bad in ["", "12", "3427x"] {
                let res = try await api(app, .GET, "/api/v1/economy/scenarios?municipality=\(bad)", token: elverum)
                #expect(res.status == .badRequest, "municipality=\(bad)")
            }
            #expect(try await api(app, .GET, "/api/v1/economy/capacities/12", token: elverum).status == .badRequest)
            // An advisor reads Elverum's scenarios but does not draw them up or record capacity.
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            #expect(try await advisor.send(.GET, "/economy/scenarios").status == .ok)
            #expect(try await advisor.send(.GET, "/economy/capacity?municipality=3420").status == .ok)
            let csrf = try await advisor.csrf()
            let refused = try await advisor.send(
                .POST, "/economy/capacity", form: ["_csrf": csrf, "municipality": "3420", "dwellings_small": "3"])
            #expect(refused.status == .forbidden)
            let t = try await token(app, for: "veileder.elverum")
            #expect(
                try await api(
                    app, .POST, "/api/v1/economy/scenarios", token: t, json: Self.json(municipality: "3420")
                ).status == .forbidden)
        }
    }

    @Test("The form keeps what was typed with the message at its field; saved, changed and deleted on the page")
    func form() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("leder.tynset")
            #expect(try await b.send(.GET, "/economy/scenarios/new").status == .ok)
            let csrf = try await b.csrf()
            var fields = [
                "_csrf": csrf, "name": "Femti over to år", "municipality": "3427", "firstYear": String(Self.first),
                "arrivals-0": "25", "arrivals-1": "abc", "member-3428": "1",
            ]
            let bad = try await b.send(.POST, "/economy/scenarios", form: fields)
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("id=\"e-arrivals-1\""))
            #expect(bad.body.string.contains("value=\"Femti over to år\""))
            // What could not be read is shown as typed, and the years left empty stay empty.
            func typed(_ id: String, _ value: String) -> String {
                "name=\"\(id)\" type=\"number\" min=\"0\" max=\"100000\" size=\"6\" value=\"\(value)\""
            }
            #expect(bad.body.string.contains(typed("arrivals-1", "abc")))
            #expect(bad.body.string.contains(typed("arrivals-2", "")))
            #expect(bad.body.string.contains("id=\"member-3428\" name=\"member-3428\" value=\"1\" checked"))
            fields["arrivals-1"] = "25"
            let good = try await b.send(.POST, "/economy/scenarios", form: fields)
            #expect(good.status == .seeOther, "\(good.body.string)")
            let location = try #require(good.headers.first(name: .location))
            let page = try await b.send(.GET, location)
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Femti over to år") && html.contains("<svg") && html.contains("Alvdal"))
            #expect(html.contains("Programveiledere"))
            let stored = try #require(
                try await SettlementScenario.query(on: app.db).filter(\.$name == "Femti over to år").first())
            let loaded = try await ScenarioService.loaded(stored, on: app.db)
            #expect(loaded.arrivals == [Self.first: 25, Self.first + 1: 25] && loaded.members == ["3427", "3428"])
            #expect(stored.composition == nil)
            fields["composition-singleAdults"] = "60"
            fields["composition-adultsInFamilies"] = "40"
            let changed = try await b.send(.POST, location, form: fields)
            #expect(changed.status == .seeOther)
            let after = try #require(try await SettlementScenario.find(stored.id, on: app.db))
            #expect(after.singleAdults == 600 && after.adultsInFamilies == 400 && after.elderly == 0)
            #expect(try await b.send(.GET, location + "/edit").body.string.contains("value=\"60\""))
            let deleted = try await b.send(.POST, location + "/delete", form: ["_csrf": csrf])
            #expect(deleted.status == .seeOther)
            #expect(try await SettlementScenario.find(stored.id, on: app.db) == nil)
        }
    }

    @Test("Two or three side by side, printable, as CSV and XLSX; four are refused")
    func compare() async throws {
        try await withDemoApp { app in
            let demo = try await SettlementScenario.query(on: app.db).filter(\.$municipality == "3427").sort(\.$name)
                .all()
            #expect(demo.map(\.name) == ["500 personer over tre år", "IMDis anmodning over tre år"])
            let ids = demo.map { "ids[]=\($0.id!.uuidString)" }.joined(separator: "&")
            let b = Browser(app)
            try await b.login("leder.tynset")
            let list = try await b.send(.GET, "/economy/scenarios")
            #expect(list.status == .ok && list.body.string.contains("500 personer over tre år"))
            let page = try await b.send(.GET, "/economy/scenarios/compare?\(ids)")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.components(separatedBy: "<svg").count - 1 == 3)
            #expect(html.contains("chart-series-1") && html.contains("IMDis anmodning over tre år"))
            // Folldal has recorded nothing in the demo: said, not counted as zero.
            #expect(html.contains("ikke registrert for Folldal"))
            let csv = try await b.send(.GET, "/economy/scenarios/compare.csv?\(ids)")
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv")
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.first == "\u{FEFF}scenario;measure;year;value")
            #expect(lines.contains { $0.hasPrefix("500 personer over tre år;Bosatt i året;\(Self.first);167") })
            let xlsx = try await b.send(.GET, "/economy/scenarios/compare.xlsx?\(ids)")
            #expect(xlsx.status == .ok)
            let archive = try Archive(data: Data(buffer: xlsx.body), accessMode: .read)
            #expect(archive["xl/worksheets/sheet1.xml"] != nil)
            let four = (0..<4).map { _ in "ids[]=\(demo[0].id!.uuidString)" }.joined(separator: "&")
            #expect(try await b.send(.GET, "/economy/scenarios/compare?\(four)").status == .badRequest)
            #expect(try await b.send(.GET, "/economy/scenarios/compare?ids[]=nope").status == .badRequest)
        }
    }

    @Test("Capacity is recorded per kind; an empty field is not recorded, a bad one refused with what was typed")
    func capacity() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("leder.tynset")
            let csrf = try await b.csrf()
            let bad = try await b.send(
                .POST, "/economy/capacity",
                form: ["_csrf": csrf, "municipality": "3429", "dwellings_small": "-2", "school_places": "7"])
            #expect(bad.status == .forbidden)
            // Tynset's leader records Tynset's figures.
            let refused = try await b.send(
                .POST, "/economy/capacity", form: ["_csrf": csrf, "municipality": "3427", "dwellings_small": "-2"])
            #expect(refused.status == .badRequest && refused.body.string.contains("id=\"e-dwellings_small\""))
            let stored = try await b.send(
                .POST, "/economy/capacity",
                form: ["_csrf": csrf, "municipality": "3427", "dwellings_small": "20", "note": "Boligkontoret"])
            #expect(stored.status == .seeOther)
            let rows = try await MunicipalCapacity.query(on: app.db).filter(\.$municipality == "3427").all()
            #expect(rows.count == 1 && rows[0].amount == 20 && rows[0].kind == .dwellingsSmall)
            #expect(try await b.send(.GET, "/economy/capacity?municipality=3427").body.string.contains("value=\"20\""))
            // The same over the API: every kind given or not recorded; bad kinds and numbers named.
            let t = try await token(app, for: "leder.tynset")
            let put = try await api(
                app, .PUT, "/api/v1/economy/capacities/3427", token: t,
                json: #"{"capacities":{"programme_advisors":4,"school_places":null},"note":"Rådmannen"}"#)
            #expect(put.status == .ok, "\(put.body.string)")
            let figures = try put.content.decode(ScenarioAPIController.CapacitiesDTO.self)
            #expect(figures.capacities.map(\.kind) == ["programme_advisors"] && figures.capacities[0].amount == 4)
            for (json, field) in [
                (#"{"capacities":{"robots":1}}"#, "capacities[robots]"),
                (#"{"capacities":{"school_places":-1}}"#, "capacities[school_places]"),
            ] {
                let res = try await api(app, .PUT, "/api/v1/economy/capacities/3427", token: t, json: json)
                #expect(res.status == .badRequest)
                #expect(try res.content.decode(ErrorBody.self).error.field == field)
            }
            #expect(
                try await api(app, .PUT, "/api/v1/economy/capacities/3420", token: t, json: "{}").status == .forbidden)
            let advisor = try await token(app, for: "veileder.elverum")
            #expect(try await api(app, .GET, "/api/v1/economy/capacities/3420", token: advisor).status == .ok)
            #expect(
                try await api(app, .PUT, "/api/v1/economy/capacities/3420", token: advisor, json: "{}").status
                    == .forbidden)
        }
    }
}
