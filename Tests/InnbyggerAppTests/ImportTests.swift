import Fluent
import Testing
import VaporTesting

@testable import Account
@testable import Admin
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Journal
@testable import Norwegian
@testable import Overview
@testable import Persons
@testable import Programme
@testable import Rules
@testable import Settlement
@testable import Worklist

@Suite("Import", .serialized)
struct ImportTests {
    static let header =
        "household;householdAddress;relation;givenName;familyName;birthDate;sex;citizenship;residenceGround;nationalId;settledByAgreement;languages;educationYears"
    static let good = """
        \(header)
        Husstand Import;Storgata 1;main;Amal;Import;12.04.1990;female;SO;refugee;12049010026;ja;so:mother_tongue | ar:basic;9
        Husstand Import;Storgata 1;child;Sami;Import;2015-05-05;male;SO;refugee;;ja;so:mother_tongue;
        ;;;Ali;Alene;1999-01-01;male;AF;refugee;;nei;;
        """

    @Test("A good file makes households from the household column; semicolons and dd.mm.åååå are read")
    func parsesGoodFile() throws {
        let rows = try PersonImport.parse(Self.good, municipality: "3420", translations: testTranslations).get()
        #expect(rows.count == 3)
        #expect(rows[0].household == "Husstand Import")
        #expect(rows[0].person.birthDate == LocalDate(iso: "1990-04-12"))
        #expect(rows[0].person.languages.map(\.code) == ["so", "ar"])
        #expect(rows[0].person.educationYears == 9)
        #expect(rows[2].household == nil)
        #expect(rows[2].person.settledByAgreement == false)
    }

    @Test("A bad file lists every bad row and field, several per row")
    func listsEveryProblem() throws {
        let bad = """
            \(Self.header)
            H;;main;Amal;Import;1990-02-30;female;Somalia;refugee;12049010036;kanskje;so:mother_tongue;ni
            H;;main;Sami;Import;2015-05-05;male;SO;refugee;;ja;so;
            ;;;Ali;Alene;1999-01-01;male;AF;refugee;;nei;;;;
            ;;;Ola;Ok;1999-01-01;male;AF;refugee;;nei;;
            """
        guard case .failure(let f) = PersonImport.parse(bad, municipality: "3420", translations: testTranslations)
        else {
            Issue.record("accepted a bad file")
            return
        }
        let row1 = Set(f.problems.filter { $0.row == 1 }.compactMap(\.field))
        #expect(row1 == ["birthDate", "citizenship", "nationalId", "settledByAgreement", "educationYears"])
        #expect(f.problems.contains { $0.row == 2 && $0.field == "languages" })
        #expect(f.problems.contains { $0.row == 3 && $0.field == nil })  // too many values
        #expect(!f.problems.contains { $0.row == 4 })
    }

    @Test(
        "File-level problems: unknown and missing columns, empty file, broken quotes",
        arguments: [
            ("givenName;familyName;shoeSize\nA;B;42", "shoeSize"),
            ("givenName;familyName\nA;B", "birthDate"),
            (header, nil),
        ])
    func fileProblems(_ text: String, _ field: String?) {
        guard case .failure(let f) = PersonImport.parse(text, municipality: "3420", translations: testTranslations)
        else {
            Issue.record("accepted")
            return
        }
        #expect(f.problems.allSatisfy { $0.row == 0 })
        if let field { #expect(f.problems.contains { $0.field == field }) }
    }

    @Test("A quote left open is reported as such, with the line it opens on")
    func brokenQuote() {
        let text =
            "givenName,familyName,birthDate,sex,citizenship,residenceGround\n\"A,B,1990-01-01,female,SO,refugee\nC,D,1990-01-01,male,SO,refugee"
        guard case .failure(let f) = PersonImport.parse(text, municipality: "3420", translations: testTranslations)
        else {
            Issue.record("accepted")
            return
        }
        #expect(f.problems.count == 1)
        #expect(f.problems.first?.message == "the quote opened on line 2 of the file is never closed")
        // Doubled quotes inside a quoted cell are escapes, not an open quote.
        let fine =
            "givenName,familyName,birthDate,sex,citizenship,residenceGround\n\"A \"\"Sam\"\"\",B,1990-01-01,female,SO,refugee"
        #expect(
            (try? PersonImport.parse(fine, municipality: "3420", translations: testTranslations).get())?.first?.person
                .givenName == "A \"Sam\"")
    }

    @Test("A column named twice is refused, whatever its case")
    func duplicateColumns() {
        let text =
            "givenName;familyName;birthDate;sex;citizenship;residenceGround;GivenName\nA;B;1990-01-01;female;SO;refugee;C"
        guard case .failure(let f) = PersonImport.parse(text, municipality: "3420", translations: testTranslations)
        else {
            Issue.record("accepted")
            return
        }
        #expect(f.problems.map(\.message) == ["the column givenName appears more than once"])
        #expect(f.problems.first?.row == 0)
    }

