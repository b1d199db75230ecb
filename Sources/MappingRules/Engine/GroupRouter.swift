import Foundation

/// Routes what a grouped evaluation produces (`MappingEngine.evaluate(…, groupLimit:, part:)`).
///
/// The survey (the one pass over the records) keeps the tags, studios and performers in the run's
/// builder, as a whole evaluation does, and notes which creator produced or referred to every
/// other address. It also keeps those while they number at most `limit` (a library that small is
/// planned whole); past that, it writes every contribution to them to a `ContributionSpool`, with
/// the end of each creator, instead. The partition then replays the spool: it keeps each group's
/// own entities until the group's last creator is mapped, then hands them out; entities several
/// creators produce or refer to, and every entity connected to one of them by a reference, are
/// held back (`crossGroup`) until the end.
final class GroupRouter {
    /// Who produced or referred to an address: a creator's position, or `several`.
    private var owners: [Int: Int32]
    private static let several: Int32 = -1
    private var creator: Int32 = -1

    // The survey.
    private let limit: Int
    /// What a group of consecutive creators produces at most (a larger creator is a group alone).
    private let groupSize: Int
    /// Images produced so far (hashes of their addresses): bundles only hold images the run produced.
    private var producedImages = Set<Int>()
    /// Addresses each creator produced first.
    private(set) var sizes: [Int]
    private var keptLocals = 0
    /// Entities in the builder so far, and how many there were as each creator ended (while
    /// nothing was spooled: the spool then says which creator's run gave each entity).
    private var keptEntities = 0
    private var creatorEnds: [Int] = []
    /// True once more than `limit` entities besides tags, studios and performers were produced.
    private(set) var exceeded = false
    /// Made when the limit is passed: a library that fits never touches the disk.
    private(set) var spool: ContributionSpool?
    private let spoolDirectory: URL
    /// Why the spool could not be made (reported when the creator being mapped ends).
    private var spoolFailure: (any Error)?

    // The partition.
    private var lastOfGroup = Set<Int>()
    private var group = StateBuilder(tracing: false)
    private var held = StateBuilder(tracing: false)
    private var heldReferences = Set<EntityAddress>()
    private var emit: (DesiredState) throws -> Void = { _ in }

    /// A survey of `creators` creators that keeps everything while at most `limit` entities
    /// (besides tags, studios and performers) were produced, and then spools them to a
    /// `ContributionSpool` in `spoolDirectory`.
    /// Groups are then made of consecutive creators producing at most `groupSize` of them.
    init(surveying creators: Int, limit: Int, groupSize: Int, spoolDirectory: URL) {
        owners = [:]
        sizes = Array(repeating: 0, count: creators)
        self.limit = limit
        self.groupSize = groupSize
        self.spoolDirectory = spoolDirectory
    }

    /// A partition by the groups `survey.groupEnds()` makes; `emit` receives each group's entities.
    init(partitioning survey: GroupRouter, emit: @escaping (DesiredState) throws -> Void) {
        owners = survey.owners
        sizes = survey.sizes
        limit = survey.limit
        groupSize = survey.groupSize
        spoolDirectory = survey.spoolDirectory
        lastOfGroup = survey.groupEnds()
        self.emit = emit
    }

    /// Entities many creators refer to; kept whole in every pass.
    static func isShared(_ kind: EntityKind) -> Bool { kind == .tag || kind == .studio || kind == .performer }

    /// Calls `body` with each address `entity` refers to besides tags, studios and performers, read
    /// from the values in place (`referencedAddresses` would make an array per field).
    private static func forEachLocalReference(of entity: DesiredEntity, _ body: (EntityAddress) -> Void) {
        for field in entity.fields {
            switch field.value {
            case .ref(let reference):
                if let address = reference.address, !isShared(address.kind) { body(address) }
            case .refs(let references):
                for reference in references {
                    if let address = reference.address, !isShared(address.kind) { body(address) }
                }
            default:
                continue
            }
        }
    }

    /// The last creator position of each group: consecutive creators while their sizes fit in `groupSize`.
    func groupEnds() -> Set<Int> {
        var ends = Set<Int>()
        var total = 0
        for index in sizes.indices {
            if total > 0 && total + sizes[index] > groupSize {
                ends.insert(index - 1)
                total = 0
            }
            total += sizes[index]
        }
        if !sizes.isEmpty { ends.insert(sizes.count - 1) }
        return ends
    }

    func start(creator position: Int) { creator = Int32(position) }

    /// The survey: the creator at `position` was mapped.
    func finish(creator position: Int) throws {
        creator = -1
        if exceeded {
            guard let spool else {
                throw spoolFailure ?? ContributionSpool.SpoolError.file(path: spoolDirectory.path, reason: "not made")
            }
            spool.finish(creator: position)
            try spool.check()
        } else {
            creatorEnds.append(keptEntities)
        }
    }

