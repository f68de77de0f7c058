import Fluent
import FluentSQL
import InnbyggerCore
import Vapor

/// Edge validation shared by every input type, so pages and API reject the same things.
package enum Validate {
    /// Trims white space, then applies the free-text rule (`FreeText`: control characters and direction overrides
    /// refused, invisible zero-width characters stripped) and the length limit. `multiline` keeps line breaks.
    package static func text(_ value: String?, _ field: String, max: Int, required: Bool, multiline: Bool = false)
        throws -> String?
    {
        let t: String
        switch FreeText.clean((value ?? "").trimmingCharacters(in: .whitespacesAndNewlines), multiline: multiline) {
        case .success(let clean): t = clean.trimmingCharacters(in: .whitespacesAndNewlines)
        case .failure(.controlCharacter):
            throw ValidationFailure(field: field, "invalid.control_characters")
        case .failure(.directionOverride):
            throw ValidationFailure(field: field, "invalid.direction_characters")
        }
        if t.isEmpty {
            if required { throw ValidationFailure(field: field, "invalid.required") }
            return nil
        }
        guard t.count <= max else {
            throw ValidationFailure(field: field, "invalid.too_long", String(max))
        }
        return t
    }

    /// An optional whole number typed in a form (empty is nil).
    package static func formInt(_ text: String?, _ field: String) throws -> Int? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        guard let n = Int(t) else { throw ValidationFailure(field: field, "invalid.whole_number") }
        return n
    }

    /// An optional decimal number typed in a form or a file, with a comma or a point ("7,5"); empty is nil.
    package static func decimal(_ text: String?, _ field: String) throws -> Double? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        guard let d = Double(t.replacingOccurrences(of: ",", with: ".")), d.isFinite else {
            throw ValidationFailure(field: field, "invalid.number")
        }
        return d
    }

    /// Hours (decimals allowed, e.g. 7.5) as whole minutes, between 0 and `max`.
    package static func hoursToMinutes(_ h: Double?, _ field: String, max: Double, required: Bool) throws -> Int? {
        guard let h else {
            if required { throw ValidationFailure(field: field, "invalid.required") }
            return nil
        }
        guard h.isFinite, h >= 0, h <= max else {
            throw ValidationFailure(field: field, "invalid.range", "0", String(Int(max)))
        }
        let m = (h * 60).rounded()
        guard abs(h * 60 - m) < 1e-6 else {
            throw ValidationFailure(field: field, "invalid.whole_minutes")
        }
        return Int(m)
    }

    package static func required(_ value: String?, _ field: String, max: Int = 100, multiline: Bool = false) throws
        -> String
    {
        try text(value, field, max: max, required: true, multiline: multiline)!
    }

    /// A date something happened: a real date (ISO or dd.mm.åååå), not after today.
    package static func pastDate(_ value: String?, _ field: String) throws -> LocalDate {
        guard let d = value.flatMap(LocalDate.init(parsing:)) else {
            throw ValidationFailure(field: field, "invalid.date")
        }
        guard d <= .today else { throw ValidationFailure(field: field, "invalid.future") }
        return d
    }

    /// An ISO 3166-1 alpha-2 country code, upper-cased. Exactly two letters: the API gets no trimming (forms trim
    /// first).
    package static func country(_ value: String?, _ field: String, required: Bool = true) throws -> String? {
        try code(value, field, lengths: 2...2, required: required, message: "an ISO 3166 two-letter code")?.uppercased()
    }

    /// An ISO 639-1 or 639-3 language code (two or three letters), lower-cased.
    package static func languageCode(_ value: String?, _ field: String, required: Bool = true) throws -> String? {
        try code(
            value, field, lengths: 2...3, required: required, message: "an ISO 639 language code (two or three letters)"
        )?.lowercased()
    }

    private static func code(
        _ value: String?, _ field: String, lengths: ClosedRange<Int>, required: Bool, message: String
    ) throws -> String? {
        guard let value else {
            if required { throw ValidationFailure(field: field, "invalid.required") }
            return nil
        }
        guard lengths.contains(value.count), value.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ValidationFailure(field: field, "invalid.code", message)
        }
        return value
    }

    /// An optional real date (ISO or dd.mm.åååå); absent stays nil, anything else must parse.
    package static func optionalDate(_ value: String?, _ field: String) throws -> LocalDate? {
        guard let value else { return nil }
        guard let d = LocalDate(input: value) else {
            throw ValidationFailure(field: field, "invalid.date")
        }
        return d
    }

    /// A required period `from`–`to` (both real dates, `to` not before `from`).
    package static func period(_ from: String?, _ to: String?) throws -> (LocalDate, LocalDate) {
        guard let f = try optionalDate(from, "from") else {
            throw ValidationFailure(field: "from", "invalid.required")
        }
        guard let t = try optionalDate(to, "to") else {
            throw ValidationFailure(field: "to", "invalid.required")
        }
        guard t >= f else { throw ValidationFailure(field: "to", "invalid.period_order") }
        return (f, t)
    }

    /// A whole number within `range`, or nil when absent.
    package static func number(_ value: Int?, _ field: String, _ range: ClosedRange<Int>, required: Bool = false) throws
        -> Int?
    {
        guard let value else {
            if required { throw ValidationFailure(field: field, "invalid.required") }
            return nil
        }
        guard range.contains(value) else {
            throw ValidationFailure(field: field, "invalid.range", String(range.lowerBound), String(range.upperBound))
        }
        return value
    }

    /// The highest page any list offers; larger numbers are refused at the edge, so `(page - 1) * size` never
    /// overflows and no request can ask the database to skip billions of rows.
    package static let maxPage = 100_000

    /// A page number from the query: absent is page 1; outside 1…`maxPage` is a 400 naming the field.
    package static func page(_ value: Int?, _ field: String = "page") throws -> Int {
        try number(value, field, 1...maxPage) ?? 1
    }

    /// A four-digit kommunenummer.
    package static func municipality(_ value: String?, _ field: String = "municipality") throws -> Kommunenummer {
        guard let m = Kommunenummer((value ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw ValidationFailure(field: field, "invalid.municipality")
        }
        return m
    }
}

