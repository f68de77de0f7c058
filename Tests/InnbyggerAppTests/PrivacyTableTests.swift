import Fluent
import Foundation
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Persons
@testable import Programme
@testable import Settlement

/// The table in docs/privacy.md, cell by cell: each reader sees exactly the sections its row allows, in HTML and in
/// the API, on a file shared with every sector (so that anything too much would show).
@Suite("Privacy: the section table, cell by cell", .serialized)
struct PrivacyTableTests {
    /// One user per sector in Elverum (the demo has no adult-education user there; the test adds one).
    static let readers: [(Sector, String)] = [
        (.integration, "saksbehandler.elverum"), (.nav, "nav.elverum"), (.health, "helse.elverum"),
        (.school, "skole.elverum"), (.kindergarten, "barnehage.elverum"), (.housing, "bolig.elverum"),
        (.adultEducation, "voksenopplaering.elverum"), (.volunteer, "frivillig.elverum"),
    ]

    static func addAdultEducationUser(_ app: Application) async throws {
        let u = User(
            username: "voksenopplaering.elverum", displayName: "Test (voksenopplæring)",
            passwordHash: try app.password.hash(DemoData.password))
        try await u.create(on: app.db)
        try await RoleAssignment(user: u.id!, role: .adultEducationPartner, municipality: "3420", unit: nil)
            .create(on: app.db)
    }

    /// Fills every optional field, so that a field left out of the API means "not allowed", never "empty".
    static func fillEverything(_ p: Person, _ app: Application) async throws {
        p.phone = "+47 912 34 567".replacingOccurrences(of: " ", with: "")
        p.email = "test@example.no"
        p.contactPreference = .sms
        p.advisorID = try await User.query(on: app.db).filter(\.$username == "veileder.elverum").first()?.id
        p.caseWorkerID = try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first()?.id
        p.countryOfBirth = p.countryOfBirth ?? "SY"
        p.educationLevel = p.educationLevel ?? .primary
        p.educationYears = p.educationYears ?? 6
        p.workExperience = p.workExperience ?? "Snekker i 10 år"
        p.permitDate = p.permitDate ?? p.arrivalDate?.adding(days: -30)
        p.settledByAgreement = true
        p.dufNumber = "201912345678"
        p.nationalID = "12049010026"
        p.referenceResidenceGround = .refugee
        p.referenceSettlementDate = LocalDate(iso: "2022-01-10")
        p.familyApplicationDate = LocalDate(iso: "2023-01-10")
        // A move-out ahead (registered from the population register), so the residence fields are all set.
        p.movedOutOn = LocalDate.today.adding(days: 30)
        p.movedTo = "0301"
        p.interpreterLanguage = p.interpreterLanguage ?? "ar"
        p.researchReservation = true
        p.relation = p.relation ?? .main
        try await p.update(on: app.db)
        let active = try await PersonShare.query(on: app.db).filter(\.$person.$id == p.id!)
            .filter(\.$revokedAt == nil).all().map(\.sector)
        for s in Sector.allCases where s != .integration && !active.contains(s) {
            try await PersonShare(person: p.id!, sector: s, basis: .consent, reference: "test", by: nil).create(
                on: app.db)
        }
    }

