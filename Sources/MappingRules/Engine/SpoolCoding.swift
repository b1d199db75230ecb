import Foundation

/// The binary form of desired entities in a `ContributionSpool`: written and read back by the same
/// run, so it needs no version and no compatibility, only speed and exactness (every value comes back
/// equal, strings byte for byte, doubles bit for bit).
///
/// Integers are LEB128 varints (signed ones zigzag), Fansly ids and doubles 8 bytes little-endian.
/// Strings that repeat across entities (field names, creators, folders, the keys of tags, studios
/// and performers referred to) are written once and then by number (`internedString`); the rest are
/// a length and their UTF-8 bytes.
package struct SpoolEncoder {
    package private(set) var bytes: [UInt8] = []
    private var interned: [String: Int] = [:]

    package init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Forgets the bytes written (after they were flushed); the interned strings stay known.
    mutating func removeBytes() { bytes.removeAll(keepingCapacity: true) }

    package mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Four bytes `patchLength(at:)` fills in once the record is written.
    mutating func lengthPlaceholder() { bytes.append(contentsOf: [0, 0, 0, 0]) }

    /// Writes, little-endian, the length of what follows the placeholder at `start`.
    mutating func patchLength(at start: Int) {
        let length = UInt32(bytes.count - start - 4)
        for index in 0..<4 { bytes[start + index] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(index))) }
    }

    package mutating func unsigned(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fixed(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func string(_ value: String) {
        if let done: Void = value.utf8.withContiguousStorageIfAvailable({ utf8 in
            unsigned(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }) {
            return done
        }
        let utf8 = Array(value.utf8)
        unsigned(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func optionalString(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        string(value)
    }

    /// 0 and the text the first time, the string's number + 1 after that.
    mutating func internedString(_ value: String) {
        if let number = interned[value] { return unsigned(UInt64(number + 1)) }
        interned[value] = interned.count
        unsigned(0)
        string(value)
    }

    mutating func optionalInternedString(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        internedString(value)
    }

    // MARK: Entities

    mutating func rank(_ rank: Rank) {
        signed(Int64(rank.tier))
        fixed(rank.time.bitPattern)
        fixed(UInt64(bitPattern: rank.id))
    }

    /// An address; the keys of tags, studios and performers interned (few, and referred to by many).
    mutating func address(_ address: EntityAddress) {
        byte(UInt8(address.kind.phase))
        if GroupRouter.isShared(address.kind) { internedString(address.key) } else { string(address.key) }
    }

    mutating func entity(_ entity: DesiredEntity) {
        address(entity.address)
        unsigned(UInt64(entity.fields.count))
        for field in entity.fields {
            internedString(field.name)
            value(field.value)
            byte(Self.strategies.firstIndex(of: field.strategy).map(UInt8.init) ?? 0)
        }
        unsigned(UInt64(entity.match.count))
        for key in entity.match { match(key) }
        byte((entity.createMissing ? 1 : 0) | (entity.respectOrganized ? 2 : 0))
        optionalInternedString(entity.creator)
        unsigned(UInt64(entity.files.count))
        for file in entity.files {
            fixed(UInt64(bitPattern: file.fileMediaId))
            byte(file.isPreview ? 1 : 0)
            optionalString(file.basename)
            unsigned(UInt64(file.folders.count))
            for folder in file.folders { internedString(folder) }
        }
        string(entity.source)
    }

    static let strategies = FieldStrategy.allCases

    package mutating func value(_ value: FieldValue) {
        switch value {
        case .null: byte(0)
        case .string(let text): byte(1); string(text)
        case .int(let number): byte(2); signed(Int64(number))
        case .bool(let flag): byte(3); byte(flag ? 1 : 0)
        case .date(let text): byte(4); string(text)
        case .strings(let texts):
            byte(5)
            unsigned(UInt64(texts.count))
            for text in texts { string(text) }
        case .ref(let reference): byte(6); stashRef(reference)
        case .refs(let references):
            byte(7)
            unsigned(UInt64(references.count))
            for reference in references { stashRef(reference) }
        }
    }

    private mutating func stashRef(_ reference: StashRef) {
        byte((reference.id == nil ? 0 : 1) | (reference.address == nil ? 0 : 2) | (reference.label == nil ? 0 : 4))
        if let id = reference.id { string(id) }
        if let address = reference.address { self.address(address) }
        if let label = reference.label { string(label) }
    }

    private mutating func match(_ key: MatchKey) {
        switch key {
        case .name(let name, let disambiguation):
            byte(0)
            string(name)
            optionalString(disambiguation)
        case .url(let url): byte(1); string(url)
        case .code(let code): byte(2); string(code)
        case .fileMediaId(let id): byte(3); fixed(UInt64(bitPattern: id))
        case .stashIdHint(let hint): byte(4); string(hint)
        }
    }
}

/// Reads what `SpoolEncoder` wrote, one record's bytes at a time; the interned strings of the
/// records read so far are kept (`Strings`), as the encoder numbered them.
package struct SpoolDecoder {
    /// The interned strings, in the order they were first written.
    package final class Strings {
        var list: [String] = []
        package init() {}
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private let strings: Strings

    package init(_ bytes: UnsafeRawBufferPointer, strings: Strings) {
        self.bytes = bytes
        self.strings = strings
    }

    package var isAtEnd: Bool { position == bytes.count }

    package mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw ContributionSpool.SpoolError.corrupt }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func unsigned() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw ContributionSpool.SpoolError.corrupt }
            value |= UInt64(next & 0x7F) << shift
            if next < 0x80 { return value }
            shift += 7
        }
    }

    mutating func signed() throws -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    package mutating func count() throws -> Int {
        let value = try unsigned()
        // Each element takes a byte at least: a larger count is a damaged record.
        guard value <= UInt64(bytes.count - position) else { throw ContributionSpool.SpoolError.corrupt }
        return Int(value)
    }

    mutating func fixed() throws -> UInt64 {
        guard bytes.count - position >= 8 else { throw ContributionSpool.SpoolError.corrupt }
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<position + 8]))
        }
        position += 8
        return UInt64(littleEndian: value)
    }

    package mutating func string() throws -> String {
        let length = try count()
        defer { position += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + length]), as: UTF8.self)
    }

    mutating func optionalString() throws -> String? { try byte() == 0 ? nil : try string() }

    mutating func internedString() throws -> String {
        let number = try unsigned()
        if number == 0 {
            let text = try string()
            strings.list.append(text)
            return text
        }
        guard number <= UInt64(strings.list.count) else { throw ContributionSpool.SpoolError.corrupt }
        return strings.list[Int(number - 1)]
    }

    mutating func optionalInternedString() throws -> String? { try byte() == 0 ? nil : try internedString() }

    // MARK: Entities

    mutating func rank() throws -> Rank {
        let tier = try signed()
        let time = Double(bitPattern: try fixed())
        let id = Int64(bitPattern: try fixed())
        return Rank(tier: Int(tier), time: time, id: id)
    }

    mutating func address() throws -> EntityAddress {
        let phase = Int(try byte())
        guard phase < EntityKind.allCases.count else { throw ContributionSpool.SpoolError.corrupt }
        let kind = EntityKind.allCases[phase]
        return EntityAddress(kind: kind, key: GroupRouter.isShared(kind) ? try internedString() : try string())
    }

    mutating func entity() throws -> DesiredEntity {
        let address = try address()
        let fieldCount = try count()
        var fields: [DesiredField] = []
        fields.reserveCapacity(fieldCount)
        for _ in 0..<fieldCount {
            let name = try internedString()
            let value = try value()
            let strategy = Int(try byte())
            guard strategy < SpoolEncoder.strategies.count else { throw ContributionSpool.SpoolError.corrupt }
            fields.append(DesiredField(name: name, value: value, strategy: SpoolEncoder.strategies[strategy]))
        }
        let matchCount = try count()
        var match: [MatchKey] = []
        match.reserveCapacity(matchCount)
        for _ in 0..<matchCount { match.append(try self.match()) }
        let flags = try byte()
        let creator = try optionalInternedString()
        let fileCount = try count()
        var files: [ExpectedFile] = []
        files.reserveCapacity(fileCount)
        for _ in 0..<fileCount {
            let id = Int64(bitPattern: try fixed())
            let isPreview = try byte() != 0
            let basename = try optionalString()
            let folderCount = try count()
            var folders: [String] = []
            folders.reserveCapacity(folderCount)
            for _ in 0..<folderCount { folders.append(try internedString()) }
            files.append(ExpectedFile(fileMediaId: id, isPreview: isPreview, basename: basename, folders: folders))
        }
        return DesiredEntity(
            address: address, fields: fields, match: match, createMissing: flags & 1 != 0,
            respectOrganized: flags & 2 != 0, creator: creator, files: files, source: try string())
    }

    package mutating func value() throws -> FieldValue {
        switch try byte() {
        case 0: return .null
        case 1: return .string(try string())
        case 2: return .int(Int(try signed()))
        case 3: return .bool(try byte() != 0)
        case 4: return .date(try string())
        case 5:
            let count = try count()
            var texts: [String] = []
            texts.reserveCapacity(count)
            for _ in 0..<count { texts.append(try string()) }
            return .strings(texts)
        case 6: return .ref(try stashRef())
        case 7:
            let count = try count()
            var references: [StashRef] = []
            references.reserveCapacity(count)
            for _ in 0..<count { references.append(try stashRef()) }
            return .refs(references)
        default: throw ContributionSpool.SpoolError.corrupt
        }
    }

    private mutating func stashRef() throws -> StashRef {
        let flags = try byte()
        let id = flags & 1 != 0 ? try string() : nil
        let address = flags & 2 != 0 ? try address() : nil
        let label = flags & 4 != 0 ? try string() : nil
        return StashRef(id: id, address: address, label: label)
    }

    private mutating func match() throws -> MatchKey {
        switch try byte() {
        case 0:
            let name = try string()
            return .name(name, disambiguation: try optionalString())
        case 1: return .url(try string())
        case 2: return .code(try string())
        case 3: return .fileMediaId(Int64(bitPattern: try fixed()))
        case 4: return .stashIdHint(try string())
        default: throw ContributionSpool.SpoolError.corrupt
        }
    }
}
