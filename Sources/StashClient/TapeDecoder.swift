import Foundation

/// Decodes a JSON answer from a `JSONTape`, giving what `JSONDecoder` (no key or data strategies)
/// gives, or leaving it to `JSONDecoder`: anything it is not sure to read alike (a fraction, a
/// `Date`, a null where a value is wanted, text that is not UTF-8), even when the decoded type
/// catches the error with `try?`, and any error that reaches the top make
/// `decode(_:from:fallback:)` decode the whole text again with `JSONDecoder`, whose answer or error
/// is then the result. The errors a type may catch and go on (a string where a number is wanted, a
/// missing key) are thrown as `JSONDecoder` throws them, as `DecodingError`s of the same case.
/// Errors and odd texts therefore read exactly as before; the ordinary answer is read without a
/// dictionary per object or a string per key.
///
/// Used for the finds whose items declare Stash's own keys (the plan's snapshot and summary finds):
/// `JSONDecoder` decoding their pages was 7 % of a 600,000-media online plan's CPU.
final class TapeDecoder: Decoder, SingleValueDecodingContainer {
    /// What the tape decoder does not read; the text goes to `JSONDecoder`.
    struct Unsupported: Error {}

    let tape: JSONTape
    /// The token being decoded.
    fileprivate var current = 0
    /// Set by any error thrown while decoding (a type may catch it: the result is not trusted then).
    fileprivate var failed = false

    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    private init(tape: JSONTape) { self.tape = tape }

    /// `type` decoded from `data`: by the tape when it reads it without a doubt, else by `fallback`.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, fallback: JSONDecoder) throws -> T {
        if let value = decodeWithoutFallback(type, from: data) { return value }
        return try fallback.decode(T.self, from: data)
    }

    /// `type` decoded from `data` by the tape, nil when it leaves the text to `JSONDecoder`.
    static func decodeWithoutFallback<T: Decodable>(_ type: T.Type, from data: Data) -> T? {
        data.withUnsafeBytes { raw in
            guard let tape = try? JSONTape(raw.bindMemory(to: UInt8.self)) else { return nil }
            let decoder = TapeDecoder(tape: tape)
            guard let value = try? decoder.decodeValue(T.self, at: 0), !decoder.failed else { return nil }
            return value
        }
    }

    /// Notes that the tape cannot vouch for the result, and says so.
    fileprivate func unsupported() -> Unsupported {
        failed = true
        return Unsupported()
    }

    /// A value of another JSON kind than `type` reads from: `JSONDecoder`'s type mismatch. A null is
    /// left to `JSONDecoder` (whose error for it depends on where it is).
    fileprivate func wrongKind(_ type: Any.Type, at index: Int) -> Error {
        guard token(index).kind != .null else { return unsupported() }
        return DecodingError.typeMismatch(
            type, .init(codingPath: [], debugDescription: "Expected to decode \(type) but found another value"))
    }

    /// A member the object lacks: `JSONDecoder`'s `keyNotFound`.
    fileprivate func missing(_ key: CodingKey) -> Error {
        DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "No value for \(key.stringValue)"))
    }

    fileprivate func token(_ index: Int) -> JSONTape.Token { tape.tokens[index] }

    // MARK: Values

    /// `T` decoded from token `index`. `JSONDecoder` reads some types its own way (dates, data,
    /// URLs, decimals): those are left to it.
    fileprivate func decodeValue<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        if T.self == String.self { return try string(at: index) as! T }
        if T.self == Int.self { return try integer(Int.self, at: index) as! T }
        if T.self == Bool.self { return try bool(at: index) as! T }
        if T.self == Date.self || T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            throw unsupported()
        }
        if T.self == Double.self || T.self == Float.self { throw floatingPoint(T.self, at: index) }
        let saved = current
        current = index
        defer { current = saved }
        return try T(from: self)
    }

    fileprivate func string(at index: Int) throws -> String {
        guard token(index).kind == .string else { throw wrongKind(String.self, at: index) }
        do { return try tape.string(index) } catch { throw unsupported() }
    }

    fileprivate func bool(at index: Int) throws -> Bool {
        switch token(index).kind {
        case .true: return true
        case .false: return false
        default: throw wrongKind(Bool.self, at: index)
        }
    }

    /// A whole number that fits `type`; fractions, exponents and numbers too large are `JSONDecoder`'s.
    fileprivate func integer<T: FixedWidthInteger>(_ type: T.Type, at index: Int) throws -> T {
        guard token(index).kind == .number else { throw wrongKind(type, at: index) }
        guard let value = try? T(exactly: tape.integer(index)) else { throw unsupported() }
        return value
    }

    /// Floating point is read by `JSONDecoder` only.
    fileprivate func floatingPoint(_ type: Any.Type, at index: Int) -> Error {
        token(index).kind == .number ? unsupported() : wrongKind(type, at: index)
    }

    fileprivate func object(at index: Int) throws -> Int {
        guard token(index).kind == .object else { throw wrongKind([String: Any].self, at: index) }
        return index
    }

    fileprivate func array(at index: Int) throws -> Int {
        guard token(index).kind == .array else { throw wrongKind([Any].self, at: index) }
        return index
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self, object: try object(at: current)))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        TapeUnkeyedContainer(decoder: self, array: try array(at: current))
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { token(current).kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(at: current) }
    func decode(_ type: String.Type) throws -> String { try string(at: current) }
    func decode(_ type: Double.Type) throws -> Double { throw floatingPoint(type, at: current) }
    func decode(_ type: Float.Type) throws -> Float { throw floatingPoint(type, at: current) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type, at: current) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type, at: current) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type, at: current) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type, at: current) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type, at: current) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type, at: current) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type, at: current) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type, at: current) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type, at: current) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type, at: current) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type, at: current) }
}

