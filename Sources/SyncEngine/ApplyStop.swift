import Foundation

/// Asks a running apply to stop early (Ctrl-C, SIGTERM) without stranding anything.
///
/// After `request()`: no new batch is sent and no failed item is retried; the requests already in
/// flight get `grace` to finish and their outcomes are recorded as usual (journal, links, dirty
/// marks). Whatever is still waiting for Stash after `grace` is cancelled: a create then stays
/// `pending` in the create journal and an update stays `dirty`, so the next run looks them up
/// before sending them again. Every item not sent is reported as not applied.
public final class ApplyStop: @unchecked Sendable {
    private let lock = NSLock()
    private var requestedAt: ContinuousClock.Instant?
    private var armed = false
    /// How long requests in flight may take to finish once a stop is requested.
    let grace: Duration

    /// The skip reason of the items an interrupted apply did not send.
    static let notAppliedReason = "not applied: apply was interrupted"

    /// A stop that lets requests in flight run for at most `grace`.
    public init(grace: Duration = .seconds(10)) { self.grace = grace }

    /// Asks the apply to stop. Idempotent: a second call keeps the first deadline.
    public func request() {
        lock.lock(); defer { lock.unlock() }
        if requestedAt == nil { requestedAt = .now }
    }

    /// True once `Applier.apply` started: before that nothing was sent, and a stop may simply end the process.
    public var isArmed: Bool {
        lock.lock(); defer { lock.unlock() }
        return armed
    }

    func arm() { lock.lock(); armed = true; lock.unlock() }

    /// True once a stop was requested.
    var isRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return requestedAt != nil
    }

    /// When requests in flight are cancelled, once a stop was requested.
    var deadline: ContinuousClock.Instant? {
        lock.lock(); defer { lock.unlock() }
        return requestedAt.map { $0 + grace }
    }

    /// Runs `body`, cancelling it `grace` after a stop is requested (if it is still running then).
    func bounding<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                // Poll: a signal handler cannot resume a continuation safely, and 50 ms is nothing next to `grace`.
                while !Task.isCancelled {
                    if let deadline = self.deadline {
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        return nil
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return nil
            }
            var result: T?
            while let next = await group.next() {
                if let value = next {
                    result = value
                    group.cancelAll()
                } else if result == nil && !Task.isCancelled {
                    // The grace period is over: cancel what is still in flight; `body` records it and returns.
                    group.cancelAll()
                }
            }
            return result!
        }
    }
}
