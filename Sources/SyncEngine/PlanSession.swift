import Foundation
import FanslyMetadata
import MappingRules
import StashClient

/// One planning run once the rules have been evaluated: narrows the desired state, reads Stash
/// (or takes an empty, offline Stash), loads the remembered links and computes the plan.
public struct PlanSession: Sendable {
    public var desired: DesiredState
    public var inputs: PlanInputs
    /// nil plans against an empty Stash without any network access.
    public var client: StashClient?
    public var links: SyncLinkReader?
    public var catalog: MediaCatalog?
    public var selection: PlanSelection
    public var tool: String
    /// Reads from `client` started before the rules were evaluated (they also connected).
    public var prefetched: StashSnapshotLoader.Prefetch?
    /// Notices the plan carries (see `PlanNotice.unlinkedPosts`).
    public var notices: [PlanNotice] = []

    public init(desired: DesiredState, inputs: PlanInputs, client: StashClient?, links: SyncLinkReader? = nil,
                catalog: MediaCatalog? = nil, selection: PlanSelection = PlanSelection(), tool: String,
                prefetched: StashSnapshotLoader.Prefetch? = nil) {
        self.desired = desired; self.inputs = inputs; self.client = client; self.links = links
        self.catalog = catalog; self.selection = selection; self.tool = tool; self.prefetched = prefetched
    }

    /// Computes the plan. `progress` receives short status lines for a terminal.
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Plan {
        let offline = Planner(desired: desired, snapshot: .empty)
        let entities = try offline.select(selection)
        let remembered = try links?.allLinks() ?? [:]
        let snapshot: StashSnapshot
        if let client {
            if prefetched == nil {
                progress("connecting to Stash at \(client.configuration.baseURL.absoluteString)…")
                try await client.connect()
            }
            snapshot = try await StashSnapshotLoader(client: client)
                .load(desired: desired, entities: entities, links: remembered, prefetched: prefetched, progress: progress)
        } else {
            snapshot = StashSnapshot(objects: [], isOffline: true)
        }
        progress("matching \(entities.count) entities against \(snapshot.count) Stash objects…")
        var plan = try Planner(desired: desired, snapshot: snapshot, links: remembered, catalog: catalog)
            .plan(selected: entities, inputs: inputs, selection: selection, tool: tool)
        plan.notices = notices
        return plan
    }
}

