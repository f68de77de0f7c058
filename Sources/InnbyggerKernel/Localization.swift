import Leaf
import Vapor

/// Staff UI strings by language: `Resources/Translations/<lang>/kernel.json` and one file per feature
/// (`<lang>/<feature id>.json`), merged at load. Bokmål is the default.
package struct Translations: Sendable {
    package static let languages = ["nb", "en"]
    package static let defaultLanguage = "nb"
    package let tables: [String: [String: String]]

    package struct DuplicateKey: Error, CustomStringConvertible {
        package var key: String
        package var files: (String, String)
        package var description: String { "the key \(key) is in both \(files.0) and \(files.1)" }

        package init(key: String, files: (String, String)) {
            self.key = key
            self.files = files
        }
    }

    /// Files are the kernel's `Resources/Translations/<lang>/kernel.json` and each feature folder's
    /// `Translations/<lang>.json` (optional); a key defined in two files is an error, so one feature cannot silently
    /// change another's text.
    package static func load(from directory: String, features folders: [String]) throws -> Translations {
        var tables: [String: [String: String]] = [:]
        let root = URL(fileURLWithPath: directory)
        for lang in languages {
            var table: [String: String] = [:]
            var owner: [String: String] = [:]
            func path(_ file: String) -> String {
                file == "kernel" ? FeatureFiles.kernelTranslations(lang) : FeatureFiles.translations(file, lang)
            }
            for file in ["kernel"] + folders {
                let url = root.appendingPathComponent(path(file))
                guard file == "kernel" || FileManager.default.fileExists(atPath: url.path) else { continue }
                let part = try JSONDecoder().decode([String: String].self, from: try Data(contentsOf: url))
                for (key, text) in part {
                    if let first = owner[key] {
                        throw DuplicateKey(key: key, files: (path(first), path(file)))
                    }
                    owner[key] = file
                    table[key] = text
                }
            }
            tables[lang] = table
        }
        return Translations(tables: tables)
    }

    /// Looks up a key; `{0}`, `{1}` … are replaced by the arguments. A missing key shows as itself
    /// (the test suite checks that no template uses a missing key).
    package func text(_ key: String, _ lang: String, _ args: [String] = []) -> String {
        var s = tables[lang]?[key] ?? tables[Self.defaultLanguage]?[key] ?? key
        for (i, a) in args.enumerated() { s = s.replacingOccurrences(of: "{\(i)}", with: a) }
        return s
    }
}

package struct TranslationsKey: StorageKey { package typealias Value = Translations }

extension Application {
    package var translations: Translations {
        get { storage[TranslationsKey.self] ?? Translations(tables: [:]) }
        set { storage[TranslationsKey.self] = newValue }
    }
}

private struct LanguageKey: StorageKey { typealias Value = String }

extension Request {
    /// The user's language: the `lang` cookie, else bokmål. Read once per request: every `#t` of a page asks, and
    /// Vapor parses the Cookie header on each `cookies` access.
    package var language: String {
        if let known = storage[LanguageKey.self] { return known }
        var lang = Translations.defaultLanguage
        if let l = cookies["lang"]?.string, Translations.languages.contains(l) { lang = l }
        storage[LanguageKey.self] = lang
        return lang
    }

    package func t(_ key: String, _ args: String...) -> String { application.translations.text(key, language, args) }
}

/// `#t("key")` or `#t("key", arg1, …)` in templates.
package struct TranslateTag: LeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw Abort(.internalServerError, reason: "#t needs a translation key")
        }
        let args = ctx.parameters.dropFirst().map { $0.string ?? "" }
        let lang = ctx.request?.language ?? Translations.defaultLanguage
        let tr = ctx.application?.translations ?? Translations(tables: [:])
        return .string(tr.text(key, lang, Array(args)))
    }
}

/// `#tk("ground", value)`: translates the key `ground.<value>`, for enum values held in data.
package struct TranslateKeyTag: LeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 2, let prefix = ctx.parameters[0].string, let value = ctx.parameters[1].string
        else {
            throw Abort(.internalServerError, reason: "#tk needs a prefix and a value")
        }
        let lang = ctx.request?.language ?? Translations.defaultLanguage
        return .string((ctx.application?.translations ?? Translations(tables: [:])).text(prefix + "." + value, lang))
    }
}

/// `#dato("2025-01-31")` → `31.01.2025`; empty for a missing date.
package struct NorwegianDateTag: LeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let s = ctx.parameters.first?.string, !s.isEmpty else { return .string("") }
        return .string(LocalDate(iso: s)?.norwegian ?? s)
    }
}

/// `#maaned("2026-12")` → "desember 2026" ("December 2026" on English pages).
package struct MonthTag: LeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let s = ctx.parameters.first?.string, let ym = YearMonth(iso: s) else {
            return .string(ctx.parameters.first?.string ?? "")
        }
        let lang = ctx.request?.language ?? Translations.defaultLanguage
        let tr = ctx.application?.translations ?? Translations(tables: [:])
        return .string("\(tr.text("month_name.\(ym.month)", lang)) \(ym.year)")
    }
}

/// `#kr(123400)` (øre) → `kr 1 234`.
package struct KronerTag: LeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let n = ctx.parameters.first?.int else { return .string("") }
        return .string(NorwegianFormat.kroner(ore: n))
    }
}

/// `#num(1234)` → `1 234`.
package struct NumberTag: LeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let n = ctx.parameters.first?.int else { return .string("") }
        return .string(NorwegianFormat.grouped(n))
    }
}
