import Fluent
import Vapor

/// Demo municipalities, services, users and fictional residents. Every name here is invented;
/// none belongs to a real person. Loaded only into an empty database.
package enum DemoData {
    /// The shared demo password (printed in the README; demo only).
    package static let password = "Demo-passord-2026"

    package static let municipalities: [(Kommunenummer, String, String)] = [
        ("3427", "Tynset", "Innlandet"), ("3420", "Elverum", "Innlandet"), ("3326", "Hemsedal", "Buskerud"),
        ("3324", "Gol", "Buskerud"), ("3443", "Vestre Toten", "Innlandet"),
        // Served by Tynset's adult education through host-municipality agreements.
        ("3428", "Alvdal", "Innlandet"), ("3426", "Tolga", "Innlandet"), ("3429", "Folldal", "Innlandet"),
    ]

    /// Unit names per sector, as the seed plans name them.
    package static let unitNames: [(Sector, String)] = [
        (.integration, "Integreringstjenesten"), (.nav, "NAV"), (.health, "Helsestasjon"), (.kindergarten, "Barnehage"),
        (.school, "Skole"), (.adultEducation, "Voksenopplæring"), (.housing, "Eiendom"),
        (.volunteer, "Frivilligsentralen"),
    ]

    /// One demo user per role (and a few more to show agreements across municipalities).
    package static let users: [(String, String, Role, Kommunenummer, Sector?)] = [
        ("sysadmin", "Systemadministrator", .systemAdmin, "3420", nil),
        ("admin.elverum", "Kari Nordby (kommuneadmin)", .municipalAdmin, "3420", nil),
        ("leder.elverum", "Per Haugen (leder)", .leader, "3420", nil),
        ("saksbehandler.elverum", "Ingrid Solberg (saksbehandler)", .caseWorker, "3420", .integration),
        ("veileder.elverum", "Anders Bakken (programrådgiver)", .programmeAdvisor, "3420", .integration),
        ("nav.elverum", "Silje Moen (NAV)", .navPartner, "3420", .nav),
        ("helse.elverum", "Marte Lien (helsestasjon)", .healthPartner, "3420", .health),
        ("skole.elverum", "Jon Dahl (skole)", .schoolPartner, "3420", .school),
        ("barnehage.elverum", "Hilde Strand (barnehage)", .kindergartenPartner, "3420", .kindergarten),
        ("bolig.elverum", "Erik Berg (bolig)", .housingPartner, "3420", .housing),
        ("voksenopplaering.tynset", "Randi Aas (voksenopplæring)", .adultEducationPartner, "3427", .adultEducation),
        ("frivillig.elverum", "Ola Vik (frivilligsentralen)", .volunteerCoordinator, "3420", .volunteer),
        ("saksbehandler.tynset", "Lise Holm (saksbehandler)", .caseWorker, "3427", .integration),
        ("saksbehandler.gol", "Tone Hagen (saksbehandler Gol og Hemsedal)", .caseWorker, "3324", .integration),
        ("veileder.vestretoten", "Nils Ruud (programrådgiver)", .programmeAdvisor, "3443", .integration),
        ("leder.tynset", "Gunn Eide (leder)", .leader, "3427", nil),
    ]

    package struct Resident {
        package var given: String
        package var family: String
        package var birth: String
        package var sex: Sex
        package var citizenship: String
    }

    /// Fictional households by origin. Dates are chosen so that the pages show a spread of ages and arrivals.
    package static let households:
        [(name: String, country: String, ground: ResidenceGround, members: [(String, String, Sex)])] = [
            (
                "Kovalenko", "UA", .collectiveProtection,
                [
                    ("Olena", "1986-03-14", .female), ("Andrii", "1984-11-02", .male),
                    ("Sofiia", "2012-06-21", .female), ("Maksym", "2019-01-30", .male),
                ]
            ),
            (
                "Shevchenko", "UA", .collectiveProtection,
                [("Iryna", "1979-08-09", .female), ("Taras", "2008-04-17", .male)]
            ),
            (
                "Bondarenko", "UA", .collectiveProtection,
                [("Dmytro", "1992-12-01", .male), ("Yuliia", "1994-05-26", .female), ("Bohdan", "2022-10-11", .male)]
            ),
            ("Melnyk", "UA", .collectiveProtection, [("Oksana", "1968-02-28", .female)]),
            (
                "Haddad", "SY", .resettlementRefugee,
                [
                    ("Rania", "1988-07-15", .female), ("Omar", "1985-01-03", .male), ("Lina", "2014-09-09", .female),
                    ("Yusuf", "2017-03-22", .male), ("Maya", "2021-12-05", .female),
                ]
            ),
            ("Darwish", "SY", .refugee, [("Khaled", "1996-10-19", .male), ("Nour", "1999-02-14", .female)]),
            ("Khatib", "SY", .familyReunification, [("Salma", "1990-06-30", .female), ("Adam", "2016-08-08", .male)]),
            (
                "Tesfay", "ER", .refugee,
                [("Senait", "1997-04-04", .female), ("Yonas", "1995-09-27", .male), ("Selam", "2023-02-19", .female)]
            ),
            ("Ghebremedhin", "ER", .refugee, [("Filmon", "2007-11-11", .male)]),
            ("Habte", "ER", .familyReunification, [("Ruth", "1993-01-25", .female), ("Helen", "2015-05-05", .female)]),
            (
                "Mukendi", "CD", .resettlementRefugee,
                [
                    ("Esther", "1983-03-03", .female), ("Patrick", "1980-12-12", .male),
                    ("Divine", "2010-07-07", .female), ("Joseph", "2013-10-10", .male),
                ]
            ),
            (
                "Ilunga", "CD", .resettlementRefugee,
                [("Aline", "1991-08-18", .female), ("Grace", "2018-06-06", .female)]
            ),
            (
                "Ahmadi", "AF", .resettlementRefugee,
                [
                    ("Farid", "1987-05-15", .male), ("Zahra", "1989-09-19", .female), ("Mariam", "2011-01-11", .female),
                    ("Ali", "2015-04-24", .male),
                ]
            ),
            ("Rahimi", "AF", .humanitarian, [("Mohammad", "2008-02-02", .male)]),
            ("Karimi", "AF", .refugee, [("Sima", "1999-12-24", .female)]),
            ("Noori", "AF", .refugee, [("Hassan", "1975-06-16", .male), ("Fatima", "1978-10-01", .female)]),
        ]

    /// Which municipality each household above is settled in, and when (arrival; settlement follows).
    package static let placements: [(Kommunenummer, String, String)] = [
        ("3420", "2024-03-12", "Storgata 12, 2406 Elverum"), ("3427", "2024-08-20", "Parkvegen 4, 2500 Tynset"),
        ("3443", "2025-01-15", "Raufoss sentrum 3, 2830 Raufoss"),
        ("3326", "2025-05-02", "Trøimsvegen 7, 3560 Hemsedal"),
        ("3420", "2025-02-03", "Vestadvegen 21, 2408 Elverum"), ("3420", "2025-09-15", "Kirkevegen 5, 2406 Elverum"),
        ("3324", "2024-11-04", "Sentrumsvegen 10, 3550 Gol"), ("3420", "2026-02-10", "Hamarvegen 30, 2407 Elverum"),
        ("3427", "2025-06-18", "Kongsvegen 2, 2500 Tynset"), ("3443", "2023-10-09", "Reinsvoll 14, 2840 Reinsvoll"),
        ("3420", "2023-05-22", "Lillemoen 8, 2408 Elverum"), ("3326", "2026-04-27", "Ulsåk 3, 3560 Hemsedal"),
        ("3427", "2025-11-03", "Brugata 9, 2500 Tynset"), ("3420", "2026-08-31", "Nordre Kjernsmo 2, 2406 Elverum"),
        ("3443", "2026-06-01", "Bilitt 6, 2850 Lena"), ("3324", "2026-09-14", "Gamlevegen 1, 3550 Gol"),
    ]

    /// Sectors some households are shared with, so partner users have something to see.
    package static let shares: [Int: [Sector]] = [
        0: [.health, .school, .kindergarten, .nav], 4: [.health, .school, .kindergarten, .housing, .volunteer],
        5: [.nav, .adultEducation], 7: [.health], 10: [.school, .nav, .housing], 13: [.school, .adultEducation],
        1: [.adultEducation], 12: [.adultEducation, .health],
    ]

    package static func load(on db: any Database, app: Application) async throws {
        let hash = try app.password.hash(password)
        try await db.transaction { tx in
            for (code, name, county) in municipalities {
                try await Municipality(code: code, name: name, county: county).create(on: tx)
            }
            var units: [Kommunenummer: [Sector: UUID]] = [:]
            for (code, _, _) in municipalities.prefix(5) {
                for (sector, name) in unitNames {
                    let u = ServiceUnit(name: name, sector: sector, host: code)
                    try await u.create(on: tx)
                    units[code, default: [:]][sector] = u.id
                }
            }
            // Gol hosts the integration service that Hemsedal shares; Tynset's adult education serves
            // Alvdal, Tolga and Folldal (the seeds' inter-municipal arrangements).
            try await ServiceAgreement(
                unit: units["3324"]![.integration]!, served: "3326", validFrom: LocalDate(iso: "2024-01-01")!,
                reference: "Vertskommuneavtale integreringstjeneste Gol–Hemsedal"
            ).create(on: tx)
            for served: Kommunenummer in ["3428", "3426", "3429"] {
                try await ServiceAgreement(
                    unit: units["3427"]![.adultEducation]!, served: served, validFrom: LocalDate(iso: "2023-08-01")!,
                    reference: "Avtale om voksenopplæring, Tynset vertskommune"
                ).create(on: tx)
            }
            var userIDs: [String: UUID] = [:]
            for (username, display, role, code, sector) in users {
                let u = User(username: username, displayName: display, passwordHash: hash)
                try await u.create(on: tx)
                userIDs[username] = u.id
                try await RoleAssignment(
                    user: u.id!, role: role, municipality: code, unit: sector.flatMap { units[code]?[$0] }
                ).create(on: tx)
            }
            var made: [(index: Int, members: [Person])] = []
            for (i, h) in households.enumerated() {
                let (code, arrival, address) = placements[i]
                let household = Household()
                household.$municipality.id = code
                household.name = "Husstand \(h.name)"
                household.address = address
                try await household.create(on: tx)
                let arrivalDate = LocalDate(iso: arrival)!
                var adults = 0
                var members: [Person] = []
                for (given, birth, sex) in h.members {
                    let p = Person()
                    p.$municipality.id = code
                    p.$household.id = household.id
                    p.givenName = given
                    p.familyName = h.name
                    p.birthDate = LocalDate(iso: birth)!
                    p.sex = sex
                    p.citizenship = h.country
                    p.residenceGround = h.ground
                    p.arrivalDate = arrivalDate
                    p.settlementDate = arrivalDate.adding(days: 7)
                    // Permit a few weeks before arrival; family immigrants come outside the settlement agreement.
                    p.permitDate = arrivalDate.adding(days: h.ground == .collectiveProtection ? -10 : -35)
                    p.settledByAgreement = h.ground != .familyReunification
                    // No national id numbers in the demo: a valid-looking one could belong to a real person.
                    p.educationLevel =
                        EducationLevel.allCases[(i + h.members.count) % EducationLevel.allCases.count]
                    let adult = LocalDate(iso: birth)!.age(on: arrivalDate) >= 18
                    if adult { adults += 1 }
                    p.relation =
                        (adult
                            ? (adults == 1 ? FamilyRelation.main : .spouse) : (h.members.count == 1 ? .main : .child))
                    describe(p, country: h.country, adult: adult, seed: i)
                    if adult, let advisor = advisors[code] { p.advisorID = userIDs[advisor] }
                    p.caseWorkerID = caseWorkers[code].flatMap { userIDs[$0] }
                    if h.ground == .familyReunification {
                        // The family member they joined: a refugee settled some years before.
                        p.referenceResidenceGround = .refugee
                        p.referenceSettlementDate = arrivalDate.adding(years: -3)
                        p.familyApplicationDate = arrivalDate.adding(months: -14)
                    }
                    try await p.create(on: tx)
                    members.append(p)
                    for s in shares[i] ?? [] {
                        try await PersonShare(
                            person: p.id!, sector: s, basis: .consent,
                            reference: "Samtykke signert ved bosetting", by: nil
                        ).create(on: tx)
                    }
                }
                made.append((i, members))
            }
            // Each feature adds its records on top, in the order of the features list.
            let demo = DemoContext(app: app, db: tx, users: userIDs, households: made)
            for feature in app.features { try await feature.seedDemo(demo) }
            try await DemoMarker().create(on: tx)
        }
    }

    /// Who follows the adults in each municipality ("Mine frister").
    /// The responsible case worker of every demo file, by municipality.
    package static let caseWorkers: [Kommunenummer: String] = [
        "3420": "saksbehandler.elverum", "3427": "saksbehandler.tynset", "3324": "saksbehandler.gol",
        "3326": "saksbehandler.gol",
    ]

    package static let advisors: [Kommunenummer: String] = [
        "3420": "veileder.elverum", "3443": "veileder.vestretoten", "3427": "saksbehandler.tynset",
        "3324": "saksbehandler.gol", "3326": "saksbehandler.gol",
    ]

    /// Languages by country of origin, and the rest of the background a mapping records.
    package static let languages: [String: [LanguageSkill]] = [
        "UA": [.init(code: "uk", level: .motherTongue), .init(code: "ru", level: .fluent)],
        "SY": [.init(code: "ar", level: .motherTongue)],
        "ER": [.init(code: "ti", level: .motherTongue), .init(code: "ar", level: .basic)],
        "CD": [.init(code: "ln", level: .motherTongue), .init(code: "fr", level: .fluent)],
        "AF": [.init(code: "prs", level: .motherTongue)],
    ]

    package static func describe(_ p: Person, country: String, adult: Bool, seed: Int) {
        p.countryOfBirth = country
        var spoken = languages[country] ?? []
        if adult && seed % 3 == 0 { spoken.append(.init(code: "en", level: .good)) }
        p.languages = spoken
        // Everyone needs an interpreter at first except a few adults who manage in English.
        p.interpreterLanguage = adult && seed % 3 == 0 ? nil : spoken.first?.code
        guard adult else { return }
        let years = [6, 9, 12, 16, 0]
        p.educationYears = years[seed % years.count]
        p.workExperience =
            [
                "Butikkmedarbeider i 6 år.", "Sjåfør og mekaniker.", "Sykepleier, 10 år i sykehus.",
                "Lærer i barneskolen.", "Hjemmeværende med barn; noe jordbruk.",
            ][seed % 5]
        p.researchReservation = seed == 6
    }

    /// The adults of every other demo household, at arrival: they have journal notes and met deadlines, so the
    /// journal and the "met" deadlines show.
    package static func followed(_ demo: DemoContext) -> [(person: Person, arrival: LocalDate)] {
        demo.households.filter { $0.index % 2 == 0 }.flatMap { h in
            h.members.compactMap { p -> (Person, LocalDate)? in
                guard let arrival = p.arrivalDate, p.birthDate.age(on: arrival) >= 18
                else { return nil }
                return (p, arrival)
            }
        }
    }

    package static func isPresent(on db: any Database) async throws -> Bool {
        try await DemoMarker.query(on: db).count() > 0
    }
}

/// Marks the database as demo data, so every page carries the demo banner.
package final class DemoMarker: Model, @unchecked Sendable {
    package static let schema = "demo_marker"
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "loaded_at", on: .create) package var loadedAt: Date?
    package init() {}
}

package struct CreateDemoMarker: AsyncMigration {
    package init() {}

    package func prepare(on db: any Database) async throws {
        try await db.schema(DemoMarker.schema).id().field("loaded_at", .datetime).create()
    }
    package func revert(on db: any Database) async throws { try await db.schema(DemoMarker.schema).delete() }
}
