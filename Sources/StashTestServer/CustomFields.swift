import GraphQL
import OrderedCollections

extension InputObject {
    /// Applies `custom_fields` as Stash does: on a create (no `id`) the map itself; on an update
    /// a `CustomFieldsInput`, where `full` replaces every key, `partial` sets the keys it names
    /// and `remove` deletes keys. Values are kept as text.
    func applyCustomFields(to fields: inout [String: String]) throws {
        guard let value = self.fields["custom_fields"], !value.isNull, let map = value.dictionary else { return }
        func text(_ value: Map) -> String {
            if let string = value.string { return string }
            if let bool = value.bool { return String(bool) }
            return value.description
        }
        if !has("id") {
            for (key, value) in map { fields[key] = text(value) }
            return
        }
        if let full = map["full"], let entries = full.dictionary {
            fields = [:]
            for (key, value) in entries { fields[key] = text(value) }
        }
        if let partial = map["partial"], let entries = partial.dictionary {
            for (key, value) in entries { fields[key] = text(value) }
        }
        if let remove = map["remove"], let keys = remove.array {
            for key in keys.compactMap(\.string) { fields.removeValue(forKey: key) }
        }
    }
}

/// `custom_fields` as an output `Map!`.
func customFieldsMap(_ fields: [String: String]) -> Map {
    (try? Map(fields)) ?? .dictionary([:])
}
