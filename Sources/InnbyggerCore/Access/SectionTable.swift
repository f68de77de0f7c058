import Foundation

/// Which sectors may read each section of a person's file: the table in `docs/privacy.md`, parsed. The service reads
/// that file at start, so the table a reader finds in the documentation is the one the policy applies.
///
/// Ground: GDPR art. 5 (1) c (data minimisation) and art. 25 (data protection by design), integreringsloven § 41 and
/// forvaltningsloven § 13: a partner sees only the part of a shared file its own task needs.
public struct SectionTable: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// The section's identity in code (`PersonSection.id`) and in the API's `sections` list.
        public var section: String
        public var readers: Set<Sector>
        /// Why these sectors need it, as written in the table.
        public var reason: String

        public init(section: String, readers: Set<Sector>, reason: String) {
            self.section = section
            self.readers = readers
            self.reason = reason
        }
    }

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// The sectors that may read `section`; none for a section the table does not list (default deny).
    public func readers(_ section: String) -> Set<Sector> {
        rows.first { $0.section == section }?.readers ?? []
    }

    public var sections: [String] { rows.map(\.section) }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case noTable
        case badHeader(String)
        case badCell(section: String, column: String, value: String)
        case badRow(String)
        case duplicate(String)

        public var description: String {
            switch self {
            case .noTable: "no table with a `Section` column and one column per sector"
            case .badHeader(let h): "the header must name every sector once, then `Reason`: \(h)"
            case .badCell(let s, let c, let v): "section \(s), column \(c): \(v) is neither ✓ nor –"
            case .badRow(let r): "row has the wrong number of cells: \(r)"
            case .duplicate(let s): "section \(s) is listed twice"
            }
        }
    }

    /// Reads the first Markdown table whose first header cell is `Section`: then one column per sector (its code,
    /// e.g. `adult_education`, in any order) and a last column `Reason`. A cell is `✓` (may read) or `–` (may not).
    public static func parse(_ markdown: String) throws -> SectionTable {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let start = lines.firstIndex(where: { cells($0).first == "Section" }) else { throw ParseError.noTable }
        let header = cells(lines[start])
        let columns = header.dropFirst().dropLast()
        let sectors = columns.compactMap(Sector.init(rawValue:))
        guard header.last == "Reason", sectors.count == columns.count, Set(sectors) == Set(Sector.allCases),
            sectors.count == Sector.allCases.count
        else { throw ParseError.badHeader(lines[start]) }
        var rows: [Row] = []
        // The line after the header is the Markdown separator (|---|---|).
        for line in lines[(start + 2)...] {
            guard line.hasPrefix("|") else { break }
            let c = cells(line)
            guard c.count == header.count else { throw ParseError.badRow(line) }
            let section = c[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            guard !rows.contains(where: { $0.section == section }) else { throw ParseError.duplicate(section) }
            var readers: Set<Sector> = []
            for (i, sector) in sectors.enumerated() {
                switch c[i + 1] {
                case "✓": readers.insert(sector)
                case "–", "-", "": break
                default: throw ParseError.badCell(section: section, column: sector.rawValue, value: c[i + 1])
                }
            }
            rows.append(Row(section: section, readers: readers, reason: c[c.count - 1]))
        }
        return SectionTable(rows: rows)
    }

    /// The cells of one Markdown table line, trimmed; empty for a line that is not a table row.
    static func cells(_ line: String) -> [String] {
        guard line.hasPrefix("|") else { return [] }
        var inner = line.dropFirst()
        if inner.hasSuffix("|") { inner = inner.dropLast() }
        return inner.split(separator: "|", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
}
