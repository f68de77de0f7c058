import SwiftCSV
import Vapor

/// Writes CSV for exports as Norwegian Excel opens it (issue #14): UTF-8 with a byte-order mark, cells separated by
/// semicolons, quoted as RFC 4180 quotes them. Cells that a spreadsheet would run as a formula (=, +, -, @) get a
/// leading apostrophe, so an exported name cannot become a command.
package enum CSV {
    /// The separator Norwegian Excel expects (the comma is the decimal sign there).
    package static let separator = ";"
    /// The byte-order mark that tells Excel the file is UTF-8.
    package static let bom = "\u{FEFF}"

    package static func row(_ cells: [String]) -> String {
        cells.map { cell in
            var c = cell
            if let f = c.first, "=+-@\t\r".contains(f) { c = "'" + c }
            if c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }) {
                c = "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return c
        }.joined(separator: separator)
    }

    package static func document(header: [String], rows: [[String]]) -> String {
        ([row(header)] + rows.map(row)).joined(separator: "\r\n") + "\r\n"
    }

    /// A CSV document as a download named `filename`.
    package static func response(_ body: String, filename: String) -> Response {
        let res = Response(status: .ok, body: .init(string: body.hasPrefix(bom) ? body : bom + body))
        res.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return res
    }

    /// `header` and `rows` as a download named `filename`.
    package static func response(header: [String], rows: [[String]], filename: String) -> Response {
        response(document(header: header, rows: rows), filename: filename)
    }
}

/// One table as a download in the format the address asks for: every list offers CSV and XLSX (issue #14), from
/// the same header and typed cells.
package enum Export {
    package enum Format: String, Sendable {
        case csv, xlsx
    }

    /// `<name>.csv` or `<name>.xlsx`, with the sheet named `sheet` in the workbook.
    package static func response(
        _ format: Format, name: String, sheet: String, header: [String], rows: [[XLSX.Cell]]
    ) throws -> Response {
        switch format {
        case .csv: return CSV.response(header: header, rows: rows.map { $0.map(\.csv) }, filename: "\(name).csv")
        case .xlsx:
            return XLSX.response(
                try XLSX.workbook(sheet: sheet, header: header, rows: rows), filename: "\(name).xlsx")
        }
    }

    /// Registers `GET <path>.csv` and `GET <path>.xlsx` on one handler. A refused export is audited (issue #30:
    /// a 403 on an export left no trace), and so is an `aggregate` one, whose handler reads no personal data and
    /// writes no entry of its own; the handlers of personal lists audit their exports per municipality.
    package static func routes(
        _ routes: any RoutesBuilder, _ path: [PathComponent], last: String, aggregate: Bool = false,
        _ handler: @escaping @Sendable (Request, Format) async throws -> Response
    ) {
        for format in [Format.csv, .xlsx] {
            routes.get(path + [PathComponent(stringLiteral: "\(last).\(format.rawValue)")]) { req in
                try await audited(req, last, aggregate: aggregate) { try await handler(req, format) }
            }
        }
    }

    /// Runs an export's handler, auditing its refusal, and its success when it is an aggregate.
    package static func audited(
        _ req: Request, _ recordType: String, aggregate: Bool, _ body: () async throws -> Response
    ) async throws -> Response {
        do {
            let res = try await body()
            if aggregate { try await req.audit("export", recordType: recordType, recordID: nil, municipality: nil) }
            return res
        } catch let e as any AbortError where e.status == .forbidden {
            try await req.auditRefusal("denied_export", recordType: recordType, recordID: nil, municipality: nil)
            throw e
        }
    }
}

/// One problem in an imported file: the data row (1 = first row after the header; 0 = the file itself), the column,
/// what is wrong.
package struct ImportProblem: Content, Equatable {
    package var row: Int
    package var field: String?
    package var message: String

    package init(row: Int, field: String? = nil, message: String) {
        self.row = row
        self.field = field
        self.message = message
    }
}

