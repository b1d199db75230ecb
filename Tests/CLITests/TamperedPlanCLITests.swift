import Foundation
import StashTestServer
import XCTest

/// A saved plan edited by hand is refused before anything is sent, naming the line; a `.gz` plan is
/// shown and applied like a plain one, and refused as clearly when cut short.
extension ApplyCLITests {
    func testAPlanEditedByHandIsRefusedNamingTheFirstChangedLine() throws {
        let plan = try savePlan()
        var lines = try String(contentsOf: plan, encoding: .utf8).components(separatedBy: "\n")
        // Rename the creator's studio, as someone "fixing" the plan would.
        let index = try XCTUnwrap(
            lines.firstIndex { $0.contains("\"address\":\"studio.account.") }, "the plan creates a creator studio")
        lines[index] = lines[index].replacingOccurrences(
            of: "\"after\":{\"string\":\"", with: "\"after\":{\"string\":\"Renamed ")
        try lines.joined(separator: "\n").write(to: plan, atomically: true, encoding: .utf8)
        server.resetCounters()

        let apply = try run(["apply", plan.path])
        XCTAssertEqual(apply.exitCode, 1, apply.output)
        XCTAssertTrue(apply.stderr.contains("was changed after plan wrote it: line \(index + 1) "), apply.stderr)
        XCTAssertTrue(apply.stderr.contains("run plan again"), apply.stderr)
        XCTAssertEqual(server.requestCount, 0, "nothing was sent")
        XCTAssertTrue(server.state.studios.isEmpty)
    }

    func testAPlanSavedAsGzipIsShownAndAppliedLikeAPlainOne() throws {
        let plain = try savePlan(name: "plain")
        let gz = folder.appendingPathComponent("sample.plan.gz")
        let plan = try run([
            "plan", "--db", Self.sampleDatabase, "--stash-url", server.baseURL.absoluteString, "--out", gz.path,
        ])
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("fansly-stash apply \(gz.path)"), plan.stdout)
        let compressed = try Data(contentsOf: gz)
        XCTAssertEqual(Array(compressed.prefix(2)), [0x1F, 0x8B], "written gzip-compressed")
        XCTAssertLessThan(compressed.count, try Data(contentsOf: plain).count / 3)

        let shown = try run(["show", gz.path])
        let shownPlain = try run(["show", plain.path])
        XCTAssertEqual(shown.exitCode, 0, shown.stderr)
        XCTAssertEqual(shown.stdout, shownPlain.stdout, "the same report from the compressed file")
        let json = try XCTUnwrap(
            PlanDocument.parse(try run(["show", gz.path, "--json"]).stdout), "show --json prints the lines uncompressed"
        )
        let plainJSON = try XCTUnwrap(try PlanDocument.read(plain))
        XCTAssertEqual(json["summary"] as? [String: Int], plainJSON["summary"] as? [String: Int])
        XCTAssertEqual((json["changes"] as? [Any])?.count, (plainJSON["changes"] as? [Any])?.count)

        let truncated = folder.appendingPathComponent("cut.plan.gz")
        try compressed.prefix(compressed.count / 2).write(to: truncated)
        server.resetCounters()
        let refused = try run(["apply", truncated.path])
        XCTAssertEqual(refused.exitCode, 1, refused.output)
        XCTAssertTrue(
            refused.stderr.contains(
                "\(truncated.path) is not a fansly-stash plan: the gzip data ends early (a truncated file?)"),
            refused.stderr)
        XCTAssertEqual(server.requestCount, 0, "nothing was sent")

        let apply = try run(["apply", gz.path])
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        XCTAssertTrue(apply.stdout.contains("Apply complete:"), apply.stdout)
        XCTAssertFalse(server.state.performers.isEmpty)
    }
}
