import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Settlement: IMDi's yearly request and the council's decision, proposals with the inter-sector assessment, the
/// answer and the arrival with its checklist.
package struct SettlementFeature: Feature {
    package init() {}

    package let id = "settlement"

    package var indicators: [any IndicatorDefinition] {
        [SettlementFulfilled(), AnswerHoursUrgent(), AnsweredInTimeUrgent()]
    }

    package var startPanels: [any StartPanel] { [SettlementPanel()] }
    package var vocabulary: [any Labelled.Type] { [AssessmentStatus.self, SettlementDecision.self] }

    package var migrations: [any Migration] {
        [
            CreateSettlement(), AddChecklistDeadlines(), AddAnswerFigures(),
            IndexMigration(
                name: "SettlementIndexes",
                [
                    ("idx_incoming_municipality", IncomingHousehold.schema, ["municipality", "decision"]),
                    ("idx_incoming_members_incoming", IncomingMember.schema, ["incoming_id"]),
                    ("idx_arrival_tasks_household", ArrivalTask.schema, ["household_id", "due"]),
                ]),
        ]
    }
    package var deadlineFacts: [any DeadlineFacts] { [ChecklistFacts()] }

    package func configure(_ app: Application) throws {
        do {
            app.settlementDefaults = try SettlementDefaults.load(
                from: URL(fileURLWithPath: app.directory.resourcesDirectory + "Parameters/settlement.json"))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/settlement.json: \(error)")
        }
        app.sharedFacts.settlementPlans = { municipality, db in
            let years = try await SettlementYear.query(on: db).filter(\.$municipality.$id == municipality).all()
            var out: [Int: SettlementPlanFigure] = [:]
            for y in years {
                out[y.year] = SettlementPlanFigure(persons: y.decided ?? y.requested, decided: y.decided != nil)
            }
            return out
        }
        app.sharedFacts.housingQueue = { codes, assessedOnly, offset, limit, db in
            let open = IncomingHousehold.query(on: db).filter(\.$municipality.$id ~~ codes)
                .filter(\.$decision != .declined).filter(\.$householdID == nil)
            if assessedOnly { open.filter(\.$decision == .pending) }
            let total = try await open.count()
            let rows = try await open.sort(\.$expectedArrival).sort(\.$receivedAt).sort(\.$id)
                .range(offset..<(offset + limit)).with(\.$members).all()
            return (rows.map(Self.need), total)
        }
        app.sharedFacts.incomingNeed = { id, db in
            try await IncomingHousehold.query(on: db).filter(\.$id == id).with(\.$members).first().map(Self.need)
        }
        app.sharedFacts.dwellingReserved = { ctx, id, address in
            try await IncomingService.dwellingReserved(ctx, id, address: address)
        }
    }

    /// The proposal as the housing allocation reads it: adults and the children's ages on the expected arrival.
    static func need(_ h: IncomingHousehold) -> IncomingNeed {
        let day = h.expectedArrival ?? .today
        let ages = h.members.map { $0.birthDate.age(on: day) }
        return IncomingNeed(
            id: h.id!, municipality: h.$municipality.id, reference: h.imdiReference, label: h.label,
            need: HouseholdNeed(
                adults: ages.filter { $0 >= 18 }.count, childAges: ages.filter { $0 < 18 }.sorted(),
                stepFree: h.accessibleHousing),
            rooms: h.rooms, expectedArrival: h.expectedArrival, housingStatus: h.housingStatus.rawValue,
            decision: h.decision.rawValue, householdID: h.householdID, resource: h.resource)
    }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: SettlementController())
        try routes.pages.register(collection: MovementsController())
        try routes.api.register(collection: SettlementAPIController())
        try routes.api.register(collection: MovementsAPIController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        let lists = try await !req.municipalities(where: .list, { .personalDataList(municipality: $0) }).isEmpty
        let reads = try await !req.municipalities(where: .read, { .settlementPlan(municipality: $0) }).isEmpty
        return lists || reads ? [NavEntry(order: 100, href: "/settlement", key: "nav.settlement")] : []
    }

    package var householdSections: [any HouseholdSection] { [ChecklistSection()] }

    /// Answers to IMDi that are overdue or due soon, for the staff who answer them (a count, no names).
    package func workItems(_ req: Request) async throws -> [WorkItem] {
        let codes = try await req.municipalities(where: .update) { .personalData(municipality: $0, sharedWith: []) }
        guard !codes.isEmpty else { return [] }
        let pending = try await IncomingHousehold.query(on: req.store).filter(\.$municipality.$id ~~ codes)
            .filter(\.$decision == .pending).all()
        let now = Oslo.now()
        let clocks = pending.map { AnswerClock($0, now: now).status }
        var out: [WorkItem] = []
        for (status, key) in [(AnswerClock.Status.overdue, "home.imdi_overdue"), (.soon, "home.imdi_soon")] {
            let n = clocks.filter { $0 == status }.count
            if n > 0 {
                out.append(
                    WorkItem(order: 50, label: req.text(key), mine: nil, all: n, href: "/settlement", urgent: true))
            }
        }
        return out
    }

    package func seedDemo(_ demo: DemoContext) async throws {
        try await DemoSettlement.load(on: demo.db, app: demo.app, users: demo.users)
        // One household has moved on (Reinsvoll to Oslo), for the departures over time and a file that shows it.
        for (index, members) in demo.households where index == 9 {
            for p in members {
                p.movedOutOn = LocalDate(iso: "2025-06-15")
                p.movedTo = "0301"
                try await p.update(on: demo.db)
            }
        }
    }
}
