public import FanslyMetadata
public import Foundation
public import MappingRules

/// Narrows a plan to some creators and/or addresses (`--creator`, `--target`).
public struct PlanSelection: Sendable, Hashable {
    /// Creator usernames, compared case-insensitively; empty = all.
    public var creators: [String]
    /// Addresses (`performer.account.emberwilde42`), kinds (`tag`) or prefixes ending in `*`
    /// (`gallery.post.*`); empty = all. Entities they refer to are planned too.
    public var targets: [String]

    public init(creators: [String] = [], targets: [String] = []) {
        self.creators = creators; self.targets = targets
    }

    /// True when nothing is narrowed.
    public var isEmpty: Bool { creators.isEmpty && targets.isEmpty }

    func matchesTarget(_ address: EntityAddress) -> Bool {
        let text = address.description.lowercased()
        return targets.contains { target in
            let target = target.lowercased()
            if target == text || target == address.kind.rawValue { return true }
            if target.hasSuffix("*") { return text.hasPrefix(String(target.dropLast())) }
            return false
        }
    }
}

/// Errors that stop planning before any plan exists.
public enum PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCreator(String, known: [String])
    case unknownTarget(String, suggestion: String?)
    /// The creator folders hold nothing in Stash and this database's files are under several folders.
    case ambiguousDownloadRoot([DownloadRootCandidate], configured: String)

    public var description: String {
        switch self {
        case .unknownCreator(let name, let known):
            let list =
                known.isEmpty
                ? "the rules produce nothing for any creator" : "known creators: " + known.joined(separator: ", ")
            return "no creator named '\(name)' in the plan (\(list))"
        case .unknownTarget(let target, let suggestion):
            return "--target \(target) matches no entity" + (suggestion.map { "; did you mean \($0)?" } ?? "")
                + " (addresses look like performer.account.<username>, gallery.post.<id>, scene.media.<id>, tag.<name>)"
        case .ambiguousDownloadRoot(let candidates, let configured):
            let list = candidates.map { "  \($0.root) (\($0.files) file\($0.files == 1 ? "" : "s"))" }.joined(
                separator: "\n")
            return "Stash holds nothing under \(configured), and this database's files are in creator folders under "
                + "\(candidates.count) folders:\n\(list)\nSay which one Stash should use: settings.downloadRoot in your rules, "
                + "or --path-map \(configured)=<folder>"
        }
    }
}

/// Tells which media ids the metadata database knows, so files in the creator folders that no
/// desired entity claims can be reported as "no such media in the database".
public protocol MediaCatalog: Sendable {
    /// The subset of `fileIds` that appear in the database (as media, variant or preview ids).
    func knownFileIds(_ fileIds: Set<FanslyID>) throws -> Set<FanslyID>
}

extension MetadataDatabase: MediaCatalog {
    /// The ids among `fileIds` that name a media, variant or preview of some `account_media` row.
    public func knownFileIds(_ fileIds: Set<FanslyID>) throws -> Set<FanslyID> {
        Set(try accountMedia(forFileIds: Array(fileIds)).filter { !$0.value.isEmpty }.keys)
    }
}

extension PostgresMetadataDatabase: MediaCatalog {
    /// The ids among `fileIds` that name a media, variant or preview of some `account_media` row.
    public func knownFileIds(_ fileIds: Set<FanslyID>) throws -> Set<FanslyID> {
        Set(try accountMedia(forFileIds: Array(fileIds)).filter { !$0.value.isEmpty }.keys)
    }
}

/// The catalog of whichever database a store is (nil for other stores).
public func mediaCatalog(of store: any MetadataStore) -> MediaCatalog? {
    store as? MediaCatalog
}

/// Computes a `Plan`: matches every desired entity to Stash, resolves references between them and
/// diffs each field with the rules' strategies. Pure: it reads a snapshot and never talks to Stash.
public struct Planner: Sendable {
    public var desired: DesiredState
    public var snapshot: StashSnapshot
    public var links: [EntityAddress: SyncLink]
    public var catalog: MediaCatalog?
    /// False when the entities are one part of a grouped plan (`OnlinePartPlanner`): the passes that
    /// need the whole plan (links no longer produced, Stash files no entity claims) are left to it,
    /// and a tag counts as used when `tagsUsedElsewhere` (other parts' changes) holds it.
    var wholePlanPasses = true
    var tagsUsedElsewhere: Set<EntityAddress> = []

    public init(
        desired: DesiredState, snapshot: StashSnapshot, links: [EntityAddress: SyncLink] = [:],
        catalog: MediaCatalog? = nil
    ) {
        self.desired = desired; self.snapshot = snapshot; self.links = links; self.catalog = catalog
    }

