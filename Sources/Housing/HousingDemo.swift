import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// The housing demo (issue #15): Hemsedal's 11 municipal units, 6 of them let to refugees, and the 15 private
/// leases the integration service holds (Hemsedal seed, "Eiendom (bolig)", March 2025); Elverum's stock with its
/// tenancies, inspections due and overdue, and households on their way to their own homes. Everything is derived
/// from the demo's fixed lists, so the demo is the same every time it loads.
enum HousingDemo {
    /// Hemsedal households settled before the demo's own (the tenants of its units and leases): name, settlement,
    /// members (given name, birth date, sex).
    static let hemsedalHouseholds: [(String, String, String, [(String, String, Sex)])] = [
        (
            "Alkhatib", "SY", "2022-03-14",
            [("Ahmad", "1984-02-11", .male), ("Huda", "1987-06-03", .female), ("Sami", "2013-09-21", .male)]
        ),
        ("Hussein", "SY", "2022-09-05", [("Layla", "1991-04-17", .female), ("Karim", "2016-12-02", .male)]),
        ("Yohannes", "ER", "2023-01-23", [("Daniel", "1995-08-30", .male)]),
        ("Petrenko", "UA", "2023-03-06", [("Natalia", "1980-01-19", .female), ("Ivan", "2010-05-07", .male)]),
        ("Savchenko", "UA", "2023-05-15", [("Oleh", "1978-10-10", .male), ("Svitlana", "1979-03-28", .female)]),
        (
            "Hakimi", "AF", "2023-08-28",
            [("Nasrin", "1993-07-07", .female), ("Omid", "2019-02-14", .male), ("Sara", "2021-11-30", .female)]
        ),
        ("Lysenko", "UA", "2023-10-02", [("Kateryna", "1999-12-12", .female)]),
        ("Berhe", "ER", "2024-01-15", [("Semhar", "1990-03-03", .female), ("Abel", "2014-06-16", .male)]),
        ("Moroz", "UA", "2024-03-04", [("Andrii", "1969-09-09", .male), ("Halyna", "1971-02-20", .female)]),
        (
            "Nazari", "AF", "2024-04-22",
            [
                ("Reza", "1988-05-05", .male), ("Maryam", "1992-08-08", .female), ("Yasin", "2017-01-01", .male),
                ("Hana", "2020-04-04", .female),
            ]
        ),
        ("Tkachenko", "UA", "2024-06-10", [("Iryna", "1985-11-11", .female), ("Marta", "2012-03-23", .female)]),
        (
            "Osman", "SY", "2024-09-02",
            [("Mahmoud", "1976-06-06", .male), ("Rasha", "1980-10-18", .female), ("Nour", "2009-07-07", .female)]
        ),
        ("Kidane", "ER", "2024-11-18", [("Tesfalem", "1998-01-31", .male)]),
        (
            "Romanenko", "UA", "2025-01-13",
            [("Yevhen", "1990-02-02", .male), ("Olha", "1992-09-19", .female), ("Artem", "2018-08-18", .male)]
        ),
        ("Rezaei", "AF", "2025-03-03", [("Farzana", "1996-04-14", .female), ("Ali", "2022-05-25", .male)]),
        ("Kuzmenko", "UA", "2025-08-11", [("Vira", "1958-12-01", .female)]),
    ]

