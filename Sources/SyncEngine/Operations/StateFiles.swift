import Foundation

/// Where the operations find fansly-stash's state file and how they open it: one per Stash by
/// default (`SyncState.defaultPath`), or the file the request names.
enum StateFiles {
    /// The links a plan reads. Planning never creates a state file: without one, nothing has been
    /// applied yet. Offline, only a state file named in the request is read.
    static func linksForPlanning(statePath: String?, stashURL: URL?) throws -> SyncState? {
        guard let path = statePath ?? stashURL.map({ SyncState.defaultPath(forStashURL: $0.absoluteString) }) else { return nil }
        if FileManager.default.fileExists(atPath: path) { return try SyncState(path: path) }
        if statePath != nil { throw OperationFailure("--state \(path): no such file") }
        return nil
    }

    /// The state file apply records in (created when missing), tied to the Stash at `stashURL`.
    static func openForApply(statePath: String?, stashURL: String) throws -> SyncState {
        do {
            let state = try SyncState(path: statePath ?? SyncState.defaultPath(forStashURL: stashURL))
            try state.bind(toStashURL: stashURL)
            return state
        } catch {
            throw OperationFailure(BatchProcessor<Int>.message(for: error))
        }
    }
}
