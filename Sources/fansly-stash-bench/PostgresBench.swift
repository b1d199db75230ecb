import ArgumentParser
import FanslyMetadata
import Foundation
import MappingRules
import PostgresNIO
import SampleData
import StashClient
import StashTestServer
import SyncEngine

/// `fansly-stash-bench postgres`: the large sample in PostgreSQL (on 127.0.0.1) against the same
/// sample in SQLite: what `inspect` reads, an offline plan and a plan against the test server
/// holding every file. Each step runs in a fresh child process (this benchmark re-run with
/// `--measure STEP`), opening `--db` the way the CLI does (`ResolvedDatabase`, `MetadataStores`),
/// so its time and peak RSS are its own; the test server lives in this process.
struct PostgresBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Time inspect and plan on the large sample in PostgreSQL and in SQLite.")

    @OptionGroup var database: LargeDatabaseOptions
    @Option(help: "A PostgreSQL superuser URL (default: $FANSLY_STASH_TEST_PG_URL); the sample database is made there once and kept.")
    var pgURL = ProcessInfo.processInfo.environment["FANSLY_STASH_TEST_PG_URL"] ?? ""
    @Option(help: "The PostgreSQL sample's shape: migrated (the same rows as the SQLite file) or v013.")
    var shape: SampleShape = .migrated
    @Option(help: "Folder for the SQLite database, the rules and the outputs (kept between runs).")
    var workDir = NSTemporaryDirectory() + "fansly-stash-bench-plan"
    @Option(help: .hidden) var measure: String?
    @Option(help: .hidden) var spec: String?
    @Option(help: .hidden) var stashURL: String?

    func run() async throws {
        if let measure, let spec { return try await Self.measure(measure, spec: spec, rules: rulesPath, stashURL: stashURL) }
        guard !pgURL.isEmpty else { throw ValidationError("give --pg-url or set FANSLY_STASH_TEST_PG_URL (scripts/test-postgres start DIR)") }
        let sqlite = try database.database(in: workDir)
        let postgres = try await postgresDatabase()
        // Both read with the files under the work folder, so they look for the same paths.
        try "extends: default\nsettings:\n  downloadRoot: \(workDir)\n".write(toFile: rulesPath, atomically: true, encoding: .utf8)
        let benchmark = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let common = ["postgres", "--work-dir", workDir]

        print("database: \(database.counts); PostgreSQL \(postgres) (\(shape.rawValue) shape) against SQLite \(sqlite)")
        let runs = [("SQLite", sqlite, SampleDatabase.downloadedFiles(options: database.sample)),
                    ("PostgreSQL", postgres.url, SamplePostgres.downloadedFiles(options: database.sample, shape: shape))]
        for (name, db, files) in runs {
            func child(_ step: String, _ extra: [String] = []) throws -> ChildProcess {
                let result = try ChildProcess.run(benchmark, common + ["--measure", step, "--spec", db] + extra, environment: [:], in: workDir)
                guard result.status == 0 else { throw ValidationError("\(name) \(step) failed: \(result.stderr)") }
                return result
            }
            let inspect = try child("inspect")
            let offline = try child("offline")
            let server = StashTestServer()
            server.seed(paths: files.filter { !$0.path.hasSuffix(".None") }.map { workDir + "/" + $0.path })
            try await server.start()
            let online = try child("online", ["--stash-url", server.baseURL.absoluteString])
            let requests = server.requestCount
            await server.stop()
            print("""
            \(name):
              inspect: \(format(inspect.seconds)) s, peak RSS \(inspect.peakMB) MB (\(text(inspect)))
              offline plan: \(format(offline.seconds)) s, peak RSS \(offline.peakMB) MB (\(text(offline)))
              plan against the test server: \(format(online.seconds)) s, peak RSS \(online.peakMB) MB, \(requests) HTTP requests (\(text(online)))
            """)
            fflush(stdout)
        }
    }

    private var rulesPath: String { workDir + "/bench-rules.yaml" }
    private func text(_ child: ChildProcess) -> String {
        String(decoding: child.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One step in this (child) process: what the CLI does for it, minus printing the result.
    private static func measure(_ step: String, spec: String, rules: String, stashURL: String?) async throws {
        let store = try MetadataStores.open(ResolvedDatabase.resolve(spec))
        if step == "inspect" {
            let creators = try store.creators()
            _ = try store.identity()
            print("\(creators.count) creators, \(creators.reduce(0) { $0 + $1.posts }) posts")
            return
        }
        let ruleSet = try RuleSet.load(files: [URL(fileURLWithPath: rules)])
        let desired = try MappingEngine(rules: ruleSet).evaluate(store: store)
        let inputs = PlanInputs(rulesHash: RulesHash.of(canonicalData: ruleSet.canonicalData), rulesFiles: [rules],
                                database: try store.identity(), stashURL: stashURL)
        let client = try stashURL.map { url -> StashClient in
            guard let base = URL(string: url) else { throw ValidationError("bad --stash-url \(url)") }
            return StashClient(configuration: StashConfiguration(baseURL: base, pageSize: 5000))
        }
        let plan = try await PlanSession(desired: desired, inputs: inputs, client: client, catalog: store as? MediaCatalog,
                                         tool: "bench").run()
        var bytes = 0
        try PlanFile.write(plan) { bytes += $0.count }
        print("\(desired.entities.count) entities, \(plan.changes.count) changes, \(plan.unmatched.count) unmatched, \(bytes / 1024) KiB of JSON")
    }

    /// The sample database on the server, generated the first time (kept between runs).
    private func postgresDatabase() async throws -> PostgresTarget {
        let server = try PostgresTarget(url: pgURL)
        let name = "fansly_bench_\(database.creators)_\(database.postsPerCreator)_\(database.mediaPerPost)_\(shape.rawValue)"
        try await server.withConnection { connection in
            let rows = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: Self.logger).collect()
            if rows.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
            }
        }
        let target = server.with(database: name)
        // Generation is one transaction: a database without tables was never filled.
        let tables = try await target.withConnection { connection in
            try await connection.query("SELECT count(*)::bigint FROM pg_tables WHERE schemaname = 'public'", logger: Self.logger)
                .collect().first?.decode(Int64.self) ?? 0
        }
        if tables == 0 {
            print("generating \(target) (\(shape.rawValue) shape)…")
            fflush(stdout)
            let start = Date()
            let files = try await SamplePostgres.write(to: target, options: database.sample, shape: shape)
            print("generated in \(format(Date().timeIntervalSince(start))) s (\(files.count) downloaded files)")
        }
        return target
    }

    private static let logger = Logger(label: "fansly-stash-bench")
    private func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
}

extension SampleShape: ExpressibleByArgument {}
