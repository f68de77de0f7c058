import Fluent
import Foundation
import InnbyggerCore
import InnbyggerKernel
import SwiftCSV
import Vapor

/// CSV import of households and persons, for moving off spreadsheets or another system.
///
/// All or nothing: the whole file is read and every row checked before anything is stored; one bad row
/// means nothing is imported and every bad row and field is listed. The columns carry the API's field names
/// (see `docs/import.md`); rows with the same `household` form one household.
package enum PersonImport {
    package static let maxRows = 5000
    package static let columns = [
        "household", "householdAddress", "relation", "givenName", "familyName", "birthDate", "sex", "citizenship",
        "countryOfBirth", "residenceGround", "nationalId", "dufNumber", "permitDate", "arrivalDate", "settlementDate",
        "settledByAgreement", "educationLevel", "educationYears", "languages", "interpreterLanguage", "phone", "email",
        "contactPreference",
    ]
    package static let required = ["givenName", "familyName", "birthDate", "sex", "citizenship", "residenceGround"]

    package typealias Problem = ImportProblem

    package struct Row {
        package var line: Int
        package var household: String?
        package var householdAddress: String?
        package var person: ValidPerson
    }

    /// Reads and checks a whole file. Returns the valid rows, or every problem found.
    /// Problems are reported in English (`translations` gives the broken rules' texts), like the API's errors.
    package static func parse(
        _ text: String, municipality: Kommunenummer, translations: Translations, today: LocalDate = .today
    ) -> Result<[Row], ImportFailure> {
        let table: CSVTable
        switch CSVTable.read(text, columns: columns, required: required, maxRows: maxRows) {
        case .success(let t): table = t
        case .failure(let f): return .failure(f)
        }
        var problems: [Problem] = []
        var rows: [Row] = []
        var seenIDs: [String: Int] = [:]
        problems += table.problems
        for (line, values) in table.rows {
            let (input, parseProblems) = personInput(values, municipality: municipality)
            var rowProblems = parseProblems.map {
                Problem(row: line, field: $0.field, message: $0.english(translations))
            }
            rowProblems += input.allFailures(today: today).map {
                Problem(row: line, field: $0.field, message: $0.english(translations))
            }
            if let id = input.nationalId, !rowProblems.contains(where: { $0.field == "nationalId" }) {
                if let first = seenIDs[id] {
                    rowProblems.append(
                        Problem(row: line, field: "nationalId", message: "the same national id as row \(first)"))
                } else {
                    seenIDs[id] = line
                }
            }
            let household = try? Validate.text(values["household"], "household", max: 100, required: false)
            let address = try? Validate.text(values["householdAddress"], "householdAddress", max: 200, required: false)
            if values["household"] != nil && household == nil {
                rowProblems.append(
                    Problem(
                        row: line, field: "household",
                        message: "household is longer than 100 characters or has control characters"))
            }
            if values["householdAddress"] != nil && address == nil {
                rowProblems.append(
                    Problem(
                        row: line, field: "householdAddress",
                        message: "householdAddress is longer than 200 characters or has control characters"))
            }
            if rowProblems.isEmpty, let valid = try? input.validated(today: today) {
                rows.append(
                    Row(line: line, household: household ?? nil, householdAddress: address ?? nil, person: valid))
            }
            problems += rowProblems
        }
        return problems.isEmpty ? .success(rows) : .failure(ImportFailure(problems: problems))
    }

    /// Turns the text cells into the API's input; cells that are not even the right kind (a number, yes/no,
    /// a language list) are reported here and left out.
    package static func personInput(
        _ v: [String: String], municipality: Kommunenummer
    ) -> (PersonInput, [ValidationFailure]) {
        var problems: [ValidationFailure] = []
        var input = PersonInput(
            municipality: municipality.value, givenName: v["givenName"], familyName: v["familyName"],
            birthDate: v["birthDate"],
            sex: v["sex"], citizenship: v["citizenship"], residenceGround: v["residenceGround"],
            arrivalDate: v["arrivalDate"],
            settlementDate: v["settlementDate"], nationalId: v["nationalId"]?.replacingOccurrences(of: " ", with: ""),
            permitDate: v["permitDate"], educationLevel: v["educationLevel"],
            dufNumber: v["dufNumber"]?.replacingOccurrences(of: " ", with: ""), countryOfBirth: v["countryOfBirth"],
            interpreterLanguage: v["interpreterLanguage"], relation: v["relation"], phone: v["phone"],
            email: v["email"],
            contactPreference: v["contactPreference"])
        if let b = v["settledByAgreement"] {
            switch b.lowercased() {
            case "ja", "yes", "true", "1", "j": input.settledByAgreement = true
            case "nei", "no", "false", "0", "n": input.settledByAgreement = false
            default:
                problems.append(
                    ValidationFailure(field: "settledByAgreement", "invalid.one_of", "ja, nei"))
            }
        }
        if let y = v["educationYears"] {
            if let n = Int(y) {
                input.educationYears = n
            } else {
                problems.append(
                    ValidationFailure(field: "educationYears", "invalid.whole_number"))
            }
        }
        if let l = v["languages"] {
            // "ar:mother_tongue | en:good" (a quoted cell may also use ; or , between languages)
            var skills: [LanguageInput] = []
            for part in l.split(whereSeparator: { "|;,".contains($0) }) {
                let pair = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else {
                    problems.append(
                        ValidationFailure(field: "languages", "persons.invalid.languages_cell"))
                    skills = []
                    break
                }
                skills.append(LanguageInput(code: pair[0], level: pair[1]))
            }
            input.languages = skills
        }
        return (input, problems)
    }
}

