import FanslyMetadata
import Foundation
import MappingRules
import StashClient

/// Plans the parts of a grouped evaluation against Stash (`GroupedPlan` online), so that the plan
/// is the one `PlanSession` makes of the whole state, and keeps what the whole-plan passes need
/// across parts: the tags changes carry (unused tag creates), the addresses produced and the Stash
/// objects claimed (links "no longer produced", one object claimed by two parts), the media ids
/// entities look for (Stash files no entity claims).
///
/// Every part is matched against one snapshot of what the whole plan reads (`wholeSnapshot`): an
/// entity may match a file in another group's folder, and it must see it as the whole plan does.
/// A large snapshot keeps its scenes and images in a spool (`SnapshotSpool`): each part reads back
/// the ones its entities can reach as it is prepared, and lets them go once planned.
/// The reads that depend on the entities (objects remembered by id, files outside the folders) are
/// made part by part. Where that could make a part see less than the whole plan would, or two parts
/// claim one object, `conflict` says so and the caller plans the whole state instead.
final class OnlinePartPlanner {
    /// What the parts are planned against; grows by the objects the parts' links remember.
    private var snapshot: StashSnapshot
    /// `snapshot` with the spooled objects the part being prepared can reach read into memory.
    private var partSnapshot: StashSnapshot?
    private let loader: StashSnapshotLoader
    /// Reads the links of each part's entities, as the part is prepared (nil: nothing remembered).
    private let linkReader: SyncLinkReader?
    /// The links of tags, studios and performers (few, and part of every part).
    private var sharedLinks: [EntityAddress: SyncLink] = [:]
    /// The links of the part being prepared and planned, with the shared ones.
    private var partLinks: [EntityAddress: SyncLink] = [:]
    private let catalog: MediaCatalog?
    private let capabilities: StashCapabilities
    private let inputs: PlanInputs
    private let tool: String

    /// Set when the grouped plan could differ from the whole one (the reason, for the log).
    private(set) var conflict: String?
    private var usedTags = Set<EntityAddress>()
    /// The Stash ids of the linked addresses no part has produced yet (all of them at first).
    private var unproduced: [EntityAddress: String]
    /// Tags, studios and performers some change of a part stands for (`claims` has the others).
    private var claimedShared = Set<ObjectKey>()
    /// Objects of scenes, images, galleries and chapters claimed so far, with the claimer's address hash.
    private var claims: [ObjectKey: Int] = [:]
    private var claimedFiles = Set<FanslyID>()
    private var creators = Set<String>()
    private var kinds = Set<EntityKind>()
    private var outsideLookups: [EntityKind: Int] = [:]
    private var leftOutCustomFields: [EntityKind: Set<String>] = [:]
    private var creatorFolders: [String: [String]] = [:]

    private struct ObjectKey: Hashable {
        var kind: EntityKind
        var id: String
    }

    /// `linkedIds`: the Stash id of every remembered address (`SyncLinkReader.allLinkedIds()`);
    /// what was written to them is read part by part from `links`.
    init(
        snapshot: StashSnapshot, loader: StashSnapshotLoader, linkedIds: [EntityAddress: String],
        links: SyncLinkReader?, catalog: MediaCatalog?, capabilities: StashCapabilities, inputs: PlanInputs,
        tool: String
    ) throws {
        self.snapshot = snapshot; self.loader = loader; self.catalog = catalog
        self.capabilities = capabilities; self.inputs = inputs; self.tool = tool
        unproduced = linkedIds
        linkReader = linkedIds.isEmpty ? nil : links
        if let linkReader {
            sharedLinks = try linkReader.links(for: linkedIds.keys.filter { PlanBuilder.isShared($0.kind) })
        }
        // Every part adds the objects it claims: made at its final size at once, the table is not
        // hashed again at each doubling (about 855,000 claims in a plan of 600,000 media).
        claims.reserveCapacity(
            [EntityKind.gallery, .scene, .image, .chapter].reduce(0) { $0 + snapshot.count($1) })
    }

    /// The part as the whole plan sees it (custom fields the Stash lacks left out), after the
    /// reads its entities need: objects their links remember outside the folders, and where Stash
    /// holds files none of the folders has.
    func prepare(_ part: EvaluatedPart) async throws -> EvaluatedPart {
        switch part {
        case .whole: return part
        case .shared(let state):
            creatorFolders = state.creatorFolders
            return .shared(withoutCustomFields(state))
        case .group(let state): return .group(try await read(for: withoutCustomFields(state)))
        case .crossGroup(let state): return .crossGroup(try await read(for: withoutCustomFields(state)))
        }
    }

    private func withoutCustomFields(_ state: DesiredState) -> DesiredState {
        var state = state
        state.removeCustomFields(unsupportedBy: capabilities, leftOut: &leftOutCustomFields)
        return state
    }

