import Vapor

/// Random tokens and their stored digests. Tokens are only ever stored as SHA-256, so neither
/// a database copy nor a log line can be replayed as a session or an API key.
package enum Secrets {
    /// 32 random bytes, base64url without padding, with a readable prefix.
    package static func token(prefix: String) -> String {
        let bytes = [UInt8].random(count: 32)
        let b64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + b64
    }

    package static func sha256Hex(_ s: String) -> String {
        hex(SHA256.hash(data: Data(s.utf8)))
    }

    /// Lowercase hex of bytes (digests, MACs, keys).
    package static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time comparison for CSRF tokens.
    package static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

package struct PasswordPolicyKey: StorageKey { package typealias Value = PasswordPolicy }

extension Application {
    /// The password rules with the shipped list of common passwords.
    package var passwordPolicy: PasswordPolicy {
        get { storage[PasswordPolicyKey.self] ?? PasswordPolicy() }
        set { storage[PasswordPolicyKey.self] = newValue }
    }
}
