import Foundation
import SampleData
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `plan`, `show` and `--json` of a plan made creator group by creator group (the hidden
/// `--group-limit` makes every creator of a small library its own group): streamed from its plan
/// file, they print what the plan made whole prints, byte for byte, and leave nothing behind.
final class PlanStreamCLITests: XCTestCase {
    private static let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path

    /// Every line but the header (the time) and the end line (its checksum covers the header).
    private func body(_ text: String) -> [Substring] {
        Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast(2))
    }

    func testAGroupedPlanPrintsSavesAndShowsAsTheWholePlan() throws {
        let folder = try CLI.temporaryDirectory(self)
        let wholePath = folder.appendingPathComponent("whole.plan").path
        let groupedPath = folder.appendingPathComponent("grouped.plan.gz").path
        let whole = try CLI.run(["plan", "--db", Self.sample, "--out", wholePath, "--detailed-exitcode"])
        let grouped = try CLI.run([
            "plan", "--db", Self.sample, "--out", groupedPath, "--group-limit", "1", "--detailed-exitcode",
        ])
        XCTAssertEqual(whole.exitCode, 2, whole.output)
        XCTAssertEqual(grouped.exitCode, 2, "changes: --detailed-exitcode from the summary\n\(grouped.output)")
        XCTAssertEqual(grouped.stdout.replacingOccurrences(of: groupedPath, with: wholePath), whole.stdout)
        XCTAssertTrue(whole.stdout.contains("\n  + gallery.post."), whole.stdout)

        let wholeLines = try String(contentsOfFile: wholePath, encoding: .utf8)
        let shownJSON = try CLI.run(["show", "--json", groupedPath])
        XCTAssertEqual(shownJSON.exitCode, 0, shownJSON.output)
        XCTAssertEqual(body(shownJSON.stdout), body(wholeLines), "show --json: the lines, uncompressed")
        XCTAssertGreaterThan(body(wholeLines).count, 20)
        let printed = try CLI.run(["plan", "--db", Self.sample, "--json", "--group-limit", "1"])
        XCTAssertEqual(body(printed.stdout), body(wholeLines), "plan --json")
        XCTAssertEqual(
            printed.stdout.split(separator: "\n").last?.replacingOccurrences(
                of: #""checksum":\{[^}]*\}"#, with: "", options: .regularExpression),
            wholeLines.split(separator: "\n").last?.replacingOccurrences(
                of: #""checksum":\{[^}]*\}"#, with: "", options: .regularExpression),
            "the same counts and notices in the end line")

        for flags in [[], ["--compact"], ["--full"]] {
            let shownWhole = try CLI.run(["show", wholePath] + flags)
            let shownGrouped = try CLI.run(["show", groupedPath] + flags)
            XCTAssertEqual(shownGrouped.exitCode, 0, shownGrouped.output)
            XCTAssertEqual(shownGrouped.stdout, shownWhole.stdout, "show \(flags)")
            XCTAssertTrue(shownGrouped.stdout.hasSuffix(" unmatched.\n"), shownGrouped.stdout)
        }
    }

    /// A grouped plan needs room in TMPDIR: a TMPDIR that does not exist stops `plan` with exit 1,
    /// naming the folder and the variable, and saves nothing.
    func testAGroupedPlanWithoutATemporaryFolderSaysWhichFolder() throws {
        let folder = try CLI.temporaryDirectory(self)
        let missing = folder.appendingPathComponent("no-such-tmp").path
        let out = folder.appendingPathComponent("sync.plan").path
        let result = try CLI.run(
            ["plan", "--db", Self.sample, "--out", out, "--group-limit", "1"], environment: ["TMPDIR": missing])
        XCTAssertEqual(result.exitCode, 1, result.output)
        XCTAssertTrue(result.stderr.contains(missing), result.stderr)
        XCTAssertTrue(result.stderr.contains("TMPDIR"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no plan saved")
    }

    /// Ctrl-C while a grouped plan holds its run files: the process ends at once (130) and nothing
    /// is left, neither in the temporary folder nor beside --out.
    func testCtrlCMidPlanLeavesNoTemporaryFile() async throws {
        let folder = try CLI.temporaryDirectory(self)
        let temporary = folder.appendingPathComponent("tmp")
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let database = try Self.twelveCreatorLibrary(in: folder)
        let child = try CapturedProcess(
            [
                "plan", "--db", database.path, "--out", out.appendingPathComponent("sync.plan").path,
                "--group-limit", "1",
            ], environment: ["TMPDIR": temporary.path])
        // Interrupt once the process holds a run file: a file made in TMPDIR and unlinked at once.
        let deadline = Date().addingTimeInterval(120)
        var holdsRunFile = false
        while !holdsRunFile && child.isRunning && Date() < deadline {
            holdsRunFile = Self.openDeletedFiles(of: child.processIdentifier, in: temporary.path) > 0
            if !holdsRunFile { try await Task.sleep(for: .milliseconds(5)) }
        }
        XCTAssertTrue(holdsRunFile, "the plan held a nameless run file in TMPDIR while it ran")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.path), [], "no named file")
        kill(child.processIdentifier, SIGINT)
        let result = try child.wait(timeout: 30)
        XCTAssertEqual(result.exitCode, 130, result.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.path), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [], "no half-saved plan")
    }

    /// Ctrl-C while the merged plan is being saved beside --out under a temporary name: that file
    /// is removed before the process exits.
    func testCtrlCWhileSavingLeavesNoHalfSavedPlan() async throws {
        let folder = try CLI.temporaryDirectory(self)
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let database = try Self.twelveCreatorLibrary(in: folder)
        // Compressed, so that saving takes long enough to be caught at it.
        let child = try CapturedProcess(
            [
                "plan", "--db", database.path, "--out", out.appendingPathComponent("sync.plan.gz").path,
                "--group-limit", "1",
            ],
            environment: [:])
        let deadline = Date().addingTimeInterval(120)
        var saving = false
        while !saving && child.isRunning && Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
            saving = names.contains { $0.hasPrefix(".sync.plan.gz.") && $0.hasSuffix(".tmp") }
            if !saving { try await Task.sleep(for: .milliseconds(2)) }
        }
        XCTAssertTrue(saving, "caught saving the plan under its temporary name")
        kill(child.processIdentifier, SIGINT)
        let result = try child.wait(timeout: 30)
        XCTAssertEqual(result.exitCode, 130, result.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [], "no half-saved plan")
    }

    /// A library large enough, planned one creator per group, for a Ctrl-C to catch the plan at work.
    private static func twelveCreatorLibrary(in folder: URL) throws -> URL {
        let database = folder.appendingPathComponent("metadata_db.sqlite3")
        try SampleDatabase.write(
            to: database,
            options: SampleOptions(
                creators: 12, postsPerCreator: 120, mediaPerPost: 3, messagesPerCreator: 10, includesQuirks: false))
        return database
    }

    /// Descriptors of process `pid` open on files made in `folder` and unlinked since.
    private static func openDeletedFiles(of pid: Int32, in folder: String) -> Int {
        let directory = "/proc/\(pid)/fd"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return descriptors.filter { descriptor in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(descriptor)")
            else { return false }
            return target.hasPrefix(folder + "/fansly-stash-plan-") && target.hasSuffix(" (deleted)")
        }.count
    }
}
