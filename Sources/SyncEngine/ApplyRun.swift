import FanslyMetadata
import Foundation
import MappingRules

/// The mutable side of one apply: ids known or created so far, failed addresses (to explain the
/// references that cannot resolve), and whether Stash became unusable. Shared by concurrent batches.
final class Run: @unchecked Sendable {
    let changes: PlanChanges
    private let state: SyncState
    private let lock = NSLock()
    private var ids: [EntityAddress: String] = [:]
    private var failures: [EntityAddress: String] = [:]
    private var skipped: [EntityAddress: String] = [:]
    private var stopped: String?
    /// Images each gallery holds after the gallery images phase, by gallery id.
    private var galleryImageCounts: [String: Int] = [:]
    /// Objects whose `organized: true` waits until everything else of the run was written.
    private var organizeLater: Set<EntityAddress> = []
    private var notApplied = 0

    init(changes: PlanChanges, state: SyncState) { self.changes = changes; self.state = state }

    /// Learns the ids SyncState remembers and the ids the plan names; remembers the objects a noop
    /// matched so that the next plan finds them by link.
    func seed() {
        var newLinks: [WrittenObject] = []
        let links = (try? state.allLinkedIds()) ?? [:]
        lock.lock()
        ids = links
        for change in changes.entries {
            if let id = change.stashId {
                ids[change.address] = id
                if change.action == .noop && links[change.address] == nil {
                    newLinks.append(WrittenObject(address: change.address, stashId: id, fields: [:]))
                }
            }
            if let reason = change.skipReason { skipped[change.address] = reason }
        }
        lock.unlock()
        try? state.recordWritten(newLinks)
    }

    // MARK: Phases

    /// Splits a phase's creates and updates so that an item runs after the items of the same phase
    /// it refers to (parent studios and tags before their children). Items in a reference cycle go
    /// last and fail to resolve.
    func dependencyLevels(_ work: [PlanChanges.Entry]) -> [[PlanChanges.Entry]] {
        let created = Set(work.filter { $0.action == .create }.map(\.address))
        guard !created.isEmpty else { return [work] }
        var dependencies: [EntityAddress: Set<EntityAddress>] = [:]
        for item in work {
            dependencies[item.address] = Set(item.sameKindReferences.filter { created.contains($0) })
        }
        var level: [EntityAddress: Int] = [:]
        var visiting: Set<EntityAddress> = []
        func depth(_ address: EntityAddress) -> Int {
            if let known = level[address] { return known }
            guard visiting.insert(address).inserted else { return work.count } // a cycle
            let value = (dependencies[address] ?? []).map { depth($0) + 1 }.max() ?? 0
            visiting.remove(address)
            level[address] = value
            return value
        }
        var levels: [Int: [PlanChanges.Entry]] = [:]
        for item in work { levels[min(depth(item.address), work.count), default: []].append(item) }
        return levels.keys.sorted().map { levels[$0]! }
    }

    static func addresses(in value: FieldValue) -> [EntityAddress] {
        switch value {
        case .ref(let ref): return ref.id == nil ? [ref.address].compactMap { $0 } : []
        case .refs(let refs): return refs.compactMap { $0.id == nil ? $0.address : nil }
        default: return []
        }
    }

    // MARK: Ids

    func setId(_ id: String, for address: EntityAddress) {
        lock.lock(); ids[address] = id; lock.unlock()
    }

    func markFailed(_ address: EntityAddress, _ message: String) {
        lock.lock(); failures[address] = message; lock.unlock()
    }

    /// Stops sending: Stash cannot be used any more.
    func stop(because reason: String) {
        lock.lock(); if stopped == nil { stopped = reason }; lock.unlock()
    }

    var stopReason: String? { lock.lock(); defer { lock.unlock() }; return stopped }

    /// Counts an item not sent because the run was asked to stop.
    func countNotApplied() { lock.lock(); notApplied += 1; lock.unlock() }
    /// Items not sent because the run was asked to stop.
    var notAppliedCount: Int { lock.lock(); defer { lock.unlock() }; return notApplied }

    // MARK: Organized last

