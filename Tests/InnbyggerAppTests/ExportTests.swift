import Fluent
import Foundation
import Testing
import VaporTesting
import ZIPFoundation

@testable import InnbyggerApp
@testable import InnbyggerKernel
@testable import Plan

/// Issue #14: every list exports to CSV (UTF-8 with a byte-order mark, semicolons, formula-guarded) and XLSX.
@Suite("List exports")
struct ExportTests {
    @Test("The person and household lists as CSV and XLSX: every row the user may see, the export audited")
    func personsAndHouseholds() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let persons = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").count()
            let csv = try await b.send(.GET, "/persons.csv")
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv")
            let text = csv.body.string
            #expect(text.hasPrefix("\u{FEFF}person_id;family_name;given_name;birth_date"))
            // The case worker of Elverum sees Elverum's files (more than one page of 200 is read in batches too).
            let lines = text.split(separator: "\r\n")
            #expect(lines.count == persons + 1)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "export").filter(\.$recordType == "person")
                    .count() == 1)
            let xlsx = try await b.send(.GET, "/persons.xlsx?q=Haddad")
            #expect(xlsx.status == .ok)
            let archive = try Archive(data: Data(buffer: xlsx.body), accessMode: .read)
            let sheet = try #require(archive["xl/worksheets/sheet1.xml"])
            var xml = Data()
            _ = try archive.extract(sheet) { xml.append($0) }
            let content = String(decoding: xml, as: UTF8.self)
            #expect(content.contains("Haddad"))
            #expect(!content.contains("Kovalenko"))
            let households = try await b.send(.GET, "/households.csv")
            let count = try await Household.query(on: app.db).filter(\.$municipality.$id == "3420").count()
            #expect(households.body.string.split(separator: "\r\n").count == count + 1)
            #expect(try await b.send(.GET, "/households.xlsx").status == .ok)
            // A partner without the list's right gets 403, not an empty file.
            let leader = Browser(app)
            try await leader.login("leder.elverum")
            #expect(try await leader.send(.GET, "/persons.csv").status == .forbidden)
            // … and the refusal is audited (issue #30), as is an aggregate export the leader may take.
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "denied_export")
                    .filter(\.$recordType == "persons").count() == 1)
            #expect(try await leader.send(.GET, "/settlement/movements.csv").status == .ok)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "export")
                    .filter(\.$recordType == "movements").count() == 1)
        }
    }

    /// Each export column and the section of the file it shows (docs/privacy.md), as the test reads the table.
    static let personColumns: [(String, String)] = [
        ("person_id", "name"), ("family_name", "name"), ("given_name", "name"), ("birth_date", "identity"),
        ("municipality", "name"), ("citizenship", "background"), ("residence_ground", "residence"),
        ("settlement_date", "residence"), ("moved_out_on", "residence"), ("moved_to", "residence"),
    ]
    static let householdColumns: [(String, String)] = [
        ("household_id", "name"), ("name", "household"), ("address", "household"), ("municipality", "name"),
        ("members", "household"),
    ]

    @Test(
        "Every partner's list exports carry exactly the columns its sector may read, as the person page",
        arguments: [
            ("nav.elverum", Sector.nav), ("helse.elverum", .health), ("skole.elverum", .school),
            ("barnehage.elverum", .kindergarten), ("bolig.elverum", .housing),
            ("voksenopplaering.tynset", .adultEducation), ("frivillig.elverum", .volunteer),
        ])
    func partnerColumns(_ user: String, _ sector: Sector) async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login(user)
            for (path, columns) in [("/persons", Self.personColumns), ("/households", Self.householdColumns)] {
                let expected = columns.filter { app.sectionTable.readers($0.1).contains(sector) }.map(\.0)
                let csv = try await b.send(.GET, path + ".csv")
                #expect(csv.status == .ok, "\(user) \(path)")
                let lines = csv.body.string.dropFirst().split(separator: "\r\n").map {
                    $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
                }
                #expect(lines.first == expected, "\(user) \(path)")
                #expect(lines.count > 1, "\(user) \(path): the demo shares files with every partner")
                let xlsx = try await b.send(.GET, path + ".xlsx")
                let archive = try Archive(data: Data(buffer: xlsx.body), accessMode: .read)
                var xml = Data()
                _ = try archive.extract(try #require(archive["xl/worksheets/sheet1.xml"])) { xml.append($0) }
                let sheet = String(decoding: xml, as: UTF8.self)
                for (column, _) in columns where !expected.contains(column) {
                    #expect(!sheet.contains(">\(column)<"), "\(user) \(path).xlsx has \(column)")
                }
            }
        }
    }

    @Test("The audit log, the programme participants and a team's meetings export too, each only for its readers")
    func otherLists() async throws {
        try await withDemoApp { app in
            // The audit log with its filter: the administrator's own municipality, newest first, the export logged.
            let admin = Browser(app)
            try await admin.login("admin.elverum")
            let csv = try await admin.send(.GET, "/admin/audit.csv?municipality=3420")
            #expect(csv.status == .ok)
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.first == "\u{FEFF}seq;at;user;municipality;action;record_type;record_id;route")
            let logged = try await AuditEntry.query(on: app.db).filter(\.$municipality == "3420").count()
            // The export's own entry is written after it was read.
            #expect(lines.count - 1 == logged - 1)
            let seqs = lines.dropFirst().compactMap { Int($0.split(separator: ";").first ?? "") }
            #expect(seqs == seqs.sorted(by: >))
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$action == "export")
                    .filter(\.$recordType == "audit_log").count() == 1)
            #expect(try await admin.send(.GET, "/admin/audit.xlsx?user=saksbehandler.elverum").status == .ok)
            #expect(try await admin.send(.GET, "/admin/audit.csv?from=2025-13-01").status == .badRequest)
            let caseWorker = Browser(app)
            try await caseWorker.login("saksbehandler.elverum")
            #expect(try await caseWorker.send(.GET, "/admin/audit.csv").status == .forbidden)

            // The participants list: every listed participation the advisor may see.
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            let parts = try await advisor.send(.GET, "/programme/participants.csv")
            #expect(parts.status == .ok)
            let listed =
                try await (app.db as! any SQLDatabase).raw(
                    "SELECT COUNT(*) AS n FROM programme_summaries WHERE municipality = '3420' AND listed = \(bind: true)"
                ).first(decoding: Counted.self)?.n ?? -1
            #expect(parts.body.string.split(separator: "\r\n").count - 1 == listed)
            #expect(try await advisor.send(.GET, "/programme/participants.xlsx").status == .ok)
            let nav = Browser(app)
            try await nav.login("nav.elverum")
            #expect(try await nav.send(.GET, "/programme/participants.csv").status == .forbidden)

            // A team's meetings, for its readers.
            let team = try #require(try await InclusionTeam.query(on: app.db).with(\.$meetings).first())
            let leader = Browser(app)
            try await leader.login(team.municipality == "3427" ? "leder.tynset" : "leder.elverum")
            let meetings = try await leader.send(.GET, "/teams/\(team.id!)/meetings.csv")
            #expect(meetings.status == .ok)
            #expect(meetings.body.string.split(separator: "\r\n").count - 1 == team.meetings.count)
            #expect(try await leader.send(.GET, "/teams/\(team.id!)/meetings.xlsx").status == .ok)
            #expect(try await nav.send(.GET, "/teams/\(team.id!)/meetings.csv").status == .forbidden)
        }
    }

    struct Counted: Decodable { var n: Int }
}
