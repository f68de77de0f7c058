import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The demo's economy: a rate table for the current year, marked as an example (the year's real rates are not in
/// the sources; an administrator enters them), and Elverum's payments from IMDi for the year, with differences to
/// explain: most paid as the rules give, some less, one more, some not yet.
enum EconomyDemo {
    static func load(_ demo: DemoContext) async throws {
        let year = LocalDate.today.year
        let shipped = demo.app.grantRules.tables
        if shipped[year] == nil, let recent = shipped[2024], let older = shipped[2015] {
            var t = recent
            t.year = year
            t.reference =
                "DEMO: eksempelsatser for \(year) (2024-satsene for år 1, 2015-satsene for år 2–5), ikke IMDis satser"
            func example(_ r: GrantRate, _ from: Int) -> GrantRate {
                GrantRate(kroner: r.kroner, reference: "DEMO: \(from)-satsen (\(r.reference))")
            }
            t.integrationYear1 = t.integrationYear1.mapValues { example($0, 2024) }
            t.integrationLaterYears = older.integrationLaterYears.mapValues { example($0, 2015) }
            t.elderly = t.elderly.map { example($0, 2024) }
            t.kindergarten = t.kindergarten.map { example($0, 2024) }
            t.unaccompaniedMinorFlat = older.unaccompaniedMinorFlat.map { example($0, 2015) }
            t.disability1 = t.disability1.map { example($0, 2024) }
            t.disability2Max = t.disability2Max.map { example($0, 2024) }
            t.norwegian = older.norwegian.map { n in
                var c = n
                c.base = n.base.map {
                    .init(fromPersons: $0.fromPersons, toPersons: $0.toPersons, rate: example($0.rate, 2015))
                }
                c.personLow = n.personLow.mapValues { example($0, 2015) }
                c.personHigh = n.personHigh.mapValues { example($0, 2015) }
                return c
            }
            let record = GrantRateRecord()
            record.year = year
            record.body = String(decoding: try JSONEncoder().encode(t), as: UTF8.self)
            record.addedAt = Oslo.now()
            record.addedBy = demo.users["sysadmin"]
            try await record.create(on: demo.db)
        }
        try await payments(demo, year: year)
        try await scenarios(demo, from: year + 1)
    }

    /// Tynset's two Fjellregionen scenarios from the regional study its plan was written around (Tynset seed: settle
    /// "IMDi sine anmodninger over en tidsperiode på tre år" or "500 personer over en tidsperiode på tre år"), over
    /// the four municipalities of the region in the demo, and the capacities recorded so far: Tynset's in full,
    /// Alvdal's and Tolga's in part, Folldal's not yet.
    static func scenarios(_ demo: DemoContext, from first: Int) async throws {
        let db = demo.db
        let region: [Kommunenummer] = ["3426", "3427", "3428", "3429"]
        for (name, summary, arrivals) in [
            (
                "IMDis anmodning over tre år",
                "Fjellregionen bosetter det IMDi ber om: anmodningen for \(first - 1) til de fire kommunene "
                    + "(Tynset 12, Alvdal 8, Tolga 6, Folldal 6), tre år på rad.", [32, 32, 32]
            ),
            (
                "500 personer over tre år",
                "Fjellregionen bosetter 500 personer over tre år, som i utredningens modell b.", [167, 167, 166]
            ),
        ] as [(String, String, [Int])] {
            let s = SettlementScenario()
            s.municipality = "3427"
            s.name = name
            s.summary = summary
            s.firstYear = first
            s.updatedAt = Oslo.now()
            s.updatedBy = demo.users["leder.tynset"]
            try await s.create(on: db)
            for (i, n) in arrivals.enumerated() {
                let a = ScenarioArrival()
                a.scenarioID = s.id!
                a.year = first + i
                a.persons = n
                try await a.create(on: db)
            }
            for m in region {
                let member = ScenarioMember()
                member.scenarioID = s.id!
                member.municipality = m
                try await member.create(on: db)
            }
        }
        let recorded: [(Kommunenummer, CapacityKind, Int)] = [
            ("3427", .dwellingsSmall, 14), ("3427", .dwellingsFamily, 9), ("3427", .unaccompaniedMinorPlaces, 6),
            ("3427", .programmeAdvisors, 3), ("3427", .kindergartenPlaces, 12), ("3427", .schoolPlaces, 30),
            ("3427", .adultEducationPlaces, 60), ("3427", .workPracticePlaces, 25),
            ("3428", .dwellingsSmall, 6), ("3428", .dwellingsFamily, 4), ("3428", .kindergartenPlaces, 5),
            ("3428", .schoolPlaces, 15), ("3426", .dwellingsSmall, 4), ("3426", .dwellingsFamily, 3),
        ]
        for (m, kind, amount) in recorded {
            let c = MunicipalCapacity()
            c.municipality = m
            c.kind = kind
            c.amount = amount
            c.recordedOn = LocalDate.today
            c.note = "Demodata: eksempeltall"
            try await c.create(on: db)
        }
    }

    /// Elverum's payments for the year, in the order of the persons' names so that the demo is the same each time.
    static func payments(_ demo: DemoContext, year: Int) async throws {
        let db = demo.db
        let rules = try await GrantRateStore.rules(demo.app, on: db)
        let persons = try await Person.query(on: db).filter(\.$municipality.$id == "3420").all().sorted {
            ($0.familyName, $0.givenName, $0.birthDate) < ($1.familyName, $1.givenName, $1.birthDate)
        }
        let members = try await GrantFacts.members(of: Set(persons.compactMap { $0.$household.id }), on: db)
        let today = LocalDate.today
        var paid = 0
        for p in persons {
            let others = p.$household.id.map { h in (members[h] ?? []).filter { $0.id != p.id } } ?? []
            guard case .success(let gp) = GrantFacts.person(p, others: others) else { continue }
            guard
                let y = GrantFacts.years(gp, p, rules: rules, engine: demo.app.rulesEngine, today: today)
                    .first(where: { $0.year == year })
            else { continue }
            for line in y.lines where line.scheme != .norwegian {
                // Every sixth is not paid yet, one in six is short, one in six is paid more; the rest as expected.
                let amount: Int
                switch paid % 6 {
                case 4: amount = line.amountOre * 3 / 4
                case 5: amount = line.amountOre + 1_000_000
                case 3: amount = 0
                default: amount = line.amountOre
                }
                guard amount > 0 else { continue }
                let payment = GrantPayment()
                payment.municipality = "3420"
                payment.personID = p.id!
                payment.year = year
                payment.term = 1
                payment.scheme = line.scheme
                payment.amountOre = amount
                payment.reference = "IMDi \(year)-1"
                payment.registeredAt = Oslo.now()
                payment.registeredBy = demo.users["saksbehandler.elverum"]
                try await payment.create(on: db)
            }
            paid += 1
        }
    }
}
