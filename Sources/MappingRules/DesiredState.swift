public import FanslyMetadata
import Foundation

// What the rules want Stash to hold, with stable addresses, before anything is looked up in Stash:
// the mapping engine produces it, SyncEngine's planner consumes it.

/// The kinds of Stash objects the mapper manages, in the order `apply` must process them
/// (ids created in one phase feed the next).
public enum EntityKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case tag, studio, performer, gallery, scene, image, chapter

    /// Phase order: tags, studios, performers, galleries, scenes, images, gallery chapters.
    public var phase: Int {
        // A switch rather than `allCases.firstIndex`: sorting 100,000 addresses calls this millions of times.
        switch self {
        case .tag: return 0
        case .studio: return 1
        case .performer: return 2
        case .gallery: return 3
        case .scene: return 4
        case .image: return 5
        case .chapter: return 6
        }
    }
    public static func < (lhs: EntityKind, rhs: EntityKind) -> Bool { lhs.phase < rhs.phase }
}

/// A stable, human-readable address of a desired entity, e.g. `performer.account.emberwilde42`,
/// `gallery.post.537124881301504299`, `scene.media.484272142024704403`, `tag.latex-model`.
/// Addresses are what `--target` selects, what SyncState keys its links on and what plans list.
public struct EntityAddress: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: EntityKind
    /// Everything after the kind, e.g. `account.emberwilde42`.
    public var key: String

    public init(kind: EntityKind, key: String) { self.kind = kind; self.key = key }

    /// Parses `kind.key`; nil when the kind is unknown or the key empty.
    public init?(_ text: String) {
        guard let dot = text.firstIndex(of: "."), let kind = EntityKind(rawValue: String(text[..<dot])) else {
            return nil
        }
        let key = String(text[text.index(after: dot)...])
        guard !key.isEmpty else { return nil }
        self.init(kind: kind, key: key)
    }

    public var description: String { "\(kind.rawValue).\(key)" }

    public static func < (lhs: EntityAddress, rhs: EntityAddress) -> Bool {
        lhs.kind != rhs.kind ? lhs.kind < rhs.kind : lhs.key < rhs.key
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = EntityAddress(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid address '\(text)'"))
        }
        self = parsed
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How a field is reconciled with what Stash already holds (Stash's Identify vocabulary).
public enum FieldStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Set single values only when Stash's is empty; add missing list items. The default.
    case merge
    /// Replace Stash's value.
    case overwrite
    /// Never touch the field.
    case ignore
}

/// One field the rules want set, in Stash's own field name (`title`, `urls`, `performer_ids`…).
public struct DesiredField: Sendable, Hashable, Codable {
    /// Stash input field name, e.g. `title`, `code`, `details`, `date`, `urls`, `studio_id`,
    /// `performer_ids`, `tag_ids`, `organized`, `name`, `disambiguation`, `alias_list`, `aliases`,
    /// `country`, `image`, `parent_id`, `parent_ids`, `gallery_id`, `image_index`, `gallery_ids`.
    public var name: String
    public var value: FieldValue
    public var strategy: FieldStrategy
    public init(name: String, value: FieldValue, strategy: FieldStrategy = .merge) {
        self.name = name; self.value = value; self.strategy = strategy
    }
}

/// How an existing Stash object may be recognised, in order of preference.
public enum MatchKey: Sendable, Hashable, Codable {
    /// Performer/studio/tag by name or alias, case-insensitive (performers: with disambiguation).
    case name(String, disambiguation: String?)
    /// Any object by one of its URLs.
    case url(String)
    /// Gallery/scene/image by `code`.
    case code(String)
    /// Scene/image by a media id token (`id_<n>` / `preview_id_<n>`) in a file name.
    case fileMediaId(FanslyID)
    /// A Stash id the downloader itself recorded (`stash_id` columns): a hint, verified before use.
    case stashIdHint(String)
}

/// A file the downloader wrote for a media item, and where Stash should see it.
public struct ExpectedFile: Sendable, Hashable, Codable {
    /// The id in the file name.
    public var fileMediaId: FanslyID
    public var isPreview: Bool
    /// Basename from the database, when known.
    public var basename: String?
    /// Folders (in Stash's view, after path mapping) where the file is looked for.
    public var folders: [String]
    public init(fileMediaId: FanslyID, isPreview: Bool, basename: String?, folders: [String]) {
        self.fileMediaId = fileMediaId; self.isPreview = isPreview; self.basename = basename; self.folders = folders
    }
}

/// One Stash object the rules want to exist with these fields.
public struct DesiredEntity: Sendable, Hashable, Codable {
    public var address: EntityAddress
    /// Fields in a stable order (as the rules list them).
    public var fields: [DesiredField]
    public var match: [MatchKey]
    /// Create the object when nothing matches (never for scenes and images: Stash creates those by scanning).
    public var createMissing: Bool
    /// Leave the object alone when Stash marks it organized.
    public var respectOrganized: Bool
    /// Username of the creator this entity comes from (nil for shared entities like tags and the network studio).
    public var creator: String?
    /// Scenes/images: the file(s) that should be in Stash.
    public var files: [ExpectedFile]
    /// Where it comes from, for people: `post 537124881301504299, media 2/3`.
    public var source: String

    public init(
        address: EntityAddress, fields: [DesiredField], match: [MatchKey] = [], createMissing: Bool = true,
        respectOrganized: Bool = true, creator: String? = nil, files: [ExpectedFile] = [], source: String = ""
    ) {
        self.address = address; self.fields = fields; self.match = match; self.createMissing = createMissing
        self.respectOrganized = respectOrganized; self.creator = creator; self.files = files; self.source = source
    }

    /// The field named `name`, if the rules set it.
    public subscript(field name: String) -> DesiredField? { fields.first { $0.name == name } }
}

/// Everything the rules want, keyed by address. Entities with the same address produced from
/// several rows (a tag used by many posts, a media shown in two posts) are merged by the engine.
public struct DesiredState: Sendable, Hashable, Codable {
    /// Sorted by address (phase order, then key).
    public var entities: [DesiredEntity]
    /// Per creator username: the folders, in Stash's view, that hold its files.
    public var creatorFolders: [String: [String]]
    /// How `creatorFolders` derive from the download folder (set by the engine; not encoded).
    public var folderLayout: FolderLayout?
    public init(entities: [DesiredEntity], creatorFolders: [String: [String]] = [:], folderLayout: FolderLayout? = nil)
    {
        self.entities = entities; self.creatorFolders = creatorFolders; self.folderLayout = folderLayout
    }

    private enum CodingKeys: String, CodingKey { case entities, creatorFolders }
}

extension MatchKey {
    private enum CodingKeys: String, CodingKey {
        case name, disambiguation, url, code
        case fileMediaId = "file_media_id"
        case stashIdHint = "stash_id_hint"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let name = try container.decodeIfPresent(String.self, forKey: .name) {
            self = .name(name, disambiguation: try container.decodeIfPresent(String.self, forKey: .disambiguation))
        } else if let url = try container.decodeIfPresent(String.self, forKey: .url) {
            self = .url(url)
        } else if let code = try container.decodeIfPresent(String.self, forKey: .code) {
            self = .code(code)
        } else if let id = try container.decodeIfPresent(FanslyID.self, forKey: .fileMediaId) {
            self = .fileMediaId(id)
        } else if let hint = try container.decodeIfPresent(String.self, forKey: .stashIdHint) {
            self = .stashIdHint(hint)
        } else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a match key has one of: name, url, code, file_media_id, stash_id_hint"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .name(let name, let disambiguation):
            try container.encode(name, forKey: .name)
            try container.encodeIfPresent(disambiguation, forKey: .disambiguation)
        case .url(let url): try container.encode(url, forKey: .url)
        case .code(let code): try container.encode(code, forKey: .code)
        case .fileMediaId(let id): try container.encode(id, forKey: .fileMediaId)
        case .stashIdHint(let hint): try container.encode(hint, forKey: .stashIdHint)
        }
    }
}
