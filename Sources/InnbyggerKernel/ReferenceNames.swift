import Foundation
import InnbyggerCore
import Leaf
import Vapor

/// Names for the codes the files hold: countries (ISO 3166-1) and languages (ISO 639), in bokmål and English, from
/// Unicode CLDR (`Resources/Reference/*.json`, made by `scripts/reference/generate.py`); and Norway's municipalities
/// with their numbers, dated, from SSB's classification. Pages show names, never codes (`#country`, `#language`).
package struct ReferenceNames: Sendable {
    package var countries: [String: [String: String]]
    package var languages: [String: [String: String]]
    /// Norway's municipalities by number, valid from `municipalitiesValidFrom`.
    package var municipalities: [Kommunenummer: String]
    package var municipalitiesValidFrom: LocalDate?
    /// County names by their two-digit number.
    package var counties: [String: String] = [:]

    package init(
        countries: [String: [String: String]] = [:], languages: [String: [String: String]] = [:],
        municipalities: [Kommunenummer: String] = [:], municipalitiesValidFrom: LocalDate? = nil
    ) {
        self.countries = countries
        self.languages = languages
        self.municipalities = municipalities
        self.municipalitiesValidFrom = municipalitiesValidFrom
    }

    /// The country's name in `lang` ("Syria"), or the code itself when the list does not know it.
    package func country(_ code: String, _ lang: String) -> String {
        let c = code.uppercased()
        return countries[c]?[lang] ?? countries[c]?["en"] ?? code
    }

    /// The language's name in `lang` ("arabisk", "Arabic"), or the code itself when the list does not know it.
    package func language(_ code: String, _ lang: String) -> String {
        let c = code.lowercased()
        return languages[c]?[lang] ?? languages[c]?["en"] ?? code
    }

    private struct NamesFile: Decodable { var names: [String: [String: String]] }
    private struct MunicipalitiesFile: Decodable {
        struct Row: Decodable {
            var number: String
            var name: String
        }
        var validFrom: String
        var municipalities: [Row]
        var counties: [String: String]?
    }

    /// Reads the three files under `Resources/Reference/`.
    package static func load(from resources: String) throws -> ReferenceNames {
        func read<T: Decodable>(_ name: String, _ type: T.Type) throws -> T {
            let url = URL(fileURLWithPath: resources + "Reference/" + name)
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        }
        let m = try read("municipalities.json", MunicipalitiesFile.self)
        var numbers: [Kommunenummer: String] = [:]
        for row in m.municipalities {
            guard let k = Kommunenummer(row.number) else {
                throw ConfigurationError("Reference/municipalities.json: \(row.number) is not a kommunenummer")
            }
            numbers[k] = row.name
        }
        var names = ReferenceNames(
            countries: try read("countries.json", NamesFile.self).names,
            languages: try read("languages.json", NamesFile.self).names, municipalities: numbers,
            municipalitiesValidFrom: LocalDate(iso: m.validFrom))
        names.counties = m.counties ?? [:]
        return names
    }
}

private struct ReferenceNamesKey: StorageKey { typealias Value = ReferenceNames }

extension Application {
    package var referenceNames: ReferenceNames {
        get { storage[ReferenceNamesKey.self] ?? ReferenceNames() }
        set { storage[ReferenceNamesKey.self] = newValue }
    }
}

/// `#country(code)`: the country's name in the page's language.
package struct CountryTag: LeafTag {
    package init() {}
    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let code = ctx.parameters.first?.string else { return .string("–") }
        let lang = ctx.request?.language ?? Translations.defaultLanguage
        return .string(ctx.application?.referenceNames.country(code, lang) ?? code)
    }
}

/// `#language(code)`: the language's name in the page's language.
package struct LanguageTag: LeafTag {
    package init() {}
    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let code = ctx.parameters.first?.string else { return .string("–") }
        let lang = ctx.request?.language ?? Translations.defaultLanguage
        return .string(ctx.application?.referenceNames.language(code, lang) ?? code)
    }
}
