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
        let (url, password, database, files) = try await TestPostgres.readOnlySample(self, shape: shape)
        let before = try database.checksum()
        // Resolved and opened as `--db URL` is, the password from the downloader's variable.
        let resolved = try ResolvedDatabase.resolve(
            url, environment: ["FANSLY_PG_PASSWORD": password],
            homeDirectory: FileManager.default.temporaryDirectory.path)
        let store = try XCTUnwrap(try MetadataStores.open(resolved) as? PostgresMetadataDatabase)
        addTeardownBlock { store.close() }
        let rules = try RuleSet.load(
            yaml: """
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
        let inputs = PlanInputs(
            rulesHash: "sha256:pg", rulesFiles: [], database: try store.identity(),
            stashURL: server.baseURL.absoluteString)
        let statePath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pg-e2e-\(UUID().uuidString).sqlite3"
        ).path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: statePath) }
        let state = try SyncState(path: statePath)

        let first = try await PlanSession(
            desired: desired, inputs: inputs, client: client, links: state, catalog: store, tool: "test"
        ).run()
        let scannedIds = Set(scanned.map(\.fileId))
        let missed = first.unmatched.filter { scannedIds.contains($0.fileMediaId) }
        XCTAssertEqual(missed.map { $0.reason }, [String](), "\(shape): scanned but unmatched", file: file, line: line)
        let document = String(decoding: try PlanFile.encode(first), as: UTF8.self)
        XCTAssertFalse(document.contains(password), "\(shape): the password is in the plan", file: file, line: line)

        let applier = Applier(
            writer: StashClientWriter(client: client), state: state, monitor: SyncMonitor(style: .quiet) { _ in },
            options: BatchOptions(batchSize: 50, parallelism: 2, maxAttempts: 2, retryDelay: .milliseconds(5)))
        let report = await applier.apply(first)
        XCTAssertEqual(report.failures.map { String(describing: $0) }, [String](), "\(shape)", file: file, line: line)

        let problems = SampleAttribution.problems(
            files: scanned, state: server.state, usernames: try database.usernames())
        XCTAssertEqual(
            problems, [], "\(shape): \(problems.count) of \(scanned.count) scanned files", file: file, line: line)

        let second = try await PlanSession(
            desired: desired, inputs: inputs, client: client, links: state, catalog: store, tool: "test"
        ).run()
        XCTAssertFalse(second.summary.hasChanges, "\(shape): " + PlanRenderer().render(second), file: file, line: line)

        XCTAssertEqual(
            try database.checksum(), before, "\(shape): the downloader's database was written", file: file, line: line)
        XCTAssertNil(
            try Data(contentsOf: URL(fileURLWithPath: statePath)).range(of: Data(password.utf8)),
            "\(shape): the password is in the state file", file: file, line: line)
    }
}
