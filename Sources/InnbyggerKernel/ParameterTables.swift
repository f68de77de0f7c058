import Foundation
import InnbyggerCore
import Vapor

/// Every dated table in `Resources/Parameters/*.json` (an array of entries with `from`, `value` and `reference`):
/// where it is, its newest entry and that entry's source, for the administrator's parameter page.
package struct ParameterTable: Encodable, Sendable {
    package var file: String
    /// The table's place in its file ("integreringsloven › benefit › fullRateG").
    package var path: String
    package var newestFrom: String
    package var reference: String
    package var entries: Int
    /// Set when a feature says the table needs a new entry (the G after 1 May).
    package var warning: String?
}

/// A feature's word that a table needs a new entry: which file and path, and why, in the request's language.
package struct ParameterWarning: Sendable {
    package var file: String
    package var path: String
    package var message: String

    package init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }
}

package enum ParameterTables {
    /// Reads the dated tables of every parameter file, depth first, in file order.
    package static func all(resources: String) throws -> [ParameterTable] {
        let folder = resources + "Parameters/"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
            .sorted()
        var out: [ParameterTable] = []
        for file in files {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + file)))
            walk(json, file: file, path: [], into: &out)
        }
        return out
    }

    static func walk(_ node: Any, file: String, path: [String], into out: inout [ParameterTable]) {
        if let entries = node as? [[String: Any]], !entries.isEmpty, entries.allSatisfy({ $0["from"] is String }) {
            let newest = entries.max { ($0["from"] as? String ?? "") < ($1["from"] as? String ?? "") }!
            out.append(
                ParameterTable(
                    file: file, path: path.joined(separator: " › "), newestFrom: newest["from"] as? String ?? "",
                    reference: newest["reference"] as? String ?? "", entries: entries.count))
        } else if let object = node as? [String: Any] {
            for key in object.keys.sorted() { walk(object[key]!, file: file, path: path + [key], into: &out) }
        }
    }
}
