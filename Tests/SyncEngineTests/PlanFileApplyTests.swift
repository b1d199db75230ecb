import FanslyMetadata
import Foundation
import MappingRules
import StashTestServer
import XCTest

@testable import SyncEngine

/// Applying a saved plan from its file, phase by phase, does what applying it from memory does.
final class PlanFileApplyTests: XCTestCase {
    private func applier(_ fixture: ApplyFixture, state: SyncState, batchSize: Int = 100) -> Applier {
        Applier(
            writer: StashClientWriter(client: fixture.client(batchSize: batchSize)), state: state,
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
            .apply(try PlanFileReader.open(path: path).readChanges())

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
        let expectedReport = await applier(clean, state: try SyncState(path: temporaryStatePath())).apply(
            clean.plan(createdAt: createdAt))
        XCTAssertEqual(expectedReport.failures, [])

        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let path = NSTemporaryDirectory() + "apply-\(UUID().uuidString).plan"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(fixture.plan(createdAt: createdAt), to: path)
        let state = try SyncState(path: temporaryStatePath())
        let report = await applier(fixture, state: state).apply(try PlanFileReader.open(path: path).readChanges())

        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.totals, expectedReport.totals)
        XCTAssertEqual(report.phases.map(\.phase), expectedReport.phases.map(\.phase))
        XCTAssertEqual(LibraryShape(fixture.server.state), LibraryShape(clean.server.state))

        // Again from the file: everything is known written.
        fixture.server.resetCounters()
        let again = await applier(fixture, state: state).apply(try PlanFileReader.open(path: path).readChanges())
        XCTAssertEqual(fixture.server.requestCount, 0)
        XCTAssertEqual(again.totals.created + again.totals.updated + again.totals.failed, 0)
    }

    func testAPlanFileEmptiedDuringApplyFailsItsItemsInsteadOfApplyingThem() async throws {
        let fixture = try await ApplyFixture.start()
        defer { Task { await fixture.server.stop() } }
        let path = NSTemporaryDirectory() + "apply-\(UUID().uuidString).plan"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(fixture.plan(), to: path)
        let changes = try PlanFileReader.open(path: path).readChanges()
        XCTAssertEqual(truncate(path, 0), 0)
        fixture.server.resetCounters()

        let report = await applier(fixture, state: try SyncState(path: temporaryStatePath())).apply(changes)

        XCTAssertEqual(fixture.server.requestCount, 0, "nothing is sent")
        let inMemory = PlanChanges(fixture.plan())
        let sent = inMemory.entries.filter { $0.action == .create || $0.action == .update }.count
        XCTAssertEqual(report.totals.failed, sent, "every create and update, once")
        XCTAssertEqual(
            report.totals.skipped, inMemory.entries.filter { $0.action == .skip }.count,
            "skips need nothing from the file")
        XCTAssertGreaterThan(report.totals.skipped, 0)
        XCTAssertTrue(
            report.failures.allSatisfy { $0.error.hasPrefix("the plan file cannot be read again") },
            "\(report.failures)")
    }
}
