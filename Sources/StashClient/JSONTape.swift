import Foundation

/// A JSON text read once into a flat list of values (`Token`s), for `TapeDecoder`: an object's
/// members and an array's elements follow it on the tape, and each value knows where the next one
/// starts, so a decoder finds a member by comparing key bytes, without building a dictionary per
/// object or a string per key.
///
/// Only what `TapeDecoder` can decode exactly as `JSONDecoder` would is accepted: anything else
/// (invalid UTF-8 in a string, a lone surrogate escape, a duplicate key, a malformed text) throws
/// `TapeDecoder.Unsupported`, and the caller decodes the text with `JSONDecoder` instead.
struct JSONTape {
    enum Kind: UInt8 { case object, array, string, number, `true`, `false`, null }

    struct Token {
        var kind: Kind
        /// Strings: the text is plain ASCII (no escape, no byte over 0x7F).
        var isASCII: Bool
        /// Strings and numbers: the bytes between the quotes, or of the number.
        var start: Int32
        var length: Int32
        /// Objects and arrays: members (key and value count as one) or elements.
        var count: Int32
        /// The index of the token after this value and everything inside it.
        var next: Int32
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var tokens: [Token] = []

    /// Reads `bytes` (which must outlive the tape) as one JSON value with nothing but whitespace after it.
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count < Int(Int32.max) else { throw TapeDecoder.Unsupported() }
        self.bytes = bytes
        tokens.reserveCapacity(bytes.count / 8)
        var position = 0
        try value(at: &position, depth: 0)
        skipWhitespace(&position)
        guard position == bytes.count else { throw TapeDecoder.Unsupported() }
    }

    // MARK: Reading

