import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// How a measure came into a revised plan (Tynset's review of the previous action plan: each measure continued,
/// new or completed).
package enum MeasureReview: String, CaseIterable, Codable, Sendable, Labelled {
    case continued, new, completed

    package static let labelPrefix = "plan.review"
}

/// The link from a revised plan to the plan it replaced, and each measure's review.
package struct AddPlanRevision: AsyncMigration {
    package func prepare(on db: any Database) async throws {
        try await db.schema(IntegrationPlan.schema).field("previous_plan_id", .uuid).update()
        try await db.schema(PlanMeasure.schema).field("review", .string).update()
    }

    package func revert(on db: any Database) async throws {
        try await db.schema(PlanMeasure.schema).deleteField("review").update()
        try await db.schema(IntegrationPlan.schema).deleteField("previous_plan_id").update()
    }
}

/// Revision (Vestre Toten and Elverum: every four years): a new plan period starts from the current plan. Its focus
/// areas, goals and indicators carry over (an indicator's entered values with it, a computed one keeps its key and
/// so its history); every measure must be marked continued (carried over) or completed (marked done in the old
/// plan, not carried); measures added to the new plan afterwards are new. The old plan becomes "revised" and stays
/// readable.
package enum PlanRevision {
    /// The measures of a plan, in the plan's order.
    static func measures(_ plan: IntegrationPlan) -> [PlanMeasure] {
        plan.areas.sorted { $0.position < $1.position }.flatMap { a in
            a.goals.sorted { $0.position < $1.position }.flatMap { $0.measures.sorted { $0.title < $1.title } }
        }
    }

    package static func revise(_ ctx: ServiceContext, _ id: UUID?, _ form: FormReader) async throws -> IntegrationPlan {
        let old = try await PlanService.find(ctx, id, for: .update)
        guard old.status == .adopted || old.status == .draft else {
            throw ValidationFailure(field: "firstYear", "plan.invalid.already_revised")
        }
        let next = IntegrationPlan()
        next.municipality = old.municipality
        try PlanService.apply(
            .init(
                municipality: old.municipality.value, title: form.text("title"), firstYear: try form.int("firstYear"),
                lastYear: try form.int("lastYear"), status: "draft", adoptedOn: nil, caseNumber: nil), to: next)
        guard next.firstYear > old.firstYear else {
            throw ValidationFailure(field: "firstYear", "plan.invalid.revision_year", "\(old.firstYear)")
        }
        var reviews: [UUID: MeasureReview] = [:]
        for m in measures(old) {
            guard let raw = form.text("measure-\(m.id!.uuidString)"), let r = MeasureReview(rawValue: raw), r != .new
            else { throw ValidationFailure(field: "measure-\(m.id!.uuidString)", "plan.invalid.review") }
            reviews[m.id!] = r
        }
        let today = ctx.today
        let decided = reviews
        return try await ctx.write { db in
            next.previousPlanID = old.id
            try await next.save(on: db)
            for a in old.areas {
                let area = PlanFocusArea()
                area.$plan.id = next.id!
                area.position = a.position
                area.title = a.title
                area.challenges = a.challenges
                area.strategies = a.strategies
                area.responsible = a.responsible
                try await area.save(on: db)
                for g in a.goals {
                    let goal = PlanGoal()
                    goal.$area.id = area.id!
                    goal.position = g.position
                    goal.text = g.text
                    try await goal.save(on: db)
                    for i in g.indicators {
                        let copy = PlanIndicator()
                        copy.$goal.id = goal.id!
                        copy.name = i.name
                        copy.unit = i.unit
                        copy.direction = i.direction
                        copy.computedKey = i.computedKey
                        copy.baselineYear = i.baselineYear
                        copy.baselineValue = i.baselineValue
                        copy.targetYear = i.targetYear
                        copy.targetValue = i.targetValue
                        try await copy.save(on: db)
                        for v in i.values {
                            let value = PlanIndicatorValue()
                            value.$indicator.id = copy.id!
                            value.measuredOn = v.measuredOn
                            value.value = v.value
                            value.source = v.source
                            try await value.save(on: db)
                        }
                    }
                    for m in g.measures {
                        let review = decided[m.id!]!
                        m.review = review
                        if review == .completed {
                            m.status = .done
                            m.statusDate = today
                        }
                        try await m.save(on: db)
                        guard review == .continued else { continue }
                        let copy = PlanMeasure()
                        copy.$goal.id = goal.id!
                        copy.title = m.title
                        copy.ownerUnit = m.ownerUnit
                        copy.ownerSector = m.ownerSector
                        copy.contact = m.contact
                        copy.startDate = m.startDate
                        copy.deadline = m.deadline
                        copy.status = m.status
                        copy.statusNote = m.statusNote
                        copy.statusDate = m.statusDate
                        copy.costOre = m.costOre
                        copy.review = .continued
                        try await copy.save(on: db)
                    }
                }
            }
            old.status = .revised
            try await old.save(on: db)
            try await ctx.audit(
                "revise", recordType: "plan", recordID: old.id!.uuidString, municipality: old.municipality)
            try await ctx.audit(
                "create", recordType: "plan", recordID: next.id!.uuidString, municipality: next.municipality)
            return next
        }
    }
}

/// The revision form: the new period, and a choice for every measure of the plan.
package struct RevisionPage: Encodable {
    struct Measure: Encodable {
        var id: String
        var field: String
        var title: String
        var area: String
        var statusKey: String
        var continued: Bool
    }
    var id: String
    var title: String
    var newTitle: String
    var firstYear: String
    var lastYear: String
    var measures: [Measure]
    var error: String?
    var errorField: String?
    var posted: [String: String]

    static func load(_ req: Request, _ id: UUID, failure: ValidationFailure? = nil, posted: [String: String] = [:])
        async throws -> RevisionPage
    {
        let plan = try await PlanService.find(req.context, id, for: .update)
        let span = plan.lastYear - plan.firstYear
        let areas = Dictionary(uniqueKeysWithValues: plan.areas.map { ($0.id!, $0.title) })
        let goalArea = Dictionary(uniqueKeysWithValues: plan.areas.flatMap(\.goals).map { ($0.id!, $0.$area.id) })
        return RevisionPage(
            id: id.uuidString, title: plan.title,
            newTitle: posted["title"]
                ?? plan.title.replacingOccurrences(
                    of: "\(plan.firstYear)–\(plan.lastYear)", with: "\(plan.lastYear + 1)–\(plan.lastYear + 1 + span)"),
            firstYear: posted["firstYear"] ?? String(plan.lastYear + 1),
            lastYear: posted["lastYear"] ?? String(plan.lastYear + 1 + span),
            measures: PlanRevision.measures(plan).map { m in
                let field = "measure-\(m.id!.uuidString)"
                let chosen = posted[field]
                return Measure(
                    id: m.id!.uuidString, field: field, title: m.title,
                    area: goalArea[m.$goal.id].flatMap { areas[$0] } ?? "", statusKey: m.status.labelKey,
                    continued: chosen.map { $0 == "continued" } ?? (m.status == .planned || m.status == .ongoing))
            }, error: failure.map { req.message($0) }, errorField: failure?.field, posted: posted)
    }
}
