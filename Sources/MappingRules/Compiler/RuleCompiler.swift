import Foundation

/// Reads a merged `RuleNode` tree into the rule model, reporting every problem with its position.
struct RuleCompiler {
    let sink: DiagnosticSink
    var vocabulary = Vocabulary.empty
    var respectOrganizedDefault = true
    /// Numbers field rules in file order (`FieldRule.id`), for the engine's per-rule caches.
    var nextFieldId = 0

    init(sink: DiagnosticSink) { self.sink = sink }

    // MARK: Field tables

    struct FieldSpec {
        /// The key in rule files (`performers`).
        let name: String
        /// Stash's field name (`performer_ids`).
        let output: String
        let type: FieldType
        /// A note for editors, written into the JSON Schema.
        var note: String? = nil
    }

    /// The fields rule files may set on `kind`, from `StashFieldCatalog`, in its order.
    static func fieldSpecs(_ kind: EntityKind) -> [FieldSpec] {
        StashFieldCatalog.fields(of: kind).compactMap { field in
            field.rule.map { FieldSpec(name: $0.key, output: field.name, type: field.ruleType, note: $0.note) }
        }
    }

    static let sceneFields = fieldSpecs(.scene)
    static let imageFields = fieldSpecs(.image)
    static let galleryFields = fieldSpecs(.gallery)
    static let performerFields = fieldSpecs(.performer)
    static let studioFields = fieldSpecs(.studio)
    /// The network studio is the top of the tree: no parent.
    static let networkFields = studioFields.filter { $0.name != "parent" }
    static let chapterFields = fieldSpecs(.chapter)

    enum EntityKindRule { case gallery, scene, image, performer, studio, chapter, networkStudio }

    // MARK: Scopes

    static let itemRoots: Roots = [.account, .item]
    /// `item.caption` when the rules do not say: the first line without #hashtags and @handles.
    static let defaultCaption = "{{ item.content | firstLine | stripHashtags | stripMentions }}"
    static let postRoots: Roots = [.account, .item, .post]
    static let messageRoots: Roots = [.account, .item, .message]
    static let bundleRoots: Roots = [.account, .item, .bundle]
    static let mediaRoots: Roots = [.media, .position]

    // MARK: Top level

    static let topKeys = [
        "version", "extends", "settings", "urls", "network", "account", "post", "message", "bundle",
        "media", "wall", "mention", "tags",
    ]

    mutating func compile(_ root: RuleNode, files: [String]) -> RuleSet {
        guard expectMapping(root, "the rule file") != nil else { return RuleSet.empty(files: files) }
        checkKeys(root, allowed: RuleCompiler.topKeys, path: "")
        if let version = root["version"] {
            if version.int != 1 {
                sink.error(
                    version.location,
                    "version must be 1 (the only rule format this build reads), got \(version.kindName)")
            }
        }
        if let extends = root["extends"], extends.scalar != "default" {
            sink.error(extends.location, "extends must be 'default' (the built-in rules), got \(extends.kindName)")
        }

        // Vocabulary and settings first: templates elsewhere depend on them.
        if let words = root["tags"]?["words"] { vocabulary = Vocabulary(stringList(words, "tags.words")) }
        let settings = readSettings(root["settings"])
        respectOrganizedDefault = settings.respectOrganized
        var urls = readURLs(root["urls"])
        urls.caption =
            settings.caption ?? compileTemplate(
                RuleCompiler.defaultCaption, at: nil, roots: RuleCompiler.itemRoots, usage: "settings.caption")!

        let network = entity(
            root["network"], key: "studio", path: "network.studio", kind: .networkStudio, roots: [],
            fields: RuleCompiler.networkFields)
        checkKeys(root["network"], allowed: ["studio"], path: "network")

        let accountNode = root["account"]
        checkKeys(accountNode, allowed: ["when", "performer", "studio"], path: "account")
        let accountWhen = condition(accountNode?["when"], roots: .account, usage: "account conditions")
        let performer = entity(
            accountNode, key: "performer", path: "account.performer", kind: .performer, roots: .account,
            fields: RuleCompiler.performerFields, extraKeys: ["shared"])
        let shared = readShared(accountNode?["performer"]?["shared"])
        let studio = entity(
            accountNode, key: "studio", path: "account.studio", kind: .studio, roots: .account,
            fields: RuleCompiler.studioFields)

        let post = source(root["post"], path: "post", roots: RuleCompiler.postRoots)
        let message = source(root["message"], path: "message", roots: RuleCompiler.messageRoots)
        let bundle = source(root["bundle"], path: "bundle", roots: RuleCompiler.bundleRoots, media: false)
        let media = source(root["media"], path: "media", roots: RuleCompiler.itemRoots, gallery: false)

        let wallNode = root["wall"]
        checkKeys(wallNode, allowed: ["as", "when", "chapter", "gallery"], path: "wall")
        var wallMode = WallMode.none
        if let modeNode = wallNode?["as"] {
            if let text = modeNode.scalar, let mode = WallMode(rawValue: text) {
                wallMode = mode
            } else {
                sink.error(
                    modeNode.location,
                    "wall.as must be one of chapters, galleries, none; got \(modeNode.kindName)"
                        + Suggest.didYouMean(modeNode.scalar ?? "", among: WallMode.allCases.map(\.rawValue)))
            }
        } else if wallNode != nil {
            wallMode = .chapters
        }
        let wallWhen = condition(wallNode?["when"], roots: [.account, .wall], usage: "wall conditions")
        let chapter = entity(
            wallNode, key: "chapter", path: "wall.chapter", kind: .chapter, roots: [.account, .wall, .post, .item],
            fields: RuleCompiler.chapterFields)
        let wallGallery = entity(
            wallNode, key: "gallery", path: "wall.gallery", kind: .gallery, roots: [.account, .wall],
            fields: RuleCompiler.galleryFields)

        let mentionNode = root["mention"]
        checkKeys(mentionNode, allowed: ["when", "performer", "createUnknown"], path: "mention")
        let mentionCreateUnknown = mentionNode?["createUnknown"].flatMap { bool($0, "mention.createUnknown") } ?? false
        let mentionWhen = condition(mentionNode?["when"], roots: [.mention, .account], usage: "mention conditions")
        let mention = entity(
            mentionNode, key: "performer", path: "mention.performer", kind: .performer, roots: [.mention, .account],
            fields: RuleCompiler.performerFields)

        let tags = readTags(root["tags"])

        return RuleSet(
            files: files, canonicalData: RuleSet.canonical(root), settings: settings, urls: urls, network: network,
            accountWhen: accountWhen, performer: performer, sharedPerformers: shared, studio: studio,
            post: post, message: message, bundle: bundle, media: media,
            wallMode: wallMode, wallWhen: wallWhen, chapter: chapter, wallGallery: wallGallery,
            mentionWhen: mentionWhen, mentionPerformer: mention, mentionCreateUnknown: mentionCreateUnknown, tags: tags)
    }
}
