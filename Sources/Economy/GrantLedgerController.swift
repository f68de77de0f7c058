import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// `/economy/grants`: the grant ledger of a municipality and year, the payments received (one by one or from a CSV
/// file), and its export; `GET /api/v1/economy/grants` the same as JSON.
package struct GrantLedgerController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let economy = routes.grouped("economy")
        economy.get("grants", use: show)
        economy.get("grants.csv", use: csv)
        economy.get("grants.xlsx", use: xlsx)
        economy.gated(.create, .grantLedger).post("grants", "payments", use: register)
        economy.gated(.create, .grantLedger).on(
            .POST, "grants", "payments", "import", body: .collect(maxSize: Uploads.maxSize), use: importFile)
    }

    static func render(_ req: Request, _ model: GrantLedgerPage) async throws -> View {
        try await req.page("Economy/ledger", titleKey: "grant.ledger_title", model)
    }

    package func show(req: Request) async throws -> View {
        let q = try req.query.decode(LedgerQuery.self)
        var model = try await GrantLedgerPage.load(req.context, q, lang: req.language)
        if let n = req.query[Int.self, at: "stored"] { model.notice = req.t("grant.payments_stored", String(n)) }
        return try await Self.render(req, model)
    }

    package struct PaymentForm: Content {
        var municipality: String?
        var year: Int?
        var dufNumber: String?
        var scheme: String?
        var term: String?
        var amount: String?
        var reference: String?
    }

    package func register(req: Request) async throws -> Response {
        let form = try FormReader(req)
        let q = LedgerQuery(municipality: form.text("municipality"), year: try form.int("year"))
        let (m, year) = try await Self.target(req, q)
        do {
            try await GrantPaymentService.register(
                req.context,
                PaymentInput(
                    dufNumber: form.text("dufNumber"), scheme: form.text("scheme"), term: form.text("term"),
                    amount: form.text("amount"), reference: form.text("reference")), year: year, municipality: m)
            return req.redirect(to: "/economy/grants?municipality=\(m.value)&year=\(year)&stored=1")
        } catch let failure as ValidationFailure {
            let model = try await GrantLedgerPage.load(
                req.context, q, lang: req.language, posted: form.fields, error: failure)
            return try await Self.render(req, model).reshown(req)
        }
    }

    package struct Upload: Content {
        var municipality: String?
        var year: Int?
        var file: File?
    }

    package func importFile(req: Request) async throws -> Response {
        let u = try req.content.decode(Upload.self)
        let q = LedgerQuery(municipality: u.municipality, year: u.year)
        let (m, year) = try await Self.target(req, q)
        let tr = req.application.translations
        let result = try await GrantPaymentService.importCSV(
            req.context, u.file?.utf8Text ?? "", year: year, municipality: m, message: { $0.english(tr) })
        switch result {
        case .success(let n):
            return req.redirect(to: "/economy/grants?municipality=\(m.value)&year=\(year)&stored=\(n)")
        case .failure(let f):
            let model = try await GrantLedgerPage.load(req.context, q, lang: req.language, problems: f.problems)
            return try await Self.render(req, model).reshown(req)
        }
    }

    /// The municipality and year a payment is for: a municipality is required and must be one the user registers in.
    static func target(_ req: Request, _ q: LedgerQuery) async throws -> (Kommunenummer, Int) {
        guard let text = q.municipality, let m = Kommunenummer(text) else {
            throw ValidationFailure(field: "municipality", "invalid.municipality")
        }
        try await req.authorize(.create, .grantLedger(municipality: m), recordType: "grant_payment")
        let year = q.year ?? req.context.today.year
        guard (1990...2100).contains(year) else {
            throw ValidationFailure(field: "year", "invalid.range", "1990", "2100")
        }
        return (m, year)
    }

    package func csv(req: Request) async throws -> Response { try await export(req, xlsx: false) }

    package func xlsx(req: Request) async throws -> Response { try await export(req, xlsx: true) }

    /// The ledger as CSV or XLSX: per person for the integration service, per scheme for leaders (audited when it
    /// names persons).
    func export(_ req: Request, xlsx: Bool) async throws -> Response {
        let q = try req.query.decode(LedgerQuery.self)
        let ctx = req.context
        let first = try await GrantLedgerPage.load(ctx, q, lang: req.language)
        let tr = req.application.translations
        let lang = req.language
        let m = Kommunenummer(first.municipality)!
        let header: [String]
        var rows: [[XLSX.Cell]] = []
        if first.showNames {
            let found = try await PageWindow.all(cursor: LedgerRow.place) {
                try await GrantLedgerPage.rows(ctx, m, first.year, differencesOnly: first.differencesOnly, $0)
            }
            header = ["person_id", "family_name", "given_name", "year", "expected", "received", "difference", "cause"]
            rows = found.map { r in
                [
                    .text(r.id.uuidString), .text(r.family_name), .text(r.given_name), .number(first.year),
                    .kroner(ore: r.expected), .kroner(ore: r.received), .kroner(ore: r.received - r.expected),
                    .text(r.causeKey.map { tr.text($0, lang) } ?? ""),
                ]
            }
            try await ctx.audit("export", recordType: "grant_ledger", recordID: nil, municipality: m)
        } else {
            header = ["scheme", "year", "persons", "expected", "received", "difference"]
            rows = first.schemes.map { s in
                let amounts: [XLSX.Cell] = [s.expectedOre, s.receivedOre, s.differenceOre].map { v in
                    v.map { .kroner(ore: $0) } ?? .text("")
                }
                return [
                    .text(tr.text(s.schemeKey, lang)), .number(first.year),
                    s.persons.value.map { .number($0) } ?? .text(""),
                ] + amounts
            }
        }
        let name = "tilskudd-\(m.value)-\(first.year)"
        if xlsx {
            return XLSX.response(
                try XLSX.workbook(sheet: "Tilskudd \(first.year)", header: header, rows: rows), filename: name + ".xlsx"
            )
        }
        return CSV.response(header: header, rows: rows.map { row in row.map(\.csv) }, filename: name + ".csv")
    }
}
