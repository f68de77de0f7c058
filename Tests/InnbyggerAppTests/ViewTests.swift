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
    @Test("Every key used in a template or for an enum exists in both languages")
    func translationsComplete() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let tr = try Translations.load(from: root.path, features: Features.all.map(\.id))
        var keys: Set<String> = []
        let views = root.appendingPathComponent("Resources/Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!.compactMap {
            $0 as? URL
        }.filter { $0.pathExtension == "leaf" }
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
        keys.formUnion(Role.allCases.map { "role.\($0.rawValue)" })
        keys.formUnion(Sector.allCases.map { "sector.\($0.rawValue)" })
        keys.formUnion(ResidenceGround.allCases.map { "ground.\($0.rawValue)" })
        keys.formUnion(Sex.allCases.map { "sex.\($0.rawValue)" })
        keys.formUnion(ShareBasis.allCases.map { "basis.\($0.rawValue)" })
        keys.formUnion(Request.notices.map { "notice.\($0)" })
        keys.formUnion(PasswordPolicy.Problem.allCases.map(\.rawValue))
        for rule in RulesEngine.ruleIDs where rule != "law_regime" {
            keys.formUnion(["passed", "failed", "unknown"].map { "rule.\(rule).\($0)" })
        }
        keys.formUnion(Category.allCases.map { "category.\($0.rawValue)" })
        keys.formUnion(LawRegime.allCases.map { "regime.\($0.rawValue)" })
        keys.formUnion(DeadlineKind.allCases.map { "deadline.\($0.rawValue)" })
        keys.formUnion(JournalCategory.allCases.map { "journal.category.\($0.rawValue)" })
        keys.formUnion(EducationLevel.allCases.map { "education.\($0.rawValue)" })
        keys.formUnion(
            DeadlineStatus.allCases.map { "status.\($0.rawValue)" }
                + ["passed", "failed", "unknown"].map { "check.\($0)" })
        keys.formUnion(
            FamilyRelation.allCases.map { "relation.\($0.rawValue)" }
                + LanguageSkill.Level.allCases.map { "language_level.\($0.rawValue)" })
        keys.formUnion(
            MeasureKind.allCases.map { "measure.\($0.rawValue)" }
                + AbsenceKind.allCases.map { "absence.\($0.rawValue)" })
        keys.formUnion(
            EndReason.allCases.map { "end_reason.\($0.rawValue)" }
                + OutcomeStatus.allCases.map { "outcome_status.\($0.rawValue)" })
        keys.formUnion(
            FinalGoal.allCases.map { "goal.\($0.rawValue)" }
                + ProgrammeGroup.allCases.map { "programme.group.\($0.rawValue)" })
        keys.formUnion(
            NorwegianSkill.allCases.map { "skill.\($0.rawValue)" }
                + ["norwegian", "social_studies", "life_skills", "work_or_education", "parenting_guidance"].map {
                    "content.\($0)"
                })
        keys.formUnion(
            [
                "mapping", "decided", "active", "on_leave", "stopped_temporarily", "stopped", "ended",
                "past_planned_end", "none",
            ].map { "programme.status.\($0)" })
        keys.formUnion(
            ["decision", "education_background", "final_goal", "contract", "measures", "end_reason"].map { "nir.\($0)" }
        )
        keys.formUnion(
            AssessmentStatus.allCases.map { "assessment.\($0.rawValue)" }
                + SettlementDecision.allCases.map { "decision.\($0.rawValue)" })
        keys.formUnion(
            [
                "permitDate", "arrivalDate", "settlementDate", "settledByAgreement", "citizenship", "educationLevel",
                "residenceGround",
                "familyApplicationDate", "referencePerson.residenceGround", "referencePerson.settlementDate",
            ].map { "field.\($0)" })
        for lang in Translations.languages {
            for k in keys { #expect(tr.tables[lang]?[k] != nil, "\(lang) lacks \(k)") }
        }
        #expect(Set(tr.tables["nb"]!.keys) == Set(tr.tables["en"]!.keys))
    }

    @Test("Translation files: the kernel's and one per feature, the same in every language, no key in two files")
    func translationFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let known = Set(["kernel"] + Features.all.map(\.id))
        var filesByLanguage: [String: Set<String>] = [:]
        for lang in Translations.languages {
            let dir = root.appendingPathComponent("Resources/Translations/\(lang)")
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(names.allSatisfy { $0.hasSuffix(".json") }, "\(lang): \(names)")
            let files = Set(names.map { String($0.dropLast(5)) })
            #expect(files.isSubset(of: known), "\(lang) has files of no feature: \(files.subtracting(known).sorted())")
            filesByLanguage[lang] = files
        }
        #expect(filesByLanguage["nb"] == filesByLanguage["en"])
        // A key in two files is refused at load, naming both.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tr-\(UUID())")
        for lang in Translations.languages {
            let dir = tmp.appendingPathComponent("Resources/Translations/\(lang)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(#"{"a.b": "x"}"#.utf8).write(to: dir.appendingPathComponent("kernel.json"))
            try Data(#"{"a.b": "y"}"#.utf8).write(to: dir.appendingPathComponent("journal.json"))
        }
        #expect(throws: Translations.DuplicateKey.self) { try Translations.load(from: tmp.path, features: ["journal"]) }
        try? FileManager.default.removeItem(at: tmp)
    }

    /// Leaf reads `#tag(x):` as the start of a body, so text such as "#t(key): value" breaks a page at run time.
    @Test("No template puts a colon right after a value tag")
    func noColonAfterValueTags() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let views = root.appendingPathComponent("Resources/Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!.compactMap {
            $0 as? URL
        }.filter { $0.pathExtension == "leaf" }
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
        return html.matches(of: pattern).compactMap { m in m.output[1].substring.map(String.init) }
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
