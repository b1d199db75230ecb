import Foundation
import StashTestServer
import XCTest

/// A saved plan edited by hand is refused before anything is sent, naming the line.
extension ApplyCLITests {
    func testAPlanEditedByHandIsRefusedNamingTheFirstChangedLine() throws {
        let plan = try savePlan()
        var lines = try String(contentsOf: plan, encoding: .utf8).components(separatedBy: "\n")
        // Rename the creator's studio, as someone "fixing" the plan would.
        let index = try XCTUnwrap(lines.firstIndex { $0.contains("\"address\":\"studio.account.") }, "the plan creates a creator studio")
        lines[index] = lines[index].replacingOccurrences(of: "\"after\":{\"string\":\"", with: "\"after\":{\"string\":\"Renamed ")
        try lines.joined(separator: "\n").write(to: plan, atomically: true, encoding: .utf8)
        server.resetCounters()

        let apply = try run(["apply", plan.path])
        XCTAssertEqual(apply.exitCode, 1, apply.output)
        XCTAssertTrue(apply.stderr.contains("was changed after plan wrote it: line \(index + 1) "), apply.stderr)
        XCTAssertTrue(apply.stderr.contains("run plan again"), apply.stderr)
        XCTAssertEqual(server.requestCount, 0, "nothing was sent")
        XCTAssertTrue(server.state.studios.isEmpty)
    }
}
