import Fluent
import Vapor

/// Attendance for a whole group at once (`/programme/attendance`): one week, everyone with a given measure that
/// week, one row each; and the same from a CSV file. Both are all or nothing: a single bad row stores nothing and
/// every bad row is named.
enum GroupAttendance {
    static let columns = ["personId", "nationalId", "date", "period", "presentHours", "absenceHours", "absenceKind"]
    static let maxRows = 5000

    /// Open participations in the municipalities where the user is integration staff.
    static func participations(_ req: Request, municipality: String?) async throws -> [Participation] {
        var codes = try await req.municipalities(where: .update) { .personalData(municipality: $0, sharedWith: []) }
        if let m = municipality, !m.isEmpty {
            _ = try Validate.municipality(m)
            guard codes.contains(m) else { throw Abort(.forbidden, reason: "access denied") }
            codes = [m]
        }
        guard !codes.isEmpty else { throw Abort(.forbidden, reason: "access denied") }
        return try await Participation.query(on: req.db).filter(\.$municipality.$id ~~ codes).filter(\.$startDate != nil)
            .with(\.$person).with(\.$measures).with(\.$leaves).all()
    }

    /// Checks every row against its participation; stores all in one transaction or none.
    static func store(_ req: Request, _ rows: [(line: Int, part: Participation?, input: AttendanceInput)]) async throws -> Result<Int, ImportFailure> {
        var problems: [PersonImport.Problem] = []
        var entries: [(Participation, AttendanceEntry)] = []
        for r in rows {
            guard let part = r.part else {
                problems.append(.init(row: r.line, field: "personId", message: "no participant with this id in your municipalities")); continue
            }
            do { entries.append((part, try ProgrammeService.attendanceEntry(r.input, for: part))) } catch let e as ValidationFailure {
                problems.append(.init(row: r.line, field: e.field, message: e.message))
            }
        }
        guard problems.isEmpty else { return .failure(ImportFailure(problems: problems)) }
        guard !entries.isEmpty else { return .failure(ImportFailure(problems: [.init(row: 0, field: nil, message: "nothing to record")])) }
        try await req.db.transaction { db in for (_, e) in entries { try await e.create(on: db) } }
        for part in Dictionary(grouping: entries.map(\.0), by: { $0.id! }).values.compactMap(\.first) {
            try await req.audit("add_attendance", recordType: "programme", recordID: part.$person.id.uuidString, municipality: part.$municipality.id)
        }
        return .success(entries.count)
    }