    @Test("The API imports all or nothing, audits each record, and checks who may import")
    func apiImport() async throws {
        try await withDemoApp { app in
            let cw = try await token(app, for: "saksbehandler.elverum")
            func post(
                _ text: String, _ m: String = "3420", token: String? = nil,
                type: HTTPMediaType = HTTPMediaType(type: "text", subType: "csv")
            ) async throws -> TestingHTTPResponse {
                var h = HTTPHeaders()
                h.bearerAuthorization = .init(token: token ?? cw)
                h.contentType = type
                return try await app.testing().sendRequest(
                    .POST, "/api/v1/imports/persons?municipality=\(m)", headers: h, body: ByteBuffer(string: text))
            }
            let before = try await Person.query(on: app.db).count()
            let bad = try await post(Self.good + "\n;;;X;Y;2099-01-01;male;AF;refugee;;;;\n")
            #expect(bad.status == .badRequest)
            let rejected = try bad.content.decode(ImportAPIController.JobDTO.self)
            #expect(rejected.status == "failed")
            #expect(rejected.problems.contains { $0.row == 4 && $0.field == "birthDate" })
            #expect(try await Person.query(on: app.db).count() == before)

            let ok = try await post(Self.good)
            #expect(ok.status == .created)
            let job = try ok.content.decode(ImportAPIController.JobDTO.self)
            #expect(job.personsCreated == 3 && job.householdsCreated == 1)
            #expect(try await Person.query(on: app.db).count() == before + 3)
            let household = try #require(
                try await Household.query(on: app.db).filter(\.$name == "Husstand Import").with(\.$members).first())
            #expect(household.members.count == 2)
            #expect(
                try await AuditEntry.query(on: app.db).filter(\.$route == "POST /api/v1/imports/persons").filter(
                    \.$action == "create"
                ).count() == 4)
            #expect(try await api(app, .GET, "/api/v1/imports/\(job.id)", token: cw).status == .ok)
            // The same national id again is refused.
            let again = try await post(Self.good)
            #expect(again.status == .badRequest)
            #expect(
                try again.content.decode(ImportAPIController.JobDTO.self).problems.contains { $0.field == "nationalId" }
            )
            // Partners, leaders and other municipalities may not import; the body must be CSV.
            #expect(try await post(Self.good, token: try await token(app, for: "helse.elverum")).status == .forbidden)
            #expect(try await post(Self.good, token: try await token(app, for: "leder.elverum")).status == .forbidden)
            #expect(try await post(Self.good, "3427").status == .forbidden)
            #expect(try await post(Self.good, "x").status == .badRequest)
            #expect(try await post(Self.good, type: .json).status == .unsupportedMediaType)
            #expect(
                try await api(
                    app, .GET, "/api/v1/imports/\(job.id)", token: try await token(app, for: "saksbehandler.tynset")
                ).status == .forbidden)
        }
    }

    @Test("An import cut off by a server stop is closed as failed at the next start")
    func interrupted() async throws {
        try await withDemoApp { app in
            let user = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            let job = ImportJob()
            job.$municipality.id = "3420"
            job.userID = user.id!
            job.filename = "x.csv"
            job.status = .running
            job.totalRows = 10
            job.personsCreated = 0
            job.householdsCreated = 0
            job.createdAt = Date()
            try await job.create(on: app.db)
            try await ImportService.closeInterrupted(app)
            let closed = try #require(try await ImportJob.find(job.id, on: app.db))
            #expect(closed.status == .failed)
            #expect(closed.problems.first?.message.contains("stopped") == true)
        }
    }

    @Test("A running job's page shows its progress bar, and the script that reloads it is served")
    func runningJobPage() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let user = try #require(
                try await User.query(on: app.db).filter(\.$username == "saksbehandler.elverum").first())
            let job = ImportJob()
            job.$municipality.id = "3420"
            job.userID = user.id!
            job.filename = "stor.csv"
            job.status = .running
            job.totalRows = 5000
            job.personsCreated = 0
            job.householdsCreated = 0
            job.createdAt = Date()
            try await job.create(on: app.db)
            let page = try await b.send(.GET, "/import/\(job.id!)").body.string
            #expect(page.contains("<progress id=\"progress\" max=\"5000\""))
            let scripts = page.components(separatedBy: "<script src=\"").dropFirst().map {
                String($0.prefix { $0 != "\"" })
            }
            #expect(scripts == ["/js/reload-while-running.js", "/js/layout.js"])
            for src in scripts {
                let res = try await app.testing().sendRequest(.GET, src)
                #expect(res.status == .ok, "\(src)")
                #expect(res.headers.contentType?.subType == "javascript", "\(src)")
            }
        }
    }

    @Test("The page uploads a file, shows progress, then the outcome")
    func page() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            #expect(try await b.send(.GET, "/import").status == .ok)
            func multipart(_ csv: String) async throws -> TestingHTTPResponse {
                try await b.upload("/import", csv: csv, filename: "personer.csv", fields: ["municipality": "3420"])
            }
            let rejected = try await multipart("givenName;familyName\nA;B")
            #expect(rejected.status == .seeOther)
            let failedPage = try await b.send(.GET, try #require(rejected.headers.first(name: .location))).body.string
            #expect(failedPage.contains("birthDate"))
            let res = try await multipart(Self.good)
            #expect(res.status == .seeOther)
            let location = try #require(res.headers.first(name: .location))
            let id = try #require(UUID(uuidString: String(location.split(separator: "/").last!)))
            // The background store finishes shortly; the page then shows the outcome.
            var status = "running"
            for _ in 0..<100 where status == "running" {
                try await Task.sleep(nanoseconds: 50_000_000)
                status = try await ImportJob.find(id, on: app.db)?.status.rawValue ?? "missing"
            }
            #expect(status == "done")
            let page = try await b.send(.GET, location).body.string
            #expect(page.contains("3 personer og 1 husstander"))
            let partner = Browser(app)
            try await partner.login("nav.elverum")
            #expect(try await partner.send(.GET, "/import").status == .forbidden)
            #expect(try await partner.send(.GET, location).status == .forbidden)
        }
    }
}
