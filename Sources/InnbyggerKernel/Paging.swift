import FluentKit
import FluentSQL
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

    /// The same keys in the opposite direction: reading backwards from a cursor.
    package var reversed: Keyset { Keyset(keys.map { Key($0.sql, ascending: !$0.ascending) }) }

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
    /// The links to the pages before and after: by number, or by keyset where the page was read by one.
    package var previousHref: String?
    package var nextHref: String?
    /// Whether `pages` is known: false for a list the database does not count (the audit log).
    package var counted = true
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
        previousHref = previousPage.map { "\(base)page=\($0)" }
        nextHref = nextPage.map { "\(base)page=\($0)" }
    }

    fileprivate init(
        base: String, page: Int, pages: Int, size: Int, previousHref: String?, nextHref: String?
    ) {
        self.base = base
        self.page = page
        self.pages = pages
        self.size = size
        previousPage = previousHref == nil ? nil : page - 1
        nextPage = nextHref == nil ? nil : page + 1
        self.previousHref = previousHref
        self.nextHref = nextHref
    }
}

/// Where a page of a list starts, read from its address (issue #12): the first page; the page after the row an
/// `after` cursor names or before the row a `before` cursor names (the pager's own links, so that rows stored while
/// someone pages are neither shown twice nor skipped); or a page number typed by hand, read by offset.
package struct PageWindow: Sendable {
    package enum Start: Sendable {
        case first
        case number(Int)
        case after(Cursor)
        case before(Cursor)
    }

    package static let defaultSize = 50

    package let start: Start
    /// Rows a page shows (`limit`, 1…200).
    package let size: Int
    /// The page number the address gives, for display only.
    package let requested: Int

    /// Reads `page`, `after`, `before` and `limit`; a malformed one is a 400 naming the field.
    package init(
        page: Int? = nil, after: String? = nil, before: String? = nil, limit: Int? = nil,
        defaultSize: Int = PageWindow.defaultSize
    ) throws {
        requested = try Validate.page(page)
        size = try Validate.number(limit, "limit", 1...200) ?? defaultSize
        // An empty cursor is not one this service made: a page asks for none or for one of its own links' cursors.
        if after?.isEmpty == true || before?.isEmpty == true {
            throw ValidationFailure(field: "cursor", "invalid.cursor")
        }
        switch (after, before) {
        case (let a?, nil): start = .after(try Cursor(token: a))
        case (nil, let b?): start = .before(try Cursor(token: b))
        case (nil, nil): start = requested > 1 ? .number(requested) : .first
        default: throw ValidationFailure(field: "cursor", "invalid.cursor")
        }
    }

    /// `size` rows from the start or after `cursor`: a service reading a whole list in batches.
    package init(after cursor: Cursor?, size: Int) {
        start = cursor.map { .after($0) } ?? .first
        self.size = size
        requested = 1
    }

    /// Whether rows are read in the list's own order (not when reading backwards from a `before` cursor).
    package var forward: Bool {
        if case .before = start { return false }
        return true
    }

    /// One row more than the page, to know whether another page follows.
    package var fetchLimit: Int { size + 1 }

    /// Rows to skip: only for a page asked for by number.
    package var offset: Int {
        if case .number(let n) = start { return (n - 1) * size }
        return 0
    }

    /// `(…)`: the rows past the cursor in the direction read, or nil on a page without one.
    package func condition(_ keys: Keyset) throws -> SQLQueryString? {
        switch start {
        case .after(let c): return try keys.after(c)
        case .before(let c): return try keys.reversed.after(c)
        case .first, .number: return nil
        }
    }

    /// ` ORDER BY … LIMIT … OFFSET …` in the direction read.
    package func orderAndLimit(_ keys: Keyset) -> SQLQueryString {
        (forward ? keys : keys.reversed).orderBy
            + " LIMIT \(unsafeRaw: String(fetchLimit)) OFFSET \(unsafeRaw: String(offset))"
    }

    /// A page of `query`'s rows in `keys`' order, the keys naming `query`'s own output columns.
    package func rows<Row: Decodable>(
        _ sql: any SQLDatabase, _ query: SQLQueryString, _ keys: Keyset, decoding: Row.Type
    ) async throws -> [Row] {
        var paged: SQLQueryString = "SELECT * FROM (" + query + ") page_rows WHERE 1 = 1"
        if let c = try condition(keys) { paged += " AND " + c }
        return try await sql.raw(paged + orderAndLimit(keys)).all(decoding: Row.self)
    }

    /// The rows a window of a Fluent query reads, `keys` naming its columns with their table.
    package func rows<M: Model>(_ q: QueryBuilder<M>, _ keys: Keyset) async throws -> [M] {
        if let c = try condition(keys) { q.filter(.sql(embed: c)) }
        for k in (forward ? keys : keys.reversed).keys {
            q.sort(.sql(unsafeRaw: "\(k.sql) \(k.ascending ? "ASC" : "DESC")"))
        }
        return try await q.range(offset..<(offset + fetchLimit)).all()
    }

    /// The page's rows in the list's order (at most `size`) and its pager, from the rows read (`fetchLimit` at
    /// most, in the direction read). `base` ends in `?` or `&`; `cursor` names a row's place in the order.
    /// `total` nil: a list not counted, whose pager names the page only.
    package func settle<Row>(
        _ fetched: [Row], total: Int?, base: String, cursor: (Row) -> Cursor
    ) -> (rows: [Row], pager: Pager) {
        var rows = Array(fetched.prefix(size))
        let more = fetched.count > size
        let hasPrevious: Bool
        let hasNext: Bool
        switch start {
        case .first:
            (hasPrevious, hasNext) = (false, more)
        case .number(let n):
            (hasPrevious, hasNext) = (n > 1, more)
        case .after:
            (hasPrevious, hasNext) = (true, more)
        case .before:
            rows.reverse()
            (hasPrevious, hasNext) = (more, true)
        }
        let base = size == Self.defaultSize ? base : "\(base)limit=\(size)&"
        let page = hasPrevious ? max(requested, 2) : 1
        let counted = total.map { max(1, ($0 + size - 1) / size) } ?? page
        let pages = hasNext ? max(counted, page + 1) : page
        var previous: String? = nil
        if hasPrevious {
            // Past the end (a page number typed by hand, or every row after the cursor gone): the last page by number.
            previous =
                rows.first.map { "\(base)page=\(page - 1)&before=\(cursor($0).token)" }
                ?? "\(base)page=\(min(page - 1, counted))"
        }
        let next = hasNext ? rows.last.map { "\(base)page=\(page + 1)&after=\(cursor($0).token)" } : nil
        var pager = Pager(base: base, page: page, pages: pages, size: size, previousHref: previous, nextHref: next)
        pager.counted = total != nil
        return (rows, pager)
    }

    /// The cursor after the page's last row when another page follows (the API's `nextCursor`).
    package func next<Row>(_ fetched: [Row], cursor: (Row) -> Cursor) -> Cursor? {
        guard forward, fetched.count > size else { return nil }
        return cursor(fetched[size - 1])
    }
}

