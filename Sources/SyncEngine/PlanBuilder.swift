import FanslyMetadata
import Foundation
import MappingRules

/// One run of `Planner.plan`: the selected entities by position, so that matching, reference
/// resolution and the diff index arrays instead of hashing the same addresses again and again
/// (a large database plans 90,000 entities with several references each).
final class PlanBuilder {
    /// Where a scene or image stands once matched: chapters need to know how many images their
    /// gallery will hold, as Stash refuses a chapter that starts beyond them.
    enum MediaState: UInt8 {
        case notMedia, inStash, unmatchedOffline, unmatchedNonePreview, unmatchedElsewhere, unmatchedNotDownloaded,
            unmatchedOther

        /// Listed among the unmatched media.
        var isUnmatched: Bool { self != .notMedia && self != .inStash }
    }

    /// An object of Stash claimed by one entity; a second claim is ambiguous.
    private struct Claim: Hashable {
        var kind: EntityKind
        var id: String
    }

    let planner: Planner
    let entities: [DesiredEntity]
    /// Position of each selected entity (the first, should an address repeat).
    let position: AddressIndex
    var resolutions: [Planner.Resolution?]
    var mediaStates: [MediaState]
    var items = UnsafeBufferPointer<DesiredEntity>(start: nil, count: 0)
    private var mediaResults: [MatchResult?] = []
    private var claimedBy: [Claim: Int] = [:]
    private var skipped: [(position: Int, change: PlannedChange)] = []
    private var pending: [Int] = []
    var refCache: [Int: StashRef] = [:]
    var refValueCache: [Int: FieldValue] = [:]
    var listCache: [ListKey: (value: FieldValue, dropped: [EntityAddress])] = [:]
    var imageCounts: [Int: (count: Int, onlyNonePreviews: Bool)] = [:]
    private var unmatched: [UnmatchedMedia] = []
    /// Gallery position → positions of the images that name it in `gallery_ids` (built when a chapter needs it).
    var galleryMembers: [Int: [Int]]?
    /// Gallery position → positions of the scenes that name it in `gallery_ids` (built when a gallery without images needs it).
    private var sceneMembers: [Int: [Int]]?
    /// Stash tag id → the names fansly-stash wrote to it (built when a tag's name differs from Stash's).
    var tagNamesById: [String: [FieldValue]]?
    /// The tags the plan's changes carry (online), with the planner's `tagsUsedElsewhere`.
    private(set) var usedTags: Set<EntityAddress> = []

    var snapshot: StashSnapshot { planner.snapshot }

    init(planner: Planner, entities: [DesiredEntity]) {
        self.planner = planner
        self.entities = entities
        position = AddressIndex(entities)
        resolutions = Array(repeating: nil, count: entities.count)
        mediaStates = Array(repeating: .notMedia, count: entities.count)
    }

    /// `items` in storage of exactly their count: a plan keeps hundreds of thousands of field
    /// changes, and growing arrays leave up to half their capacity unused.
    static func exact(_ items: [FieldChange]) -> [FieldChange] {
        guard items.capacity > items.count else { return items }
        return [FieldChange](unsafeUninitializedCapacity: items.count) { buffer, count in
            _ = buffer.initialize(from: items)
            count = items.count
        }
    }

    /// The value of the field named `name` among `fields`: unlike `DesiredEntity[field:]` on an
    /// entity read in place, it copies only the field list.
    static func value(of name: String, in fields: [DesiredField]) -> FieldValue? {
        for index in fields.indices where fields[index].name == name { return fields[index].value }
        return nil
    }

    /// The entity at `index`, read in place (`pointee` borrows it: nothing is copied).
    func at(_ index: Int) -> UnsafePointer<DesiredEntity> { items.baseAddress! + index }

    private func resolution(of address: EntityAddress) -> Planner.Resolution? {
        position[address].flatMap { resolutions[$0] }
    }

    func plan(inputs: PlanInputs, selection: PlanSelection, tool: String, now: Date) throws -> Plan {
        GlibcMalloc.returnFreedMemory()
        return try entities.withUnsafeBufferPointer { buffer in
            // Entities are read in place through the array's storage: passing `at(i).pointee` borrows
            // the entity, where `entities[i]` would copy it (six reference counts, 90,000 times, thrice).
            items = buffer
            defer { items = UnsafeBufferPointer(start: nil, count: 0) }
            return try makePlan(inputs: inputs, selection: selection, tool: tool, now: now)
        }
    }

