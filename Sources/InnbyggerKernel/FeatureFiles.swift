import Leaf
import LeafKit
import Vapor

/// Where a feature's templates and strings are: its folder under `Sources/`, next to its code, so adding a feature
/// touches nothing outside its folder but the features list. The kernel's own (the layout, shared partials, common
/// strings) stay under `Resources/`.
package enum FeatureFiles {
    /// A feature's templates, relative to the working directory.
    package static func views(_ folder: String) -> String { "Sources/\(folder)/Views/" }
    /// A feature's strings in one language, relative to the working directory.
    package static func translations(_ folder: String, _ lang: String) -> String {
        "Sources/\(folder)/Translations/\(lang).json"
    }
    /// The kernel's strings in one language, relative to the working directory.
    package static func kernelTranslations(_ lang: String) -> String { "Resources/Translations/\(lang)/kernel.json" }
}

/// Finds `<Folder>/<file>` in `Sources/<Folder>/Views/<file>.leaf` for the features' folders; any other name is
/// left to the next source (the kernel's `Resources/Views`).
package struct FeatureViews: LeafSource {
    let files: [String: NIOLeafFiles]

    package init(folders: [String], workingDirectory: String, fileio: NonBlockingFileIO) {
        var files: [String: NIOLeafFiles] = [:]
        for folder in folders {
            let views = workingDirectory + FeatureFiles.views(folder)
            guard FileManager.default.fileExists(atPath: views) else { continue }
            files[folder] = NIOLeafFiles(fileio: fileio, sandboxDirectory: views, viewDirectory: views)
        }
        self.files = files
    }

    /// The features' folders first, then the kernel's `Resources/Views` (the layout and shared partials).
    package static func sources(_ app: Application) throws -> LeafSources {
        let sources = LeafSources()
        try sources.register(
            source: "features",
            using: FeatureViews(
                folders: app.features.map(\.folder), workingDirectory: app.directory.workingDirectory,
                fileio: app.fileio))
        try sources.register(
            using: NIOLeafFiles(
                fileio: app.fileio, sandboxDirectory: app.directory.viewsDirectory,
                viewDirectory: app.directory.viewsDirectory))
        return sources
    }

    package func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws
        -> EventLoopFuture<ByteBuffer>
    {
        guard let slash = template.firstIndex(of: "/"), let views = files[String(template[..<slash])] else {
            return eventLoop.makeFailedFuture(LeafError(.noTemplateExists(template)))
        }
        return try views.file(
            template: String(template[template.index(after: slash)...]), escape: escape, on: eventLoop)
    }
}
