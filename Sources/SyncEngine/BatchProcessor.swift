import Foundation

/// What happened to one item of work.
public enum ItemOutcome: Sendable, Hashable {
    /// A new Stash object was created with this id.
    case created(id: String)
    /// An existing Stash object was changed.
    case updated(id: String)
    /// Nothing needed writing (already as wanted).
    case unchanged
    /// Deliberately left alone, with the reason.
    case skipped(reason: String)
    /// Could not be applied; the message says why.
    case failed(message: String)

    /// The outcome's category, for counting.
    var kind: OutcomeKind {
        switch self {
        case .created: return .created
        case .updated: return .updated
        case .unchanged: return .unchanged
        case .skipped: return .skipped
        case .failed: return .failed
        }
    }
}

/// The categories outcomes are counted in.
public enum OutcomeKind: String, Sendable, Hashable, Codable, CaseIterable {
    case created, updated, unchanged, skipped, failed
}

/// What the work closure says about one item of a batch.
enum ItemResult: Sendable {
    /// Finished, successfully or not.
    case done(ItemOutcome)
    /// Failed in a way worth trying again (server busy, connection dropped before the request was sent…).
    case retry(any Error)
    /// Failed for good.
    case failed(any Error)
}

/// How a `BatchProcessor` splits and paces work.
public struct BatchOptions: Sendable, Hashable {
    /// Items handed to the work closure at once.
    var batchSize: Int
    /// Batches in flight at once.
    var parallelism: Int
    /// Attempts per item, the first included.
    var maxAttempts: Int
    /// Wait before the first retry; doubled on each further retry.
    var retryDelay: Duration

    /// Defaults: batches of 100, 2 in flight, 4 attempts, 200 ms first retry delay.
    public init(
        batchSize: Int = 100, parallelism: Int = 2, maxAttempts: Int = 4, retryDelay: Duration = .milliseconds(200)
    ) {
        self.batchSize = max(1, batchSize)
        self.parallelism = max(1, parallelism)
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = retryDelay
    }
}

/// Runs work over items of any kind in batches, a bounded number at once, isolating failures per item.
///
/// The work closure receives a batch and returns one `ItemResult` per item, in order. Items marked
/// `.retry` are retried (together, after a growing delay) until `maxAttempts`. When the closure throws
/// for a whole batch, a retryable error retries the batch, and any other error re-runs each item on
/// its own so that one bad item never fails its neighbours. The work closure must therefore be safe
/// to run again for an item whose earlier attempt may or may not have taken effect.
struct BatchProcessor<Item: Sendable>: Sendable {
    /// Work over one batch: one result per item, in order.
    typealias Work = @Sendable ([Item]) async throws -> [ItemResult]
    /// Called once per item with its final outcome (from any task).
    typealias Report = @Sendable (Item, ItemOutcome) -> Void

    /// Batch size, concurrency and retries.
    let options: BatchOptions
    private let isRetryable: @Sendable (any Error) -> Bool
    private let describeError: @Sendable (any Error) -> String
    private let isStopping: @Sendable () -> Bool

    /// The skip reason of items never started because the run was cancelled or asked to stop.
    static var notStartedReason: String { "cancelled" }

    /// - Parameters:
    ///   - isRetryable: whether an error thrown for a whole batch is worth retrying.
    ///   - describeError: the message recorded for a failed item.
    ///   - isStopping: when it turns true, no further batch starts and nothing is retried
    ///     (batches in flight finish).
    init(
        options: BatchOptions = BatchOptions(),
        isRetryable: @escaping @Sendable (any Error) -> Bool = { _ in false },
        describeError: @escaping @Sendable (any Error) -> String = { BatchProcessor.message(for: $0) },
        isStopping: @escaping @Sendable () -> Bool = { false }
    ) {
        self.options = options
        self.isRetryable = isRetryable
        self.describeError = describeError
        self.isStopping = isStopping
    }

    /// Processes every item and returns their outcomes in the items' order.
    /// Stops starting new batches when the task is cancelled or `isStopping` says so; items never
    /// started are not reported and come back as `.skipped(reason: notStartedReason)`.
    public func run(_ items: [Item], report: @escaping Report = { _, _ in }, work: @escaping Work) async
        -> [ItemOutcome]
    {
        var outcomes = [ItemOutcome?](repeating: nil, count: items.count)
        let batches = stride(from: 0, to: items.count, by: options.batchSize).map { start in
            Array(start..<min(start + options.batchSize, items.count))
        }
        await withTaskGroup(of: [(Int, ItemOutcome)].self) { group in
            var next = 0
            func startNext() {
                guard next < batches.count, !Task.isCancelled, !isStopping() else { return }
                let indices = batches[next]
                next += 1
                group.addTask {
                    await self.runBatch(indices.map { ($0, items[$0]) }, report: report, work: work)
                }
            }
            for _ in 0..<options.parallelism { startNext() }
            while let finished = await group.next() {
                for (index, outcome) in finished { outcomes[index] = outcome }
                startNext()
            }
        }
        return outcomes.map { $0 ?? .skipped(reason: Self.notStartedReason) }
    }

    private func runBatch(_ batch: [(Int, Item)], report: Report, work: Work) async -> [(Int, ItemOutcome)] {
        var finished: [(Int, ItemOutcome)] = []
        var pending = batch
        var attempt = 1
        func finish(_ entry: (Int, Item), _ outcome: ItemOutcome) {
            finished.append((entry.0, outcome))
            report(entry.1, outcome)
        }
        while !pending.isEmpty {
            var retry: [(Int, Item)] = []
            var lastError: (any Error)?
            do {
                let results = try await work(pending.map(\.1))
                for (position, entry) in pending.enumerated() {
                    let result =
                        position < results.count
                        ? results[position]
                        : .failed(BatchProcessorError.missingResult(expected: pending.count, got: results.count))
                    switch result {
                    case .done(let outcome): finish(entry, outcome)
                    case .failed(let error): finish(entry, .failed(message: describeError(error)))
                    case .retry(let error):
                        if attempt < options.maxAttempts {
                            retry.append(entry); lastError = error
                        } else {
                            finish(entry, .failed(message: describeError(error)))
                        }
                    }
                }
            } catch {
                if isRetryable(error) && attempt < options.maxAttempts {
                    retry = pending
                    lastError = error
                } else if pending.count > 1 && !Task.isCancelled && !isStopping() {
                    // Isolate: each item on its own, so one bad item cannot fail the others.
                    for entry in pending {
                        finished += await runBatch([entry], report: report, work: work)
                    }
                    return finished
                } else {
                    for entry in pending { finish(entry, .failed(message: describeError(error))) }
                }
            }
            pending = retry
            if !pending.isEmpty {
                if Task.isCancelled || isStopping() {
                    for entry in pending {
                        finish(entry, .failed(message: describeError(lastError ?? CancellationError())))
                    }
                    break
                }
                let factor = 1 << min(attempt - 1, 10)
                try? await Task.sleep(for: options.retryDelay * factor)
                attempt += 1
            }
        }
        return finished
    }

    /// A one-line message for an error: its `LocalizedError` description when it has one.
    public static func message(for error: any Error) -> String {
        if let described = error as? LocalizedError, let text = described.errorDescription { return text }
        return String(describing: error)
    }
}

/// Misuse of `BatchProcessor`'s work contract.
enum BatchProcessorError: Error, LocalizedError, Equatable {
    /// The work closure returned fewer results than items.
    case missingResult(expected: Int, got: Int)

    var errorDescription: String? {
        switch self {
        case .missingResult(let expected, let got):
            return "internal error: batch work returned \(got) results for \(expected) items"
        }
    }
}
