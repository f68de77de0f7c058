import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Journal notes on a person's file, each in its writer's sector and shared only when marked so.
package struct JournalFeature: Feature {
    package init() {}

    package let id = "journal"
    package var vocabulary: [any Labelled.Type] { [JournalCategory.self] }

    package var migrations: [any Migration] {
        [
            CreateJournal(),
            IndexMigration(
                name: "JournalIndexes",
                [
                    ("idx_journal_entries_person", JournalEntry.schema, ["person_id", "date"]),
                    ("idx_journal_versions_entry", JournalVersion.schema, ["entry_id"]),
                ]),
        ]
    }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: JournalController())
        try routes.api.register(collection: JournalAPIController())
    }

    package var personSections: [any PersonSection] { [JournalSection()] }

    package func deletionLosses(_ req: Request, _ person: Person) async throws -> [String] {
        let n = try await JournalEntry.query(on: req.store).filter(\.$person.$id == person.id!).count()
        return n == 0 ? [] : [req.text("journal.losses", [String(n)])]
    }

    /// A welcome meeting and the mapping, for the adults the demo follows.
    package func seedDemo(_ demo: DemoContext) async throws {
        for (p, arrival) in DemoData.followed(demo) {
            let welcome = JournalEntry()
            welcome.$person.id = p.id!
            welcome.date = arrival.adding(days: 8)
            welcome.category = JournalCategory.meeting
            welcome.sector = Sector.integration
            welcome.shared = true
            welcome.text = "Velkomstsamtale med tolk. Gikk gjennom bolig, bankkonto og oppstart i introduksjonsprogram."
            try await welcome.create(on: demo.db)
            let plan = JournalEntry()
            plan.$person.id = p.id!
            plan.date = arrival.adding(days: 30)
            plan.category = JournalCategory.education
            plan.sector = Sector.integration
            plan.shared = false
            plan.text = "Kompetansekartlegging gjennomført. Ønsker arbeid innen helse; aktuelt med språkpraksis."
            try await plan.create(on: demo.db)
        }
    }
}
