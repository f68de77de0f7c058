/// What free text from a user may hold, decided once for every form field, API field and import cell.
///
/// Refused: control characters (NUL, escape, form feed …; line breaks too, except in multi-line text) and the
/// bidirectional embedding, override and isolate controls U+202A–U+202E and U+2066–U+2069, which make text
/// display in another order than it is stored ("Trojan Source", CVE-2021-42574) and so can hide what a note says.
/// Stripped, as they are invisible and carry no meaning in names or notes: zero-width space U+200B, word joiner
/// U+2060, the byte-order mark U+FEFF and the soft hyphen U+00AD.
/// Kept: the zero-width non-joiner and joiner U+200C/U+200D (needed to spell Persian, Kurdish and Indic names and
/// words correctly, and emoji) and the direction marks U+200E, U+200F and U+061C (they mark, not override).
public enum FreeText {
    public enum Problem: Error, Sendable, Equatable {
        case controlCharacter
        case directionOverride
    }

    /// Multi-line text keeps line breaks (CR LF and CR become LF) and tabs.
    public static func clean(_ text: String, multiline: Bool) -> Result<String, Problem> {
        var out = String.UnicodeScalarView()
        var previousCR = false
        for s in text.unicodeScalars {
            let v = s.value
            defer { previousCR = v == 0x0D }
            if stripped.contains(v) { continue }
            if directionControls.contains(where: { $0.contains(v) }) { return .failure(.directionOverride) }
            if multiline, v == 0x0A, previousCR { continue }
            if multiline, v == 0x0A || v == 0x0D {
                out.append("\n")
                continue
            }
            if multiline, v == 0x09 {
                out.append(s)
                continue
            }
            if isControl(v) { return .failure(.controlCharacter) }
            out.append(s)
        }
        return .success(String(out))
    }

    static let stripped: Set<UInt32> = [0x200B, 0x2060, 0xFEFF, 0x00AD]
    static let directionControls: [ClosedRange<UInt32>] = [0x202A...0x202E, 0x2066...0x2069]

    /// C0, DEL and C1 (Unicode category Cc), and the line and paragraph separators U+2028/U+2029.
    static func isControl(_ v: UInt32) -> Bool {
        v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }
}
