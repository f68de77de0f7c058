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
        case sequence = "password.sequence"
        case spaces = "password.spaces"
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
        if Self.isRun(password) { out.append(.sequence) }
        // Spaces at either end are lost when pasted or typed again; a password mostly of spaces is short in truth.
        let spaces = password.filter { $0 == " " }.count
        if password.first == " " || password.last == " " || spaces * 2 >= password.count { out.append(.spaces) }
        return out
    }

    /// Rows a guesser walks: digits and the alphabet in order, and the Norwegian keyboard's rows, each run on into
    /// the next as a finger does ("123456789012", "qwertyuiopas").
    static let runs = ["12345678901234567890", "abcdefghijklmnopqrstuvwxyzæøå", "qwertyuiopåasdfghjkløæzxcvbnm"]

    /// Whether three quarters or more of the password's neighbouring characters are neighbours in one of `runs`,
    /// forwards or backwards (a repeated character is `tooFewDistinctCharacters`' business).
    static func isRun(_ password: String) -> Bool {
        let chars = Array(password.lowercased())
        guard chars.count >= 2 else { return false }
        var next: [Character: Set<Character>] = [:]
        for run in runs {
            let r = Array(run)
            for (a, b) in zip(r, r.dropFirst()) {
                next[a, default: []].formUnion([b])
                next[b, default: []].formUnion([a])
            }
        }
        let linked = zip(chars, chars.dropFirst()).filter { a, b in next[a]?.contains(b) == true }.count
        return linked * 4 >= (chars.count - 1) * 3
    }

    /// The password's letters, lowercased: what is left when digits, signs and spaces are taken away.
    static func letters(_ s: String) -> String {
        String(s.lowercased().filter(\.isLetter))
    }
}
