/// Fødselsnummer or D-nummer: 11 digits, a date (day + 40 for a D-nummer), a three-digit
/// individual number and two mod-11 check digits (Skatteetaten, folkeregisteret).
public struct NationalIdentityNumber: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public let isDNumber: Bool

    public enum Problem: String, Error, Sendable, Equatable {
        case length, notDigits, date, firstCheckDigit, secondCheckDigit
    }

    public static func check(_ text: String) -> Result<NationalIdentityNumber, Problem> {
        let s = text
        guard s.count == 11 else { return .failure(.length) }
        guard s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.notDigits) }
        let d = s.compactMap { Int(String($0)) }
        var day = d[0] * 10 + d[1]
        let month = d[2] * 10 + d[3]
        let isD = day > 40
        if isD { day -= 40 }
        guard (1...12).contains(month), day >= 1, day <= 31 else { return .failure(.date) }
        let w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
        let w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        func control(_ weights: [Int]) -> Int? {
            let r = 11 - zip(weights, d).map(*).reduce(0, +) % 11
            return r == 11 ? 0 : (r == 10 ? nil : r)
        }
        guard let k1 = control(w1), k1 == d[9] else { return .failure(.firstCheckDigit) }
        guard let k2 = control(w2), k2 == d[10] else { return .failure(.secondCheckDigit) }
        return .success(NationalIdentityNumber(value: s, isDNumber: isD))
    }

    private init(value: String, isDNumber: Bool) {
        self.value = value
        self.isDNumber = isDNumber
    }

    /// Shown masked in lists: only the birth date part.
    public var masked: String { String(value.prefix(6)) + "*****" }
    public var description: String { masked }
}
