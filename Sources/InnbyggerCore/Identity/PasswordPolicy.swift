/// Minimum password rules for staff accounts, after NSM's basic principles for ICT security
/// (long passphrases rather than complex short passwords).
public struct PasswordPolicy: Sendable {
    public var minimumLength: Int
    public var maximumLength: Int
    public init(minimumLength: Int = 12, maximumLength: Int = 128) {
        self.minimumLength = minimumLength; self.maximumLength = maximumLength
    }

    public enum Problem: String, Sendable, Equatable, CaseIterable {
        case tooShort = "password.too_short"
        case tooLong = "password.too_long"
        case sameAsUsername = "password.same_as_username"
        case tooFewDistinctCharacters = "password.too_simple"
    }

    /// Returns every rule the password breaks; empty means accepted.
    public func problems(password: String, username: String) -> [Problem] {
        var out: [Problem] = []
        if password.count < minimumLength { out.append(.tooShort) }
        if password.count > maximumLength { out.append(.tooLong) }
        if !username.isEmpty && password.lowercased().contains(username.lowercased()) { out.append(.sameAsUsername) }
        if Set(password).count < 5 { out.append(.tooFewDistinctCharacters) }
        return out
    }
}
