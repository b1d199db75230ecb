import Foundation
import PostgresTestSupport
import SampleData
import StashTestServer
import XCTest

/// Issue 13's "done when": on generated PostgreSQL databases of both shapes, the built
/// `fansly-stash` runs inspect → plan → apply → plan over HTTP against the test server, reading as
/// a role with nothing but SELECT grants and its password in `$FANSLY_PG_PASSWORD`: every scanned
/// file matched and attributed to its creator and date, a second plan empty, the database's rows
/// unchanged, and the password nowhere in the outputs, the plan or the state files.
final class PostgresEndToEndCLITests: XCTestCase {
    static let apiKey = "pg-e2e-secret-key-5d1f"
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try CLI.temporaryDirectory(self)
    }

    func testMigratedShapeInspectPlanApplyPlan() async throws {
        try await runEndToEnd(shape: .migrated)
    }

    func testV013ShapeInspectPlanApplyPlan() async throws {
        try await runEndToEnd(shape: .v013)
    }

    // MARK: - The run

    private func runEndToEnd(shape: SampleShape, file: StaticString = #filePath, line: UInt = #line) async throws {
        let (url, password, database, files) = try await TestPostgres.readOnlySample(self, shape: shape)
        let server = StashTestServer(apiKey: Self.apiKey)
        // Stash scans what the downloader wrote, as it sees it; it never scans `.None` previews.
        let scanned = files.filter { !$0.path.hasSuffix(".None") }
        server.seed(paths: scanned.map { "/data/fansly/" + $0.path })
        try await server.start()
        addTeardownBlock { await server.stop() }
        let environment = [
            "FANSLY_PG_PASSWORD": password, "PGPASSWORD": "", "STASH_URL": "", "STASH_API_KEY": Self.apiKey,
            "XDG_STATE_HOME": folder.appendingPathComponent("state").path, "HOME": folder.path,
        ]
        func run(_ arguments: [String]) throws -> CLIResult {
            try CLI.run(arguments, environment: environment, timeout: 300)
        }
        let common = ["--db", url, "--rules", try mappedRules(), "--stash-url", server.baseURL.absoluteString]
        let before = try database.checksum()

        let inspect = try run(["inspect", "--db", url, "--json"])
        XCTAssertEqual(inspect.exitCode, 0, inspect.output, file: file, line: line)
        for creator in ["LunaVesper", "MiraKestrel", "NoraQuill"] {
            XCTAssertTrue(inspect.stdout.contains(creator), "\(shape): \(inspect.stdout)", file: file, line: line)
        }

        let json = try run(["plan"] + common + ["--json"])
        XCTAssertEqual(json.exitCode, 0, json.output, file: file, line: line)
        let document = try XCTUnwrap(PlanDocument.parse(json.stdout))
        let unmatched = document["unmatched"] as? [[String: Any]] ?? []
        let scannedIds = Set(scanned.map(\.fileId))
        let missed = unmatched.filter { scannedIds.contains(($0["file_media_id"] as? NSNumber)?.int64Value ?? 0) }
        XCTAssertEqual(missed.count, 0, "\(shape): scanned but unmatched: \(missed)", file: file, line: line)

        let planFile = folder.appendingPathComponent("\(shape).plan")
        let plan = try run(["plan"] + common + ["--out", planFile.path])
        XCTAssertEqual(plan.exitCode, 0, plan.output, file: file, line: line)
        let apply = try run(["apply", planFile.path])
        XCTAssertEqual(apply.exitCode, 0, apply.output, file: file, line: line)
        XCTAssertTrue(apply.stdout.contains(" 0 failed"), apply.stdout, file: file, line: line)

        let problems = SampleAttribution.problems(
            files: scanned, state: server.state, usernames: try database.usernames())
        XCTAssertEqual(
            problems, [], "\(shape): \(problems.count) of \(scanned.count) scanned files", file: file, line: line)

        let again = try run(["plan"] + common + ["--detailed-exitcode"])
        XCTAssertEqual(again.exitCode, 0, "\(shape): changes after apply:\n\(again.output)", file: file, line: line)
        XCTAssertTrue(again.stdout.contains("No changes."), again.stdout, file: file, line: line)

        XCTAssertEqual(
            try database.checksum(), before, "\(shape): the downloader's database was written", file: file, line: line)
        try assertAbsent(password, in: [inspect, json, plan, apply, again], file: file, line: line)
    }

    private func assertAbsent(_ password: String, in results: [CLIResult], file: StaticString, line: UInt) throws {
        for result in results {
            XCTAssertFalse(
                result.output.contains(password), "the password was printed:\n\(result.output)", file: file, line: line)
        }
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        var checked = 0
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            XCTAssertNil(
                try Data(contentsOf: url).range(of: Data(password.utf8)), "the password is in \(url.path)", file: file,
                line: line)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 1, "the plan and state files were checked", file: file, line: line)
    }

    // MARK: - Fixtures

    /// The downloader wrote under /downloads; Stash sees that folder as /data/fansly.
    private func mappedRules() throws -> String {
        let url = folder.appendingPathComponent("mapped.yaml")
        try """
        extends: default
        settings:
          downloadRoot: /downloads
          pathMap:
            - from: /downloads
              to: /data/fansly
        """.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