    private func makePlan(inputs: PlanInputs, selection: PlanSelection, tool: String, now: Date) throws -> Plan {
        let matcher = Matcher(snapshot: snapshot, links: planner.links)
        let count = entities.count
        pending.reserveCapacity(count)
        // Grown as objects are claimed, the table hashed every claim again at each doubling.
        claimedBy.reserveCapacity(count)

        // Images and scenes are matched first: a gallery is only created when Stash holds one of its
        // images, or one of the scenes it groups.
        mediaResults = [MatchResult?](repeating: nil, count: count)
        for index in 0..<count
        where at(index).pointee.address.kind == .image || at(index).pointee.address.kind == .scene {
            mediaResults[index] = matcher.match(at(index), galleryId: nil)
        }
        // Matching, in phase order so that chapters find their gallery.
        for index in 0..<count { match(index, at(index), matcher) }
        mediaResults = []
        claimedBy = [:]
        var unmatched = self.unmatched
        self.unmatched = []
        var skipped = self.skipped
        self.skipped = []

        // Skips and changes in the entities' order, which is already the plan's (phase, then key).
        var changes: [PlannedChange] = []
        changes.reserveCapacity(skipped.count + pending.count)
        var nextSkip = 0
        for index in pending {
            while nextSkip < skipped.count && skipped[nextSkip].position < index {
                changes.append(skipped[nextSkip].change); nextSkip += 1
            }
            changes.append(change(index, at(index)))
        }
        while nextSkip < skipped.count { changes.append(skipped[nextSkip].change); nextSkip += 1 }
        skipped = []

        if !snapshot.isOffline {
            usedTags = Planner.skipUnusedTagCreates(
                &changes, targeted: !selection.targets.isEmpty, alsoUsed: planner.tagsUsedElsewhere)
        }
        if selection.isEmpty && planner.wholePlanPasses { changes += noLongerProduced() }
        if !Self.inAddressOrder(changes.count, { changes[$0].address }) {
            changes.sort { $0.address < $1.address }
        }
        if selection.targets.isEmpty && planner.wholePlanPasses {
            unmatched.append(contentsOf: try planner.unknownStashFiles(creators: selection.creators))
        }
        unmatched = Self.byCreator(unmatched)

        var summary = PlanSummary(unmatched: unmatched.count)
        for index in changes.indices { summary.count(changes[index].action) }
        return Plan(
            createdAt: now, tool: tool, inputs: inputs, changes: changes, unmatched: unmatched, summary: summary)
    }

    private func match(_ index: Int, _ entity: UnsafePointer<DesiredEntity>, _ matcher: Matcher) {
        let kind = entity.pointee.address.kind
        var galleryId: String?
        if kind == .chapter, case .ref(let galleryRef)? = Self.value(of: "gallery_id", in: entity.pointee.fields),
            let gallery = galleryRef.address,
            case .existing(let id)? = resolution(of: gallery)
        {
            galleryId = id
        }
        var result = mediaResults[index] ?? matcher.match(entity, galleryId: galleryId)
        if case .matched(let id, _) = result {
            let claim = Claim(kind: kind, id: id)
            if let other = claimedBy[claim] {
                result = .ambiguous(ids: [id], via: "same object as \(at(other).pointee.address)")
            } else {
                claimedBy[claim] = index
            }
        }
        switch result {
        case .matched(let id, _):
            resolutions[index] = .existing(id: id)
            if kind == .scene || kind == .image { mediaStates[index] = .inStash }
            pending.append(index)
        case .none:
            if kind == .gallery, !snapshot.isOffline, !holdsMatchedMedia(index, entity) {
                // An empty gallery helps nobody (and Stash refuses its chapters): say what would fill it.
                resolutions[index] = .unavailable
                skipped.append((index, skip(entity.pointee, .notCreated, emptyGalleryReason(entity.pointee))))
            } else if entity.pointee.createMissing && kind != .scene && kind != .image {
                resolutions[index] = .created
                pending.append(index)
            } else {
                resolutions[index] = .unavailable
                skipped.append(
                    (
                        index,
                        skip(
                            entity.pointee, .notCreated,
                            "no matching Stash \(kind.rawValue); the rules do not create it")
                    ))
            }
        case .ambiguous(let ids, let via):
            resolutions[index] = .unavailable
            let list = ids.map { "#\($0)" }.joined(separator: ", ")
            let detail =
                via.hasPrefix("same object")
                ? "Stash \(kind.rawValue) \(list) is the \(via)"
                : "matches Stash \(kind.rawValue)s \(list) by \(via)"
            skipped.append((index, skip(entity.pointee, .ambiguous, detail)))
        case .unmatchedMedia(let fileMediaId, let reason, let lookedFor):
            resolutions[index] = .unavailable
            mediaStates[index] = Self.state(unmatchedBecause: reason)
            let elsewhere = reason == Matcher.outsideFoldersReason ? snapshot.filesOutsideFolders[fileMediaId] : nil
            unmatched.append(
                UnmatchedMedia(
                    address: entity.pointee.address, creator: entity.pointee.creator, fileMediaId: fileMediaId,
                    lookedFor: lookedFor, reason: reason, stashPaths: elsewhere))
        }
    }

    /// The state of a media item unmatched for `reason`.
    static func state(unmatchedBecause reason: String) -> MediaState {
        switch reason {
        case Matcher.offlineReason: return .unmatchedOffline
        case Matcher.nonePreviewReason: return .unmatchedNonePreview
        case Matcher.outsideFoldersReason: return .unmatchedElsewhere
        case Matcher.notDownloadedReason, Matcher.noFileNameReason: return .unmatchedNotDownloaded
        default: return .unmatchedOther
        }
    }

