import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import InnbyggerApp
@testable import InnbyggerCore
@testable import InnbyggerKernel

@Suite("The bench's synthetic dataset (innbygger bench-data)", .serialized)
struct BenchDataTests {
    @Test("--persons takes a number of persons or 'national' and refuses anything else")
    func scale() {
        #expect(BenchScale(argument: "1000") == .persons(1000))
        #expect(BenchScale(argument: "50_000") == .persons(50000))
        #expect(BenchScale(argument: "national") == .national)
        #expect(BenchScale(argument: "National")?.persons == BenchScale.nationalPersons)
        for bad in ["abc", "", "0", "-5", "99", "10000000", "1e4", "１０００"] {
            #expect(BenchScale(argument: bad) == nil, "\(bad)")
        }
    }

    @Test("The national spread covers every municipality, Oslo first, and adds up to the scale")
    func national() async throws {
        try await withEmptyApp { app in
            let codes = app.referenceNames.municipalities.keys.sorted()
            let plan = BenchData.distribution(.national, municipalities: codes)
            #expect(plan.count == codes.count)
            #expect(plan.first?.0 == "0301")
            #expect(plan.reduce(0) { $0 + $1.1 } == BenchScale.nationalPersons)
            #expect(plan.allSatisfy { $0.1 >= 5 })
            #expect(plan.map(\.1) == plan.map(\.1).sorted(by: >))
        }
    }

    /// The persons table, in id order, as text.
    static func fingerprint(_ app: Application) async throws -> [String] {
        struct Row: Decodable {
            var id: UUID
            var given_name: String
            var birth_date: String
            var settlement_date: String?
        }
        return try await (app.db as! any SQLDatabase).select()
            .columns("id", "given_name", "birth_date", "settlement_date").from(Person.schema).orderBy("id")
            .all(decoding: Row.self).map { "\($0.id) \($0.given_name) \($0.birth_date) \($0.settlement_date ?? "")" }
    }

    @Test("The same scale and seed give the same rows; every feature adds its part; the audit chain holds")
    func reproducible() async throws {
        var first: [String] = []
        var rows: [String: Int] = [:]
        try await withEmptyApp { app in
            let s = try await BenchData.generate(app, scale: .persons(300), seed: 7)
            #expect(s.persons == 300)
            rows = s.rows
            first = try await Self.fingerprint(app)
            #expect(first.count == 300)
            for table in [
                "households", "participations", "programme_measures", "attendance_entries", "journal_entries",
                "norwegian_training", "language_tests", "deadline_events", "settlement_years", "incoming_households",
            ] {
                #expect((s.rows[table] ?? 0) > 0, "\(table)")
            }
            // Whatever the bench wrote, Fluent reads back.
            #expect(try await Person.query(on: app.db).filter(\.$municipality.$id == "3420").count() == 300)
            let (checked, problem) = try await app.auditLog.verify(on: app.db)
            #expect(checked >= 1 && problem == nil)
            await #expect(throws: CommandFailure.self) {
                _ = try await BenchData.generate(app, scale: .persons(300), seed: 7)
            }
        }
        try await withEmptyApp { app in
            let s = try await BenchData.generate(app, scale: .persons(300), seed: 7)
            #expect(s.rows == rows)
            #expect(try await Self.fingerprint(app) == first)
        }
        try await withEmptyApp { app in
            _ = try await BenchData.generate(app, scale: .persons(300), seed: 8)
            #expect(try await Self.fingerprint(app) != first)
        }
    }
}
