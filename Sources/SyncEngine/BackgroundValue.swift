import Dispatch
import Foundation

/// A value computed on a thread of its own while the caller goes on (a grouped plan's notices,
/// queried from the database while the parts are merged); `value()` waits for it.
final class BackgroundValue<Value>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the thread before it signals `done`; read only after a wait.
    private var result: Result<Value, any Error>?

    /// Starts `body` on a new thread named `label`. `body` must touch nothing the caller uses
    /// until `value()` returns.
    init(label: String, _ body: @escaping () throws -> Value) {
        let work = Work(run: body)
        let thread = Thread { [self] in
            result = Result { try work.run() }
            done.signal()
        }
        thread.name = label
        thread.start()
    }

    /// `body` is not `Sendable`: the caller keeps apart from what it uses.
    private struct Work: @unchecked Sendable { let run: () throws -> Value }

    /// Waits for the value; rethrows what computing it threw.
    func value() throws -> Value {
        done.wait()
        defer { done.signal() }
        return try result!.get()
    }
}
