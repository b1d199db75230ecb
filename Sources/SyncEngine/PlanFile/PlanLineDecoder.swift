import FanslyMetadata
import Foundation
import MappingRules

/// Reads a plan file's change and unmatched lines (what `PlanLineEncoder` writes) from their UTF-8
/// bytes. Well-formed JSON with keys in any order, whitespace, escapes and unknown keys is read; a
/// line that is not a change (or not an unmatched file) throws `Malformed`, saying what was
/// expected where.
///
/// Hand-written rather than `JSONDecoder` for speed: the decoder reads plan changes at about
/// 20 MB/s (5 s of CPU for the 100 MB plan of the benchmark database), and `apply` reads every
/// change twice (checking all of them before anything is sent, then one phase at a time).
///
/// (Over 400 lines: a small JSON reader and the plan types it builds, which only make sense together.)
struct PlanLineDecoder {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    /// What is wrong with a line, and at which byte of it.
    struct Malformed: Error, CustomStringConvertible {
        var message: String
        var offset: Int
        var description: String { "\(message) (at byte \(offset + 1) of the line)" }
    }

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The change of a `{"change":{…}}` line.
    static func change(inLine bytes: UnsafeBufferPointer<UInt8>) throws -> PlannedChange {
        try whole(bytes) { try $0.wrapped("change") { try $0.change() } }
    }

    /// The unmatched file of an `{"unmatched":{…}}` line.
    static func unmatched(inLine bytes: UnsafeBufferPointer<UInt8>) throws -> UnmatchedMedia {
        try whole(bytes) { try $0.wrapped("unmatched") { try $0.unmatched() } }
    }

    /// The address of a `{"change":{…}}` line, read from the keys before it only: the order a
    /// spooled part's changes are merged in (`PlanSpool`).
    static func changeAddress(inLine bytes: UnsafeBufferPointer<UInt8>) throws -> EntityAddress {
        var reader = PlanLineDecoder(bytes)
        var address: EntityAddress?
        try reader.leadingKeys(of: "change") { reader, key in
            guard key == "address" else { try reader.skipValue(); return false }
            address = try reader.address()
            return true
        }
        guard let address else { throw reader.failure("a change needs an address") }
        return address
    }

    /// The creator and address of an `{"unmatched":{…}}` line (its merge order: by creator, then
    /// address), read from its leading keys only.
    static func unmatchedOrder(inLine bytes: UnsafeBufferPointer<UInt8>) throws -> (
        creator: String, address: EntityAddress
    ) {
        var reader = PlanLineDecoder(bytes)
        var address: EntityAddress?
        var creator: String?
        try reader.leadingKeys(of: "unmatched") { reader, key in
            switch key {
            case "address": address = try reader.address()
            case "creator": creator = try reader.optionalString()
            default: try reader.skipValue()
            }
            // Keys in byte order: nothing after "creator" changes the order.
            return key >= "creator" && address != nil
        }
        guard let address else { throw reader.failure("an unmatched file needs an address") }
        return (creator ?? "", address)
    }

    /// The fields of a JSON object `{"<field>": <value>, …}` whose values are in the plan's tagged
    /// form: what the state file records as written to a Stash object (`SyncState`).
    static func fields(inJSON bytes: UnsafeBufferPointer<UInt8>) throws -> [String: FieldValue] {
        try whole(bytes) { reader in
            var fields: [String: FieldValue] = [:]
            try reader.object { reader, key in fields[key] = try reader.planValue() }
            return fields
        }
    }

    /// `change(inLine:)` for bytes in `Data`.
    static func change(inLine data: Data) throws -> PlannedChange {
        try data.withUnsafeBytes { try change(inLine: $0.bindMemory(to: UInt8.self)) }
    }

    /// `unmatched(inLine:)` for bytes in `Data`.
    static func unmatched(inLine data: Data) throws -> UnmatchedMedia {
        try data.withUnsafeBytes { try unmatched(inLine: $0.bindMemory(to: UInt8.self)) }
    }

