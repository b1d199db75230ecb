import Foundation
import StashTestServer
import XCTest

/// `apply --db` of a library planned creator group by creator group (`--group-limit 1` makes every
/// creator of the sample its own group, so the plan is merged into a temporary plan file and applied
/// from there, never held whole) does to Stash what the plan made whole does, and says so alike.
final class GroupedApplyCLITests: XCTestCase {
    private var folder: URL!
    private var servers: [StashTestServer] = []

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("grouped-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        for server in servers { await server.stop() }
        try? FileManager.default.removeItem(at: folder)
    }

    /// `apply --db … --yes` against `server`, with a state folder of its own.
    private func apply(_ server: StashTestServer, state: String, _ extra: [String] = []) throws -> CLIResult {
        try CLI.run(
            ["apply", "--db", ApplyCLITests.sampleDatabase, "--stash-url", server.baseURL.absoluteString, "--yes"]
                + extra,
            environment: [
                "STASH_API_KEY": ApplyCLITests.apiKey, "XDG_STATE_HOME": folder.appendingPathComponent(state).path,
            ])
    }

    /// What apply printed, without what differs between two runs: the server's URL and the time taken.
    private func comparable(_ output: String, _ server: StashTestServer) -> String {
        output.replacingOccurrences(of: server.baseURL.absoluteString, with: "<stash>")
            .replacingOccurrences(of: "127.0.0.1:\(server.port)", with: "<stash>")
            .replacingOccurrences(of: #" in [0-9.]+ ?m?s\."#, with: " in <time>.", options: .regularExpression)
    }

    func testAnApplyPlannedGroupByGroupEqualsTheWholePlansApply() async throws {
        let whole = try await ApplyCLITests.seededServer()
        let grouped = try await ApplyCLITests.seededServer()
        servers = [whole, grouped]

        let wholeRun = try apply(whole, state: "whole", ["--group-limit", "\(Int.max)"])
        XCTAssertEqual(wholeRun.exitCode, 0, wholeRun.stderr)
        let groupedRun = try apply(grouped, state: "grouped", ["--group-limit", "1"])
        XCTAssertEqual(groupedRun.exitCode, 0, groupedRun.stderr)

        XCTAssertTrue(groupedRun.stdout.contains("to add"), "the plan is shown first:\n\(groupedRun.stdout)")
        XCTAssertTrue(groupedRun.stdout.contains("Apply complete:"), groupedRun.stdout)
        XCTAssertEqual(comparable(groupedRun.stdout, grouped), comparable(wholeRun.stdout, whole))
        let library = Library(grouped.state)
        XCTAssertGreaterThan(library.objectCount, 0)
        XCTAssertEqual(library, Library(whole.state))

        // Planned in groups again: nothing left to apply, nothing sent.
        grouped.resetCounters()
        let again = try apply(grouped, state: "grouped", ["--group-limit", "1"])
        XCTAssertEqual(again.exitCode, 0, again.stderr)
        XCTAssertFalse(again.stdout.contains("Apply complete:"), again.stdout)
        XCTAssertEqual(grouped.requestCount(for: "performerCreate") + grouped.requestCount(for: "sceneUpdate"), 0)
        XCTAssertEqual(Library(grouped.state), library)
    }
}