    /// Reads an attendance file: each row names the participant by person id or national id.
    static func fromCSV(_ req: Request, _ text: String, municipality: String?) async throws -> Result<Int, ImportFailure> {
        let table: CSVTable
        switch CSVTable.read(text, columns: columns, required: ["date"], maxRows: maxRows) {
        case .success(let t): table = t
        case .failure(let f): return .failure(f)
        }
        guard table.problems.isEmpty else { return .failure(ImportFailure(problems: table.problems)) }
        let parts = try await participations(req, municipality: municipality)
        let byPerson = Dictionary(parts.map { ($0.$person.id, $0) }, uniquingKeysWith: { a, _ in a })
        let byNationalID = Dictionary(parts.compactMap { p in p.person.nationalID.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        var rows: [(Int, Participation?, AttendanceInput)] = []
        var problems: [PersonImport.Problem] = []
        for (line, v) in table.rows {
            let part = v["personId"].flatMap(UUID.init(uuidString:)).flatMap { byPerson[$0] } ?? v["nationalId"].flatMap { byNationalID[$0.replacingOccurrences(of: " ", with: "")] }
            do {
                rows.append((line, part, AttendanceInput(date: v["date"].flatMap { LocalDate(parsing: $0)?.iso ?? $0 }, period: v["period"],
                                                         presentHours: try ProgrammeController.hours(v["presentHours"], "presentHours"),
                                                         absenceHours: try ProgrammeController.hours(v["absenceHours"], "absenceHours"), absenceKind: v["absenceKind"])))
            } catch let e as ValidationFailure { problems.append(.init(row: line, field: e.field, message: e.message)) }
        }
        let stored = try await store(req, rows.map { (line: $0.0, part: $0.1, input: $0.2) })
        if case .failure(let f) = stored { return .failure(ImportFailure(problems: problems + f.problems)) }
        guard problems.isEmpty else { return .failure(ImportFailure(problems: problems)) }
        return stored
    }

    struct Query: Content { var week: String?; var measure: String?; var municipality: String? }

    struct PageView: Encodable {
        struct Row: Encodable { var id: UUID; var name: String; var present: String; var absence: String; var kinds: [PersonsController.Option]; var problem: String? }
        var week: String; var measures: [PersonsController.Option]; var municipalities: [PersonsController.Option]; var measure: String
        var rows: [Row]; var problems: [PersonImport.Problem]; var stored: Int?; var municipality: String
    }

    static func page(req: Request) async throws -> View {
        let q = try req.query.decode(Query.self)
        return try await render(req, q, form: [:], problems: [], stored: (try? req.query.get(Int.self, at: "stored")))
    }

    static func render(_ req: Request, _ q: Query, form: [String: String], problems: [PersonImport.Problem], stored: Int?) async throws -> View {
        let week = (q.week.flatMap(LocalDate.init(parsing:)) ?? .today).weekStart
        let kind = q.measure.flatMap { $0.isEmpty ? nil : MeasureKind(rawValue: $0) }
        let end = week.adding(days: 6)
        let today = LocalDate.today, params = req.application.programmeParameters
        let parts = try await participations(req, municipality: q.municipality).filter { p in
            let facts = ProgrammeFacts(part: p, person: p.person, parameters: params, today: today)
            guard let s = facts.start, s <= end, (facts.end ?? end) >= week else { return false }
            return kind.map { k in p.measures.contains { $0.kind == k.rawValue && $0.from <= end.iso && $0.to >= week.iso } } ?? true
        }.sorted { ($0.person.familyName, $0.person.givenName) < ($1.person.familyName, $1.person.givenName) }
        let names = try await req.municipalityNames()
        let codes = try await req.municipalities(where: .update) { .personalData(municipality: $0, sharedWith: []) }
        return try await req.page("Introduction/attendance", titleKey: "attendance.title", PageView(
            week: week.iso,
            measures: MeasureKind.allCases.map { .init(value: $0.rawValue, label: "measure.\($0.rawValue)", selected: $0 == kind) },
            municipalities: codes.count > 1 ? codes.map { .init(value: $0, label: names[$0] ?? $0, selected: $0 == q.municipality) } : [],
            measure: kind?.rawValue ?? "",
            rows: parts.map { p in
                let id = p.id!
                return .init(id: id, name: "\(p.person.familyName), \(p.person.givenName)", present: form["present.\(id)"] ?? "", absence: form["absence.\(id)"] ?? "",
                             kinds: AbsenceKind.allCases.map { .init(value: $0.rawValue, label: "absence.\($0.rawValue)", selected: form["kind.\(id)"] == $0.rawValue) },
                             problem: problems.first { $0.field?.hasSuffix(id.uuidString) == true }?.message)
            },
            problems: problems, stored: stored, municipality: q.municipality ?? ""))
    }

    /// The group form: rows left empty are skipped; any bad row stores nothing.
    static func save(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let q = Query(week: f["week"], measure: f["measure"], municipality: f["municipality"])
        guard let week = f["week"].flatMap(LocalDate.init(parsing:))?.weekStart else { throw ValidationFailure(field: "week", message: "week must be a date") }
        let parts = Dictionary(uniqueKeysWithValues: try await participations(req, municipality: q.municipality).map { ($0.id!, $0) })
        var rows: [(line: Int, part: Participation?, input: AttendanceInput)] = []
        var problems: [PersonImport.Problem] = []
        let ids = f.keys.filter { $0.hasPrefix("present.") || $0.hasPrefix("absence.") }.compactMap { UUID(uuidString: String($0.split(separator: ".").last!)) }
        for (n, id) in Set(ids).sorted(by: { $0.uuidString < $1.uuidString }).enumerated() {
            let present = f["present.\(id)"] ?? "", absence = f["absence.\(id)"] ?? ""
            if present.trimmingCharacters(in: .whitespaces).isEmpty && absence.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            do {
                rows.append((n + 1, parts[id], AttendanceInput(date: week.iso, period: "week", presentHours: try ProgrammeController.hours(present, "presentHours"),
                                                              absenceHours: try ProgrammeController.hours(absence, "absenceHours"),
                                                              absenceKind: f["kind.\(id)"].flatMap { $0.isEmpty ? nil : $0 })))
            } catch let e as ValidationFailure { problems.append(.init(row: n + 1, field: "\(e.field ?? "").\(id)", message: e.message)) }
        }
        if problems.isEmpty {
            switch try await store(req, rows) {
            case .success(let n):
                return req.redirect(to: "/programme/attendance?week=\(week.iso)&measure=\(q.measure ?? "")&municipality=\(q.municipality ?? "")&stored=\(n)")
            case .failure(let failure):
                // Name each row's problem on its participant.
                problems = failure.problems.map { p in
                    let id = rows.first { $0.line == p.row }?.part?.id
                    return .init(row: p.row, field: id.map { "\(p.field ?? "").\($0)" } ?? p.field, message: p.message)
                }
            }
        }
        let res = try await render(req, q, form: f, problems: problems, stored: nil).encodeResponse(for: req)
        res.status = .badRequest
        return res
    }

    struct Upload: Content { var municipality: String?; var file: File? }

    static func importFile(req: Request) async throws -> Response {
        let u = try req.content.decode(Upload.self)
        let text = u.file.flatMap { $0.data.getString(at: $0.data.readerIndex, length: $0.data.readableBytes, encoding: .utf8) } ?? ""
        switch try await fromCSV(req, text, municipality: u.municipality) {
        case .success(let n):
            return req.redirect(to: "/programme/attendance?stored=\(n)")
        case .failure(let f):
            let res = try await render(req, Query(municipality: u.municipality), form: [:], problems: f.problems, stored: nil).encodeResponse(for: req)
            res.status = .badRequest
            return res
        }
    }
}
