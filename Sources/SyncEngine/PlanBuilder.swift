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
    let position: [EntityAddress: Int]
    private var resolutions: [Planner.Resolution?]
    private var mediaStates: [MediaState]
    private var items = UnsafeBufferPointer<DesiredEntity>(start: nil, count: 0)
    private var mediaResults: [MatchResult?] = []
    private var claimedBy: [Claim: Int] = [:]
    private var skipped: [(position: Int, change: PlannedChange)] = []
    private var pending: [Int] = []
    private var refCache: [Int: StashRef] = [:]
    private var refValueCache: [Int: FieldValue] = [:]
    private var listCache: [ListKey: (value: FieldValue, dropped: [EntityAddress])] = [:]
    private var imageCounts: [Int: (count: Int, onlyNonePreviews: Bool)] = [:]
    private var unmatched: [UnmatchedMedia] = []
    /// Gallery position → positions of the images that name it in `gallery_ids` (built when a chapter needs it).
    private var galleryMembers: [Int: [Int]]?
    /// Gallery position → positions of the scenes that name it in `gallery_ids` (built when a gallery without images needs it).
    private var sceneMembers: [Int: [Int]]?
    /// Stash tag id → the names fansly-stash wrote to it (built when a tag's name differs from Stash's).
    private var tagNamesById: [String: [FieldValue]]?

    private var snapshot: StashSnapshot { planner.snapshot }

    init(planner: Planner, entities: [DesiredEntity]) {
        self.planner = planner
        self.entities = entities
        // One hash per address (the first entity wins should an address repeat).
        position = Dictionary(
            entities.indices.lazy.map { (entities[$0].address, $0) }, uniquingKeysWith: { first, _ in first })
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
    private func at(_ index: Int) -> UnsafePointer<DesiredEntity> { items.baseAddress! + index }

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

        // Images and scenes are matched first: a gallery is only created when Stash holds one of its
        // images, or one of the scenes it groups.
        mediaResults = [MatchResult?](repeating: nil, count: count)
        for index in 0..<count
        where at(index).pointee.address.kind == .image || at(index).pointee.address.kind == .scene {
            mediaResults[index] = matcher.match(at(index).pointee, galleryId: nil)
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

        if !snapshot.isOffline { Planner.skipUnusedTagCreates(&changes, targeted: !selection.targets.isEmpty) }
        if selection.isEmpty { changes += noLongerProduced() }
        if !Self.inAddressOrder(changes.count, { changes[$0].address }) {
            changes.sort { $0.address < $1.address }
        }
        if selection.targets.isEmpty {
            unmatched.append(contentsOf: try planner.unknownStashFiles(creators: selection.creators))
        }
        unmatched = Self.byCreator(unmatched)

        var summary = PlanSummary(unmatched: unmatched.count)
        for index in changes.indices {
            switch changes[index].action {
            case .create: summary.add += 1
            case .update: summary.change += 1
            case .noop: summary.unchanged += 1
            case .skip: summary.skipped += 1
            }
        }
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
        var result = mediaResults[index] ?? matcher.match(entity.pointee, galleryId: galleryId)
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
            guard snapshot.object(address.kind, id: link.stashId) != nil else { continue }
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

    // MARK: Changes

    private func skip(_ entity: DesiredEntity, _ reason: SkipReason, _ detail: String?, stashId: String? = nil)
        -> PlannedChange
    {
        PlannedChange(
            address: entity.address, action: .skip, reason: reason, detail: detail, stashId: stashId,
            match: entity.match, creator: entity.creator, source: entity.source)
    }

    private func change(_ index: Int, _ entity: UnsafePointer<DesiredEntity>) -> PlannedChange {
        var notes: [String] = []
        var values: [(DesiredField, FieldValue)] = []
        values.reserveCapacity(entity.pointee.fields.count)
        for field in entity.pointee.fields where field.strategy != .ignore {
            switch resolve(field.value) {
            case .value(let value, var dropped):
                // Media without a file in Stash are listed as unmatched already.
                dropped.removeAll { position[$0].map { mediaStates[$0].isUnmatched } ?? false }
                if !dropped.isEmpty {
                    notes.append(
                        "\(field.name): left out \(dropped.map(\.description).joined(separator: ", ")) (not in Stash and not created)"
                    )
                }
                values.append((field, value))
            case .unresolved(let target):
                if entity.pointee.address.kind == .chapter && field.name == "gallery_id" {
                    return skip(entity.pointee, .unresolved, "its gallery \(target) is not in Stash and not created")
                }
                notes.append("\(field.name): left out \(target) (not in Stash and not created)")
            }
        }
        var detail = notes.isEmpty ? nil : notes.joined(separator: "; ")

        guard case .existing(let id)? = resolutions[index] else {
            var fields: [FieldChange] = []
            fields.reserveCapacity(values.reduce(0) { $0 + ($1.1.isEmpty ? 0 : 1) })
            for (field, value) in values where !value.isEmpty {
                fields.append(FieldChange(field: field.name, before: .null, after: value))
            }
            if entity.pointee.address.kind == .chapter, let reason = chapterOutOfRange(entity.pointee, fields) {
                return skip(entity.pointee, .notCreated, reason)
            }
            return PlannedChange(
                address: entity.pointee.address, action: .create, detail: detail, fields: fields,
                match: entity.pointee.match, creator: entity.pointee.creator, source: entity.pointee.source)
        }
        guard let object = snapshot.object(entity.pointee.address.kind, id: id) else {
            return skip(
                entity.pointee, .unresolved, "Stash \(entity.pointee.address.kind.rawValue) #\(id) vanished",
                stashId: id)
        }
        let link = planner.links[entity.pointee.address].flatMap { $0.stashId == id ? $0 : nil }
        // `organized` that apply itself wrote (the default rules create galleries organized) does not
        // freeze the object: later scans must still reach it. People's edits are protected as drift.
        let organizedByUs = link?.writtenFields["organized"] == .bool(true)
        let organizedByUser = entity.pointee.respectOrganized && object.organized && !organizedByUs
        // A link without written fields only remembers a match (a noop): it says nothing of who organized it.
        let linkKnowsWrites = !(link?.writtenFields.isEmpty ?? true)
        // Scenes and images come from Stash's scans, never from apply: only objects apply may have
        // created can carry its own mark without a record of it.
        let mayBeApplys = entity.pointee.address.kind != .scene && entity.pointee.address.kind != .image
        if organizedByUser && (linkKnowsWrites || !mayBeApplys) {
            return skip(entity.pointee, .organized, "organized in Stash", stashId: id)
        }
        if !entity.pointee.fields.isEmpty && entity.pointee.fields.allSatisfy({ $0.strategy == .ignore }) {
            return skip(entity.pointee, .ignored, "every field is ignored by the rules", stashId: id)
        }
        var fieldChanges: [FieldChange] = []
        var drift: [FieldDrift] = []
        for (field, value) in values {
            // Stash's finds do not say whether an object has an image, so an unknown image counts as
            // present: merge never replaces a picture someone chose.
            let current = object.fields[field.name] ?? (field.name == "image" ? .string("(an image in Stash)") : .null)
            let decision = FieldDiff.decide(
                field: field.name, desired: value, current: current,
                strategy: field.strategy, written: link?.writtenFields[field.name])
            if let change = decision.change { fieldChanges.append(change) }
            if let fieldDrift = decision.drift { drift.append(fieldDrift) }
        }
        if organizedByUser && !fieldChanges.isEmpty {
            // Without a record of writes (a new or lost state file) an organized object that already holds every
            // value the rules want is indistinguishable from one apply finished (apply marks objects
            // organized last): it is a noop. One that differs was organized by a person: left alone.
            return skip(entity.pointee, .organized, "organized in Stash", stashId: id)
        }
        if entity.pointee.address.kind == .tag, let nameField = entity.pointee[field: "name"],
            nameField.strategy != .ignore,
            case .string(let name) = nameField.value,
            let note = TagNaming.adjust(
                &fieldChanges, desired: name, object: object, writtenNames: writtenNames(ofTag: id))
        {
            notes.append(note)
            detail = notes.joined(separator: "; ")
        }
        if entity.pointee.address.kind == .chapter, !fieldChanges.isEmpty,
            let reason = chapterOutOfRange(entity.pointee, fieldChanges)
        {
            return skip(entity.pointee, .unresolved, reason, stashId: id)
        }
        return PlannedChange(
            address: entity.pointee.address, action: fieldChanges.isEmpty ? .noop : .update, detail: detail,
            stashId: id, fields: Self.exact(fieldChanges), drift: drift, match: entity.pointee.match,
            creator: entity.pointee.creator, source: entity.pointee.source)
    }

    /// The names fansly-stash recorded writing to the Stash tag `id`, under any address (a tag the
    /// alias table now calls differently was created under its old address).
    private func writtenNames(ofTag id: String) -> [FieldValue] {
        if tagNamesById == nil {
            var names: [String: [FieldValue]] = [:]
            for (address, link) in planner.links where address.kind == .tag {
                if let name = link.writtenFields["name"] { names[link.stashId, default: []].append(name) }
            }
            tagNamesById = names
        }
        return tagNamesById?[id] ?? []
    }

    private enum ResolvedValue {
        case value(FieldValue, dropped: [EntityAddress])
        case unresolved(EntityAddress)
    }

    private func ref(_ address: EntityAddress) -> StashRef? {
        position[address].flatMap { ref(at: $0, address) }
    }

    private func ref(at index: Int, _ address: EntityAddress) -> StashRef? {
        // Tags, studios and performers are referred to again and again (galleries and images once
        // or twice: caching those would only hold memory).
        let shared = Self.isShared(address.kind)
        if shared, let cached = refCache[index] { return cached }
        let resolved: StashRef
        switch resolutions[index] {
        case .existing(let id)?:
            let name = Planner.label(of: at(index).pointee) ?? snapshot.object(address.kind, id: id)?.displayName
            resolved = StashRef(id: id, label: name)
        case .created?: resolved = StashRef(address: address, label: Planner.label(of: at(index).pointee))
        case .unavailable?, nil: return nil
        }
        if shared { refCache[index] = resolved }
        return resolved
    }

    /// Kinds that many entities refer to.
    static func isShared(_ kind: EntityKind) -> Bool { kind == .tag || kind == .studio || kind == .performer }

    /// Up to four referenced positions: the key under which a resolved list is shared.
    private struct ListKey: Hashable {
        var count: Int
        var positions: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
        static func == (lhs: ListKey, rhs: ListKey) -> Bool {
            lhs.count == rhs.count && lhs.positions == rhs.positions
        }
        func hash(into hasher: inout Hasher) {
            hasher.combine(count)
            hasher.combine(positions.0); hasher.combine(positions.1); hasher.combine(positions.2);
            hasher.combine(positions.3)
        }
    }

    private func resolve(_ value: FieldValue) -> ResolvedValue {
        switch value {
        case .string(let text): return .value(.string(text), dropped: [])
        case .int(let number): return .value(.int(number), dropped: [])
        case .bool(let flag): return .value(.bool(flag), dropped: [])
        case .date(let text): return .value(.date(text), dropped: [])
        case .strings(let items): return .value(.strings(items), dropped: [])
        case .null: return .value(.null, dropped: [])
        case .ref(let desired):
            // The rules name entities by address; a reference that is already an id stays as it is.
            guard let address = desired.address else { return .value(value, dropped: []) }
            guard let index = position[address] else { return .unresolved(address) }
            // One boxed value per referenced entity, shared by every change that refers to it.
            let shared = Self.isShared(address.kind)
            if shared, let cached = refValueCache[index] { return .value(cached, dropped: []) }
            guard let resolved = ref(at: index, address) else { return .unresolved(address) }
            let value = FieldValue.ref(resolved)
            if shared { refValueCache[index] = value }
            return .value(value, dropped: [])
        case .refs(let desired):
            // Short lists recur (a creator's performer, a post's tags, an image's gallery): the
            // resolved list is built once and shared by every change that carries it.
            var key = ListKey(count: desired.count)
            var cacheable =
                desired.count <= 4 && desired.allSatisfy { $0.address.map { Self.isShared($0.kind) } ?? false }
            if cacheable {
                for (slot, address) in desired.lazy.compactMap(\.address).enumerated() {
                    guard let index = position[address], let small = Int32(exactly: index) else {
                        cacheable = false; break
                    }
                    switch slot {
                    case 0: key.positions.0 = small
                    case 1: key.positions.1 = small
                    case 2: key.positions.2 = small
                    default: key.positions.3 = small
                    }
                }
                if cacheable, let cached = listCache[key] { return .value(cached.value, dropped: cached.dropped) }
            }
            var refs: [StashRef] = []
            refs.reserveCapacity(desired.count)
            var dropped: [EntityAddress] = []
            for item in desired {
                guard let address = item.address else { refs.append(item); continue }
                if let resolved = ref(address) { refs.append(resolved) } else { dropped.append(address) }
            }
            let value = FieldValue.refs(refs)
            if cacheable { listCache[key] = (value, dropped) }
            return .value(value, dropped: dropped)
        }
    }

    // MARK: Chapters

    /// Why a chapter cannot be written, as apply would find it (Stash refuses a chapter whose
    /// `image_index` lies beyond its gallery's images); nil when it can.
    private func chapterOutOfRange(_ entity: DesiredEntity, _ fields: [FieldChange]) -> String? {
        guard fields.contains(where: { $0.field == "gallery_id" }),
            case .int(let imageIndex)? = fields.first(where: { $0.field == "image_index" })?.after,
            case .ref(let galleryRef)? = Self.value(of: "gallery_id", in: entity.fields),
            let galleryAddress = galleryRef.address, let gallery = position[galleryAddress]
        else { return nil }
        let (count, onlyNonePreviews) = expectedImageCount(gallery: gallery)
        guard imageIndex > count else { return nil }
        if count == 0 && onlyNonePreviews {
            return "its gallery has no images in Stash: its only files are unscanned .None previews"
        }
        return
            "its gallery would hold \(count) image\(count == 1 ? "" : "s") in Stash, so a chapter cannot start at image \(imageIndex); "
            + "scan the missing files, then plan again"
    }

    /// How many images the gallery at `gallery` holds once applied: those Stash has, plus the
    /// desired ones Stash holds (offline: every one whose file Stash could scan); and whether every
    /// desired image is a `.None` preview Stash never scans.
    private func expectedImageCount(gallery: Int) -> (count: Int, onlyNonePreviews: Bool) {
        if let known = imageCounts[gallery] { return known }
        var ids = Set<String>()
        if case .existing(let id)? = resolutions[gallery],
            case .refs(let refs)? = snapshot.object(.gallery, id: id)?.fields["image_ids"]
        {
            for ref in refs { if let id = ref.id { ids.insert(id) } }
        }
        var images: [Int] = []
        if case .refs(let refs)? = Self.value(of: "image_ids", in: at(gallery).pointee.fields) {
            images = refs.compactMap { $0.address.flatMap { position[$0] } }
        }
        // The same image is usually named by both sides (the gallery's image_ids, its own gallery_ids).
        let members = members(ofGallery: gallery)
        if images.isEmpty {
            images = members
        } else if !members.isEmpty {
            var seen = Set(images)
            for image in members where seen.insert(image).inserted { images.append(image) }
        }
        var possible = 0
        var onlyNonePreviews = !images.isEmpty
        for image in images {
            if case .existing(let id)? = resolutions[image] { ids.insert(id) }
            if mediaStates[image] == .unmatchedOffline { possible += 1 }
            if mediaStates[image] != .unmatchedNonePreview { onlyNonePreviews = false }
        }
        let result = (ids.count + possible, onlyNonePreviews)
        imageCounts[gallery] = result
        return result
    }

    private func members(ofGallery gallery: Int) -> [Int] {
        if galleryMembers == nil {
            var members: [Int: [Int]] = [:]
            for index in items.indices where at(index).pointee.address.kind == .image {
                guard case .refs(let galleries)? = Self.value(of: "gallery_ids", in: at(index).pointee.fields) else {
                    continue
                }
                for case let address? in galleries.lazy.map(\.address) {
                    if let owner = position[address] { members[owner, default: []].append(index) }
                }
            }
            galleryMembers = members
        }
        return galleryMembers?[gallery] ?? []
    }
}
