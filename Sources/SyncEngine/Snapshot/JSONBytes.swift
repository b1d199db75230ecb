import Foundation

/// A cursor over a JSON document's UTF-8 bytes for readers that know the shape they read
/// (`SnapshotPageReader`). It reads strictly: anything it does not read exactly as `JSONDecoder`
/// would (a number with a fraction, invalid UTF-8, a control character in a string) throws
/// `Unread`, and the caller leaves the document to `JSONDecoder`.
struct JSONBytes {
    /// The document holds something this reader does not read (or is not JSON).
    struct Unread: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// True at the end of the document (after whitespace).
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    /// Calls `member` with each key of an object (its bytes: Stash's field names, plain ASCII; a
    /// key with an escape or another byte is unread), positioned at its value, which `member` must
    /// read.
    mutating func object(_ member: (inout JSONBytes, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try members(key: { try $0.plainKey() }, member)
    }

    /// Calls `member` with each key of an object as text (any key: names chosen by users),
    /// positioned at its value, which `member` must read.
    mutating func objectByName(_ member: (inout JSONBytes, String) throws -> Void) throws {
        try members(key: { try $0.string() }, member)
    }

    private mutating func members<Key>(
        key readKey: (inout JSONBytes) throws -> Key, _ member: (inout JSONBytes, Key) throws -> Void
    ) throws {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            let key = try readKey(&self)
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw Unread()
            }
        }
    }

    /// Calls `element` for each element of an array, positioned at it.
    mutating func array(_ element: (inout JSONBytes) throws -> Void) throws {
        skipWhitespace()
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; return }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw Unread()
            }
        }
    }

    /// Consumes `null` when it is next.
    mutating func isNull() -> Bool { matches("null") }

    /// The next value's first byte (after whitespace), not consumed.
    mutating func peekValue() -> UInt8? {
        skipWhitespace()
        return peek()
    }

    mutating func bool() throws -> Bool {
        if matches("true") { return true }
        if matches("false") { return false }
        throw Unread()
    }

    /// A whole number in `Int`'s range, written as JSON writes it (no fraction or exponent, no
    /// leading zero: `JSONDecoder` would read `3.0` as 3, a case left to it).
    mutating func integer() throws -> Int {
        let negative = peek() == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        var magnitude: UInt64 = 0
        while position < bytes.count, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1 && !overflow2 else { throw Unread() }
            magnitude = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { throw Unread() }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw Unread()
        }
        if negative {
            guard magnitude <= UInt64(Int.max) else { throw Unread() }
            return -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { throw Unread() }
        return Int(magnitude)
    }

    /// A string: a run without escapes is copied as it is (checked to be UTF-8 unless ASCII),
    /// escapes are decoded.
    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        var plain = true
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") { plain = false; position += 2; continue }
            if byte < 0x20 { throw Unread() }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        guard position < bytes.count else { throw Unread() }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        if plain {
            if ascii { return String(decoding: raw, as: UTF8.self) }
            return try Self.validated(raw)
        }
        return try Self.unescaped(raw)
    }

    /// Skips any value: a member or element no reader asked for.
    mutating func skipValue() throws {
        switch peekValue() {
        case UInt8(ascii: "{"): try objectByName { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["): try array { try $0.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): guard isNull() else { throw Unread() }
        default: try skipNumber()
        }
    }

    /// Skips a number of any form JSON allows (`-1.5e3`): a value nobody reads.
    private mutating func skipNumber() throws {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), first &- UInt8(ascii: "0") < 10 else { throw Unread() }
        if first == UInt8(ascii: "0") { position += 1 } else { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw Unread() }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw Unread() }
        }
    }

    /// Skips decimal digits; how many.
    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        return position - start
    }

    // MARK: - Bytes

    /// A key's bytes, without its quotes.
    private mutating func plainKey() throws -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            guard byte != UInt8(ascii: "\\"), byte >= 0x20, byte < 0x80 else { throw Unread() }
            position += 1
        }
        guard position < bytes.count else { throw Unread() }
        let key = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        return key
    }

    private static func validated(_ raw: some Collection<UInt8>) throws -> String {
        if #available(macOS 15, *) {
            guard let text = String(validating: raw, as: UTF8.self) else { throw Unread() }
            return text
        }
        guard let text = String(bytes: raw, encoding: .utf8) else { throw Unread() }
        return text
    }

    private static func unescaped(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count else { throw Unread() }
            var value: UInt32 = 0
            for byte in raw[at..<at + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Unread()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); index += 1; continue }
            guard index + 1 < raw.count else { throw Unread() }
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
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u")
                    else { throw Unread() }
                    let low = try hex4(index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw Unread() }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Unread() }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: throw Unread()
            }
        }
        return try validated(out)
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
        guard next() == byte else { throw Unread() }
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
        position += count
        return true
    }
}
