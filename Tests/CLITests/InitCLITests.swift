import Foundation
import PostgresTestSupport
import StashTestServer
import XCTest

/// `fansly-stash init` run where the downloader keeps its configuration, for both downloader eras.
final class InitCLITests: XCTestCase {
    private var folder: URL!
    private var server: StashTestServer!
    private var sample: URL { CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3") }

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("Downloads"), withIntermediateDirectories: true)
        server = StashTestServer(apiKey: "init-key")
        server.modify { $0.libraryPaths = ["/data"] }
        let list = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        server.seed(paths: list.split(separator: "\n").map { "/data/fansly/" + $0 })
        try await server.start()
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func run(_ arguments: [String], key: String = "init-key") throws -> CLIResult {
        try CLI.run(
            arguments,
            environment: ["STASH_API_KEY": key, "XDG_STATE_HOME": folder.appendingPathComponent("state").path],
            currentDirectory: folder)
    }

    func testSQLiteEraConfigIniThenPlanNeedsNothingElse() throws {
        try FileManager.default.copyItem(at: sample, to: folder.appendingPathComponent("metadata_db.sqlite3"))
        try "[Options]\ndownload_directory = Downloads\nmetadata_db_file = metadata_db.sqlite3\n"
            .write(to: folder.appendingPathComponent("config.ini"), atomically: true, encoding: .utf8)
        let result = try run(["init", "--stash-url", server.baseURL.absoluteString])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let rulesFile = folder.appendingPathComponent("fansly-stash.yaml")
        let text = try String(contentsOf: rulesFile, encoding: .utf8)
        XCTAssertTrue(text.contains("extends: default"), text)
        XCTAssertTrue(text.contains("      to: /data/fansly"), text)
        XCTAssertTrue(result.stdout.contains("the API key works"), result.stdout)
        XCTAssertFalse(text.contains("init-key") || result.output.contains("init-key"), "the key is never shown")

        XCTAssertEqual(try run(["rules", "check", "--rules", rulesFile.path]).exitCode, 0)
        let plan = try run([
            "plan", "--rules", rulesFile.path, "--db", folder.appendingPathComponent("metadata_db.sqlite3").path,
            "--stash-url", server.baseURL.absoluteString,
        ])
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        XCTAssertFalse(plan.stdout.contains("Note: Stash sees the downloads"), "the rules say where: \(plan.stdout)")
        XCTAssertFalse(plan.stdout.contains("not in Stash (not scanned yet?)"), plan.stdout)

        // Never overwrites.
        try "# mine\n".write(to: rulesFile, atomically: true, encoding: .utf8)
        let again = try run(["init", "--stash-url", server.baseURL.absoluteString])
        XCTAssertEqual(again.exitCode, 1)
        XCTAssertTrue(again.stderr.contains("already exists"), again.stderr)
        XCTAssertEqual(try String(contentsOf: rulesFile, encoding: .utf8), "# mine\n")
    }

    func testPostgreSQLEraConfigYaml() throws {
        guard let postgres = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        let database = try postgres.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { database.drop() }
        try SQLiteCopy.copy(sqlite: sample.path, into: database)
        try """
        options:
          download_directory: Downloads
        postgres:
          pg_host: \(postgres.host)
          pg_port: \(postgres.port)
          pg_database: \(database.name)
          pg_user: \(postgres.user)
        """.write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let result = try CLI.run(
            ["init", "--stash-url", server.baseURL.absoluteString, "--out", "rules.yaml"],
            environment: ["STASH_API_KEY": "init-key", "FANSLY_PG_PASSWORD": postgres.password],
            currentDirectory: folder)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let text = try String(contentsOf: folder.appendingPathComponent("rules.yaml"), encoding: .utf8)
        XCTAssertTrue(text.contains("PostgreSQL"), text)
        XCTAssertTrue(text.contains("      to: /data/fansly"), text)
        XCTAssertFalse(
            text.contains(postgres.password) || result.output.contains(postgres.password), "the password is never shown"
        )
    }

    func testWithoutAConfigurationOrDbItSaysWhatToGive() throws {
        let result = try run(["init"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.stderr.contains("no --db given and no config.yaml or config.ini"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("fansly-stash.yaml").path))
    }

    func testAWrongKeyIsReportedAndTheFileStillWritten() throws {
        let db = folder.appendingPathComponent("metadata_db.sqlite3")
        try FileManager.default.copyItem(at: sample, to: db)
        let result = try run(["init", "--db", db.path, "--stash-url", server.baseURL.absoluteString], key: "wrong")
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.stderr.contains("rejected the API key"), result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("fansly-stash.yaml").path))
    }

    func testPathMapOnTheCommandLine() throws {
        let db = folder.appendingPathComponent("db/metadata_db.sqlite3")
        try FileManager.default.createDirectory(at: db.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: sample, to: db)
        let url = server.baseURL.absoluteString
        let mapped = try run([
            "plan", "--db", db.path, "--stash-url", url, "--path-map",
            "\(db.deletingLastPathComponent().path)=/data/fansly",
        ])
        XCTAssertEqual(mapped.exitCode, 0, mapped.stderr)
        XCTAssertFalse(
            mapped.stdout.contains("Note: Stash sees the downloads"), "the mapping says where: \(mapped.stdout)")
        XCTAssertFalse(mapped.stdout.contains("not in Stash (not scanned yet?)"), mapped.stdout)
        let bad = try run(["plan", "--db", db.path, "--path-map", "relative=/data"])
        XCTAssertEqual(bad.exitCode, 1)
        XCTAssertTrue(bad.stderr.contains("FROM=TO"), bad.stderr)
    }

    func testRulesCheckWarnsAboutAMissingDownloadRootAndPlanSaysSo() throws {
        let rules = folder.appendingPathComponent("mine.yaml")
        try "extends: default\nsettings:\n  downloadRoot: ./not-here\n".write(
            to: rules, atomically: true, encoding: .utf8)
        let check = try run(["rules", "check", "--rules", rules.path])
        XCTAssertEqual(check.exitCode, 0, check.stderr)
        XCTAssertTrue(
            check.stderr.contains(
                "warning: \(rules.path):3:17: settings.downloadRoot \(folder.path)/not-here is not a folder"),
            check.stderr)
        XCTAssertTrue(check.stdout.contains("(1 warning)"), check.stdout)
        let plan = try run(["plan", "--rules", rules.path, "--db", sample.path])
        XCTAssertTrue(plan.stdout.contains("Note: \(rules.path):3:17: settings.downloadRoot"), plan.stdout)
    }
}
