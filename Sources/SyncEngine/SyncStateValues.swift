public import Foundation
public import MappingRules

/// Fields written to one Stash object.
public struct WrittenObject: Sendable, Hashable {
    /// The entity written.
    public var address: EntityAddress
    /// The Stash object it was written to.
    public var stashId: String
    /// In `after` form with refs resolved to ids.
    public var fields: [String: FieldValue]
    /// Fields written to `stashId` for `address`.
    public init(address: EntityAddress, stashId: String, fields: [String: FieldValue]) {
        self.address = address; self.stashId = stashId; self.fields = fields
    }
}

/// A journalled create: how to find the object again if its reply was lost.
public struct PendingCreate: Sendable, Hashable {
    /// The entity being created.
    public var address: EntityAddress
    /// The plan's match keys for it, to find it again.
    public var match: [MatchKey]
    /// A create of `address`, findable by `match`.
    public init(address: EntityAddress, match: [MatchKey]) { self.address = address; self.match = match }
}

/// One recorded apply run.
public struct SyncRun: Sendable, Hashable {
    /// The run's number (increasing).
    public var id: Int64
    /// When it started.
    public var startedAt: Date
    /// Nil when the run was interrupted.
    public var finishedAt: Date?
    /// The Stash it wrote to.
    public var stashURL: String
    /// `running` (or interrupted), `succeeded`, `failed`.
    public var status: String
    /// Its outcomes (zero while running).
    public var counts: OutcomeCounts
    /// HTTP requests sent, when known.
    public var requests: Int?
}

/// Errors of the state file.
public enum SyncStateError: Error, LocalizedError, Equatable {
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