    func produced(_ address: EntityAddress) -> Bool {
        address.kind == .image && producedImages.contains(address.hashValue)
    }

    /// The survey: a contribution of the run.
    func add(_ entity: DesiredEntity, rank: Rank, origins: [String: FieldOrigin], builder: StateBuilder) {
        let address = entity.address
        if Self.isShared(address.kind) {
            // A local entity a tag, studio or performer refers to is needed by every group.
            Self.forEachLocalReference(of: entity) { owners[$0.hashValue] = Self.several }
            if builder.store(entity, rank: rank, origins: origins) { keptEntities += 1 }
            return
        }
        let key = address.hashValue
        if address.kind == .image { producedImages.insert(key) }
        if note(key), creator >= 0 { sizes[Int(creator)] += 1 }
        Self.forEachLocalReference(of: entity) { note($0.hashValue) }
        if exceeded {
            spool?.append(entity, rank: rank)
        } else if builder.store(entity, rank: rank, origins: origins) {
            keptEntities += 1
            keptLocals += 1
            if keptLocals > limit {
                exceeded = true
                spill(builder)
            }
        }
    }

    /// Moves the scenes, images, galleries and chapters kept so far to the spool, each under the
    /// creator whose run first produced it (the builder merged later contributions into it, as the
    /// partition's builders would: a merged entity replays as its contributions would).
    private func spill(_ builder: StateBuilder) {
        let spool: ContributionSpool
        do {
            spool = try ContributionSpool(directory: spoolDirectory)
        } catch {
            spoolFailure = error
            return
        }
        self.spool = spool
        var ended = 0
        for (index, slot) in builder.slotsInOrder.enumerated() {
            while ended < creatorEnds.count, creatorEnds[ended] <= index {
                spool.finish(creator: ended)
                ended += 1
            }
            if !Self.isShared(slot.entity.address.kind) { spool.append(slot.entity, rank: slot.rank) }
        }
        while ended < creatorEnds.count {
            spool.finish(creator: ended)
            ended += 1
        }
        builder.removeAll { !Self.isShared($0.kind) }
    }

    /// The partition: a contribution the survey spooled, kept with its group or held back.
    func route(_ entity: DesiredEntity, rank: Rank) {
        if owners[entity.address.hashValue] ?? Self.several == Self.several {
            hold(entity, rank: rank)
        } else {
            group.store(entity, rank: rank)
        }
    }

    /// The partition: the creator at `position` was mapped; the last of a group hands the group out.
    func finishReplayed(creator position: Int) throws {
        if lastOfGroup.contains(position) { try flushGroup() }
    }

    /// Records that the current creator produced or referred to `key`; true when it is new.
    @discardableResult
    private func note(_ key: Int) -> Bool {
        guard let owner = owners[key] else {
            owners[key] = creator
            return true
        }
        if owner != creator { owners[key] = Self.several }
        return false
    }

    private func hold(_ entity: DesiredEntity, rank: Rank) {
        held.store(entity, rank: rank)
        Self.forEachLocalReference(of: entity) { heldReferences.insert($0) }
    }

    /// Hands out the group's entities, except those connected (by references either way) to an
    /// entity held back: those are held back too, so that every entity is planned with all it refers to.
    private func flushGroup() throws {
        let taken = group.takeAll()
        guard !taken.isEmpty else { return }
        var position: [EntityAddress: Int] = [:]
        position.reserveCapacity(taken.count)
        for index in taken.indices { position[taken[index].entity.address] = index }
        var parent = Array(taken.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        var seeded = [Bool](repeating: false, count: taken.count)
        for index in taken.indices {
            if heldReferences.contains(taken[index].entity.address) { seeded[index] = true }
            Self.forEachLocalReference(of: taken[index].entity) { reference in
                if let other = position[reference] {
                    parent[root(other)] = root(index)
                } else if owners[reference.hashValue] ?? Self.several == Self.several || held.contains(reference) {
                    seeded[index] = true
                }
            }
        }
        var heldRoots = Set<Int>()
        for index in taken.indices where seeded[index] { heldRoots.insert(root(index)) }
        // The kept ones in `StateBuilder.state()`'s order (no namesakes to tell apart: no performers).
        var kept: [StateBuilder.SortKey] = []
        kept.reserveCapacity(taken.count)
        for index in taken.indices {
            if heldRoots.contains(root(index)) {
                hold(taken[index].entity, rank: taken[index].rank)
            } else {
                kept.append(StateBuilder.SortKey(taken[index].entity.address, position: index))
            }
        }
        guard !kept.isEmpty else { return }
        kept.sort()
        try emit(DesiredState(entities: kept.map { taken[$0.position].entity }))
    }

    /// The entities held back to the end, once every group was handed out.
    func heldState() -> DesiredState { held.state() }
}
