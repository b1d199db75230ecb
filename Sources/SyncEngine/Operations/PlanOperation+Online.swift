import FanslyMetadata
import Foundation
import MappingRules
import StashClient

/// An online plan of every creator, creator group by creator group (Docs/architecture.md, "How
/// `plan` and `apply` run"): the same plan as the whole state's, holding one group at a time.
extension PlanOperation {
    /// How the grouped online plan ended.
    enum GroupedOnline {
        /// Planned group by group: the parts, to be finished with the notices before `notice`.
        case planned(GroupedPlan, notice: PlanNotice?)
        /// The library fitted in one group: plan this state whole, as before.
        case whole(DesiredState)
        /// The grouped plan could differ from the whole one (the reason): plan the whole state.
        case fallBack(String)
    }

    /// Plans every creator group by group against Stash; the folder reads `prefetched` started
    /// give the snapshot every part is matched against.
    func planGroupedOnline(
        engine: MappingEngine, database: any MetadataStore, creators: [Account], client: StashClient,
        prefetched: StashSnapshotLoader.Prefetch, folders: [String: [String]], links: SyncLinkReader?,
        inputs: PlanInputs, renderer: PlanRenderer?, status: @escaping @Sendable (String) -> Void
    ) async throws -> GroupedOnline {
        // The records are evaluated while Stash's folders are still being read: the first part
        // comes after the pass over every record, and only planning needs what Stash holds.
        let handOff = PartHandOff()
        let (groupLimit, groupSize) = (request.groupLimit, request.groupSize)
        let store = UncheckedStore(store: database)
        handOff.start { handOff in
            try engine.evaluate(store: store.store, creators: creators, groupLimit: groupLimit, groupSize: groupSize) {
                try handOff.send($0)
            }
        }
        let linkedIds: [EntityAddress: String]
        do {
            try await prefetched.finished()
            // Stash holding nothing under the creator folders calls for the download-root search,
            // which looks at the whole state.
            let outermost = StashSnapshotLoader.outermost(folders.values.flatMap { $0 })
            guard let held = try await prefetched.objectCount(under: outermost), held > 0 else {
                // The whole plan reads the database next: the evaluation thread must be done with it.
                await finishEvaluation(handOff)
                return .fallBack("Stash holds nothing under the creator folders")
            }
            linkedIds = try links?.allLinkedIds() ?? [:]
        } catch {
            // Said at once, not after the pass over every record: the evaluation thread stops at
            // its first part, alone with the store, which nothing else uses after this error.
            handOff.stop()
            throw error
        }
        let loader = StashSnapshotLoader(client: client)
        var planner: OnlinePartPlanner?
        var grouped: GroupedPlan?
        do {
            for try await part in handOff.parts {
                switch part {
                case .whole(let state):
                    await finishEvaluation(handOff)
                    return .whole(state)
                case .shared(let state):
                    status("reading from Stash…")
                    let snapshot = try await loader.wholeSnapshot(
                        prefetched: prefetched, creatorFolders: state.creatorFolders)
                    let online = try OnlinePartPlanner(
                        snapshot: snapshot, loader: loader, linkedIds: linkedIds, links: links,
                        catalog: mediaCatalog(of: database), capabilities: client.capabilities, inputs: inputs,
                        tool: request.tool)
                    planner = online
                    grouped = GroupedPlan(
                        inputs: inputs, tool: request.tool, links: [:], online: online, renderer: renderer)
                    try grouped!.take(try await online.prepare(part))
                    status("planning creator group by creator group…")
                case .group, .crossGroup:
                    guard let planner, let grouped else { preconditionFailure("the shared part comes first") }
                    try grouped.take(try await planner.prepare(part))
                    if let conflict = planner.conflict {
                        await finishEvaluation(handOff)
                        grouped.abandon()
                        return .fallBack(conflict)
                    }
                }
                handOff.planned()
            }
            // A cancelled task's stream just ends: that is not the end of the evaluation.
            try Task.checkCancellation()
        } catch {
            await finishEvaluation(handOff)
            grouped?.abandon()
            throw error
        }
        guard let planner, let grouped else { preconditionFailure("a grouped evaluation has a shared part") }
        guard let closing = try planner.closing() else {
            grouped.abandon()
            return .fallBack(planner.conflict ?? "")
        }
        try grouped.add(changes: closing.changes, unmatched: closing.unmatched)
        return .planned(grouped, notice: closing.notice)
    }

    /// Stops the evaluation thread and waits until it has ended.
    private func finishEvaluation(_ handOff: PartHandOff) async {
        handOff.stop()
        do { for try await _ in handOff.parts { handOff.planned() } } catch {}
    }
}

/// A store handed to a thread of its own (the evaluation, the notices), which alone uses it until it ends.
struct UncheckedStore: @unchecked Sendable {
    let store: any MetadataStore
}
