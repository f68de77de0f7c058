import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// The filter of the ledger page, its exports and its API.
package struct LedgerQuery: Content, Sendable {
    package var municipality: String?
    package var year: Int?
    package var page: Int?
    /// The pager's keyset links and rows a page (`PageWindow`).
    package var after: String?
    package var before: String?
    package var limit: Int?
    /// "1": only persons whose payments differ from what the rules give.
    package var differences: String?
}

/// What a municipality's grants are in a payment year: expected by the rules per scheme against what IMDi paid,
/// and, for the integration service, the same per person with the likely cause of each difference. Every sum and
/// count is a query over `grant_expectations` and `grant_payments`; the person list is paged in the database.
package struct GrantLedgerPage: Encodable {
    package struct SchemeRow: Encodable {
        var scheme: String
        var schemeKey: String
        var persons: DisclosureControl.Shown
        /// False when the sums would point at a few persons (leaders only).
        var shown: Bool
        var expectedOre: Int?
        var receivedOre: Int?
        var differenceOre: Int?
        var missing: Int
    }
    package struct PersonRow: Encodable {
        var id: UUID
        var name: String
        var expectedOre: Int
        var receivedOre: Int
        var differenceOre: Int
        var missing: Bool
        var causeKey: String?
    }

    package var municipality: String
    package var municipalityName: String
    package var year: Int
    package var municipalities: [Choice]
    package var years: [Choice]
    package var schemes: [SchemeRow]
    package var totalsShown: Bool
    package var expectedOre: Int?
    package var receivedOre: Int?
    package var differenceOre: Int?
    package var missingRates: Int
    package var showNames: Bool
    package var rows: [PersonRow]
    package var total: Int
    package var pager: Pager?
    package var differencesOnly: Bool
    package var canRegister: Bool
    package var schemeOptions: [Choice]
    package var query: String
    package var error: String?
    package var errorField: String?
    package var posted: [String: String]
    package var problems: [ImportProblem]
    package var notice: String?

    /// Persons per page.
}

/// One person's line of the ledger, as the query returns it.
struct LedgerRow: Decodable {
    var id: UUID
    var family_name: String
    var given_name: String
    var national_id: String?
    var settlement_date: String?
    var expected: Int
    var received: Int
    var missing: Int
    /// The day the person moved away, when it was in or before the payment year (`withMoves`).
    var movedOn: LocalDate?

    /// The row's place in the list's order (`GrantLedgerPage.order`).
    static func place(_ r: LedgerRow) -> Cursor { Cursor([.text(r.family_name), .text(r.given_name), .id(r.id)]) }

    /// Why what IMDi paid differs from what the rules give, as far as the file tells.
    var causeKey: String? {
        if expected == received && missing == 0 { return nil }
        if missing > 0 { return "grant.cause.rate_missing" }
        if settlement_date == nil { return "grant.cause.no_settlement_date" }
        // The municipality moved from keeps the grant for the month of the move and the next (IMDi's rules for
        // integreringstilskudd); the rest of the year goes to the municipality moved to.
        if movedOn != nil && received < expected { return "grant.cause.moved" }
        if received == 0 { return national_id == nil ? "grant.cause.not_in_register" : "grant.cause.not_paid" }
        if expected == 0 { return "grant.cause.not_expected" }
        return received > expected ? "grant.cause.paid_more" : "grant.cause.paid_less"
    }
}

