public import ArgumentParser
import Foundation
import PostgresNIO
import SampleData
import StashTestServer

/// `fansly-stash-bench postgres`: the release `fansly-stash` on the large sample in PostgreSQL
/// (on 127.0.0.1) against the same sample in SQLite: `inspect`, an offline plan and a plan against
/// the test server holding every file, each in a child process so that its time and peak RSS are
/// its own (the test server lives in this process).
struct PostgresBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Time fansly-stash inspect and plan on the large sample in PostgreSQL and in SQLite.")

    @OptionGroup var database: LargeDatabaseOptions
    @Option(
        help:
            "A PostgreSQL superuser URL (default: $FANSLY_STASH_TEST_PG_URL); the sample database is made there once and kept."
    )
    var pgURL = ProcessInfo.processInfo.environment["FANSLY_STASH_TEST_PG_URL"] ?? ""
    @Option(help: "The PostgreSQL sample's shape: migrated (the same rows as the SQLite file) or v013.")
    var shape: SampleShape = .migrated
    @Option(help: "Folder for the SQLite database, the rules and the outputs (kept between runs).")
    var workDir = NSTemporaryDirectory() + "fansly-stash-bench-plan"

    func run() async throws {
        guard !pgURL.isEmpty else {
            throw ValidationError("give --pg-url or set FANSLY_STASH_TEST_PG_URL (scripts/test-postgres start DIR)")
        }
        let binary = try database.binary()
        let sqlite = try database.database(in: workDir)
        let postgres = try await postgresDatabase()
        // Both read with the files under the work folder, so they look for the same paths.
        let rules = workDir + "/bench-rules.yaml"
        try "extends: default\nsettings:\n  downloadRoot: \(workDir)\n".write(
            toFile: rules, atomically: true, encoding: .utf8)

        print("database: \(database.counts); PostgreSQL \(postgres) (\(shape.rawValue) shape) against SQLite \(sqlite)")
        let runs = [
            ("SQLite", sqlite, SampleDatabase.downloadedFiles(options: database.sample)),
            ("PostgreSQL", postgres.url, SamplePostgres.downloadedFiles(options: database.sample, shape: shape)),
        ]
        for (name, db, files) in runs {
            func child(_ arguments: [String], environment: [String: String] = ["STASH_URL": ""]) throws -> ChildProcess
            {
                let result = try ChildProcess.run(binary, arguments, environment: environment, in: workDir)
                guard result.status == 0 else {
                    throw ValidationError("\(name) \(arguments[0]) failed: \(result.stderr)")
                }
                return result
            }
            let inspect = try child(["inspect", "--db", db])
            let offline = try child(["plan", "--db", db, "--rules", rules, "--json"])
            let server = StashTestServer()
            server.seed(paths: files.filter { !$0.path.hasSuffix(".None") }.map { workDir + "/" + $0.path })
            try await server.start()
            let online = try child(
                ["plan", "--db", db, "--rules", rules, "--stash-url", server.baseURL.absoluteString, "--json"],
                environment: [:])
            let requests = server.requestCount
            await server.stop()
            print(
                """
                \(name):
                  inspect: \(format(inspect.seconds)) s (CPU \(format(inspect.cpuSeconds)) s), peak RSS \(inspect.peakMB) MB
                  offline plan (--json): \(format(offline.seconds)) s (CPU \(format(offline.cpuSeconds)) s), peak RSS \(offline.peakMB) MB (\(summary(offline)))
                  plan against the test server (--json): \(format(online.seconds)) s (CPU \(format(online.cpuSeconds)) s), peak RSS \(online.peakMB) MB, \(requests) HTTP requests (\(summary(online)))
                """)
            fflush(nil)
        }
    }

    private func summary(_ child: ChildProcess) -> String {
        let document = (try? PlanBench.document(child.stdout)) ?? [:]
        let summary = document["summary"] as? [String: Int] ?? [:]
        return summary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// The sample database on the server, generated the first time (kept between runs).
    private func postgresDatabase() async throws -> PostgresTarget {
        try await Self.sampleDatabase(serverURL: pgURL, options: database, shape: shape)
    }

    /// `fansly_bench_<creators>_<posts>_<media>_<shape>` on the server at `serverURL`, generated the
    /// first time (kept between runs); also used by the `scale` suite.
    static func sampleDatabase(serverURL: String, options: LargeDatabaseOptions, shape: SampleShape) async throws
        -> PostgresTarget
    {
        let server = try PostgresTarget(url: serverURL)
        let name =
            "fansly_bench_\(options.creators)_\(options.postsPerCreator)_\(options.mediaPerPost)_\(shape.rawValue)"
        try await server.withConnection { connection in
            let rows = try await connection.query(
                "SELECT 1 FROM pg_database WHERE datname = \(name)", logger: Self.logger
            ).collect()
            if rows.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
            }
        }
        let target = server.with(database: name)
        // Generation is one transaction: a database without tables was never filled.
        let tables = try await target.withConnection { connection in
            try await connection.query(
                "SELECT count(*)::bigint FROM pg_tables WHERE schemaname = 'public'", logger: Self.logger
            )
            .collect().first?.decode(Int64.self) ?? 0
        }
        if tables == 0 {
            print("generating \(target) (\(shape.rawValue) shape)…")
            fflush(nil)
            let start = Date()
            let files = try await SamplePostgres.write(to: target, options: options.sample, shape: shape)
            print(
                "generated in \(String(format: "%.2f", Date().timeIntervalSince(start))) s (\(files.count) downloaded files)"
            )
        }
        return target
    }

    private static let logger = Logger(label: "fansly-stash-bench")
    private func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
}

extension SampleShape: ExpressibleByArgument {}
