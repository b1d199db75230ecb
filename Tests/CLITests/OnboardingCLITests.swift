import Foundation
import StashTestServer
import XCTest

/// A newcomer's first run, as issue 17 describes it: the database in its own folder, no rules file,
/// and Stash (in Docker) seeing the creator folders under /data/fansly.
final class OnboardingCLITests: XCTestCase {
    private var folder: URL!
    private var server: StashTestServer!
    private var database: String { folder.appendingPathComponent("db/metadata_db.sqlite3").path }

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("onboarding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("db"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3"),
            to: URL(fileURLWithPath: database))
        server = StashTestServer()
        let list = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        server.modify { $0.libraryPaths = ["/data"] }
        server.seed(paths: list.split(separator: "\n").map { "/data/fansly/" + $0 })
        try await server.start()
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func run(_ arguments: [String]) throws -> CLIResult {
        try CLI.run(
            arguments,
            environment: ["XDG_STATE_HOME": folder.appendingPathComponent("state").path, "STASH_API_KEY": ""])
    }

    func testFirstPlanAndApplyFindWhereStashSeesTheDownloads() throws {
        let url = server.baseURL.absoluteString
        let plan = try run(["plan", "--db", database, "--stash-url", url])
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        let lines = plan.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(
            lines.count > 2 && lines[1].hasPrefix("Note: Stash sees the downloads under /data/fansly ("), plan.stdout)
        XCTAssertTrue(
            lines[1].hasSuffix("files found there); set settings.downloadRoot to make this explicit"), lines[1])
        XCTAssertFalse(plan.stdout.contains("outside the creator folders"), plan.stdout)
        XCTAssertFalse(
            plan.stdout.contains("Hint: scan the creator folders"), "nothing here is fixed by scanning:\n\(plan.stdout)"
        )

        let apply = try run(["apply", "--db", database, "--stash-url", url, "--yes"])
        XCTAssertEqual(apply.exitCode, 0, apply.stderr + apply.stdout)
        XCTAssertTrue(server.state.scenes.values.allSatisfy { !$0.title.isEmpty }, "every scene got its metadata")
        XCTAssertTrue(
            server.state.images.values.filter { !$0.path.hasSuffix(".None") }.allSatisfy { !$0.title.isEmpty })

        let again = try run(["plan", "--db", database, "--stash-url", url])
        XCTAssertEqual(again.exitCode, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("\nNo changes."), again.stdout)
    }
}
