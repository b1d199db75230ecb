// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fansly-stash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fansly-stash", targets: ["fansly-stash"]),
        .executable(name: "fansly-sample", targets: ["fansly-sample"]),
        .executable(name: "fansly-stash-bench", targets: ["fansly-stash-bench"]),
        .library(name: "FanslyMetadata", targets: ["FanslyMetadata"]),
        .library(name: "MappingRules", targets: ["MappingRules"]),
        .library(name: "StashClient", targets: ["StashClient"]),
        .library(name: "SyncEngine", targets: ["SyncEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.0.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // async-http-client's own event loop library; named for its error and buffer types.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        // async-http-client's response decompression settings (NIOHTTPCompression).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.26.0"),
        // GraphQL's `Map` is built on OrderedDictionary; the test server walks it.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        // zlib's gzip streams for `.gz` plan files.
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // Typed, read-only access to the downloader's metadata database (SQLite or PostgreSQL).
        .target(
            name: "FanslyMetadata",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, to read hot columns in place.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                // PostgreSQL (fansly-scraper 0.11+) over SwiftNIO, no libpq.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                // The downloader's config.yaml (`--db config.yaml`).
                .product(name: "Yams", package: "Yams"),
            ]),
        // Rule model, YAML loading, template language and the mapping engine.
        // `Rules` links to the repository's rules/ folder: the shipped rules and their JSON Schema, compiled
        // into the binary (EmbeddedRules.swift) so the installed tool finds them from any directory.
        .target(
            name: "MappingRules",
            dependencies: [
                "FanslyMetadata",
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [
                .embedInCode("Rules/default.yaml"),
                .embedInCode("Rules/fansly-stash-rules.schema.json"),
            ]),
        // GraphQL over HTTP for Stash: typed inputs, batching, auth, retries.
        .target(
            name: "StashClient",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ]),
        // glibc's mallopt/malloc_trim through <malloc.h>, for SyncEngine's GlibcMalloc (no-ops elsewhere).
        .target(name: "CGlibcMalloc"),
        // Matching, diff, plan file, BatchProcessor, SyncState, SyncMonitor; plan and apply as operations.
        .target(
            name: "SyncEngine",
            dependencies: [
                "FanslyMetadata", "MappingRules", "StashClient", "CGlibcMalloc",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // The command-line tool: thin argument parsing over the libraries.
        .executableTarget(
            name: "fansly-stash",
            dependencies: [
                "FanslyMetadata", "MappingRules", "StashClient", "SyncEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Deterministic generator of metadata databases with the downloader's exact schema
        // (SQLite as v0.10 wrote it, PostgreSQL as v0.15.1 creates it).
        .target(
            name: "SampleData",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "fansly-sample",
            dependencies: [
                "SampleData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // An in-memory Stash speaking Stash v0.30.1's GraphQL over HTTP, for tests and benchmarks.
        .target(
            name: "StashTestServer",
            dependencies: [
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]),
        .executableTarget(
            name: "fansly-stash-bench",
            dependencies: [
                "FanslyMetadata", "MappingRules", "StashClient", "SyncEngine", "SampleData", "StashTestServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        // A test PostgreSQL server's databases and roles, made and dropped per test (FANSLY_STASH_TEST_PG_URL).
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                "SampleData", "StashTestServer",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "FanslyMetadataTests",
            dependencies: [
                "FanslyMetadata", "SampleData", "PostgresTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "MappingRulesTests",
            dependencies: ["MappingRules", "FanslyMetadata", "SampleData", "PostgresTestSupport"],
            // Read from the source tree by path (the golden tests rewrite them when asked), not bundled.
            exclude: ["Golden"]),
        .testTarget(
            name: "StashClientTests",
            dependencies: [
                "StashClient", "StashTestServer",
                .product(name: "GraphQL", package: "GraphQL"), .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]),
        .testTarget(
            name: "SyncEngineTests",
            dependencies: [
                "SyncEngine", "SampleData", "StashTestServer", "PostgresTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The snapshot's finds checked against Stash's schemas.
                .product(name: "GraphQL", package: "GraphQL"),
            ]),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "fansly-stash", "SampleData", "StashTestServer", "PostgresTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Yams", package: "Yams"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)

// Every target, as Hummingbird does (the C target ignores Swift settings): an import is internal unless
// written `public import` (a module's surface names what it exposes), and a member is visible only in files
// that import its module.
for target in package.targets {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("InternalImportsByDefault"),
            .enableUpcomingFeature("MemberImportVisibility"),
        ]
}