/// An object's members, found by comparing key bytes in the order they were written.
private struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder
    let object: Int

    var codingPath: [CodingKey] { [] }

    var allKeys: [Key] {
        var keys: [Key] = []
        var key = object + 1
        for _ in 0..<decoder.token(object).count {
            if let text = try? decoder.tape.string(key) {
                if let codingKey = Key(stringValue: text) { keys.append(codingKey) }
            } else {
                _ = decoder.unsupported()
            }
            key = Int(decoder.token(key + 1).next)
        }
        return keys
    }

    /// The token of `key`'s value, nil when the object has no such member.
    private func value(_ key: Key) -> Int? {
        let name = key.stringValue
        var index = object + 1
        for _ in 0..<decoder.token(object).count {
            if decoder.tape.isKey(index, name) { return index + 1 }
            index = Int(decoder.token(index + 1).next)
        }
        return nil
    }

    private func required(_ key: Key) throws -> Int {
        guard let index = value(key) else { throw decoder.missing(key) }
        return index
    }

    /// The value of `key` unless it is missing or null.
    private func present(_ key: Key) -> Int? {
        guard let index = value(key), decoder.token(index).kind != .null else { return nil }
        return index
    }

    func contains(_ key: Key) -> Bool { value(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.token(try required(key)).kind == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(at: required(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(at: required(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        throw decoder.floatingPoint(type, at: try required(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        throw decoder.floatingPoint(type, at: try required(key))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(type, at: required(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(type, at: required(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(type, at: required(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(type, at: required(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(type, at: required(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(type, at: required(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(type, at: required(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try decoder.integer(type, at: required(key))
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try decoder.integer(type, at: required(key))
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try decoder.integer(type, at: required(key))
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decodeValue(type, at: required(key))
    }

    // One look-up instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try decoder.bool(at: $0) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try decoder.string(at: $0) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try decoder.integer(type, at: $0) }
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try present(key).map { try decoder.integer(type, at: $0) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try decoder.decodeValue(type, at: $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        KeyedDecodingContainer(
            TapeKeyedContainer<NestedKey>(decoder: decoder, object: try decoder.object(at: required(key))))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        TapeUnkeyedContainer(decoder: decoder, array: try decoder.array(at: required(key)))
    }

    func superDecoder() throws -> Decoder { throw decoder.unsupported() }
    func superDecoder(forKey key: Key) throws -> Decoder { throw decoder.unsupported() }
}

/// An array's elements, in order.
private struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    /// The next element's token.
    private var position: Int

    init(decoder: TapeDecoder, array: Int) {
        self.decoder = decoder
        count = Int(decoder.token(array).count)
        position = array + 1
    }

    var codingPath: [CodingKey] { [] }
    let count: Int?
    private(set) var currentIndex = 0
    var isAtEnd: Bool { currentIndex >= count! }

    /// Reads the next element with `read`, moving past it only when that succeeds (as `JSONDecoder`
    /// does: a type may try another type for the same element).
    private mutating func next<T>(_ read: (TapeDecoder, Int) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                T.self, .init(codingPath: [], debugDescription: "Unkeyed container is at end."))
        }
        let value = try read(decoder, position)
        position = Int(decoder.token(position).next)
        currentIndex += 1
        return value
    }

    /// True, moving past it, when the next element is null; false (staying) otherwise.
    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: [], debugDescription: "Unkeyed container is at end."))
        }
        guard decoder.token(position).kind == .null else { return false }
        position = Int(decoder.token(position).next)
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.bool(at: $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.string(at: $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { throw $0.floatingPoint(type, at: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next { throw $0.floatingPoint(type, at: $1) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try $0.integer(type, at: $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try $0.integer(type, at: $1) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { try $0.decodeValue(type, at: $1) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next { KeyedDecodingContainer(TapeKeyedContainer<NestedKey>(decoder: $0, object: try $0.object(at: $1))) }
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        try next { TapeUnkeyedContainer(decoder: $0, array: try $0.array(at: $1)) }
    }

    mutating func superDecoder() throws -> Decoder { throw decoder.unsupported() }
}
