import Foundation
import XCTest

@testable import SyncEngine

final class BatchProcessorTests: XCTestCase {
    struct Flaky: Error, Equatable { var item: Int }
    struct Broken: Error, LocalizedError { var errorDescription: String? { "broken item" } }

    /// Collects what the processor reports and observes, from any task.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var batches: [[Int]] = []
        private(set) var reported: [Int: ItemOutcome] = [:]
        private(set) var inFlight = 0
        private(set) var maxInFlight = 0
        private var attempts: [Int: Int] = [:]
        func begin(_ batch: [Int]) -> [Int] {
            lock.lock(); defer { lock.unlock() }
            batches.append(batch); inFlight += 1; maxInFlight = max(maxInFlight, inFlight)
            return batch.map {
                attempts[$0, default: 0] += 1; return attempts[$0]!
            }
        }
        func end() { lock.lock(); inFlight -= 1; lock.unlock() }
        func report(_ item: Int, _ outcome: ItemOutcome) { lock.lock(); reported[item] = outcome; lock.unlock() }
    }

    func testSplitsIntoBatchesAndReturnsOutcomesInOrder() async {
        let recorder = Recorder()
        let processor = BatchProcessor<Int>(options: BatchOptions(batchSize: 3, parallelism: 1))
        let outcomes = await processor.run(Array(0..<8), report: { recorder.report($0, $1) }) { batch in
            _ = recorder.begin(batch); defer { recorder.end() }
            return batch.map { .done(.created(id: "s\($0)")) }
        }
        XCTAssertEqual(recorder.batches, [[0, 1, 2], [3, 4, 5], [6, 7]])
        XCTAssertEqual(outcomes, (0..<8).map { .created(id: "s\($0)") })
        XCTAssertEqual(recorder.reported.count, 8)
        XCTAssertEqual(recorder.reported[7], .created(id: "s7"))
    }

    func testBoundsConcurrency() async {
        let recorder = Recorder()
        let processor = BatchProcessor<Int>(options: BatchOptions(batchSize: 1, parallelism: 3))
        _ = await processor.run(Array(0..<12)) { batch in
            _ = recorder.begin(batch)
            try? await Task.sleep(for: .milliseconds(20))
            recorder.end()
            return batch.map { _ in .done(.unchanged) }
        }
        XCTAssertEqual(recorder.batches.count, 12)
        XCTAssertEqual(recorder.maxInFlight, 3, "three batches should run at once, never more")
    }

    func testRetriesRetryableItemsOnlyUntilTheyPass() async {
        let recorder = Recorder()
        let processor = BatchProcessor<Int>(
            options: BatchOptions(batchSize: 10, maxAttempts: 3, retryDelay: .milliseconds(1)))
        let outcomes = await processor.run([1, 2, 3, 4], report: { recorder.report($0, $1) }) { batch in
            let attempts = recorder.begin(batch); defer { recorder.end() }
            return zip(batch, attempts).map { item, attempt in
                // Item 2 passes on its second attempt, item 4 never does.
                if item == 2 && attempt < 2 || item == 4 { return .retry(Flaky(item: item)) }
                return .done(.updated(id: "\(item)"))
            }
        }
        XCTAssertEqual(recorder.batches, [[1, 2, 3, 4], [2, 4], [4]])
        XCTAssertEqual(outcomes[1], .updated(id: "2"))
        guard case .failed(let message) = outcomes[3] else { return XCTFail("item 4 should fail, got \(outcomes[3])") }
        XCTAssertTrue(message.contains("Flaky"), message)
    }

    func testIsolatesAFailingItemWhenTheWholeBatchThrows() async {
        let recorder = Recorder()
        let processor = BatchProcessor<Int>(options: BatchOptions(batchSize: 4, retryDelay: .milliseconds(1)))
        let outcomes = await processor.run([1, 2, 3, 4, 5], report: { recorder.report($0, $1) }) { batch in
            _ = recorder.begin(batch); defer { recorder.end() }
            if batch.contains(3) { throw Broken() }
            return batch.map { .done(.created(id: "\($0)")) }
        }
        XCTAssertEqual(
            outcomes,
            [
                .created(id: "1"), .created(id: "2"), .failed(message: "broken item"),
                .created(id: "4"), .created(id: "5"),
            ])
        XCTAssertTrue(recorder.batches.contains([1, 2, 3, 4]), "\(recorder.batches)")
        XCTAssertTrue(recorder.batches.contains([3]))
        XCTAssertEqual(recorder.reported[3], .failed(message: "broken item"))
    }

    func testRetriesAWholeBatchOnARetryableThrow() async {
        let recorder = Recorder()
        let processor = BatchProcessor<Int>(
            options: BatchOptions(batchSize: 5, retryDelay: .milliseconds(1)),
            isRetryable: { $0 is Flaky })
        let outcomes = await processor.run([1, 2]) { batch in
            let attempts = recorder.begin(batch); defer { recorder.end() }
            if attempts[0] < 3 { throw Flaky(item: 0) }
            return batch.map { _ in .done(.unchanged) }
        }
        XCTAssertEqual(outcomes, [.unchanged, .unchanged])
        XCTAssertEqual(recorder.batches, [[1, 2], [1, 2], [1, 2]])
    }

    func testShortResultsFailTheMissingItems() async {
        let processor = BatchProcessor<Int>()
        let outcomes = await processor.run([1, 2]) { _ in [.done(.unchanged)] }
        XCTAssertEqual(outcomes[0], .unchanged)
        XCTAssertEqual(outcomes[1], .failed(message: "internal error: batch work returned 1 results for 2 items"))
    }

    func testEmptyInputRunsNothing() async {
        let recorder = Recorder()
        let outcomes = await BatchProcessor<Int>().run([]) { batch in
            _ = recorder.begin(batch); return []
        }
        XCTAssertEqual(outcomes, [])
        XCTAssertEqual(recorder.batches, [])
    }
}
