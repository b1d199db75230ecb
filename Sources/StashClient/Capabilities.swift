import Foundation

/// The object types that may carry `custom_fields` in Stash.
public enum CustomFieldsType: String, Sendable, Hashable, CaseIterable, Comparable {
    case performer = "Performer", studio = "Studio", tag = "Tag", gallery = "Gallery", scene = "Scene", image = "Image"

    /// The update input whose `custom_fields` says the server has them.
    var updateInput: String { rawValue + "UpdateInput" }
    /// `scenes`, `galleries`… for messages.
    public var plural: String { self == .gallery ? "galleries" : rawValue.lowercased() + "s" }
    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What the connected Stash accepts beyond what every supported version does, read from its
/// schema in `connect()` (introspection of the update inputs, in the same request as `version`):
/// a development build or a backport answers as what it is, not as its version number suggests.
public struct StashCapabilities: Sendable, Hashable {
    /// Types whose objects carry `custom_fields` (performers since v0.28; scenes, images,
    /// galleries, studios and tags since v0.31).
    public var customFields: Set<CustomFieldsType>
    /// `organized` on studios (v0.31).
    var studioOrganized: Bool

    public init(customFields: Set<CustomFieldsType> = [], studioOrganized: Bool = false) {
        self.customFields = customFields; self.studioOrganized = studioOrganized
    }

    /// Stash v0.30.1.
    static let v0_30 = StashCapabilities(customFields: [.performer])
    /// Stash v0.31.
    static let v0_31 = StashCapabilities(customFields: Set(CustomFieldsType.allCases), studioOrganized: true)

    /// `document` with `custom_fields` selected on the object fragments of the types that have them
    /// (and studios' `organized` where they have it).
    func adapting(_ document: String) -> String {
        var text = document
        if studioOrganized {
            text = text.replacingOccurrences(of: "on Studio { id ", with: "on Studio { id organized ")
        }
        for type in customFields {
            // Every fragment the client sends starts with `on <Type> { id `.
            text = text.replacingOccurrences(
                of: "on \(type.rawValue) { id ", with: "on \(type.rawValue) { id custom_fields ")
        }
        return text
    }
}

/// The capabilities learnt by `connect()`, shared by the client's concurrent requests.
final class CapabilityStore: @unchecked Sendable {
    private let lock = NSLock()
    private var value: StashCapabilities?
    var current: StashCapabilities? { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ capabilities: StashCapabilities) { lock.lock(); value = capabilities; lock.unlock() }
}

/// `custom_fields` values as text: Stash stores any JSON value; the rules write text.
public struct CustomFieldValues: Sendable, Hashable, Codable {
    public var values: [String: String]
    public init(_ values: [String: String]) { self.values = values }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode([String: LooseValue].self)
        values = raw.compactMapValues(\.text)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// One JSON value read as text (`12`, `true`, `"x"`); nested values are left out.
    struct LooseValue: Decodable {
        let text: String?
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                text = nil
            } else if let string = try? container.decode(String.self) {
                text = string
            } else if let bool = try? container.decode(Bool.self) {
                text = String(bool)
            } else if let integer = try? container.decode(Int64.self) {
                text = String(integer)
            } else if let number = try? container.decode(Double.self) {
                text = String(number)
            } else {
                text = nil
            }
        }
    }
}

/// `CustomFieldsInput` on updates. Only `partial` and `remove` exist here: `full` replaces every
/// key, erasing what other tools keep in the object's custom fields.
public struct CustomFieldsInput: Sendable, Hashable, Codable {
    /// Keys set to these values; other keys are kept.
    var partial: [String: String]?
    /// Keys removed.
    var remove: [String]?
    public init(partial: [String: String]? = nil, remove: [String]? = nil) {
        self.partial = partial; self.remove = remove
    }
}

extension StashDocuments {
    /// Introspection of the update inputs, asked with `version` in `connect()`.
    static let capabilityProbe = CustomFieldsType.allCases.map { type in
        "\(type.rawValue.lowercased())Input: __type(name: \"\(type.updateInput)\") { inputFields { name } }"
    }.joined(separator: " ")
}

extension StashCapabilities {
    /// Reads the probe's answer: alias → input field names (nil when the type is unknown).
    init(probe: [String: [String]?]) {
        var custom = Set<CustomFieldsType>()
        var organized = false
        for type in CustomFieldsType.allCases {
            guard let names = probe[type.rawValue.lowercased() + "Input"] ?? nil else { continue }
            if names.contains("custom_fields") { custom.insert(type) }
            if type == .studio && names.contains("organized") { organized = true }
        }
        self.init(customFields: custom, studioOrganized: organized)
    }
}