    private mutating func value(at position: inout Int, depth: Int) throws {
        guard depth < 512 else { throw TapeDecoder.Unsupported() }
        skipWhitespace(&position)
        guard position < bytes.count else { throw TapeDecoder.Unsupported() }
        let index = tokens.count
        switch bytes[position] {
        case UInt8(ascii: "{"):
            tokens.append(Token(kind: .object, isASCII: false, start: Int32(position), length: 0, count: 0, next: 0))
            position += 1
            var count: Int32 = 0
            skipWhitespace(&position)
            if peek(position) == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    skipWhitespace(&position)
                    guard peek(position) == UInt8(ascii: "\"") else { throw TapeDecoder.Unsupported() }
                    try string(at: &position)
                    skipWhitespace(&position)
                    guard peek(position) == UInt8(ascii: ":") else { throw TapeDecoder.Unsupported() }
                    position += 1
                    try value(at: &position, depth: depth + 1)
                    count += 1
                    skipWhitespace(&position)
                    let separator = peek(position)
                    position += 1
                    if separator == UInt8(ascii: "}") { break }
                    guard separator == UInt8(ascii: ",") else { throw TapeDecoder.Unsupported() }
                }
            }
            tokens[index].count = count
            try refuseDuplicateKeys(object: index)
        case UInt8(ascii: "["):
            tokens.append(Token(kind: .array, isASCII: false, start: Int32(position), length: 0, count: 0, next: 0))
            position += 1
            var count: Int32 = 0
            skipWhitespace(&position)
            if peek(position) == UInt8(ascii: "]") {
                position += 1
            } else {
                while true {
                    try value(at: &position, depth: depth + 1)
                    count += 1
                    skipWhitespace(&position)
                    let separator = peek(position)
                    position += 1
                    if separator == UInt8(ascii: "]") { break }
                    guard separator == UInt8(ascii: ",") else { throw TapeDecoder.Unsupported() }
                }
            }
            tokens[index].count = count
        case UInt8(ascii: "\""):
            try string(at: &position)
            tokens[index].next = Int32(index + 1)
            return
        case UInt8(ascii: "t"): try word("true", .true, at: &position)
        case UInt8(ascii: "f"): try word("false", .false, at: &position)
        case UInt8(ascii: "n"): try word("null", .null, at: &position)
        default: try number(at: &position)
        }
        tokens[index].next = Int32(tokens.count)
    }

    /// A string token; its text is checked (escapes, UTF-8) when it is decoded.
    private mutating func string(at position: inout Int) throws {
        position += 1
        let start = position
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                ascii = false
                position += 2
                continue
            }
            if byte < 0x20 { throw TapeDecoder.Unsupported() }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        guard position < bytes.count else { throw TapeDecoder.Unsupported() }
        tokens.append(
            Token(
                kind: .string, isASCII: ascii, start: Int32(start), length: Int32(position - start), count: 0,
                next: Int32(tokens.count + 1)))
        position += 1
    }

    private mutating func word(_ text: StaticString, _ kind: Kind, at position: inout Int) throws {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw TapeDecoder.Unsupported() }
        for offset in 0..<count where bytes[position + offset] != text.utf8Start[offset] {
            throw TapeDecoder.Unsupported()
        }
        tokens.append(Token(kind: kind, isASCII: true, start: Int32(position), length: Int32(count), count: 0, next: 0))
        position += count
    }

    /// A number in JSON's grammar; its value is read when it is decoded.
    private mutating func number(at position: inout Int) throws {
        let start = position
        func digits() -> Int {
            let from = position
            while let byte = peek(position), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
            return position - from
        }
        if peek(position) == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw TapeDecoder.Unsupported()
        }
        if peek(position) == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw TapeDecoder.Unsupported() }
        }
        if let byte = peek(position), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(position), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw TapeDecoder.Unsupported() }
        }
        tokens.append(
            Token(kind: .number, isASCII: true, start: Int32(start), length: Int32(position - start), count: 0, next: 0)
        )
    }

    /// `JSONDecoder`'s handling of a repeated key is its own business: such a text is left to it.
    private func refuseDuplicateKeys(object index: Int) throws {
        let count = Int(tokens[index].count)
        guard count > 1 else { return }
        var keys: [Int] = []
        keys.reserveCapacity(count)
        var key = index + 1
        for _ in 0..<count {
            for earlier in keys where sameText(earlier, key) { throw TapeDecoder.Unsupported() }
            keys.append(key)
            key = Int(tokens[key + 1].next)
        }
    }

    private func skipWhitespace(_ position: inout Int) {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func peek(_ position: Int) -> UInt8? { position < bytes.count ? bytes[position] : nil }

    // MARK: Values

    /// The raw bytes of a string or number token.
    func raw(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let token = tokens[index]
        return UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.start + token.length)])
    }

    /// True when two string tokens hold the same raw bytes (keys compared as written; a key with an
    /// escape compares unequal to its unescaped twin, which only makes a duplicate go unnoticed when
    /// one of them is escaped: then both are decoded and compared as strings).
    private func sameText(_ a: Int, _ b: Int) -> Bool {
        let first = raw(a)
        let second = raw(b)
        if first.count == second.count
            && (first.isEmpty || memcmp(first.baseAddress!, second.baseAddress!, first.count) == 0)
        {
            return true
        }
        guard !tokens[a].isASCII || !tokens[b].isASCII else { return false }
        return (try? string(a)) == (try? string(b))
    }

    /// True when string token `index` is exactly `key`.
    func isKey(_ index: Int, _ key: String) -> Bool {
        if tokens[index].isASCII {
            let raw = raw(index)
            var key = key
            return key.withUTF8 { key in
                key.count == raw.count && (key.isEmpty || memcmp(key.baseAddress!, raw.baseAddress!, key.count) == 0)
            }
        }
        return (try? string(index)) == key
    }

    /// The text of string token `index`: escapes decoded, UTF-8 checked.
    func string(_ index: Int) throws -> String {
        let raw = raw(index)
        if tokens[index].isASCII { return String(decoding: raw, as: UTF8.self) }
        guard raw.contains(UInt8(ascii: "\\")) else { return try Self.validated(raw) }
        return try Self.validated(Self.unescape(raw))
    }

    /// The value of number token `index` as a whole number (no fraction or exponent), when it fits.
    func integer(_ index: Int) throws -> Int64 {
        let raw = raw(index)
        var position = 0
        let negative = raw[0] == UInt8(ascii: "-")
        if negative { position = 1 }
        var magnitude: UInt64 = 0
        while position < raw.count {
            let byte = raw[position]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw TapeDecoder.Unsupported() }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { throw TapeDecoder.Unsupported() }
            magnitude = sum
            position += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw TapeDecoder.Unsupported() }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw TapeDecoder.Unsupported() }
        return Int64(magnitude)
    }

    private static func validated<Bytes: Collection>(_ bytes: Bytes) throws -> String where Bytes.Element == UInt8 {
        if #available(macOS 15, *) {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw TapeDecoder.Unsupported() }
            return text
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw TapeDecoder.Unsupported() }
        return text
    }

    /// The bytes of a string with its escapes decoded; a lone surrogate is refused.
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count else { throw TapeDecoder.Unsupported() }
            var value: UInt32 = 0
            for byte in raw[at..<at + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw TapeDecoder.Unsupported()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { throw TapeDecoder.Unsupported() }
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
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u")
                    else { throw TapeDecoder.Unsupported() }
                    let low = try hex4(index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw TapeDecoder.Unsupported() }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw TapeDecoder.Unsupported() }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: throw TapeDecoder.Unsupported()
            }
        }
        return out
    }
}
