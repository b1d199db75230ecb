import FanslyMetadata
import Foundation
import MappingRules

/// The bytes of a plan file's change and unmatched lines (Docs/plan-format.md): each entity as one
/// JSON object with keys in byte order, optional properties left out when nil, strings escaped as
/// `JSONEncoder` escapes them (`/` and non-ASCII as they are).
///
/// Hand-written rather than `JSONEncoder` for speed: the encoder (it has no streaming mode and no
/// faster setting) writes 12–30 MB/s here, so the 49.5 MB offline plan of the benchmark database took
/// 1.59 s to encode and the online one (57,303 updates with before/after) several seconds, against
/// plan targets of 3 s and 10 s in total (Docs/performance.md); this encoder appends into one reusable
/// buffer, which `PlanFileWriter` hands on in chunks. `PlanLineDecoder` reads what it writes.
///
/// Each line is written through a pointer into scratch memory (`LineWriter`), then appended to
/// `buffer` in one copy: appending each key and value to the array checked its capacity and
/// uniqueness piece by piece, the most of the encoder's time in a 600,000-media online plan.
/// Copies of an encoder share that scratch memory: use one encoder at a time.
struct PlanLineEncoder {
    /// The bytes encoded and not yet taken.
    private(set) var buffer: [UInt8] = []
    private let scratch = LineScratch()

    init(capacity: Int) { buffer.reserveCapacity(capacity) }

    /// Forgets the buffered bytes, keeping the memory.
    mutating func removeAll() { buffer.removeAll(keepingCapacity: true) }

    /// Appends `bytes` as they are (a header or trailer line, a newline).
    mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// `{"change":{…}}`.
    mutating func line(_ change: PlannedChange) {
        var out = scratch.writer()
        out.raw("{\"change\":"); out.write(change); out.raw("}")
        take(out)
    }

    /// `{"unmatched":{…}}`.
    mutating func line(_ item: UnmatchedMedia) {
        var out = scratch.writer()
        out.raw("{\"unmatched\":"); out.write(item); out.raw("}")
        take(out)
    }

    private mutating func take(_ out: LineWriter) {
        scratch.keep(out)
        buffer.append(contentsOf: UnsafeBufferPointer(start: out.base, count: out.count))
    }
}

/// The memory lines are written into before they are appended to an encoder's buffer.
private final class LineScratch {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init() {
        capacity = 16 * 1024
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// A writer at the start of the scratch memory.
    func writer() -> LineWriter { LineWriter(base: base, capacity: capacity) }

    /// Keeps the memory `out` wrote into (it may have grown it).
    func keep(_ out: LineWriter) {
        base = out.base
        capacity = out.capacity
    }
}

/// Writes one line's bytes through a pointer (keys in byte order), growing the memory as needed.
/// A value on the stack: the encoder's hot path checks no exclusivity and no uniqueness.
private struct LineWriter {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base; self.capacity = capacity
    }

    // MARK: - Entities

    mutating func write(_ change: PlannedChange) {
        raw("{\"action\":"); string(change.action.rawValue)
        raw(",\"address\":"); address(change.address)
        if let creator = change.creator { raw(",\"creator\":"); string(creator) }
        if let detail = change.detail { raw(",\"detail\":"); string(detail) }
        raw(",\"drift\":[")
        // Read in place: iterating would copy each item (its strings' reference counts).
        change.drift.withUnsafeBufferPointer { drift in
            for index in drift.indices {
                if index > 0 { byte(UInt8(ascii: ",")) }
                raw("{\"current\":"); string(drift[index].current)
                raw(",\"field\":"); string(drift[index].field)
                raw(",\"written\":"); string(drift[index].written); raw("}")
            }
        }
        raw("],\"fields\":[")
        change.fields.withUnsafeBufferPointer { fields in
            for index in fields.indices {
                if index > 0 { byte(UInt8(ascii: ",")) }
                raw("{\"after\":"); write(fields[index].after)
                raw(",\"before\":"); write(fields[index].before)
                raw(",\"field\":"); string(fields[index].field)
                raw(",\"operation\":"); string(fields[index].operation.rawValue); raw("}")
            }
        }
        raw("],\"match\":[")
        change.match.withUnsafeBufferPointer { match in
            for index in match.indices {
                if index > 0 { byte(UInt8(ascii: ",")) }
                write(match[index])
            }
        }
        raw("]")
        if let reason = change.reason { raw(",\"reason\":"); string(reason.rawValue) }
        raw(",\"source\":"); string(change.source)
        if let stashId = change.stashId { raw(",\"stash_id\":"); string(stashId) }
        raw("}")
    }

    mutating func write(_ value: FieldValue) {
        switch value {
        case .null: raw("null")
        case .string(let text): raw("{\"string\":"); string(text); raw("}")
        case .int(let number): raw("{\"int\":"); integer(Int64(number)); raw("}")
        case .bool(let flag): raw(flag ? "{\"bool\":true}" : "{\"bool\":false}")
        case .date(let text): raw("{\"date\":"); string(text); raw("}")
        case .strings(let items): raw("{\"strings\":"); strings(items); raw("}")
        case .ref(let ref): raw("{\"ref\":"); write(ref); raw("}")
        case .refs(let refs):
            raw("{\"refs\":[")
            refs.withUnsafeBufferPointer { refs in
                for index in refs.indices {
                    if index > 0 { byte(UInt8(ascii: ",")) }
                    write(refs[index])
                }
            }
            raw("]}")
        }
    }

    mutating func write(_ ref: StashRef) {
        var separator = false
        byte(UInt8(ascii: "{"))
        if let address = ref.address { raw("\"address\":"); self.address(address); separator = true }
        if let id = ref.id { raw(separator ? ",\"id\":" : "\"id\":"); string(id); separator = true }
        if let label = ref.label { raw(separator ? ",\"label\":" : "\"label\":"); string(label) }
        byte(UInt8(ascii: "}"))
    }

