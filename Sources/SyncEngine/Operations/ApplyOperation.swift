import Foundation
import StashClient

/// `apply` as a library call: a saved plan is checked (format, staleness, every change) before
/// anything is sent; a plan made here is shown to the confirmation hook first. Then the changes go
/// to Stash phase by phase, every write recorded in the state file.
///
/// Cancellation: run it in a `Task` and cancel that task. Cancelled before the first request, it
/// throws `CancellationError` and nothing is sent.
public struct ApplyOperation: Sendable {
    /// Sees a plan made here before anything is written (also one without changes, which is never
    /// applied): its counts and report, never the plan whole. Returns whether to apply it; it may
    /// throw to stop with its own error.
    public typealias Confirmation = @Sendable (PlanToApply) async throws -> Bool

    /// What to apply, and how.
    public var request: ApplyRequest

    /// An operation that runs `request` (nothing happens before `run`).
    public init(_ request: ApplyRequest) { self.request = request }

    /// Applies the request. `progress` receives the plan's `.status` lines (when planning here) and
    /// every apply phase and item outcome. Throws `OperationFailure` for anything that stops the
    /// apply before it starts (a stale or unreadable plan, a Stash that cannot be reached, a state
    /// file of another Stash); failures of single items end up in the report.
    public func run(
        progress: @escaping OperationProgress = { _ in },
        confirm: @escaping Confirmation = { _ in false }
    ) async throws -> ApplyOutcome {
        let inputs: PlanInputs
        let createdAt: Date
        let changes: PlanChanges
        var state: SyncState?
        switch request.source {
        case .savedPlan(let path):
            do {
                // The header first: a plan of another format version or a stale one is refused before
                // its changes are read; then every change is checked before anything is sent.
                let saved = try PlanFileReader.open(path: path)
                // The Stash to write to is the plan's, unless told otherwise (then the plan is stale).
                let stashURL = request.stash?.description ?? saved.inputs.stashURL
                try PlanStaleness.verify(saved.inputs, path: path, stashURL: stashURL)
                (inputs, createdAt, changes) = (saved.inputs, saved.createdAt, try saved.readChanges())
            } catch {
                throw OperationFailure(OperationFailure.describe(error))
            }
        case .planning(var planRequest):
            guard let stash = request.stash else { throw OperationFailure("apply needs a Stash to write to") }
            // Opened first, so that the planner reads this file's links.
            let opened = try StateFiles.openForApply(statePath: request.statePath, stash: stash)
            state = opened
            planRequest.stash = stash
            planRequest.apiKey = request.apiKey
            planRequest.sessionCookie = request.sessionCookie
            planRequest.apiKeyEnvironmentVariable = request.apiKeyEnvironmentVariable
            planRequest.statePath = opened.path
            // A plan made group by group stays in its temporary file: applied from there as a saved
            // plan is, in slices, so that a large library is never held whole.
            let plan: PlanToApply
            do {
                plan = try PlanToApply(await PlanOperation(planRequest).run(savingTo: nil, progress: progress))
            } catch {
                throw OperationFailure(OperationFailure.describe(error))
            }
            let agreed = try await confirm(plan)
            guard plan.summary.hasChanges else { return .nothingToApply(plan) }
            guard agreed else { throw OperationFailure("apply cancelled; nothing was changed.") }
            do {
                (inputs, createdAt, changes) = try plan.finished.changesToApply()
            } catch {
                throw OperationFailure(OperationFailure.describe(error))
            }
        }
        // Parsed again: a plan written by an older version may hold a key in its URL.
        guard let stash = inputs.stashURL.flatMap({ try? StashEndpoint($0) }) else {
            throw OperationFailure(
                "this plan was made without a Stash (--stash-url); there is nothing to apply it to. "
                    + "Run plan with --stash-url (or STASH_URL).")
        }
        try Task.checkCancellation()

        var configuration = StashConfiguration(
            endpoint: stash, apiKey: request.apiKey ?? stash.embeddedAPIKey,
            apiKeyEnvironmentVariable: request.apiKeyEnvironmentVariable,
            batchSize: request.batch.batchSize)
        configuration.sessionCookie = request.sessionCookie
        let client = StashClient(configuration: configuration)
        do {
            // Before any change: a wrong key, a wrong URL or an old Stash stop here.
            try await client.connect()
        } catch {
            throw OperationFailure(error.description)
        }
        let syncState = try state ?? StateFiles.openForApply(statePath: request.statePath, stash: stash)

        let monitor = SyncMonitor(style: .quiet, observer: progress) { _ in }
        let runId = try? syncState.beginRun(stashURL: stash.description, planCreatedAt: createdAt)
        let applier = Applier(
            writer: StashClientWriter(client: client), state: syncState, monitor: monitor, options: request.batch)
        let report = await applier.apply(changes, stop: request.stop)
        await client.shutdown()
        if let runId { try? syncState.finishRun(runId, report: report) }
        return .applied(report)
    }
}
