import Vapor

/// Edge validation shared by every input type, so pages and API reject the same things.
enum Validate {
    /// Trims white space; rejects control characters (form feeds, NUL …) and over-long text.
    static func text(_ value: String?, _ field: String, max: Int, required: Bool) throws -> String? {
        let t = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters))
        if t.isEmpty {
            if required { throw ValidationFailure(field: field, message: "\(field) is required") }
            return nil
        }
        guard t.count <= max else { throw ValidationFailure(field: field, message: "\(field) is longer than \(max) characters") }
        guard !t.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw ValidationFailure(field: field, message: "\(field) contains control characters")
        }
        return t
    }

    static func required(_ value: String?, _ field: String, max: Int = 100) throws -> String {
        try text(value, field, max: max, required: true)!
    }

    /// A date something happened: a real date (ISO or dd.mm.åååå), not after today.
    static func pastDate(_ value: String?, _ field: String) throws -> LocalDate {
        guard let d = value.flatMap(LocalDate.init(parsing:)) else { throw ValidationFailure(field: field, message: "\(field) must be a real date") }
        guard d <= .today else { throw ValidationFailure(field: field, message: "\(field) cannot be in the future") }
        return d
    }

    /// A four-digit kommunenummer.
    static func municipality(_ value: String?, _ field: String = "municipality") throws -> String {
        let m = (value ?? "").trimmingCharacters(in: .whitespaces)
        guard Kommunenummer(m) != nil else { throw ValidationFailure(field: field, message: "\(field) must be a four-digit municipality number") }
        return m
    }
}
