/// What a Stash field holds, as fansly-stash plans and writes it.
public enum StashValueType: Sendable, Hashable {
    /// A string (`""` and null mean unset).
    case text
    /// A calendar date `YYYY-MM-DD`.
    case date
    case int
    case bool
    /// Strings Stash keeps as a set (urls; aliases, which are also unique ignoring case).
    case strings(ignoringCase: Bool)
    /// One related object of this kind, sent as its id.
    case reference(EntityKind)
    /// Related objects of this kind, a set of ids.
    case references(EntityKind)
}

/// How rule files fill a Stash field: the key under `fields:` and, for references, which
/// symbolic sources may name the related objects.
struct RuleBinding: Sendable {
    /// The key in rule files (`performers`), which may differ from Stash's name (`performer_ids`).
    let key: String
    /// For reference fields: the words the rules may give (`creator`, `network`…).
    let sources: [ReferenceSource]
    /// A note for editors, written into the JSON Schema.
    let note: String?
}

/// One field of one kind of Stash object.
public struct StashField: Sendable {
    /// Stash's input field name (`title`, `studio_id`, `photographer`).
    public let name: String
    public let type: StashValueType
    /// The Stash version that added the field; nil when every supported Stash has it.
    public let since: String?
    /// How rule files set it; nil when the rules cannot.
    let rule: RuleBinding?
    /// The field of Stash's object that the plan reads it back from to compare (`studio` for
    /// `studio_id`, `parent_studio` for `parent_id`); nil when it is never read back.
    public let output: String?

    /// The field's value type as the rule compiler reads it.
    var ruleType: FieldType {
        switch type {
        case .text: return .text
        case .date: return .date
        case .int: return .int
        case .bool: return .bool
        case .strings: return .list
        case .reference: return .reference(rule?.sources ?? [])
        case .references: return .references(rule?.sources ?? [])
        }
    }
}

/// Stash's objects as fansly-stash reads and writes them: per kind, every field with its type,
/// whether it is a set, which Stash has it, and how the rules name it. The one place a Stash field
/// is declared: the rule compiler's field tables, the JSON Schema of rule files (`rules schema`)
/// and apply's check of what it sends are derived from it (a field apply sends must be here; the
/// client's input type decides which of them a create or an update carries).
public enum StashFieldCatalog {
    /// The fields of `kind`, in the order the rules list them (which is the order fields are planned).
    public static func fields(of kind: EntityKind) -> [StashField] {
        switch kind {
        case .scene: return scene
        case .image: return image
        case .gallery: return gallery
        case .chapter: return chapter
        case .performer: return performer
        case .studio: return studio
        case .tag: return tag
        }
    }

    /// The field `name` of `kind`; nil when the catalog has none (custom fields are not listed).
    public static func field(_ name: String, of kind: EntityKind) -> StashField? {
        fields(of: kind).first { $0.name == name }
    }

    /// The Stash version since which `kind` carries `custom_fields` (planned as `custom_fields.<name>`
    /// text fields); nil when it has none.
    public static func customFieldsSince(_ kind: EntityKind) -> String? {
        switch kind {
        case .performer: return "v0.28"
        case .scene, .image, .gallery, .studio, .tag: return "v0.31"
        case .chapter: return nil
        }
    }

    /// Custom fields are planned as the fields `custom_fields.<name>`.
    public static let customFieldPrefix = "custom_fields."

    /// Names of list fields whose items Stash compares ignoring case (on any kind).
    public static let caseInsensitiveLists: Set<String> = Set(
        EntityKind.allCases.flatMap { kind in
            fields(of: kind).compactMap { field in
                if case .strings(ignoringCase: true) = field.type { return field.name }
                return nil
            }
        })

    // MARK: Declarations

    private static func text(_ name: String, rule key: String? = nil, since: String? = nil, read: Read = .same)
        -> StashField
    {
        field(name, .text, rule: key, since: since, read: read)
    }
    private static func field(
        _ name: String, _ type: StashValueType, rule key: String? = nil, sources: [ReferenceSource] = [],
        note: String? = nil, since: String? = nil, read: Read = .same
    ) -> StashField {
        StashField(
            name: name, type: type, since: since, rule: key.map { RuleBinding(key: $0, sources: sources, note: note) },
            output: read.output(name, type))
    }

