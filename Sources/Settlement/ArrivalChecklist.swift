import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// A municipality's settlement settings and arrival-checklist template. A municipality starts from the service
/// defaults (`Resources/Parameters/settlement.json`) the first time they are needed, then edits its own copy.
package enum SettlementSettings {
    package static func settings(for municipality: Kommunenummer, _ ctx: ServiceContext) async throws
        -> MunicipalSettings
    {
        if let s = try await MunicipalSettings.find(municipality, on: ctx.db) { return s }
        return try await ctx.write { db in
            try await seed(municipality, from: ctx.app.settlementDefaults, on: db)
        }
    }

    /// Gives a municipality the service defaults: answer times and the checklist template.
    package static func seed(_ municipality: Kommunenummer, from d: SettlementDefaults, on db: any Database)
        async throws
        -> MunicipalSettings
    {
        let s = MunicipalSettings()
        s.id = municipality
        s.answerHoursUrgent = d.answerHours.urgent.value
        s.answerHoursOrdinary = d.answerHours.ordinary.value
        try await s.create(on: db)
        for (i, item) in d.arrivalChecklist.items.enumerated() {
            let t = ChecklistTemplateItem()
            t.$municipality.id = municipality
            t.position = i + 1
            t.title = item.title
            t.sector = item.sector
            t.offsetDays = item.offsetDays
            t.deadlineKind = item.deadline
            try await t.create(on: db)
        }
        return s
    }

    package static func template(for municipality: Kommunenummer, _ ctx: ServiceContext) async throws
        -> [ChecklistTemplateItem]
    {
        _ = try await settings(for: municipality, ctx)
        return try await ChecklistTemplateItem.query(on: ctx.db).filter(\.$municipality.$id == municipality)
            .sort(\.$position).sort(\.$title).all()
    }

    package struct SettingsInput: Content {
        var answerHoursUrgent: Int?
        var answerHoursOrdinary: Int?
    }

    package static func updateSettings(_ ctx: ServiceContext, municipality: Kommunenummer, _ input: SettingsInput)
        async throws
    {
        try await ctx.authorize(.update, .municipalSettings(municipality: municipality))
        let s = try await settings(for: municipality, ctx)
        s.answerHoursUrgent = try Validate.number(
            input.answerHoursUrgent, "answerHoursUrgent", 1...720, required: true)!
        s.answerHoursOrdinary = try Validate.number(
            input.answerHoursOrdinary, "answerHoursOrdinary", 1...2160, required: true)!
        try await s.update(on: ctx.db)
        try await ctx.audit(
            "update", recordType: "municipal_settings", recordID: municipality.value, municipality: municipality)
    }

    package struct ItemInput: Content {
        var title: String?
        var sector: String?
        var offsetDays: Int?
        var position: Int?
    }

    package static func validItem(_ input: ItemInput) throws -> (
        title: String, sector: Sector, offset: Int, position: Int?
    ) {
        guard let sector = input.sector.flatMap(Sector.init(rawValue:)) else {
            throw ValidationFailure(
                field: "sector", "invalid.one_of", Sector.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return (
            try Validate.required(input.title, "title", max: 200), sector,
            try Validate.number(input.offsetDays, "offsetDays", -90...365, required: true)!,
            try Validate.number(input.position, "position", 1...999)
        )
    }

    package static func addItem(_ ctx: ServiceContext, municipality: Kommunenummer, _ input: ItemInput) async throws
        -> ChecklistTemplateItem
    {
        try await ctx.authorize(.update, .municipalSettings(municipality: municipality))
        let v = try validItem(input)
        let existing = try await template(for: municipality, ctx)
        let t = ChecklistTemplateItem()
        t.$municipality.id = municipality
        t.title = v.title
        t.sector = v.sector
        t.offsetDays = v.offset
        t.position = v.position ?? ((existing.map(\.position).max() ?? 0) + 1)
        try await t.create(on: ctx.db)
        try await ctx.audit(
            "create", recordType: "checklist_template", recordID: t.id?.uuidString, municipality: municipality)
        return t
    }

    package static func findItem(_ ctx: ServiceContext, _ id: UUID?) async throws -> ChecklistTemplateItem {
        try await ctx.guarded(
            .update, recordType: "checklist_template", id: id,
            find: { try await ChecklistTemplateItem.find($0, on: ctx.db) },
            resource: { .municipalSettings(municipality: $0.$municipality.id) }, municipality: { $0.$municipality.id })
    }

    package static func updateItem(_ ctx: ServiceContext, _ id: UUID?, _ input: ItemInput) async throws
        -> ChecklistTemplateItem
    {
        let t = try await findItem(ctx, id)
        let v = try validItem(input)
        t.title = v.title
        t.sector = v.sector
        t.offsetDays = v.offset
        if let p = v.position { t.position = p }
        try await t.update(on: ctx.db)
        try await ctx.audit(
            "update", recordType: "checklist_template", recordID: t.id?.uuidString, municipality: t.$municipality.id)
        return t
    }

    package static func deleteItem(_ ctx: ServiceContext, _ id: UUID?) async throws -> Kommunenummer {
        let t = try await findItem(ctx, id)
        try await t.delete(on: ctx.db)
        try await ctx.audit(
            "delete", recordType: "checklist_template", recordID: id?.uuidString, municipality: t.$municipality.id)
        return t.$municipality.id
    }
}

package struct ArrivalTaskDTO: Content {
    package var id: UUID
    package var title: String
    package var sector: Sector
    package var due: LocalDate
    package var doneOn: LocalDate?
    package var status: String
    package init(_ t: ArrivalTask, today: LocalDate = .today) {
        id = t.id!
        title = t.title
        sector = t.sector
        due = t.due
        doneOn = t.doneOn
        status = ArrivalChecklist.status(t, today: today)
    }
}

package struct TaskInput: Content { var doneOn: String? }

/// A household's arrival checklist: tasks with an owner sector and a due date relative to arrival.
/// A partner ticks off its own sector's tasks on households shared with it, like other sector parts.
package enum ArrivalChecklist {
    package static func generate(
        for household: Household, arrival: LocalDate, template: [ChecklistTemplateItem], on db: any Database
    ) async throws {
        for (i, item) in template.enumerated() {
            let t = ArrivalTask()
            t.$household.id = household.id!
            t.position = i + 1
            t.title = item.title
            t.sector = item.sector
            t.deadlineKind = item.deadlineKind
            t.due = arrival.adding(days: item.offsetDays)
            try await t.create(on: db)
        }
    }

    /// done, overdue, soon (within 7 days) or later.
    package static func status(_ t: ArrivalTask, today: LocalDate) -> String {
        if t.doneOn != nil { return "done" }
        let due = t.due
        if due < today { return "overdue" }
        return due <= today.adding(days: 7) ? "soon" : "later"
    }

    /// The household's tasks the user may see: the integration service every task, a partner (on a household whose
    /// every member is shared with it) the tasks its own sector owns.
    package static func tasks(_ ctx: ServiceContext, _ h: Household) async throws -> [ArrivalTask] {
        let resource = HouseholdService.resource(h)
        guard case .personalData(let m, let shared) = resource else { return [] }
        let sectors = Sector.allCases.filter {
            ctx.may(.read, .sectorPart(municipality: m, sharedWith: shared, sector: $0))
        }
        return try await ArrivalTask.query(on: ctx.db).filter(\.$household.$id == h.id!).filter(\.$sector ~~ sectors)
            .sort(\.$due).sort(\.$position).all()
    }

    /// Makes the checklist for a household registered without a proposal (once).
    package static func create(_ ctx: ServiceContext, householdID: UUID?, arrival: String?) async throws -> Household {
        let h = try await HouseholdService.find(ctx, householdID, for: .update)
        let day = try Validate.pastDate(arrival, "arrivalDate")
        guard try await tasks(ctx, h).isEmpty else {
            throw APIError(.conflict, "checklist_exists", "the household already has a checklist")
        }
        let template = try await SettlementSettings.template(for: h.$municipality.id, ctx)
        try await ctx.write { db in try await generate(for: h, arrival: day, template: template, on: db) }
        try await ctx.audit(
            "create_checklist", recordType: "household", recordID: h.id?.uuidString, municipality: h.$municipality.id)
        return h
    }

    /// Marks a task done on a date, or open again with no date.
    package static func mark(_ ctx: ServiceContext, householdID: UUID?, taskID: UUID?, _ input: TaskInput) async throws
        -> ArrivalTask
    {
        guard let householdID,
            let h = try await Household.query(on: ctx.db).filter(\.$id == householdID)
                .with(\.$members, { $0.with(\.$shares) }).first()
        else { throw Abort(.notFound) }
        guard let taskID, let t = try await ArrivalTask.find(taskID, on: ctx.db), t.$household.id == householdID
        else { throw Abort(.notFound) }
        let shared: Set<Sector>
        if case .personalData(_, let s) = HouseholdService.resource(h) { shared = s } else { shared = [] }
        try await ctx.authorize(
            .update,
            .sectorPart(
                municipality: h.$municipality.id, sharedWith: shared, sector: t.sector),
            recordType: "household", recordID: householdID.uuidString)
        let done = input.doneOn.map { _ in () } == nil ? nil : try Validate.pastDate(input.doneOn, "doneOn")
        t.doneOn = done
        t.doneBy = done == nil ? nil : ctx.user?.id
        try await t.update(on: ctx.db)
        try await ctx.audit(
            done == nil ? "reopen_task" : "complete_task", recordType: "household", recordID: householdID.uuidString,
            municipality: h.$municipality.id)
        return t
    }
}

/// The household page's arrival checklist: the tasks with their owners and due dates, marked by the sector that
/// owns each, or the form that starts the checklist.
package struct ChecklistSection: HouseholdSection {
    package let order = 100

    package struct Model: Encodable {
        package struct Task: Encodable {
            package var id: UUID
            package var title: String
            package var sectorKey: String
            package var due: String
            package var doneOn: String?
            package var status: String
            package var statusKey: String
            package var canMark: Bool
        }
        package var id: UUID
        package var tasks: [Task]
        package var canCreateChecklist: Bool
        package var today: String
    }

    package func render(_ req: Request, _ h: Household) async throws -> String? {
        let resource = HouseholdService.resource(h)
        guard req.may(.read, resource) else { return nil }
        let shared: Set<Sector>
        if case .personalData(_, let s) = resource { shared = s } else { shared = [] }
        let tasks = try await ArrivalChecklist.tasks(req.context, h)
        let today = LocalDate.today
        let rows = tasks.map { t in
            let status = ArrivalChecklist.status(t, today: today)
            let sector = t.sector
            return Model.Task(
                id: t.id!, title: t.title, sectorKey: t.sector.labelKey, due: t.due.iso,
                doneOn: t.doneOn?.iso,
                status: status,
                statusKey: "task.\(status)",
                canMark: req.may(
                    .update, .sectorPart(municipality: h.$municipality.id, sharedWith: shared, sector: sector)))
        }
        let model = Model(
            id: h.id!, tasks: rows, canCreateChecklist: tasks.isEmpty && req.may(.update, resource),
            today: today.iso)
        return try await req.section("Settlement/household-checklist", model)
    }
}
