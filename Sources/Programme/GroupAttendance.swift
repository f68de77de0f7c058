import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Records for many participants at once, all or nothing: attendance for a whole group (`/programme/attendance`): one
/// week, everyone with a given measure that
/// week, one row each; and the same from a CSV file. Both are all or nothing: a single bad row stores nothing and
/// every bad row is named. Outcomes (SSB status one and five years on) come in the same way from CSV.
package enum GroupAttendance {
    package static let columns = [
        "personId", "nationalId", "date", "period", "presentHours", "absenceHours", "absenceKind", "measure",
    ]
    package static let maxRows = 5000

    /// Open participations in the municipalities where the user is integration staff, with their attendance (a
    /// new entry is checked against what the week already holds).
    package static func participations(_ ctx: ServiceContext, municipality: String?, startedOnly: Bool = true)
        async throws
        -> [PersonProgramme]
    {
        let codes = try await ctx.scope(where: .update, requested: municipality) { .programme(municipality: $0) }
        let q = PersonProgramme.query(on: ctx.db).filter(\.$municipality.$id ~~ codes)
        if startedOnly { q.filter(\.$startDate != nil) }
        return try await q.with(\.$person).with(\.$measures).with(\.$leaves).with(\.$attendance).all()
    }

    /// Checks every row against its participation; stores all in one transaction or none. Shared by attendance
    /// and outcomes: `build` checks one row and returns its unsaved record.
    ///
    /// A row may return a record that exists already (a week opened and corrected): it is updated, and its
    /// participation audited as `updateAction`. `remove` are records cleared on the form, deleted in the same
    /// transaction and audited as `removeAction`.
    package static func store(
        _ ctx: ServiceContext,
        _ rows: [(line: Int, part: PersonProgramme?, build: (PersonProgramme) throws -> any Model)],
        action: String, updateAction: String? = nil,
        remove: [(PersonProgramme, any Model)] = [], removeAction: String? = nil,
        message: ((ValidationFailure) -> String)? = nil
    ) async throws -> Result<Int, ImportFailure> {
        var problems: [ImportProblem] = []
        var records: [(PersonProgramme, any Model)] = []
        for r in rows {
            guard let part = r.part else {
                problems.append(
                    .init(row: r.line, field: "personId", message: "no participant with this id in your municipalities")
                )
                continue
            }
            do { records.append((part, try r.build(part))) } catch let e as ValidationFailure {
                problems.append(
                    .init(row: r.line, field: e.field, message: message?(e) ?? e.english(ctx.app.translations)))
            }
        }
        guard problems.isEmpty else { return .failure(ImportFailure(problems: problems)) }
        guard !records.isEmpty || !remove.isEmpty else {
            return .failure(ImportFailure(problems: [.init(row: 0, field: nil, message: "nothing to record")]))
        }
        // Two rows of one batch for the same week and measure are one record, saved once.
        var seen: Set<ObjectIdentifier> = []
        records = records.filter { seen.insert(ObjectIdentifier($0.1 as AnyObject)).inserted }
        var audits: [(PersonProgramme, String)] = []
        for (part, r) in records {
            let a = stored(r) ? (updateAction ?? action) : action
            if !audits.contains(where: { $0.0 === part && $0.1 == a }) { audits.append((part, a)) }
        }
        for (part, _) in remove where !audits.contains(where: { $0.0 === part && $0.1 == removeAction }) {
            audits.append((part, removeAction ?? action))
        }
        // The rows and one entry per participation and kind of change commit together.
        try await ctx.write { db in
            for (_, r) in records { try await r.save(on: db) }
            for (_, r) in remove { try await r.delete(on: db) }
            for (part, a) in audits {
                try await ctx.audit(
                    a, recordType: "programme", recordID: part.$person.id.uuidString,
                    municipality: part.$municipality.id)
            }
        }
        return .success(records.count + remove.count)
    }

    /// Whether the record is in the database already (its id is set once stored).
    static func stored(_ m: some Model) -> Bool { m.id != nil }

    /// Finds the participant a CSV row names, by person id or national id, among those the user may change.
    package static func lookup(_ ctx: ServiceContext, municipality: String?) async throws -> ([String: String]) ->
        PersonProgramme?
    {
        let parts = try await participations(ctx, municipality: municipality, startedOnly: false)
        let byPerson = Dictionary(parts.map { ($0.$person.id, $0) }, uniquingKeysWith: { a, _ in a })
        let byNationalID = Dictionary(
            parts.compactMap { p in p.person.nationalID.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        return { v in
            v["personId"].flatMap(UUID.init(uuidString:)).flatMap { byPerson[$0] }
                ?? v["nationalId"].flatMap { byNationalID[$0.replacingOccurrences(of: " ", with: "")] }
        }
    }

    /// Reads a CSV of records for participants and stores them all or none.
    package static func fromCSV(
        _ ctx: ServiceContext, _ text: String, municipality: String?, columns: [String], required: [String],
        action: String, updateAction: String? = nil, message: ((ValidationFailure) -> String)? = nil,
        input: @escaping ([String: String]) throws -> (PersonProgramme) throws -> any Model
    ) async throws -> Result<Int, ImportFailure> {
        let table: CSVTable
        switch CSVTable.read(text, columns: columns, required: required, maxRows: maxRows) {
        case .success(let t): table = t
        case .failure(let f): return .failure(f)
        }
        guard table.problems.isEmpty else { return .failure(ImportFailure(problems: table.problems)) }
        let find = try await lookup(ctx, municipality: municipality)
        var rows: [(line: Int, part: PersonProgramme?, build: (PersonProgramme) throws -> any Model)] = []
        var problems: [ImportProblem] = []
        for (line, v) in table.rows {
            do { rows.append((line, find(v), try input(v))) } catch let e as ValidationFailure {
                problems.append(
                    .init(row: line, field: e.field, message: message?(e) ?? e.english(ctx.app.translations)))
            }
        }
        let stored = try await store(ctx, rows, action: action, updateAction: updateAction, message: message)
        if case .failure(let f) = stored { return .failure(ImportFailure(problems: problems + f.problems)) }
        guard problems.isEmpty else { return .failure(ImportFailure(problems: problems)) }
        return stored
    }

    package static let outcomeColumns = ["personId", "nationalId", "kind", "status", "recordedOn"]

    package static func attendanceFromCSV(
        _ ctx: ServiceContext, _ text: String, municipality: String?,
        message: ((ValidationFailure) -> String)? = nil
    ) async throws
        -> Result<
            Int, ImportFailure
        >
    {
        try await fromCSV(
            ctx, text, municipality: municipality, columns: columns, required: ["date"], action: "add_attendance",
            updateAction: "update_attendance", message: message
        ) { v in
            let input = AttendanceInput(
                date: v["date"].flatMap { LocalDate(parsing: $0)?.iso ?? $0 }, period: v["period"],
                presentHours: try Validate.decimal(v["presentHours"], "presentHours"),
                absenceHours: try Validate.decimal(v["absenceHours"], "absenceHours"),
                absenceKind: v["absenceKind"])
            // The optional `measure` column names a measure kind; the entry goes to the participant's measure of that
            // kind then.
            return { part in
                var i = input
                if let name = v["measure"] {
                    guard let kind = MeasureKind(rawValue: name) else {
                        throw ValidationFailure(field: "measure", "invalid.choice")
                    }
                    guard let day = i.date.flatMap(LocalDate.init(iso:)),
                        let m = part.measures.first(where: { $0.kind == kind && $0.from <= day && $0.to >= day })
                    else {
                        throw ValidationFailure(field: "measure", "programme.invalid.no_measure_of_kind", kind.rawValue)
                    }
                    i.measureId = m.id
                }
                return try ProgrammeService.attendanceEntry(i, for: part)
            }
        }
    }

    package static func outcomesFromCSV(_ ctx: ServiceContext, _ text: String, municipality: String?) async throws
        -> Result<
            Int, ImportFailure
        >
    {
        try await fromCSV(
            ctx, text, municipality: municipality, columns: outcomeColumns, required: ["kind", "status", "recordedOn"],
            action: "add_outcome"
        ) { v in
            let input = OutcomeInput(
                kind: v["kind"], status: v["status"],
                recordedOn: v["recordedOn"].flatMap { LocalDate(parsing: $0)?.iso ?? $0 })
            return { part in try ProgrammeService.outcome(input, for: part) }
        }
    }

    package struct Query: Content {
        var week: String?
        var measure: String?
        var municipality: String?
    }

    package struct PageView: Encodable {
        package struct Row: Encodable {
            var id: UUID
            var name: String
            var present: String
            var absence: String
            /// The plan's hours for the week (for the measure chosen, or all measures).
            var planned: String
            /// The week has a saved record: saving changes it, clearing the row deletes it.
            var saved: Bool
            var kinds: [Choice]
            var problem: String?
        }
        package var week: String
        package var measures: [Choice]
        package var municipalities: [Choice]
        package var measure: String
        package var rows: [Row]
        package var problems: [ImportProblem]
        package var stored: Int?
        package var municipality: String
    }

    package static func page(req: Request) async throws -> View {
        let q = try req.query.decode(Query.self)
        return try await render(req, q, form: [:], problems: [], stored: (try? req.query.get(Int.self, at: "stored")))
    }

    package static func render(
        _ req: Request, _ q: Query, form: [String: String], problems: [ImportProblem], stored: Int?
    ) async throws -> View {
        let week = (q.week.flatMap(LocalDate.init(parsing:)) ?? .today).weekStart
        let kind = q.measure.flatMap { $0.isEmpty ? nil : MeasureKind(rawValue: $0) }
        let end = week.adding(days: 6)
        // In the programme some day of the week: only the start and end decide, so no rules' view is built.
        let parts = try await participations(req.context, municipality: q.municipality).filter { p in
            guard let s = p.startDate, s <= end, (p.endDate ?? end) >= week else { return false }
            return kind.map { k in
                p.measures.contains { $0.kind == k && $0.from <= end && $0.to >= week }
            } ?? true
        }.sorted { ($0.person.familyName, $0.person.givenName) < ($1.person.familyName, $1.person.givenName) }
        let names = try await req.municipalityNames()
        let codes = try await req.municipalities(where: .update) { .programme(municipality: $0) }
        // A saved week opens with what was saved, to be corrected and saved again.
        var saved: [UUID: AttendanceEntry] = [:]
        for p in parts { if let e = weekEntry(p, week: week, kind: kind) { saved[p.id!] = e } }
        // The page lists participants by name: a list read, audited per municipality shown.
        try await req.auditList("participation", municipalities: parts.map { $0.person.$municipality.id })
        return try await req.page(
            "Programme/attendance", titleKey: "attendance.title",
            PageView(
                week: week.iso,
                measures: MeasureKind.allCases.map {
                    .init(value: $0.rawValue, label: $0.labelKey, selected: $0 == kind)
                },
                municipalities: codes.count > 1
                    ? Choice.municipalities(codes, names: names, selected: q.municipality) : [],
                measure: kind?.rawValue ?? "",
                rows: parts.map { p in
                    let id = p.id!
                    let e = saved[id]
                    let hours = { (m: Int?) in m.flatMap { $0 > 0 ? NorwegianFormat.hours(minutes: $0) : nil } ?? "" }
                    let shownKind = form.isEmpty ? e?.absenceKind?.rawValue : form["kind.\(id)"]
                    return .init(
                        id: id, name: "\(p.person.familyName), \(p.person.givenName)",
                        present: form.isEmpty ? hours(e?.presentMinutes) : form["present.\(id)"] ?? "",
                        absence: form.isEmpty ? hours(e?.absenceMinutes) : form["absence.\(id)"] ?? "",
                        planned: planned(p, week: week, kind: kind).map { NorwegianFormat.hours(minutes: $0) } ?? "–",
                        saved: e != nil,
                        kinds: AbsenceKind.allCases.map {
                            .init(value: $0.rawValue, label: $0.labelKey, selected: shownKind == $0.rawValue)
                        },
                        problem: problems.first { $0.field?.hasSuffix(id.uuidString) == true }?.message)
                },
                problems: problems, stored: stored, municipality: q.municipality ?? ""))
    }

    /// The group form: rows left empty are skipped; any bad row stores nothing.
    package static func save(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let q = Query(week: f["week"], measure: f["measure"], municipality: f["municipality"])
        guard let week = f["week"].flatMap(LocalDate.init(parsing:))?.weekStart else {
            throw ValidationFailure(field: "week", "invalid.date")
        }
        let parts = Dictionary(
            uniqueKeysWithValues: try await participations(req.context, municipality: q.municipality).map {
                ($0.id!, $0)
            })
        var rows: [(line: Int, part: PersonProgramme?, build: (PersonProgramme) throws -> any Model)] = []
        var remove: [(PersonProgramme, any Model)] = []
        var problems: [ImportProblem] = []
        let kind = q.measure.flatMap(MeasureKind.init(rawValue:))
        // "Alle til stede": every row left empty gets the plan's hours for the week as present.
        let allPresent = f["allPresent"] == "yes"
        // Rows are numbered as on screen: the form's order is the page's (by name).
        var order = (f["order"] ?? "").split(separator: ",").compactMap { UUID(uuidString: String($0)) }
        if order.isEmpty {
            order = Set(
                f.keys.filter { $0.hasPrefix("present.") || $0.hasPrefix("absence.") }.compactMap {
                    UUID(uuidString: String($0.split(separator: ".").last!))
                }
            ).sorted { $0.uuidString < $1.uuidString }
        }
        for (n, id) in order.enumerated() {
            var present = f["present.\(id)"] ?? ""
            let absence = f["absence.\(id)"] ?? ""
            if present.trimmingCharacters(in: .whitespaces).isEmpty
                && absence.trimmingCharacters(in: .whitespaces).isEmpty
            {
                guard let part = parts[id] else { continue }
                if allPresent, let minutes = planned(part, week: week, kind: kind) {
                    present = NorwegianFormat.hours(minutes: minutes)
                } else {
                    // A saved week cleared on the form is deleted.
                    if let e = weekEntry(part, week: week, kind: kind) { remove.append((part, e)) }
                    continue
                }
            }
            do {
                // With a measure chosen, the entry is for the participant's measure of that kind that week.
                let measure = parts[id].flatMap { Self.measure($0, week: week, kind: kind) }
                let input = AttendanceInput(
                    date: week.iso, period: "week",
                    presentHours: try Validate.decimal(present, "presentHours"),
                    absenceHours: try Validate.decimal(absence, "absenceHours"),
                    absenceKind: f["kind.\(id)"].flatMap { $0.isEmpty ? nil : $0 }, measureId: measure?.id)
                rows.append((n + 1, parts[id], { part in try ProgrammeService.attendanceEntry(input, for: part) }))
            } catch let e as ValidationFailure {
                problems.append(.init(row: n + 1, field: "\(e.field ?? "").\(id)", message: req.message(e)))
            }
        }
        if problems.isEmpty {
            switch try await store(
                req.context, rows, action: "add_attendance", updateAction: "update_attendance", remove: remove,
                removeAction: "delete_attendance", message: req.message)
            {
            case .success(let n):
                let query =
                    "week=\(week.iso)&measure=\(q.measure ?? "")&municipality=\(q.municipality ?? "")&stored=\(n)"
                return req.redirect(to: "/programme/attendance?\(query)")
            case .failure(let failure):
                // Name each row's problem on its participant.
                problems = failure.problems.map { p in
                    let id = rows.first { $0.line == p.row }?.part?.id
                    return .init(row: p.row, field: id.map { "\(p.field ?? "").\($0)" } ?? p.field, message: p.message)
                }
            }
        }
        return try await render(req, q, form: f, problems: problems, stored: nil).reshown(req)
    }

    /// The measure of `kind` the participant has running that week, if a kind is chosen.
    static func measure(_ p: PersonProgramme, week: LocalDate, kind: MeasureKind?) -> ProgrammeMeasure? {
        kind.flatMap { k in p.measures.first { $0.kind == k && $0.from <= week.adding(days: 6) && $0.to >= week } }
    }

    /// The week's saved record for the participant and the chosen measure (none chosen: the record for no measure).
    static func weekEntry(_ p: PersonProgramme, week: LocalDate, kind: MeasureKind?) -> AttendanceEntry? {
        let m = measure(p, week: week, kind: kind)?.id
        return p.attendance.first { $0.date == week && $0.period == .week && $0.measureID == m }
    }

    /// The plan's minutes for the participant that week: of the chosen measure, or of every running measure.
    static func planned(_ p: PersonProgramme, week: LocalDate, kind: MeasureKind?) -> Int? {
        if kind != nil && measure(p, week: week, kind: kind) == nil { return nil }
        return AttendanceCap.plannedMinutes(
            week: week, measures: p.measures.map(\.planned), measure: measure(p, week: week, kind: kind)?.planned)
    }

    package struct Upload: Content {
        var municipality: String?
        var file: File?
    }

    package static func importFile(req: Request) async throws -> Response {
        let u = try req.content.decode(Upload.self)
        let text = u.file?.utf8Text ?? ""
        switch try await attendanceFromCSV(req.context, text, municipality: u.municipality, message: req.message) {
        case .success(let n):
            return req.redirect(to: "/programme/attendance?stored=\(n)")
        case .failure(let f):
            return try await render(
                req, Query(municipality: u.municipality), form: [:], problems: f.problems, stored: nil
            ).reshown(req)
        }
    }
}

/// Outcomes from CSV: the page form on `/programme` and `POST /api/v1/programme/outcomes`.
package enum OutcomeImport {
    package struct ResultView: Encodable {
        var stored: Int?
        var problems: [ImportProblem]
    }

    package static func importFile(req: Request) async throws -> Response {
        let u = try req.content.decode(GroupAttendance.Upload.self)
        let text = u.file?.utf8Text ?? ""
        let result = try await GroupAttendance.outcomesFromCSV(req.context, text, municipality: u.municipality)
        let view: ResultView
        switch result {
        case .success(let n): view = .init(stored: n, problems: [])
        case .failure(let f): view = .init(stored: nil, problems: f.problems)
        }
        let res = try await req.page("Programme/outcome-import", titleKey: "outcome_import.title", view)
            .encodeResponse(for: req)
        if case .failure = result { res.status = .badRequest }
        return res
    }
}
