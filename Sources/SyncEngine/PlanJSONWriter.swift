import FanslyMetadata
import Foundation
import MappingRules

/// Writes the plan document (Docs/plan-format.md) as UTF-8 bytes, byte for byte what `JSONEncoder`
/// with `[.sortedKeys, .withoutEscapingSlashes]` and `.iso8601` dates writes for each entity, laid out
/// one change or unmatched file per line.
///
/// Hand-written rather than `JSONEncoder` for speed: the encoder (it has no streaming mode and no
/// faster setting) writes 12–30 MB/s here, so the 49.5 MB offline plan of the benchmark database took
/// 1.59 s to encode and the online one (57,303 updates with before/after) several seconds, against
/// plan targets of 3 s and 10 s in total; this writer appends into one reusable buffer and hands it
/// to the sink in chunks of `chunkSize` bytes. Keys are written in sorted (byte) order and optional
/// properties are left out when nil, as the synthesized `Encodable` conformances do; `PlanInputs`
/// writes `stash_url` as an explicit `null`. `PlanFile.foundationEncode` keeps the encoder's version,
/// which the tests compare this writer with.
struct PlanJSONWriter {
    /// Bytes handed to the sink at once.
    static let chunkSize = 256 * 1024

    private var buffer: [UInt8] = []
    private let sink: (Data) throws -> Void

    init(sink: @escaping (Data) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.chunkSize + 64 * 1024)
    }

    /// Writes the whole document, in the layout `PlanFile.write` documents, and flushes.
    mutating func write(_ plan: Plan) throws {
        raw("{\n\"changes\": [")
        var checksum = PlanChecksum.Builder()
        for (index, change) in plan.changes.enumerated() {
            raw(index == 0 ? "\n  " : ",\n  ")
            let start = buffer.count
            write(change)
            checksum.add(buffer[start...])
            try flushIfFull()
        }
        raw(plan.changes.isEmpty ? "],\n" : "\n],\n")
        raw("\"changes_checksum\": "); write(checksum.finish()); raw(",\n")
        raw("\"created_at\": "); string(Self.iso8601(plan.createdAt)); raw(",\n")
        raw("\"format_version\": "); integer(Int64(plan.formatVersion)); raw(",\n")
        raw("\"inputs\": "); write(plan.inputs); raw(",\n")
        if !plan.notices.isEmpty {
            // A few short entries at most: the encoder's bytes, as `PlanFile.foundationEncode` writes them.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            raw("\"notices\": "); buffer.append(contentsOf: try encoder.encode(plan.notices)); raw(",\n")
        }
        raw("\"summary\": "); write(plan.summary); raw(",\n")
        raw("\"tool\": "); string(plan.tool); raw(",\n")
        raw("\"unmatched\": [")
        for (index, item) in plan.unmatched.enumerated() {
            raw(index == 0 ? "\n  " : ",\n  ")
            write(item)
            try flushIfFull()
        }
        raw(plan.unmatched.isEmpty ? "]\n}\n" : "\n]\n}\n")
        try flush()
    }

    /// Hands what is buffered to the sink.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func flushIfFull() throws {
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// `JSONEncoder`'s `.iso8601` date form (whole seconds, UTC).
    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    // MARK: - Entities (keys in byte order)

    mutating func write(_ change: PlannedChange) {
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

    /// `{"lines":…,"sha256":…}`.
    mutating func write(_ checksum: PlanChecksum) {
        raw("{\"lines\":"); string(checksum.lines)
        raw(",\"sha256\":"); string(checksum.sha256); raw("}")
    }

    /// One change's bytes, as `write(_:)` lays it out in the document.
    mutating func encoded(_ change: PlannedChange) -> [UInt8] {
        let start = buffer.count
        write(change)
        defer { buffer.removeSubrange(start...) }
        return Array(buffer[start...])
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
            for (index, ref) in refs.enumerated() {
                if index > 0 { raw(",") }
                write(ref)
            }
            raw("]}")
        }
    }

    mutating func write(_ ref: StashRef) {
        var separator = false
        raw("{")
        if let address = ref.address { raw("\"address\":"); self.address(address); separator = true }
        if let id = ref.id { raw(separator ? ",\"id\":" : "\"id\":"); string(id); separator = true }
        if let label = ref.label { raw(separator ? ",\"label\":" : "\"label\":"); string(label) }
        raw("}")
    }

    mutating func write(_ key: MatchKey) {
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

    mutating func write(_ item: UnmatchedMedia) {
        raw("{\"address\":"); address(item.address)
        if let creator = item.creator { raw(",\"creator\":"); string(creator) }
        raw(",\"file_media_id\":"); integer(item.fileMediaId)
        raw(",\"looked_for\":"); strings(item.lookedFor)
        raw(",\"reason\":"); string(item.reason)
        if let paths = item.stashPaths { raw(",\"stash_paths\":"); strings(paths) }
        raw("}")
    }

    mutating func write(_ inputs: PlanInputs) {
        raw("{\"creators\":"); strings(inputs.creators)
        raw(",\"database\":{")
        if let version = inputs.database.alembicVersion { raw("\"alembicVersion\":"); string(version); raw(",") }
        raw("\"fingerprint\":"); string(inputs.database.fingerprint)
        raw(",\"path\":"); string(inputs.database.path)
        raw("},\"rules_files\":"); strings(inputs.rulesFiles)
        raw(",\"rules_hash\":"); string(inputs.rulesHash)
        raw(",\"stash_url\":")
        if let url = inputs.stashURL { string(url) } else { raw("null") }
        raw(",\"targets\":"); strings(inputs.targets); raw("}")
    }

    mutating func write(_ summary: PlanSummary) {
        raw("{\"add\":"); integer(Int64(summary.add))
        raw(",\"change\":"); integer(Int64(summary.change))
        raw(",\"skipped\":"); integer(Int64(summary.skipped))
        raw(",\"unchanged\":"); integer(Int64(summary.unchanged))
        raw(",\"unmatched\":"); integer(Int64(summary.unmatched)); raw("}")
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
                    buffer.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                               hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)]])
                }
            }
            if start < bytes.count { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
    }
}
