import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// An indicator as the plan page and the API show it: its figure for the period, its status against baseline and
/// target, and one figure a year before it.
package struct EvaluatedIndicator: Encodable, Sendable {
    package struct Year: Encodable, Sendable {
        var year: Int
        var value: Double?
        var suppressed: Bool
    }
    package var id: UUID
    package var key: String?
    package var name: String
    package var unit: IndicatorUnit
    package var direction: IndicatorDirection
    package var baseline: IndicatorPoint?
    package var target: IndicatorPoint?
    package var figure: IndicatorFigure
    package var status: IndicatorStatus
    package var asOf: LocalDate
    /// The period the figure counts (computed), or the day it was measured (entered).
    package var periodFrom: LocalDate?
    package var periodTo: LocalDate?
    /// Where the figure comes from: the definition's source, or the entered value's.
    package var source: String?
    package var history: [Year]
}

/// The plan's records and their indicators' figures, behind the policy: reading needs the municipality's planning
/// figures (`Resource.planning`), writing likewise; every write is audited with it.
package enum PlanService {
    package static func list(_ ctx: ServiceContext, municipality: String?) async throws -> (
        plans: [IntegrationPlan], codes: [Kommunenummer]
    ) {
        if let municipality { _ = try Validate.municipality(municipality) }
        let codes = try await ctx.scope(where: .list, requested: municipality) { .planning(municipality: $0) }
        let plans = try await IntegrationPlan.query(on: ctx.db).filter(\.$municipality ~~ codes)
            .sort(\.$municipality).sort(\.$firstYear, .descending).sort(\.$id).all()
        return (plans, codes)
    }

    /// A plan with its focus areas, goals, indicators (with entered values) and measures, in their order.
    package static func find(_ ctx: ServiceContext, _ id: UUID?, for action: Action = .read) async throws
        -> IntegrationPlan
    {
        guard let id,
            let plan = try await IntegrationPlan.query(on: ctx.db).filter(\.$id == id)
                .with(
                    \.$areas, { $0.with(\.$goals) { $0.with(\.$indicators) { $0.with(\.$values) }.with(\.$measures) } }
                )
                .first()
        else { throw Abort(.notFound) }
        try await ctx.authorize(action, .planning(municipality: plan.municipality))
        return plan
    }

    // MARK: Indicators

    /// The figure of `indicator` in `year` (computed over the calendar year, or the last value entered in it).
    static func figure(
        _ ctx: ServiceContext, _ plan: IntegrationPlan, _ indicator: PlanIndicator, year: Int
    ) async throws -> (figure: IndicatorFigure, source: String?, from: LocalDate?, to: LocalDate?) {
        if let key = indicator.computedKey {
            guard let definition = ctx.app.indicatorCatalogue[key] else { return (.none, nil, nil, nil) }
            let period = IndicatorPeriod.year(year)
            let f = try await definition.figure(
                ctx, [plan.municipality], period, threshold: ctx.app.disclosure.threshold)
            return (f, definition.source, period.from, period.to)
        }
        let entered = indicator.values.filter { $0.measuredOn.year == year }.max { $0.measuredOn < $1.measuredOn }
        guard let entered else { return (.none, nil, nil, nil) }
        return (
            IndicatorFigure(value: entered.value, numerator: nil, denominator: nil, suppressed: false), entered.source,
            entered.measuredOn, entered.measuredOn
        )
    }

    /// The year an indicator is shown for: the last whole year for a computed one (a cohort is whole only when its
    /// year is over), the year of the newest entered value for one typed in.
    static func shownYear(_ indicator: PlanIndicator, today: LocalDate) -> Int {
        if indicator.computedKey != nil { return today.year - 1 }
        return indicator.values.map(\.measuredOn.year).max() ?? today.year
    }

    /// The indicator in `year`, or in the year it is shown for (`shownYear`).
    package static func evaluate(
        _ ctx: ServiceContext, _ plan: IntegrationPlan, _ indicator: PlanIndicator, year asked: Int? = nil
    ) async throws -> EvaluatedIndicator {
        let today = ctx.today
        let year = asked ?? shownYear(indicator, today: today)
        let (figure, source, from, to) = try await Self.figure(ctx, plan, indicator, year: year)
        // Six years up to the shown one, from the baseline's if it is nearer.
        let first = max(year - 5, min(indicator.baselineYear ?? year - 5, year))
        var history: [EvaluatedIndicator.Year] = []
        for y in first...year {
            let f = y == year ? figure : try await Self.figure(ctx, plan, indicator, year: y).figure
            history.append(.init(year: y, value: f.value, suppressed: f.suppressed))
        }
        return EvaluatedIndicator(
            id: indicator.id!, key: indicator.computedKey, name: indicator.name, unit: indicator.unit,
            direction: indicator.direction, baseline: indicator.baseline, target: indicator.target, figure: figure,
            status: IndicatorProgress.status(
                value: figure.value, baseline: indicator.baseline, target: indicator.target,
                direction: indicator.direction, in: year),
            asOf: today, periodFrom: from, periodTo: to, source: source, history: history)
    }

    /// Every indicator of the plan, in the plan's order.
    package static func indicators(_ ctx: ServiceContext, _ plan: IntegrationPlan, year: Int? = nil) async throws
        -> [EvaluatedIndicator]
    {
        var out: [EvaluatedIndicator] = []
        for area in plan.areas.sorted(by: { $0.position < $1.position }) {
            for goal in area.goals.sorted(by: { $0.position < $1.position }) {
                for i in goal.indicators.sorted(by: { $0.name < $1.name }) {
                    out.append(try await evaluate(ctx, plan, i, year: year))
                }
            }
        }
        return out
    }

    // MARK: Writes

    package struct PlanInput: Content {
        package var municipality: String?
        package var title: String?
        package var firstYear: Int?
        package var lastYear: Int?
        package var status: String?
        package var adoptedOn: String?
        package var caseNumber: String?
    }

    package static func create(_ ctx: ServiceContext, _ input: PlanInput) async throws -> IntegrationPlan {
        let m = try Validate.municipality(input.municipality)
        try await ctx.authorize(.create, .planning(municipality: m))
        let plan = IntegrationPlan()
        plan.municipality = m
        try apply(input, to: plan)
        return try await ctx.write { db in
            try await plan.save(on: db)
            try await ctx.audit("create", recordType: "plan", recordID: plan.id!.uuidString, municipality: m)
            return plan
        }
    }

    static func apply(_ input: PlanInput, to plan: IntegrationPlan) throws {
        plan.title = try Validate.required(input.title, "title", max: 200)
        let first = try Validate.number(input.firstYear, "firstYear", 2000...2100, required: true)!
        let last = try Validate.number(input.lastYear, "lastYear", 2000...2100, required: true)!
        guard last >= first else { throw ValidationFailure(field: "lastYear", "invalid.range", "\(first)", "2100") }
        plan.firstYear = first
        plan.lastYear = last
        guard let status = PlanStatus(rawValue: input.status ?? "draft") else {
            throw ValidationFailure(field: "status", "invalid.choice")
        }
        plan.status = status
        plan.adoptedOn = try Validate.optionalDate(input.adoptedOn, "adoptedOn")
        if status == .adopted && plan.adoptedOn == nil {
            throw ValidationFailure(field: "adoptedOn", "plan.invalid.adopted_without_date")
        }
        plan.caseNumber = try Validate.text(input.caseNumber, "caseNumber", max: 50, required: false)
    }

    /// Runs `body` on the plan's records in one transaction with its audit entry, after the write check.
    static func change(
        _ ctx: ServiceContext, _ planID: UUID?, record: String,
        _ body:
            @escaping @Sendable (IntegrationPlan, any Database)
            async throws -> UUID
    ) async throws {
        let plan = try await find(ctx, planID, for: .update)
        try await ctx.write { db in
            let id = try await body(plan, db)
            try await ctx.audit("update", recordType: record, recordID: id.uuidString, municipality: plan.municipality)
        }
    }

    package static func addArea(_ ctx: ServiceContext, _ planID: UUID?, _ form: FormReader) async throws {
        let title = try Validate.required(form.text("areaTitle"), "areaTitle", max: 200)
        let challenges = try Validate.text(
            form.text("challenges"), "challenges", max: 4000, required: false, multiline: true)
        let strategies = try Validate.text(
            form.text("strategies"), "strategies", max: 4000, required: false, multiline: true)
        let responsible = try Validate.text(form.text("responsible"), "responsible", max: 300, required: false)
        try await change(ctx, planID, record: "plan_focus_area") { plan, db in
            let a = PlanFocusArea()
            a.$plan.id = plan.id!
            a.position = (plan.areas.map(\.position).max() ?? 0) + 1
            a.title = title
            a.challenges = challenges
            a.strategies = strategies
            a.responsible = responsible
            try await a.save(on: db)
            return a.id!
        }
    }

    /// The focus area `id` of the plan, or 400 naming the field.
    static func area(_ plan: IntegrationPlan, _ id: UUID?, _ field: String) throws -> PlanFocusArea {
        guard let a = plan.areas.first(where: { $0.id == id }) else {
            throw ValidationFailure(field: field, "invalid.reference")
        }
        return a
    }

    static func goal(_ plan: IntegrationPlan, _ id: UUID?, _ field: String) throws -> PlanGoal {
        guard let g = plan.areas.flatMap(\.goals).first(where: { $0.id == id }) else {
            throw ValidationFailure(field: field, "invalid.reference")
        }
        return g
    }

    package static func addGoal(_ ctx: ServiceContext, _ planID: UUID?, _ form: FormReader) async throws {
        let text = try Validate.required(form.text("goalText"), "goalText", max: 1000, multiline: true)
        let areaID = try form.id("areaId")
        try await change(ctx, planID, record: "plan_goal") { plan, db in
            let area = try area(plan, areaID, "areaId")
            let g = PlanGoal()
            g.$area.id = area.id!
            g.position = (area.goals.map(\.position).max() ?? 0) + 1
            g.text = text
            try await g.save(on: db)
            return g.id!
        }
    }

    /// A baseline or target value as typed: a share in per cent ("53" or "53 %"), anything else as is.
    static func value(_ form: FormReader, _ field: String, unit: IndicatorUnit) throws -> Double? {
        let typed = form.text(field)?.replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)
        guard let v = try Validate.decimal(typed, field) else { return nil }
        guard v >= 0, unit != .share || v <= 1000 else {
            throw ValidationFailure(field: field, "invalid.range", "0", "1000")
        }
        return unit == .share ? v / 100 : v
    }

    package static func addIndicator(_ ctx: ServiceContext, _ planID: UUID?, _ form: FormReader) async throws {
        let goalID = try form.id("indicatorGoalId")
        let key = form.text("computedKey")
        var unit = IndicatorUnit(rawValue: form.text("unit") ?? "share")
        var direction = IndicatorDirection(rawValue: form.text("direction") ?? "higher")
        if let key {
            guard let d = ctx.app.indicatorCatalogue[key] else {
                throw ValidationFailure(field: "computedKey", "invalid.choice")
            }
            (unit, direction) = (d.unit, d.direction)
        }
        guard let unit else { throw ValidationFailure(field: "unit", "invalid.choice") }
        guard let direction else { throw ValidationFailure(field: "direction", "invalid.choice") }
        let name = try Validate.required(form.text("name"), "name", max: 200)
        let baselineYear = try Validate.number(try form.int("baselineYear"), "baselineYear", 2000...2100)
        let baseline = try value(form, "baselineValue", unit: unit)
        let targetYear = try Validate.number(try form.int("targetYear"), "targetYear", 2000...2100)
        let target = try value(form, "targetValue", unit: unit)
        if (baselineYear == nil) != (baseline == nil) {
            throw ValidationFailure(field: baseline == nil ? "baselineValue" : "baselineYear", "plan.invalid.pair")
        }
        if (targetYear == nil) != (target == nil) {
            throw ValidationFailure(field: target == nil ? "targetValue" : "targetYear", "plan.invalid.pair")
        }
        try await change(ctx, planID, record: "plan_indicator") { plan, db in
            let goal = try goal(plan, goalID, "indicatorGoalId")
            let i = PlanIndicator()
            i.$goal.id = goal.id!
            i.name = name
            i.unit = unit
            i.direction = direction
            i.computedKey = key
            i.baselineYear = baselineYear
            i.baselineValue = baseline
            i.targetYear = targetYear
            i.targetValue = target
            try await i.save(on: db)
            return i.id!
        }
    }

    package static func addValue(_ ctx: ServiceContext, _ planID: UUID?, _ form: FormReader) async throws {
        let indicatorID = try form.id("indicatorId")
        let day = try Validate.pastDate(form.text("measuredOn"), "measuredOn")
        let source = try Validate.required(form.text("source"), "source", max: 300)
        try await change(ctx, planID, record: "plan_indicator") { plan, db in
            guard let i = plan.areas.flatMap(\.goals).flatMap(\.indicators).first(where: { $0.id == indicatorID })
            else { throw ValidationFailure(field: "indicatorId", "invalid.reference") }
            guard i.computedKey == nil else { throw ValidationFailure(field: "indicatorId", "plan.invalid.computed") }
            guard let v = try value(form, "value", unit: i.unit) else {
                throw ValidationFailure(field: "value", "invalid.required")
            }
            let entered = PlanIndicatorValue()
            entered.$indicator.id = i.id!
            entered.measuredOn = day
            entered.value = v
            entered.source = source
            try await entered.save(on: db)
            return i.id!
        }
    }

    package static func addMeasure(_ ctx: ServiceContext, _ planID: UUID?, _ form: FormReader) async throws {
        let goalID = try form.id("measureGoalId")
        let title = try Validate.required(form.text("measureTitle"), "measureTitle", max: 300)
        let owner = try Validate.text(form.text("ownerUnit"), "ownerUnit", max: 200, required: false)
        let sector = try ownerSector(form.text("ownerSector"), "ownerSector")
        let contact = try Validate.text(form.text("contact"), "contact", max: 200, required: false)
        let start = try Validate.optionalDate(form.text("startDate"), "startDate")
        let deadline = try Validate.optionalDate(form.text("deadline"), "deadline")
        if let start, let deadline, deadline < start {
            throw ValidationFailure(field: "deadline", "plan.invalid.deadline_before_start")
        }
        let cost = try form.decimal("cost").map { kr -> Int in
            guard kr >= 0, kr <= 1_000_000_000 else {
                throw ValidationFailure(field: "cost", "invalid.range", "0", "1000000000")
            }
            return Int((kr * 100).rounded())
        }
        let today = ctx.today
        try await change(ctx, planID, record: "plan_measure") { plan, db in
            let goal = try goal(plan, goalID, "measureGoalId")
            let m = PlanMeasure()
            m.$goal.id = goal.id!
            m.title = title
            m.ownerUnit = owner
            m.ownerSector = sector
            m.contact = contact
            m.startDate = start
            m.deadline = deadline
            m.status = .planned
            m.statusDate = today
            m.costOre = cost
            // A measure added to a revised plan is new in it (Tynset's review).
            if plan.previousPlanID != nil { m.review = .new }
            try await m.save(on: db)
            return m.id!
        }
    }

    /// A partner sector owning a measure (the integration service's own measures name none).
    package static func ownerSector(_ value: String?, _ field: String) throws -> Sector? {
        guard let value, !value.isEmpty else { return nil }
        guard let s = Sector(rawValue: value), s != .integration else {
            throw ValidationFailure(field: field, "invalid.choice")
        }
        return s
    }

    package static func setMeasureStatus(_ ctx: ServiceContext, _ planID: UUID?, _ form: FormReader) async throws {
        let measureID = try form.id("measureId")
        guard let status = MeasureStatus(rawValue: form.text("measureStatus") ?? "") else {
            throw ValidationFailure(field: "measureStatus", "invalid.choice")
        }
        let note = try Validate.text(form.text("statusNote"), "statusNote", max: 1000, required: false, multiline: true)
        let today = ctx.today
        try await change(ctx, planID, record: "plan_measure") { plan, db in
            guard let m = plan.areas.flatMap(\.goals).flatMap(\.measures).first(where: { $0.id == measureID }) else {
                throw ValidationFailure(field: "measureId", "invalid.reference")
            }
            m.status = status
            m.statusNote = note
            m.statusDate = today
            try await m.save(on: db)
            return m.id!
        }
    }
}
