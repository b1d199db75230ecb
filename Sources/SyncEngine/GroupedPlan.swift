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
/// out in address order; the plan merges them.
final class GroupedPlan {
    private let inputs: PlanInputs
    private let tool: String
    private let links: [EntityAddress: SyncLink]
    private var shared: [DesiredEntity] = []
    private var changeRuns: [SegmentedRun<PlannedChange>] = []
    private var unmatchedRuns: [SegmentedRun<UnmatchedMedia>] = []
    /// Plans the parts against Stash (nil: offline).
    private let online: OnlinePartPlanner?

    init(inputs: PlanInputs, tool: String, links: [EntityAddress: SyncLink], online: OnlinePartPlanner? = nil) {
        self.inputs = inputs; self.tool = tool; self.links = links; self.online = online
    }

    /// Plans one part (`.whole` is not a part of a grouped evaluation: plan it as a whole state).
    func take(_ part: EvaluatedPart) throws {
        switch part {
        case .whole: preconditionFailure("a whole state is planned by PlanSession")
        case .shared(let state): shared = state.entities
        case .group(let state): try plan(state, sharedChanges: false)
        case .crossGroup(let state): try plan(state, sharedChanges: true)
        }
    }

    private func plan(_ part: DesiredState, sharedChanges: Bool) throws {
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
        changeRuns.append(SegmentedRun(plan.changes) { sharedChanges || !PlanBuilder.isShared($0.address.kind) })
        unmatchedRuns.append(SegmentedRun(plan.unmatched))
    }

    /// Adds changes (in address order) and unmatched files (by creator) no part made: what an
    /// online plan concludes from every part (`OnlinePartPlanner.closing`).
    func add(changes: [PlannedChange], unmatched: [UnmatchedMedia]) {
        changeRuns.append(SegmentedRun(changes))
        unmatchedRuns.append(SegmentedRun(unmatched))
    }

    /// The plan of every part so far.
    func finish(now: Date = Date()) -> Plan {
        // Each part's changes are in address order, its unmatched files by creator then address
        // (`PlanBuilder.byCreator`): merged, they are the whole plan's lists.
        let changes = SegmentedRun.merge(&changeRuns) { $0.address < $1.address }
        let unmatched = SegmentedRun.merge(&unmatchedRuns) {
            ($0.creator ?? "", $0.address) < ($1.creator ?? "", $1.address)
        }
        var summary = PlanSummary(unmatched: unmatched.count)
        for index in changes.indices { summary.count(changes[index].action) }
        return Plan(
            createdAt: now, tool: tool, inputs: inputs, changes: changes, unmatched: unmatched, summary: summary)
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

/// An ordered list held in segments, so that merging several such lists releases each segment once
/// it is copied: the merged list and its sources are never held whole at once.
struct SegmentedRun<Element> {
    static var segmentSize: Int { 4096 }
    private var segments: [[Element]]
    private var segment = 0
    private var index = 0

    /// The elements `keep` picks, in their order.
    init(_ elements: [Element], where keep: (Element) -> Bool = { _ in true }) {
        segments = []
        var segment: [Element] = []
        for element in elements where keep(element) {
            if segment.count == Self.segmentSize {
                segments.append(segment)
                segment = []
            }
            if segment.isEmpty { segment.reserveCapacity(Self.segmentSize) }
            segment.append(element)
        }
        if !segment.isEmpty { segments.append(segment) }
    }

    var count: Int { segments.reduce(0) { $0 + $1.count } }
    var head: Element? { segment < segments.count ? segments[segment][index] : nil }

    mutating func advance() {
        index += 1
        if index == segments[segment].count {
            segments[segment] = []
            segment += 1
            index = 0
        }
    }

    /// The runs merged by `precedes` (a k-way merge: the few runs' heads compared in turn); empties `runs`.
    static func merge(_ runs: inout [SegmentedRun], by precedes: (Element, Element) -> Bool) -> [Element] {
        var merged: [Element] = []
        merged.reserveCapacity(runs.reduce(0) { $0 + $1.count })
        while true {
            var best: Int?
            var bestHead: Element?
            for run in runs.indices {
                guard let head = runs[run].head else { continue }
                if let current = bestHead, !precedes(head, current) { continue }
                best = run
                bestHead = head
            }
            guard let run = best, let head = bestHead else { break }
            merged.append(head)
            runs[run].advance()
        }
        runs = []
        return merged
    }
}