    /// What each address becomes, once matched.
    enum Resolution {
        case existing(id: String)
        case created
        case unavailable
    }

    /// Builds the plan for `selection`, stamped with `inputs`.
    public func plan(inputs: PlanInputs, selection: PlanSelection = PlanSelection(), tool: String, now: Date = Date())
        throws -> Plan
    {
        try plan(selected: try select(selection), inputs: inputs, selection: selection, tool: tool, now: now)
    }

    /// `plan` for entities `select(selection)` already picked (a session picks them before reading Stash).
    func plan(
        selected entities: [DesiredEntity], inputs: PlanInputs, selection: PlanSelection, tool: String,
        now: Date = Date()
    ) throws -> Plan {
        try PlanBuilder(planner: self, entities: entities).plan(
            inputs: inputs, selection: selection, tool: tool, now: now)
    }

    /// The plan of one part of a grouped plan (`wholePlanPasses` false), and the tags its changes
    /// carry with `tagsUsedElsewhere`.
    func planPart(_ entities: [DesiredEntity], inputs: PlanInputs, tool: String) throws
        -> (plan: Plan, usedTags: Set<EntityAddress>)
    {
        let builder = PlanBuilder(planner: self, entities: entities)
        let plan = try builder.plan(inputs: inputs, selection: PlanSelection(), tool: tool, now: Date())
        return (plan, builder.usedTags)
    }

    /// A new tag nothing in the plan would carry (say `Trailer` when every preview is a `.None`
    /// file Stash does not hold) is clutter in the user's tag list: it is skipped until used.
    /// With `--target` only the selected changes are known: a tag none of them carries is skipped
    /// too (a target selects from the full plan; it never adds a tag the full plan would skip).
    /// Returns the tags the changes carry, with `alsoUsed` (tags other parts of a grouped plan carry).
    @discardableResult
    static func skipUnusedTagCreates(
        _ changes: inout [PlannedChange], targeted: Bool = false, alsoUsed: Set<EntityAddress> = []
    ) -> Set<EntityAddress> {
        var used = alsoUsed
        changes.withUnsafeBufferPointer { buffer in
            // Read in place: iterating the array would copy each of tens of thousands of changes.
            for index in buffer.indices {
                let change = buffer.baseAddress! + index
                guard change.pointee.action == .create || change.pointee.action == .update else { continue }
                change.pointee.fields.withUnsafeBufferPointer { fields in
                    for field in fields.indices {
                        switch fields[field].after {
                        case .ref(let ref): if let address = ref.address, address.kind == .tag { used.insert(address) }
                        case .refs(let refs):
                            for ref in refs {
                                if let address = ref.address, address.kind == .tag { used.insert(address) }
                            }
                        default: break
                        }
                    }
                }
            }
        }
        for index in changes.indices
        where changes[index].action == .create && changes[index].address.kind == .tag
            && !used.contains(changes[index].address)
        {
            let change = changes[index]
            changes[index] = PlannedChange(
                address: change.address, action: .skip, reason: .notCreated,
                detail: targeted
                    ? "nothing selected would carry this tag; target what carries it too"
                    : "nothing in Stash would carry this tag yet", match: change.match,
                creator: change.creator, source: change.source)
        }
        return used
    }

    // MARK: Selection

    /// The entities `selection` picks, plus every entity they refer to, in phase order.
    /// Throws for a creator or target that matches nothing.
    public func select(_ selection: PlanSelection) throws -> [DesiredEntity] {
        if selection.isEmpty { return desired.entities }
        let creators = Set(selection.creators.map { $0.lowercased() })
        if !creators.isEmpty {
            let known = Set(desired.entities.compactMap { $0.creator?.lowercased() })
                .union(desired.creatorFolders.keys.map { $0.lowercased() })
            for name in selection.creators where !known.contains(name.lowercased()) {
                throw PlanError.unknownCreator(name, known: known.sorted())
            }
        }
        for target in selection.targets
        where !desired.entities.contains(where: {
            PlanSelection(targets: [target]).matchesTarget($0.address)
        }) {
            throw PlanError.unknownTarget(target, suggestion: suggestion(for: target))
        }
        return Self.selected(desired.entities) { entity in
            let creatorOK = creators.isEmpty || entity.creator.map { creators.contains($0.lowercased()) } ?? false
            return creatorOK && (selection.targets.isEmpty || selection.matchesTarget(entity.address))
        }
    }

