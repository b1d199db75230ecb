import FanslyMetadata
import Foundation
import MappingRules
import StashTestServer
import XCTest
@testable import SyncEngine

/// Reading a saved plan line by line: the header first, every change checked with its line number,
/// phases read back from the file.
final class SavedPlanTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "saved-plan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func samplePlan() throws -> Plan {
        try Planner(desired: PlanFixtures.desired, snapshot: PlanFixtures.scannedOnly)
            .plan(inputs: PlanFixtures.inputs, tool: "fansly-stash 0.1.0", now: Date(timeIntervalSince1970: 1_700_000_000))
    }

    private func save(_ plan: Plan, as name: String = "sync.plan") throws -> String {
        let path = folder + "/" + name
        try PlanFile.write(plan, to: path)
        return path
    }

    /// The saved document's lines, edited by `edit`, written back.
    private func editLines(_ path: String, _ edit: (inout [String]) -> Void) throws {
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        edit(&lines)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testHeaderChangesAndPhasesReadBackAsWritten() throws {
        let plan = try samplePlan()
        let saved = try SavedPlan.open(path: try save(plan))
        XCTAssertEqual(saved.formatVersion, Plan.currentFormatVersion)
        XCTAssertEqual(saved.createdAt, plan.createdAt)
        XCTAssertEqual(saved.tool, plan.tool)
        XCTAssertEqual(saved.inputs, plan.inputs)
        XCTAssertEqual(saved.summary, plan.summary)
        XCTAssertEqual(try saved.plan(), plan)

        let fromFile = try saved.readChanges(), inMemory = PlanChanges(plan)
        XCTAssertEqual(fromFile.count, plan.changes.count)
        XCTAssertEqual(fromFile.createdAt, plan.createdAt)
        for phase in ApplyPhase.allCases {
            XCTAssertEqual(try fromFile.changes(in: phase), try inMemory.changes(in: phase), phase.rawValue)
        }
        XCTAssertEqual(fromFile.entries.map(\.address), plan.changes.map(\.address))
        XCTAssertEqual(fromFile.entries.map(\.skipReason), inMemory.entries.map(\.skipReason))
    }

    func testSavingOverAnExistingPlanReplacesIt() throws {
        let plan = try samplePlan()
        let path = try save(Plan(createdAt: Date(timeIntervalSince1970: 0), tool: "old", inputs: PlanFixtures.inputs, changes: [],
                                 unmatched: [], summary: PlanSummary()))
        try PlanFile.write(plan, to: path)
        XCTAssertEqual(try PlanFile.read(from: path), plan)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["sync.plan"], "no temporary file is left")
    }

    func testLinesLongerThanAReadChunkAndEmptyListsReadBack() throws {
        let long = String(repeating: "é\"\n", count: 700_000)  // 2.8 MB of JSON on one line
        var changes = (0..<3_000).map { index in
            PlannedChange(address: EntityAddress(kind: .scene, key: "media.\(index)"), action: .update, stashId: "\(index)",
                          fields: [FieldChange(field: "details", before: .null, after: .string("detail \(index)"))], source: "post")
        }
        changes[1_500].fields[0].after = .string(long)
        let plan = Plan(createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs, changes: changes,
                        unmatched: [], summary: PlanSummary(change: 3_000))
        XCTAssertEqual(try PlanFile.read(from: try save(plan)), plan)
        let empty = Plan(createdAt: Date(timeIntervalSince1970: 0), tool: "t", inputs: PlanFixtures.inputs, changes: [],
                         unmatched: [], summary: PlanSummary())
        let saved = try SavedPlan.open(path: try save(empty, as: "empty.plan"))
        XCTAssertEqual(try saved.plan(), empty)
        XCTAssertEqual(try saved.readChanges().count, 0)
    }

    func testACorruptChangeIsReportedWithItsLineBeforeAnythingRuns() throws {
        let path = try save(try samplePlan())
        try editLines(path) { lines in lines[4] = lines[4].replacingOccurrences(of: "\"action\":\"", with: "\"action\":\"explode") }
        let saved = try SavedPlan.open(path: path)
        XCTAssertEqual(saved.inputs, PlanFixtures.inputs, "the header reads: the staleness check can run first")
        XCTAssertThrowsError(try saved.readChanges()) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path) is not a fansly-stash plan: line 5: "), "\(error)")
            XCTAssertTrue("\(error)".contains("explode"), "\(error)")
        }
        try editLines(path) { lines in lines[6] = "  {\"address\": " }
        XCTAssertThrowsError(try SavedPlan.open(path: path).readChanges()) { error in
            XCTAssertTrue("\(error)".contains("line 7: "), "\(error)")
        }
    }

    func testTheFormatVersionIsCheckedFirstAndMissingKeysAreNamed() throws {
        let path = try save(try samplePlan())
        try editLines(path) { lines in
            lines[3] = "  {this is not json},"
            if let version = lines.firstIndex(where: { $0.hasPrefix("\"format_version\"") }) { lines[version] = "\"format_version\": 3," }
        }
        XCTAssertThrowsError(try SavedPlan.open(path: path)) { error in
            XCTAssertEqual(error as? PlanFile.ReadError, .unsupportedVersion(path: path, found: 3, supported: Plan.currentFormatVersion))
        }
        let other = try save(try samplePlan(), as: "other.plan")
        try editLines(other) { lines in lines.removeAll { $0.hasPrefix("\"inputs\"") } }
        XCTAssertThrowsError(try SavedPlan.open(path: other)) { error in
            XCTAssertEqual("\(error)", "\(other) is not a fansly-stash plan: missing 'inputs' at top level")
        }
    }

    func testATruncatedPlanIsRefusedWithTheLineWhereItEnds() throws {
        let path = try save(try samplePlan())
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        let lines = data.prefix(data.count / 2).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
        XCTAssertThrowsError(try SavedPlan.open(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path) is not a fansly-stash plan: line \(lines): the document ends early (a truncated file?)")
        }
    }

    func testAPlanReformattedByAnotherToolStillReads() throws {
        let plan = try samplePlan()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        let path = folder + "/pretty.plan"
        // As a tool that reformats JSON would: every key kept, the checksum included.
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: encoder.encode(plan)) as? [String: Any])
        document["changes_checksum"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(PlanChecksum.of(plan.changes)))
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        let saved = try SavedPlan.open(path: path)
        XCTAssertEqual(saved.inputs, plan.inputs)
        XCTAssertEqual(try saved.plan(), plan)
        XCTAssertEqual(try saved.readChanges().changes(in: .scenes), try PlanChanges(plan).changes(in: .scenes))

        try Data("{\"hello\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SavedPlan.open(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path) is not a fansly-stash plan: no format_version")
        }
        XCTAssertThrowsError(try SavedPlan.open(path: folder!)) { error in
            XCTAssertEqual("\(error)", "cannot read plan file \(folder!): permission denied or not a file")
        }
    }
}

