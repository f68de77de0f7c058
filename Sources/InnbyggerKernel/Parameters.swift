import Foundation
import InnbyggerCore
import Vapor

package struct RulesEngineKey: StorageKey { package typealias Value = RulesEngine }

extension Application {
    /// The rules engine with the service's dated parameters (`Resources/Parameters/rules.json`).
    package var rulesEngine: RulesEngine {
        get { storage[RulesEngineKey.self]! }
        set { storage[RulesEngineKey.self] = newValue }
    }
}

package struct ProgrammeParametersKey: StorageKey { package typealias Value = ProgrammeParameters }

private struct DisclosureParametersKey: StorageKey { typealias Value = DisclosureParameters }

extension Application {
    /// The one rule for figures about few persons, in force today (`Resources/Parameters/disclosure.json`).
    package var disclosure: DisclosureControl {
        storage[DisclosureParametersKey.self]!.control(on: .today)
    }

    /// G, benefit factors and programme durations in force by date (`Resources/Parameters/programme.json`).
    package var programmeParameters: ProgrammeParameters {
        get { storage[ProgrammeParametersKey.self]! }
        set { storage[ProgrammeParametersKey.self] = newValue }
    }
}

/// The dated parameter files every feature may read, loaded once at start.
package enum Parameters {
    package static func load(_ app: Application) throws {
        do {
            app.rulesEngine = RulesEngine(
                parameters: try RuleParameters.load(
                    from: URL(fileURLWithPath: app.directory.resourcesDirectory + "Parameters/rules.json")))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/rules.json: \(error)")
        }
        do {
            app.programmeParameters = try ProgrammeParameters.load(
                from: URL(fileURLWithPath: app.directory.resourcesDirectory + "Parameters/programme.json"))
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/programme.json: \(error)")
        }
        do {
            app.storage[DisclosureParametersKey.self] = try DisclosureParameters.load(
                resourcesDirectory: app.directory.resourcesDirectory)
        } catch {
            throw ConfigurationError("cannot read Resources/Parameters/disclosure.json: \(error)")
        }
    }
}
