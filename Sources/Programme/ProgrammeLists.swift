import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The municipality's programme lists: participants and caseload per advisor, the monthly payout list for payroll,
/// and the data-quality list for NIR. Integration staff only; every list and export is audited.
package enum ProgrammeLists {

    package struct Filter: Content {
        var municipality: String?
        var month: String?
        var page: Int?
        /// The pager's keyset links and rows a page (`PageWindow`).
        var after: String?
        var before: String?
        var limit: Int?

        var window: PageWindow {
            get throws { try PageWindow(page: page, after: after, before: before, limit: limit) }
        }
    }

    package struct Row {
        package let person: Person
        package let part: PersonProgramme
        package let facts: ProgrammeFacts
    }

    /// The participations in the municipalities (or the one asked for) where the user is integration staff.
    package static func rows(_ ctx: ServiceContext, _ f: Filter, audit action: String) async throws -> (
        rows: [Row], codes: [Kommunenummer]
    ) {
        let codes = try await ctx.scope(where: .list, requested: f.municipality) { .programme(municipality: $0) }
        let parts = try await PersonProgramme.query(on: ctx.db).filter(\.$municipality.$id ~~ codes)
            .with(\.$person).with(\.$measures).with(\.$leaves).with(\.$attendance).with(\.$reviews).with(\.$outcomes)
            .with(\.$deductions).all()
        let today = LocalDate.today
        let params = ctx.app.programmeParameters
        for m in Set(parts.map { $0.$municipality.id }).sorted() {
            try await ctx.audit(action, recordType: "programme", recordID: nil, municipality: m)
        }
        return (
            parts.map {
                Row(
                    person: $0.person, part: $0,
                    facts: ProgrammeFacts(part: $0, person: $0.person, parameters: params, today: today))
            }
            .sorted { ($0.person.familyName, $0.person.givenName) < ($1.person.familyName, $1.person.givenName) }, codes
        )
    }

    /// The participations that can be paid for `month`, with only the records a month's benefit reads (its
    /// attendance, the leaves, the deductions), each kind in one query and matched by id (issue #12: Fluent's eager
    /// loading matches children to parents by scanning, which grows with parents × children).
    package static func payoutRows(_ ctx: ServiceContext, _ f: Filter, month: YearMonth) async throws -> (
        rows: [Row], codes: [Kommunenummer]
    ) {
        let codes = try await ctx.scope(where: .list, requested: f.municipality) { .programme(municipality: $0) }
        let (first, last) = (month.firstDay, month.lastDay)
        let parts = try await PersonProgramme.query(on: ctx.db).filter(\.$municipality.$id ~~ codes)
            .filter(\.$startDate <= last).group(.or) { $0.filter(\.$endDate == nil).filter(\.$endDate >= first) }
            .all()
        var persons: [UUID: Person] = [:]
        var leaves: [UUID: [ProgrammeLeave]] = [:]
        var attendance: [UUID: [AttendanceEntry]] = [:]
        var deductions: [UUID: [BenefitDeduction]] = [:]
        let ids = parts.compactMap(\.id)
        for start in stride(from: 0, to: parts.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let people = Array(Set(parts[start..<min(start + 500, parts.count)].map { $0.$person.id }))
            for p in try await Person.query(on: ctx.db).filter(\.$id ~~ people).all() { persons[p.id!] = p }
            for l in try await ProgrammeLeave.query(on: ctx.db).filter(\.$participation.$id ~~ chunk).all() {
                leaves[l.$participation.id, default: []].append(l)
            }
            for a in try await AttendanceEntry.query(on: ctx.db).filter(\.$participation.$id ~~ chunk)
                .filter(\.$date >= first).filter(\.$date <= last).all()
            {
                attendance[a.$participation.id, default: []].append(a)
            }
            for d in try await BenefitDeduction.query(on: ctx.db).filter(\.$participation.$id ~~ chunk)
                .filter(\.$month == month).all()
            {
                deductions[d.$participation.id, default: []].append(d)
            }
        }
        let today = LocalDate.today
        let params = ctx.app.programmeParameters
        for m in Set(parts.map { $0.$municipality.id }).sorted() {
            try await ctx.audit("payout_list", recordType: "programme", recordID: nil, municipality: m)
        }
        let rows = parts.compactMap { part -> Row? in
            guard let id = part.id, let person = persons[part.$person.id] else { return nil }
            part.$person.value = person
            part.$leaves.value = leaves[id] ?? []
            part.$attendance.value = attendance[id] ?? []
            part.$deductions.value = deductions[id] ?? []
            part.$measures.value = []
            part.$reviews.value = []
            part.$outcomes.value = []
            return Row(
                person: person, part: part,
                facts: ProgrammeFacts(part: part, person: person, parameters: params, today: today))
        }
        return (
            rows.sorted { ($0.person.familyName, $0.person.givenName) < ($1.person.familyName, $1.person.givenName) },
            codes
        )
    }

    package static func municipalityOptions(_ req: Request, _ codes: [Kommunenummer], _ selected: String?) async throws
        -> [Choice]
    {
        let names = try await req.municipalityNames()
        let all = try await req.municipalities(where: .list) { .programme(municipality: $0) }
        return all.count > 1 ? Choice.municipalities(all, names: names, selected: selected) : []
    }

    // MARK: Participants and caseload

    package struct OverviewView: Encodable {
        package struct Participant: Encodable {
            package var personID: UUID
            package var name: String
            package var advisor: String
            package var statusKey: String
            package var start: String?
            package var plannedEnd: String?
            package var nextReview: String?
            package var reviewOverdue: Bool
        }
        package struct Caseload: Encodable {
            var municipality: String
            var advisor: String
            var count: Int
            var over: Bool
        }
        /// Each listed municipality's own norm and its source; none when it has set none.
        package struct Norm: Encodable {
            var municipality: String
            var maxParticipants: Int?
            var source: String?
        }
        /// A cohort's share, with small numbers suppressed (`DisclosureControl`): the share gives away how many are
        /// in work or education, and how many are not, so it is shown only when neither is suppressed.
        package struct Outcome: Encodable {
            var cohort: Int
            /// The number with a status, or the words for a suppressed one.
            var withStatus: String
            var inWorkOrEducation: Int?
            var percent: Int?
        }
        package var participants: [Participant]
        package var participantsTotal: Int
        package var pager: Pager
        package var caseload: [Caseload]
        package var norms: [Norm]
        package var municipalities: [Choice]
        package var outcomes: [Outcome]
    }

    /// The summaries (`ProgrammeSummary`) of the municipalities in scope, joined to the files: `FROM … WHERE …`.
    static func summaries(_ codes: [Kommunenummer]) -> SQLQueryString {
        """
        FROM \(ident: ProgrammeSummary.schema) s JOIN \(ident: Person.schema) p ON p.id = s.person_id
        WHERE s.municipality IN (\(binds: codes.map(\.value)))
        """
    }

    private struct Counted: Decodable { var n: Int }

    private struct ListedRow: Decodable {
        var id: UUID
        var person_id: UUID
        var municipality: String
        var family_name: String
        var given_name: String
        var advisor_id: UUID?
        var status: String
        var start_date: String?
        var planned_end: String?
        var next_review: String?
        var nir_missing: String
    }

    /// The lists' order: by name, the participation last so the order is total (the pager's keyset).
    private static let order = Keyset([.init("family_name"), .init("given_name"), .init("id")])

    /// A page of summaries matching `condition`, by name, and its pager.
    private static func listed(
        _ ctx: ServiceContext, _ codes: [Kommunenummer], _ condition: SQLQueryString, _ window: PageWindow,
        total: Int, base: String
    ) async throws -> (rows: [ListedRow], pager: Pager) {
        let fetched = try await window.rows(
            ctx.db as! any SQLDatabase,
            """
            SELECT s.id, s.person_id, s.municipality, p.family_name, p.given_name, p.advisor_id, s.status,
            s.start_date, s.planned_end, s.next_review, s.nir_missing
            """ + " " + summaries(codes) + condition, order, decoding: ListedRow.self)
        return window.settle(fetched, total: total, base: base) {
            Cursor([.text($0.family_name), .text($0.given_name), .id($0.id)])
        }
    }

    private static func count(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ condition: SQLQueryString)
        async throws -> Int
    {
        try await (ctx.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n " + summaries(codes) + condition)
            .first(decoding: Counted.self)?.n ?? 0
    }

    /// The municipalities in scope and the summaries brought up to today.
    private static func scope(_ ctx: ServiceContext, _ f: Filter) async throws -> [Kommunenummer] {
        let codes = try await ctx.scope(where: .list, requested: f.municipality) { .programme(municipality: $0) }
        _ = try f.window
        try await ctx.app.deadlineIndex.ensureCurrent(ctx.app)
        return codes
    }

    /// Participants (50 a page), caseload per advisor against the municipality's norm, and SSB's share in work or
    /// education one year after: each a query on the summaries.
    package static func overview(req: Request) async throws -> View {
        let f = try req.query.decode(Filter.self)
        let ctx = req.context
        let codes = try await scope(ctx, f)
        let sql = ctx.db as! any SQLDatabase
        let today = LocalDate.today
        let listedOnly: SQLQueryString = " AND s.listed = \(bind: true)"
        let total = try await count(ctx, codes, listedOnly)
        let (page, pager) = try await listed(
            ctx, codes, listedOnly, try f.window, total: total, base: "/programme?municipality=\(f.municipality ?? "")&"
        )
        try await ctx.auditList("programme", records: audited(page))
        // Caseload per municipality and advisor, against that municipality's own norm.
        struct Load: Decodable {
            var municipality: String
            var advisor_id: UUID?
            var n: Int
        }
        let loads = try await sql.raw(
            "SELECT s.municipality, p.advisor_id, COUNT(*) AS n " + summaries(codes)
                + " AND s.is_open = \(bind: true) GROUP BY s.municipality, p.advisor_id"
        ).all(decoding: Load.self)
        let advisorIDs = Set(page.compactMap(\.advisor_id) + loads.compactMap(\.advisor_id))
        let advisors =
            advisorIDs.isEmpty
            ? [:]
            : Dictionary(
                uniqueKeysWithValues: try await User.query(on: req.store).filter(\.$id ~~ Array(advisorIDs)).all().map {
                    ($0.id!, $0.displayName)
                })
        let none = req.application.translations.text("programme.no_advisor", req.language)
        struct Key: Hashable {
            var municipality: Kommunenummer
            var advisor: String
        }
        var counts: [Key: Int] = [:]
        for l in loads {
            guard let m = Kommunenummer(l.municipality) else { continue }
            counts[Key(municipality: m, advisor: l.advisor_id.flatMap { advisors[$0] } ?? none), default: 0] += l.n
        }
        struct Code: Decodable { var municipality: String }
        let shownCodes = try await sql.raw(
            "SELECT DISTINCT s.municipality " + summaries(codes)
        ).all(decoding: Code.self).compactMap { Kommunenummer($0.municipality) }
        let norms = Dictionary(
            uniqueKeysWithValues: try await CaseloadNorm.query(on: req.store).filter(\.$id ~~ shownCodes).all()
                .map { ($0.id!, $0) })
        let names = try await req.municipalityNames()
        // SSB's share in work or education one year after ending, by the year the programme ended.
        struct Cohort: Decodable {
            var end_year: Int
            var one_year_outcome: String
            var n: Int
        }
        var cohorts: [Int: [OutcomeStatus]] = [:]
        let recorded: SQLQueryString =
            " AND s.end_year IS NOT NULL AND s.one_year_outcome IS NOT NULL GROUP BY s.end_year, s.one_year_outcome"
        for c in try await sql.raw(
            "SELECT s.end_year, s.one_year_outcome, COUNT(*) AS n " + summaries(codes) + recorded
        )
        .all(decoding: Cohort.self) {
            guard let status = OutcomeStatus(rawValue: c.one_year_outcome) else { continue }
            cohorts[c.end_year, default: []] += Array(repeating: status, count: c.n)
        }
        let disclosure = req.application.disclosure
        let tooFew = req.application.translations.text("programme.too_few", req.language)
        return try await req.page(
            "Programme/overview", titleKey: "programme.overview",
            OverviewView(
                participants: page.map { r in
                    let next = r.next_review.flatMap { LocalDate(parsing: $0) }
                    return .init(
                        personID: r.person_id, name: "\(r.family_name), \(r.given_name)",
                        advisor: r.advisor_id.flatMap { advisors[$0] } ?? none,
                        statusKey: ProgrammeStatus(rawValue: r.status)?.labelKey ?? r.status,
                        start: r.start_date, plannedEnd: r.planned_end, nextReview: next?.iso,
                        reviewOverdue: next.map { $0 < today } ?? false)
                },
                participantsTotal: total, pager: pager,
                caseload: counts.sorted { ($0.key.municipality, -$0.value) < ($1.key.municipality, -$1.value) }.map {
                    entry in
                    let limit = norms[entry.key.municipality]?.maxParticipants
                    return .init(
                        municipality: names[entry.key.municipality] ?? entry.key.municipality.value,
                        advisor: entry.key.advisor, count: entry.value, over: limit.map { entry.value > $0 } ?? false)
                },
                norms: shownCodes.sorted().map {
                    .init(
                        municipality: names[$0] ?? $0.value, maxParticipants: norms[$0]?.maxParticipants,
                        source: norms[$0]?.source)
                },
                municipalities: try await municipalityOptions(req, [], f.municipality),
                outcomes: cohorts.keys.sorted(by: >).map { year in
                    let share = OutcomeShare(cohorts[year]!)
                    var table = DisclosureTable()
                    let inWork = table.cell(share.inWorkOrEducation)
                    let notInWork = table.cell(share.total - share.inWorkOrEducation)
                    let total = table.cell(share.total)
                    table.sum([inWork, notInWork], is: total)
                    let shown = disclosure.suppress(table)
                    let all = ![inWork, notInWork, total].contains(where: shown.isSuppressed)
                    return .init(
                        cohort: year, withStatus: shown.shown(total).value.map { "\($0)" } ?? tooFew,
                        inWorkOrEducation: shown.shown(inWork).value, percent: all ? share.percent : nil)
                }))
    }

    /// The listed files and their municipalities, for the audit entry that names them.
    /// The participants list with its filter, every row, read 500 at a time by the list's own keyset (each batch
    /// audited as the list is), as CSV or XLSX.
    package static func participantsExport(req: Request, format: Export.Format) async throws -> Response {
        let f = try req.query.decode(Filter.self)
        let ctx = req.context
        let codes = try await scope(ctx, f)
        let listedOnly: SQLQueryString = " AND s.listed = \(bind: true)"
        let names = try await req.municipalityNames()
        let tr = req.application.translations
        var rows: [[XLSX.Cell]] = []
        let query: SQLQueryString =
            """
            SELECT s.id, s.person_id, s.municipality, p.family_name, p.given_name, p.advisor_id, s.status,
            s.start_date, s.planned_end, s.next_review, s.nir_missing
            """ + " " + summaries(codes) + listedOnly
        try await PageWindow.forEachBatch(
            size: 500, cursor: { (r: ListedRow) in Cursor([.text(r.family_name), .text(r.given_name), .id(r.id)]) }
        ) {
            try await $0.rows(ctx.db as! any SQLDatabase, query, order, decoding: ListedRow.self)
        } each: { batch in
            try await ctx.auditList("programme", records: audited(batch))
            rows += batch.map { r in
                [
                    .text(r.person_id.uuidString), .text(r.family_name), .text(r.given_name),
                    .text(Kommunenummer(r.municipality).flatMap { names[$0] } ?? r.municipality),
                    .text(tr.text("programme.status.\(r.status)", req.language)), .text(r.start_date ?? ""),
                    .text(r.planned_end ?? ""), .text(r.next_review ?? ""), .text(r.nir_missing),
                ]
            }
        }
        return try Export.response(
            format, name: "deltakere-\(LocalDate.today.iso)", sheet: "Deltakere",
            header: [
                "person_id", "family_name", "given_name", "municipality", "status", "start", "planned_end",
                "next_review", "nir_missing",
            ], rows: rows)
    }

    private static func audited(_ page: [ListedRow]) -> [(id: UUID, municipality: Kommunenummer)] {
        page.compactMap { r in Kommunenummer(r.municipality).map { (r.person_id, $0) } }
    }

    // MARK: Payouts

    package struct PayoutLine: Content {
        package var personId: UUID
        package var name: String
        package var nationalId: String?
        package var factor: String
        package var daysInProgramme: Int
        package var daysInMonth: Int
        package var monthlyOre: Int
        package var absenceDeductionOre: Int
        package var otherDeductionsOre: Int
        package var netOre: Int
        package var requiresDecision: Bool
    }
    package struct Payouts: Content {
        package var month: String
        package var municipalities: [Kommunenummer]
        package var lines: [PayoutLine]
        /// Lines in the month, and those needing a decision (an HTML page shows 50 of the lines).
        package var participants: Int
        package var decisionsRequired: Int
        package var totalNetOre: Int
        package var totalDeductionsOre: Int
    }

    /// The month a payout filter names (this month when none), or 400 "month".
    static func month(_ f: Filter) throws -> YearMonth {
        guard let m = f.month, !m.isEmpty else { return YearMonth(LocalDate.today) }
        guard let ym = YearMonth(input: m) else { throw ValidationFailure(field: "month", "invalid.month") }
        return ym
    }

    private struct PayoutRow: Decodable {
        var id: UUID
        var person_id: UUID
        var municipality: String
        var family_name: String
        var given_name: String
        var national_id: String?
        var factor: String
        var days_in_programme: Int
        var days_in_month: Int
        var monthly_ore: Int
        var absence_ore: Int
        var other_ore: Int
        var net_ore: Int
        var requires_decision: Int

        var line: PayoutLine {
            PayoutLine(
                personId: person_id, name: "\(family_name), \(given_name)", nationalId: national_id, factor: factor,
                daysInProgramme: days_in_programme, daysInMonth: days_in_month, monthlyOre: monthly_ore,
                absenceDeductionOre: absence_ore, otherDeductionsOre: other_ore, netOre: net_ore,
                requiresDecision: requires_decision != 0)
        }

        static func place(_ r: PayoutRow) -> Cursor {
            Cursor([.text(r.family_name), .text(r.given_name), .id(r.id)])
        }
    }

    /// The month's payout rows (`PayoutMonth`) in scope, joined to the files: `FROM … WHERE …`.
    private static func payoutRows(_ codes: [Kommunenummer], _ month: YearMonth) -> SQLQueryString {
        """
        FROM \(ident: PayoutMonth.schema) m JOIN \(ident: Person.schema) p ON p.id = m.person_id
        WHERE m.municipality IN (\(binds: codes.map(\.value))) AND m.month = \(bind: month.iso)
        """
    }

    private static let payoutOrder = Keyset([.init("family_name"), .init("given_name"), .init("id")])

    /// A window of the month's lines, by name.
    private static func payoutLines(
        _ ctx: ServiceContext, _ codes: [Kommunenummer], _ month: YearMonth, _ window: PageWindow
    ) async throws -> [PayoutRow] {
        try await window.rows(
            ctx.db as! any SQLDatabase,
            """
            SELECT m.id, m.person_id, m.municipality, p.family_name, p.given_name, p.national_id, m.factor,
            m.days_in_programme, m.days_in_month, m.monthly_ore, m.absence_ore, m.other_ore, m.net_ore,
            CASE WHEN m.requires_decision THEN 1 ELSE 0 END AS requires_decision
            """ + " " + payoutRows(codes, month), payoutOrder, decoding: PayoutRow.self)
    }

    /// The payout list for a month: every participant in the programme some day of the month, paid in arrears on
    /// attendance (the municipality pays; fact sheet § 3). Its totals are one aggregate query; its lines a page of
    /// `window`, or every line when there is none (the CSV and the API, read a thousand at a time). The lines read
    /// are audited.
    package static func payoutList(_ ctx: ServiceContext, _ f: Filter, _ window: PageWindow? = nil) async throws
        -> (payouts: Payouts, pager: Pager?)
    {
        let month = try Self.month(f)
        let codes = try await ctx.scope(where: .list, requested: f.municipality) { .programme(municipality: $0) }
        try await ctx.app.deadlineIndex.ensureCurrent(ctx.app)
        struct Totals: Decodable {
            var n: Int
            var net: Int?
            var deductions: Int?
            var decisions: Int?
        }
        let totals = try await (ctx.db as! any SQLDatabase).raw(
            """
            SELECT COUNT(*) AS n, CAST(SUM(m.net_ore) AS BIGINT) AS net,
            CAST(SUM(m.absence_ore + m.other_ore) AS BIGINT) AS deductions,
            SUM(CASE WHEN m.requires_decision THEN 1 ELSE 0 END) AS decisions
            """ + " " + payoutRows(codes, month)
        ).first(decoding: Totals.self)
        var rows: [PayoutRow] = []
        var pager: Pager? = nil
        if let window {
            let base = "/programme/payouts?month=\(month.iso)&municipality=\(f.municipality ?? "")&"
            (rows, pager) = window.settle(
                try await payoutLines(ctx, codes, month, window), total: totals?.n ?? 0, base: base,
                cursor: PayoutRow.place)
        } else {
            rows = try await PageWindow.all(cursor: PayoutRow.place) { try await payoutLines(ctx, codes, month, $0) }
        }
        try await ctx.auditList(
            "programme_payouts",
            records: rows.compactMap { r in Kommunenummer(r.municipality).map { (r.person_id, $0) } })
        return (
            Payouts(
                month: month.iso, municipalities: codes, lines: rows.map(\.line), participants: totals?.n ?? 0,
                decisionsRequired: totals?.decisions ?? 0, totalNetOre: totals?.net ?? 0,
                totalDeductionsOre: totals?.deductions ?? 0),
            pager
        )
    }

    package struct PayoutsView: Encodable {
        var payouts: Payouts
        var municipalities: [Choice]
        var query: String
        var pager: Pager
        /// The newest G in the table when the month is after its successor was due (see `staleGrunnbelop`).
        var staleG: String?
    }

    package static func payouts(req: Request) async throws -> View {
        let f = try req.query.decode(Filter.self)
        let (p, pager) = try await payoutList(req.context, f, try f.window)
        let query = "?month=\(p.month)&municipality=\(f.municipality ?? "")"
        return try await req.page(
            "Programme/payouts", titleKey: "payouts.title",
            PayoutsView(
                payouts: p, municipalities: try await municipalityOptions(req, p.municipalities, f.municipality),
                query: query, pager: pager ?? Pager(base: "/programme/payouts?", requested: 1, total: 0),
                staleG: YearMonth(iso: p.month).flatMap {
                    req.application.programmeParameters.staleGrunnbelop(for: $0)
                }?
                .norwegian))
    }

    /// The month's payout list as CSV or XLSX (amounts as kroner), for the payroll; audited per municipality.
    package static func payoutsExport(req: Request, format: Export.Format) async throws -> Response {
        let p = try await payoutList(req.context, try req.query.decode(Filter.self)).payouts
        for m in p.municipalities {
            try await req.audit("export_payouts", recordType: "programme", recordID: nil, municipality: m)
        }
        return try Export.response(
            format, name: "utbetaling-\(p.month)", sheet: "Utbetaling",
            header: [
                "person_id", "national_id", "name", "month", "factor", "days_in_programme", "gross_nok",
                "absence_deduction_nok", "other_deductions_nok", "net_nok", "requires_decision",
            ],
            rows: p.lines.map {
                [
                    .text($0.personId.uuidString), .text($0.nationalId ?? ""), .text($0.name), .text(p.month),
                    .text($0.factor), .text("\($0.daysInProgramme)/\($0.daysInMonth)"), .kroner(ore: $0.monthlyOre),
                    .kroner(ore: $0.absenceDeductionOre), .kroner(ore: $0.otherDeductionsOre), .kroner(ore: $0.netOre),
                    .text($0.requiresDecision ? "ja" : "nei"),
                ]
            })
    }

    // MARK: Data quality for NIR

    package struct QualityView: Encodable {
        package struct Row: Encodable {
            var personID: UUID
            var name: String
            var statusKey: String
            var missing: [String]
        }
        package var rows: [Row]
        package var withGaps: Int
        package var total: Int
        package var pager: Pager
        package var municipalities: [Choice]
    }

    package static func missing(_ r: Row) -> [String] { NIRCompleteness.missing(r.facts.nirSnapshot) }

    /// The participants whose record lacks something NIR holds, 50 a page, counted by the database.
    package static func dataQuality(req: Request) async throws -> View {
        let f = try req.query.decode(Filter.self)
        let ctx = req.context
        let codes = try await scope(ctx, f)
        let gaps: SQLQueryString = " AND s.nir_missing <> ''"
        let total = try await count(ctx, codes, "")
        let withGaps = try await count(ctx, codes, gaps)
        let (page, pager) = try await listed(
            ctx, codes, gaps, try f.window, total: withGaps,
            base: "/programme/data-quality?municipality=\(f.municipality ?? "")&")
        try await ctx.auditList("programme", records: audited(page))
        return try await req.page(
            "Programme/data-quality", titleKey: "quality.title",
            QualityView(
                rows: page.map {
                    .init(
                        personID: $0.person_id, name: "\($0.family_name), \($0.given_name)",
                        statusKey: ProgrammeStatus(rawValue: $0.status)?.labelKey ?? $0.status,
                        missing: $0.nir_missing.split(separator: " ").map { "nir.\($0)" })
                },
                withGaps: withGaps, total: total, pager: pager,
                municipalities: try await municipalityOptions(req, [], f.municipality)))
    }

    /// One row per participant with the fields NIR holds, to reconcile against NIR's own person list (CSV or XLSX).
    package static func nirExport(req: Request, format: Export.Format) async throws -> Response {
        let f = try req.query.decode(Filter.self)
        let (rows, codes) = try await rows(req.context, f, audit: "export_nir")
        return try Export.response(
            format, name: "nir-avstemming-\(LocalDate.today.iso)-\(codes.map(\.value).joined(separator: "-"))",
            sheet: "NIR",
            header: [
                "person_id", "national_id", "duf_number", "family_name", "given_name", "municipality", "law_regime",
                "education_level",
                "decision_date", "start_date", "final_goal", "contract_signed", "end_date", "end_reason", "missing",
            ],
            rows: rows.map { r in
                [
                    r.person.id!.uuidString, r.person.nationalID ?? "", r.person.dufNumber ?? "", r.person.familyName,
                    r.person.givenName,
                    r.part.$municipality.id.value, r.part.lawRegime.rawValue, r.person.educationLevel?.rawValue ?? "",
                    r.part.decisionDate?.iso ?? "", r.part.startDate?.iso ?? "", r.part.finalGoal?.rawValue ?? "",
                    r.part.contractSigned?.iso ?? "", r.part.endDate?.iso ?? "", r.part.endReason?.rawValue ?? "",
                    missing(r).joined(separator: " "),
                ].map(XLSX.Cell.text)
            })
    }
}