    /// Where a field is read back from: Stash's output field of the same name (for references:
    /// `studio_id` ← `studio`, `tag_ids` ← `tags`), another one, or nowhere.
    private enum Read {
        case same, from(String), never

        func output(_ name: String, _ type: StashValueType) -> String? {
            switch (self, type) {
            case (.never, _): return nil
            case (.from(let output), _): return output
            case (.same, .reference): return String(name.dropLast("_id".count))
            case (.same, .references):
                let singular = name.dropLast("_ids".count)
                return singular.hasSuffix("y") ? singular.dropLast() + "ies" : singular + "s"
            case (.same, _): return name
            }
        }
    }
    private static let set = StashValueType.strings(ignoringCase: false)
    private static let aliasSet = StashValueType.strings(ignoringCase: true)

    /// Title to organized: what scenes, images and galleries share.
    private static let media: [StashField] = [
        text("title", rule: "title"),
        text("code", rule: "code"),
        text("details", rule: "details"),
        field("date", .date, rule: "date"),
        field("urls", set, rule: "urls"),
        field("studio_id", .reference(.studio), rule: "studio", sources: [.creator, .network]),
        field("performer_ids", .references(.performer), rule: "performers", sources: [.creator, .mentions]),
        field("tag_ids", .references(.tag), rule: "tags", sources: [.hashtags, .extra]),
        field("organized", .bool, rule: "organized"),
    ]

    static let scene: [StashField] =
        media + [
            text("director", rule: "director"),
            field(
                "gallery_ids", .references(.gallery), rule: "galleries", sources: [.item],
                note: "item: the gallery of the post or message the scene comes from (Stash's gallery_ids)"),
        ]

    static let image: [StashField] =
        media + [
            text("photographer", rule: "photographer"),
            field("gallery_ids", .references(.gallery)),
        ]

    static let gallery: [StashField] =
        media + [
            text("photographer", rule: "photographer"),
            field("scene_ids", .references(.scene)),
            // Not a field of Stash's gallery inputs: apply adds images with `addGalleryImages`. Not
            // read either: the images read name their galleries.
            field("image_ids", .references(.image), read: .never),
        ]

    static let chapter: [StashField] = [
        text("title", rule: "title"),
        field("image_index", .int, rule: "image_index"),
        // Read as the gallery whose `chapters` the chapter is read with.
        field("gallery_id", .reference(.gallery), read: .never),
    ]

    static let performer: [StashField] = [
        text("name", rule: "name"),
        text("disambiguation", rule: "disambiguation"),
        field("alias_list", aliasSet, rule: "alias_list"),
        text("details", rule: "details"),
        text("country", rule: "country"),
        // An image URL or `data:` URI; Stash answers with its own URL, so it is never read back.
        text("image", rule: "image", read: .never),
        field("urls", set, rule: "urls"),
        field("birthdate", .date),
        text("gender"),
        field("favorite", .bool),
        field("tag_ids", .references(.tag)),
    ]

    static let studio: [StashField] = [
        text("name", rule: "name"),
        field("urls", set, rule: "urls"),
        field("aliases", aliasSet, rule: "aliases"),
        text("details", rule: "details"),
        text("image", rule: "image", read: .never),
        field("parent_id", .reference(.studio), rule: "parent", sources: [.network], read: .from("parent_studio")),
        field("favorite", .bool),
        field("tag_ids", .references(.tag)),
        // Also the object's organized flag (`respectOrganized`); the rules do not set it.
        field("organized", .bool, since: "v0.31"),
    ]

    static let tag: [StashField] = [
        text("name"),
        text("sort_name"),
        text("description"),
        field("aliases", aliasSet),
        field("favorite", .bool),
        field("ignore_auto_tag", .bool),
        field("parent_ids", .references(.tag), read: .from("parents")),
    ]
}

extension StashValueType {
    /// True when `value` is a value of this type (a date may also come as text).
    public func accepts(_ value: FieldValue) -> Bool {
        switch (self, value) {
        case (.text, .string), (.date, .date), (.date, .string), (.int, .int), (.bool, .bool),
            (.strings, .strings), (.reference, .ref), (.references, .refs):
            return true
        default:
            return false
        }
    }
}
