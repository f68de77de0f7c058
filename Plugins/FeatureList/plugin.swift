import Foundation
import PackagePlugin

/// Writes the composition root's list of features from the target's dependencies, which Package.swift makes from
/// its `features` list: adding a feature is its folder and one name in that list, nothing else.
@main
struct FeatureList: BuildToolPlugin {
    /// Targets the composition root depends on that are not features.
    static let shared: Set<String> = ["InnbyggerCore", "InnbyggerKernel"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let names = target.dependencies.compactMap { dependency -> String? in
            guard case .target(let t) = dependency, !Self.shared.contains(t.name) else { return nil }
            return t.name
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "Features+Listed.swift")
        return [
            .buildCommand(
                displayName: "Listing the features (\(names.count))",
                executable: try context.tool(named: "FeatureListTool").url,
                arguments: [output.path] + names,
                inputFiles: [context.package.directoryURL.appending(path: "Package.swift")],
                outputFiles: [output])
        ]
    }
}
