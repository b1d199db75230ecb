import MappingRules

/// The position of each entity of a plan by its address, as `[EntityAddress: Int]` would give it
/// (the first of repeated addresses), looked up faster.
///
/// The planner looks an address up for every reference, gallery member and claim: with a
/// dictionary, each lookup ran Swift's `Hasher` (SipHash) over the key and copied the stored key
/// to compare it, most of the cost of resolving references. Here ASCII keys, nearly all of them,
/// go to an open-addressing table of positions hashed with a multiply-and-shift over the key's
/// bytes; the table holds no addresses, it reads them from the entities it was built from. Keys
/// with other characters keep a dictionary: Swift compares strings by canonical equivalence
/// (`"e\u{301}" == "é"`), which their bytes do not tell.
struct AddressIndex {
    private let entities: [DesiredEntity]
    /// Per slot: the position + 1 in the low 32 bits (0: empty), the hash's high 32 bits above.
    private let slots: [UInt64]
    private let mask: Int
    /// Entities whose key is not ASCII, by address.
    private let others: [EntityAddress: Int]
    /// Whether a key in `others` may equal an ASCII key (one holding a character whose canonical
    /// form is ASCII: the Kelvin sign is `K`).
    private let othersMayBeASCII: Bool

    /// The positions of `entities`' addresses.
    init(_ entities: [DesiredEntity]) {
        self.entities = entities
        precondition(entities.count < Int(UInt32.max), "more entities than a plan holds")
        var capacity = 16
        while capacity < entities.count * 2 { capacity *= 2 }
        let mask = capacity - 1
        self.mask = mask
        var slots = [UInt64](repeating: 0, count: capacity)
        var others: [EntityAddress: Int] = [:]
        var othersMayBeASCII = false
        entities.withUnsafeBufferPointer { entities in
            slots.withUnsafeMutableBufferPointer { slots in
                for position in entities.indices {
                    let address = entities[position].address
                    guard let hash = Self.asciiHash(address) else {
                        // Backwards would be wrong here: the first entity of an address keeps it.
                        if others[address] == nil { others[address] = position }
                        othersMayBeASCII = othersMayBeASCII || Self.mayEqualASCII(address.key)
                        continue
                    }
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while slots[slot] != 0 {
                        if slots[slot] >> 32 == hash >> 32,
                            entities[Int(truncatingIfNeeded: slots[slot] & 0xFFFF_FFFF) - 1].address == address
                        {
                            break
                        }
                        slot = (slot + 1) & mask
                    }
                    if slots[slot] == 0 { slots[slot] = (hash >> 32) << 32 | UInt64(position + 1) }
                }
            }
        }
        self.slots = slots
        self.others = others
        self.othersMayBeASCII = othersMayBeASCII
    }

    /// The position of the first entity at `address`, nil when none is.
    subscript(address: EntityAddress) -> Int? {
        guard let hash = Self.asciiHash(address) else {
            let other = others[address]
            // Equal to an ASCII key only through those characters, which then read as their ASCII forms.
            guard Self.mayEqualASCII(address.key), let hash = Self.asciiHash(Self.asciiForm(address)) else {
                return other
            }
            return Self.earlier(ascii(Self.asciiForm(address), hash), other)
        }
        let found = ascii(address, hash)
        return othersMayBeASCII ? Self.earlier(found, others[address]) : found
    }

    private static func earlier(_ lhs: Int?, _ rhs: Int?) -> Int? {
        guard let lhs, let rhs else { return lhs ?? rhs }
        return min(lhs, rhs)
    }

    /// The position of the entity whose ASCII key is `address`'s, hashed `hash`.
    private func ascii(_ address: EntityAddress, _ hash: UInt64) -> Int? {
        entities.withUnsafeBufferPointer { entities in
            slots.withUnsafeBufferPointer { slots in
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] != 0 {
                    let position = Int(truncatingIfNeeded: slots[slot] & 0xFFFF_FFFF) - 1
                    if slots[slot] >> 32 == hash >> 32, entities[position].address == address { return position }
                    slot = (slot + 1) & mask
                }
                return nil
            }
        }
    }

    private static let seed = UInt64.random(in: .min ... .max)

    /// A hash of the kind and the key's bytes, or nil when the key is not ASCII.
    private static func asciiHash(_ address: EntityAddress) -> UInt64? {
        let start = seed ^ UInt64(address.kind.phase)
        if let hash = address.key.utf8.withContiguousStorageIfAvailable({ hash($0, start) }) { return hash }
        var key = address.key
        return key.withUTF8 { hash($0, start) }
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ start: UInt64) -> UInt64? {
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var hash = start
        var ascii: UInt64 = 0
        var tail: UInt64 = 0
        let count = bytes.count
        if let base = bytes.baseAddress {
            var index = 0
            while index + 8 <= count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                ascii |= word
                hash = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
                hash ^= hash >> 32
                index += 8
            }
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(base[index]) << shift
                shift += 8
                index += 1
            }
            ascii |= tail
        }
        // The length and the last bytes, whether or not the key has storage (an empty one may not).
        hash = (hash ^ tail ^ UInt64(count) << 56) &* 0x9E37_79B9_7F4A_7C15
        guard ascii & highBits == 0 else { return nil }
        // The finishing mix of MurmurHash3: every bit of the key reaches the slot's bits and the tag's.
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }

    /// Whether `key`, not ASCII, may be canonically equivalent to an ASCII string: when each of its
    /// characters is ASCII or one of the three whose canonical decomposition is ASCII (KELVIN SIGN
    /// to `K`, GREEK QUESTION MARK to `;`, GREEK VARIA to the grave accent).
    private static func mayEqualASCII(_ key: String) -> Bool {
        key.unicodeScalars.allSatisfy { $0.isASCII || asciiForm($0) != nil }
    }

    private static func asciiForm(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar {
        case "\u{212A}": return "K"
        case "\u{037E}": return ";"
        case "\u{1FEF}": return "`"
        default: return nil
        }
    }

    /// `address` with those characters as their ASCII forms.
    private static func asciiForm(_ address: EntityAddress) -> EntityAddress {
        var key = String.UnicodeScalarView()
        for scalar in address.key.unicodeScalars { key.append(asciiForm(scalar) ?? scalar) }
        return EntityAddress(kind: address.kind, key: String(key))
    }
}
