import Foundation

/// The first error thrown by work running on several threads (a pipeline's jobs, a relay's
/// consumers, reads that cannot throw where they happen): kept once, read by whoever waits on the work.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?

    /// Keeps `error` unless one was kept before.
    func record(_ error: any Error) { lock.withLock { if self.error == nil { self.error = error } } }

    /// The error kept, if any.
    var value: (any Error)? { lock.withLock { error } }

    /// Throws the error kept, if any.
    func check() throws { if let error = value { throw error } }
}
