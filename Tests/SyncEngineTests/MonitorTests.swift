import Foundation
import XCTest

@testable import SyncEngine

final class MonitorTests: XCTestCase {
    /// A clock the test moves by hand, and a buffer for what the monitor writes.
    final class Harness: @unchecked Sendable {
        private let lock = NSLock()
        var time = Date(timeIntervalSince1970: 1_000)
        var output = ""
        func now() -> Date { lock.lock(); defer { lock.unlock() }; return time }
        func advance(_ seconds: TimeInterval) { lock.lock(); time += seconds; lock.unlock() }
        func write(_ text: String) { lock.lock(); output += text; lock.unlock() }
    }

    func testPlainLinesPerPhaseAndReportTotals() {
        let h = Harness()
        let monitor = SyncMonitor(style: .plain, plainInterval: 5, now: { h.now() }, write: { h.write($0) })
        monitor.beginPhase("tags", total: 3)
        monitor.record(item: "tag.a", outcome: .created(id: "1"))
        monitor.record(item: "tag.b", outcome: .unchanged)
        h.advance(6)
        monitor.record(item: "tag.c", outcome: .failed(message: "name already used"))
        monitor.beginPhase("performers", total: 1)
        h.advance(1)
        monitor.record(item: "performer.x", outcome: .updated(id: "9"))
        let report = monitor.finish()

        XCTAssertEqual(
            h.output,
            """
            tags: 3 to process
            tags: 3/3 done in 6.0s (created 1, updated 0, unchanged 1, skipped 0, failed 1)
            performers: 1 to process
            performers: 1/1 done in 1.0s (created 0, updated 1, unchanged 0, skipped 0, failed 0)

            """)
        XCTAssertEqual(report.totals.processed, 4)
        XCTAssertEqual(report.totals.created, 1)
        XCTAssertEqual(report.totals.failed, 1)
        XCTAssertEqual(report.elapsedSeconds, 7, accuracy: 0.001)
        XCTAssertEqual(report.phases.map(\.phase), ["tags", "performers"])
        XCTAssertEqual(report.failures, [SyncFailure(phase: "tags", item: "tag.c", error: "name already used")])
        XCTAssertFalse(report.succeeded)
    }

    func testPlainProgressLineForLongPhases() {
        let h = Harness()
        let monitor = SyncMonitor(style: .plain, plainInterval: 5, now: { h.now() }, write: { h.write($0) })
        monitor.beginPhase("scenes", total: 10)
        monitor.record(item: "scene.1", outcome: .updated(id: "1"))
        h.advance(5)
        monitor.record(item: "scene.2", outcome: .updated(id: "2"))
        XCTAssertTrue(
            h.output.hasSuffix(
                "scenes: 2/10 (created 0, updated 2, unchanged 0, skipped 0, failed 0), elapsed 5.0s, about 20.0s left\n"
            ), h.output)
    }

    /// Issue 16, item 12: the phases still to come, the time left, and a visible wait.
    func testProgressNamesWhatIsLeftAndSaysWhenItWaitsForStash() {
        let h = Harness()
        let monitor = SyncMonitor(style: .plain, plainInterval: 5, now: { h.now() }, write: { h.write($0) })
        monitor.announce(phases: [
            .init(name: "tags", total: 2), .init(name: "studios", total: 0),
            .init(name: "scenes", total: 4), .init(name: "images", total: 4),
        ])
        monitor.beginPhase("tags", total: 2)
        XCTAssertTrue(h.output.hasSuffix("tags: 2 to process (then scenes, images)\n"), h.output)
        monitor.record(item: "tag.a", outcome: .created(id: "1"))
        monitor.record(item: "tag.b", outcome: .created(id: "2"))
        monitor.beginPhase("scenes", total: 4)
        XCTAssertTrue(h.output.hasSuffix("scenes: 4 to process (then images)\n"), h.output)
        h.advance(2)
        monitor.tick()
        XCTAssertFalse(h.output.contains("waiting"), "two quiet seconds are not a wait")
        h.advance(4)
        monitor.tick()
        XCTAssertTrue(h.output.hasSuffix("scenes: waiting for Stash (no answer for 6.0s; 0/4 done)\n"), h.output)
        h.advance(1)
        monitor.tick()
        XCTAssertEqual(
            h.output.components(separatedBy: "waiting for Stash").count, 2, "said again only after plainInterval")
        monitor.record(item: "scene.1", outcome: .updated(id: "1"))
        h.advance(5)
        monitor.record(item: "scene.2", outcome: .updated(id: "2"))
        // 4 items in 12 s: 6 left (2 scenes, 4 images) at that pace is 18 s.
        XCTAssertTrue(
            h.output.hasSuffix(
                "scenes: 2/4 (created 0, updated 2, unchanged 0, skipped 0, failed 0), elapsed 12.0s, about 18.0s left (then images)\n"
            ), h.output)
    }

