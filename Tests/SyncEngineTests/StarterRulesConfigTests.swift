import FanslyMetadata
import Foundation
import MappingRules
import PostgresTestSupport
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// `init` from the downloader's own configuration, for both of its eras: a SQLite-era `config.ini`
/// (`metadata_db_file`) and a PostgreSQL-era `config.yaml` (`postgres:` section).
final class StarterRulesConfigTests: XCTestCase {
    private static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")
    private var folder: URL!
    private var server: StashTestServer!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("starter-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("Downloads"), withIntermediateDirectories: true)
        server = StashTestServer()
        server.modify { $0.libraryPaths = ["/data"] }
        let list = try String(contentsOf: Self.examples.appendingPathComponent("sample-files.txt"), encoding: .utf8)
        server.seed(paths: list.split(separator: "\n").map { "/data/fansly/" + $0 })
        try await server.start()
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func starter(config: URL, environment: [String: String] = [:]) async throws -> StarterRules {
        XCTAssertEqual(StarterRulesRequest.downloaderConfig(in: folder.path), config.path)
        let resolved = try ResolvedDatabase.resolve(config.path, environment: environment, homeDirectory: folder.path)
        let store = try MetadataStores.open(resolved)
        let request = StarterRulesRequest(resolved: resolved, stashURL: server.baseURL, apiKey: nil)
        return try await StarterRules.make(request, store: store)
    }

    func testSQLiteEraConfigIni() async throws {
        try FileManager.default.copyItem(
            at: Self.examples.appendingPathComponent("sample-metadata.sqlite3"),
            to: folder.appendingPathComponent("metadata_db.sqlite3"))
        let config = folder.appendingPathComponent("config.ini")
        try "[Options]\ndownload_directory = Downloads\nmetadata_db_file = metadata_db.sqlite3\n".write(
            to: config, atomically: true, encoding: .utf8)
        let starter = try await starter(config: config)
        XCTAssertEqual(starter.problems, [])
        let downloads = folder.appendingPathComponent("Downloads").standardizedFileURL.path
        XCTAssertTrue(
            starter.text.contains("#   download folder: \(downloads) (download_directory in \(config.path))"),
            starter.text)
        let database = folder.appendingPathComponent("metadata_db.sqlite3").standardizedFileURL.path
        XCTAssertTrue(starter.text.contains("#   fansly-stash plan --db \(database)"), starter.text)
        XCTAssertTrue(starter.text.contains("#   database: \(database) (from \(config.path))"), starter.text)
        XCTAssertEqual(starter.pathMap?.from, downloads)
        XCTAssertEqual(starter.pathMap?.to, "/data/fansly")
    }

    func testPostgreSQLEraConfigYaml() async throws {
        guard let postgres = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        let database = try postgres.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { database.drop() }
        try SQLiteCopy.copy(
            sqlite: Self.examples.appendingPathComponent("sample-metadata.sqlite3").path, into: database)
        let config = folder.appendingPathComponent("config.yaml")
        try """
        options:
          download_directory: \(folder.appendingPathComponent("Downloads").path)
        postgres:
          pg_host: \(postgres.host)
          pg_port: \(postgres.port)
          pg_database: \(database.name)
          pg_user: \(postgres.user)
          pg_password: \(postgres.password)
        """.write(to: config, atomically: true, encoding: .utf8)
        let starter = try await starter(config: config)
        XCTAssertEqual(starter.problems, [])
        XCTAssertTrue(starter.findings.first?.contains("PostgreSQL") ?? false, "\(starter.findings)")
        XCTAssertEqual(starter.pathMap?.to, "/data/fansly")
        XCTAssertFalse(starter.text.contains(postgres.password), "the database password is never written")
        XCTAssertFalse(starter.findings.joined().contains(postgres.password))
        let rules = folder.appendingPathComponent("rules.yaml")
        try starter.text.write(to: rules, atomically: true, encoding: .utf8)
        XCTAssertEqual(try RuleSet.load(files: [rules]).warnings, [])
    }
}
