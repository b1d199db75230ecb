import MappingRules

/// A Stash input object as plain values: what a plan's fields become on the way to a typed input
/// of the client (no JSON text in between).
indirect enum InputValue: Sendable, Equatable {
    case null
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([InputValue])
    case object([String: InputValue])

    /// A field value as Stash takes it: references as their ids (one not yet resolved is null,
    /// which no input sends).
    init(_ value: FieldValue) {
        switch value {
        case .null: self = .null
        case .string(let text), .date(let text): self = .string(text)
        case .int(let number): self = .int(number)
        case .bool(let flag): self = .bool(flag)
        case .strings(let items): self = .list(items.map(InputValue.string))
        case .ref(let ref): self = ref.id.map(InputValue.string) ?? .null
        case .refs(let refs): self = .list(refs.compactMap(\.id).map(InputValue.string))
        }
    }
}

/// Decodes the client's `Decodable` inputs from an `InputValue`, reading Swift's camel-case property
/// names as Stash's snake-case fields (`tagIds` ← `tag_ids`), and records which top-level fields
/// the input type asked for: a field it never asked for is one it cannot carry.
struct InputDecoder: Decoder {
    /// The top-level fields an input type looked up while decoding.
    final class Lookups { var names: Set<String> = [] }

    let value: InputValue
    let codingPath: [CodingKey]
    let lookups: Lookups?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Decodes `type` from `object`; `lookups` collects the fields the type looked up.
    static func decode<T: Decodable>(_ type: T.Type, from object: [String: InputValue], lookups: Lookups) throws -> T {
        try T(from: InputDecoder(value: .object(object), codingPath: [], lookups: lookups))
    }

    static func snakeCase(_ key: String) -> String {
        key.reduce(into: "") { text, character in
            if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
        }
    }

    func mismatch(_ expected: Any.Type) -> DecodingError {
        DecodingError.typeMismatch(
            expected, .init(codingPath: codingPath, debugDescription: "expected \(expected), got \(value)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: Any].self) }
        return KeyedDecodingContainer(Keyed<Key>(object: object, codingPath: codingPath, lookups: lookups))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .list(let items) = value else { throw mismatch([Any].self) }
        return Unkeyed(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { Single(value: value, codingPath: codingPath) }

    /// Scalars: strings, integers, booleans; everything else through `Decodable`.
    struct Single: SingleValueDecodingContainer {
        let value: InputValue
        let codingPath: [CodingKey]
        private var decoder: InputDecoder { InputDecoder(value: value, codingPath: codingPath, lookups: nil) }

        func decodeNil() -> Bool { value == .null }
        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let flag) = value else { throw decoder.mismatch(type) }
            return flag
        }
        func decode(_ type: String.Type) throws -> String {
            guard case .string(let text) = value else { throw decoder.mismatch(type) }
            return text
        }
        func decode(_ type: Int.Type) throws -> Int {
            guard case .int(let number) = value else { throw decoder.mismatch(type) }
            return number
        }
        func decode(_ type: Double.Type) throws -> Double { Double(try decode(Int.self)) }
        func decode(_ type: Float.Type) throws -> Float { Float(try decode(Int.self)) }
        func decode(_ type: Int8.Type) throws -> Int8 { try exactly(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try exactly(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try exactly(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try exactly(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try exactly(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try exactly(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try exactly(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try exactly(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try exactly(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }

        private func exactly<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            guard let number = T(exactly: try decode(Int.self)) else { throw decoder.mismatch(type) }
            return number
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: InputValue]
        let codingPath: [CodingKey]
        let lookups: Lookups?

        var allKeys: [Key] { object.keys.compactMap { name in Key(stringValue: name) } }

        /// A property's field (`tagIds` → `tag_ids`); a dictionary's keys (custom field names) as they are.
        private func name(_ key: Key) -> String {
            let name = object[key.stringValue] != nil ? key.stringValue : InputDecoder.snakeCase(key.stringValue)
            lookups?.names.insert(name)
            return name
        }

        private func decoder(_ key: Key) throws -> InputDecoder {
            guard let value = object[name(key)] else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "no value for \(key.stringValue)"))
            }
            return InputDecoder(value: value, codingPath: codingPath + [key], lookups: nil)
        }

        func contains(_ key: Key) -> Bool { object[name(key)] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { (object[name(key)] ?? .null) == .null }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: decoder(key)) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: String.Type, forKey key: Key) throws -> String {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try decoder(key).singleValueContainer().decode(type)
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try decoder(key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
            try decoder(key).unkeyedContainer()
        }
        func superDecoder() throws -> Decoder {
            InputDecoder(value: .object(object), codingPath: codingPath, lookups: nil)
        }
        func superDecoder(forKey key: Key) throws -> Decoder { try decoder(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [InputValue]
        let codingPath: [CodingKey]
        private(set) var currentIndex = 0

        init(items: [InputValue], codingPath: [CodingKey]) { self.items = items; self.codingPath = codingPath }

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private struct Index: CodingKey {
            var stringValue: String { String(intValue ?? 0) }
            var intValue: Int?
            init(_ index: Int) { intValue = index }
            init?(stringValue: String) { nil }
            init?(intValue: Int) { self.intValue = intValue }
        }

        private mutating func next() throws -> InputDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: codingPath, debugDescription: "the list has no more items"))
            }
            defer { currentIndex += 1 }
            return InputDecoder(
                value: items[currentIndex], codingPath: codingPath + [Index(currentIndex)], lookups: nil)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: String.Type) throws -> String { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().singleValueContainer().decode(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().singleValueContainer().decode(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> Decoder { try next() }
    }
}
