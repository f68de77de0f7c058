import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Work practice and employers (issue #15): workplaces and their places for language and work practice, matching,
/// placements with their follow-up, and the measures NAV owns.
package struct WorkFeature: Feature {
    package init() {}

    package let id = "work"

    package var vocabulary: [any Labelled.Type] {
        [
            WorkTrade.self, PlaceKind.self, PlaceStatus.self, PlacementOutcome.self, FollowUpKind.self,
            NavMeasureKind.self, MatchReason.self,
        ]
    }

    package var migrations: [any Migration] {
        [
            CreateWorkTables(),
            IndexMigration(
                name: "WorkIndexes",
                [
                    ("idx_work_providers_name", WorkProvider.schema, ["municipality", "name"]),
                    ("idx_work_places_provider", WorkPlace.schema, ["provider_id"]),
                    ("idx_work_placements_person", WorkPlacement.schema, ["person_id"]),
                    ("idx_work_placements_place", WorkPlacement.schema, ["place_id", "ended_on"]),
                    ("idx_work_placements_municipality", WorkPlacement.schema, ["municipality", "ended_on"]),
                    ("idx_work_followups_placement", WorkFollowUp.schema, ["placement_id"]),
                    ("idx_work_followups_due", WorkFollowUp.schema, ["municipality", "done_on", "due_on"]),
                    ("idx_work_nav_placement", WorkNavMeasure.schema, ["placement_id"]),
                ]),
        ]
    }

    package func configure(_ app: Application) throws {
        app.workParameters = try WorkParameters.load(app)
        app.sharedFacts.practiceOutcomes = { person, db in
            try await WorkPlacement.query(on: db).filter(\.$person.$id == person).filter(\.$outcome != nil)
                .filter(\.$endedOn != nil).with(\.$place) { $0.with(\.$provider) }.sort(\.$endedOn, .descending)
                .limit(20).all().compactMap { p in
                    guard let ended = p.endedOn, let outcome = p.outcome else { return nil }
                    return PracticeOutcome(
                        provider: p.place.provider.name, kind: p.kind.rawValue, endedOn: ended,
                        outcome: outcome.rawValue)
                }
        }
    }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: WorkController())
    }

    package func navigation(_ req: Request) async throws -> [NavEntry] {
        guard try await !WorkService.municipalities(req.context, .list).isEmpty else { return [] }
        return [NavEntry(order: 520, href: "/practice", key: "nav.work")]
    }

    package var personSections: [any PersonSection] { [WorkSection()] }

    package func personLinks(_ req: Request, _ person: Person) -> [PersonLink] {
        guard req.context.mayRead(section: WorkSection.sectionID, of: person) else { return [] }
        return [PersonLink(order: 15, href: "/persons/\(person.id!)/practice", key: "work.person_link")]
    }

    package func deletionLosses(_ req: Request, _ person: Person) async throws -> [String] {
        let placements = try await WorkPlacement.query(on: req.store).filter(\.$person.$id == person.id!).all()
        guard !placements.isEmpty else { return [] }
        let ids = placements.compactMap(\.id)
        let followUps = try await WorkFollowUp.query(on: req.store).filter(\.$placement.$id ~~ ids).count()
        let nav = try await WorkNavMeasure.query(on: req.store).filter(\.$placement.$id ~~ ids).count()
        return [req.text("work.losses", [String(placements.count), String(followUps), String(nav)])]
    }

    package var deadlineSources: [any DeadlineSource] { [FollowUpsDue()] }
    package var indicators: [any IndicatorDefinition] { [WorkPracticeToJob()] }

    package func seedDemo(_ demo: DemoContext) async throws {
        try await WorkDemo.load(demo)
    }
}
