import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Demo: Tynset's council decision of 20 language practice places, 16 of them allocated to the adult-education
/// centre, other municipal units and private employers, and 7 in use by Tynset's participants; Elverum's providers
/// with placements on files shared with NAV (and NAV's measures on them) and one on a file that is not.
enum WorkDemo {
    struct ProviderSeed {
        var name: String
        var org: String
        var trade: WorkTrade
        var municipal: Bool
        var contact: String
        var location: String
        var languages: String?
        var minimum: TestLevel?
        var places: [(PlaceKind, Int)]
    }

    static let tynset: [ProviderSeed] = [
        .init(
            name: "Tynset opplæringssenter", org: "912345602", trade: .education, municipal: true,
            contact: "Randi Aas", location: "Tynset", languages: "en uk", minimum: nil, places: [(.languagePractice, 4)]
        ),
        .init(
            name: "Tynset kommune, Fagertun barnehage", org: "912345610", trade: .kindergarten, municipal: true,
            contact: "Kjersti Bakke", location: "Tynset", languages: nil, minimum: .a2,
            places: [(.languagePractice, 3)]),
        .init(
            name: "Tynset kommune, Tynset helsetun", org: "912345629", trade: .healthCare, municipal: true,
            contact: "Mona Vold", location: "Tynset", languages: "ar", minimum: .a2, places: [(.languagePractice, 3)]),
        .init(
            name: "Tynset kommune, teknisk drift", org: "912345637", trade: .construction, municipal: true,
            contact: "Ivar Sletten", location: "Tynset", languages: nil, minimum: nil,
            places: [(.languagePractice, 1)]),
        .init(
            name: "Tynset Nærbutikk AS", org: "912345645", trade: .retail, municipal: false, contact: "Hanne Lie",
            location: "Tynset", languages: "prs", minimum: .a1, places: [(.languagePractice, 3)]),
        .init(
            name: "Nordøsterdal Bygg AS", org: "912345653", trade: .construction, municipal: false,
            contact: "Tore Moen", location: "Tynset", languages: "ti", minimum: nil, places: [(.languagePractice, 2)]),
    ]

    static let elverum: [ProviderSeed] = [
        .init(
            name: "Elverum kommune, Hernes helsetun", org: "912345661", trade: .healthCare, municipal: true,
            contact: "Berit Haug", location: "Elverum", languages: "uk", minimum: .a2,
            places: [(.languagePractice, 3), (.workPractice, 1)]),
        .init(
            name: "Elverum Mat AS", org: "912345688", trade: .retail, municipal: false, contact: "Geir Olsen",
            location: "Elverum", languages: "ar", minimum: .a1, places: [(.workPractice, 2), (.wageSubsidy, 1)]),
        .init(
            name: "Glåmdal Renhold AS", org: "912345696", trade: .cleaning, municipal: false, contact: "Aud Nilsen",
            location: "Elverum", languages: "ar ti", minimum: nil, places: [(.workPractice, 3)]),
        .init(
            name: "Elverum kommune, Vestad barnehage", org: "912345718", trade: .kindergarten, municipal: true,
            contact: "Siri Lund", location: "Elverum", languages: nil, minimum: .a2, places: [(.languagePractice, 2)]),
    ]

    static func providers(_ seeds: [ProviderSeed], _ m: Kommunenummer, _ db: any Database) async throws
        -> [String: [WorkPlace]]
    {
        var out: [String: [WorkPlace]] = [:]
        for s in seeds {
            let p = WorkProvider()
            p.municipality = m
            p.orgNumber = s.org
            p.name = s.name
            p.trade = s.trade
            p.municipal = s.municipal
            p.contactName = s.contact
            p.contactPhone = "+4762480000"
            p.location = s.location
            p.languages = s.languages
            p.minimumNorwegian = s.minimum
            try await p.create(on: db)
            for (kind, n) in s.places {
                let w = WorkPlace()
                w.$provider.id = p.id!
                w.municipality = m
                w.kind = kind
                w.capacity = n
                w.status = .open
                try await w.create(on: db)
                out[s.name, default: []].append(w)
            }
        }
        return out
    }

