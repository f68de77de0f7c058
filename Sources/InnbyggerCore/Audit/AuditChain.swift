/// The content of one audit entry that its hash covers. Kept free of names and other
/// personal data: it identifies the record by type and id only.
public struct AuditRecord: Sendable, Equatable, Codable {
    public var sequence: Int
    public var atMillis: Int64
    public var userID: String?
    public var municipality: String?
    public var action: String
    public var recordType: String
    public var recordID: String?
    public var route: String
    public var previousHash: String

    public init(
        sequence: Int, atMillis: Int64, userID: String?, municipality: String?, action: String,
        recordType: String, recordID: String?, route: String, previousHash: String
    ) {
        self.sequence = sequence
        self.atMillis = atMillis
        self.userID = userID
        self.municipality = municipality
        self.action = action
        self.recordType = recordType
        self.recordID = recordID
        self.route = route
        self.previousHash = previousHash
    }

    /// The exact bytes the hash is taken over. Fields are length-prefixed so no value can
    /// imitate a separator and shift content from one field to another.
    public var canonical: String {
        [
            String(sequence), String(atMillis), userID ?? "", municipality ?? "", action, recordType, recordID ?? "",
            route, previousHash,
        ]
        .map { "\($0.utf8.count):\($0)" }
        .joined(separator: "|")
    }
}

/// Hash chain over the audit log: each entry holds the hash of the one before, so altering,
/// removing or reordering any entry breaks every later link.
public enum AuditChain {
    /// The `previousHash` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public enum Break: Equatable, Sendable {
        /// The entry's stored hash is not the hash of its content (the row was altered).
        case contentAltered(sequence: Int)
        /// The entry does not point at the hash of the entry before it (an entry was removed or inserted).
        case linkBroken(sequence: Int)
        /// Sequence numbers are not consecutive.
        case gap(expected: Int, found: Int)
        /// The chain ends before the recorded head: entries at the end were removed.
        case truncated(expectedLast: Int)

        public var sequence: Int {
            switch self {
            case .contentAltered(let s), .linkBroken(let s): s
            case .gap(_, let found): found
            case .truncated(let last): last
            }
        }
    }

    /// Checks entries one at a time, in sequence order, so a long log can be streamed in pages.
    /// `hash` is SHA-256 in hex; it is passed in so the core stays free of crypto libraries.
    public struct Verifier {
        public private(set) var checked = 0
        private var previousHash = AuditChain.genesis
        private let hash: (String) -> String

        public init(hash: @escaping (String) -> String) { self.hash = hash }

        /// Returns the break this entry shows, or nil when it extends the chain correctly.
        public mutating func check(_ record: AuditRecord, storedHash: String) -> Break? {
            let expected = checked + 1
            if record.sequence != expected { return .gap(expected: expected, found: record.sequence) }
            if hash(record.canonical) != storedHash { return .contentAltered(sequence: record.sequence) }
            if record.previousHash != previousHash { return .linkBroken(sequence: record.sequence) }
            previousHash = storedHash
            checked = expected
            return nil
        }
    }

    /// Checks a whole chain and returns the first break, or nil when it holds.
    public static func verify(
        _ entries: [(record: AuditRecord, storedHash: String)], hash: @escaping (String) -> String
    ) -> Break? {
        var v = Verifier(hash: hash)
        for e in entries { if let b = v.check(e.record, storedHash: e.storedHash) { return b } }
        return nil
    }
}