/// Applying a saved plan from its file, phase by phase, does what applying it from memory does.
final class SavedPlanApplyTests: XCTestCase {
    private func applier(_ fixture: ApplyFixture, state: SyncState, batchSize: Int = 100) -> Applier {
        Applier(writer: StashClientWriter(client: fixture.client(batchSize: batchSize)), state: state,
                monitor: SyncMonitor(style: .quiet) { _ in },
                options: BatchOptions(batchSize: batchSize, parallelism: 2, maxAttempts: 2, retryDelay: .milliseconds(5)))
    }

    func testAPhaseLargerThanASliceRunsSliceBySliceInDependencyOrder() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let path = NSTemporaryDirectory() + "apply-\(UUID().uuidString).plan"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(fixture.plan(extraTags: 120), to: path)
        fixture.server.resetCounters()

        // Slices of 20 batches of 2: the 121 tags without parents take 4 slices, then their child.
        let report = await applier(fixture, state: try SyncState(path: temporaryStatePath()), batchSize: 2)
            .apply(try SavedPlan.open(path: path).readChanges())

        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.totals.created, 127)
        XCTAssertEqual(fixture.server.requestCount(for: "tagCreate"), 61 + 1)
        let shape = LibraryShape(fixture.server.state)
        XCTAssertTrue(shape.lines.contains("tag Latex Model parents=[\"Fansly\"]"), shape.description)
    }

    func testApplyingFromTheFileEqualsApplyingFromMemory() async throws {
        let createdAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 1)
        let clean = try await ApplyFixture.start()
        defer { Task { await clean.server.stop() } }
        let expectedReport = await applier(clean, state: try SyncState(path: temporaryStatePath())).apply(clean.plan(createdAt: createdAt))
        XCTAssertEqual(expectedReport.failures, [])

        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let path = NSTemporaryDirectory() + "apply-\(UUID().uuidString).plan"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(fixture.plan(createdAt: createdAt), to: path)
        let state = try SyncState(path: temporaryStatePath())
        let report = await applier(fixture, state: state).apply(try SavedPlan.open(path: path).readChanges())

        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.totals, expectedReport.totals)
        XCTAssertEqual(report.phases.map(\.phase), expectedReport.phases.map(\.phase))
        XCTAssertEqual(LibraryShape(fixture.server.state), LibraryShape(clean.server.state))

        // Again from the file: everything is known written.
        fixture.server.resetCounters()
        let again = await applier(fixture, state: state).apply(try SavedPlan.open(path: path).readChanges())
        XCTAssertEqual(fixture.server.requestCount, 0)
        XCTAssertEqual(again.totals.created + again.totals.updated + again.totals.failed, 0)
    }

    func testAPlanFileEmptiedDuringApplyFailsItsItemsInsteadOfApplyingThem() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let path = NSTemporaryDirectory() + "apply-\(UUID().uuidString).plan"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(fixture.plan(), to: path)
        let changes = try SavedPlan.open(path: path).readChanges()
        XCTAssertEqual(truncate(path, 0), 0)
        fixture.server.resetCounters()

        let report = await applier(fixture, state: try SyncState(path: temporaryStatePath())).apply(changes)

        XCTAssertEqual(fixture.server.requestCount, 0, "nothing is sent")
        let inMemory = PlanChanges(fixture.plan())
        let sent = inMemory.entries.filter { $0.action == .create || $0.action == .update }.count
        XCTAssertEqual(report.totals.failed, sent, "every create and update, once")
        XCTAssertEqual(report.totals.skipped, inMemory.entries.filter { $0.action == .skip }.count, "skips need nothing from the file")
        XCTAssertGreaterThan(report.totals.skipped, 0)
        XCTAssertTrue(report.failures.allSatisfy { $0.error.hasPrefix("the plan file cannot be read again") }, "\(report.failures)")
    }
}