    /// Takes `organized: true` out of a write, to be sent once the object's other fields, its images
    /// and its chapters are written: an interrupted run never leaves an object organized (and so
    /// protected from the tool by `respectOrganized`) before it is complete.
    func withholdOrganized(
        _ address: EntityAddress, send: inout [String: FieldValue], record: inout [String: FieldValue]
    ) {
        guard send["organized"] == .bool(true), [.gallery, .scene, .image].contains(address.kind) else { return }
        send["organized"] = nil
        record["organized"] = nil
        lock.lock(); organizeLater.insert(address); lock.unlock()
    }

    /// The objects to mark organized now, with their ids: those withheld whose writes all succeeded.
    func objectsToOrganize() -> [(address: EntityAddress, id: String)] {
        lock.lock(); defer { lock.unlock() }
        return organizeLater.filter { failures[$0] == nil }.sorted().compactMap { address in
            ids[address].map { (address, $0) }
        }
    }

    /// The Stash id of the changed object itself.
    func resolveId(of change: PlannedChange) throws -> String {
        if let id = change.stashId { return id }
        lock.lock(); defer { lock.unlock() }
        if let id = ids[change.address] { return id }
        throw WriteFailure(.rejected, "\(change.address) has no Stash id (its create did not succeed)")
    }

    private func id(for address: EntityAddress) throws -> String {
        lock.lock(); defer { lock.unlock() }
        if let id = ids[address] { return id }
        if let failure = failures[address] {
            throw WriteFailure(.rejected, "needs \(address), which failed: \(failure)")
        }
        if let reason = skipped[address] {
            throw WriteFailure(
                .rejected, "needs \(address), which the plan skips (\(reason.isEmpty ? "skipped" : reason))")
        }
        throw WriteFailure(.rejected, "needs \(address), which neither Stash nor this plan holds")
    }

    private func resolve(_ ref: StashRef) throws -> StashRef {
        if let id = ref.id { return StashRef(id: id) }
        guard let address = ref.address else {
            throw WriteFailure(.rejected, "a reference has neither an id nor an address")
        }
        return StashRef(id: try id(for: address))
    }

    func resolve(_ value: FieldValue) throws -> FieldValue {
        switch value {
        case .ref(let ref): return .ref(try resolve(ref))
        case .refs(let refs): return .refs(try refs.map(resolve))
        default: return value
        }
    }

    /// The fields to send for a change (refs resolved; `add` lists joined with what Stash holds),
    /// without the gallery images, which have their own phase; and the fields to record as written:
    /// for an `add` list, only the items fansly-stash put there (now and before), because items that
    /// people added are theirs and never count as drift.
    func resolvedFields(_ change: PlannedChange, link: SyncLink?) throws -> (
        send: [String: FieldValue], record: [String: FieldValue]
    ) {
        var send: [String: FieldValue] = [:]
        var record: [String: FieldValue] = [:]
        let previous = link?.writtenFields
        for field in change.fields where !(change.address.kind == .gallery && field.field == Applier.galleryImagesField)
        {
            let after = try resolve(field.after)
            guard field.operation == .add else { send[field.field] = after; record[field.field] = after; continue }
            let before = try resolve(field.before)
            send[field.field] = Self.union(before, after)
            let owned = previous?[field.field] ?? .null
            record[field.field] = Self.union(owned, Self.difference(after, before))
        }
        return (send, record)
    }

    /// The images a gallery change adds (those not already in the gallery), and the field as written.
    /// An image that neither Stash nor the plan holds (a file Stash has not scanned) cannot be added
    /// and is left out; one whose own change failed in this run fails the gallery's images.
    func imagesToAdd(_ change: PlannedChange) throws -> ([String], [String: FieldValue]) {
        guard let field = change.fields.first(where: { $0.field == Applier.galleryImagesField }) else {
            return ([], [:])
        }
        let before = Self.ids(in: try resolve(field.before))
        var after: [String] = []
        for ref in Self.refs(in: field.after) {
            if let id = ref.id { after.append(id); continue }
            guard let address = ref.address else { continue }
            lock.lock()
            let id = ids[address]
            let failure = failures[address]
            lock.unlock()
            if let id {
                after.append(id)
            } else if let failure {
                throw WriteFailure(.rejected, "needs \(address), which failed: \(failure)")
            }
        }
        let present = Set(before)
        var seen = Set<String>()
        let added = after.filter { !present.contains($0) && seen.insert($0).inserted }
        let all = before + added
        if let galleryId = try? resolveId(of: change) { setImageCount(all.count, gallery: galleryId) }
        return (added, [Applier.galleryImagesField: .refs(all.map { StashRef(id: $0) })])
    }

