import Fluent
import InnbyggerCore
import InnbyggerKernel
import SQLKit
import Vapor

/// Housing (issue #15): the dwellings the service lets or sublets, allocation to incoming and settled households,
/// tenancies, the inspections of tenancy years 1–5 and the way to one's own home.
package struct HousingFeature: Feature {
    package init() {}

    package let id = "housing"

    package var vocabulary: [any Labelled.Type] {
        [DwellingOwner.self, DwellingStatus.self, TenancyEnd.self, InspectionInterval.self]
    }

    package var migrations: [any Migration] { [CreateHousing(), housingIndexes] }

    package func configure(_ app: Application) throws {
        let file = app.directory.resourcesDirectory + "Parameters/housing.json"
        do {
            app.housingParameters = try HousingParameters.load(from: URL(fileURLWithPath: file))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/housing.json: \(error)")
        }
        app.sharedFacts.housingCapacity = { ctx, id in try await HousingService.capacity(ctx, incoming: id) }
    }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: HousingController())
        try routes.uploads.register(collection: InspectionUploadController())
        try routes.api.register(collection: HousingAPIController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        let works = try await !req.municipalities(where: .list) { .register(municipality: $0, sector: .housing) }
            .isEmpty
        if works { return [NavEntry(order: 150, href: "/housing", key: "nav.housing")] }
        // The administrator keeps the municipality's inspection checklist and housing settings.
        let keeps = try await !req.municipalities(where: .update) { .municipalSettings(municipality: $0) }.isEmpty
        return keeps ? [NavEntry(order: 150, href: "/housing/checklist", key: "nav.housing_checklist")] : []
    }

    package var personSections: [any PersonSection] { [HousingSection()] }
    package var householdSections: [any HouseholdSection] { [HouseholdHousingSection()] }
    package var deadlineSources: [any DeadlineSource] { [InspectionsDue()] }
    package var indicators: [any IndicatorDefinition] { [OwnHomeWithin3Years()] }

    package func seedDemo(_ demo: DemoContext) async throws { try await HousingDemo.seed(demo) }
}

/// The tenancy of a household as the person page and the household page show it.
struct TenancySummary: Encodable {
    var id: UUID
    var address: String
    var start: String
    var agreedEnd: String?
    var rent: Int
    var next: String?
    var overdue: Bool
    var goal: String
    var goalStatusKey: String
}

enum HousingSummary {
    /// The household's current tenancy, or nil; read after the caller checked the housing part.
    static func current(_ req: Request, _ householdID: UUID) async throws -> TenancySummary? {
        guard
            let t = try await Tenancy.query(on: req.store).filter(\.$household.$id == householdID)
                .filter(\.$endedOn == nil).with(\.$dwelling).first()
        else { return nil }
        let today = req.context.today
        let goal = OwnHomeGoal.status(goal: t.goalDate, ended: nil, reason: nil, today: today)
        // Read as part of the person's or the household's page, whose read is audited.
        return TenancySummary(
            id: t.id!, address: t.dwelling.address, start: t.start.iso, agreedEnd: t.agreedEnd?.iso, rent: t.rent,
            next: t.nextInspection?.iso, overdue: t.nextInspection.map { $0 < today } ?? false, goal: t.goalDate.iso,
            goalStatusKey: "housing.goal.\(goal.rawValue)")
    }

    struct Model: Encodable {
        var householdID: UUID
        var tenancy: TenancySummary?
        var canAllocate: Bool
        /// Whether the reader may open the tenancy's page (the household's housing part).
        var canOpen: Bool
        var heading: String
    }
}

/// The person page's housing: the household's tenancy and the way to one's own home (the `housing` row of
/// docs/privacy.md: the integration service and the housing sector on files shared with it).
package struct HousingSection: PersonSection {
    package let id = "housing"
    package let order = 45

    package func render(_ req: Request, _ person: Person) async throws -> String? {
        // The person's own file decides here (the table's row, on a file shared with housing): where they live and
        // how the way to their own home goes. The tenancy's page asks the household's housing part.
        guard let hid = person.$household.id, let h = try await HousingService.household(hid, on: req.store) else {
            return nil
        }
        let model = HousingSummary.Model(
            householdID: hid, tenancy: try await HousingSummary.current(req, hid),
            canAllocate: req.may(.list, .register(municipality: h.$municipality.id, sector: .housing)),
            canOpen: req.may(.read, HousingService.part(h)), heading: "housing.section")
        return try await req.section("Housing/section", model)
    }
}