    @discardableResult
    static func placement(
        _ person: Person, _ place: WorkPlace, from: LocalDate, to: LocalDate, mentor: String, measure: UUID? = nil,
        _ db: any Database
    ) async throws -> WorkPlacement {
        let pl = WorkPlacement()
        pl.$person.id = person.id!
        pl.$place.id = place.id!
        pl.municipality = person.$municipality.id
        pl.kind = place.kind
        pl.from = from
        pl.to = to
        pl.measureID = measure
        pl.tasks = "Faste oppgaver avtalt med arbeidsstedet; norsk i arbeid to timer i uka."
        pl.mentor = mentor
        try await pl.create(on: db)
        return pl
    }

    static func followUp(
        _ pl: WorkPlacement, _ kind: FollowUpKind, due: LocalDate? = nil, done: LocalDate? = nil, notes: String? = nil,
        _ db: any Database
    ) async throws {
        let f = WorkFollowUp()
        f.$placement.id = pl.id!
        f.municipality = pl.municipality
        f.kind = kind
        f.dueOn = due
        f.doneOn = done
        f.notes = notes
        try await f.create(on: db)
    }

    static func event(_ m: Kommunenummer, _ date: LocalDate, _ title: String, _ notes: String, _ db: any Database)
        async throws
    {
        let e = WorkEvent()
        e.municipality = m
        e.date = date
        e.title = title
        e.notes = notes
        try await e.create(on: db)
    }

    static func adults(_ demo: DemoContext, _ m: Kommunenummer, today: LocalDate) -> [Person] {
        demo.households.flatMap(\.members).filter { $0.$municipality.id == m && $0.birthDate.age(on: today) >= 18 }
            .sorted { ($0.familyName, $0.givenName) < ($1.familyName, $1.givenName) }
    }

