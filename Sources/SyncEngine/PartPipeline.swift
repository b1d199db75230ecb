import Dispatch
import Foundation

/// Runs jobs on threads of their own, at most `inFlight` at a time: `submit` waits until fewer
/// are running, then starts the new one and returns, so that the caller works on (a grouped plan:
/// the engine evaluates the next group) while the jobs run (earlier groups are planned and
/// spooled), and memory holds at most `inFlight` jobs' work besides the caller's.
///
/// A job's error is thrown by the next `submit` or by `drain`; no job is started after it.
final class PartPipeline: @unchecked Sendable {
    private let label: String
    /// One permit per job that may run; a job holds one from `submit` until it ends.
    private let slots: DispatchSemaphore
    private let inFlight: Int
    private let failure = FirstError()

    /// A pipeline running at most `inFlight` jobs at once (at least one).
    init(label: String, inFlight: Int = 1) {
        self.inFlight = max(1, inFlight)
        self.label = label
        slots = DispatchSemaphore(value: self.inFlight)
    }

    /// Waits for a free slot, rethrows a job's error, then starts `job` on a worker.
    func submit(_ job: @escaping @Sendable () throws -> Void) throws {
        slots.wait()
        if let error = failure.value {
            slots.signal()
            throw error
        }
        // A thread per job (a part takes seconds): jobs in flight run at once whatever else holds
        // the dispatch pool's threads.
        let thread = Thread { [self] in
            do { try job() } catch { failure.record(error) }
            slots.signal()
        }
        thread.name = label
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for every job in flight to finish; rethrows the first error a job threw.
    func drain() throws {
        // Taking every permit means no job runs; they are all given back before returning.
        for _ in 0..<inFlight { slots.wait() }
        for _ in 0..<inFlight { slots.signal() }
        try failure.check()
    }
}
