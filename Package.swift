// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The feature targets, each a folder under Sources/ with its code, its `Views/` and its `Translations/` (see
/// docs/adding-a-feature.md). The composition root's list of features is generated from this one.
let features = [
    "Account", "Admin", "Overview", "Persons", "Rules", "Worklist", "Journal", "Settlement", "Programme", "Norwegian",
    "Economy", "Plan", "Housing", "Work",
]

let package = Package(
    name: "Innbygger",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "innbygger", targets: ["innbygger"])
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", exact: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", exact: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", exact: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", exact: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", exact: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", exact: "0.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
    ],
    targets: [
        // Pure domain rules: no Vapor, no database.
        .target(name: "InnbyggerCore"),
        // What every feature shares: tenancy, users, sessions, the policy glue, the audit writer, the person and
        // household record and its guarded load, forms, pages, localisation, CSV, and the feature contract.
        .target(
            name: "InnbyggerKernel",
            dependencies: [
                "InnbyggerCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
        + features.map { name in
            // One target per feature, depending only on the core and the kernel: no feature imports another.
            .target(
                name: name,
                dependencies: [
                    "InnbyggerCore",
                    "InnbyggerKernel",
                    .product(name: "Vapor", package: "vapor"),
                    .product(name: "Fluent", package: "fluent"),
                ],
                // Templates and strings are read at run time from the feature's folder, not compiled.
                exclude: ["Views", "Translations"].filter {
                    FileManager.default.fileExists(atPath: "\(Context.packageDirectory)/Sources/\(name)/\($0)")
                },
                swiftSettings: [.swiftLanguageMode(.v5)]
            )
        } + [
            // The composition root: configuration and routes. Its list of features is generated from `features`.
            .target(
                name: "InnbyggerApp",
                dependencies: ["InnbyggerCore", "InnbyggerKernel"] + features.map { .target(name: $0) },
                swiftSettings: [.swiftLanguageMode(.v5)],
                plugins: ["FeatureList"]
            ),
            .executableTarget(name: "FeatureListTool", path: "Plugins/FeatureListTool"),
            .plugin(name: "FeatureList", capability: .buildTool(), dependencies: ["FeatureListTool"]),
            .executableTarget(
                name: "innbygger",
                dependencies: ["InnbyggerApp"],
                swiftSettings: [.swiftLanguageMode(.v5)]
            ),
            .testTarget(name: "InnbyggerCoreTests", dependencies: ["InnbyggerCore"]),
            .testTarget(
                name: "InnbyggerAppTests",
                dependencies: ["InnbyggerApp", "InnbyggerKernel"] + features.map { .target(name: $0) } + [
                    .product(name: "VaporTesting", package: "vapor"),
                    .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                ]
            ),
        ]
)
