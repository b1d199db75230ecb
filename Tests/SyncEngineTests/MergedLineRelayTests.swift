import Foundation
import XCTest

@testable import SyncEngine

/// The relay that hands a spool's merged lines to the plan writer and the report on threads of
/// their own.
final class MergedLineRelayTests: XCTestCase {
    /// What one consumer saw: each line with its run and section, in order.
    private final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private(set) var threads: Set<String> = []
        func take(_ chunk: MergedLineRelay.Chunk) {
            var taken: [String] = []
            chunk.forEachLine { run, line in
                taken.append("\(chunk.section) \(run) \(String(decoding: line, as: UTF8.self))")
            }
            lock.withLock {
                lines += taken
                threads.insert(Thread.isMainThread ? "main" : "worker")
            }
        }
        var all: [String] { lock.withLock { lines } }
    }

    private func send(_ lines: [(String, Int, MergedLineRelay.Section)], through relay: MergedLineRelay) throws {
        for (text, run, section) in lines {
            var bytes = Array(text.utf8)
            try bytes.withUnsafeMutableBufferPointer {
                try relay.append(UnsafeBufferPointer($0), run: run, section: section)
            }
        }
    }

    func testEveryConsumerGetsEveryLineInOrderAcrossChunksAndSections() throws {
        // Lines of about 1 KB: several chunks of each section, more than the relay holds at once.
        let filler = String(repeating: "x", count: 1000)
        let changes = (0..<1500).map { ("change \($0) \(filler)", $0 % 7, MergedLineRelay.Section.changes) }
        let unmatched = (0..<700).map { ("file \($0)", $0 % 3, MergedLineRelay.Section.unmatched) }
        let writer = Seen()
        let report = Seen()
        let relay = MergedLineRelay(label: "test", consumers: [{ writer.take($0) }, { report.take($0) }])
        try send(changes + unmatched, through: relay)
        try relay.finish()

        let expected = (changes + unmatched).map { "\($0.2) \($0.1) \($0.0)" }
        XCTAssertEqual(writer.all.count, expected.count)
        XCTAssertEqual(writer.all, expected)
        XCTAssertEqual(report.all, expected)
        XCTAssertEqual(writer.threads, ["worker"], "consumers run beside the merge")
    }

    func testAConsumersErrorStopsTheRelayAndIsThrown() throws {
        struct DiskFull: Error {}
        let report = Seen()
        let relay = MergedLineRelay(
            label: "test",
            consumers: [
                { chunk in if chunk.section == .unmatched { throw DiskFull() } },
                { report.take($0) },
            ])
        let filler = String(repeating: "y", count: 4000)
        var thrown: (any Error)?
        do {
            try send((0..<100).map { ("change \($0)", 0, .changes) }, through: relay)
            // Once the writer failed, appending stops with its error (or finish throws it).
            for index in 0..<2000 { try send([("file \(index) \(filler)", 1, .unmatched)], through: relay) }
            try relay.finish()
        } catch {
            thrown = error
        }
        XCTAssertTrue(thrown is DiskFull, "\(String(describing: thrown))")
        // The report stops at its next chunk once the writer failed (possibly before the first):
        // what it took is a prefix of the lines, in order, never all of them.
        let seen = report.all
        let sent =
            (0..<100).map { "changes 0 change \($0)" } + (0..<2000).map { "unmatched 1 file \($0) \(filler)" }
        XCTAssertLessThan(seen.count, sent.count, "the report stopped too")
        XCTAssertEqual(seen, Array(sent.prefix(seen.count)))
    }
}