extension PageWindow {
    /// A whole keyset list read in batches of `size` (an export): each batch starts after the last row of the one
    /// before, so a late batch costs what the first did (issue #12). `each` gets every batch in the list's order,
    /// at most `size` rows; reading stops at the list's end or once `cap` rows are read.
    package static func forEachBatch<Row>(
        size: Int = 1000, cap: Int = .max, cursor: (Row) -> Cursor, read: (PageWindow) async throws -> [Row],
        each: ([Row]) async throws -> Void
    ) async throws {
        var window = PageWindow(after: nil, size: size)
        var count = 0
        while true {
            let fetched = try await read(window)
            let batch = Array(fetched.prefix(size))
            try await each(batch)
            count += batch.count
            guard count < cap, let next = window.next(fetched, cursor: cursor) else { return }
            window = PageWindow(after: next, size: size)
        }
    }

    /// Every row of a keyset list, read in batches of `size` up to `cap` rows (see `forEachBatch`).
    package static func all<Row>(
        size: Int = 1000, cap: Int = .max, cursor: (Row) -> Cursor, read: (PageWindow) async throws -> [Row]
    ) async throws -> [Row] {
        var rows: [Row] = []
        try await forEachBatch(size: size, cap: cap, cursor: cursor, read: read) { rows += $0 }
        return rows
    }
}
