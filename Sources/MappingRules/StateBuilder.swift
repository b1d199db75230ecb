import Foundation

/// Which contribution to an entity wins its single-valued fields: lower ranks win.
/// Account rules beat everything; then posts/messages/bundles by date and id; loose media; mentions last.
struct Rank: Comparable, Sendable {
    var tier: Int
    var time: Double
    var id: Int64

    static func < (lhs: Rank, rhs: Rank) -> Bool {
        (lhs.tier, lhs.time, lhs.id) < (rhs.tier, rhs.time, rhs.id)
    }

    static let account = Rank(tier: 0, time: 0, id: 0)
    static func item(_ date: Date?, _ id: Int64) -> Rank {
        Rank(tier: 1, time: date?.timeIntervalSince1970 ?? .infinity, id: id)
    }
    static func loose(_ date: Date?, _ id: Int64) -> Rank {
        Rank(tier: 2, time: date?.timeIntervalSince1970 ?? .infinity, id: id)
    }
    static let mention = Rank(tier: 3, time: 0, id: 0)
    static let shared = Rank(tier: 1, time: 0, id: 0)
}

/// Where a field's value came from, for `rules explain`.
public struct FieldOrigin: Sendable, Hashable, Codable {
    /// The rule path, e.g. `post.scene.fields.title`, or `engine` for fields the engine adds.
    public var rule: String
    /// `file:line:column` of the rule, when it comes from a rule file.
    public var location: String?
    /// The `postProcess` steps that changed the value, each as `path.postProcess[i] step (file:line:column)`.
    public var steps: [String] = []

    init(rule: String, location: String?, steps: [String] = []) {
        self.rule = rule; self.location = location; self.steps = steps
    }
}

/// Accumulates desired entities, merging contributions to the same address:
/// the best-ranked contribution's single values win; lists and references are unioned.
final class StateBuilder {
    struct Slot {
        var entity: DesiredEntity
        var rank: Rank
        var origins: [String: FieldOrigin]
    }

    /// Entities in the order they first appeared; `index` finds them by address. The table holds
    /// small integers, so growing it moves no entity values.
    private var slots: [Slot] = []
    private var index: [EntityAddress: Int] = [:]
    var creatorFolders: [String: [String]] = [:]
    let tracing: Bool
    /// In a grouped evaluation, decides where each contribution goes (nil: everything is kept here).
    var router: GroupRouter?

    init(tracing: Bool) { self.tracing = tracing }

    /// Whether the run produced `address` so far (a router also remembers the images it handed on).
    func contains(_ address: EntityAddress) -> Bool {
        index[address] != nil || (router?.produced(address) ?? false)
    }

    func add(_ entity: DesiredEntity, rank: Rank, origins: [String: FieldOrigin] = [:]) {
        if let router {
            router.add(entity, rank: rank, origins: origins, builder: self)
        } else {
            store(entity, rank: rank, origins: origins)
        }
    }

    /// Keeps `entity` here, merged with earlier contributions; true when its address is new.
    @discardableResult
    func store(_ entity: consuming DesiredEntity, rank: Rank, origins: [String: FieldOrigin] = [:]) -> Bool {
        // One hash lookup: a new address gets the next position in the same access.
        let next = slots.count
        var position = next
        Self.claim(&index[entity.address, default: next], &position)
        guard position < next else {
            slots.append(Slot(entity: entity, rank: rank, origins: tracing ? origins : [:]))
            return true
        }
        // Modified in place: copying the slot out would copy its arrays on the first write.
        StateBuilder.merge(entity, rank: rank, origins: origins, into: &slots[position], tracing: tracing)
        return false
    }

    /// Forgets the entities `drop` picks (their contributions so far are lost).
    func removeAll(where drop: (EntityAddress) -> Bool) {
        slots.removeAll { drop($0.entity.address) }
        index = Dictionary(uniqueKeysWithValues: slots.indices.map { (slots[$0].entity.address, $0) })
    }

    /// Every entity with the rank it won by, in the order they first appeared.
    var slotsInOrder: [Slot] { slots }

    /// Hands every entity with the rank it won by, in the order they first appeared, to `body`, with
    /// the table of their positions by address; then forgets them. The table keeps its capacity (the
    /// next group is about as large: its table does not grow, hashing every address again, from
    /// nothing); the slots start empty (reserving them would hold a second group's worth of memory
    /// while this group is handed out).
    func takeAll<Result>(_ body: (inout [Slot], _ position: [EntityAddress: Int]) throws -> Result) rethrows -> Result {
        var taken: [Slot] = []
        swap(&taken, &slots)
        defer { index.removeAll(keepingCapacity: true) }
        return try body(&taken, index)
    }

    /// Reads a position through the dictionary's inserting accessor (a missing address was just
    /// given the default, the next position).
    private static func claim(_ stored: inout Int, _ position: inout Int) {
        position = stored
    }

    private static func merge(
        _ entity: DesiredEntity, rank: Rank, origins: [String: FieldOrigin], into slot: inout Slot, tracing: Bool
    ) {
        if rank < slot.rank {
            var merged = entity
            absorb(slot.entity, into: &merged)
            var mergedOrigins = origins
            if tracing {
                for (name, origin) in slot.origins where mergedOrigins[name] == nil { mergedOrigins[name] = origin }
            }
            slot = Slot(entity: merged, rank: rank, origins: mergedOrigins)
        } else {
            absorb(entity, into: &slot.entity)
            if tracing { for (name, origin) in origins where slot.origins[name] == nil { slot.origins[name] = origin } }
        }
    }

