import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// What the Norwegian training page of a person shows: the best level per skill against the plan's target, the
/// tests taken and the hours by month. Loaded through a service context, so it is tested without HTTP.
package struct NorwegianPage: Encodable {
    package struct Skill: Encodable {
        var skillKey: String
        var best: String?
        var target: String?
        var met: Bool?
    }
    package struct Test: Encodable {
        var label: String
        var result: String
        var date: String
    }
    package struct Month: Encodable {
        var month: String
        var hours: String
    }
    package var personID: UUID
    package var name: String
    package var summary: NorwegianService.Summary
    package var skills: [Skill]
    package var tests: [Test]
    package var months: [Month]
    package var canRecord: Bool
    package var error: String?
    /// The form that was refused ("test", "other", "hours", "decision"), the field, and what was typed.
    package var errorForm: String?
    package var errorField: String?
    package var posted: [String: String]
    /// The refused field's id on the page, for the summary's link.
    package var errorAnchor: String?
    package var today: String
    package var thisMonth: String
    /// The levels a test result can have, by name ("under A1", "A1" …).
    package var levels: [Choice]
    package var skillOptions: [Choice]

    /// The ids of the forms' fields on the page, by form and field.
    static let anchors: [String: String] = [
        "test.skill": "t-skill", "test.level": "t-level", "test.date": "t-date", "other.kind": "o-kind",
        "other.passed": "o-passed", "other.date": "o-date", "hours.month": "h-month", "hours.hours": "h-hours",
        "decision.decisionDate": "n-decision", "decision.exemptReason": "n-exempt",
        "decision.exemptDate": "n-exempt-date",
    ]

    /// The page for `person` in `lang`, after the policy allows reading the adult-education part of the file.
    package static func load(
        _ ctx: ServiceContext, person id: UUID, lang: String, error: String? = nil, errorForm: String? = nil,
        errorField: String? = nil, posted: [String: String] = [:]
    ) async throws -> NorwegianPage {
        let p = try await NorwegianService.person(ctx, id, for: .read)
        let s = try await NorwegianService.summary(ctx, p)
        let tr = ctx.app.translations
        let below = tr.text("norwegian.below_a1", lang)
        return NorwegianPage(
            personID: p.id!, name: p.fullName, summary: s,
            skills: s.skills.map {
                .init(
                    skillKey: "skill.\($0.skill)", best: $0.best.map { $0 == TestLevel.belowA1.rawValue ? below : $0 },
                    target: $0.target, met: $0.met)
            },
            tests: s.tests.map { t in
                let label =
                    t.kind == LanguageTestKind.norwegian.rawValue
                    ? "\(tr.text("norwegian.test.norwegian", lang)) – \(tr.text("skill.\(t.skill ?? "")", lang))"
                    : tr.text("norwegian.test.\(t.kind)", lang)
                let result =
                    t.level.map { $0 == TestLevel.belowA1.rawValue ? below : $0 }
                    ?? tr.text(t.passed == true ? "norwegian.passed" : "norwegian.failed", lang)
                return .init(label: label, result: result, date: t.date)
            },
            months: s.hours.sorted { $0.key > $1.key }.map {
                .init(month: $0.key, hours: NorwegianFormat.hours(minutes: $0.value))
            },
            canRecord: ctx.may(.update, NorwegianService.part(p)),
            error: error, errorForm: errorForm, errorField: errorField, posted: posted,
            errorAnchor: Self.anchors["\(errorForm ?? "").\(errorField ?? "")"], today: ctx.today.iso,
            thisMonth: YearMonth(ctx.today).iso,
            levels: NorwegianService.levels.map {
                Choice(value: $0, label: $0 == TestLevel.belowA1.rawValue ? below : $0, selected: false)
            },
            skillOptions: NorwegianSkill.allCases.map { .init(value: $0.rawValue, label: $0.labelKey, selected: false) }
        )
    }
}
