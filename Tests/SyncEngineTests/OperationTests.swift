import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// Plan and apply as a Stash plugin calls them: request values in, events out, no argv, against the
/// bundled sample database and the test server over HTTP.
final class OperationTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let sample = root.appendingPathComponent("examples/sample-metadata.sqlite3").path
    private static let key = "operation-test-key"
    private var server: StashTestServer!
    private var folder: URL!

    override func setUp() async throws {
        server = StashTestServer(apiKey: Self.key)
        try await server.start()
        let list = try String(
            contentsOf: Self.root.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        let examples = Self.root.appendingPathComponent("examples").path
        server.seed(paths: list.split(separator: "\n").map { examples + "/" + $0 })
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("operations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func planRequest(database: String = OperationTests.sample) -> PlanRequest {
        PlanRequest(
            database: database, stash: try! StashEndpoint(server.baseURL.absoluteString), apiKey: StashAPIKey(Self.key),
            statePath: folder.appendingPathComponent("state.sqlite3").path, tool: "operation-tests")
    }

    func testAnOfflinePlanReportsItsStepsAndWritesNoStateFile() async throws {
        let events = EventLog()
        let statePath = folder.appendingPathComponent("new.sqlite3").path
        let plan = try await PlanOperation(PlanRequest(database: Self.sample, statePath: statePath, tool: "t"))
            .run(progress: events.record)
        XCTAssertNil(plan.inputs.stashURL)
        XCTAssertGreaterThan(plan.summary.add, 0)
        XCTAssertTrue(events.statuses.contains("evaluating the rules over the database…"), "\(events.statuses)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath), "planning never creates a state file")
    }

    func testApplyPlansAsksAppliesAndReportsEveryPhase() async throws {
        let events = EventLog()
        let asked = EventLog()
        let outcome = try await ApplyOperation(ApplyRequest(planning: planRequest())).run(progress: events.record) {
            plan in
            asked.record(.status("asked with \(plan.summary.add) to add"))
            return true
        }
        guard case .applied(let report) = outcome else { return XCTFail("nothing applied: \(outcome)") }
        XCTAssertTrue(report.succeeded, "\(report.failures)")
        XCTAssertEqual(asked.statuses.count, 1)
        XCTAssertFalse(server.state.performers.isEmpty)

        // Every phase reports its start, each item with done/total, and its end with the same counts.
        for phase in report.phases {
            let items = events.items(in: phase.phase)
            XCTAssertEqual(events.started[phase.phase], phase.total)
            XCTAssertEqual(items.map(\.done), Array(1...max(phase.total, 1)).prefix(phase.total).map { $0 })
            XCTAssertTrue(items.allSatisfy { $0.total == phase.total })
            XCTAssertEqual(events.finished[phase.phase], phase)
        }
        XCTAssertGreaterThan(events.started["performers"] ?? 0, 0)

        // Run again: the plan has no changes, so nothing is sent whatever the hook says.
        server.resetCounters()
        let again = try await ApplyOperation(ApplyRequest(planning: planRequest())).run(confirm: { _ in false })
        guard case .nothingToApply(let plan) = again else { return XCTFail("applied again: \(again)") }
        XCTAssertFalse(plan.summary.hasChanges)
        XCTAssertEqual(server.requestCount(for: "performerCreate"), 0)
    }

    func testADeclinedApplySendsNothing() async throws {
        do {
            _ = try await ApplyOperation(ApplyRequest(planning: planRequest())).run(confirm: { _ in false })
            XCTFail("applied without confirmation")
        } catch let failure as OperationFailure {
            XCTAssertEqual(failure.message, "apply cancelled; nothing was changed.")
        }
        XCTAssertTrue(server.state.performers.isEmpty)
    }

    func testACancelledApplySendsNothing() async throws {
        _ = try SyncState(path: planRequest().statePath!)
        let plan = try await PlanOperation(planRequest()).run()
        let path = folder.appendingPathComponent("sync.plan").path
        try PlanFile.write(plan, to: path)
        let request = ApplyRequest(savedPlan: path, apiKey: StashAPIKey(Self.key), statePath: planRequest().statePath)
        let task = Task { () async throws -> ApplyOutcome in
            while !Task.isCancelled { await Task.yield() }
            return try await ApplyOperation(request).run()
        }
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a cancelled apply ran")
        } catch is CancellationError {}
        XCTAssertTrue(server.state.performers.isEmpty)
    }

    /// One staleness check: a saved plan whose database is gone is refused with that reason.
    func testASavedPlanWhoseDatabaseIsGoneIsRefusedSayingSo() async throws {
        let copy = folder.appendingPathComponent("copy.sqlite3").path
        try FileManager.default.copyItem(atPath: Self.sample, toPath: copy)
        _ = try SyncState(path: planRequest().statePath!)
        let plan = try await PlanOperation(planRequest(database: copy)).run()
        let path = folder.appendingPathComponent("sync.plan").path
        try PlanFile.write(plan, to: path)
        try FileManager.default.removeItem(atPath: copy)

        let request = ApplyRequest(savedPlan: path, apiKey: StashAPIKey(Self.key), statePath: planRequest().statePath)
        do {
            _ = try await ApplyOperation(request).run()
            XCTFail("applied a plan whose database is gone")
        } catch let failure as OperationFailure {
            XCTAssertTrue(
                failure.message.hasPrefix("the plan was made from \(copy), which cannot be read now ("), failure.message
            )
            XCTAssertTrue(failure.message.hasSuffix("; run plan again"), failure.message)
        }
        XCTAssertThrowsError(try PlanStaleness.verify(plan, path: path, stashURL: plan.inputs.stashURL)) { error in
            XCTAssertTrue("\(error)".contains("cannot be read now"), "\(error)")
        }
        XCTAssertTrue(server.state.performers.isEmpty)
    }
}

/// The events an operation reported, in order.
final class EventLog: @unchecked Sendable {
    struct Item: Equatable { var done: Int; var total: Int }
    private let lock = NSLock()
    private var events: [OperationEvent] = []

    @Sendable func record(_ event: OperationEvent) { lock.lock(); events.append(event); lock.unlock() }

    private var all: [OperationEvent] { lock.lock(); defer { lock.unlock() }; return events }

    var statuses: [String] { all.compactMap { if case .status(let text) = $0 { return text } else { return nil } } }

    var started: [String: Int] {
        var result: [String: Int] = [:]
        for case .phaseStarted(let phase, let total) in all { result[phase] = total }
        return result
    }

    var finished: [String: PhaseReport] {
        var result: [String: PhaseReport] = [:]
        for case .phaseFinished(let report) in all { result[report.phase] = report }
        return result
    }

    func items(in phase: String) -> [Item] {
        all.compactMap {
            guard case .itemFinished(let name, _, _, let done, let total) = $0, name == phase else { return nil }
            return Item(done: done, total: total)
        }
    }
}
