import Fluent
import Testing
import VaporTesting

@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Overview
@testable import Programme
@testable import Settlement

/// Small-number suppression on every page that shows counts to leaders: a figure hidden only to protect a small one
/// (complementary suppression) is not in the page either.
@Suite("Suppressed figures on the pages")
struct SuppressionTests {
    /// A person in the municipality with just what the counts read.
    static func person(
        _ municipality: String, citizenship: String = "SY", ground: ResidenceGround = .refugee,
        settled: LocalDate? = nil, _ app: Application
    ) async throws {
        let p = Person()
        p.$municipality.id = Kommunenummer(municipality)!
        p.givenName = "Test"
        p.familyName = "Person"
        p.birthDate = LocalDate(iso: "1990-01-01")!
        p.sex = .female
        p.citizenship = citizenship
        p.residenceGround = ground
        p.settledByAgreement = settled != nil
        p.settlementDate = settled
        try await p.create(on: app.db)
    }

    @Test("Reports: one person from Tuvalu hides Nauru's six too, in the page and the API")
    func reports() async throws {
        try await withDemoApp { app in
            try await Person.query(on: app.db).filter(\.$municipality.$id == "3427").set(\.$citizenship, to: "SY")
                .set(\.$residenceGround, to: .refugee).update()
            try await Self.person("3427", citizenship: "TV", app)
            for _ in 0..<6 { try await Self.person("3427", citizenship: "NR", app) }
            let b = Browser(app)
            try await b.login("leder.tynset")
            let page = try await b.send(.GET, "/reports").body.string
            // The persons less Syria's would otherwise give Tuvalu's 1.
            #expect(page.contains(#"<tr><td>Tuvalu</td><td class="num">prikket</td></tr>"#))
            #expect(page.contains(#"<tr><td>Nauru</td><td class="num">prikket</td></tr>"#))
            #expect(!page.contains(#"<tr><td>Nauru</td><td class="num">6</td></tr>"#))
            // Shown counts first, the suppressed after them, so their place says nothing of their size.
            let sy = try #require(page.range(of: "<td>Syria</td>")).lowerBound
            #expect(sy < page.range(of: "<td>Nauru</td>")!.lowerBound)
            let stats = try await api(
                app, .GET, "/api/v1/statistics/overview", token: try await token(app, for: "leder.tynset")
            ).content.decode(Statistics.self)
            let tynset = try #require(stats.municipalities.first { $0.code == "3427" })
            let nauru = try #require(tynset.byCitizenship.first { $0.key == "NR" })
            #expect(nauru.suppressed && nauru.count == nil)
            #expect(!tynset.persons.suppressed)
            #expect(!tynset.byCitizenship.first { $0.key == "SY" }!.suppressed)
        }
    }

    /// Six settled in March and one in May, against a decision of 20.
    static let progress = SettlementProgress(
        year: 2031, decided: 20,
        settlements: (Array(repeating: 3, count: 6) + [5]).map {
            .init(date: LocalDate(year: 2031, month: $0, day: 15)!, byAgreement: true, familyReunification: false)
        })

    @Test("Settlement figures: May's one hides March's six and the running total between them")
    func settlementFigures() {
        let f = SettlementFigures(Self.progress, DisclosureControl(threshold: 5))
        #expect(f.monthly[4] == .suppressed)
        #expect(f.monthly[2] == .suppressed)
        #expect(f.cumulative.map(\.isSuppressed) == [false, false, true, true] + Array(repeating: false, count: 8))
        #expect(f.counted == .exact(7))
        #expect(f.remaining == .exact(13))
        let chart = SettlementChart(f, monthLabels: (1...12).map { "\($0)" })
        #expect(chart.bars.filter(\.suppressed).map(\.label) == ["3", "5"])
        // Every suppressed month is drawn the same, whatever its value.
        #expect(chart.bars[2].height == chart.bars[4].height)
        #expect(chart.bars[2].value == nil)
        // The running total's line stops before March and starts again in May.
        #expect(chart.line.split(separator: " ").filter { $0.hasPrefix("M") }.count == 2)
    }

    @Test("Settlement page: March's six are neither in the table nor in the chart")
    func settlementPage() async throws {
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            let created = try await api(
                app, .POST, "/api/v1/settlement-years", token: cw,
                json: #"{"municipality":"3420","year":2031,"requested":20,"decided":20,"decisionDate":"2031-02-01"}"#)
            #expect(created.status == .created || created.status == .ok)
            for month in Array(repeating: 3, count: 6) + [5] {
                try await Self.person("3420", settled: LocalDate(year: 2031, month: month, day: 15), app)
            }
            let b = Browser(app)
            try await b.login("leder.elverum")
            let page = try await b.send(.GET, "/settlement?year=2031").body.string
            #expect(page.contains(#"<tr><td>mar</td><td class="num">prikket</td><td class="num">prikket</td>"#))
            #expect(page.contains(#"<tr><td>mai</td><td class="num">prikket</td><td class="num">7</td>"#))
            #expect(!page.contains(#"<tr><td>mar</td><td class="num">6</td>"#))
            #expect(page.components(separatedBy: "class=\"chart-bar--suppressed\"").count - 1 == 2)
            #expect(page.components(separatedBy: "class=\"chart-bar\"").count - 1 == 10)
            #expect(page.contains("<strong>7</strong>"))
            #expect(page.contains("Grå merker og «prikket»: færre enn 5"))
        }
    }

    @Test("Programme: one without work hides the share, which would give the five in work")
    func programmeOutcomes() async throws {
        try await withDemoApp { app in
            let parts = try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                .with(\.$outcomes).all()
            let ended = parts.filter { p in p.endDate != nil && p.outcomes.contains { $0.kind == .oneYear } }
            let year = try #require(
                Dictionary(grouping: ended) { $0.endDate!.year }.max { $0.value.count < $1.value.count })
            try #require(year.value.count >= 6)
            for (i, p) in year.value.enumerated() {
                let o = p.outcomes.first { $0.kind == .oneYear }!
                o.status = i == 0 ? .unemployedOrMeasure : .employed
                try await o.save(on: app.db)
            }
            let n = year.value.count
            let b = Browser(app)
            try await b.login("veileder.elverum")
            let page = try await b.send(.GET, "/programme").body.string
            let row = "<tr><td>\(year.key)</td><td class=\"num\">\(n)</td><td class=\"num\">"
            #expect(page.contains(row + "for få til å vise</td></tr>"))
            let percent = ((n - 1) * 200 + n) / (2 * n)
            #expect(!page.contains(row + "\(percent) %"))
        }
    }
}
