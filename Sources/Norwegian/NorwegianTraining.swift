import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Norwegian and social-studies training for a person (integreringsloven chapter 6): the decision or exemption,
/// hours taken month by month, and test results. The adult-education unit records them on files shared with it;
/// the integration service may too.
package final class NorwegianTraining: Model, @unchecked Sendable {
    package static let schema = "norwegian_training"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @OptionalField(key: "decision_date") package var decisionDate: LocalDate?
    @OptionalField(key: "exempt_reason") package var exemptReason: String?
    @OptionalField(key: "exempt_date") package var exemptDate: LocalDate?
    package init() {}
}

package final class NorwegianHours: Model, @unchecked Sendable {
    package static let schema = "norwegian_hours"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "month") package var month: YearMonth
    @Field(key: "minutes") package var minutes: Int
    package init() {}
}

/// A test result: Norwegian per skill (A1–C1, or below A1), the social-studies test, or the citizenship test.
package final class LanguageTest: Model, @unchecked Sendable {
    package static let schema = "language_tests"
    @ID(key: .id) package var id: UUID?
    @Parent(key: "person_id") package var person: Person
    @Field(key: "kind") package var kind: LanguageTestKind
    @OptionalField(key: "skill") package var skill: NorwegianSkill?
    @OptionalField(key: "level") package var level: TestLevel?
    @OptionalField(key: "passed") package var passed: Bool?
    @Field(key: "date") package var date: LocalDate
    package init() {}
}

package struct CreateNorwegianTraining: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(NorwegianTraining.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("decision_date", .string).field("exempt_reason", .string).field("exempt_date", .string)
            .unique(on: "person_id").create()
        try await db.schema(NorwegianHours.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("month", .string, .required).field("minutes", .int, .required)
            .unique(on: "person_id", "month").create()
        try await db.schema(LanguageTest.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required).field("skill", .string).field("level", .string).field("passed", .bool)
            .field("date", .string, .required).create()
    }
    package func revert(on db: any Database) async throws {
        for s in [LanguageTest.schema, NorwegianHours.schema, NorwegianTraining.schema] {
            try await db.schema(s).delete()
        }
    }
}

package struct NorwegianDecisionInput: Content {
    var decisionDate: String?
    var exemptReason: String?
    var exemptDate: String?
}
package struct NorwegianHoursInput: Content {
    var month: String?
    var hours: Double?
}
package struct LanguageTestInput: Content {
    var kind: String?
    var skill: String?
    var level: String?
    var passed: Bool?
    var date: String?
}