/// A municipality's grants of one year per scheme: what the rules expect (and for how many persons) and what was
/// received from IMDi. Read by the ledger and, through `SharedFacts.grantYear`, by the plan's yearly report.
package enum GrantSums {
    package struct Expected: Decodable {
        var scheme: String
        var persons: Int
        var expected: Int?
        var missing: Int
    }
    package struct Received: Decodable {
        var scheme: String
        var received: Int?
    }

    package static func year(_ sql: any SQLDatabase, _ m: Kommunenummer, _ year: Int) async throws -> (
        [Expected], [Received]
    ) {
        let expected = try await sql.raw(
            """
            SELECT scheme, CAST(COUNT(DISTINCT person_id) AS BIGINT) AS persons,
            CAST(SUM(amount_ore) AS BIGINT) AS expected,
            CAST(SUM(CASE WHEN missing_key IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS missing
            FROM \(ident: GrantExpectation.schema) WHERE municipality = \(bind: m.value) AND year = \(bind: year)
            GROUP BY scheme
            """
        ).all(decoding: Expected.self)
        let received = try await sql.raw(
            """
            SELECT scheme, CAST(SUM(amount_ore) AS BIGINT) AS received FROM \(ident: GrantPayment.schema)
            WHERE municipality = \(bind: m.value) AND year = \(bind: year) GROUP BY scheme
            """
        ).all(decoding: Received.self)
        return (expected, received)
    }

    /// The year's lines in the schemes' order, as `SharedFacts.grantYear` gives them.
    package static func lines(_ sql: any SQLDatabase, _ m: Kommunenummer, _ year: Int) async throws
        -> [GrantYearLine]
    {
        let (expected, received) = try await self.year(sql, m, year)
        return GrantScheme.allCases.compactMap { s in
            let e = expected.first { $0.scheme == s.rawValue }
            let r = received.first { $0.scheme == s.rawValue }
            guard e != nil || r != nil else { return nil }
            return GrantYearLine(
                labelKey: s.labelKey, persons: e?.persons ?? 0, expectedOre: e?.expected ?? 0,
                receivedOre: r?.received ?? 0)
        }
    }
}

extension GrantLedgerPage {
    package static func load(
        _ ctx: ServiceContext, _ q: LedgerQuery, lang: String, posted: [String: String] = [:],
        error: ValidationFailure? = nil, problems: [ImportProblem] = []
    ) async throws -> GrantLedgerPage {
        let (m, codes) = try await EconomyScope.municipality(ctx, q.municipality)
        try await ctx.app.deadlineIndex.ensureCurrent(ctx.app)
        let window = try PageWindow(page: q.page, after: q.after, before: q.before, limit: q.limit)
        if let d = q.differences, d != "1" { throw ValidationFailure(field: "differences", "invalid.one_of", "1") }
        let year = q.year ?? ctx.today.year
        guard (1990...2100).contains(year) else {
            throw ValidationFailure(field: "year", "invalid.range", "1990", "2100")
        }
        let names = try await ctx.municipalityNames()
        let showNames = ctx.may(.list, .grantLedger(municipality: m))
        let sql = ctx.db as! any SQLDatabase
        let tr = ctx.app.translations

        let (expected, received) = try await GrantSums.year(sql, m, year)
        let control = ctx.app.disclosure
        var schemes: [SchemeRow] = []
        for s in GrantScheme.allCases {
            let e = expected.first { $0.scheme == s.rawValue }
            let r = received.first { $0.scheme == s.rawValue }
            guard e != nil || r != nil else { continue }
            let persons = e?.persons ?? 0
            // Leaders see sums only where they do not point at a few persons (the disclosure rule of the reports).
            let hidden = !showNames && persons > 0 && persons < control.threshold
            let ex = e?.expected ?? 0
            let re = r?.received ?? 0
            schemes.append(
                SchemeRow(
                    scheme: s.rawValue, schemeKey: s.labelKey, persons: hidden ? .suppressed : .exact(persons),
                    shown: !hidden,
                    expectedOre: hidden ? nil : ex, receivedOre: hidden ? nil : re,
                    differenceOre: hidden ? nil : re - ex,
                    missing: e?.missing ?? 0))
        }
        let anyHidden = schemes.contains { $0.expectedOre == nil }
        let totalExpected = expected.reduce(0) { $0 + ($1.expected ?? 0) }
        let totalReceived = received.reduce(0) { $0 + ($1.received ?? 0) }

        var rows: [PersonRow] = []
        var total = 0
        var pager: Pager? = nil
        let differencesOnly = q.differences == "1"
        var query = "?municipality=\(m.value)&year=\(year)"
        if differencesOnly { query += "&differences=1" }
        if showNames {
            total = try await Self.count(sql, m, year, differencesOnly: differencesOnly)
            let (found, p) = window.settle(
                try await Self.rows(ctx, m, year, differencesOnly: differencesOnly, window), total: total,
                base: "/economy/grants\(query)&", cursor: LedgerRow.place)
            pager = p
            try await ctx.auditList("grant_ledger", records: found.map { ($0.id, m) })
            rows = found.map { r in
                PersonRow(
                    id: r.id, name: "\(r.family_name), \(r.given_name)", expectedOre: r.expected,
                    receivedOre: r.received, differenceOre: r.received - r.expected, missing: r.missing > 0,
                    causeKey: r.causeKey)
            }
        }
        let thisYear = ctx.today.year
        return GrantLedgerPage(
            municipality: m.value, municipalityName: names[m] ?? m.value, year: year,
            municipalities: Choice.municipalities(codes, names: names, selected: m),
            years: ((thisYear - 6)...(thisYear + 1)).reversed().map {
                Choice(value: String($0), label: String($0), selected: $0 == year)
            },
            schemes: schemes, totalsShown: !anyHidden, expectedOre: anyHidden ? nil : totalExpected,
            receivedOre: anyHidden ? nil : totalReceived,
            differenceOre: anyHidden ? nil : totalReceived - totalExpected,
            missingRates: expected.reduce(0) { $0 + $1.missing }, showNames: showNames, rows: rows, total: total,
            pager: pager, differencesOnly: differencesOnly,
            canRegister: ctx.may(.create, .grantLedger(municipality: m)),
            schemeOptions: GrantScheme.allCases.map {
                Choice(value: $0.rawValue, label: $0.labelKey, selected: $0.rawValue == posted["scheme"])
            },
            query: query, error: error?.message(tr, lang), errorField: error?.field, posted: posted,
            problems: problems, notice: nil)
    }

