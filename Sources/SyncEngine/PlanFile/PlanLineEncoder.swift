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
struct PlanLineEncoder {
    /// The bytes encoded and not yet taken.
    private(set) var buffer: [UInt8] = []

    init(capacity: Int) { buffer.reserveCapacity(capacity) }

    /// Forgets the buffered bytes, keeping the memory.
    mutating func removeAll() { buffer.removeAll(keepingCapacity: true) }

    /// Appends `bytes` as they are (a header or trailer line, a newline).
    mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// `{"change":{…}}`.
    mutating func line(_ change: PlannedChange) {
        raw("{\"change\":"); write(change); raw("}")
    }

    /// `{"unmatched":{…}}`.
    mutating func line(_ item: UnmatchedMedia) {
        raw("{\"unmatched\":"); write(item); raw("}")
    }

    // MARK: - Entities (keys in byte order)

    private mutating func write(_ change: PlannedChange) {
        raw("{\"action\":"); string(change.action.rawValue)
        raw(",\"address\":"); address(change.address)
        if let creator = change.creator { raw(",\"creator\":"); string(creator) }
        if let detail = change.detail { raw(",\"detail\":"); string(detail) }
        raw(",\"drift\":[")
        for (index, drift) in change.drift.enumerated() {
            if index > 0 { raw(",") }
            raw("{\"current\":"); string(drift.current)
            raw(",\"field\":"); string(drift.field)
            raw(",\"written\":"); string(drift.written); raw("}")
        }
        raw("],\"fields\":[")
        for (index, field) in change.fields.enumerated() {
            if index > 0 { raw(",") }
            raw("{\"after\":"); write(field.after)
            raw(",\"before\":"); write(field.before)
            raw(",\"field\":"); string(field.field)
            raw(",\"operation\":"); string(field.operation.rawValue); raw("}")
        }
        raw("],\"match\":[")
        for (index, key) in change.match.enumerated() {
            if index > 0 { raw(",") }
            write(key)
        }
        raw("]")
        if let reason = change.reason { raw(",\"reason\":"); string(reason.rawValue) }
        raw(",\"source\":"); string(change.source)
        if let stashId = change.stashId { raw(",\"stash_id\":"); string(stashId) }
        raw("}")
    }

    private mutating func write(_ value: FieldValue) {
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
            for (index, ref) in refs.enumerated() {
                if index > 0 { raw(",") }
                write(ref)
            }
            raw("]}")
        }
    }

    private mutating func write(_ ref: StashRef) {
        var separator = false
        raw("{")
        if let address = ref.address { raw("\"address\":"); self.address(address); separator = true }
        if let id = ref.id { raw(separator ? ",\"id\":" : "\"id\":"); string(id); separator = true }
        if let label = ref.label { raw(separator ? ",\"label\":" : "\"label\":"); string(label) }
        raw("}")
    }

    private mutating func write(_ key: MatchKey) {
        switch key {
        case .name(let name, let disambiguation):
            raw("{")
            if let disambiguation { raw("\"disambiguation\":"); string(disambiguation); raw(",") }
            raw("\"name\":"); string(name); raw("}")
        case .url(let url): raw("{\"url\":"); string(url); raw("}")
        case .code(let code): raw("{\"code\":"); string(code); raw("}")
        case .fileMediaId(let id): raw("{\"file_media_id\":"); integer(id); raw("}")
        case .stashIdHint(let hint): raw("{\"stash_id_hint\":"); string(hint); raw("}")
        }
    }

    private mutating func write(_ item: UnmatchedMedia) {
        raw("{\"address\":"); address(item.address)
        if let creator = item.creator { raw(",\"creator\":"); string(creator) }
        raw(",\"file_media_id\":"); integer(item.fileMediaId)
        raw(",\"looked_for\":"); strings(item.lookedFor)
        raw(",\"reason\":"); string(item.reason)
        if let paths = item.stashPaths { raw(",\"stash_paths\":"); strings(paths) }
        raw("}")
    }

    // MARK: - Scalars

    private mutating func address(_ address: EntityAddress) {
        buffer.append(UInt8(ascii: "\""))
        escaped(address.kind.rawValue)
        buffer.append(UInt8(ascii: "."))
        escaped(address.key)
        buffer.append(UInt8(ascii: "\""))
    }

    private mutating func strings(_ items: [String]) {
        buffer.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            string(item)
        }
        buffer.append(UInt8(ascii: "]"))
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    private mutating func integer(_ value: Int64) {
        if value == 0 { buffer.append(UInt8(ascii: "0")); return }
        // Digits from the right into a 20-byte scratch (Int64.min has 19 digits and a sign).
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var magnitude = value.magnitude
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            while magnitude > 0 {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if value < 0 { position -= 1; scratch[position] = UInt8(ascii: "-") }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[position...]))
        }
    }

    /// A JSON string: `"` and `\` escaped, `\b \t \n \f \r` in short form, other control characters
    /// as `\u00xx`, everything else (`/`, DEL, non-ASCII) as its UTF-8 bytes, as `JSONEncoder` does.
    private mutating func string(_ text: String) {
        buffer.append(UInt8(ascii: "\""))
        escaped(text)
        buffer.append(UInt8(ascii: "\""))
    }

    private mutating func escaped(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < index { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
                start = index + 1
                buffer.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer.append(byte)
                case 0x08: buffer.append(UInt8(ascii: "b"))
                case 0x09: buffer.append(UInt8(ascii: "t"))
                case 0x0A: buffer.append(UInt8(ascii: "n"))
                case 0x0C: buffer.append(UInt8(ascii: "f"))
                case 0x0D: buffer.append(UInt8(ascii: "r"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    buffer.append(contentsOf: [
                        UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)],
                    ])
                }
            }
            if start < bytes.count { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
    }
}
