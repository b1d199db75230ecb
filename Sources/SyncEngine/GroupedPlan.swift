import FanslyMetadata
import Foundation
import MappingRules

/// Plans a grouped evaluation (`MappingEngine.evaluate(store:creators:groupLimit:part:)`) part by
/// part, offline, so that only one group's desired state is held at a time; the plan is the one
/// `Planner` makes of the whole state.
///
/// Each part is planned with the shared tags, studios and performers beside it (a part refers to
/// nothing else outside itself), by the same `PlanBuilder`: an entity's change depends only on what
/// it is connected to by references, and offline nothing is matched, so nothing is claimed twice.
/// The shared entities' own changes are taken once, from the last part. Each part's changes come
/// out in address order and its unmatched files by creator then address (`PlanBuilder.byCreator`);
/// each part goes to a `PlanSpool` as it is planned, which merges them into the plan file at the end.
/// Parts are planned on workers while the engine evaluates the next group (`PartPipeline`: at most
/// `partsInFlight` parts planned at a time, so at most three groups' states are held); each part's
/// place in the merge is fixed when it is taken, so the plan does not depend on which ends first.
final class GroupedPlan: @unchecked Sendable {
    private let inputs: PlanInputs
    private let tool: String
    private let links: [EntityAddress: SyncLink]
    private var shared: [DesiredEntity] = []
    private let spool: PlanSpool
    private let pipeline = PartPipeline(label: "fansly-stash.grouped-plan", inFlight: GroupedPlan.partsInFlight)
    /// Parts planned at once offline: two where there is a second core (the engine replaying the
    /// next group takes one; planning a part costs about twice replaying it), one otherwise.
    /// Never more, so that memory holds at most three groups (`PlanRequest.defaultGroupSize`).
    static let partsInFlight = ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1
    /// Plans the parts against Stash (nil: offline). Its parts are planned where they are taken:
    /// the online plan evaluates on a thread of its own already (`PartHandOff`).
    private let online: OnlinePartPlanner?

    /// With a `renderer`, the plan's report is made as the parts are planned and merged (`finish`).
    init(
        inputs: PlanInputs, tool: String, links: [EntityAddress: SyncLink], online: OnlinePartPlanner? = nil,
        renderer: PlanRenderer? = nil
    ) {
        self.inputs = inputs; self.tool = tool; self.links = links; self.online = online
        spool = PlanSpool(renderer: renderer)
    }

    /// Plans one part (`.whole` is not a part of a grouped evaluation: plan it as a whole state).
    func take(_ part: EvaluatedPart) throws {
        switch part {
        case .whole: preconditionFailure("a whole state is planned by PlanSession")
        case .shared(let state):
            try pipeline.drain()
            shared = state.entities
        case .group(let state):
            let part = spool.reservePart()
            try submit { try self.plan(state, sharedChanges: false, part: part) }
        case .crossGroup(let state):
            let part = spool.reservePart()
            try submit { try self.plan(state, sharedChanges: true, part: part) }
        }
    }

    private func submit(_ job: @escaping @Sendable () throws -> Void) throws {
        if online != nil { try job() } else { try pipeline.submit(job) }
    }

    private func plan(_ part: DesiredState, sharedChanges: Bool, part index: Int) throws {
        let entities = Self.merged(shared, part.entities)
        let desired = DesiredState(
            entities: entities, creatorFolders: part.creatorFolders, folderLayout: part.folderLayout)
        let plan: Plan
        if let online {
            plan = try online.plan(desired)
        } else {
            let planner = Planner(desired: desired, snapshot: StashSnapshot(objects: [], isOffline: true), links: links)
            plan = try planner.plan(selected: entities, inputs: inputs, selection: PlanSelection(), tool: tool)
        }
        try spool.add(
            changes: plan.changes.lazy.filter { sharedChanges || !PlanBuilder.isShared($0.address.kind) },
            unmatched: plan.unmatched, part: index)
    }

    /// Adds changes (in address order) and unmatched files (by creator) no part made: what an
    /// online plan concludes from every part (`OnlinePartPlanner.closing`).
    func add(changes: [PlannedChange], unmatched: [UnmatchedMedia]) throws {
        try spool.add(changes: changes, unmatched: unmatched)
    }

    /// Writes the plan of every part to `writer`, merged (the whole plan's lists), and finishes it
    /// with `notices` (asked for once the lines are merged); returns the plan's report when a
    /// renderer was given.
    func finish(into writer: PlanFileWriter, notices: () throws -> [PlanNotice]) throws -> PlanReport? {
        try pipeline.drain()
        return try spool.finish(into: writer, notices: notices)
    }

    /// Waits for the part being planned and releases every spooled part not merged yet (after an
    /// error; after `finish`, nothing is left to release).
    func abandon() {
        try? pipeline.drain()
        spool.cancel()
    }

    /// Two lists in address order merged into one.
    static func merged(_ first: [DesiredEntity], _ second: [DesiredEntity]) -> [DesiredEntity] {
        var result: [DesiredEntity] = []
        result.reserveCapacity(first.count + second.count)
        var left = 0
        var right = 0
        while left < first.count || right < second.count {
            if right == second.count || (left < first.count && first[left].address < second[right].address) {
                result.append(first[left]); left += 1
            } else {
                result.append(second[right]); right += 1
            }
        }
        return result
    }
}
