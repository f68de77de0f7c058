/// Writes RFC 4180 CSV for exports. Cells that a spreadsheet would run as a formula (=, +, -, @)
/// get a leading apostrophe, so an exported name cannot become a command.
enum CSV {
    static func row(_ cells: [String]) -> String {
        cells.map { cell in
            var c = cell
            if let f = c.first, "=+-@\t\r".contains(f) { c = "'" + c }
            if c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }) {
                c = "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return c
        }.joined(separator: ",")
    }

    static func document(header: [String], rows: [[String]]) -> String {
        ([row(header)] + rows.map(row)).joined(separator: "\r\n") + "\r\n"
    }
}
