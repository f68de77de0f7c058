import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Demo settlement: requests and decisions for recent years, and proposals from IMDi in every state
/// (answer due soon, open, overdue, accepted and waiting, declined, arrived with its checklist). Proposal times
/// are relative to when the demo is loaded, so the countdowns are live. All names are invented.
package enum DemoSettlement {
    /// (municipality, year, requested, of which minors, decided, settles minors, case reference)
    package static let years: [(Kommunenummer, Int, Int, Int, Int?, Bool?, String?)] = [
        ("3420", 2025, 30, 5, 25, false, "PS 14/25"), ("3420", 2026, 30, 4, 28, true, "PS 9/26"),
        ("3427", 2025, 15, 0, 15, false, "PS 22/25"), ("3427", 2026, 12, 0, 10, false, "PS 18/26"),
        ("3443", 2025, 20, 2, 20, false, "PS 31/25"), ("3443", 2026, 20, 2, nil, nil, nil),
        ("3326", 2026, 8, 0, 8, false, "PS 7/26"), ("3324", 2026, 10, 0, 10, false, "PS 11/26"),
    ]

    package static func load(on db: any Database, app: Application, users: [String: UUID]) async throws {
        let d = app.settlementDefaults
        for (code, _, _) in DemoData.municipalities { _ = try await SettlementSettings.seed(code, from: d, on: db) }
        let thisYear = LocalDate.today.year
        var rows = years
        // Keep a current year in the demo whenever it is loaded.
        if !rows.contains(where: { $0.1 == thisYear }) {
            rows.append(("3420", thisYear, 30, 4, 28, true, "PS 9/\(thisYear % 100)"))
        }
        for (code, year, requested, minors, decided, decidedMinors, reference) in rows {
            let y = SettlementYear()
            y.$municipality.id = code
            y.year = year
            y.requested = requested
            y.requestedMinors = minors
            y.requestDate = LocalDate(year: year - 1, month: 12, day: 15)
            y.decided = decided
            y.decidedMinors = decidedMinors
            y.decisionDate = decided == nil ? nil : LocalDate(year: year, month: 2, day: 20)
            y.decisionReference = reference
            try await y.create(on: db)
        }

        let now = Oslo.now()
        let hour = 3600.0
        let urgent = Double(d.answerHours.urgent.value) * hour
        let ordinary = Double(d.answerHours.ordinary.value) * hour
        typealias M = (String, String, String, Sex, FamilyRelation, String, ResidenceGround)
        func proposal(
            _ code: Kommunenummer, _ ref: String, _ label: String, urgent isUrgent: Bool, receivedAgo: Double,
            rooms: Int, kindergarten: Int, school: Int, health: String?, members: [M],
            assessed: [Sector: AssessmentStatus] = [:], decision: SettlementDecision = .pending, reason: String? = nil
        ) async throws -> IncomingHousehold {
            let h = IncomingHousehold()
            h.$municipality.id = code
            h.imdiReference = ref
            h.label = label
            h.urgent = isUrgent
            h.receivedAt = now.addingTimeInterval(-receivedAgo)
            h.answerDueAt = h.receivedAt.addingTimeInterval(isUrgent ? urgent : ordinary)
            h.rooms = rooms
            h.accessibleHousing = false
            h.kindergartenPlaces = kindergarten
            h.schoolPlaces = school
            h.healthNeeds = health
            h.expectedArrival = Oslo.day(now).adding(days: 30)
            for s in IncomingHousehold.assessingSectors { h.setStatus(assessed[s] ?? .pending, for: s) }
            h.decision = decision
            h.decisionReason = reason
            h.decidedAt = decision == .pending ? nil : h.receivedAt.addingTimeInterval(20 * hour)
            h.fillAnswerFigures()
            try await h.create(on: db)
            for (given, family, birth, sex, relation, country, ground) in members {
                let m = IncomingMember()
                m.$incoming.id = h.id!
                m.givenName = given
                m.familyName = family
                m.birthDate = LocalDate(iso: birth)!
                m.sex = sex
                m.relation = relation
                m.citizenship = country
                m.residenceGround = ground
                try await m.create(on: db)
            }
            try await h.$members.load(on: db)
            return h
        }

        _ = try await proposal(
            "3420", "IMDi-2026-4411", "Husstand Abdi", urgent: true, receivedAgo: 20 * hour, rooms: 3, kindergarten: 1,
            school: 2,
            health: "Ett barn med astma; trenger fastlege raskt.",
            members: [
                ("Hodan", "Abdi", "1990-02-11", .female, .main, "SO", .resettlementRefugee),
                ("Ayaan", "Abdi", "2014-06-01", .female, .child, "SO", .resettlementRefugee),
                ("Liban", "Abdi", "2017-09-17", .male, .child, "SO", .resettlementRefugee),
                ("Sagal", "Abdi", "2022-01-08", .female, .child, "SO", .resettlementRefugee),
            ],
            assessed: [.housing: .ok, .kindergarten: .ok])
        _ = try await proposal(
            "3420", "IMDi-2026-4398", "Husstand Petrenko", urgent: false, receivedAgo: 48 * hour, rooms: 2,
            kindergarten: 0, school: 1, health: nil,
            members: [
                ("Natalia", "Petrenko", "1983-10-30", .female, .main, "UA", .collectiveProtection),
                ("Artem", "Petrenko", "2011-03-03", .male, .child, "UA", .collectiveProtection),
            ])
        _ = try await proposal(
            "3420", "IMDi-2026-4350", "Husstand Sultani", urgent: false, receivedAgo: 9 * 24 * hour, rooms: 1,
            kindergarten: 0, school: 0, health: nil,
            members: [("Reza", "Sultani", "2000-12-12", .male, .main, "AF", .refugee)],
            assessed: [.housing: .concern])
        _ = try await proposal(
            "3427", "IMDi-2026-4302", "Husstand Gebru", urgent: false, receivedAgo: 12 * 24 * hour, rooms: 2,
            kindergarten: 1, school: 0, health: nil,
            members: [
                ("Almaz", "Gebru", "1995-05-05", .female, .main, "ER", .refugee),
                ("Daniel", "Gebru", "1993-07-19", .male, .spouse, "ER", .refugee),
                ("Mercy", "Gebru", "2024-04-02", .female, .child, "ER", .refugee),
            ],
            assessed: [.housing: .ok, .kindergarten: .ok, .school: .ok, .health: .ok], decision: .accepted)
        _ = try await proposal(
            "3420", "IMDi-2026-4120", "Husstand Nasser", urgent: false, receivedAgo: 40 * 24 * hour, rooms: 5,
            kindergarten: 2, school: 3,
            health: "Rullestolbruker; trenger bolig uten trapper.",
            members: [
                ("Ahmad", "Nasser", "1980-01-01", .male, .main, "SY", .refugee),
                ("Huda", "Nasser", "1984-04-04", .female, .spouse, "SY", .refugee),
            ],
            assessed: [.housing: .concern, .kindergarten: .ok, .school: .ok, .health: .ok], decision: .declined,
            reason:
                "Ingen tilrettelagt bolig med fem soverom ledig før sommeren. Kommunen kan ta imot familien fra august."
        )

        // A proposal that has arrived: household, person files and a checklist partly done.
        let arrivedOn = Oslo.day(now).adding(days: -20)
        let arrived = try await proposal(
            "3420", "IMDi-2026-4010", "Husstand Yohannes", urgent: false, receivedAgo: 60 * 24 * hour, rooms: 2,
            kindergarten: 0, school: 1, health: nil,
            members: [
                ("Meron", "Yohannes", "1992-08-08", .female, .main, "ER", .refugee),
                ("Abel", "Yohannes", "2016-12-01", .male, .child, "ER", .refugee),
            ],
            assessed: [.housing: .ok, .kindergarten: .ok, .school: .ok, .health: .ok], decision: .accepted)
        let household = Household()
        household.$municipality.id = "3420"
        household.name = arrived.label
        household.address = "Jegerstien 4, 2406 Elverum"
        try await household.create(on: db)
        for m in arrived.members {
            let p = m.person(municipality: "3420", household: household.id, settledOn: arrivedOn)
            p.arrivalDate = arrivedOn
            p.permitDate = arrivedOn.adding(days: -40)
            DemoData.describe(p, country: m.citizenship, adult: m.relation == .main, seed: 1)
            if m.relation == .main { p.advisorID = users["veileder.elverum"] }
            try await p.create(on: db)
            try await PersonShare(
                person: p.id!, sector: .health, basis: .legalBasis,
                reference: "Helse- og omsorgstjenesteloven; tuberkuloseforskriften", by: nil
            ).create(on: db)
        }
        let template = try await ChecklistTemplateItem.query(on: db).filter(\.$municipality.$id == "3420").sort(
            \.$position
        ).all()
        try await ArrivalChecklist.generate(for: household, arrival: arrivedOn, template: template, on: db)
        for t in try await ArrivalTask.query(on: db).filter(\.$household.$id == household.id!).all() {
            if t.due <= arrivedOn.adding(days: 2) {
                t.doneOn = t.due
                try await t.update(on: db)
            }
        }
        arrived.householdID = household.id
        try await arrived.update(on: db)
    }
}
