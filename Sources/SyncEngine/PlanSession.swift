import FanslyMetadata
import Foundation
public import MappingRules
public import StashClient

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

    public init(
        desired: DesiredState, inputs: PlanInputs, client: StashClient?, links: SyncLinkReader? = nil,
        catalog: MediaCatalog? = nil, selection: PlanSelection = PlanSelection(), tool: String,
        prefetched: StashSnapshotLoader.Prefetch? = nil
    ) {
        self.desired = desired; self.inputs = inputs; self.client = client; self.links = links
        self.catalog = catalog; self.selection = selection; self.tool = tool; self.prefetched = prefetched
    }

    /// Computes the plan. `progress` receives short status lines for a terminal.
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Plan {
        var desired = self.desired
        var entities = try Planner(desired: desired, snapshot: .empty).select(selection)
        let remembered = try links?.allLinks() ?? [:]
        let snapshot: StashSnapshot
        var found: (root: DownloadRootCandidate, from: String, configured: Bool)?
        var extraNotices: [PlanNotice] = []
        if let client {
            if prefetched == nil {
                progress("connecting to Stash at \(client.configuration.baseURL.absoluteString)…")
                try await client.connect()
            }
            if let prefetched { try await prefetched.finished() }
            if let notice = desired.removeCustomFields(unsupportedBy: client.capabilities) {
                extraNotices.append(notice)
                entities = try Planner(desired: desired, snapshot: .empty).select(selection)
            }
            if let layout = try await detectDownloadRoot(
                client: client, desired: desired, entities: entities, progress: progress)
            {
                desired.moveFolders(from: layout.from, to: layout.root.root)
                entities = try Planner(desired: desired, snapshot: .empty).select(selection)
                found = layout
            }
            snapshot = try await StashSnapshotLoader(client: client)
                .load(
                    desired: desired, entities: entities, links: remembered, prefetched: prefetched, progress: progress)
        } else {
            snapshot = StashSnapshot(objects: [], isOffline: true)
        }
        progress("matching \(entities.count) entities against \(snapshot.count) Stash objects…")
        var plan = try Planner(desired: desired, snapshot: snapshot, links: remembered, catalog: catalog)
            .plan(selected: entities, inputs: inputs, selection: selection, tool: tool)
        try snapshot.checkSpoolReads()
        // Where the files are comes first; the others are read at the end of the report.
        let leading =
            found.map { [Self.notice($0.root.root, from: $0.from, configured: $0.configured, plan: plan)] } ?? []
        plan.notices = leading + notices + extraNotices
        return plan
    }

    /// When the creator folders of the settings hold no scene or image in Stash, where Stash holds
    /// this database's files instead (nil: the settings hold, or nothing better was found).
    /// Throws when the files are under several folders: the user has to say which.
    private func detectDownloadRoot(
        client: StashClient, desired: DesiredState, entities: [DesiredEntity],
        progress: @escaping @Sendable (String) -> Void
    ) async throws
        -> (root: DownloadRootCandidate, from: String, configured: Bool)?
    {
        guard let layout = desired.folderLayout, !layout.names.isEmpty,
            entities.contains(where: { $0.address.kind == .scene || $0.address.kind == .image })
        else { return nil }
        let creators = Set(entities.compactMap { $0.creator?.lowercased() })
        let folders = StashSnapshotLoader.outermost(
            desired.creatorFolders.filter { creators.contains($0.key.lowercased()) }.values.flatMap { $0 })
        guard !folders.isEmpty else { return nil }
        let detector = DownloadRootDetector(client: client, catalog: catalog)
        let held: Bool
        if let prefetched, let count = try await prefetched.objectCount(under: folders) {
            held = count > 0
        } else {
            held = try await detector.holdsFiles(under: folders)
        }
        guard !held else { return nil }
        progress("Stash holds nothing under \(layout.stashRoot); looking for where it sees the downloads…")
        var narrowed = layout
        narrowed.names = layout.names.filter { creators.contains($0.key.lowercased()) }
        let candidates = try await detector.candidates(layout: narrowed).filter { $0.root != layout.stashRoot }
        if candidates.count > 1 {
            throw PlanError.ambiguousDownloadRoot(Array(candidates.prefix(5)), configured: layout.stashRoot)
        }
        return candidates.first.map { ($0, layout.stashRoot, layout.configured) }
    }

    /// The plan's opening notice about a download folder found in Stash, with how many of the files
    /// Stash could hold (all but `.None` previews and media never downloaded) it holds there.
    static func notice(_ root: String, from configuredRoot: String, configured: Bool, plan: Plan) -> PlanNotice {
        var found = 0
        for change in plan.changes
        where (change.address.kind == .scene || change.address.kind == .image) && change.stashId != nil {
            found += 1
        }
        let missing = plan.unmatched.filter {
            $0.reason == Matcher.notScannedReason || $0.reason == Matcher.outsideFoldersReason
        }.count
        let counts = "\(found) of \(found + missing) file\(found + missing == 1 ? "" : "s") found there"
        let message =
            configured
            ? "Stash holds nothing under \(configuredRoot), where the rules' download folder puts the creator folders; "
                + "it sees the downloads under \(root) (\(counts)). Fix settings.downloadRoot/pathMap (or pass --path-map) to make this explicit"
            : "Stash sees the downloads under \(root) (\(counts)); set settings.downloadRoot to make this explicit"
        return PlanNotice(
            kind: PlanNotice.downloadRootKind, message: message,
            counts: ["files_found": found, "files_stash_could_hold": found + missing])
    }
}
