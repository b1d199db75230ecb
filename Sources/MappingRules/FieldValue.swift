/// A Stash field's value: what the rules want it to hold (`DesiredField`), what Stash holds
/// (`before` in a plan) and what it will hold after apply (`after`). One type, one JSON form, for
/// the desired state, plans and the sync state.
public enum FieldValue: Sendable, Hashable, Codable {
    /// Unset (Stash's `null`); never produced by the rules.
    case null
    case string(String)
    case int(Int)
    case bool(Bool)
    /// A calendar date `YYYY-MM-DD`, compared as a date.
    case date(String)
    /// A list compared as a set (urls, aliases).
    case strings([String])
    /// A single related object (studio, parent studio, chapter's gallery). Boxed: a reference is
    /// three optional strings, and inline it would make every value (and a plan holds hundreds of
    /// thousands) as large as itself.
    indirect case ref(StashRef)
    /// Related objects compared as a set (performers, tags, tag parents, gallery images).
    case refs([StashRef])

    /// A reference to the desired entity at `address` (SyncEngine resolves it to a Stash id).
    public static func reference(_ address: EntityAddress) -> FieldValue { .ref(StashRef(address: address)) }

    /// References to the desired entities at `addresses`, compared as a set.
    public static func references(_ addresses: [EntityAddress]) -> FieldValue {
        .refs(addresses.map { StashRef(address: $0) })
    }

    /// The desired entities this value refers to, in order (none for values that are not references).
    public var referencedAddresses: [EntityAddress] {
        switch self {
        case .ref(let ref): return ref.address.map { [$0] } ?? []
        case .refs(let refs): return refs.compactMap(\.address)
        default: return []
        }
    }
}

/// A reference to a Stash object: an existing id, or the address of an entity the rules want (a
/// plan creates it; apply resolves the address to an id, in phase order).
public struct StashRef: Sendable, Hashable, Codable {
    public var id: String?
    public var address: EntityAddress?
    /// A name for people (`Latex Model`, `emberwilde42 (Fansly)`).
    public var label: String?
    public init(id: String? = nil, address: EntityAddress? = nil, label: String? = nil) {
        self.id = id; self.address = address; self.label = label
    }
}

// Plans and golden files are read by people and other tools: values encode as one-key objects
// (`{"string": "x"}`, `{"refs": [{"address": "tag.latex"}]}`) rather than Swift's synthesized `{"_0": …}`.

extension FieldValue {
    private enum Tag: String, CodingKey { case string, int, bool, date, strings, ref, refs }

    /// Tagged JSON form documented in Docs/plan-format.md: `null`, `{"string": "…"}`, `{"int": 3}`,
    /// `{"bool": true}`, `{"date": "2024-01-31"}`, `{"strings": […]}`, `{"ref": {…}}`, `{"refs": […]}`.
    public init(from decoder: Decoder) throws {
        if (try? decoder.singleValueContainer().decodeNil()) == true { self = .null; return }
        let container = try decoder.container(keyedBy: Tag.self)
        guard let tag = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "a value must be null or an object with exactly one of string, int, bool, date, strings, ref, refs"
                ))
        }
        switch tag {
        case .string: self = .string(try container.decode(String.self, forKey: tag))
        case .int: self = .int(try container.decode(Int.self, forKey: tag))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: tag))
        case .date: self = .date(try container.decode(String.self, forKey: tag))
        case .strings: self = .strings(try container.decode([String].self, forKey: tag))
        case .ref: self = .ref(try container.decode(StashRef.self, forKey: tag))
        case .refs: self = .refs(try container.decode([StashRef].self, forKey: tag))
        }
    }

    public func encode(to encoder: Encoder) throws {
        if case .null = self { var single = encoder.singleValueContainer(); try single.encodeNil(); return }
        var container = encoder.container(keyedBy: Tag.self)
        switch self {
        case .null: break
        case .string(let value): try container.encode(value, forKey: .string)
        case .int(let value): try container.encode(value, forKey: .int)
        case .bool(let value): try container.encode(value, forKey: .bool)
        case .date(let value): try container.encode(value, forKey: .date)
        case .strings(let value): try container.encode(value, forKey: .strings)
        case .ref(let value): try container.encode(value, forKey: .ref)
        case .refs(let value): try container.encode(value, forKey: .refs)
        }
    }
}