    /// A run inside an operation reports the same through events (for the CLI's display or a plugin).
    func testThePlannedPhasesAndTheWaitAreEvents() {
        let h = Harness()
        let events = EventList()
        let monitor = SyncMonitor(style: .quiet, now: { h.now() }, observer: events.append) { _ in }
        monitor.announce(phases: [
            .init(name: "tags", total: 1), .init(name: "images", total: 0), .init(name: "scenes", total: 3),
        ])
        monitor.beginPhase("tags", total: 1)
        h.advance(7)
        monitor.tick()
        XCTAssertEqual(
            events.all.first, .phasesPlanned([.init(name: "tags", total: 1), .init(name: "scenes", total: 3)]))
        XCTAssertEqual(events.all.last, .waiting(phase: "tags", seconds: 7))
    }

    func testTerminalBarRedrawsInPlace() {
        let h = Harness()
        let monitor = SyncMonitor(style: .terminal, now: { h.now() }, write: { h.write($0) })
        monitor.beginPhase("galleries", total: 2)
        h.advance(1)
        monitor.record(item: "gallery.1", outcome: .created(id: "1"))
        h.advance(1)
        monitor.record(item: "gallery.2", outcome: .created(id: "2"))
        monitor.endPhase()
        XCTAssertTrue(
            h.output.contains("\r\u{1B}[2Kgalleries      ████████████░░░░░░░░░░░░ 1/2  +1 ~0 =0 skip 0 fail 0  1/s"),
            h.output)
        XCTAssertTrue(
            h.output.hasSuffix("████████████████████████ 2/2  +2 ~0 =0 skip 0 fail 0  1/s, elapsed 2.0s\n"), h.output)
    }

    func testSummaryShowsFirstFailuresInFullAndCountsTheRest() {
        let h = Harness()
        let monitor = SyncMonitor(style: .quiet, now: { h.now() }, write: { h.write($0) })
        monitor.beginPhase("performers", total: 13)
        for n in 1...13 { monitor.record(item: "performer.p\(n)", outcome: .failed(message: "boom \(n)")) }
        h.advance(75)
        let report = monitor.finish()
        let summary = SyncMonitor.summary(of: report)
        XCTAssertEqual(h.output, "", "quiet writes nothing")
        XCTAssertTrue(
            summary.hasPrefix(
                "Apply complete: 13 processed, 0 created, 0 updated, 0 unchanged, 0 skipped, 13 failed in 1m15s.\n"),
            summary)
        XCTAssertTrue(summary.contains("  performer.p10 (performers): boom 10\n"))
        XCTAssertFalse(summary.contains("performer.p11"))
        XCTAssertTrue(summary.contains("… and 3 more failed items (all are listed with --json)."))
        XCTAssertEqual(report.failures.count, 13, "the report keeps every failure")
    }

    func testReportEncodesAsJSONWithEveryFailure() throws {
        let h = Harness()
        let monitor = SyncMonitor(style: .quiet, now: { h.now() }, write: { h.write($0) })
        monitor.beginPhase("tags", total: 1)
        monitor.record(item: "tag.a", outcome: .failed(message: "nope"))
        monitor.setRequestCount(4)
        let data = try JSONEncoder().encode(monitor.finish())
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let totals = try XCTUnwrap(json["totals"] as? [String: Int])
        XCTAssertEqual(totals["processed"], 1)
        XCTAssertEqual(totals["failed"], 1)
        XCTAssertEqual(json["requests"] as? Int, 4)
        XCTAssertEqual((json["failures"] as? [[String: String]])?.first?["item"], "tag.a")
        XCTAssertEqual(try JSONDecoder().decode(SyncReport.self, from: data).totals.failed, 1)
    }
}

/// Events a monitor reported, in order.
final class EventList: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [OperationEvent] = []
    @Sendable func append(_ event: OperationEvent) { lock.lock(); events.append(event); lock.unlock() }
    var all: [OperationEvent] { lock.lock(); defer { lock.unlock() }; return events }
}