extension Request {
    /// Decodes a JSON API body and refuses any top-level field the resource does not have, naming it: a typo such
    /// as `decisonDate` must not pass as "field left out" and clear the stored value. A body that is not a JSON
    /// object — another content type, a form, a number out of range such as `1e999999` — is a 400 naming `body` and
    /// changes nothing (issue #30: such a `PUT …/programme` decoded as an empty document and cleared the programme).
    package func json<T: Decodable>(_ type: T.Type) throws -> T {
        guard headers.contentType == .json, let buffer = body.data,
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any]
        else {
            throw ValidationFailure(field: "body", "invalid.json_object")
        }
        let value = try content.decode(T.self)
        // The input types are plain structs whose stored properties are their JSON keys.
        let known = Set(Mirror(reflecting: value).children.compactMap(\.label))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationFailure(field: unknown, "invalid.unknown_field")
        }
        return value
    }
}

/// Search by part of a text: what the user typed is matched literally, so `%` and `_` find themselves.
package enum Search {
    /// Escapes LIKE's wildcards and the escape character itself with `\`.
    package static func escapeLike(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "\\" || c == "%" || c == "_" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// `column LIKE pattern ESCAPE '\'`, case-insensitive for ASCII on SQLite and fully on PostgreSQL (ILIKE).
    /// SQLite has no default escape character, so the clause is spelled out on both.
    package static func like(_ column: String, in table: String, _ pattern: String, on db: any Database)
        -> DatabaseQuery.Filter
    {
        let op = (db as? any SQLDatabase)?.dialect.name == "postgresql" ? "ILIKE" : "LIKE"
        return .sql(embed: "\(ident: table).\(ident: column) \(unsafeRaw: op) \(bind: pattern) ESCAPE '\\'")
    }
}

/// One problem on a form: the field's id on the page (for the message next to it and the summary's link to it)
/// and the message in the page's language.
package struct FieldError: Encodable, Sendable {
    package var field: String
    package var message: String
    /// `#field`, the summary's link.
    package var href: String

    package init(field: String, message: String) {
        self.field = field
        self.message = message
        href = "#" + field
    }
}