    private static func whole<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ read: (inout PlanLineDecoder) throws -> T)
        throws -> T
    {
        var reader = PlanLineDecoder(bytes)
        let value = try read(&reader)
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.failure("text after the object") }
        return value
    }

    private func failure(_ message: String) -> Malformed { Malformed(message: message, offset: position) }

    /// `{"<key>": value}`, the value read by `read`.
    private mutating func wrapped<T>(_ key: String, _ read: (inout PlanLineDecoder) throws -> T) throws -> T {
        var value: T?
        try object { reader, found in
            guard found == key else { throw reader.failure("expected \"\(key)\", found \"\(found)\"") }
            value = try read(&reader)
        }
        guard let value else { throw failure("expected {\"\(key)\": …}") }
        return value
    }

    // MARK: - Plan types

    private mutating func change() throws -> PlannedChange {
        var address: EntityAddress?
        var action: ChangeAction?
        var reason: SkipReason?
        var detail: String?
        var stashId: String?
        var fields: [FieldChange]?
        var drift: [FieldDrift]?
        var match: [MatchKey]?
        var creator: String?
        var source: String?
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
        guard let address, let action, let fields, let drift, let match, let source else {
            throw failure("a change needs address, action, fields, drift, match and source")
        }
        return PlannedChange(
            address: address, action: action, reason: reason, detail: detail, stashId: stashId,
            fields: fields, drift: drift, match: match, creator: creator, source: source)
    }

    private mutating func fieldChange() throws -> FieldChange {
        var field: String?
        var before: FieldValue?
        var after: FieldValue?
        var operation: FieldOperation?
        try object { reader, key in
            switch key {
            case "field": field = try reader.string()
            case "before": before = try reader.planValue()
            case "after": after = try reader.planValue()
            case "operation": operation = try reader.enumeration(FieldOperation.self)
            default: try reader.skipValue()
            }
        }
        guard let field, let before, let after, let operation else {
            throw failure("a field needs field, before, after and operation")
        }
        return FieldChange(field: field, before: before, after: after, operation: operation)
    }

    private mutating func fieldDrift() throws -> FieldDrift {
        var field: String?
        var written: String?
        var current: String?
        try object { reader, key in
            switch key {
            case "field": field = try reader.string()
            case "written": written = try reader.string()
            case "current": current = try reader.string()
            default: try reader.skipValue()
            }
        }
        guard let field, let written, let current else { throw failure("a drift needs field, written and current") }
        return FieldDrift(field: field, written: written, current: current)
    }

    /// `null` or an object with exactly one of the tagged forms.
    private mutating func planValue() throws -> FieldValue {
        if isNull() { return .null }
        var value: FieldValue?
        try object { reader, key in
            guard value == nil else { throw reader.failure("a value has exactly one key") }
            switch key {
            case "string": value = .string(try reader.string())
            case "int": value = .int(Int(try reader.integer()))
            case "bool": value = .bool(try reader.bool())
            case "date": value = .date(try reader.string())
            case "strings": value = .strings(try reader.array { try $0.string() })
            case "ref": value = .ref(try reader.stashRef())
            case "refs": value = .refs(try reader.array { try $0.stashRef() })
            default: throw reader.failure("unknown value kind \"\(key)\"")
            }
        }
        guard let value else { throw failure("a value has exactly one key") }
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
        var name: String?
        var disambiguation: String?
        var url: String?
        var code: String?
        var fileMediaId: FanslyID?
        var hint: String?
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
        throw failure("a match key needs name, url, code, file_media_id or stash_id_hint")
    }

    private mutating func unmatched() throws -> UnmatchedMedia {
        var address: EntityAddress?
        var creator: String?
        var fileMediaId: FanslyID?
        var lookedFor: [String]?
        var reason: String?
        var stashPaths: [String]?
        try object { reader, key in
            switch key {
            case "address": address = try reader.address()
            case "creator": creator = try reader.optionalString()
            case "file_media_id": fileMediaId = try reader.integer()
            case "looked_for": lookedFor = try reader.array { try $0.string() }
            case "reason": reason = try reader.string()
            case "stash_paths": stashPaths = reader.isNull() ? nil : try reader.array { try $0.string() }
            default: try reader.skipValue()
            }
        }
        guard let address, let fileMediaId, let lookedFor, let reason else {
            throw failure("an unmatched file needs address, file_media_id, looked_for and reason")
        }
        return UnmatchedMedia(
            address: address, creator: creator, fileMediaId: fileMediaId, lookedFor: lookedFor,
            reason: reason, stashPaths: stashPaths)
    }

    private mutating func address() throws -> EntityAddress {
        let text = try string()
        guard let address = EntityAddress(text) else { throw failure("\"\(text)\" is not an entity address") }
        return address
    }

    private mutating func enumeration<T: RawRepresentable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else { throw failure("\"\(text)\" is not a \(T.self)") }
        return value
    }

    // MARK: - JSON

    /// Calls `member` for each key of an object, positioned at its value (which `member` must read).
    /// A repeated key is refused.
    private mutating func object(_ member: (inout PlanLineDecoder, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return }
        var seen: [String] = []
        while true {
            skipWhitespace()
            let key = try string()
            guard !seen.contains(key) else { throw failure("\"\(key)\" appears twice") }
            seen.append(key)
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    /// Reads `{"<wrapper>":{` and then its keys, calling `member` at each value until it returns
    /// true (having read the value) or the object ends; the rest of the line is not read.
    private mutating func leadingKeys(
        of wrapper: String, _ member: (inout PlanLineDecoder, String) throws -> Bool
    ) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        let found = try string()
        guard found == wrapper else { throw failure("expected \"\(wrapper)\", found \"\(found)\"") }
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { return }
        while true {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            if try member(&self, key) { return }
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func array<T>(_ element: (inout PlanLineDecoder) throws -> T) throws -> [T] {
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
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    /// Consumes `null` when it is next.
    private mutating func isNull() -> Bool {
        guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"),
            bytes[position + 1] == UInt8(ascii: "u"),
            bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
        else { return false }
        position += 4
        return true
    }

    private mutating func optionalString() throws -> String? {
        isNull() ? nil : try string()
    }

    private mutating func bool() throws -> Bool {
        if matches("true") { return true }
        if matches("false") { return false }
        throw failure("expected true or false")
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
        position += count
        return true
    }

    /// A whole number (no fraction or exponent: plan numbers are ids and counts).
    private mutating func integer() throws -> Int64 {
        let negative = peek() == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        var magnitude: UInt64 = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { throw failure("number too large") }
            magnitude = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else {
            throw failure("expected a whole number")
        }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw failure("expected a whole number")
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw failure("number too large") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw failure("number too large") }
        return Int64(magnitude)
    }

    /// A string: unescaped runs are copied as they are (checked to be UTF-8), escapes decoded.
    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        var plain = true
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") { plain = false; position += 2; continue }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        guard position < bytes.count else { throw failure("unterminated string") }
        let end = position
        position += 1
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if plain {
            if ascii { return String(decoding: raw, as: UTF8.self) }
            return try Self.validated(raw)
        }
        return try unescape(raw)
    }

    /// `bytes` as a string when they are valid UTF-8.
    private static func validated<Bytes: Collection>(_ bytes: Bytes) throws -> String where Bytes.Element == UInt8 {
        if #available(macOS 15, *) {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Malformed(message: "invalid UTF-8", offset: 0)
            }
            return text
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw Malformed(message: "invalid UTF-8", offset: 0)
        }
        return text
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count else { throw failure("invalid escape in a string") }
            var value: UInt32 = 0
            for byte in raw[at..<at + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid escape in a string")
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); index += 1; continue }
            guard index + 1 < raw.count else { throw failure("invalid escape in a string") }
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
                    // A surrogate pair; a lone surrogate is refused.
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u")
                    else { throw failure("invalid escape in a string") }
                    let low = try hex4(index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid escape in a string") }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid escape in a string") }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: throw failure("invalid escape in a string")
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
        case UInt8(ascii: "n"): guard isNull() else { throw failure("expected a value") }
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
        guard next() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
    }
}