/// The checksum of a plan's changes: a plan edited by hand is refused, naming the first line that differs.
extension SavedPlanTests {
    private func savedSample() throws -> (Plan, String) {
        let plan = try Planner(desired: PlanFixtures.desired, snapshot: PlanFixtures.scannedOnly)
            .plan(inputs: PlanFixtures.inputs, tool: "fansly-stash 0.1.0", now: Date(timeIntervalSince1970: 1_700_000_000))
        let path = NSTemporaryDirectory() + "checksum-\(UUID().uuidString).plan"
        try PlanFile.write(plan, to: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return (plan, path)
    }

    private func rewrite(_ path: String, _ edit: (inout [String]) -> Void) throws {
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        edit(&lines)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testAnEditedChangeIsRefusedNamingItsLine() throws {
        let (plan, path) = try savedSample()
        XCTAssertEqual(try SavedPlan.open(path: path).readChanges().count, plan.changes.count, "an untouched plan reads")
        var edited = 0
        try rewrite(path) { lines in
            // Rename something in the third change, keeping the line valid JSON.
            let index = 4
            XCTAssertTrue(lines[index].hasPrefix("  {\"action\":"), lines[index])
            let line = lines[index]
            let renamed = line.replacingOccurrences(of: "\"string\":\"", with: "\"string\":\"Renamed ")
            XCTAssertNotEqual(renamed, line, "the change has a string to rename")
            lines[index] = renamed
            edited = index + 1
        }
        let saved = try SavedPlan.open(path: path)
        XCTAssertThrowsError(try saved.readChanges()) { error in
            guard case .changed(_, let reason)? = error as? PlanFile.ReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "line \(edited) (change 3) is not the change the plan was written with")
            XCTAssertTrue("\(error)".contains("was changed after plan wrote it"), "\(error)")
        }
    }

    func testADeletedOrAddedChangeIsRefused() throws {
        let (plan, path) = try savedSample()
        XCTAssertGreaterThan(plan.changes.count, 3)
        try rewrite(path) { lines in lines.remove(at: 3) }  // the second change (file line 4)
        XCTAssertThrowsError(try SavedPlan.open(path: path).readChanges()) { error in
            guard case .changed(_, let reason)? = error as? PlanFile.ReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "line 4 (change 2) is not the change the plan was written with")
        }
        let (_, other) = try savedSample()
        try rewrite(other) { lines in
            let last = lines.firstIndex(of: "],")! - 1
            lines[last] += ","
            lines.insert(String(lines[last].dropLast()), at: last + 1)
        }
        XCTAssertThrowsError(try SavedPlan.open(path: other).readChanges()) { error in
            guard case .changed(_, let reason)? = error as? PlanFile.ReadError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("was added: the plan was written with \(plan.changes.count) changes"), reason)
        }
    }

    func testAPlanWithoutAChecksumOrOfTheOldFormatIsRefusedClearly() throws {
        let (_, path) = try savedSample()
        try rewrite(path) { lines in lines.removeAll { $0.hasPrefix("\"changes_checksum\"") } }
        XCTAssertThrowsError(try SavedPlan.open(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path) is not a fansly-stash plan: missing 'changes_checksum' at top level")
        }
        let (_, old) = try savedSample()
        try rewrite(old) { lines in
            lines.removeAll { $0.hasPrefix("\"changes_checksum\"") }
            if let version = lines.firstIndex(where: { $0.hasPrefix("\"format_version\"") }) { lines[version] = "\"format_version\": 1," }
        }
        XCTAssertThrowsError(try SavedPlan.open(path: old)) { error in
            XCTAssertEqual("\(error)", "\(old) has plan format_version 1, which this fansly-stash no longer reads: re-run plan")
        }
    }

    func testAReformattedPlanIsCheckedByItsChangesToo() throws {
        let (plan, path) = try savedSample()
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var changes = try XCTUnwrap(document["changes"] as? [[String: Any]])
        changes[1]["source"] = "edited by hand"
        document["changes"] = changes
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SavedPlan.open(path: path)) { error in
            guard case .changed(_, let reason)? = error as? PlanFile.ReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "change 2 is not the change the plan was written with")
        }
        XCTAssertGreaterThan(plan.changes.count, 2)
    }
}
