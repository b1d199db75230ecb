import Foundation

/// Routes what a grouped evaluation produces (`MappingEngine.evaluate(…, groupLimit:, part:)`).
///
/// The survey (first pass) keeps the tags, studios and performers in the run's builder, as a
/// whole evaluation does, and notes which creator produced or referred to every other address.
/// It also keeps those while they number at most `limit`: a library that small needs no second pass.
/// The partition (second pass) keeps each group's own entities until the group's last creator is
/// mapped, then hands them out; entities several creators produce or refer to, and every entity
/// connected to one of them by a reference, are held back (`crossGroup`) until the end.
final class GroupRouter {
    /// Who produced or referred to an address: a creator's position, or `several`.
    private var owners: [Int: Int32]
    private static let several: Int32 = -1
    /// Images produced so far (hashes of their addresses): bundles only hold images the run produced.
    private var producedImages = Set<Int>()
    private var creator: Int32 = -1

    // The survey.
    private let limit: Int
    /// Addresses each creator produced first.
    private(set) var sizes: [Int]
    private var keptLocals = 0
    /// True once more than `limit` entities besides tags, studios and performers were produced.
    private(set) var exceeded = false

    // The partition.
    private let partitioning: Bool
    private var lastOfGroup = Set<Int>()
    private var group = StateBuilder(tracing: false)
    private var held = StateBuilder(tracing: false)
    private var heldReferences = Set<EntityAddress>()
    private var emit: (DesiredState) throws -> Void = { _ in }

    /// True when the scenes and images added from now on are only looked at for their references:
    /// a survey past its limit (the second pass evaluates them again, whole).
    var keepsOnlyReferences: Bool { !partitioning && exceeded }

    /// A survey of `creators` creators that keeps everything while at most `limit` entities
    /// (besides tags, studios and performers) were produced.
    init(surveying creators: Int, limit: Int) {
        owners = [:]
        sizes = Array(repeating: 0, count: creators)
        self.limit = limit
        partitioning = false
    }

    /// A partition by the groups `survey.groupEnds()` makes; `emit` receives each group's entities.
    init(partitioning survey: GroupRouter, emit: @escaping (DesiredState) throws -> Void) {
        owners = survey.owners
        sizes = survey.sizes
        limit = survey.limit
        partitioning = true
        lastOfGroup = survey.groupEnds()
        self.emit = emit
    }

    /// Entities many creators refer to; kept whole in every pass.
    static func isShared(_ kind: EntityKind) -> Bool { kind == .tag || kind == .studio || kind == .performer }

    /// The last creator position of each group: consecutive creators while their sizes fit in `limit`.
    func groupEnds() -> Set<Int> {
        var ends = Set<Int>()
        var total = 0
        for index in sizes.indices {
            if total > 0 && total + sizes[index] > limit {
                ends.insert(index - 1)
                total = 0
            }
            total += sizes[index]
        }
        if !sizes.isEmpty { ends.insert(sizes.count - 1) }
        return ends
    }

    func start(creator position: Int) { creator = Int32(position) }

    func finish(creator position: Int) throws {
        creator = -1
        if partitioning && lastOfGroup.contains(position) { try flushGroup() }
    }

    func produced(_ address: EntityAddress) -> Bool {
        address.kind == .image && producedImages.contains(address.hashValue)
    }

    func add(_ entity: DesiredEntity, rank: Rank, origins: [String: FieldOrigin], builder: StateBuilder) {
        let address = entity.address
        if Self.isShared(address.kind) {
            if !partitioning {
                // A local entity a tag, studio or performer refers to is needed by every group.
                for field in entity.fields {
                    for reference in field.value.referencedAddresses where !Self.isShared(reference.kind) {
                        owners[reference.hashValue] = Self.several
                    }
                }
            }
            builder.store(entity, rank: rank, origins: origins)
            return
        }
        let key = address.hashValue
        if address.kind == .image { producedImages.insert(key) }
        if partitioning {
            if owners[key] ?? Self.several == Self.several {
                hold(entity, rank: rank)
            } else {
                group.store(entity, rank: rank)
            }
            return
        }
        if note(key), creator >= 0 { sizes[Int(creator)] += 1 }
        for field in entity.fields {
            switch field.value {
            case .ref, .refs:
                for reference in field.value.referencedAddresses where !Self.isShared(reference.kind) {
                    note(reference.hashValue)
                }
            default: break
            }
        }
        guard !exceeded else { return }
        if builder.store(entity, rank: rank, origins: origins) {
            keptLocals += 1
            if keptLocals > limit {
                exceeded = true
                builder.removeAll { !Self.isShared($0.kind) }
            }
        }
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
        for field in entity.fields {
            for reference in field.value.referencedAddresses where !Self.isShared(reference.kind) {
                heldReferences.insert(reference)
            }
        }
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
            for field in taken[index].entity.fields {
                for reference in field.value.referencedAddresses where !Self.isShared(reference.kind) {
                    if let other = position[reference] {
                        parent[root(other)] = root(index)
                    } else if owners[reference.hashValue] ?? Self.several == Self.several || held.contains(reference) {
                        seeded[index] = true
                    }
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
