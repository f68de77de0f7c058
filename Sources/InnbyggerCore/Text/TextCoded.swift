/// A value stored and sent as one string (a date, a month, a municipality number). Decoding checks the text, so a
/// bad value in a file, a column or a body is a decoding error that says what was expected.
public protocol TextCoded: Codable {
    init?(codedText: String)
    var codedText: String { get }
    /// What the text must look like, for the error: "a date as yyyy-MM-dd".
    static var expectedText: String { get }
}

extension TextCoded {
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = Self(codedText: s) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "Expected \(Self.expectedText), got '\(s)'"))
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(codedText)
    }
}