    static func load(_ demo: DemoContext) async throws {
        let db = demo.db
        let today = LocalDate.today
        // Tynset: the council's decision, 16 places allocated, 7 in use.
        let agreement = WorkAgreement()
        agreement.municipality = "3427"
        agreement.title = "Kommunestyrets vedtak: 20 språkpraksisplasser i kommunale enheter og private bedrifter"
        agreement.decidedOn = LocalDate(iso: "2025-06-19")!
        agreement.kind = .languagePractice
        agreement.places = 20
        try await agreement.create(on: db)
        let t = try await providers(tynset, "3427", db)
        let people = adults(demo, "3427", today: today)
        let start = today.adding(days: -60)
        let end = today.adding(days: 120)
        // Each adult at one place, and two of them at a second for another day of the week: 7 in use.
        let plan: [(Int, String, String)] = [
            (0, "Tynset opplæringssenter", "Randi Aas"), (0, "Tynset kommune, teknisk drift", "Ivar Sletten"),
            (1, "Tynset kommune, Fagertun barnehage", "Kjersti Bakke"),
            (1, "Tynset kommune, Tynset helsetun", "Mona Vold"),
            (2, "Nordøsterdal Bygg AS", "Tore Moen"), (3, "Tynset opplæringssenter", "Randi Aas"),
            (4, "Tynset Nærbutikk AS", "Hanne Lie"),
        ]
        var made: [WorkPlacement] = []
        for (n, (i, provider, mentor)) in plan.enumerated() where i < people.count {
            guard let place = t[provider]?.first else { continue }
            // One ends within the fortnight without an evaluation yet.
            let to = n == 4 ? today.adding(days: 10) : end
            made.append(try await placement(people[i], place, from: start, to: to, mentor: mentor, db))
        }
        for (n, pl) in made.enumerated() {
            try await followUp(pl, .threeWay, done: start.adding(days: 14), notes: "Oppstartsmøte med veileder.", db)
            // Some visits overdue, some due soon, the rest later.
            let due = [today.adding(days: -5), today.adding(days: 7), today.adding(days: 25)][n % 3]
            try await followUp(pl, .visit, due: due, db)
        }
        // An earlier placement that ended in a job.
        if let p = people.first, let place = t["Tynset Nærbutikk AS"]?.first {
            let old = try await placement(
                p, place, from: today.adding(months: -10), to: today.adding(months: -4), mentor: "Hanne Lie", db)
            old.endedOn = today.adding(months: -4)
            old.outcome = .job
            old.evaluation = "Fast deltidsstilling fra neste måned."
            try await old.update(on: db)
        }
        try await event(
            "3427", today.adding(days: -40), "Frokostmøte i arbeidsgivernettverket",
            "Tolv bedrifter; presentasjon av språkpraksis og mentortilskudd.", db)
        try await event(
            "3427", today.adding(days: 21), "Bedriftsbesøk i Tynset sentrum", "Veileder og NAV besøker fire butikker.",
            db)

        // Elverum: placements on the files shared with NAV, and one on a programme participant's file.
        let elverumAgreement = WorkAgreement()
        elverumAgreement.municipality = "3420"
        elverumAgreement.title = "Avtale med NAV Elverum om arbeidspraksis"
        elverumAgreement.decidedOn = LocalDate(iso: "2026-01-15")!
        elverumAgreement.kind = .workPractice
        elverumAgreement.places = 10
        try await elverumAgreement.create(on: db)
        let e = try await providers(elverum, "3420", db)
        let shared = adults(demo, "3420", today: today).filter { p in
            demo.households.contains { h in
                DemoData.shares[h.index]?.contains(.nav) == true && h.members.contains { $0.id == p.id }
            }
        }
        let navMeasures: [(NavMeasureKind, Int?)] = [(.wageSubsidy, 1_200_000), (.mentorSubsidy, nil)]
        for (i, p) in shared.prefix(2).enumerated() {
            guard let place = (i == 0 ? e["Elverum Mat AS"]?.first : e["Glåmdal Renhold AS"]?.first) else { continue }
            let pl = try await placement(
                p, place, from: start, to: end, mentor: i == 0 ? "Geir Olsen" : "Aud Nilsen", db)
            try await followUp(pl, .visit, done: start.adding(days: 20), notes: "Trives; trenger mer fagord.", db)
            try await followUp(pl, .visit, due: today.adding(days: i == 0 ? -3 : 10), db)
            let m = WorkNavMeasure()
            m.$placement.id = pl.id!
            m.kind = navMeasures[i].0
            m.from = start
            m.to = end
            m.monthlyOre = navMeasures[i].1
            try await m.create(on: db)
        }
        let started = try await demo.app.sharedFacts.startedParticipants("3420", today, db)
        let participants = try await Person.query(on: db).filter(\.$id ~~ started).all()
            .sorted { ($0.familyName, $0.givenName) < ($1.familyName, $1.givenName) }
        let measures = try await demo.app.sharedFacts.practiceMeasures(participants.compactMap(\.id), db)
        if let p = participants.first(where: { measures[$0.id!]?.isEmpty == false }) ?? participants.first,
            let place = e["Elverum kommune, Hernes helsetun"]?.first
        {
            let measure = measures[p.id!]?.first { $0.kind == .languagePractice } ?? measures[p.id!]?.first
            let pl = try await placement(p, place, from: start, to: end, mentor: "Berit Haug", measure: measure?.id, db)
            try await followUp(pl, .visit, due: today.adding(days: 4), db)
        }
        // Work profiles for a few participants, so matching has an occupation wish to go by.
        for (i, p) in participants.prefix(6).enumerated() {
            let profile = WorkProfile()
            profile.$person.id = p.id!
            profile.occupation = [WorkTrade.healthCare, .retail, .cleaning, .kindergarten, .construction, .office][i]
            profile.norwegian = [TestLevel.a2, .a1, .b1, .a2, .a1, .b1][i]
            try await profile.create(on: db)
        }
        try await event(
            "3420", today.adding(days: -12), "Nettverksmøte med NAV og arbeidsgivere",
            "Gjennomgang av lønnstilskudd og mentorordning.", db)
    }
}
