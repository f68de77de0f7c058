import Fluent
import Foundation
import Testing
import VaporTesting

@testable import Account
@testable import Admin
@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel
@testable import Journal
@testable import Norwegian
@testable import Overview
@testable import Persons
@testable import Programme
@testable import Rules
@testable import Settlement
@testable import Worklist

@Suite("Pages and translations", .serialized)
struct ViewTests {
    /// Every template: the kernel's in Resources/Views and each feature's in its folder's Views/.
    static func templates(_ root: URL) -> [URL] {
        let dirs =
            [root.appendingPathComponent("Resources/Views")]
            + Features.all.map { root.appendingPathComponent(FeatureFiles.views($0.folder)) }
        return dirs.flatMap { dir in
            (FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
                .filter { $0.pathExtension == "leaf" }
        }
    }

    @Test("Every key used in a template or for an enum exists in both languages")
    func translationsComplete() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let tr = try Translations.load(from: root.path, features: Features.all.map(\.folder))
        var keys: Set<String> = []
        let files = Self.templates(root)
        #expect(files.count > 10)
        for f in files {
            let text = try String(contentsOf: f, encoding: .utf8)
            var rest = Substring(text)
            while let r = rest.range(of: "#t(\"") {
                let key = rest[r.upperBound...].prefix { $0 != "\"" }
                keys.insert(String(key))
                rest = rest[r.upperBound...]
            }
        }
        // Every validation message and every text the code asks for by a literal key.
        let sources = FileManager.default.enumerator(
            at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let literal = try Regex(#""((?:[a-z_]+\.)?invalid\.[a-z_]+|conflict\.[a-z_]+)""#)
        var messages = 0
        for f in sources {
            for m in try String(contentsOf: f, encoding: .utf8).matches(of: literal) {
                keys.insert(String(m.output[1].substring!))
                messages += 1
            }
        }
        #expect(messages > 100)
        // Every word of the vocabulary the pages name, the kernel's and each feature's.
        for type in Vocabulary.kernel + Features.all.flatMap(\.vocabulary) { keys.formUnion(type.labelKeys) }
        keys.formUnion(Request.notices.map { "notice.\($0)" })
        keys.formUnion(PasswordPolicy.Problem.allCases.map(\.rawValue))
        for rule in RulesEngine.ruleIDs where rule != "law_regime" {
            keys.formUnion(["passed", "failed", "unknown"].map { "rule.\(rule).\($0)" })
        }
        keys.formUnion(["passed", "failed", "unknown"].map { "check.\($0)" })
        keys.formUnion(
            ["norwegian", "social_studies", "life_skills", "work_or_education", "parenting_guidance"].map {
                "content.\($0)"
            })
        keys.insert("programme.status.none")
        keys.formUnion(
            ["decision", "education_background", "final_goal", "contract", "measures", "end_reason"].map { "nir.\($0)" }
        )
        keys.formUnion(
            [
                "permitDate", "arrivalDate", "settlementDate", "settledByAgreement", "citizenship", "educationLevel",
                "residenceGround",
                "familyApplicationDate", "referencePerson.residenceGround", "referencePerson.settlementDate",
            ].map { "field.\($0)" })
        // The plan's indicators: each definition's name and words, in its own feature's file; units and statuses.
        for d in Features.all.flatMap(\.indicators) { keys.formUnion([d.nameKey, d.definitionKey]) }
        keys.formUnion(IndicatorStatus.allCases.map { "plan.indicator_status.\($0.rawValue)" })
        keys.formUnion(IndicatorUnit.allCases.map { "plan.unit.\($0.rawValue)" })
        for lang in Translations.languages {
            for k in keys { #expect(tr.tables[lang]?[k] != nil, "\(lang) lacks \(k)") }
        }
        #expect(Set(tr.tables["nb"]!.keys) == Set(tr.tables["en"]!.keys))
    }

    @Test("Translation files: the kernel's and one per feature folder, in every language, no key in two files")
    func translationFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let languages = Set(Translations.languages.map { "\($0).json" })
        for lang in Translations.languages {
            let dir = root.appendingPathComponent("Resources/Translations/\(lang)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["kernel.json"])
        }
        // A feature's strings are in its own folder: one file per language, or none.
        for folder in Features.all.map(\.folder) {
            let dir = root.appendingPathComponent("Sources/\(folder)/Translations")
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            #expect(Set(names) == languages, "\(folder): \(names.sorted())")
        }
        // A key in two files is refused at load, naming both.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tr-\(UUID())")
        for lang in Translations.languages {
            let kernel = tmp.appendingPathComponent("Resources/Translations/\(lang)")
            let feature = tmp.appendingPathComponent("Sources/Journal/Translations")
            for dir in [kernel, feature] {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            }
            try Data(#"{"a.b": "x"}"#.utf8).write(to: kernel.appendingPathComponent("kernel.json"))
            try Data(#"{"a.b": "y"}"#.utf8).write(to: feature.appendingPathComponent("\(lang).json"))
        }
        #expect(throws: Translations.DuplicateKey.self) { try Translations.load(from: tmp.path, features: ["Journal"]) }
        try? FileManager.default.removeItem(at: tmp)
    }

    /// Leaf reads `#tag(x):` as the start of a body, so text such as "#t(key): value" breaks a page at run time.
    @Test("No template puts a colon right after a value tag")
    func noColonAfterValueTags() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let files = Self.templates(root)
        let pattern = try Regex(#"#(t|tk|dato|kr|num|count)\([^()]*(\([^()]*\)[^()]*)*\):"#)
        for f in files {
            let text = try String(contentsOf: f, encoding: .utf8)
            for m in text.matches(of: pattern) {
                Issue.record("\(f.lastPathComponent): \(text[m.range])")
            }
        }
    }

    @Test("Every demo role can log in and open the pages its navigation offers")
    func rolesSeeTheirPages() async throws {
        try await withDemoApp { app in
            for (username, _, role, _, _) in DemoData.users {
                let b = Browser(app)
                #expect(try await b.login(username).status == .seeOther, "\(username)")
                let home = try await b.send(.GET, "/")
                #expect(home.status == .ok)
                let html = home.body.string
                #expect(html.contains("<html lang=\"nb\">"))
                #expect(html.components(separatedBy: "<h1").count == 2, "one h1 on the start page for \(username)")
                var rest = Substring(html)
                var links: [String] = []
                while let r = rest.range(of: "<li><a href=\"") {
                    links.append(String(rest[r.upperBound...].prefix { $0 != "\"" }))
                    rest = rest[r.upperBound...]
                }
                #expect(!links.isEmpty)
                for link in links {
                    let res = try await b.send(.GET, link)
                    #expect(res.status == .ok, "\(username) (\(role)) \(link) → \(res.status)")
                    #expect(
                        Self.untranslated(res.body.string).isEmpty,
                        "\(username) \(link): \(Self.untranslated(res.body.string))")
                }
            }
        }
    }

    /// Text that is a translation key rather than its text (`#t` shows a key it cannot find as the key itself, and
    /// a key built from a value shows so when the value is not the one the strings know).
    static func untranslated(_ html: String) -> [String] {
        let pattern = try! Regex(#">\s*([a-z][a-z_]*(?:\.[A-Za-z0-9_]+)+)\s*<"#)
        // Demo usernames ("saksbehandler.elverum") look like keys and are shown on purpose.
        let usernames = Set(DemoData.users.map(\.0))
        // Texts in attributes a reader hears or sees (labels, placeholders, titles) are checked the same way.
        let attribute = try! Regex(#"(?:placeholder|title|aria-label|alt)="([a-z][a-z_]*(?:\.[A-Za-z0-9_]+)+)""#)
        return (html.matches(of: pattern) + html.matches(of: attribute)).compactMap { m in
            m.output[1].substring.map(String.init)
        }
        .filter { !usernames.contains($0) }
    }

    @Test("The pages about a person show texts, not translation keys, for every value they translate")
    func noKeysShown() async throws {
        try await withDemoApp { app in
            #expect(
                Self.untranslated("<td>sex.female</td><td>Kvinne</td><p>ground.resettlementRefugee </p>") == [
                    "sex.female", "ground.resettlementRefugee",
                ])
            let cw = Browser(app)
            try await cw.login("saksbehandler.elverum")
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            let persons = try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").all()
            var pages = 0
            for p in persons.prefix(40) {
                for (b, path) in [
                    (cw, "/persons/\(p.id!)"), (cw, "/persons/\(p.id!)/edit"), (advisor, "/persons/\(p.id!)/programme"),
                    (cw, "/persons/\(p.id!)/norwegian"),
                ] {
                    let res = try await b.send(.GET, path)
                    guard res.status == .ok else { continue }
                    pages += 1
                    #expect(
                        Self.untranslated(res.body.string).isEmpty, "\(path): \(Self.untranslated(res.body.string))")
                }
                if let h = p.$household.id {
                    let res = try await cw.send(.GET, "/households/\(h)")
                    #expect(Self.untranslated(res.body.string).isEmpty, "household \(h)")
                }
            }
            #expect(pages >= 80)
        }
    }

    /// The same-site links of a page, without their fragment.
    static func links(_ html: String) -> [String] {
        let pattern = try! Regex(##"href="(/[^"#]*)"##)
        return html.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) }
    }

    @Test("No page any role can reach by following links shows a translation key, in either language")
    func crawlForKeys() async throws {
        try await withDemoApp { app in
            let users = [
                ("saksbehandler.elverum", "nb"), ("veileder.elverum", "nb"), ("leder.elverum", "nb"),
                ("admin.elverum", "nb"), ("sysadmin", "nb"), ("nav.elverum", "nb"), ("helse.elverum", "nb"),
                ("skole.elverum", "nb"), ("bolig.elverum", "nb"), ("frivillig.elverum", "nb"),
                ("voksenopplaering.tynset", "nb"), ("saksbehandler.elverum", "en"), ("veileder.elverum", "en"),
            ]
            let uuid = try! Regex(#"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"#)
            var total = 0
            for (username, lang) in users {
                let b = Browser(app)
                try await b.login(username)
                if lang == "en" { _ = try await b.send(.GET, "/lang/en") }
                var queue = ["/"]
                var seen: Set<String> = []
                var perPattern: [String: Int] = [:]
                while let path = queue.first, seen.count < 90 {
                    queue.removeFirst()
                    guard seen.insert(path).inserted else { continue }
                    let res = try await b.send(.GET, path)
                    guard res.status == .ok, res.headers.contentType == .html else { continue }
                    let html = res.body.string
                    total += 1
                    #expect(html.contains("<html lang=\"\(lang)\">"), "\(username) \(path)")
                    let keys = Self.untranslated(html)
                    #expect(keys.isEmpty, "\(username) (\(lang)) \(path): \(keys)")
                    for link in Self.links(html) {
                        // Leaving, switching language and files are not pages to check here.
                        if link.hasPrefix("/logout") || link.hasPrefix("/lang/") || link.hasPrefix("/css/")
                            || link.hasPrefix("/js/") || link.hasSuffix(".csv") || link.hasSuffix(".yaml")
                            || link.contains(".xlsx")
                        {
                            continue
                        }
                        let pattern =
                            link.replacing(uuid, with: ":id").split(separator: "?").first.map(String.init) ?? link
                        guard !seen.contains(link), perPattern[pattern, default: 0] < 3 else { continue }
                        perPattern[pattern, default: 0] += 1
                        queue.append(link)
                    }
                }
            }
            #expect(total > 200)
        }
    }

    @Test("The language switch changes the page language")
    func languageSwitch() async throws {
        try await withDemoApp { app in
            let b = Browser(app)
            let res = try await b.send(.GET, "/lang/en?back=/login")
            #expect(res.status == .seeOther)
            let page = try await b.send(.GET, "/login").body.string
            #expect(page.contains("<html lang=\"en\">"))
            #expect(page.contains("Log in"))
            #expect(try await b.send(.GET, "/lang/xx").status == .notFound)
            // An open redirect is not possible.
            let evil = try await b.send(.GET, "/lang/nb?back=//evil.example")
            #expect(evil.headers.first(name: .location) == "/")
        }
    }
}

@Suite("Words, not codes", .serialized)
struct WordsNotCodesTests {
    @Test("Countries, languages, levels and months by name in the page's language")
    func names() async throws {
        try await withDemoApp { app in
            let names = app.referenceNames
            #expect(names.country("SY", "nb") == "Syria" && names.country("sy", "en") == "Syria")
            #expect(names.language("ar", "nb") == "arabisk" && names.language("ar", "en") == "Arabic")
            #expect(names.language("prs", "nb") == "dari")
            #expect(names.country("QQ", "nb") == "QQ")
            #expect(names.municipalities["3420"] == "Elverum" && names.municipalities.count == 357)
            let p = try #require(
                try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").filter(\.$citizenship == "SY")
                    .all().first { !$0.languages.isEmpty })
            let b = Browser(app)
            try await b.login("saksbehandler.elverum")
            let nb = try await b.send(.GET, "/persons/\(p.id!)").body.string
            #expect(nb.contains("<dd>Syria</dd>") && !nb.contains("<dd>SY</dd>"))
            let language = names.language(p.languages[0].code, "nb")
            #expect(nb.contains(language + " ("))
            _ = try await b.send(.GET, "/lang/en")
            let en = try await b.send(.GET, "/persons/\(p.id!)").body.string
            #expect(en.contains(names.language(p.languages[0].code, "en") + " ("))
            let advisor = Browser(app)
            try await advisor.login("veileder.elverum")
            let payouts = try await advisor.send(.GET, "/programme/payouts?month=2026-12").body.string
            #expect(payouts.contains("desember 2026"))
        }
    }
}
