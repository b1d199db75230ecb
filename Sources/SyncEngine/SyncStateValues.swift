import Foundation
import MappingRules

/// Fields written to one Stash object.
struct WrittenObject: Sendable, Hashable {
    /// The entity written.
    var address: EntityAddress
    /// The Stash object it was written to.
    var stashId: String
    /// In `after` form with refs resolved to ids.
    var fields: [String: FieldValue]
    /// Fields written to `stashId` for `address`.
    init(address: EntityAddress, stashId: String, fields: [String: FieldValue]) {
        self.address = address; self.stashId = stashId; self.fields = fields
    }
}

/// A journalled create: how to find the object again if its reply was lost.
struct PendingCreate: Sendable, Hashable {
    /// The entity being created.
    var address: EntityAddress
    /// The plan's match keys for it, to find it again.
    var match: [MatchKey]
    /// A create of `address`, findable by `match`.
    init(address: EntityAddress, match: [MatchKey]) { self.address = address; self.match = match }
}

/// One recorded apply run.
struct SyncRun: Sendable, Hashable {
    /// The run's number (increasing).
    public var id: Int64
    /// When it started.
    var startedAt: Date
    /// Nil when the run was interrupted.
    var finishedAt: Date?
    /// The Stash it wrote to.
    var stashURL: String
    /// `running` (or interrupted), `succeeded`, `failed`.
    var status: String
    /// Its outcomes (zero while running).
    var counts: OutcomeCounts
    /// HTTP requests sent, when known.
    var requests: Int?
}

/// Errors of the state file.
enum SyncStateError: Error, LocalizedError, Equatable {
    case cannotOpen(path: String, reason: String)
    case database(path: String, reason: String)
    case otherStash(path: String, recorded: String, requested: String)
    case corrupt(detail: String)

    public var errorDescription: String? {
        switch self {
        case .cannotOpen(let path, let reason):
            return
                "cannot open the sync state file \(path): \(reason). Check the folder is writable, or pass --state PATH."
        case .database(let path, let reason):
            return "sync state file \(path): \(reason)"
        case .otherStash(let path, let recorded, let requested):
            return "the sync state file \(path) belongs to \(recorded), not \(requested). "
                + "Pass --state with the file for this Stash (or a new path)."
        case .corrupt(let detail):
            return "the sync state file is damaged: \(detail)"
        }
    }
}