    /// The entities `chosen` picks among `entities` and every entity of `entities` they refer to,
    /// directly or not, in `entities`' order.
    static func selected(_ entities: [DesiredEntity], choosing chosen: (DesiredEntity) -> Bool) -> [DesiredEntity] {
        var picked = Set<EntityAddress>()
        var queue: [EntityAddress] = []
        for entity in entities where chosen(entity) {
            if picked.insert(entity.address).inserted { queue.append(entity.address) }
        }
        guard !queue.isEmpty else { return [] }
        let byAddress = Dictionary(entities.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        while let address = queue.popLast() {
            guard let entity = byAddress[address] else { continue }
            for field in entity.fields {
                for reference in field.value.referencedAddresses where picked.insert(reference).inserted {
                    queue.append(reference)
                }
            }
        }
        return entities.filter { picked.contains($0.address) }
    }

    private func suggestion(for target: String) -> String? {
        let addresses = desired.entities.map(\.address.description)
        return addresses.min { editDistance($0, target) < editDistance($1, target) }
            .flatMap { Self.isSuggested(distance: editDistance($0, target), for: target) ? $0 : nil }
    }

    /// Whether an address this far (`editDistance`) from an unknown target is close enough to suggest.
    static func isSuggested(distance: Int, for target: String) -> Bool { distance <= max(3, target.count / 3) }

    /// A name for references to the entity with `fields`: its `name` or `title` field (from the
    /// fields alone: an entity read in place is not copied).
    static func label(of fields: [DesiredField]) -> String? {
        // Called for every reference of a plan: no array of keys built per call.
        if case .string(let text)? = PlanBuilder.value(of: "name", in: fields), !text.isEmpty { return text }
        if case .string(let text)? = PlanBuilder.value(of: "title", in: fields), !text.isEmpty { return text }
        return nil
    }

    // MARK: Files no entity claims

    /// Why a file Stash holds in a creator folder is listed although no rule wants it.
    public static let unknownMediaReason = "no such media in the database"

    /// Scenes and images in the creator folders whose file name carries a media id the database
    /// does not know: reported so that users see why they stay untouched.
    func unknownStashFiles(creators: [String]) throws -> [UnmatchedMedia] {
        guard catalog != nil, !snapshot.isOffline else { return [] }
        var claimed = Set<FanslyID>()
        Self.addClaimedFiles(of: desired.entities, to: &claimed)
        return try unknownStashFiles(creators: creators, claimed: claimed)
    }

    /// The media ids the scenes and images among `entities` look for in file names.
    static func addClaimedFiles(of entities: [DesiredEntity], to claimed: inout Set<FanslyID>) {
        entities.withUnsafeBufferPointer { entities in
            // Read in place: iterating the array would copy each of the 90,000 entities.
            for index in entities.indices {
                let entity = entities.baseAddress! + index
                guard entity.pointee.address.kind == .scene || entity.pointee.address.kind == .image else { continue }
                for file in entity.pointee.files { claimed.insert(file.fileMediaId) }
                for key in entity.pointee.match { if case .fileMediaId(let id) = key { claimed.insert(id) } }
            }
        }
    }

    /// `unknownStashFiles(creators:)` when the media ids every entity looks for are `claimed`
    /// (a grouped plan gathers them part by part).
    func unknownStashFiles(creators: [String], claimed: Set<FanslyID>) throws -> [UnmatchedMedia] {
        guard let catalog, !snapshot.isOffline else { return [] }
        let wanted = Set(creators.map { $0.lowercased() })
        var candidates: [FanslyID: (EntityKind, String, String)] = [:]
        for kind in [EntityKind.scene, .image] {
            snapshot.forEachMediaFile(kind) { mediaId, id in
                guard !claimed.contains(mediaId), let object = snapshot.object(kind, id: id),
                    let path = object.paths.first(where: { MediaFileName.token(inPath: $0)?.mediaId == mediaId }),
                    let creator = creator(ofPath: path), wanted.isEmpty || wanted.contains(creator.lowercased())
                else { return }
                candidates[mediaId] = (kind, creator, path)
            }
        }
        guard !candidates.isEmpty else { return [] }
        let known = try catalog.knownFileIds(Set(candidates.keys))
        return candidates.filter { !known.contains($0.key) }.map { mediaId, found in
            UnmatchedMedia(
                address: EntityAddress(kind: found.0, key: "file.\(mediaId)"), creator: found.1,
                fileMediaId: mediaId, lookedFor: [found.2], reason: Self.unknownMediaReason)
        }
    }

    private func creator(ofPath path: String) -> String? {
        let lowered = path.lowercased()
        for (creator, folders) in desired.creatorFolders {
            for folder in folders where lowered.hasPrefix((folder.hasSuffix("/") ? folder : folder + "/").lowercased())
            { return creator }
        }
        return nil
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ lhs: String, _ rhs: String) -> Int {
    let a = Array(lhs)
    let b = Array(rhs)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