    /// Adds `other`'s list items and missing fields to `base` (whose single values win).
    static func absorb(_ other: DesiredEntity, into base: inout DesiredEntity) {
        for field in other.fields {
            guard let index = base.fields.firstIndex(where: { $0.name == field.name }) else {
                base.fields.append(field)
                continue
            }
            switch (base.fields[index].value, field.value) {
            case (.strings(let mine), .strings(let theirs)):
                base.fields[index].value = .strings(union(mine, theirs, caseInsensitive: true))
            case (.refs(let mine), .refs(let theirs)):
                base.fields[index].value = .refs(union(mine, theirs))
            default:
                break
            }
        }
        base.match = union(base.match, other.match)
        base.files = union(base.files, other.files)
        base.createMissing = base.createMissing || other.createMissing
        if base.creator == nil { base.creator = other.creator }
    }

    static func union<T: Hashable>(_ a: [T], _ b: [T]) -> [T] {
        if b.isEmpty { return a }
        var seen = Set(a)
        var out = a
        for item in b where seen.insert(item).inserted { out.append(item) }
        return out
    }

    static func union(_ a: [String], _ b: [String], caseInsensitive: Bool) -> [String] {
        if b.isEmpty { return a }
        var seen = Set(a.map { $0.lowercased() })
        var out = a
        for item in b where seen.insert(item.lowercased()).inserted { out.append(item) }
        return out
    }

    func entity(_ address: EntityAddress) -> DesiredEntity? { index[address].map { slots[$0].entity } }
    func origins(_ address: EntityAddress) -> [String: FieldOrigin] { index[address].map { slots[$0].origins } ?? [:] }

    func state() -> DesiredState {
        // Sorting keys, not the entities, keeps large values from being moved around; their integer
        // prefixes settle most comparisons without comparing strings.
        var keys = index.map { SortKey($0.key, position: $0.value) }
        keys.sort()
        var entities = keys.map { slots[$0.position].entity }
        Self.disambiguateNamesakes(&entities)
        return DesiredState(entities: entities, creatorFolders: creatorFolders)
    }

    /// An address with its phase and the first 24 bytes of an ASCII key as big-endian integers:
    /// ordered exactly like `EntityAddress` (for ASCII text, byte order is `String` order; keys
    /// with other characters, or equal prefixes, fall back to comparing the strings).
    struct SortKey: Comparable {
        let address: EntityAddress
        /// Where the builder holds the entity.
        let position: Int
        let phase: Int
        let ascii: Bool
        let prefix: (UInt64, UInt64, UInt64)

        init(_ address: EntityAddress, position: Int = 0) {
            self.address = address
            self.position = position
            phase = address.kind.phase
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            var ascii = true
            for (index, byte) in address.key.utf8.enumerated() {
                if byte >= 0x80 { ascii = false; break }
                guard index < 24 else { continue }
                let shift = UInt64(56 - (index % 8) * 8)
                switch index / 8 {
                case 0: words.0 |= UInt64(byte) << shift
                case 1: words.1 |= UInt64(byte) << shift
                default: words.2 |= UInt64(byte) << shift
                }
            }
            self.ascii = ascii
            prefix = words
        }

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            if lhs.phase != rhs.phase { return lhs.phase < rhs.phase }
            if lhs.ascii, rhs.ascii {
                if lhs.prefix.0 != rhs.prefix.0 { return lhs.prefix.0 < rhs.prefix.0 }
                if lhs.prefix.1 != rhs.prefix.1 { return lhs.prefix.1 < rhs.prefix.1 }
                if lhs.prefix.2 != rhs.prefix.2 { return lhs.prefix.2 < rhs.prefix.2 }
            }
            return lhs.address.key < rhs.address.key
        }

        static func == (lhs: SortKey, rhs: SortKey) -> Bool { lhs.address == rhs.address }
    }

    /// Stash refuses two performers with the same name and disambiguation, so when two accounts
    /// (say two creators both called "Luna") give the same name, every one but the first (creators
    /// before mentions, then by address) is disambiguated by its username.
    static func disambiguateNamesakes(_ entities: inout [DesiredEntity]) {
        func text(_ entity: DesiredEntity, _ field: String) -> String? {
            if case .string(let value)? = entity[field: field]?.value { return value }
            return nil
        }
        let performers = entities.indices.filter {
            entities[$0].address.kind == .performer && entities[$0].address.key.hasPrefix("account.")
                && !entities[$0].address.key.dropFirst("account.".count).contains(".")
        } // not shared-account performers
        .sorted {
            (entities[$0].creator == nil ? 1 : 0, entities[$0].address) < (
                entities[$1].creator == nil ? 1 : 0, entities[$1].address
            )
        }
        var taken = Set<String>()
        for index in performers {
            guard let name = text(entities[index], "name") else { continue }
            let disambiguation = text(entities[index], "disambiguation") ?? ""
            guard !taken.insert("\(name.lowercased())\u{0}\(disambiguation.lowercased())").inserted,
                disambiguation.isEmpty
            else { continue }
            let key = entities[index].address.key.dropFirst("account.".count)
            var username = String(key)
            if case .strings(let aliases)? = entities[index][field: "alias_list"]?.value,
                let alias = aliases.first(where: { $0.lowercased() == key })
            {
                username = alias
            }
            guard taken.insert("\(name.lowercased())\u{0}\(username.lowercased())").inserted else { continue }
            entities[index].fields.append(DesiredField(name: "disambiguation", value: .string(username)))
            entities[index].match = entities[index].match.map { key in
                if case .name(let matched, nil) = key, matched == name { return .name(name, disambiguation: username) }
                return key
            }
        }
    }

    var allOrigins: [EntityAddress: [String: FieldOrigin]] { index.mapValues { slots[$0].origins } }
}
