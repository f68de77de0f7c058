import InnbyggerCore
import Vapor

/// The table of who may read which section of a person's file, read from `docs/privacy.md` at start (see
/// `SectionTable`). Every person section and the API's fields go through it.
package enum FileSections {
    /// Where the table is, relative to the working directory.
    package static let path = "docs/privacy.md"

    /// The sections of the person file that the kernel's record itself has (the person page's own), besides the
    /// features' sections: the API's fields belong to these.
    package static let name = "name"

    /// Reads and checks the table: every section a feature declares must be in it, and every row must belong to a
    /// section that exists, so the table cannot drift from the code.
    package static func load(_ app: Application) throws {
        let file = app.directory.workingDirectory + path
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read \(path) (start innbygger from the project directory): \(error)")
        }
        let table: SectionTable
        do { table = try SectionTable.parse(text) } catch {
            throw ConfigurationError("\(path): \(error)")
        }
        let declared = Set(app.features.flatMap(\.personSections).map(\.id) + [name])
        let listed = Set(table.sections)
        if let missing = declared.subtracting(listed).sorted().first {
            throw ConfigurationError("\(path) has no row for the person section \(missing)")
        }
        if let extra = listed.subtracting(declared).sorted().first {
            throw ConfigurationError("\(path) lists a section no feature has: \(extra)")
        }
        app.sectionTable = table
    }
}

private struct SectionTableKey: StorageKey { typealias Value = SectionTable }

extension Application {
    /// Who may read which section of a person's file (`FileSections`).
    package var sectionTable: SectionTable {
        get { storage[SectionTableKey.self] ?? SectionTable(rows: []) }
        set { storage[SectionTableKey.self] = newValue }
    }
}

extension ServiceContext {
    /// Whether the user may read `section` of the file, by the table and the file's sharing.
    package func mayRead(section: String, of p: Person) -> Bool {
        may(
            .read,
            .fileSection(
                municipality: p.$municipality.id, sharedWith: p.activeSectors,
                readers: app.sectionTable.readers(section)))
    }

    /// The sections of the file the user may read.
    package func readableSections(of p: Person) -> Set<String> {
        Set(app.sectionTable.sections.filter { mayRead(section: $0, of: p) })
    }

    /// Whether the user may read `section` of any file in `codes` (one shared with every sector): an export or a
    /// list has a column for a section only then, and leaves the cell empty in a row whose file withholds it.
    package func mayEverRead(section: String, in codes: [Kommunenummer]) -> Bool {
        let readers = app.sectionTable.readers(section)
        return codes.contains { m in
            may(.read, .fileSection(municipality: m, sharedWith: Set(Sector.allCases), readers: readers))
        }
    }
}

/// A column of an export or a list and the section of the file it shows (docs/privacy.md): minimisation for lists
/// reads the same table as the person page (issue #30: the list exports gave partners what the page withholds).
package struct SectionColumns<Row> {
    package struct Column {
        package var header: String
        package var section: String
        package var cell: (Row) -> XLSX.Cell
        package init(_ header: String, _ section: String, _ cell: @escaping (Row) -> XLSX.Cell) {
            self.header = header
            self.section = section
            self.cell = cell
        }
    }
    package var columns: [Column]
    package init(_ columns: [Column]) { self.columns = columns }

    /// The columns the user may ever read in `codes`.
    package func allowed(_ ctx: ServiceContext, in codes: [Kommunenummer]) -> [Column] {
        columns.filter { ctx.mayEverRead(section: $0.section, in: codes) }
    }

    /// A row's cells for `allowed` columns, empty where `readable` (the row's readable sections) withholds one.
    package static func cells(_ row: Row, _ allowed: [Column], readable: Set<String>) -> [XLSX.Cell] {
        allowed.map { readable.contains($0.section) ? $0.cell(row) : .text("") }
    }
}
