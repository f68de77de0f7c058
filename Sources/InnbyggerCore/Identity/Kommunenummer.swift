/// A Norwegian municipality number (kommunenummer): four digits, the first two the county.
/// Source: SSB's classification of municipalities (KLASS 131).
///
/// Stored and sent as its four digits (a single string value), so the schema and the API keep the plain number.
public struct Kommunenummer: Hashable, Sendable, Comparable, LosslessStringConvertible {
    public let value: String

    public init?(_ text: String) {
        guard text.count == 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), text != "0000" else { return nil }
        value = text
    }

    public var countyPrefix: String { String(value.prefix(2)) }
    public var description: String { value }

    public static func < (a: Kommunenummer, b: Kommunenummer) -> Bool { a.value < b.value }
}

extension Kommunenummer: TextCoded {
    public init?(codedText: String) { self.init(codedText) }
    public var codedText: String { value }
    public static var expectedText: String { "a kommunenummer (four digits)" }
}

/// A literal in code (demo data, tests) is a programmer's constant; a bad one is a bug, not input.
extension Kommunenummer: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        guard let k = Kommunenummer(text) else { preconditionFailure("not a kommunenummer: \(text)") }
        self = k
    }
}
