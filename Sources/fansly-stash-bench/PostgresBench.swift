import ArgumentParser
import Foundation
import PostgresNIO
import SampleData
import StashTestServer

/// `fansly-stash-bench postgres`: the release `fansly-stash` on the large sample in PostgreSQL
/// (on 127.0.0.1) against the same sample in SQLite: `inspect`, an offline plan and a plan against
/// the test server holding every file, each in a child process so its time and peak RSS are its own.
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

    func run() async throws {
        guard !pgURL.isEmpty else { throw ValidationError("give --pg-url or set FANSLY_STASH_TEST_PG_URL (scripts/test-postgres start DIR)") }
        let binary = try database.binary()
        let sqlite = try database.database(in: workDir)
        let postgres = try await postgresDatabase()
        // Both read with the files under the work folder, so they look for the same paths.
        let rules = workDir + "/bench-rules.yaml"
        try "extends: default\nsettings:\n  downloadRoot: \(workDir)\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let sqliteFiles = SampleDatabase.downloadedFiles(options: database.sample)
        let postgresFiles = SamplePostgres.downloadedFiles(options: database.sample, shape: shape)

        print("database: \(database.counts); PostgreSQL \(postgres) (\(shape.rawValue) shape) vs SQLite \(sqlite)")
        for (name, db, files) in [("SQLite", sqlite, sqliteFiles), ("PostgreSQL", postgres.url, postgresFiles)] {
            let inspect = try ChildProcess.run(binary, ["inspect", "--db", db], environment: [:], in: workDir)
            guard inspect.status == 0 else { throw ValidationError("\(name) inspect failed: \(inspect.stderr)") }
            let offline = try ChildProcess.run(binary, ["plan", "--db", db, "--rules", rules, "--json"],
                                               environment: ["STASH_URL": ""], in: workDir)
            guard offline.status == 0 else { throw ValidationError("\(name) offline plan failed: \(offline.stderr)") }

            let server = StashTestServer()
            server.seed(paths: files.filter { !$0.path.hasSuffix(".None") }.map { workDir + "/" + $0.path })
            try await server.start()
            let online = try ChildProcess.run(binary, ["plan", "--db", db, "--rules", rules, "--stash-url", server.baseURL.absoluteString, "--json"],
                                              environment: [:], in: workDir)
            let requests = server.requestCount
            await server.stop()
            guard online.status == 0 else { throw ValidationError("\(name) plan against the test server failed: \(online.stderr)") }
            let document = try JSONSerialization.jsonObject(with: online.stdout) as? [String: Any] ?? [:]
            let summary = (document["summary"] as? [String: Int] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            print("""
            \(name):
              inspect: \(format(inspect.seconds)) s, peak RSS \(inspect.peakMB) MB
              offline plan (--json): \(format(offline.seconds)) s, peak RSS \(offline.peakMB) MB
              plan against the test server (--json): \(format(online.seconds)) s, peak RSS \(online.peakMB) MB, \(requests) HTTP requests; \(summary.joined(separator: " "))
            """)
            fflush(stdout)
        }
    }

    /// The sample database on the server, generated the first time (kept between runs).
    private func postgresDatabase() async throws -> PostgresTarget {
        let server = try PostgresTarget(url: pgURL)
        let name = "fansly_bench_\(database.creators)_\(database.postsPerCreator)_\(database.mediaPerPost)_\(shape.rawValue)"
        let exists = try await server.withConnection { connection in
            let rows = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: Self.logger).collect()
            if rows.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
            }
            return !rows.isEmpty
        }
        let target = server.with(database: name)
        if !exists {
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
