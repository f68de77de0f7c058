import Testing

@testable import InnbyggerCore

/// A stand-in digest for the tests: any injective function of the text will do for chain logic.
private func digest(_ s: String) -> String {
    String(s.utf8.reduce(into: UInt64(1469598103934665603)) { $0 = ($0 ^ UInt64($1)) &* 1099511628211 }, radix: 16)
        + String(s.count)
}

private func chain(_ n: Int) -> [(record: AuditRecord, storedHash: String)] {
    var out: [(record: AuditRecord, storedHash: String)] = []
    var prev = AuditChain.genesis
    for i in 1...n {
        let r = AuditRecord(
            sequence: i, atMillis: Int64(i * 1000), userID: "u\(i % 3)", municipality: "3420", action: "read",
            recordType: "person", recordID: "p\(i)", route: "GET /persons/:personID", previousHash: prev)
        let h = digest(r.canonical)
        out.append((r, h))
        prev = h
    }
    return out
}

@Suite("AuditChain")
struct AuditChainTests {
    @Test("An untouched chain verifies")
    func intact() { #expect(AuditChain.verify(chain(10), hash: digest) == nil) }

    @Test("Altering any field of an entry is found at that entry", arguments: 1...5)
    func altered(_ at: Int) {
        var c = chain(6)
        c[at - 1].record.recordID = "someone-else"
        #expect(AuditChain.verify(c, hash: digest) == .contentAltered(sequence: at))
    }

    @Test("Rewriting an entry and its hash breaks the next link")
    func rehashed() {
        var c = chain(6)
        c[2].record.action = "delete"
        c[2].storedHash = digest(c[2].record.canonical)
        #expect(AuditChain.verify(c, hash: digest) == .linkBroken(sequence: 4))
    }

    @Test("A removed entry is a gap")
    func removed() {
        var c = chain(6)
        c.remove(at: 3)
        #expect(AuditChain.verify(c, hash: digest) == .gap(expected: 4, found: 5))
    }

    @Test("Separators in values cannot shift content between fields")
    func canonicalIsUnambiguous() {
        let a = AuditRecord(
            sequence: 1, atMillis: 1, userID: "a|b", municipality: nil, action: "x", recordType: "y", recordID: nil,
            route: "r", previousHash: "p")
        let b = AuditRecord(
            sequence: 1, atMillis: 1, userID: "a", municipality: "b", action: "x", recordType: "y", recordID: nil,
            route: "r", previousHash: "p")
        #expect(a.canonical != b.canonical)
    }
}
