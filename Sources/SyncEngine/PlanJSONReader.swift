import FanslyMetadata
import Foundation
import MappingRules

/// Decodes one change of a plan document (one line of it) from its UTF-8 bytes, into what
/// `JSONDecoder` would make of it.
///
/// Hand-written rather than `JSONDecoder` for speed: the decoder reads plan changes at about
/// 20 MB/s (5 s of CPU for the 100 MB plan of the benchmark database), and `apply` reads every
/// change twice (checking all of them before anything is sent, then one phase at a time). This
/// parser accepts the plain JSON the plan writer produces, and any other well-formed change with
/// keys in any order, whitespace and escapes; anything it is unsure of (a type mismatch, a missing
/// key, invalid UTF-8, numbers with fractions…) makes it return nil, and the caller decodes that
/// line with `JSONDecoder`, which then gives the same result or the same error as before.
struct PlanJSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private struct Unsure: Error {}

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The change in `bytes`, or nil when only `JSONDecoder` can tell (including every error).
    static func change(in bytes: UnsafeBufferPointer<UInt8>) -> PlannedChange? {
        var reader = PlanJSONReader(bytes)
        guard let change = try? reader.change() else { return nil }
        reader.skipWhitespace()
        return reader.position == bytes.count ? change : nil
    }

    /// `change(in:)` for `Data`.
    static func change(in data: Data) -> PlannedChange? {
        data.withUnsafeBytes { change(in: $0.bindMemory(to: UInt8.self)) }
    }

    // MARK: - Plan types

    private mutating func change() throws -> PlannedChange {
        var address: EntityAddress?, action: ChangeAction?, reason: SkipReason?, detail: String?, stashId: String?
        var fields: [FieldChange]?, drift: [FieldDrift]?, match: [MatchKey]?, creator: String?, source: String?
        try object { reader, key in
            switch key {
            case "address": address = try reader.address()
            case "action": action = try reader.enumeration(ChangeAction.self)
            case "reason": if !reader.isNull() { reason = try reader.enumeration(SkipReason.self) }
            case "detail": detail = try reader.optionalString()
            case "stash_id": stashId = try reader.optionalString()
            case "fields": fields = try reader.array { try $0.fieldChange() }
            case "drift": drift = try reader.array { try $0.fieldDrift() }
            case "match": match = try reader.array { try $0.matchKey() }
            case "creator": creator = try reader.optionalString()
            case "source": source = try reader.string()
            default: try reader.skipValue()
            }
        }
        guard let address, let action, let fields, let drift, let match, let source else { throw Unsure() }
        return PlannedChange(address: address, action: action, reason: reason, detail: detail, stashId: stashId,
                             fields: fields, drift: drift, match: match, creator: creator, source: source)
    }

    private mutating func fieldChange() throws -> FieldChange {
        var field: String?, before: FieldValue?, after: FieldValue?, operation: FieldOperation?
        try object { reader, key in
            switch key {
            case "field": field = try reader.string()
            case "before": before = try reader.planValue()
            case "after": after = try reader.planValue()
            case "operation": operation = try reader.enumeration(FieldOperation.self)
            default: try reader.skipValue()
            }
        }
        guard let field, let before, let after, let operation else { throw Unsure() }
        return FieldChange(field: field, before: before, after: after, operation: operation)
    }

    private mutating func fieldDrift() throws -> FieldDrift {
        var field: String?, written: String?, current: String?
        try object { reader, key in
            switch key {
            case "field": field = try reader.string()
            case "written": written = try reader.string()
            case "current": current = try reader.string()
            default: try reader.skipValue()
            }
        }
        guard let field, let written, let current else { throw Unsure() }
        return FieldDrift(field: field, written: written, current: current)
    }

    /// One of the tagged forms; extra keys and anything unusual are left to `JSONDecoder`.
    private mutating func planValue() throws -> FieldValue {
        if isNull() { return .null }
        var value: FieldValue?
        try object { reader, key in
            guard value == nil else { throw Unsure() }
            switch key {
            case "string": value = .string(try reader.string())
            case "int": value = .int(Int(try reader.integer()))
            case "bool": value = .bool(try reader.bool())
            case "date": value = .date(try reader.string())
            case "strings": value = .strings(try reader.array { try $0.string() })
            case "ref": value = .ref(try reader.stashRef())
            case "refs": value = .refs(try reader.array { try $0.stashRef() })
            default: throw Unsure()
            }
        }
        guard let value else { throw Unsure() }
        return value
    }

    private mutating func stashRef() throws -> StashRef {
        var ref = StashRef()
        try object { reader, key in
            switch key {
            case "id": ref.id = try reader.optionalString()
            case "address": ref.address = reader.isNull() ? nil : try reader.address()
            case "label": ref.label = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        return ref
    }

    private mutating func matchKey() throws -> MatchKey {
        var name: String?, disambiguation: String?, url: String?, code: String?, fileMediaId: FanslyID?, hint: String?
        try object { reader, key in
            switch key {
            case "name": name = try reader.optionalString()
            case "disambiguation": disambiguation = try reader.optionalString()
            case "url": url = try reader.optionalString()
            case "code": code = try reader.optionalString()
            case "file_media_id": fileMediaId = reader.isNull() ? nil : try reader.integer()
            case "stash_id_hint": hint = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        // The order `MatchKey.init(from:)` tries them in.
        if let name { return .name(name, disambiguation: disambiguation) }
        if let url { return .url(url) }
        if let code { return .code(code) }
        if let fileMediaId { return .fileMediaId(fileMediaId) }
        if let hint { return .stashIdHint(hint) }
        throw Unsure()
    }

    private mutating func address() throws -> EntityAddress {
        guard let address = EntityAddress(try string()) else { throw Unsure() }
        return address
    }

    private mutating func enumeration<T: RawRepresentable>(_ type: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw Unsure() }
        return value
    }

    // MARK: - JSON

    /// Calls `member` for each key of an object, positioned at its value (which `member` must read).
    /// A repeated key is left to `JSONDecoder`.
    private mutating func object(_ member: (inout PlanJSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return }
        var seen: [String] = []
        while true {
            skipWhitespace()
            let key = try string()
            guard !seen.contains(key) else { throw Unsure() }
            seen.append(key)
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw Unsure()
            }
        }
    }

    private mutating func array<T>(_ element: (inout PlanJSONReader) throws -> T) throws -> [T] {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        var items: [T] = []
        if peek() == UInt8(ascii: "]") { position += 1; return items }
        while true {
            skipWhitespace()
            items.append(try element(&self))
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return items
            default: throw Unsure()
            }
        }
    }

    /// Consumes `null` when it is next.
    private mutating func isNull() -> Bool {
        guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
              bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l") else { return false }
        position += 4
        return true
    }

    private mutating func optionalString() throws -> String? {
        isNull() ? nil : try string()
    }

    private mutating func bool() throws -> Bool {
        if matches("true") { return true }
        if matches("false") { return false }
        throw Unsure()
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
        position += count
        return true
    }

    /// A whole number (no fraction or exponent: those are left to `JSONDecoder`).
    private mutating func integer() throws -> Int64 {
        let negative = peek() == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        var magnitude: UInt64 = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { throw Unsure() }
            magnitude = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { throw Unsure() }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { throw Unsure() }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Unsure() }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Unsure() }
        return Int64(magnitude)
    }

    /// A string: unescaped runs are copied as they are (checked to be UTF-8), escapes decoded.
    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        var plain = true, ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") { plain = false; position += 2; continue }
            if byte < 0x20 { throw Unsure() }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        guard position < bytes.count else { throw Unsure() }
        let end = position
        position += 1
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if plain {
            if ascii { return String(decoding: raw, as: UTF8.self) }
            return try Self.validated(raw)
        }
        return try unescape(raw)
    }

    /// `bytes` as a string when they are valid UTF-8 (`JSONDecoder` refuses anything else).
    private static func validated<Bytes: Collection>(_ bytes: Bytes) throws -> String where Bytes.Element == UInt8 {
        if #available(macOS 15, *) {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw Unsure() }
            return text
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw Unsure() }
        return text
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count else { throw Unsure() }
            var value: UInt32 = 0
            for byte in raw[at..<at + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Unsure()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); index += 1; continue }
            guard index + 1 < raw.count else { throw Unsure() }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A surrogate pair; a lone surrogate is left to JSONDecoder.
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") else { throw Unsure() }
                    let low = try hex4(index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw Unsure() }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Unsure() }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: throw Unsure()
            }
        }
        return try Self.validated(out)
    }

    /// Skips any well-formed value (unknown keys).
    private mutating func skipValue() throws {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"): try object { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["): _ = try array { try $0.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): guard isNull() else { throw Unsure() }
        default: _ = try integer()
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func next() -> UInt8? {
        guard position < bytes.count else { return nil }
        position += 1
        return bytes[position - 1]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard next() == byte else { throw Unsure() }
    }
}
