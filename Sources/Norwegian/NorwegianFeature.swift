import Fluent
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// Norwegian and social studies training (integreringsloven kap. 6): the right and duty, hours, tests and exemptions.
package struct NorwegianFeature: Feature {
    package init() {}

    package let id = "norwegian"

    package var migrations: [any Migration] {
        [
            CreateNorwegianTraining(), CreateNorwegianResults(),
            IndexMigration(
                name: "NorwegianIndexes",
                [
                    ("idx_norwegian_training_person", NorwegianTraining.schema, ["person_id"]),
                    ("idx_norwegian_hours_person", NorwegianHours.schema, ["person_id"]),
                    ("idx_language_tests_person", LanguageTest.schema, ["person_id"]),
                ]),
        ]
    }

    package var derivedTables: [any DerivedTable] { [NorwegianResultTable()] }
    package var indicators: [any IndicatorDefinition] { NorwegianAtTarget.all }

    package func routes(_ routes: FeatureRoutes) throws {
        try routes.pages.register(collection: NorwegianController())
        try routes.api.register(collection: NorwegianAPIController())
    }

    package func deletionLosses(_ req: Request, _ person: Person) async throws -> [String] {
        let hours = try await NorwegianHours.query(on: req.store).filter(\.$person.$id == person.id!).count()
        let tests = try await LanguageTest.query(on: req.store).filter(\.$person.$id == person.id!).count()
        let training = try await NorwegianTraining.query(on: req.store).filter(\.$person.$id == person.id!).count()
        return training + hours + tests == 0 ? [] : [req.text("norwegian.losses", [String(hours), String(tests)])]
    }

    package func personLinks(_ req: Request, _ person: Person) -> [PersonLink] {
        guard req.may(.read, NorwegianService.part(person)) else { return [] }
        return [PersonLink(order: 10, href: "/persons/\(person.id!)/norwegian", key: "persons.norwegian")]
    }

    package func seedDemo(_ demo: DemoContext) async throws {
        try await Self.norwegian(demo)
    }

    /// Norwegian training: hours for the last four months and a few test results for everyone whose file is shared
    /// with adult education, and for Elverum's participants in the programme.
    static func norwegian(_ demo: DemoContext) async throws {
        let db = demo.db
        let today = LocalDate.today
        let shared = try await PersonShare.query(on: db).filter(\.$sector == Sector.adultEducation).all().map {
            $0.$person.id
        }
        let participants = try await demo.app.sharedFacts.startedParticipants("3420", today, db)
        // In the order of the persons' names, not their random ids, so the demo is the same every time it loads.
        let persons = try await Person.query(on: db).filter(\.$id ~~ Set(shared + participants)).all().sorted {
            ($0.familyName, $0.givenName, $0.birthDate) < ($1.familyName, $1.givenName, $1.birthDate)
        }
        for (i, p) in persons.enumerated() {
            guard p.birthDate.age(on: today) >= 18 else { continue }
            let id = p.id!
            let t = NorwegianTraining()
            t.$person.id = id
            t.decisionDate = today.adding(months: -6)
            try await t.create(on: db)
            for back in 1...4 {
                let h = NorwegianHours()
                h.$person.id = id
                h.month = YearMonth(today.adding(months: -back))
                h.minutes = (50 + (i * 7 + back * 3) % 30) * 60
                try await h.create(on: db)
            }
            for (n, skill) in NorwegianSkill.allCases.enumerated() where (i + n) % 2 == 0 {
                let test = LanguageTest()
                test.$person.id = id
                test.kind = .norwegian
                test.skill = skill
                test.level = [.a1, .a2, .b1, .a2][(i + n) % 4]
                test.date = today.adding(days: -30 - n)
                try await test.create(on: db)
            }
            if i % 3 == 0 {
                let test = LanguageTest()
                test.$person.id = id
                test.kind = .socialStudies
                test.passed = true
                test.date = today.adding(days: -45)
                try await test.create(on: db)
            }
        }
    }
}