/// The household page's housing, behind the household's own housing part.
package struct HouseholdHousingSection: HouseholdSection {
    package let order = 60

    package func render(_ req: Request, _ h: Household) async throws -> String? {
        guard let full = try await HousingService.household(h.id!, on: req.store),
            req.may(.read, HousingService.part(full))
        else { return nil }
        let model = HousingSummary.Model(
            householdID: h.id!, tenancy: try await HousingSummary.current(req, h.id!),
            canAllocate: req.may(.list, .register(municipality: h.$municipality.id, sector: .housing)),
            canOpen: true, heading: "housing.section")
        return try await req.section("Housing/section", model)
    }
}

/// The worklist's inspections: tenancies whose next visit is overdue or within the window, for the integration
/// service and the housing sector (its rows only those of households shared with it).
package struct InspectionsDue: DeadlineSource {
    package let id = "inspections"
    package let titleKey = "worklist.inspections"
    package static let shown = 100

    package func due(_ req: Request, _ filter: WorklistFilter) async throws -> [DueRow] {
        guard filter.kind == nil else { return [] }
        let codes = try await req.municipalities(where: .list) { .register(municipality: $0, sector: .housing) }
            .filter { filter.municipality == nil || $0.value == filter.municipality }
        guard !codes.isEmpty else { return [] }
        let user = try req.requireUser()
        let (_, partner) = try await HousingLists.tenancyScope(req.context, nil)
        let today = req.context.today
        let soon = today.adding(days: Deadlines.soonDays).iso
        var sql: SQLQueryString = """
            SELECT t.id AS id, h.name AS household, t.municipality AS municipality, t.next_inspection AS due
            FROM \(ident: Tenancy.schema) t JOIN \(ident: Household.schema) h ON h.id = t.household_id
            WHERE t.municipality IN (\(binds: codes.map(\.value))) AND t.ended_on IS NULL
            AND t.next_inspection IS NOT NULL AND t.next_inspection <= \(bind: soon)
            """
        if let partner { sql += " AND " + partner }
        if filter.mine {
            sql += """
                 AND EXISTS (SELECT 1 FROM \(ident: Person.schema) m WHERE m.household_id = t.household_id
                AND (m.advisor_id = \(bind: user.id) OR m.case_worker_id = \(bind: user.id)))
                """
        }
        sql += " ORDER BY t.next_inspection, h.name, t.id LIMIT \(unsafeRaw: String(Self.shown))"
        struct Row: Decodable {
            var id: UUID
            var household: String
            var municipality: String
            var due: String
        }
        let rows = try await (req.store as! any SQLDatabase).raw(sql).all(decoding: Row.self)
        let names = try await req.municipalityNames()
        try await req.context.auditList(
            "tenancy", records: rows.compactMap { r in Kommunenummer(r.municipality).map { (r.id, $0) } })
        return rows.compactMap { r -> DueRow? in
            guard let due = LocalDate(iso: r.due), let m = Kommunenummer(r.municipality) else { return nil }
            let status = due < today ? "overdue" : "soon"
            return DueRow(
                href: "/housing/tenancies/\(r.id)#inspections", name: r.household, kindKey: "worklist.inspection",
                due: due.iso, status: status, statusKey: "status.\(status)", municipality: names[m] ?? m.value)
        }
    }
}

/// "Share moved from municipal to own housing within 3 years" (issue #15; Tynset's goal, Elverum's "Fra leie til
/// eie"): of the households in the service's dwellings whose goal day (settlement + the parameter's years) fell in
/// the period and has passed, those whose tenancy ended in their own rental or a bought home by the goal day.
/// Tenancies that ended otherwise (moved away, eviction, another of the service's dwellings) are not counted.
package struct OwnHomeWithin3Years: IndicatorDefinition {
    package let key = "own_home_3y"
    package let unit = IndicatorUnit.share
    package let direction = IndicatorDirection.higher
    package let source = "Tynset integreringsplan (innen 3 år); Elverum strategisk plan 2.3 («Fra leie til eie»)"

    package func figure(_ ctx: ServiceContext, _ codes: [Kommunenummer], _ period: IndicatorPeriod, threshold: Int)
        async throws -> IndicatorFigure
    {
        let to = min(period.to, ctx.today)
        let own = TenancyEnd.allCases.filter(\.ownHome).map(\.rawValue)
        return try await IndicatorShare.count(
            ctx, Tenancy.schema, codes,
            numerator: "end_reason IN (\(binds: own)) AND ended_on <= goal_date",
            where: """
                service_held = \(bind: true) AND goal_date >= \(bind: period.from.iso) AND goal_date <= \(bind: to.iso)
                AND (end_reason IS NULL OR end_reason IN (\(binds: own)) OR ended_on > goal_date)
                """, threshold: threshold)
    }
}
