public import Foundation

/// What a running plan or apply reports while it works: for a terminal status line, a progress bar
/// or a Stash plugin's task progress.
public enum OperationEvent: Sendable, Equatable {
    /// A short status line while planning ("evaluating the rules over the database…").
    case status(String)
    /// Which database the run reads, in words and without password (`PostgreSQL database … on
    /// host:port as user (from config.yaml)`); sent once, unless `--db` was a plain SQLite path.
    case database(String)
    /// Something the user should read that does not stop the run (an alembic revision fansly-stash
    /// does not know, an ignored `~/.pgpass`).
    case warning(String)
    /// An apply phase (`ApplyPhase.rawValue`) started with `total` items.
    case phaseStarted(phase: String, total: Int)
    /// One item of the current phase finished; `done` of `total` items are processed.
    case itemFinished(phase: String, item: String, outcome: ItemOutcome, done: Int, total: Int)
    /// An apply phase ended.
    case phaseFinished(PhaseReport)
    /// Before the first apply phase: the phases that will run, in order, with their item counts.
    case phasesPlanned([PlannedPhase])
    /// Nothing finished for `seconds` in `phase`: the run is waiting for Stash to answer.
    case waiting(phase: String, seconds: Double)
}

/// An apply phase announced before it runs.
public struct PlannedPhase: Sendable, Equatable {
    /// `ApplyPhase.rawValue`.
    var name: String
    /// Its items.
    var total: Int
    /// A phase of `total` items.
    init(name: String, total: Int) { self.name = name; self.total = total }
}

/// Receives `OperationEvent`s; called from any thread, so it must be cheap and thread-safe.
public typealias OperationProgress = @Sendable (OperationEvent) -> Void

/// A failure of an operation with a message for people (`description`), in the words the command
/// line has always used.
public struct OperationFailure: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The message, complete (shown after `Error: `).
    public var message: String
    /// A failure saying `message`.
    init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }

    /// `error` as one line: its `LocalizedError` text or its description.
    public static func describe(_ error: any Error) -> String {
        if let failure = error as? OperationFailure { return failure.message }
        if let localized = error as? LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: error)
    }
}
