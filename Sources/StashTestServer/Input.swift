import Foundation
import GraphQL
import OrderedCollections

/// An error a resolver reports: becomes `{"message": …, "path": [alias]}` at HTTP 200, as in Stash.
struct ResolverError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Reads a coerced GraphQL input object, telling absent fields from explicit nulls.
struct InputObject: Sendable {
    let fields: [String: Map]

    init(_ map: Map) {
        var fields: [String: Map] = [:]
        if let dictionary = map.dictionary {
            for (key, value) in dictionary where !value.isUndefined { fields[key] = value }
        }
        self.fields = fields
    }

    /// Present in the input, possibly as null.
    func has(_ key: String) -> Bool { fields[key] != nil }
    func isNull(_ key: String) -> Bool { fields[key]?.isNull ?? false }

    /// Stash trims strings it stores.
    func string(_ key: String) -> String? {
        fields[key]?.string.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
    func rawString(_ key: String) -> String? { fields[key]?.string }
    func bool(_ key: String) -> Bool? { fields[key]?.bool }
    func int(_ key: String) -> Int? {
        guard let value = fields[key], !value.isNull else { return nil }
        return value.int ?? value.double.map { Int($0) }
    }
    func strings(_ key: String) -> [String]? {
        fields[key]?.array?.compactMap { $0.string?.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
    func object(_ key: String) -> InputObject? {
        guard let value = fields[key], value.dictionary != nil else { return nil }
        return InputObject(value)
    }
    func objects(_ key: String) -> [InputObject]? {
        fields[key]?.array?.map { InputObject($0) }
    }

    /// An `ID` parsed as Stash does (`strconv.Atoi`).
    func id(_ key: String) throws -> Int? {
        guard let text = fields[key]?.string else { return nil }
        return try Self.parseID(text)
    }
    func ids(_ key: String) throws -> [Int]? {
        guard let array = fields[key]?.array else { return nil }
        return try array.map { try Self.parseID($0.string ?? "") }
    }

    static func parseID(_ text: String) throws -> Int {
        guard let value = Int(text) else { throw ResolverError("strconv.Atoi: parsing \"\(text)\": invalid syntax") }
        return value
    }
}