    mutating func write(_ key: MatchKey) {
        switch key {
        case .name(let name, let disambiguation):
            byte(UInt8(ascii: "{"))
            if let disambiguation { raw("\"disambiguation\":"); string(disambiguation); byte(UInt8(ascii: ",")) }
            raw("\"name\":"); string(name); byte(UInt8(ascii: "}"))
        case .url(let url): raw("{\"url\":"); string(url); byte(UInt8(ascii: "}"))
        case .code(let code): raw("{\"code\":"); string(code); byte(UInt8(ascii: "}"))
        case .fileMediaId(let id): raw("{\"file_media_id\":"); integer(id); byte(UInt8(ascii: "}"))
        case .stashIdHint(let hint): raw("{\"stash_id_hint\":"); string(hint); byte(UInt8(ascii: "}"))
        }
    }

    mutating func write(_ item: UnmatchedMedia) {
        raw("{\"address\":"); address(item.address)
        if let creator = item.creator { raw(",\"creator\":"); string(creator) }
        raw(",\"file_media_id\":"); integer(item.fileMediaId)
        raw(",\"looked_for\":"); strings(item.lookedFor)
        raw(",\"reason\":"); string(item.reason)
        if let paths = item.stashPaths { raw(",\"stash_paths\":"); strings(paths) }
        byte(UInt8(ascii: "}"))
    }

    // MARK: - Scalars

    private mutating func address(_ address: EntityAddress) {
        byte(UInt8(ascii: "\""))
        escaped(address.kind.rawValue)
        byte(UInt8(ascii: "."))
        escaped(address.key)
        byte(UInt8(ascii: "\""))
    }

    private mutating func strings(_ items: [String]) {
        byte(UInt8(ascii: "["))
        items.withUnsafeBufferPointer { items in
            for index in items.indices {
                if index > 0 { byte(UInt8(ascii: ",")) }
                string(items[index])
            }
        }
        byte(UInt8(ascii: "]"))
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func byte(_ value: UInt8) {
        reserve(1)
        base[count] = value
        count += 1
    }

    private mutating func copy(_ start: UnsafePointer<UInt8>, _ length: Int) {
        reserve(length)
        (base + count).update(from: start, count: length)
        count += length
    }

    mutating func raw(_ text: StaticString) {
        // A one-character literal may be stored as a scalar, not as bytes: read it either way.
        text.withUTF8Buffer { copy($0.baseAddress!, $0.count) }
    }

    private mutating func integer(_ value: Int64) {
        // Digits from the right (Int64.min has 19 digits and a sign).
        reserve(20)
        var digits = 0
        var magnitude = value.magnitude
        repeat {
            digits += 1
            magnitude /= 10
        } while magnitude > 0
        if value < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        magnitude = value.magnitude
        var position = count + digits
        count = position
        repeat {
            position -= 1
            base[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }

    /// A JSON string: `"` and `\` escaped, `\b \t \n \f \r` in short form, other control characters
    /// as `\u00xx`, everything else (`/`, DEL, non-ASCII) as its UTF-8 bytes, as `JSONEncoder` does.
    private mutating func string(_ text: String) {
        byte(UInt8(ascii: "\""))
        escaped(text)
        byte(UInt8(ascii: "\""))
    }

    private mutating func escaped(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { escapedBytes($0) }
        if done == nil {
            var text = text
            text.withUTF8 { escapedBytes($0) }
        }
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The bit 7 of each byte of `word` that is a control character, `"` or `\` (the lowest set one
    /// is exact; those above it may not be): eight bytes tested at once.
    @inline(__always)
    private static func special(_ word: UInt64) -> UInt64 {
        let control = (word &- 0x20 &* ones) & ~word
        let quote = word ^ (UInt64(UInt8(ascii: "\"")) &* ones)
        let backslash = word ^ (UInt64(UInt8(ascii: "\\")) &* ones)
        return (control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & highBits
    }

    @inline(__always)
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func escapedBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        let length = bytes.count
        var start = 0
        var index = 0
        while index < length {
            // The next byte to escape, eight bytes at a time while eight are left.
            var found = -1
            while index + 8 <= length {
                let word = UInt64(littleEndian: UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self))
                let mask = Self.special(word)
                if mask != 0 {
                    found = index + mask.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            if found < 0 {
                while index < length && !Self.isSpecial(source[index]) { index += 1 }
                guard index < length else { break }
                found = index
            }
            if start < found { copy(source + start, found - start) }
            escape(source[found])
            index = found + 1
            start = index
        }
        if start < length { copy(source + start, length - start) }
    }

    private mutating func escape(_ byte: UInt8) {
        reserve(6)
        base[count] = UInt8(ascii: "\\")
        count += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): base[count] = byte; count += 1
        case 0x08: base[count] = UInt8(ascii: "b"); count += 1
        case 0x09: base[count] = UInt8(ascii: "t"); count += 1
        case 0x0A: base[count] = UInt8(ascii: "n"); count += 1
        case 0x0C: base[count] = UInt8(ascii: "f"); count += 1
        case 0x0D: base[count] = UInt8(ascii: "r"); count += 1
        default:
            let hex: StaticString = "0123456789abcdef"
            base[count] = UInt8(ascii: "u")
            base[count + 1] = UInt8(ascii: "0")
            base[count + 2] = UInt8(ascii: "0")
            base[count + 3] = hex.utf8Start[Int(byte >> 4)]
            base[count + 4] = hex.utf8Start[Int(byte & 0xF)]
            count += 5
        }
    }
}
