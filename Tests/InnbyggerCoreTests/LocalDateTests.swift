import Testing

@testable import InnbyggerCore

@Suite("LocalDate")
struct LocalDateTests {
    @Test(
        "N months after D clamps to the end of a shorter month",
        arguments: [
            ("2025-01-31", 3, "2025-04-30"), ("2025-01-31", 1, "2025-02-28"), ("2024-01-31", 1, "2024-02-29"),
            ("2024-02-29", 12, "2025-02-28"), ("2025-11-30", 3, "2026-02-28"), ("2025-03-15", -3, "2024-12-15"),
            ("2025-12-31", 18, "2027-06-30"), ("2025-08-31", 6, "2026-02-28"), ("2025-01-15", 0, "2025-01-15"),
        ])
    func addingMonths(from: String, months: Int, expected: String) throws {
        let d = try #require(LocalDate(iso: from))
        #expect(d.adding(months: months).iso == expected)
    }

    @Test(
        "Days are counted across months, years and leap days",
        arguments: [
            ("2024-02-28", 1, "2024-02-29"), ("2024-02-28", 2, "2024-03-01"), ("2025-02-28", 1, "2025-03-01"),
            ("2025-12-31", 1, "2026-01-01"), ("2025-11-20", 14, "2025-12-04"), ("2000-02-28", 1, "2000-02-29"),
            ("1900-02-28", 1, "1900-03-01"), ("2026-03-01", -1, "2026-02-28"),
        ])
    func addingDays(from: String, days: Int, expected: String) throws {
        let d = try #require(LocalDate(iso: from))
        #expect(d.adding(days: days).iso == expected)
        #expect(d.days(until: d.adding(days: days)) == days)
    }

    @Test(
        "Impossible or malformed dates are refused",
        arguments: [
            "2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "25-01-01", "2025-1-1", "2025/01/01", "",
            "abcd-ef-gh", "2025-01-01T00:00",
        ])
    func invalid(_ s: String) { #expect(LocalDate(iso: s) == nil) }

    @Test(
        "Norwegian and ISO forms round-trip",
        arguments: [
            ("31.01.2025", "2025-01-31"), ("1.2.2024", "2024-02-01"), ("29.02.2024", "2024-02-29"),
        ])
    func norwegian(_ no: String, _ iso: String) throws {
        let d = try #require(LocalDate(parsing: no))
        #expect(d.iso == iso)
        #expect(LocalDate(parsing: iso) == d)
        #expect(LocalDate(norwegian: d.norwegian) == d)
    }

    @Test(
        "Age in whole years on a date",
        arguments: [
            ("1990-04-12", "2025-04-11", 34), ("1990-04-12", "2025-04-12", 35), ("2008-02-29", "2026-02-28", 17),
            ("2008-02-29", "2026-03-01", 18), ("2007-06-01", "2025-06-01", 18),
        ])
    func age(_ birth: String, _ on: String, _ expected: Int) throws {
        #expect(try #require(LocalDate(iso: birth)).age(on: try #require(LocalDate(iso: on))) == expected)
    }

    @Test("Comparison follows the calendar")
    func ordering() throws {
        let a = try #require(LocalDate(iso: "2024-12-31"))
        let b = try #require(LocalDate(iso: "2025-01-01"))
        #expect(a < b)
        #expect(!(b < a))
        #expect(a.dayNumber + 1 == b.dayNumber)
    }
}

@Suite("Formats and identifiers")
struct FormatTests {
    @Test(
        "Kroner from øre",
        arguments: [
            (0, "kr 0"), (100, "kr 1"), (123_400, "kr 1\u{00A0}234"), (123_450, "kr 1\u{00A0}234,50"),
            (123_405, "kr 1\u{00A0}234,05"), (100_000_000, "kr 1\u{00A0}000\u{00A0}000"),
            (-250_000, "kr −2\u{00A0}500"),
        ])
    func kroner(_ ore: Int, _ expected: String) { #expect(NorwegianFormat.kroner(ore: ore) == expected) }

    @Test(
        "Hours from minutes, decimal comma",
        arguments: [(450, "7,5"), (2250, "37,5"), (105, "1,75"), (60, "1"), (0, "0"), (5, "0,08"), (-90, "−1,5")])
    func hours(_ minutes: Int, _ expected: String) { #expect(NorwegianFormat.hours(minutes: minutes) == expected) }

    @Test(
        "Municipality numbers",
        arguments: [("3420", true), ("0301", true), ("342", false), ("34200", false), ("34a0", false), ("0000", false)])
    func kommunenummer(_ s: String, _ valid: Bool) { #expect((Kommunenummer(s) != nil) == valid) }

    @Test(
        "Password rules",
        arguments: [
            ("kort", "ola", [PasswordPolicy.Problem.tooShort, .tooFewDistinctCharacters]),
            ("en lang og god setning", "ola", []),
            ("ola.nordmann-er-meg", "ola.nordmann", [.sameAsUsername, .containsName]),
            ("aaaaaaaaaaaaaaaa", "x", [.tooFewDistinctCharacters]),
            ("password1234", "x", [.common]),
            ("Sommer2026!!", "x", [.common]),
            ("Passord 2026 !!", "x", [.common]),
            ("Kari Nordmann 2026", "kari.n", [.containsName]),
            (String(repeating: "Blåbærsyltetøy på brødskiva ", count: 3) + "!", "ola", [.tooLong]),
            ("x9#2@k!7$m1&", "ola", []),
            // Issue #30: runs of digits, keys and letters, and passwords padded with spaces.
            ("123456789012", "x", [.sequence]), ("qwertyuiopas", "x", [.sequence]),
            ("zyxwvutsrqpo", "ola", [.sequence]), ("0987654321ab", "x", [.sequence]),
            ("     abcde  ", "x", [.spaces]), ("ab          cd", "x", [.spaces]),
            (" Fjellvann-Tretopp", "x", [.spaces]),
        ])
    func passwords(_ pw: String, _ user: String, _ expected: [PasswordPolicy.Problem]) {
        let policy = PasswordPolicy(common: ["password", "passord", "sommer", "qwerty"])
        #expect(policy.problems(password: pw, username: user, names: ["Kari", "Nordmann"]) == expected)
    }
}

@Suite("National identity numbers")
struct NationalIdentityNumberTests {
    // Check digits for these were computed with a separate implementation of the mod-11 rule.
    @Test(
        "Valid fødselsnummer and D-nummer",
        arguments: [("12049010026", false), ("55049010027", true), ("31129910065", false), ("29020410181", false)])
    func valid(_ s: String, _ isD: Bool) throws {
        let n = try NationalIdentityNumber.check(s).get()
        #expect(n.isDNumber == isD)
        #expect(n.masked.hasSuffix("*****"))
    }

    @Test(
        "Invalid numbers name the problem",
        arguments: [
            ("1204901002", NationalIdentityNumber.Problem.length), ("120490 10026", .length),
            ("1204901002a", .notDigits), ("12049010036", .firstCheckDigit),
            ("12049010025", .secondCheckDigit), ("12139010026", .date), ("32049010026", .date), ("00049010026", .date),
        ])
    func invalid(_ s: String, _ problem: NationalIdentityNumber.Problem) {
        guard case .failure(let p) = NationalIdentityNumber.check(s) else {
            Issue.record("\(s) accepted")
            return
        }
        #expect(p == problem)
    }
}