    static func seed(_ demo: DemoContext) async throws {
        let db = demo.db
        let today = LocalDate.today
        let units = try await ServiceUnit.query(on: db).filter(\.$sector == .housing).all()
        let unit = { (m: Kommunenummer) in units.first { $0.$host.id == m }?.id }
        let p = demo.app.housingParameters
        let years = p.value(\.ownHomeGoalYears, on: today) ?? 3
        let checklist = p.checklist.items
        let grace = p.value(\.inspectionGraceDays, on: today) ?? 14

        func dwelling(
            _ m: Kommunenummer, _ address: String, _ owner: DwellingOwner, rooms: Int, size: Int, rent: Int,
            status: DwellingStatus, stepFree: Bool = false, school: Double? = nil, landlord: String? = nil,
            leaseFrom: String? = nil
        ) async throws -> Dwelling {
            let d = Dwelling()
            d.$municipality.id = m
            d.address = address
            d.owner = owner
            d.rooms = rooms
            d.sizeM2 = size
            d.floor = stepFree ? 1 : 2
            d.stepFree = stepFree
            d.furnished = true
            d.rent = rent
            d.deposit = rent * 3
            d.status = status
            d.unitID = unit(m)
            d.schoolKm = school
            if owner == .privateLease {
                d.landlord = landlord
                d.leaseFrom = leaseFrom.flatMap { LocalDate(iso: $0) }
                d.leaseTo = d.leaseFrom?.adding(years: 3)
                d.leaseRent = rent - 500
                d.leaseNoticeMonths = 3
            }
            try await d.create(on: db)
            return d
        }

        /// A tenancy from `start`, its visits made up to `visitedUntil` (so later ones are due or overdue), ended
        /// when `end` is given.
        func tenancy(
            _ d: Dwelling, _ household: Household, settled: LocalDate, start: LocalDate, visitedUntil: LocalDate?,
            end: (LocalDate, TenancyEnd)? = nil, steps: Bool = false
        ) async throws {
            let t = Tenancy()
            t.$municipality.id = d.$municipality.id
            t.$dwelling.id = d.id!
            t.$household.id = household.id!
            t.start = start
            t.agreedEnd = start.adding(years: 3)
            t.rent = d.rent
            t.navGuarantee = d.deposit
            t.keys = 2
            t.goalDate = OwnHomeGoal.goal(settled: settled, years: years)
            t.serviceHeld = d.owner.heldByService
            t.saving = steps
            if steps {
                t.housingSchoolOn = start.adding(months: 4)
                t.startLoanAppliedOn = min(today.adding(days: -20), start.adding(years: 2))
            }
            if let (day, reason) = end {
                t.endedOn = day
                t.endReason = reason
            }
            try await t.create(on: db)
            let moveIn = Inspection()
            moveIn.$tenancy.id = t.id!
            moveIn.date = start
            moveIn.moveIn = true
            moveIn.itemsJSON = "[]"
            moveIn.findings =
                "Innflyttingsbefaring: nøkler, strøm- og vannmåler avlest, brannslukker og røykvarslere sjekket."
            try await moveIn.create(on: db)
            var made: [Inspection] = []
            let dues = InspectionSchedule.dues(start: start, items: checklist, end: end?.0)
            for due in dues where visitedUntil.map({ due.due <= $0 }) ?? false {
                let i = Inspection()
                i.$tenancy.id = t.id!
                i.date = due.due.adding(days: -2)
                i.moveIn = false
                i.itemsJSON = String(decoding: try JSONEncoder().encode(due.items), as: UTF8.self)
                i.findings =
                    due.year == 1 ? "God orden. Gikk gjennom vedfyring og avfallssortering." : "Boligen i god stand."
                i.nextSteps = due.year == 1 ? "Vise snømåking og bruk av vaskemaskin ved neste besøk." : nil
                try await i.create(on: db)
                made.append(i)
            }
            if end == nil {
                let open = InspectionSchedule.nextOpen(
                    dues, start: start, inspections: made.map(\.date), graceDays: grace)
                t.nextInspection = open?.due
                t.nextInspectionYear = open?.year
                try await t.update(on: db)
            }
        }

        // Hemsedal: 11 municipal units (6 let to refugees), 15 private leases held by the integration service.
        let hemsedal: Kommunenummer = "3326"
        var municipal: [Dwelling] = []
        let streets = ["Trøimsvegen", "Ulsåkvegen", "Hemsedalsvegen", "Tuvegen", "Lykkjavegen", "Grøndalsvegen"]
        for n in 0..<11 {
            let status: DwellingStatus = n < 6 ? .let_ : n < 9 ? .free : n == 9 ? .preparing : .outOfUse
            municipal.append(
                try await dwelling(
                    hemsedal, "\(streets[n % streets.count]) \(10 + n * 3), 3560 Hemsedal", .municipal,
                    rooms: [2, 3, 4, 3, 2, 5, 3, 2, 4, 3, 2][n], size: [48, 64, 82, 70, 45, 96, 66, 50, 85, 62, 40][n],
                    rent: [7_800, 9_200, 10_900, 9_500, 7_600, 12_400, 9_300, 8_000, 11_200, 9_100, 7_200][n],
                    status: status, stepFree: n % 4 == 0,
                    school: [0.8, 1.5, 2.4, 0.6, 3.1, 1.2, 0.9, 4.0, 1.1, 2.0, 5.0][n]))
        }
        var leases: [Dwelling] = []
        let landlords = [
            "Hemsedal Utleie AS", "Eli og Tor Løken", "Skarsgard Eiendom", "Bjørn Fekjær", "Ragnhild Venås",
        ]
        for n in 0..<15 {
            let status: DwellingStatus = n < 12 ? .let_ : n < 14 ? .free : .preparing
            leases.append(
                try await dwelling(
                    hemsedal, "Sentrumsvegen \(2 + n * 2), 3560 Hemsedal", .privateLease, rooms: 2 + n % 4,
                    size: 45 + (n % 4) * 15, rent: 8_000 + (n % 4) * 1_300, status: status, stepFree: n % 5 == 0,
                    school: 0.5 + Double(n % 6) * 0.7, landlord: landlords[n % landlords.count],
                    leaseFrom: "202\(2 + n % 4)-0\(1 + n % 9)-01"))
        }
        // The tenants: the demo's two Hemsedal households and those settled before them.
        var tenants: [(Household, LocalDate)] = []
        for (_, members) in demo.households where members.first?.$municipality.id == hemsedal {
            guard let hid = members.first?.$household.id, let h = try await Household.find(hid, on: db) else {
                continue
            }
            tenants.append((h, members.compactMap(\.settlementDate).min() ?? today))
        }
        let caseWorker = demo.users["saksbehandler.gol"]
        for (name, country, settled, members) in hemsedalHouseholds {
            let h = Household()
            h.$municipality.id = hemsedal
            h.name = "Husstand \(name)"
            h.address = "Hemsedal"
            try await h.create(on: db)
            let day = LocalDate(iso: settled)!
            var adults = 0
            for (given, birth, sex) in members {
                let person = Person()
                person.$municipality.id = hemsedal
                person.$household.id = h.id
                person.givenName = given
                person.familyName = name
                person.birthDate = LocalDate(iso: birth)!
                person.sex = sex
                person.citizenship = country
                person.residenceGround = country == "UA" ? .collectiveProtection : .resettlementRefugee
                person.arrivalDate = day.adding(days: -7)
                person.settlementDate = day
                person.permitDate = day.adding(days: -40)
                person.settledByAgreement = true
                let adult = person.birthDate.age(on: day) >= 18
                if adult { adults += 1 }
                person.relation = adult ? (adults == 1 ? .main : .spouse) : .child
                person.caseWorkerID = caseWorker
                try await person.create(on: db)
                // Settled before the demo's own households: the deadlines of their first months were met in time.
                for deadline in demo.app.rulesEngine.evaluate(person.facts, asOf: today).deadlines
                where deadline.due < today && deadline.kind != .integrationGrantEnd {
                    let e = DeadlineEvent()
                    e.$person.id = person.id!
                    e.kind = deadline.kind
                    e.date = max(day, deadline.due.adding(days: -7))
                    e.sector = deadline.kind.sector
                    try await e.create(on: db)
                }
            }
            tenants.append((h, day))
        }
        tenants.sort { $0.1 < $1.1 }
        let let_ = municipal.filter { $0.status == .let_ } + leases.filter { $0.status == .let_ }
        for (n, d) in let_.enumerated() where n < tenants.count {
            let (h, settled) = tenants[n]
            let start = settled
            // Most visits made until a month ago; every third household's visits lag, so some are overdue.
            let visited = n % 3 == 0 ? today.adding(months: -3) : today.adding(days: -20)
            try await tenancy(d, h, settled: settled, start: start, visitedUntil: visited, steps: n % 4 == 1)
        }
        // Elverum: the municipality's units and the leases its housing office holds.
        let elverum: Kommunenummer = "3420"
        var stock: [Dwelling] = []
        let addresses = [
            ("Storgata 12, 2406 Elverum", 4, DwellingOwner.municipal, 10_500),
            ("Vestadvegen 21, 2408 Elverum", 5, .municipal, 12_800),
            ("Kirkevegen 5, 2406 Elverum", 2, .foundation, 8_200),
            ("Hamarvegen 30, 2407 Elverum", 3, .privateLease, 9_900),
            ("Lillemoen 8, 2408 Elverum", 4, .municipal, 10_700),
            ("Grundsetvegen 4, 2406 Elverum", 3, .municipal, 9_400),
            ("Nordre Kjernsmo 2, 2406 Elverum", 4, .privateLease, 11_300),
            ("Leiret 17, 2406 Elverum", 2, .foundation, 7_900),
            ("Søndre Trysilveg 9, 2408 Elverum", 3, .municipal, 9_600),
            ("Sagbakken 3, 2406 Elverum", 5, .privateLease, 13_100),
        ]
        for (n, (address, rooms, owner, rent)) in addresses.enumerated() {
            let status: DwellingStatus = n < 5 ? .let_ : n == 7 ? .preparing : .free
            stock.append(
                try await dwelling(
                    elverum, address, owner, rooms: rooms, size: 40 + rooms * 14, rent: rent, status: status,
                    stepFree: n % 3 == 0, school: [0.7, 1.9, 2.6, 1.1, 0.4, 3.3, 1.6, 0.9, 2.2, 1.4][n],
                    landlord: owner == .privateLease ? "Elverum Boligutleie AS" : nil, leaseFrom: "2024-01-01"))
        }
        // Elverum's demo households 0, 4, 5 and 7 in the first units; household 10 bought its home with a start loan
        // within three years, a home the service still follows up (the household's own lease).
        let elverumTenants = [0, 4, 5, 7, 10]
        for (n, index) in elverumTenants.enumerated() {
            guard let members = demo.households.first(where: { $0.index == index })?.members,
                let hid = members.first?.$household.id, let h = try await Household.find(hid, on: db)
            else { continue }
            let settled = members.compactMap(\.settlementDate).min() ?? today
            if index == 10 {
                // Bought a home with a start loan before the goal day: the way to one's own home reached.
                let former = try await dwelling(
                    elverum, "Jømnavegen 6, 2408 Elverum", .municipal, rooms: 4, size: 90, rent: 10_200,
                    status: .free, school: 1.0)
                try await tenancy(
                    former, h, settled: settled, start: settled, visitedUntil: settled.adding(years: 2),
                    end: (settled.adding(years: 2).adding(months: 9), .startLoan), steps: true)
                try await tenancy(
                    stock[n], h, settled: settled, start: settled.adding(years: 2).adding(months: 9),
                    visitedUntil: today.adding(days: -10))
                stock[n].owner = .ownLease
                try await stock[n].update(on: db)
                continue
            }
            let visited = n % 2 == 0 ? today.adding(months: -2) : today.adding(days: -15)
            try await tenancy(stock[n], h, settled: settled, start: settled, visitedUntil: visited, steps: n == 0)
        }
        // Whatever day the demo is loaded on, Elverum has a visit due within the worklist's window: on some days no
        // scheduled visit falls there, and the housing office's list of visits due would be empty (the journey on
        // 08.12.2026 found none). Then the oldest tenancy's next visit is planned a week ahead.
        let soon = today.adding(days: Deadlines.soonDays)
        let open = try await Tenancy.query(on: db).filter(\.$municipality.$id == elverum).filter(\.$endedOn == nil)
            .sort(\.$start).all()
        // The housing office sees a tenancy when every member of the household is shared with it.
        var visible: [Tenancy] = []
        for t in open {
            let members = try await Person.query(on: db).filter(\.$household.$id == t.$household.id).with(\.$shares)
                .all()
            if !members.isEmpty && members.allSatisfy({ $0.activeSectors.contains(.housing) }) { visible.append(t) }
        }
        let candidates = visible.isEmpty ? open : visible
        if !candidates.contains(where: { ($0.nextInspection ?? .latest) <= soon }), let first = candidates.first {
            first.nextInspection = today.adding(days: 7)
            first.nextInspectionYear = first.nextInspectionYear ?? 1
            try await first.update(on: db)
        }
    }
}