package enum NorwegianService {
    package static let levels = TestLevel.allCases.map(\.rawValue)

    /// The person, after the policy allows `action` on the adult-education part of the file: the integration service,
    /// and adult education on files shared with it. Other partners do not see Norwegian results (data minimisation).
    package static func person(_ ctx: ServiceContext, _ id: UUID?, for action: Action) async throws -> Person {
        let p = try await PersonService.find(ctx, id, for: .read, audited: false)
        try await ctx.authorize(action, part(p), recordType: "norwegian", recordID: p.id?.uuidString)
        if ctx.isReadOnly {
            try await ctx.audit(
                "read", recordType: "norwegian", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        }
        return p
    }

    package static func part(_ p: Person) -> Resource {
        .sectorPart(municipality: p.$municipality.id, sharedWith: p.activeSectors, sector: .adultEducation)
    }

    package static func saveDecision(_ ctx: ServiceContext, _ id: UUID?, _ input: NorwegianDecisionInput) async throws
        -> Person
    {
        let p = try await person(ctx, id, for: .update)
        let decision = try Validate.optionalDate(input.decisionDate, "decisionDate")
        if let d = decision, d > .today {
            throw ValidationFailure(field: "decisionDate", "invalid.future")
        }
        let reason = try Validate.text(input.exemptReason, "exemptReason", max: 1000, required: false)
        var exemptDate: LocalDate? = nil
        if reason != nil { exemptDate = try Validate.pastDate(input.exemptDate, "exemptDate") }
        let t =
            try await NorwegianTraining.query(on: ctx.db).filter(\.$person.$id == p.id!).first()
            ?? NorwegianTraining()
        t.$person.id = p.id!
        t.decisionDate = decision
        t.exemptReason = reason
        t.exemptDate = exemptDate
        try await t.save(on: ctx.db)
        try await ctx.audit(
            "update", recordType: "norwegian", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return p
    }

    /// Hours for a month replace what was recorded for it.
    package static func recordHours(_ ctx: ServiceContext, _ id: UUID?, _ input: NorwegianHoursInput) async throws
        -> Person
    {
        let p = try await person(ctx, id, for: .update)
        guard let m = input.month, let month = YearMonth(input: m), month <= YearMonth(.today) else {
            throw ValidationFailure(field: "month", "invalid.month_past")
        }
        let minutes = try Validate.hoursToMinutes(input.hours, "hours", max: 300, required: true)!
        let row =
            try await NorwegianHours.query(on: ctx.db).filter(\.$person.$id == p.id!).filter(\.$month == month)
            .first() ?? NorwegianHours()
        row.$person.id = p.id!
        row.month = month
        row.minutes = minutes
        try await row.save(on: ctx.db)
        try await ctx.audit(
            "record_hours", recordType: "norwegian", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return p
    }

    package static func addTest(_ ctx: ServiceContext, _ id: UUID?, _ input: LanguageTestInput) async throws -> Person {
        let p = try await person(ctx, id, for: .create)
        let date = try Validate.pastDate(input.date, "date")
        // Skill and level are checked whenever given, also where the kind of test does not use them.
        if let s = input.skill, NorwegianSkill(rawValue: s) == nil {
            throw ValidationFailure(field: "skill", "invalid.one_of", "reading, listening, writing, speaking")
        }
        if let l = input.level, TestLevel(rawValue: l) == nil {
            throw ValidationFailure(field: "level", "invalid.one_of", "below_a1, A1, A2, B1, B2, C1")
        }
        let t = LanguageTest()
        t.$person.id = p.id!
        t.date = date
        switch input.kind.flatMap(LanguageTestKind.init(rawValue:)) {
        case .norwegian:
            guard let s = input.skill.flatMap(NorwegianSkill.init(rawValue:)) else {
                throw ValidationFailure(field: "skill", "invalid.one_of", "reading, listening, writing, speaking")
            }
            guard let l = input.level.flatMap(TestLevel.init(rawValue:)) else {
                throw ValidationFailure(field: "level", "invalid.one_of", "below_a1, A1, A2, B1, B2, C1")
            }
            t.kind = .norwegian
            t.skill = s
            t.level = l
        case let kind?:
            guard let passed = input.passed else {
                throw ValidationFailure(field: "passed", "invalid.required")
            }
            t.kind = kind
            t.passed = passed
        case nil:
            throw ValidationFailure(field: "kind", "invalid.one_of", "norwegian, social_studies, citizenship")
        }
        try await t.create(on: ctx.db)
        try await ctx.audit(
            "add_test", recordType: "norwegian", recordID: p.id?.uuidString, municipality: p.$municipality.id)
        return p
    }

    package struct Summary: Content {
        package struct Skill: Content {
            var skill: String
            var best: String?
            var target: String?
            var met: Bool?
        }
        package struct Test: Content {
            var kind: String
            var skill: String?
            var level: String?
            var passed: Bool?
            var date: String
        }
        package var personId: UUID
        package var decisionDate: String?
        package var exemptReason: String?
        package var exemptDate: String?
        package var hoursTaken: String
        package var minutesTaken: Int
        package var completionDeadline: String?
        package var hours: [String: Int]
        package var skills: [Skill]
        package var tests: [Test]
        package var socialStudiesPassed: Bool
        package var citizenshipPassed: Bool
    }

    /// Best level per skill against the programme's Norwegian target, hours taken, and the completion deadline
    /// from the rules engine.
    package static func summary(_ ctx: ServiceContext, _ p: Person) async throws -> Summary {
        let t = try await NorwegianTraining.query(on: ctx.db).filter(\.$person.$id == p.id!).first()
        let hours = try await NorwegianHours.query(on: ctx.db).filter(\.$person.$id == p.id!).sort(\.$month).all()
        let tests = try await LanguageTest.query(on: ctx.db).filter(\.$person.$id == p.id!).sort(\.$date).all()
        let target =
            try await ctx.app.sharedFacts.norwegianTargets([p.id!], ctx.db)[p.id!] ?? [:]
        let deadline = ctx.app.rulesEngine.evaluate(p.facts, asOf: .today).deadlines.first {
            $0.kind == .norwegianCompletion
        }
        let total = hours.reduce(0) { $0 + $1.minutes }
        return Summary(
            personId: p.id!, decisionDate: t?.decisionDate?.iso, exemptReason: t?.exemptReason,
            exemptDate: t?.exemptDate?.iso,
            hoursTaken: NorwegianFormat.hours(minutes: total), minutesTaken: total,
            completionDeadline: deadline?.due.iso,
            hours: Dictionary(uniqueKeysWithValues: hours.map { ($0.month.iso, $0.minutes) }),
            skills: NorwegianResult.all(NorwegianResults.tests(tests), target: NorwegianResult.target(target)).map {
                .init(skill: $0.skill.rawValue, best: $0.best?.rawValue, target: $0.target?.rawValue, met: $0.reached)
            },
            tests: tests.reversed().map {
                .init(
                    kind: $0.kind.rawValue, skill: $0.skill?.rawValue, level: $0.level?.rawValue, passed: $0.passed,
                    date: $0.date.iso)
            },
            socialStudiesPassed: tests.contains { $0.kind == .socialStudies && $0.passed == true },
            citizenshipPassed: tests.contains { $0.kind == .citizenship && $0.passed == true })
    }
}

/// `/persons/:id/norwegian` (page) and `/api/v1/persons/{id}/norwegian` (API).
package struct NorwegianController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let n = routes.grouped("persons", ":personID", "norwegian")
        n.get(use: show)
        n.gated(.update, .sectorPart).post(use: saveDecision)
        n.gated(.update, .sectorPart).post("hours", use: recordHours)
        n.gated(.create, .sectorPart).post("tests", use: addTest)
    }

    package func page(_ req: Request, _ id: UUID, error: ValidationFailure? = nil) async throws -> View {
        // A refused form comes back with what was typed and the message next to its field.
        let posted = error == nil ? [:] : ((try? req.content.decode([String: String].self)) ?? [:])
        return try await req.page(
            "Norwegian/norwegian", titleKey: "norwegian.title",
            try await NorwegianPage.load(
                req.context, person: id, lang: req.language, error: error.map(req.message),
                errorForm: error == nil ? nil : posted["form"], errorField: error?.field, posted: posted))
    }

    package func show(req: Request) async throws -> View {
        try await page(req, try req.pathID("personID"))
    }

    package func run(_ req: Request, _ action: (UUID?) async throws -> Void) async throws -> Response {
        let id = try req.pathID("personID")
        do {
            try await action(id)
            return req.redirect(to: "/persons/\(id)/norwegian?notice=saved")
        } catch let e as ValidationFailure {
            return try await page(req, id, error: e).reshown(req)
        }
    }

    package func saveDecision(req: Request) async throws -> Response {
        try await run(req) { id in
            let f = try FormReader(req)
            _ = try await NorwegianService.saveDecision(
                req.context, id,
                .init(
                    decisionDate: f.text("decisionDate"), exemptReason: f.text("exemptReason"),
                    exemptDate: f.text("exemptDate")))
        }
    }

    package func recordHours(req: Request) async throws -> Response {
        try await run(req) { id in
            let f = try FormReader(req)
            _ = try await NorwegianService.recordHours(
                req.context, id, .init(month: f.raw("month"), hours: try f.decimal("hours")))
        }
    }

    package func addTest(req: Request) async throws -> Response {
        try await run(req) { id in
            let f = try FormReader(req)
            _ = try await NorwegianService.addTest(
                req.context, id,
                .init(
                    kind: f.raw("kind"), skill: f.raw("skill"), level: f.text("level"),
                    passed: f.text("passed").map { $0 == "true" }, date: f.raw("date")))
        }
    }
}

package struct NorwegianAPIController: RouteCollection {
    package func boot(routes: any RoutesBuilder) throws {
        let n = routes.grouped("persons", ":personID", "norwegian")
        n.get { req async throws -> NorwegianService.Summary in
            let p = try await NorwegianService.person(
                req.context, try req.pathID("personID"), for: .read)
            return try await NorwegianService.summary(req.context, p)
        }
        n.gated(.update, .sectorPart).post("hours") { req async throws -> NorwegianService.Summary in
            let p = try await NorwegianService.recordHours(
                req.context, try req.pathID("personID"), try req.json(NorwegianHoursInput.self))
            return try await NorwegianService.summary(req.context, p)
        }
        n.gated(.create, .sectorPart).post("tests") { req async throws -> Response in
            let p = try await NorwegianService.addTest(
                req.context, try req.pathID("personID"), try req.json(LanguageTestInput.self))
            return try await NorwegianService.summary(req.context, p).encodeResponse(status: .created, for: req)
        }
    }
}