/// An import run: who, where, how far, and the outcome (kept so the progress page and the history can show it).
package final class ImportJob: Model, @unchecked Sendable {
    package static let schema = "import_jobs"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "municipality") package var municipality: Municipality
    @Field(key: "user_id") package var userID: UUID
    @Field(key: "filename") package var filename: String
    @Field(key: "status") package var status: Status
    @Field(key: "total_rows") package var totalRows: Int
    @Field(key: "persons_created") package var personsCreated: Int
    @Field(key: "households_created") package var householdsCreated: Int
    /// JSON list of `ImportProblem` when failed.
    @OptionalField(key: "problems") package var problemsJSON: String?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "finished_at") package var finishedAt: Date?
    package init() {}

    package enum Status: String, CaseIterable, Codable, Sendable, Labelled {
        case running, done, failed
        package static var labelPrefix: String { "import.status" }
    }

    package var problems: [ImportProblem] {
        problemsJSON.flatMap { try? JSONDecoder().decode([ImportProblem].self, from: Data($0.utf8)) } ?? []
    }
}

package struct CreateImportJobs: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(ImportJob.schema)
            .id()
            .field("municipality", .string, .required, .references(Municipality.schema, "code"))
            .field("user_id", .uuid, .required)
            .field("filename", .string, .required)
            .field("status", .string, .required)
            .field("total_rows", .int, .required)
            .field("persons_created", .int, .required)
            .field("households_created", .int, .required)
            .field("problems", .string)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
    }
    package func revert(on db: any Database) async throws { try await db.schema(ImportJob.schema).delete() }
}

/// Rows stored so far by running imports in this process, for the progress bar.
package actor ImportProgress {
    private var stored: [UUID: Int] = [:]
    package func set(_ job: UUID, _ n: Int) { stored[job] = n }
    package func get(_ job: UUID) -> Int? { stored[job] }
    package func finish(_ job: UUID) { stored[job] = nil }
}

package struct ImportProgressKey: StorageKey { package typealias Value = ImportProgress }

extension Application {
    package var importProgress: ImportProgress {
        if let p = storage[ImportProgressKey.self] { return p }
        let p = ImportProgress()
        storage[ImportProgressKey.self] = p
        return p
    }
}