    /// The persons with an expectation or a payment in the year: the keys of either table, joined to the files.
    private static func from(_ m: Kommunenummer, _ year: Int, differencesOnly: Bool) -> SQLQueryString {
        let filter: SQLQueryString =
            differencesOnly
            ? "WHERE COALESCE(e.total, 0) <> COALESCE(r.total, 0) OR COALESCE(e.missing, 0) > 0" : ""
        return """
            WITH e AS (SELECT person_id, CAST(SUM(amount_ore) AS BIGINT) AS total,
              MAX(CASE WHEN missing_key IS NULL THEN 0 ELSE 1 END) AS missing
              FROM \(ident: GrantExpectation.schema) WHERE municipality = \(bind: m.value) AND year = \(bind: year)
              GROUP BY person_id),
            r AS (SELECT person_id, CAST(SUM(amount_ore) AS BIGINT) AS total FROM \(ident: GrantPayment.schema)
              WHERE municipality = \(bind: m.value) AND year = \(bind: year) GROUP BY person_id),
            k AS (SELECT person_id FROM e UNION SELECT person_id FROM r)
            SELECT p.id AS id, p.family_name AS family_name, p.given_name AS given_name,
              p.national_id AS national_id, p.settlement_date AS settlement_date,
              COALESCE(e.total, 0) AS expected, COALESCE(r.total, 0) AS received, COALESCE(e.missing, 0) AS missing
            FROM k JOIN \(ident: Person.schema) p ON p.id = k.person_id
            LEFT JOIN e ON e.person_id = k.person_id LEFT JOIN r ON r.person_id = k.person_id
            \(filter)
            """
    }

    static func count(_ sql: any SQLDatabase, _ m: Kommunenummer, _ year: Int, differencesOnly: Bool) async throws
        -> Int
    {
        struct N: Decodable { var n: Int }
        let inner = from(m, year, differencesOnly: differencesOnly)
        return try await sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (\(inner)) t").first(decoding: N.self)?.n
            ?? 0
    }

    /// The person list's order: by name, the id last.
    static let order = Keyset([.init("family_name"), .init("given_name"), .init("id")])

    /// The rows a window of the person list reads, with the moves of those persons.
    static func rows(
        _ ctx: ServiceContext, _ m: Kommunenummer, _ year: Int, differencesOnly: Bool, _ window: PageWindow
    ) async throws -> [LedgerRow] {
        let inner = from(m, year, differencesOnly: differencesOnly)
        var rows = try await window.rows(ctx.db as! any SQLDatabase, inner, order, decoding: LedgerRow.self)
        // The moves of this page's persons only, from the feature that knows them.
        let moves = try await ctx.app.sharedFacts.movedOut(rows.map(\.id), ctx.db)
        for i in rows.indices {
            if let day = moves[rows[i].id], day.year <= year { rows[i].movedOn = day }
        }
        return rows
    }
}