    /// Why a gallery none of whose images Stash holds is not created, with advice that fits
    /// why its images are unmatched: scanning cannot help a `.None` preview or a file Stash
    /// holds at another path.
    private func emptyGalleryReason(_ gallery: DesiredEntity) -> String {
        // Images are matched before galleries (`mediaResults`), but their states are set after.
        var states = Set<MediaState>()
        if let images = Self.value(of: "image_ids", in: gallery.fields) {
            for address in images.referencedAddresses {
                guard let image = position[address], case .unmatchedMedia(_, let reason, _)? = mediaResults[image]
                else { continue }
                states.insert(Self.state(unmatchedBecause: reason))
            }
        }
        if !states.isEmpty && states.isSubset(of: [.unmatchedNonePreview]) {
            return "its only images are .None previews, which Stash does not scan"
        }
        if !states.isEmpty && states.isSubset(of: [.unmatchedNonePreview, .unmatchedNotDownloaded]) {
            return
                "none of its images can be in Stash: they were never downloaded, or are .None previews Stash does not scan"
        }
        if states.contains(.unmatchedElsewhere) {
            return
                "Stash holds its images outside the creator folders; set the download folder (settings.downloadRoot, pathMap or --path-map), then plan again"
        }
        let what = Self.value(of: "image_ids", in: gallery.fields) == nil ? "scenes" : "images"
        return "none of its \(what) is in Stash yet; scan them, then plan again"
    }

    /// Objects fansly-stash wrote earlier (linked in its state) that the rules no longer produce
    /// (say `message: { gallery: false }` after galleries were made): said, never deleted.
    private func noLongerProduced() -> [PlannedChange] {
        guard !snapshot.isOffline else { return [] }
        var result: [PlannedChange] = []
        var claimed: Set<Claim>?
        for (address, link) in planner.links where position[address] == nil {
            guard snapshot.holds(address.kind, id: link.stashId) else { continue }
            // Another address may now stand for the same object (a tag the alias table renamed).
            if claimed == nil {
                claimed = Set(
                    resolutions.indices.compactMap { index in
                        if case .existing(let id)? = resolutions[index] {
                            return Claim(kind: entities[index].address.kind, id: id)
                        }
                        return nil
                    })
            }
            if claimed!.contains(Claim(kind: address.kind, id: link.stashId)) { continue }
            result.append(
                PlannedChange(
                    address: address, action: .skip, reason: .notProduced,
                    detail: "no longer produced by the rules; left in Stash", stashId: link.stashId))
        }
        return result
    }

    /// False when the gallery has media (images in its `image_ids`, images or scenes naming it in
    /// their `gallery_ids`) and Stash holds none of them yet; a gallery without media is the rules' affair.
    private func holdsMatchedMedia(_ index: Int, _ entity: UnsafePointer<DesiredEntity>) -> Bool {
        func matched(_ position: Int?) -> Bool {
            guard let position, case .matched? = mediaResults[position] else { return false }
            return true
        }
        var members: [Int] = []
        if let images = Self.value(of: "image_ids", in: entity.pointee.fields) {
            members = images.referencedAddresses.compactMap { position[$0] }
        }
        if sceneMembers == nil {
            var byGallery: [Int: [Int]] = [:]
            for scene in items.indices where at(scene).pointee.address.kind == .scene {
                guard case .refs(let galleries)? = Self.value(of: "gallery_ids", in: at(scene).pointee.fields) else {
                    continue
                }
                for case let address? in galleries.lazy.map(\.address) {
                    if let gallery = position[address] { byGallery[gallery, default: []].append(scene) }
                }
            }
            sceneMembers = byGallery
        }
        members += sceneMembers?[index] ?? []
        if members.isEmpty { members = self.members(ofGallery: index) }
        return members.isEmpty || members.contains { matched($0) }
    }

    /// True when the `count` addresses `address(i)` are in plan order (checked by position, copying nothing).
    static func inAddressOrder(_ count: Int, _ address: (Int) -> EntityAddress) -> Bool {
        guard count > 1 else { return true }
        var previous = address(0)
        for index in 1..<count {
            let current = address(index)
            if current < previous { return false }
            previous = current
        }
        return true
    }

    /// Unmatched media grouped by creator (by name), each group in address order.
    static func byCreator(_ unmatched: [UnmatchedMedia]) -> [UnmatchedMedia] {
        // Grouped by position, so that each item is copied once.
        var groups: [String: [Int]] = [:]
        for index in unmatched.indices { groups[unmatched[index].creator ?? "", default: []].append(index) }
        var ordered: [UnmatchedMedia] = []
        ordered.reserveCapacity(unmatched.count)
        for creator in groups.keys.sorted() {
            var group = groups[creator]!
            if !inAddressOrder(group.count, { unmatched[group[$0]].address }) {
                group.sort { unmatched[$0].address < unmatched[$1].address }
            }
            for index in group { ordered.append(unmatched[index]) }
        }
        return ordered
    }
}
