import Testing

@testable import InnbyggerCore

@Suite("Free text")
struct FreeTextTests {
    @Test(
        "Single-line text",
        arguments: [
            ("Amal", "Amal"),
            ("Nur\u{200C}i", "Nur\u{200C}i"),  // ZWNJ in a Persian-script name is kept
            ("a\u{200D}b", "a\u{200D}b"),
            ("\u{200F}سلام", "\u{200F}سلام"),
            ("Ama\u{200B}l", "Amal"),
            ("\u{FEFF}Amal", "Amal"),
            ("Ama\u{00AD}l\u{2060}", "Amal"),
        ]
    )
    func kept(_ input: String, _ expected: String) {
        #expect(FreeText.clean(input, multiline: false) == .success(expected))
    }

    @Test(
        "Refused in single-line text",
        arguments: [
            ("a\u{0}b", FreeText.Problem.controlCharacter),
            ("a\nb", .controlCharacter),
            ("a\tb", .controlCharacter),
            ("a\u{1B}[31m", .controlCharacter),
            ("a\u{85}b", .controlCharacter),
            ("a\u{2028}b", .controlCharacter),
            ("abc\u{202E}fdp.exe", .directionOverride),
            ("a\u{2066}b\u{2069}", .directionOverride),
            ("a\u{202A}b", .directionOverride),
        ]
    )
    func refused(_ input: String, _ problem: FreeText.Problem) {
        #expect(FreeText.clean(input, multiline: false) == .failure(problem))
    }

    @Test("Multi-line text keeps line breaks and tabs, normalised to LF, and still refuses NUL and overrides")
    func multiline() {
        #expect(FreeText.clean("a\r\nb\rc\nd\te", multiline: true) == .success("a\nb\nc\nd\te"))
        #expect(FreeText.clean("a\r\n\r\nb", multiline: true) == .success("a\n\nb"))
        #expect(FreeText.clean("a\n\u{0}", multiline: true) == .failure(.controlCharacter))
        #expect(FreeText.clean("a\n\u{202D}", multiline: true) == .failure(.directionOverride))
    }
}
