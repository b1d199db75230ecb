import Foundation
import SyncEngine

/// One status line on standard error, rewritten in place (only on a terminal): the `.status`
/// events of a running plan.
final class StatusLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    /// Shows a `.status` event's text; `.database` and `.warning` on their own lines (always,
    /// terminal or not).
    @Sendable func show(_ event: OperationEvent) {
        if let line = event.standardErrorLine {
            lock.lock(); defer { lock.unlock() }
            FileHandle.standardError.write(Data(((shown ? "\r\u{1B}[K" : "") + line).utf8))
            shown = false
            return
        }
        guard enabled, case .status(let message) = event else { return }
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(message)".utf8))
        shown = true
    }

    func clear() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}

/// Apply's progress bars (a terminal) or lines (elsewhere) on standard error, drawn from the
/// operation's phase and item events by a `SyncMonitor`.
final class ApplyProgressDisplay: Sendable {
    private let monitor = SyncMonitor.standardError()

    @Sendable func show(_ event: OperationEvent) {
        switch event {
        case .phaseStarted(let phase, let total): monitor.beginPhase(phase, total: total)
        case .itemFinished(_, let item, let outcome, _, _): monitor.record(item: item, outcome: outcome)
        case .phaseFinished: monitor.endPhase()
        case .warning, .database: FileHandle.standardError.write(Data((event.standardErrorLine ?? "").utf8))
        case .phasesPlanned(let phases): monitor.announce(phases: phases)
        // This monitor saw the same silence: it says so in its own style.
        case .waiting: monitor.tick()
        case .status: break
        }
    }
}

/// An error shown as `Error: <message>` with exit code 1; keeps library errors' own wording.
struct PlanCommandError: Error, CustomStringConvertible {
    let message: String
    init(message: String) { self.message = message }
    init(_ error: Error) {
        if let error = error as? PlanCommandError { self = error; return }
        message = OperationFailure.describe(error)
    }
    var description: String { message }
}

/// A failure that ends `apply` with a message and exit status 1.
struct ApplyFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension OperationEvent {
    /// The line a `.database` or `.warning` event prints on standard error; nil for the others.
    var standardErrorLine: String? {
        switch self {
        case .database(let description): return "Reading \(description)\n"
        case .warning(let message): return "Warning: \(message)\n"
        default: return nil
        }
    }
}

/// Prints a `.database` or `.warning` event on standard error (what `inspect` and `rules explain`
/// say about the database they opened).
@Sendable func announce(_ event: OperationEvent) {
    if let line = event.standardErrorLine { FileHandle.standardError.write(Data(line.utf8)) }
}
