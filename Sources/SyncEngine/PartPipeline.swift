import Dispatch

/// Runs jobs one at a time on a thread of their own, at most one behind the caller: `submit`
/// waits for the job before to finish, then starts the new one and returns, so that the caller
/// works on (a grouped plan: the engine evaluates the next group) while the job runs (that group
/// is planned and spooled), and memory holds at most one job's work besides the caller's.
///
/// A job's error is thrown by the next `submit` or by `drain`; the jobs after it are not run.
final class PartPipeline: @unchecked Sendable {
    private let queue: DispatchQueue
    /// Free when no job is running (one permit: one job in flight).
    private let idle = DispatchSemaphore(value: 1)
    /// The first job's error; written by the worker before it signals `idle`, read after a wait.
    private var failure: (any Error)?

    init(label: String) { queue = DispatchQueue(label: label) }

    /// Waits for the job in flight, rethrows its error, then starts `job` on the worker.
    func submit(_ job: @escaping @Sendable () throws -> Void) throws {
        idle.wait()
        if let failure {
            idle.signal()
            throw failure
        }
        queue.async { [self] in
            do { try job() } catch { failure = error }
            idle.signal()
        }
    }

    /// Waits for the job in flight to finish; rethrows the first error a job threw.
    func drain() throws {
        idle.wait()
        defer { idle.signal() }
        if let failure { throw failure }
    }
}
