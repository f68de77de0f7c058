/// Minimum password rules for staff accounts, after NSM's basic principles for ICT security
/// (long passphrases rather than complex short passwords).
public struct PasswordPolicy: Sendable {
    public var minimumLength: Int
    public var maximumLength: Int
    /// bcrypt reads only the first 72 bytes: a longer password would be silently cut, so it is refused.
    public static let maximumBytes = 72
    /// Known common passwords and words (lowercase letters only), shipped in
    /// `Resources/Parameters/common-passwords.txt`.
    public var common: Set<String>

    public init(minimumLength: Int = 12, maximumLength: Int = 128, common: Set<String> = []) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.common = common
    }

    public enum Problem: String, Sendable, Equatable, CaseIterable {
        case tooShort = "password.too_short"
        case tooLong = "password.too_long"
        case sameAsUsername = "password.same_as_username"
        case tooFewDistinctCharacters = "password.too_simple"
        case common = "password.common"
        case containsName = "password.contains_name"
    }

    /// Returns every rule the password breaks; empty means accepted.
    /// `names` are the user's own names (display name, parts of the username): none may be the password's core.
    public func problems(password: String, username: String, names: [String] = []) -> [Problem] {
        var out: [Problem] = []
        if password.count < minimumLength { out.append(.tooShort) }
        if password.count > maximumLength || password.utf8.count > Self.maximumBytes { out.append(.tooLong) }
        if !username.isEmpty && password.lowercased().contains(username.lowercased()) { out.append(.sameAsUsername) }
        if Set(password).count < 5 { out.append(.tooFewDistinctCharacters) }
        // "password1234" and "Sommer2026!!" are a common word dressed up with digits and signs: judge the letters.
        let core = Self.letters(password)
        if common.contains(core) { out.append(.common) }
        let parts = (names + username.split(whereSeparator: { !$0.isLetter }).map(String.init)).map(Self.letters)
        if parts.contains(where: { $0.count >= 3 && core.contains($0) }) { out.append(.containsName) }
        return out
    }

    /// The password's letters, lowercased: what is left when digits, signs and spaces are taken away.
    static func letters(_ s: String) -> String {
        String(s.lowercased().filter(\.isLetter))
    }
}