/// A CSV file read for an import: the header checked against the known columns, then every row as
/// column → trimmed value (empty cells left out). Rows with more cells than the header are problems; missing
/// trailing cells count as empty (spreadsheets and the parser drop them).
package struct CSVTable {
    package var rows: [(line: Int, values: [String: String])]
    package var problems: [ImportProblem]

    package static func read(_ text: String, columns: [String], required: [String], maxRows: Int) -> Result<
        CSVTable, ImportFailure
    > {
        typealias Problem = ImportProblem
        let broken = ImportFailure(problems: [Problem(row: 0, field: nil, message: "the file is not valid CSV")])
        if let line = unclosedQuoteLine(text) {
            let message = "the quote opened on line \(line) of the file is never closed"
            return .failure(ImportFailure(problems: [Problem(row: 0, field: nil, message: message)]))
        }
        let csv: EnumeratedCSV
        do {
            // The header only here; the rows are read raw below, so short rows are not padded silently.
            csv = try EnumeratedCSV(
                string: text, delimiter: CSVDelimiter.guessed(string: text), loadColumns: false, rowLimit: 1)
        } catch { return .failure(broken) }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces) }
        var problems: [Problem] = []
        let known = Dictionary(uniqueKeysWithValues: columns.map { ($0.lowercased(), $0) })
        let names = header.map { known[$0.lowercased()] }
        for (i, h) in header.enumerated() where names[i] == nil {
            problems.append(
                Problem(
                    row: 0, field: h,
                    message: "unknown column \"\(h)\"; the columns are: \(columns.joined(separator: ", "))"))
        }
        var seen: Set<String> = []
        for name in names.compactMap({ $0 }) where !seen.insert(name).inserted {
            problems.append(Problem(row: 0, field: name, message: "the column \(name) appears more than once"))
        }
        for r in required where !names.contains(r) {
            problems.append(Problem(row: 0, field: r, message: "the required column \(r) is missing"))
        }
        guard problems.isEmpty else { return .failure(ImportFailure(problems: problems)) }
        var raw: [[String]] = []
        do { try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { raw.append($0) } } catch { return .failure(broken) }
        raw.removeAll { $0.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard !raw.isEmpty else {
            return .failure(ImportFailure(problems: [Problem(row: 0, field: nil, message: "the file has no rows")]))
        }
        guard raw.count <= maxRows else {
            return .failure(
                ImportFailure(problems: [
                    Problem(
                        row: 0, field: nil, message: "the file has \(raw.count) rows; at most \(maxRows) per import")
                ]))
        }
        var table = CSVTable(rows: [], problems: [])
        for (index, fields) in raw.enumerated() {
            guard fields.count <= header.count else {
                table.problems.append(
                    Problem(
                        row: index + 1, field: nil,
                        message: "the row has \(fields.count) values; the header has \(header.count)"))
                continue
            }
            var values: [String: String] = [:]
            for (i, v) in fields.enumerated() {
                let t = v.trimmingCharacters(in: .whitespaces)
                if !t.isEmpty, let name = names[i] { values[name] = t }
            }
            table.rows.append((index + 1, values))
        }
        return .success(table)
    }

    /// The file line (1 = the header) where a quoted cell opens and never closes, if one does. A doubled quote inside
    /// a quoted cell is an escaped quote, which this count handles by toggling twice.
    package static func unclosedQuoteLine(_ text: String) -> Int? {
        var line = 1
        var openedOn: Int? = nil
        for c in text.unicodeScalars {
            if c == "\"" { openedOn = openedOn == nil ? line : nil }
            if c == "\n" { line += 1 }
        }
        return openedOn
    }
}

/// Why an import stored nothing: every bad row and field.
package struct ImportFailure: Error, Content {
    package var problems: [ImportProblem]

    package init(problems: [ImportProblem]) {
        self.problems = problems
    }
}

/// Uploaded files: up to 20 MB (the service default for a body is 2 MB).
package enum Uploads {
    package static let maxSize: ByteCount = "20mb"
}

/// `?municipality=` of an import request.
package struct ImportQuery: Content {
    package var municipality: String?

    package init(municipality: String? = nil) {
        self.municipality = municipality
    }
}

package struct RecordsImported: Content {
    package var stored: Int
    package var problems: [ImportProblem]
}

extension File {
    /// The uploaded file as text, or nil when it is not UTF-8.
    package var utf8Text: String? { data.getString(at: data.readerIndex, length: data.readableBytes, encoding: .utf8) }
}

extension Request {
    /// The body of an import request: `text/csv` (else 415) in UTF-8 (else 400).
    package func csvBody() throws -> String {
        guard headers.contentType?.type == "text", headers.contentType?.subType == "csv" else {
            throw Abort(.unsupportedMediaType, reason: "send the file as text/csv")
        }
        guard let body = body.data,
            let text = body.getString(at: body.readerIndex, length: body.readableBytes, encoding: .utf8)
        else {
            throw ValidationFailure(field: "body", "invalid.csv_body")
        }
        return text
    }
}

extension Request {
    /// A `text/csv` body of records for participants, stored all or nothing: 201 with the count, or 400 with every
    /// problem.
    package func bulkImport(_ run: (String, String?) async throws -> Result<Int, ImportFailure>) async throws
        -> Response
    {
        let text = try csvBody()
        let q = try query.decode(ImportQuery.self)
        if let m = q.municipality { _ = try Validate.municipality(m) }
        switch try await run(text, q.municipality) {
        case .success(let n):
            return try await RecordsImported(stored: n, problems: []).encodeResponse(status: .created, for: self)
        case .failure(let f):
            return try await RecordsImported(stored: 0, problems: f.problems).encodeResponse(
                status: .badRequest, for: self)
        }
    }
}
