import Fluent
import Foundation
import Testing
import VaporTesting
import ZIPFoundation

@testable import InnbyggerApp
@testable import InnbyggerKernel

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
        }
    }
}
