/// A Norwegian municipality number (kommunenummer): four digits, the first two the county.
/// Source: SSB's classification of municipalities (KLASS 131).
public struct Kommunenummer: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public init?(_ text: String) {
        guard text.count == 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), text != "0000" else { return nil }
        value = text
    }
    public var countyPrefix: String { String(value.prefix(2)) }
    public var description: String { value }
}