    /// Records how many images a gallery holds (a new gallery holds none until its images are added).
    func setImageCount(_ count: Int, gallery galleryId: String) {
        lock.lock(); galleryImageCounts[galleryId] = count; lock.unlock()
    }

    /// The galleries among `fields` lists whose image count is not known yet.
    func galleriesWithUnknownImageCount(_ fieldLists: [[String: FieldValue]]) -> [String] {
        lock.lock(); defer { lock.unlock() }
        var ids = Set<String>()
        for fields in fieldLists {
            if case .ref(let gallery)? = fields["gallery_id"], let id = gallery.id, galleryImageCounts[id] == nil {
                ids.insert(id)
            }
        }
        return ids.sorted()
    }

    /// Why a chapter cannot be written (Stash refuses an `image_index` beyond its gallery's images),
    /// when the gallery's image count is known; nil otherwise.
    func chapterOutOfRange(_ fields: [String: FieldValue]) -> String? {
        guard case .ref(let gallery)? = fields["gallery_id"], let galleryId = gallery.id,
            case .int(let index)? = fields["image_index"]
        else { return nil }
        lock.lock(); let count = galleryImageCounts[galleryId]; lock.unlock()
        guard let count, index > count else { return nil }
        return
            "gallery #\(galleryId) holds \(count) image\(count == 1 ? "" : "s") in Stash, so a chapter cannot start at image \(index); "
            + "scan the missing files, then plan and apply again"
    }

    private static func refs(in value: FieldValue) -> [StashRef] {
        switch value {
        case .ref(let ref): return [ref]
        case .refs(let refs): return refs
        default: return []
        }
    }

    /// True when SyncState shows these exact fields written to `stashId` since the plan was made
    /// (an earlier, interrupted run of this plan got that far).
    func alreadyWritten(_ link: SyncLink?, stashId: String, fields: [String: FieldValue]) -> Bool {
        guard let link, link.stashId == stashId, link.writtenAt >= changes.createdAt else { return false }
        return fields.allSatisfy { link.writtenFields[$0.key] == $0.value }
    }

    private static func ids(in value: FieldValue) -> [String] {
        switch value {
        case .ref(let ref): return [ref.id].compactMap { $0 }
        case .refs(let refs): return refs.compactMap(\.id)
        default: return []
        }
    }

    /// The items of `list` that `other` lacks.
    static func difference(_ list: FieldValue, _ other: FieldValue) -> FieldValue {
        switch (list, other) {
        case (.strings(let items), .strings(let present)):
            let known = Set(present.map { $0.lowercased() })
            return .strings(items.filter { !known.contains($0.lowercased()) })
        case (.refs(let refs), .refs(let present)):
            let known = Set(present.compactMap(\.id))
            return .refs(refs.filter { $0.id.map { !known.contains($0) } ?? true })
        default:
            return list
        }
    }

    /// `before` followed by the items of `after` it lacks (strings compared case-insensitively, as
    /// Stash does for aliases).
    static func union(_ before: FieldValue, _ after: FieldValue) -> FieldValue {
        switch (before, after) {
        case (.strings(let old), .strings(let new)):
            var seen = Set(old.map { $0.lowercased() })
            return .strings(old + new.filter { seen.insert($0.lowercased()).inserted })
        case (.refs(let old), .refs(let new)):
            var seen = Set(old.compactMap(\.id))
            return .refs(old + new.filter { $0.id.map { seen.insert($0).inserted } ?? true })
        case (.null, _):
            return after
        default:
            return after
        }
    }
}
