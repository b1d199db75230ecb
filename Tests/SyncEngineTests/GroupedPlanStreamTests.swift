import FanslyMetadata
import Foundation
import MappingRules
import SampleData
import XCTest

@testable import SyncEngine

/// A plan made creator group by creator group goes straight to its plan file (`PlanSpool` merged
/// into a `PlanFileWriter`) and is shown from there (`FinishedPlan`): the file, its report in every
/// form and its `--json` lines are those of the plan made whole, in memory, byte for byte.
final class GroupedPlanStreamTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("grouped-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func generatedLibrary() throws -> String { try GroupedLibrary.write(in: folder) }

    private func finished(
        _ database: String, groupLimit: Int, savingTo path: String?, reportingWith renderer: PlanRenderer? = nil
    ) async throws -> FinishedPlan {
        var request = PlanRequest(database: database, ruleFiles: [], tool: "stream-tests")
        request.groupLimit = groupLimit
        return try await PlanOperation(request).run(savingTo: path, reportingWith: renderer)
    }

    /// Every line but the header (which holds the time) and the end line (whose checksum covers it).
    private func body(_ data: Data) -> [Substring] {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return Array(lines.dropFirst().dropLast(2))
    }

    private static let renderers: [(String, PlanRenderer)] = [
        ("full", PlanRenderer()),
        ("compact", PlanRenderer(changesPerKind: 2)),
        ("compact when long", PlanRenderer(changesPerKind: 2, compactOnlyWhenLong: true)),
        ("colours, unchanged listed", PlanRenderer(colors: true, listUnchanged: true)),
    ]

    func testAStreamedPlanIsTheWholePlanInFileReportAndLines() async throws {
        let database = try generatedLibrary()
        let wholePath = folder.appendingPathComponent("whole.plan").path
        let whole = try await finished(database, groupLimit: .max, savingTo: wholePath)
        XCTAssertFalse(whole.isInFile, "a library within the limit is planned whole, in memory")
        let wholePlan = try whole.plan()
        let wholeFile = try Data(contentsOf: URL(fileURLWithPath: wholePath))
        XCTAssertGreaterThan(PlanRenderer().render(wholePlan).components(separatedBy: "\n  + ").count, 61)
        XCTAssertTrue(PlanRenderer.isLong(wholePlan), "long enough for the compact form to be chosen")

        for limit in [1, 150] {
            for name in ["grouped-\(limit).plan", "grouped-\(limit).plan.gz"] {
                let path = folder.appendingPathComponent(name).path
                let streamed = try await finished(database, groupLimit: limit, savingTo: path)
                XCTAssertTrue(streamed.isInFile, "groups of \(limit): streamed to its file")
                let saved = try PlanFileReader.open(path: path)
                var lines = Data()
                try saved.copyLines { lines.append($0) }
                XCTAssertEqual(body(lines), body(wholeFile), "\(name): the changes and unmatched files")
                XCTAssertEqual(try streamed.summary(), wholePlan.summary, name)
                var plan = try saved.plan()
                plan.createdAt = wholePlan.createdAt
                XCTAssertEqual(try PlanFile.encode(plan), wholeFile, "\(name): the same file, its time aside")

                var json = Data()
                try streamed.writeLines { json.append($0) }
                XCTAssertEqual(json, lines, "\(name): --json prints the file's lines, uncompressed")
                for (form, renderer) in Self.renderers {
                    var report = ""
                    try streamed.render(with: renderer, chunkSize: 4096) { report += $0 }
                    XCTAssertEqual(report, renderer.render(wholePlan), "\(name), \(form) report")
                }
            }
        }
        // The report made as the parts are planned, in every form, is the whole plan's too.
        for limit in [1, 150] {
            for (form, renderer) in Self.renderers {
                let path = folder.appendingPathComponent("reported-\(limit).plan").path
                let streamed = try await finished(database, groupLimit: limit, savingTo: path, reportingWith: renderer)
                var lines = Data()
                try streamed.writeLines { lines.append($0) }
                XCTAssertEqual(body(lines), body(wholeFile), "groups of \(limit), \(form): the plan's lines")
                var report = ""
                try streamed.render(with: renderer, chunkSize: 4096) { report += $0 }
                XCTAssertEqual(
                    report, renderer.render(wholePlan), "groups of \(limit), \(form) report made while planning")
                // Made once: a second report reads the file.
                var again = ""
                try streamed.render(with: renderer) { again += $0 }
                XCTAssertEqual(again, report, "groups of \(limit), \(form): the report again, from the file")
            }
        }
        // The compact form when long is the compact form here, the full one for a short plan.
        XCTAssertEqual(
            PlanRenderer(changesPerKind: 2, compactOnlyWhenLong: true).render(wholePlan),
            PlanRenderer(changesPerKind: 2).render(wholePlan))
        let short = try PlanFixtures.scannedPlan()
        XCTAssertFalse(PlanRenderer.isLong(short))
        XCTAssertEqual(
            PlanRenderer(changesPerKind: 2, compactOnlyWhenLong: true).render(short), PlanRenderer().render(short))
    }

    /// Without --out, a grouped plan goes to a temporary file that has no name: nothing is left in
    /// the temporary folder, and the plan reads back whole.
    func testWithoutAPathTheStreamedPlanLeavesNothingBehind() async throws {
        let database = try generatedLibrary()
        let whole = try await finished(database, groupLimit: .max, savingTo: nil).plan()
        let temporary = try TemporaryFolder(in: folder)
        defer { temporary.restore() }
        var streamed: FinishedPlan? = try await finished(database, groupLimit: 1, savingTo: nil)
        XCTAssertEqual(try temporary.entries(), [], "the temporary plan and the run files have no name")
        XCTAssertEqual(temporary.openDeletedFiles(), 1, "only the plan file is held, by its descriptor")
        var plan = try XCTUnwrap(streamed).plan()
        plan.createdAt = whole.createdAt
        XCTAssertEqual(plan, whole)
        streamed = nil
        XCTAssertEqual(temporary.openDeletedFiles(), 0, "released with the result")
    }

    /// A plan that cannot be saved after its parts were spooled fails saying so, and leaves no
    /// file at the path, none in the temporary folder and no descriptor open.
    func testAFailureAfterThePartsWereSpooledReleasesThem() async throws {
        let database = try generatedLibrary()
        let temporary = try TemporaryFolder(in: folder)
        defer { temporary.restore() }
        let path = folder.appendingPathComponent("missing/sync.plan").path
        do {
            _ = try await finished(database, groupLimit: 1, savingTo: path)
            XCTFail("saved into a folder that does not exist")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("cannot save the plan to \(path): "), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try temporary.entries(), [])
        XCTAssertEqual(temporary.openDeletedFiles(), 0, "every run file released")
    }
}

/// `$TMPDIR` pointed at a folder of the test's own, to see what fansly-stash leaves there and which
/// of its nameless files the process holds open.
struct TemporaryFolder {
    let path: String
    private let previous: String?

    init(in parent: URL) throws {
        path = parent.appendingPathComponent("tmp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        previous = ProcessInfo.processInfo.environment["TMPDIR"]
        setenv("TMPDIR", path, 1)
        guard NSTemporaryDirectory().hasPrefix(path) else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "TMPDIR is not followed"])
        }
    }

    func restore() {
        if let previous { setenv("TMPDIR", previous, 1) } else { unsetenv("TMPDIR") }
    }

    func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path) }

    /// Descriptors of this process open on files made in the folder and unlinked since.
    func openDeletedFiles() -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { descriptor in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + descriptor)
            else { return false }
            return target.hasPrefix(path + "/fansly-stash-plan-") && target.hasSuffix(" (deleted)")
        }.count
    }
}