    private func read(for state: DesiredState) async throws -> DesiredState {
        partLinks = sharedLinks
        if let linkReader {
            let addresses = state.entities.lazy.map(\.address).filter { !PlanBuilder.isShared($0.kind) }
            partLinks.merge(try linkReader.links(for: Array(addresses))) { _, part in part }
        }
        let links = partLinks
        for kind in [EntityKind.scene, .image] {
            let fetched = try await loader.addRemembered(kind, to: &snapshot, entities: state.entities, links: links)
            // An earlier part looked for these files and did not see these objects, as the whole plan would have.
            for object in fetched
            where object.paths.contains(where: { path in
                MediaFileName.token(inPath: path).map { claimedFiles.contains($0.mediaId) } ?? false
            }) {
                conflict =
                    conflict
                    ?? "\(kind.rawValue) #\(object.id), remembered outside the folders, holds a file an earlier part looked for"
            }
        }
        let unmatched = StashSnapshotLoader.outsideCandidates(state.entities, links: links, snapshot: snapshot)
        if !unmatched.isEmpty && loader.outsideLookupLimit > 0 {
            for (kind, _) in unmatched { outsideLookups[kind, default: 0] += 1 }
            // The whole plan looks up the first files of each kind only: which ones depends on every part.
            if outsideLookups.values.contains(where: { $0 > loader.outsideLookupLimit * loader.outsideLookupBatch }) {
                conflict = conflict ?? "more unmatched files than the look-ups outside the folders take"
            }
            snapshot.filesOutsideFolders.merge(try await loader.filesOutside(unmatched)) { $0 + $1 }
        }
        partSnapshot = try snapshot.loading(for: state.entities, links: links)
        return state
    }

    /// The plan of one part's entities (the shared ones among them), and what the whole-plan
    /// passes need of it.
    func plan(_ desired: DesiredState) throws -> Plan {
        var planner = Planner(
            desired: desired, snapshot: partSnapshot ?? snapshot, links: partLinks, catalog: catalog)
        partSnapshot = nil
        partLinks = [:]
        planner.wholePlanPasses = false
        planner.tagsUsedElsewhere = usedTags
        let (plan, used) = try planner.planPart(desired.entities, inputs: inputs, tool: tool)
        try snapshot.checkSpoolReads()
        usedTags = used
        Planner.addClaimedFiles(of: desired.entities, to: &claimedFiles)
        // Entities and changes read in place: iterating the arrays would copy each one.
        desired.entities.withUnsafeBufferPointer { entities in
            var lastCreator: String?
            for index in entities.indices {
                kinds.insert(entities[index].address.kind)
                // A part's entities come from a few creators, one after another: lower-cased once each.
                if let creator = entities[index].creator, creator != lastCreator {
                    creators.insert(creator.lowercased())
                    lastCreator = creator
                }
                if !unproduced.isEmpty { unproduced[entities[index].address] = nil }
            }
        }
        plan.changes.withUnsafeBufferPointer { changes in
            for index in changes.indices {
                guard let id = changes[index].stashId else { continue }
                let address = changes[index].address
                let key = ObjectKey(kind: address.kind, id: id)
                guard !PlanBuilder.isShared(address.kind) else {
                    claimedShared.insert(key)
                    continue
                }
                let claimer = address.hashValue
                if let other = claims.updateValue(claimer, forKey: key), other != claimer {
                    conflict = conflict ?? "Stash \(key.kind.rawValue) #\(id) is claimed by entities of two parts"
                }
            }
        }
        return plan
    }

    /// What the whole plan concludes from every part: linked objects the rules no longer produce
    /// (in address order) and files in the creator folders no entity claims (by creator); nil,
    /// with `conflict` set, when the whole plan would have read Stash otherwise.
    func closing() throws -> (
        changes: [PlannedChange], unmatched: [UnmatchedMedia], notice: PlanNotice?
    )? {
        // The whole plan reads the folders of the creators with entities, the kinds it plans.
        if let creator = creatorFolders.keys.first(where: { !creators.contains($0.lowercased()) }) {
            conflict = conflict ?? "\(creator) has creator folders but no entity"
        }
        if !kinds.contains(.scene) || !kinds.contains(.image) {
            conflict = conflict ?? "no scene or no image to plan"
        }
        guard conflict == nil else { return nil }
        var changes: [PlannedChange] = []
        for (address, stashId) in unproduced {
            let key = ObjectKey(kind: address.kind, id: stashId)
            guard planned(address.kind), snapshot.holds(address.kind, id: stashId),
                !(PlanBuilder.isShared(address.kind) ? claimedShared.contains(key) : claims[key] != nil)
            else { continue }
            changes.append(
                PlannedChange(
                    address: address, action: .skip, reason: .notProduced,
                    detail: "no longer produced by the rules; left in Stash", stashId: stashId))
        }
        changes.sort { $0.address < $1.address }
        let unknown = try unknownFiles()
        // The last use: the plan is merged and read next, without the snapshot beside it.
        snapshot = .empty
        claims = [:]
        claimedFiles = []
        return (changes, unknown, DesiredState.customFieldsNotice(leftOutCustomFields))
    }

    /// Files in the creator folders no entity of any part claims, by creator.
    private func unknownFiles() throws -> [UnmatchedMedia] {
        let planner = Planner(
            desired: DesiredState(entities: [], creatorFolders: creatorFolders), snapshot: snapshot, catalog: catalog)
        let unknown = try planner.unknownStashFiles(creators: [], claimed: claimedFiles)
        try snapshot.checkSpoolReads()
        return PlanBuilder.byCreator(unknown)
    }

    /// Whether the whole plan reads Stash objects of `kind` (`StashSnapshotLoader.load`'s choice).
    private func planned(_ kind: EntityKind) -> Bool {
        switch kind {
        case .gallery, .chapter: return kinds.contains(.gallery) || kinds.contains(.chapter) || kinds.contains(.image)
        default: return kinds.contains(kind)
        }
    }
}
