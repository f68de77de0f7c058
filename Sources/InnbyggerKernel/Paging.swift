import Foundation
import SQLKit

/// Keyset paging (issue #12): a page starts after the last row of the page before it, named by that row's full sort
/// key, so a page costs the same wherever it is in the list, and rows stored while someone pages are neither
/// repeated nor skipped among those already passed. The sort key must be total (end with a unique column).
package struct Keyset: Sendable {
    package struct Key: Sendable {
        /// A column or expression of the query ("d.due", "p.family_name").
        package var sql: String
        package var ascending: Bool

        package init(_ sql: String, ascending: Bool = true) {
            self.sql = sql
            self.ascending = ascending
        }
    }

    package let keys: [Key]

    package init(_ keys: [Key]) {
        self.keys = keys
    }

    /// ` ORDER BY …` in the keys' order and directions.
    package var orderBy: SQLQueryString {
        SQLQueryString(" ORDER BY " + keys.map { "\($0.sql) \($0.ascending ? "ASC" : "DESC")" }.joined(separator: ", "))
    }

    /// `(…)`: the rows after `cursor` in this order (row by row: equal on the first keys, past on the next).
    package func after(_ cursor: Cursor) throws -> SQLQueryString {
        guard cursor.values.count == keys.count else { throw ValidationFailure(field: "cursor", "invalid.cursor") }
        var alternatives: [SQLQueryString] = []
        for i in keys.indices {
            var terms: [SQLQueryString] = []
            for j in 0..<i { terms.append("\(unsafeRaw: keys[j].sql) = \(cursor.values[j])") }
            terms.append("\(unsafeRaw: keys[i].sql) \(unsafeRaw: keys[i].ascending ? ">" : "<") \(cursor.values[i])")
            alternatives.append("(" + terms.joined(separator: " AND ") + ")")
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }
}

/// A place in a keyset-paged list: the sort key of the last row shown, as an opaque URL-safe token.
package struct Cursor: Sendable, Equatable {
    package enum Value: Codable, Sendable, Equatable {
        case text(String)
        case number(Int)
        case id(UUID)

        // Each value is a string tagged with its kind ("t…", "n…", "u…"), so that a name that looks like a number
        // or an id is still read back as the name it was.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            let raw = try c.decode(String.self)
            let body = String(raw.dropFirst())
            switch raw.first {
            case "t": self = .text(body)
            case "n":
                guard let n = Int(body) else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "n") }
                self = .number(n)
            case "u":
                guard let u = UUID(uuidString: body) else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "u")
                }
                self = .id(u)
            default: throw DecodingError.dataCorruptedError(in: c, debugDescription: "kind")
            }
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode("t" + s)
            case .number(let n): try c.encode("n\(n)")
            case .id(let u): try c.encode("u" + u.uuidString)
            }
        }
    }

    package var values: [Value]

    package init(_ values: [Value]) {
        self.values = values
    }

    /// base64url of the values as JSON.
    package var token: String {
        let data = (try? JSONEncoder().encode(values)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The longest token the service makes or reads (a few values as JSON, base64url).
    package static let maxLength = 1000

    /// Reads a token from a request; anything else than one this service made is 400 ("cursor").
    package init(token: String) throws {
        var text = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard token.count <= Self.maxLength, let data = Data(base64Encoded: text),
            let values = try? JSONDecoder().decode([Value].self, from: data), !values.isEmpty
        else {
            throw ValidationFailure(field: "cursor", "invalid.cursor")
        }
        self.values = values
    }
}

extension Cursor.Value: SQLExpression {
    package func serialize(to serializer: inout SQLSerializer) {
        switch self {
        case .text(let s): SQLBind(s).serialize(to: &serializer)
        case .number(let n): SQLBind(n).serialize(to: &serializer)
        case .id(let u): SQLBind(u).serialize(to: &serializer)
        }
    }
}

/// Numbered pages of a list whose rows the database counts and pages (`Shared/pager.leaf`).
package struct Pager: Encodable, Sendable {
    /// The list's address with its filter, ending in `?` or `&`, so that `page=N` can follow.
    package var base: String
    package var page: Int
    package var pages: Int
    package var previousPage: Int?
    package var nextPage: Int?
    /// Rows to skip for this page.
    package var offset: Int { (page - 1) * size }
    package var size: Int

    /// The page asked for, kept within the pages there are.
    package init(base: String, requested: Int?, total: Int, size: Int = 50) {
        self.base = base
        self.size = size
        pages = max(1, (total + size - 1) / size)
        page = min(max(1, requested ?? 1), pages)
        previousPage = page > 1 ? page - 1 : nil
        nextPage = page < pages ? page + 1 : nil
    }
}
