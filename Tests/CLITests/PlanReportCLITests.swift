import Foundation
import XCTest

/// Issue 16, items 10 and 13: plans people can read (the compact form, `show PLANFILE`) and the
/// small things (`apply --no-color`, apply's usage, inspect's total row).
final class PlanReportCLITests: XCTestCase {
    static let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// An offline run (no Stash), whatever the environment says.
    func run(_ arguments: [String]) throws -> CLIResult {
        try CLI.run(arguments, environment: ["STASH_URL": "", "XDG_STATE_HOME": folder.path])
    }

    func testShowPrintsASavedPlanAsPlanPrintedIt() throws {
        let file = folder.appendingPathComponent("sample.plan").path
        let plan = try run(["plan", "--db", Self.sample, "--out", file])
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        let shown = try run(["show", file])
        XCTAssertEqual(shown.exitCode, 0, shown.stderr)
        let report = plan.stdout.components(separatedBy: "\nSaved the plan to ").first ?? ""
        XCTAssertEqual(shown.stdout, report, "the same report, read from the file alone")
        let json = try run(["show", file, "--json"])
        let document = try XCTUnwrap(PlanDocument.parse(json.stdout))
        let saved = try XCTUnwrap(try PlanDocument.read(URL(fileURLWithPath: file)))
        XCTAssertEqual(document["summary"] as? [String: Int], saved["summary"] as? [String: Int])
        XCTAssertEqual((document["changes"] as? [Any])?.count, (saved["changes"] as? [Any])?.count)

        let missing = try run(["show", folder.appendingPathComponent("nope.plan").path])
        XCTAssertEqual(missing.exitCode, 1)
        XCTAssertTrue(missing.stderr.contains("nope.plan"), missing.stderr)
    }

    func testTheCompactFormCountsPerKindAndTheFullFormListsEverything() throws {
        let compact = try run(["plan", "--db", Self.sample, "--compact"])
        XCTAssertEqual(compact.exitCode, 0, compact.stderr)
        XCTAssertTrue(compact.stdout.contains("\n  galleries: "), compact.stdout)
        XCTAssertTrue(compact.stdout.contains(" more galleries (--full lists every change"), compact.stdout)
        let full = try run(["plan", "--db", Self.sample])
        XCTAssertFalse(full.stdout.contains("--full lists every change"), "not a terminal: the full list by default")
        XCTAssertGreaterThan(full.stdout.count, compact.stdout.count)
        XCTAssertEqual(
            compact.stdout.split(separator: "\n").last, full.stdout.split(separator: "\n").last, "the same closing line"
        )
        let both = try run(["plan", "--db", Self.sample, "--compact", "--full"])
        XCTAssertEqual(both.exitCode, 1)
        XCTAssertTrue(both.stderr.contains("give --full or --compact, not both"), both.stderr)
    }

    func testApplyWithoutArgumentsPrintsItsUsageAndAcceptsNoColor() throws {
        let bare = try run(["apply"])
        XCTAssertEqual(bare.exitCode, 1)
        XCTAssertTrue(
            bare.stderr.contains("give a saved plan (fansly-stash apply FILE) or --db to plan here"), bare.stderr)
        XCTAssertTrue(bare.stderr.contains("Usage: fansly-stash apply"), bare.stderr)
        let help = try run(["apply", "--help"])
        XCTAssertTrue(help.stdout.contains("--no-color"), help.stdout)
        let noColor = try run(["apply", "--no-color", folder.appendingPathComponent("missing.plan").path])
        XCTAssertEqual(noColor.exitCode, 1)
        XCTAssertFalse(noColor.stderr.contains("Unknown option"), noColor.stderr)
    }

    func testInspectSaysWhyTheTotalRowHasBlanks() throws {
        let inspect = try run(["inspect", "--db", Self.sample])
        XCTAssertEqual(inspect.exitCode, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("\ntotal "), inspect.stdout)
        XCTAssertTrue(
            inspect.stdout.contains(
                "The total leaves messages and hashtags blank: creators share message groups and hashtags"),
            inspect.stdout)
    }
}
