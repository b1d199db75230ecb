import Foundation
import StashClient

/// Where the operations find fansly-stash's state file and how they open it: one per Stash by
/// default (`SyncState.defaultPath`), or the file the request names.
enum StateFiles {
    /// The links a plan reads. Planning never creates a state file: without one, nothing has been
    /// applied yet (a new file named in the request included). Only a named file whose folder is
    /// missing is an error: that is a mistyped path, and apply would create the file elsewhere than
    /// meant. Offline, only a state file named in the request is read.
    static func linksForPlanning(statePath: String?, stash: StashEndpoint?) throws -> SyncState? {
        guard let path = statePath ?? stash.map({ SyncState.defaultPath(forStashURL: $0.description) }) else {
            return nil
        }
        if FileManager.default.fileExists(atPath: path) { return try SyncState(path: path) }
        if statePath != nil {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw OperationFailure(
                    "--state \(path): the folder \(folder) does not exist (create it first; "
                        + "the state file itself is made by the first apply)")
            }
        }
        return nil
    }

    /// The state file apply records in (created when missing), tied to the Stash at `stash`.
    static func openForApply(statePath: String?, stash: StashEndpoint) throws -> SyncState {
        do {
            let state = try SyncState(path: statePath ?? SyncState.defaultPath(forStashURL: stash.description))
            try state.bind(toStashURL: stash.description)
            return state
        } catch {
            throw OperationFailure(BatchProcessor<Int>.message(for: error))
        }
    }
}