/// Runs imports for pages and API alike, after the policy allows creating person files in the municipality.
package enum ImportService {
    /// Checks the file and records the job. A bad file ends here as a failed job with its problems; a good one
    /// is stored by `store`, which the page runs in the background and the API waits for.
    package static func start(_ ctx: ServiceContext, municipality raw: String?, filename: String, text: String)
        async throws
        -> (ImportJob, [PersonImport.Row])
    {
        let user = try ctx.requireUser()
        let municipality = try Validate.municipality(raw)
        try await ctx.authorize(
            .create, .personalData(municipality: municipality, sharedWith: []), recordType: "import")
        let job = ImportJob()
        job.$municipality.id = municipality
        job.userID = user.id
        job.filename = String(filename.prefix(200))
        job.createdAt = Date()
        job.personsCreated = 0
        job.householdsCreated = 0
        var rows: [PersonImport.Row] = []
        switch PersonImport.parse(text, municipality: municipality, translations: ctx.app.translations) {
        case .success(let valid):
            rows = valid
            // A national id already on file in the service is a duplicate too.
            let ids = valid.compactMap(\.person.nationalID)
            if !ids.isEmpty {
                let existing = Set(
                    try await Person.query(on: ctx.db).filter(\.$nationalID ~~ ids).all().compactMap(\.nationalID))
                let dupes = valid.filter { $0.person.nationalID.map(existing.contains) == true }
                if !dupes.isEmpty {
                    rows = []
                    job.problemsJSON = encode(
                        dupes.map {
                            ImportProblem(
                                row: $0.line, field: "nationalId",
                                message: "a person with this national id is already registered")
                        })
                }
            }
            job.totalRows = valid.count
        case .failure(let f):
            job.totalRows = 0
            job.problemsJSON = encode(f.problems)
        }
        job.status = job.problemsJSON == nil ? .running : .failed
        if job.status == .failed { job.finishedAt = Date() }
        let action = job.status == .failed ? "import_rejected" : "import_started"
        try await ctx.write { tx in
            try await job.create(on: tx)
            try await ctx.audit(action, recordType: "import", recordID: job.id?.uuidString, municipality: municipality)
        }
        return (job, rows)
    }

    /// Imports still "running" when the server starts were cut off by a stop. A job's rows commit together with its
    /// status, so such a job stored nothing; it is reconciled with the files that carry its id all the same, and
    /// reported as it truly ended.
    package static func closeInterrupted(_ app: Application) async throws {
        for job in try await ImportJob.query(on: app.db).filter(\.$status == .running).all() {
            let jobID = job.id!
            try await app.write { tx in
                let persons = try await Person.query(on: tx).filter(\.$importJob == jobID).count()
                job.finishedAt = Date()
                if persons > 0 {
                    job.status = .done
                    job.personsCreated = persons
                    job.householdsCreated = try await Household.query(on: tx).join(
                        Person.self, on: \Person.$household.$id == \Household.$id
                    )
                    .filter(Person.self, \.$importJob == jobID).unique().count(\.$id)
                } else {
                    job.status = .failed
                    job.problemsJSON = encode([
                        ImportProblem(
                            row: 0, field: nil,
                            message:
                                "the server stopped during the import; nothing was stored, so the file can be "
                                + "imported again"
                        )
                    ])
                }
                try await job.update(on: tx)
                try await app.auditLog.append(
                    [
                        AuditDraft(
                            userID: nil, municipality: job.$municipality.id, action: "import_\(job.status.rawValue)",
                            recordType: "import",
                            recordID: jobID.uuidString, route: "startup")
                    ], on: tx)
            }
        }
    }

    package static func encode(_ problems: [ImportProblem]) -> String {
        String(decoding: (try? JSONEncoder().encode(problems)) ?? Data(), as: UTF8.self)
    }

    /// Stores every row, the audit entry of every created record and the job's outcome in one transaction: all of it
    /// or none of it.
    package static func store(_ job: ImportJob, _ rows: [PersonImport.Row], app: Application, route: String) async {
        let progress = app.importProgress
        let jobID = job.id!
        let municipality = job.$municipality.id
        let log = app.auditLog
        let user = job.userID.uuidString
        func draft(_ action: String, _ type: String, _ id: UUID?) -> AuditDraft {
            AuditDraft(
                userID: user, municipality: municipality, action: action, recordType: type, recordID: id?.uuidString,
                route: route)
        }
        do {
            try await app.write { tx in
                var households: [String: UUID] = [:]
                var drafts: [AuditDraft] = []
                drafts.reserveCapacity(rows.count + 1)
                func created(_ type: String, _ id: UUID?) { drafts.append(draft("create", type, id)) }
                var newHouseholds: [Household] = []
                var persons: [Person] = []
                persons.reserveCapacity(rows.count)
                for row in rows {
                    var person = row.person
                    if let name = row.household {
                        if households[name] == nil {
                            let h = Household()
                            h.id = UUID()
                            h.$municipality.id = municipality
                            h.name = name
                            h.address = row.householdAddress
                            newHouseholds.append(h)
                            households[name] = h.id
                            created("household", h.id)
                        }
                        person.householdID = households[name]
                    }
                    let p = Person()
                    p.id = UUID()
                    person.apply(to: p)
                    p.importJob = jobID
                    persons.append(p)
                    created("person", p.id)
                }
                // Multi-row inserts in chunks (issue #12: one statement per few hundred rows, not one per row), all in
                // this one transaction; progress after each chunk.
                for start in stride(from: 0, to: newHouseholds.count, by: 500) {
                    try await newHouseholds[start..<min(start + 500, newHouseholds.count)].create(on: tx)
                }
                for start in stride(from: 0, to: persons.count, by: 500) {
                    try await persons[start..<min(start + 500, persons.count)].create(on: tx)
                    await progress.set(jobID, min(start + 500, persons.count))
                }
                job.status = .done
                job.personsCreated = persons.count
                job.householdsCreated = households.count
                job.finishedAt = Date()
                try await job.update(on: tx)
                drafts.append(draft("import_done", "import", jobID))
                try await log.append(drafts, on: tx)
                // The new files' deadlines, in the same transaction (the worklist reads them from the table).
                let created = drafts.filter { $0.recordType == "person" }.compactMap {
                    $0.recordID.flatMap(UUID.init(uuidString:))
                }
                try await DeadlineIndex.refresh(Set(created), app: app, on: tx)
            }
            await progress.set(jobID, rows.count)
        } catch {
            app.logger.error(
                "import failed",
                metadata: ["job": .string(jobID.uuidString), "error": .string(String(describing: type(of: error)))])
            job.status = .failed
            job.personsCreated = 0
            job.householdsCreated = 0
            job.finishedAt = Date()
            job.problemsJSON = encode([
                ImportProblem(row: 0, field: nil, message: "the database refused the import; nothing was stored")
            ])
            try? await app.write { tx in
                try await job.update(on: tx)
                try await log.append([draft("import_failed", "import", jobID)], on: tx)
            }
        }
        await progress.finish(jobID)
    }
}
