import Foundation
public import StashClient

/// Everything an apply needs, as values: a saved plan file, or a `PlanRequest` to plan first, and
/// how to write to Stash. `ApplyOperation` runs it.
public struct ApplyRequest: Sendable {
    /// What to apply.
    enum Source: Sendable {
        /// A plan saved with `plan --out FILE`: refused when stale, checked line by line before anything is sent.
        case savedPlan(path: String)
        /// Plan first (as `plan` would, reading the links of the apply's state file), then apply
        /// after the confirmation hook agrees.
        case planning(PlanRequest)
    }

    /// What to apply: a saved plan, or a plan made first.
    var source: Source
    /// The Stash to write to. For a saved plan, nil means the plan's own (another one makes the
    /// plan stale); when planning here, the plan request's.
    var stash: StashEndpoint?
    /// The API key, or nil for a Stash without authentication.
    var apiKey: StashAPIKey?
    /// Where the key came from, named when Stash rejects it.
    var apiKeyEnvironmentVariable: String
    /// The state file; nil for the default one of the Stash written to.
    var statePath: String?
    /// Changes per request and requests in flight.
    var batch: BatchOptions
    /// A Stash plugin's session cookie, used instead of an API key.
    var sessionCookie: StashSessionCookie?
    /// Asks the apply to stop early without stranding anything (Ctrl-C); see `ApplyStop`.
    public var stop: ApplyStop?

    /// Applies the plan saved at `path`.
    public init(
        savedPlan path: String, stash: StashEndpoint? = nil, apiKey: StashAPIKey? = nil,
        apiKeyEnvironmentVariable: String = StashAPIKey.defaultEnvironmentVariable,
        statePath: String? = nil, batch: BatchOptions = BatchOptions()
    ) {
        self.source = .savedPlan(path: path); self.stash = stash; self.apiKey = apiKey
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable; self.statePath = statePath; self.batch = batch
    }

    /// Plans with `plan` and applies the result; the Stash, key and state file are the plan request's.
    public init(planning plan: PlanRequest, batch: BatchOptions = BatchOptions()) {
        self.source = .planning(plan); self.stash = plan.stash; self.apiKey = plan.apiKey
        self.apiKeyEnvironmentVariable = plan.apiKeyEnvironmentVariable; self.statePath = plan.statePath;
        self.batch = batch
        self.sessionCookie = plan.sessionCookie
    }
}

/// How an apply ended (failures of single items are in the report, not thrown).
public enum ApplyOutcome: Sendable {
    /// The changes were sent; `report.succeeded` says whether every one of them applied.
    case applied(SyncReport)
    /// The plan made here had no changes: nothing was sent (not even a connection made).
    case nothingToApply(PlanToApply)
}
