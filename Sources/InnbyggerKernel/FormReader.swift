import Foundation
import Vapor

/// One reader for HTML forms, so every page reads its fields the same way: text trimmed and empty as "not given",
/// whole numbers, decimals with a comma or a point, ids, and checkboxes (which send "on" or nothing). A bad number or
/// id is a `ValidationFailure` naming the field.
package struct FormReader {
    package let fields: [String: String]

    package init(_ req: Request) throws {
        fields = try req.content.decode([String: String].self)
    }

    package init(fields: [String: String]) {
        self.fields = fields
    }

    /// The field as typed (untrimmed), or nil when absent.
    package func raw(_ key: String) -> String? { fields[key] }

    /// Trimmed text; empty is nil.
    package func text(_ key: String) -> String? {
        let t = fields[key]?.trimmingCharacters(in: .whitespaces)
        return t?.isEmpty == false ? t : nil
    }

    /// A whole number; empty is nil.
    package func int(_ key: String) throws -> Int? {
        try Validate.formInt(fields[key], key)
    }

    /// A decimal number, with a comma or a point ("7,5"); empty is nil.
    package func decimal(_ key: String) throws -> Double? {
        try Validate.decimal(fields[key], key)
    }

    /// An id; empty is nil.
    package func id(_ key: String) throws -> UUID? {
        guard let t = text(key) else { return nil }
        guard let id = UUID(uuidString: t) else {
            throw ValidationFailure(field: key, "invalid.reference")
        }
        return id
    }

    /// A checkbox: checked when the field is sent at all.
    package func checkbox(_ key: String) -> Bool { fields[key] != nil }
}
