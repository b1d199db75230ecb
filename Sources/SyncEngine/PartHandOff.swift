import Foundation
import MappingRules

/// Hands the parts of a grouped evaluation, made on a thread of their own, to an async planner:
/// the evaluation is synchronous and online planning awaits Stash between parts.
///
/// The evaluation may build the next part while the planner plans the current one, never more:
/// `send` waits until the part before was planned (`planned()`), so at most two parts are held.
final class PartHandOff: @unchecked Sendable {
    /// The parts, in order; ends when the evaluation does, with its error.
    let parts: AsyncThrowingStream<EvaluatedPart, Error>
    private let continuation: AsyncThrowingStream<EvaluatedPart, Error>.Continuation
    private let turn = DispatchSemaphore(value: 1)
    private let lock = NSLock()
    private var stopped = false

    init() {
        (parts, continuation) = AsyncThrowingStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Runs `evaluate` on a new thread; it passes each part to `send`.
    func start(_ evaluate: @escaping @Sendable (PartHandOff) throws -> Void) {
        let thread = Thread { [self] in
            do {
                try evaluate(self)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        // The rule engine recurses through templates: more stack than a secondary thread's default.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Called by the evaluation: waits until the part before was planned, then hands `part` over.
    /// Throws `CancellationError` once the planner stopped.
    func send(_ part: EvaluatedPart) throws {
        turn.wait()
        if isStopped {
            // Given back: a semaphore must not end below its starting value (libdispatch traps),
            // and a stopped planner may not take back the parts it was sent.
            turn.signal()
            throw CancellationError()
        }
        continuation.yield(part)
    }

    /// Called by the planner when it is done with a part.
    func planned() { turn.signal() }

    /// Called by the planner when it will take no more parts: the evaluation ends at its next part.
    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        turn.signal()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }
}
