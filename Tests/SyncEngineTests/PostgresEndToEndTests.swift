import FanslyMetadata
import Foundation
import MappingRules
import PostgresTestSupport
import SampleData
import StashClient
import StashTestServer
import XCTest
@testable import SyncEngine

/// The generated PostgreSQL sample, in both shapes, read as a role with nothing but SELECT grants
/// (its password given the way users give it, in `$FANSLY_PG_PASSWORD`), planned and applied over
/// HTTP against the test server: every scanned file matched and attributed to its creator and date,
/// a second plan empty, the rows unchanged, and the password neither in the plan nor in the state.
final class PostgresEndToEndTests: XCTestCase {
    func testMigratedShapePlanApplyPlan() async throws {
        try await runEndToEnd(shape: .migrated)
    }

    func testV013ShapePlanApplyPlan() async throws {
        try await runEndToEnd(shape: .v013)
    }

    private func runEndToEnd(shape: SampleShape, file: StaticString = #filePath, line: UInt = #line) async throws {
        let (url, password, database, files) = try await PostgresReader.sample(self, shape: shape)
        let before = try database.checksum()
        // Resolved and opened as `--db URL` is, the password from the downloader's variable.
        let resolved = try ResolvedDatabase.resolve(url, environment: ["FANSLY_PG_PASSWORD": password],
                                                    homeDirectory: FileManager.default.temporaryDirectory.path)
        let store = try XCTUnwrap(try MetadataStores.open(resolved) as? PostgresMetadataDatabase)
        addTeardownBlock { store.close() }
        let rules = try RuleSet.load(yaml: """
            extends: default
            settings:
              downloadRoot: /downloads
              pathMap:
                - from: /downloads
                  to: /data/fansly
            """, name: "mapped.yaml")
        let desired = try MappingEngine(rules: rules).evaluate(store: store)

        let server = StashTestServer()
        let scanned = files.filter { !$0.path.hasSuffix(".None") }
        server.seed(paths: scanned.map { "/data/fansly/" + $0.path })
        try await server.start()
        addTeardownBlock { await server.stop() }
        let client = StashClient(configuration: StashConfiguration(baseURL: server.baseURL, retryPolicy: .none))
        let inputs = PlanInputs(rulesHash: "sha256:pg", rulesFiles: [], database: try store.identity(), stashURL: server.baseURL.absoluteString)
        let statePath = FileManager.default.temporaryDirectory.appendingPathComponent("pg-e2e-\(UUID().uuidString).sqlite3").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: statePath) }
        let state = try SyncState(path: statePath)

        let first = try await PlanSession(desired: desired, inputs: inputs, client: client, links: state, catalog: store, tool: "test").run()
        let scannedIds = Set(scanned.map(\.fileId))
        let missed = first.unmatched.filter { scannedIds.contains($0.fileMediaId) }
        XCTAssertEqual(missed.map { $0.reason }, [String](), "\(shape): scanned but unmatched", file: file, line: line)
        let document = String(decoding: try PlanFile.encode(first), as: UTF8.self)
        XCTAssertFalse(document.contains(password), "\(shape): the password is in the plan", file: file, line: line)

        let applier = Applier(writer: StashClientWriter(client: client), state: state, monitor: SyncMonitor(style: .quiet) { _ in },
                              options: BatchOptions(batchSize: 50, parallelism: 2, maxAttempts: 2, retryDelay: .milliseconds(5)))
        let report = await applier.apply(first)
        XCTAssertEqual(report.failures.map { String(describing: $0) }, [String](), "\(shape)", file: file, line: line)

        let problems = Attribution.problems(files: scanned, state: server.state, usernames: try PostgresReader.usernames(database))
        XCTAssertEqual(problems, [], "\(shape): \(problems.count) of \(scanned.count) scanned files", file: file, line: line)

        let second = try await PlanSession(desired: desired, inputs: inputs, client: client, links: state, catalog: store, tool: "test").run()
        XCTAssertFalse(second.summary.hasChanges, "\(shape): " + PlanRenderer().render(second), file: file, line: line)

        XCTAssertEqual(try database.checksum(), before, "\(shape): the downloader's database was written", file: file, line: line)
        XCTAssertNil(try Data(contentsOf: URL(fileURLWithPath: statePath)).range(of: Data(password.utf8)),
                     "\(shape): the password is in the state file", file: file, line: line)
    }
}

/// A generated sample and a login role that may only read it.
enum PostgresReader {
    /// The sample in `shape` and a role with CONNECT, USAGE and SELECT only; the URL names the
    /// role without its password.
    static func sample(_ testCase: XCTestCase, shape: SampleShape) async throws
        -> (url: String, password: String, database: TestDatabase, files: [SampleFile]) {
        let server = try TestPostgres.requireServer()
        let password = "pg-e2e-" + UUID().uuidString
        let role = try server.createRole(prefix: "fs_reader", password: password)
        // Registered first, so it runs after the database is dropped (teardown blocks run last-in first-out).
        testCase.addTeardownBlock { server.dropRole(role) }
        let (database, files) = try await TestPostgres.sampleDatabase(testCase, shape: shape)
        try database.execute("""
            GRANT CONNECT ON DATABASE \(database.name) TO \(role);
            GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role);
            """)
        return (server.url(database: database.name, user: role, password: nil), password, database, files)
    }

    static func usernames(_ database: TestDatabase) throws -> [Int64: String] {
        var result: [Int64: String] = [:]
        for row in try database.rows("SELECT id::text, username::text FROM accounts") {
            if let id = row[0].flatMap(Int64.init), let name = row[1] { result[id] = name }
        }
        return result
    }
}

/// Whether each scanned file's scene or image carries its media's code, its owner's studio and the
/// date in its file name (the item's `account_media.createdAt`).
enum Attribution {
    static func problems(files: [SampleFile], state: StashState, usernames: [Int64: String], root: String = "/data/fansly/") -> [String] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        var problems: [String] = []
        for sample in files {
            let path = root + sample.path
            let found: (code: String, date: String?, studioId: Int?)?
            if let scene = state.scenes.values.first(where: { $0.path == path }) {
                found = (scene.code, scene.date, scene.studioId)
            } else if let image = state.images.values.first(where: { $0.path == path }) {
                found = (image.code, image.date, image.studioId)
            } else {
                found = nil
            }
            guard let found else { problems.append("\(sample.path): not in Stash"); continue }
            let studio = found.studioId.flatMap { state.studios[$0]?.name }
            let owner = usernames[sample.ownerId] ?? "?"
            if found.code.isEmpty { problems.append("\(sample.path): no code") }
            if studio != "\(owner) (Fansly)" { problems.append("\(sample.path): studio \(studio ?? "none"), expected \(owner) (Fansly)") }
            let date = formatter.string(from: sample.createdAt)
            if found.date != date { problems.append("\(sample.path): date \(found.date ?? "none"), expected \(date)") }
        }
        return problems
    }
}
