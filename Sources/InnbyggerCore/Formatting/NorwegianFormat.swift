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
        let kr = ore.magnitude / 100
        let rest = ore.magnitude % 100
        let sign = ore < 0 ? "−" : ""
        let body = grouped(Int(kr))
        return rest == 0 ? "kr \(sign)\(body)" : "kr \(sign)\(body),\(rest < 10 ? "0" : "")\(rest)"
    }

    /// An amount in øre as kroner with two decimals and a point, for files read by spreadsheets and payroll:
    /// 23 200 000 → "232000.00", −150 → "-1.50".
    public static func decimal(ore: Int) -> String {
        let m = ore.magnitude
        let cents = m % 100
        return "\(ore < 0 ? "-" : "")\(m / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Minutes as hours with a decimal comma and at most two decimals: 450 → "7,5", 2250 → "37,5", 105 → "1,75".
    public static func hours(minutes: Int) -> String {
        let hundredths = (minutes.magnitude * 100 + 30) / 60
        let whole = hundredths / 100
        let frac = hundredths % 100
        let sign = minutes < 0 ? "−" : ""
        if frac == 0 { return "\(sign)\(whole)" }
        let f = frac % 10 == 0 ? "\(frac / 10)" : (frac < 10 ? "0\(frac)" : "\(frac)")
        return "\(sign)\(whole),\(f)"
    }
}
