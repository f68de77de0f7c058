/// Number and money formats for the staff UI: "kr 1 234", "kr 1 234,50".
public enum NorwegianFormat {
    /// Groups thousands with a non-breaking space, as Språkrådet recommends for Norwegian.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append("\u{00A0}") }
            out.append(ch)
        }
        return n < 0 ? "−" + out : out
    }

    /// Formats an amount held in øre. Whole kroner are shown without decimals.
    public static func kroner(ore: Int) -> String {
        let kr = ore.magnitude / 100, rest = ore.magnitude % 100
        let sign = ore < 0 ? "−" : ""
        let body = grouped(Int(kr))
        return rest == 0 ? "kr \(sign)\(body)" : "kr \(sign)\(body),\(rest < 10 ? "0" : "")\(rest)"
    }
}
