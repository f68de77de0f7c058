import Foundation
import InnbyggerCore
import InnbyggerKernel
import Vapor

/// `Resources/Parameters/work.json`: the matching weights and the follow-up interval, each dated.
package struct WorkParameters: Decodable, Sendable {
    package struct Dated<V: Decodable & Sendable>: Decodable, Sendable {
        var from: LocalDate
        var value: V
        var reference: String
    }
    var matchWeights: [Dated<MatchWeights>]
    var followUpDays: [Dated<Int>]

    static func current<V>(_ entries: [Dated<V>], on day: LocalDate) -> V? {
        entries.filter { $0.from <= day }.max { $0.from < $1.from }?.value ?? entries.min { $0.from < $1.from }?.value
    }

    /// The weights in force on `day` (the earliest entry before the first).
    package func weights(on day: LocalDate) -> MatchWeights {
        Self.current(matchWeights, on: day)
            ?? MatchWeights(goal: 3, occupation: 4, languageLevel: 2, location: 2, spokenLanguage: 1)
    }

    package func followUpDays(on day: LocalDate) -> Int { Self.current(followUpDays, on: day) ?? 30 }

    package static func load(_ app: Application) throws -> WorkParameters {
        let path = app.directory.resourcesDirectory + "Parameters/work.json"
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let p = try JSONDecoder().decode(WorkParameters.self, from: data)
            guard !p.matchWeights.isEmpty, !p.followUpDays.isEmpty else {
                throw ConfigurationError("no entries")
            }
            return p
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/work.json: \(error)")
        }
    }
}

struct WorkParametersKey: StorageKey { typealias Value = WorkParameters }

extension Application {
    package var workParameters: WorkParameters {
        get {
            guard let p = storage[WorkParametersKey.self] else { fatalError("WorkFeature.configure has not run") }
            return p
        }
        set { storage[WorkParametersKey.self] = newValue }
    }
}