    /// The `data-section` names on a page.
    static func sections(in html: String) -> Set<String> {
        Set(matches(#"data-section="([a-z_]+)""#, html))
    }

    static func matches(_ pattern: String, _ html: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap {
            Range($0.range(at: 1), in: html).map { String(html[$0]) }
        }
    }

    /// The deadline kinds the rules give the person today whose event `sector` records.
    static func deadlines(of p: Person, _ app: Application, for sector: Sector) -> Set<String> {
        Set(
            app.rulesEngine.evaluate(p.facts, asOf: .today).deadlines
                .filter { sector == .integration || $0.kind.sector == sector }.map(\.kind.rawValue))
    }

    @Test("Every reader sees exactly the sections the table gives its sector, on the page and in the API")
    func everyCell() async throws {
        try await withDemoApp { app in
            try await Self.addAdultEducationUser(app)
            let table = app.sectionTable
            #expect(table.sections.count >= 10)
            // An adult in the programme with NAV-owned measures and a household, and a child starting school.
            let parts = try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                .filter(\.$startDate != nil).with(\.$measures).with(\.$person).all()
            let adultPart = try #require(
                parts.first { p in p.measures.contains { $0.owner == .nav } && p.measures.contains { $0.owner != .nav }
                })
            let all = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").with(\.$shares).all()
            let child = try #require(
                all.first {
                    $0.$household.id != nil && Self.deadlines(of: $0, app, for: .school).contains("school_start")
                })
            for id in [adultPart.person.id!, child.id!] {
                let p = try #require(try await Person.find(id, on: app.db))
                // The programme's demo participants live alone in the demo; the adult joins the child's household.
                p.$household.id = child.$household.id
                try await Self.fillEverything(p, app)
            }
            var checkedCells = 0
            for id in [adultPart.person.id!, child.id!] {
                let p = try #require(
                    try await Person.query(on: app.db).filter(\.$id == id).with(\.$shares).first())
                // What there is to show for this person: the integration service reads every section.
                let staff = Browser(app)
                try await staff.login("saksbehandler.elverum")
                let content = Self.sections(in: try await staff.send(.GET, "/persons/\(id)").body.string)
                for (sector, username) in Self.readers {
                    let b = Browser(app)
                    try await b.login(username)
                    let res = try await b.send(.GET, "/persons/\(id)")
                    #expect(res.status == .ok, "\(username)")
                    let html = res.body.string
                    let shown = Self.sections(in: html)
                    let own = Self.deadlines(of: p, app, for: sector)
                    for row in table.rows where row.section != FileSections.name {
                        let allowed = row.readers.contains(sector)
                        var expected = allowed && content.contains(row.section)
                        // A partner's deadlines are those its own sector meets; none means no section.
                        if row.section == "deadlines" && sector != .integration { expected = allowed && !own.isEmpty }
                        #expect(
                            shown.contains(row.section) == expected,
                            "\(username) on \(p.givenName): \(row.section) shown \(shown.contains(row.section))")
                        checkedCells += 1
                    }
                    #expect(html.contains(p.givenName))
                    // Within the deadlines section: only the sector's own kinds.
                    for kind in Self.matches(#"data-kind="([a-z_]+)""#, html) {
                        #expect(own.contains(kind), "\(username) sees the deadline \(kind)")
                    }
                    // Within the plan: NAV sees only the measures NAV owns.
                    for owner in Self.matches(#"data-owner="([a-z_]+)""#, html) where sector != .integration {
                        #expect(owner == sector.rawValue, "\(username) sees a measure owned by \(owner)")
                    }
                    // Nothing from a section the reader may not see leaks elsewhere on the page.
                    if !table.readers("residence").contains(sector) {
                        #expect(!html.contains("201912345678"), "\(username) sees the DUF number")
                    }
                    if !table.readers("contact").contains(sector) { #expect(!html.contains("test@example.no")) }

                    // The API: `sections` is the table's column, and exactly those sections' fields are present.
                    let bearer = try await token(app, for: username)
                    let api = try await api(app, .GET, "/api/v1/persons/\(id)", token: bearer)
                    #expect(api.status == .ok)
                    let json = try #require(
                        try JSONSerialization.jsonObject(with: Data(api.body.readableBytesView)) as? [String: Any])
                    let listed = Set((json["sections"] as? [String]) ?? [])
                    let column = Set(table.rows.filter { $0.readers.contains(sector) }.map(\.section))
                    #expect(listed == column, "\(username): API sections \(listed.sorted())")
                    // Every key the API sends belongs to the name or to a section: a new field cannot bypass the table.
                    let named: Set<String> = ["id", "municipality", "givenName", "familyName", "sections"]
                    let unassigned = Set(json.keys).subtracting(named).subtracting(PersonDTO.fields.values.joined())
                    #expect(unassigned.isEmpty, "fields in no section: \(unassigned.sorted())")
                    for (section, fields) in PersonDTO.fields {
                        for field in fields {
                            // The programme advisor is the integration service's own assignment, not a partner's.
                            let shown = column.contains(section) && (field != "advisorId" || sector == .integration)
                            #expect(
                                (json[field] != nil) == shown,
                                "\(username): \(field) of \(section) present \(json[field] != nil)")
                        }
                    }
                }
                // Every section has something to show for at least one of the two persons (checked below).
                #expect(content.contains("identity") && content.contains("sharing"))
            }
            #expect(checkedCells == 2 * Self.readers.count * (table.rows.count - 1))
        }
    }

    @Test("The person page shows every section of the table to the integration service for the programme adult")
    func everySectionHasContent() async throws {
        try await withDemoApp { app in
            let part = try #require(
                try await PersonProgramme.query(on: app.db).filter(\.$municipality.$id == "3420")
                    .filter(\.$startDate != nil).with(\.$person).with(\.$measures).all()
                    .first { !$0.measures.isEmpty })
            let household = try #require(
                try await Household.query(on: app.db).filter(\.$municipality.$id == "3420").first())
            part.person.$household.id = household.id
            try await part.person.update(on: app.db)
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let shown = Self.sections(in: try await b.send(.GET, "/persons/\(part.person.id!)").body.string)
            let expected = Set(app.sectionTable.sections).subtracting([FileSections.name])
            #expect(shown == expected, "missing \(expected.subtracting(shown).sorted())")
        }
    }

    @Test("The table must name every sector once and mark cells with ✓ or –")
    func parser() throws {
        let good = """
            | Section | integration | nav | health | school | kindergarten | housing | adult_education | volunteer | Reason |
            |---|---|---|---|---|---|---|---|---|---|
            | `a` | ✓ | – | – | – | – | – | – | ✓ | why |
            """
        let t = try SectionTable.parse(good)
        #expect(t.readers("a") == [.integration, .volunteer])
        #expect(t.readers("unknown").isEmpty)
        #expect(throws: SectionTable.ParseError.self) {
            try SectionTable.parse(good.replacingOccurrences(of: "| volunteer |", with: "| nav |"))
        }
        #expect(throws: SectionTable.ParseError.self) {
            try SectionTable.parse(good.replacingOccurrences(of: "| ✓ | why", with: "| yes | why"))
        }
        #expect(throws: SectionTable.ParseError.self) {
            try SectionTable.parse(good + "\n| `a` | ✓ | – | – | – | – | – | – | ✓ | twice |")
        }
    }

    @Test("The shipped docs/privacy.md is the table the running service uses")
    func docsAreTheTable() async throws {
        try await withDemoApp { app in
            let text = try String(contentsOfFile: app.directory.workingDirectory + FileSections.path, encoding: .utf8)
            #expect(try SectionTable.parse(text) == app.sectionTable)
            let declared = Set(app.features.flatMap(\.personSections).map(\.id) + [FileSections.name])
            #expect(Set(app.sectionTable.sections) == declared)
        }
    }

    @Test("A partner sees a household only when every member is shared with it, and only its own checklist tasks")
    func households() async throws {
        try await withDemoApp { app in
            let tasks = try await ArrivalTask.query(on: app.db).with(\.$household).all()
            let withHealth = try #require(
                Dictionary(grouping: tasks, by: { $0.$household.id }).first { _, ts in
                    ts.contains { $0.sector == .health } && ts.contains { $0.sector != .health }
                })
            let h = try #require(
                try await Household.query(on: app.db).filter(\.$id == withHealth.key).with(\.$members).first())
            try #require(h.$municipality.id == "3420" && h.members.count >= 2)
            for m in h.members {
                let shares = try await PersonShare.query(on: app.db).filter(\.$person.$id == m.id!).all()
                for s in shares { try await s.delete(on: app.db) }
                try await PersonShare(person: m.id!, sector: .health, basis: .consent, reference: "t", by: nil)
                    .create(on: app.db)
            }
            let health = Browser(app)
            try await health.login("helse.elverum")
            let page = try await health.send(.GET, "/households/\(h.id!)")
            #expect(page.status == .ok)
            for m in h.members { #expect(page.body.string.contains(m.givenName)) }
            let healthToken = try await token(app, for: "helse.elverum")
            let list = try await api(app, .GET, "/api/v1/households/\(h.id!)/checklist", token: healthToken)
            #expect(list.status == .ok)
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(list.body.readableBytesView)) as? [[String: Any]])
            #expect(!rows.isEmpty)
            #expect(rows.allSatisfy { ($0["sector"] as? String) == "health" }, "\(rows.map { $0["sector"] ?? "" })")
            #expect(rows.count == withHealth.value.filter { $0.sector == .health }.count)
            // The case worker still sees every task.
            let staff = try await token(app, for: "saksbehandler.elverum")
            let all = try await api(app, .GET, "/api/v1/households/\(h.id!)/checklist", token: staff)
            let allRows = try #require(
                try JSONSerialization.jsonObject(with: Data(all.body.readableBytesView)) as? [[String: Any]])
            #expect(allRows.count == withHealth.value.count)
            // One member no longer shared: the household is closed to health, on the page and in the API.
            let last = try #require(h.members.last)
            try await PersonShare.query(on: app.db).filter(\.$person.$id == last.id!).delete()
            #expect(try await health.send(.GET, "/households/\(h.id!)").status != .ok)
            #expect(try await api(app, .GET, "/api/v1/households/\(h.id!)", token: healthToken).status != .ok)
            #expect(
                try await api(app, .GET, "/api/v1/households/\(h.id!)/checklist", token: healthToken).status != .ok)
        }
    }
}
