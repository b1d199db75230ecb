import Foundation
import FanslyMetadata

/// Reads a merged `RuleNode` tree into the rule model, reporting every problem with its position.
struct RuleCompiler {
    let sink: DiagnosticSink
    var vocabulary = Vocabulary.empty
    var respectOrganizedDefault = true
    private var nextFieldId = 0

    init(sink: DiagnosticSink) { self.sink = sink }

    // MARK: Field tables

    struct FieldSpec {
        let name: String
        let output: String
        let type: FieldType
    }

    static let mediaFieldsCommon: [FieldSpec] = [
        .init(name: "title", output: "title", type: .text),
        .init(name: "code", output: "code", type: .text),
        .init(name: "details", output: "details", type: .text),
        .init(name: "date", output: "date", type: .date),
        .init(name: "urls", output: "urls", type: .list),
        .init(name: "studio", output: "studio_id", type: .reference([.creator, .network])),
        .init(name: "performers", output: "performer_ids", type: .references([.creator, .mentions])),
        .init(name: "tags", output: "tag_ids", type: .references([.hashtags, .extra])),
        .init(name: "organized", output: "organized", type: .bool),
    ]
    static let sceneFields = mediaFieldsCommon + [
        .init(name: "director", output: "director", type: .text),
        .init(name: "galleries", output: "gallery_ids", type: .references([.item])),
    ]
    static let imageFields = mediaFieldsCommon + [.init(name: "photographer", output: "photographer", type: .text)]
    static let galleryFields = imageFields
    static let performerFields: [FieldSpec] = [
        .init(name: "name", output: "name", type: .text),
        .init(name: "disambiguation", output: "disambiguation", type: .text),
        .init(name: "alias_list", output: "alias_list", type: .list),
        .init(name: "details", output: "details", type: .text),
        .init(name: "country", output: "country", type: .text),
        .init(name: "image", output: "image", type: .text),
        .init(name: "urls", output: "urls", type: .list),
    ]
    static let studioFields: [FieldSpec] = [
        .init(name: "name", output: "name", type: .text),
        .init(name: "urls", output: "urls", type: .list),
        .init(name: "aliases", output: "aliases", type: .list),
        .init(name: "details", output: "details", type: .text),
        .init(name: "image", output: "image", type: .text),
        .init(name: "parent", output: "parent_id", type: .reference([.network])),
    ]
    static let networkFields = studioFields.filter { $0.name != "parent" }
    static let chapterFields: [FieldSpec] = [
        .init(name: "title", output: "title", type: .text),
        .init(name: "image_index", output: "image_index", type: .int),
    ]

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

    static let topKeys = ["version", "extends", "settings", "urls", "network", "account", "post", "message", "bundle",
                          "media", "wall", "mention", "tags"]

    mutating func compile(_ root: RuleNode, files: [String]) -> RuleSet {
        guard let _ = expectMapping(root, "the rule file") else { return RuleSet.empty(files: files) }
        checkKeys(root, allowed: RuleCompiler.topKeys, path: "")
        if let version = root["version"] {
            if version.int != 1 { sink.error(version.location, "version must be 1 (the only rule format this build reads), got \(version.kindName)") }
        }
        if let extends = root["extends"], extends.scalar != "default" {
            sink.error(extends.location, "extends must be 'default' (the built-in rules), got \(extends.kindName)")
        }

        // Vocabulary and settings first: templates elsewhere depend on them.
        if let words = root["tags"]?["words"] { vocabulary = Vocabulary(stringList(words, "tags.words")) }
        let settings = readSettings(root["settings"])
        respectOrganizedDefault = settings.respectOrganized
        var urls = readURLs(root["urls"])
        urls.caption = settings.caption ?? compileTemplate(RuleCompiler.defaultCaption, at: nil, roots: RuleCompiler.itemRoots, usage: "settings.caption")!

        let network = entity(root["network"], key: "studio", path: "network.studio", kind: .networkStudio, roots: [], fields: RuleCompiler.networkFields)
        checkKeys(root["network"], allowed: ["studio"], path: "network")

        let accountNode = root["account"]
        checkKeys(accountNode, allowed: ["when", "performer", "studio"], path: "account")
        let accountWhen = condition(accountNode?["when"], roots: .account, usage: "account conditions")
        let performer = entity(accountNode, key: "performer", path: "account.performer", kind: .performer, roots: .account,
                               fields: RuleCompiler.performerFields, extraKeys: ["shared"])
        let shared = readShared(accountNode?["performer"]?["shared"])
        let studio = entity(accountNode, key: "studio", path: "account.studio", kind: .studio, roots: .account, fields: RuleCompiler.studioFields)

        let post = source(root["post"], path: "post", roots: RuleCompiler.postRoots)
        let message = source(root["message"], path: "message", roots: RuleCompiler.messageRoots)
        let bundle = source(root["bundle"], path: "bundle", roots: RuleCompiler.bundleRoots, media: false)
        let media = source(root["media"], path: "media", roots: RuleCompiler.itemRoots, gallery: false)

        let wallNode = root["wall"]
        checkKeys(wallNode, allowed: ["as", "when", "chapter", "gallery"], path: "wall")
        var wallMode = WallMode.none
        if let modeNode = wallNode?["as"] {
            if let text = modeNode.scalar, let mode = WallMode(rawValue: text) { wallMode = mode } else {
                sink.error(modeNode.location, "wall.as must be one of chapters, galleries, none; got \(modeNode.kindName)"
                           + Suggest.didYouMean(modeNode.scalar ?? "", among: WallMode.allCases.map(\.rawValue)))
            }
        } else if wallNode != nil {
            wallMode = .chapters
        }
        let wallWhen = condition(wallNode?["when"], roots: [.account, .wall], usage: "wall conditions")
        let chapter = entity(wallNode, key: "chapter", path: "wall.chapter", kind: .chapter, roots: [.account, .wall, .post, .item], fields: RuleCompiler.chapterFields)
        let wallGallery = entity(wallNode, key: "gallery", path: "wall.gallery", kind: .gallery, roots: [.account, .wall], fields: RuleCompiler.galleryFields)

        let mentionNode = root["mention"]
        checkKeys(mentionNode, allowed: ["when", "performer", "createUnknown"], path: "mention")
        let mentionCreateUnknown = mentionNode?["createUnknown"].flatMap { bool($0, "mention.createUnknown") } ?? false
        let mentionWhen = condition(mentionNode?["when"], roots: [.mention, .account], usage: "mention conditions")
        let mention = entity(mentionNode, key: "performer", path: "mention.performer", kind: .performer, roots: [.mention, .account], fields: RuleCompiler.performerFields)

        let tags = readTags(root["tags"])

        return RuleSet(files: files, canonicalData: RuleSet.canonical(root), settings: settings, urls: urls, network: network,
                       accountWhen: accountWhen, performer: performer, sharedPerformers: shared, studio: studio,
                       post: post, message: message, bundle: bundle, media: media,
                       wallMode: wallMode, wallWhen: wallWhen, chapter: chapter, wallGallery: wallGallery,
                       mentionWhen: mentionWhen, mentionPerformer: mention, mentionCreateUnknown: mentionCreateUnknown, tags: tags)
    }

    // MARK: Sections

    mutating func readSettings(_ node: RuleNode?) -> Settings {
        var settings = Settings()
        guard let node, expectMapping(node, "settings") != nil else {
            settings.creatorFolders = [compileTemplate("{{ account.username }}_fansly", at: nil, roots: .account, usage: "settings.creatorFolders")!]
            return settings
        }
        checkKeys(node, allowed: ["respectOrganized", "downloadRoot", "pathMap", "creatorFolders", "caption"], path: "settings")
        if let value = node["caption"], let source = text(value, "settings.caption"),
           let template = compileTemplate(source, at: value, roots: RuleCompiler.itemRoots, usage: "settings.caption") {
            if template.variables.contains(.itemCaption) {
                sink.error(value.contentLocation, "settings.caption cannot use item.caption (it is what it defines)")
            } else {
                settings.caption = template
            }
        }
        if let value = node["respectOrganized"] { settings.respectOrganized = bool(value, "settings.respectOrganized") ?? true }
        if let value = node["downloadRoot"], let root = text(value, "settings.downloadRoot"), !root.isEmpty {
            settings.downloadRoot = LocalPath.resolve(root, relativeToFile: value.location.file)
            settings.downloadRootLocation = value.location
        }
        if let value = node["pathMap"] {
            for item in sequence(value, "settings.pathMap") {
                guard expectMapping(item, "a settings.pathMap entry") != nil else { continue }
                checkKeys(item, allowed: ["from", "to"], path: "settings.pathMap")
                guard let from = required(item, "from", "settings.pathMap entry").flatMap({ text($0, "pathMap.from") }),
                      let to = required(item, "to", "settings.pathMap entry").flatMap({ text($0, "pathMap.to") }) else { continue }
                if !from.hasPrefix("/") && !from.contains(":") {
                    sink.error(item["from"]!.location, "pathMap.from must be an absolute path, got '\(from)'")
                }
                settings.pathMap.append(PathMapping(from: from, to: to))
            }
        }
        if let value = node["creatorFolders"] {
            settings.creatorFolders = sequence(value, "settings.creatorFolders").compactMap {
                guard let source = text($0, "settings.creatorFolders") else { return nil }
                return compileTemplate(source, at: $0, roots: .account, usage: "settings.creatorFolders")
            }
        } else {
            settings.creatorFolders = [compileTemplate("{{ account.username }}_fansly", at: nil, roots: .account, usage: "settings.creatorFolders")!]
        }
        return settings
    }

    mutating func readURLs(_ node: RuleNode?) -> URLTemplates {
        var urls = URLTemplates()
        guard let node, expectMapping(node, "urls") != nil else { return urls }
        checkKeys(node, allowed: ["post", "message", "account", "performer", "bundle"], path: "urls")
        func read(_ key: String, _ roots: Roots) -> Template? {
            guard let value = node[key], let source = text(value, "urls.\(key)") else { return nil }
            return compileTemplate(source, at: value, roots: roots, usage: "urls.\(key)", allowsURLs: false)
        }
        if let t = read("post", RuleCompiler.postRoots) { urls.post = t }
        if let t = read("message", RuleCompiler.messageRoots) { urls.message = t }
        if let t = read("account", .account) { urls.account = t }
        if let t = read("performer", .account) { urls.performer = t }
        if let t = read("bundle", RuleCompiler.bundleRoots) { urls.bundle = t }
        return urls
    }

    mutating func source(_ node: RuleNode?, path: String, roots: Roots, gallery: Bool = true, media: Bool = true) -> SourceRules {
        var allowed = ["when"]
        if gallery { allowed.append("gallery") }
        if media { allowed += ["scene", "image"] }
        checkKeys(node, allowed: allowed, path: path)
        let usage = path == "media" ? "loose media" : "\(path)s"
        let when = condition(node?["when"], roots: roots, usage: "\(usage) conditions")
        // Only posts and messages have videos a gallery could group.
        let groupsVideos = path == "post" || path == "message"
        var galleryRule = gallery
            ? entity(node, key: "gallery", path: "\(path).gallery", kind: .gallery, roots: roots, fields: RuleCompiler.galleryFields,
                     extraKeys: groupsVideos ? ["withoutImages"] : [])
            : .disabled("\(path).gallery")
        if groupsVideos, galleryRule.enabled, let value = node?["gallery"]?["withoutImages"] {
            galleryRule.withoutImages = bool(value, "\(path).gallery.withoutImages") ?? false
        }
        let mediaRoots = roots.union(RuleCompiler.mediaRoots)
        // Loose media belong to no post or message, so no gallery to link their scenes to.
        let sceneFields = groupsVideos ? RuleCompiler.sceneFields : RuleCompiler.sceneFields.filter { $0.name != "galleries" }
        let scene = media ? entity(node, key: "scene", path: "\(path).scene", kind: .scene, roots: mediaRoots, fields: sceneFields) : .disabled("\(path).scene")
        let image = media ? entity(node, key: "image", path: "\(path).image", kind: .image, roots: mediaRoots, fields: RuleCompiler.imageFields) : .disabled("\(path).image")
        return SourceRules(when: when, gallery: galleryRule, scene: scene, image: image)
    }

    static func defaultMatch(_ kind: EntityKindRule) -> [MatchRule] {
        switch kind {
        case .gallery: return [.code, .url]
        case .scene, .image: return [.file]
        case .performer: return [.name, .url]
        case .studio, .networkStudio: return [.name]
        case .chapter: return [.name]
        }
    }

    static func allowedMatch(_ kind: EntityKindRule) -> [MatchRule] {
        switch kind {
        case .gallery: return [.code, .url, .stashId]
        case .scene, .image: return [.file, .code, .url, .stashId]
        case .performer: return [.name, .url, .stashId]
        case .studio, .networkStudio: return [.name, .url]
        case .chapter: return [.name]
        }
    }

    /// Reads `parent[key]` as an entity rule; absent means disabled.
    mutating func entity(_ parent: RuleNode?, key: String, path: String, kind: EntityKindRule, roots: Roots,
                         fields specs: [FieldSpec], extraKeys: [String] = []) -> EntityRule {
        guard let node = parent?[key] else { return .disabled(path) }
        var rule = EntityRule(enabled: true, createMissing: kind != .scene && kind != .image,
                              respectOrganized: respectOrganizedDefault, match: RuleCompiler.defaultMatch(kind),
                              when: nil, fields: [], path: path)
        if let enabled = node.bool { rule.enabled = enabled; return enabled ? rule : .disabled(path) }
        guard expectMapping(node, path) != nil else { return .disabled(path) }
        let customFieldsKey = kind == .chapter ? [] : ["custom_fields"]
        checkKeys(node, allowed: ["enabled", "when", "createMissing", "respectOrganized", "match", "strategy", "fields"] + customFieldsKey + extraKeys,
                  path: path)
        if let value = node["enabled"] { rule.enabled = bool(value, "\(path).enabled") ?? true }
        if let value = node["createMissing"], let create = bool(value, "\(path).createMissing") {
            if create && (kind == .scene || kind == .image) {
                sink.error(value.location, "\(path).createMissing cannot be true: Stash creates scenes and images by scanning files; the rules only update them")
            } else {
                rule.createMissing = create
            }
        }
        if let value = node["respectOrganized"] { rule.respectOrganized = bool(value, "\(path).respectOrganized") ?? true }
        if let value = node["match"] {
            let allowed = RuleCompiler.allowedMatch(kind)
            let plural = RuleCompiler.plural(String(path.split(separator: ".").last ?? ""))
            rule.match = (value.items ?? [value]).compactMap { item in
                guard let word = text(item, "\(path).match") else { return nil }
                guard let match = MatchRule(rawValue: word), allowed.contains(match) else {
                    sink.error(item.location, "\(path).match: '\(word)' is not a way to match \(plural); use \(allowed.map(\.rawValue).joined(separator: ", "))"
                               + Suggest.didYouMean(word, among: allowed.map(\.rawValue)))
                    return nil
                }
                return match
            }
        }
        var strategy = FieldStrategy.merge
        if let value = node["strategy"] { strategy = self.strategy(value, "\(path).strategy") ?? .merge }
        rule.when = condition(node["when"], roots: roots, usage: usage(path))
        if let fieldsNode = node["fields"], expectMapping(fieldsNode, "\(path).fields") != nil {
            rule.fields = fields(fieldsNode, specs: specs, path: "\(path).fields", roots: roots, strategy: strategy)
        }
        if kind != .chapter, let customNode = node["custom_fields"], expectMapping(customNode, "\(path).custom_fields") != nil {
            rule.fields += customFields(customNode, path: "\(path).custom_fields", roots: roots, strategy: strategy, usage: usage(path))
        }
        return rule
    }

    /// `custom_fields`: Stash custom field name → template, each planned as the field
    /// `custom_fields.<name>` (written with Stash's `partial`, never `full`).
    mutating func customFields(_ node: RuleNode, path: String, roots: Roots, strategy: FieldStrategy, usage: String) -> [FieldRule] {
        var result: [FieldRule] = []
        for entry in node.entries ?? [] {
            let name = entry.key.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(".") else {
                sink.error(entry.keyLocation, "\(path): '\(entry.key)' is not a custom field name (give a name without dots)")
                continue
            }
            let spec = FieldSpec(name: name, output: "custom_fields." + name, type: .text)
            if let rule = field(entry.value, spec: spec, path: "\(path).\(name)", roots: roots, strategy: strategy, usage: usage) {
                result.append(rule)
            }
        }
        return result
    }

    static func plural(_ word: String) -> String {
        switch word {
        case "gallery": return "galleries"
        case "studio": return "studios"
        default: return word + "s"
        }
    }

    /// Whether a field's value is the same for every media of one post (the engine does not cache
    /// message media, whose account is each media's owner).
    static func sameForEveryMedia(_ rule: FieldRule) -> Bool {
        var variables: [Variable] = []
        switch rule.source {
        case .template(let template): variables += template.variables
        case .firstOf(let templates), .list(let templates): variables += templates.flatMap(\.variables)
        case .bool: break
        case .references(let sources):
            // Extra tags test the media.
            if sources.contains(.extra) { return false }
        }
        variables += rule.when?.variables ?? []
        for (step, when, _) in rule.postProcess {
            variables += when?.variables ?? []
            switch step {
            case .append(let template), .prepend(let template): variables += template.variables
            default: break
            }
        }
        // url.* templates are checked when they load and never read media variables.
        return !variables.contains { $0.root == .media || $0.root == .position }
    }

    func usage(_ path: String) -> String {
        switch path {
        case "post.gallery": return "post galleries"
        case "post.scene", "post.image": return "\(path.dropFirst(5))s of posts"
        case "message.gallery": return "message galleries"
        case "message.scene", "message.image": return "\(path.dropFirst(8))s of messages"
        case "bundle.gallery": return "bundle galleries"
        case "media.scene", "media.image": return "\(path.dropFirst(6))s of loose media"
        default: return path
        }
    }

    mutating func fields(_ node: RuleNode, specs: [FieldSpec], path: String, roots: Roots, strategy: FieldStrategy) -> [FieldRule] {
        var result: [FieldRule] = []
        for entry in node.entries ?? [] {
            guard let spec = specs.first(where: { $0.name == entry.key }) else {
                let stashNames = specs.first { $0.output == entry.key }
                let hint = stashNames.map { "; in rule files write '\($0.name)' (it becomes Stash's \($0.output))" }
                    ?? Suggest.didYouMean(entry.key, among: specs.map(\.name))
                sink.error(entry.keyLocation, "unknown field '\(entry.key)' in \(path)\(hint) (fields here: \(specs.map(\.name).joined(separator: ", ")))")
                continue
            }
            if let rule = field(entry.value, spec: spec, path: "\(path).\(spec.name)", roots: roots, strategy: strategy, usage: usage(String(path.dropLast(7)))) {
                result.append(rule)
            }
        }
        return result
    }

    mutating func field(_ node: RuleNode, spec: FieldSpec, path: String, roots: Roots, strategy: FieldStrategy, usage: String) -> FieldRule? {
        var strategy = strategy
        var when: Condition?
        var steps: [(PostStep, Condition?, SourceLocation)] = []
        var valueNode = node
        var isFirstOf = false
        if let entries = node.entries {
            // Long form.
            checkKeys(node, allowed: ["value", "firstOf", "postProcess", "strategy", "when"], path: path)
            if let s = node["strategy"] { strategy = self.strategy(s, "\(path).strategy") ?? strategy }
            when = condition(node["when"], roots: roots, usage: usage)
            if let pp = node["postProcess"] { steps = postProcess(pp, path: "\(path).postProcess", roots: roots, usage: usage) }
            let hasValue = entries.contains { $0.key == "value" }, hasFirstOf = entries.contains { $0.key == "firstOf" }
            if hasValue && hasFirstOf {
                sink.error(node.location, "\(path): give either value or firstOf, not both")
                return nil
            }
            if let v = node["value"] { valueNode = v } else if let f = node["firstOf"] { valueNode = f; isFirstOf = true } else {
                if strategy == .ignore {
                    return FieldRule(name: spec.name, output: spec.output, type: spec.type, source: .list([]), postProcess: [],
                                     strategy: .ignore, when: nil, location: node.location, path: path)
                }
                sink.error(node.location, "\(path) needs a value: (a template) or firstOf: (a fallback chain)")
                return nil
            }
        }
        guard let source = value(valueNode, spec: spec, path: path, roots: roots, usage: usage, firstOf: isFirstOf) else { return nil }
        var rule = FieldRule(name: spec.name, output: spec.output, type: spec.type, source: source, postProcess: steps,
                             strategy: strategy, when: when, location: valueNode.location, path: path)
        nextFieldId += 1
        rule.id = nextFieldId
        rule.sameForEveryMedia = RuleCompiler.sameForEveryMedia(rule)
        return rule
    }

    mutating func value(_ node: RuleNode, spec: FieldSpec, path: String, roots: Roots, usage: String, firstOf: Bool) -> ValueSource? {
        switch spec.type {
        case .reference(let allowed), .references(let allowed):
            var single = false
            if case .reference = spec.type { single = true }
            let words: [RuleNode]
            if node.items != nil {
                if single { sink.error(node.location, "\(path) takes one source (\(allowed.map(\.rawValue).joined(separator: " or "))), not a list"); return nil }
                words = node.items!
            } else if node.isNull {
                return .references([])
            } else {
                words = [node]
            }
            var sources: [ReferenceSource] = []
            for word in words {
                guard let text = text(word, path) else { continue }
                if text == "none" { continue }
                guard let source = ReferenceSource(rawValue: text), allowed.contains(source) else {
                    sink.error(word.contentLocation, "\(path): '\(text)' is not a source here; use \(allowed.map(\.rawValue).joined(separator: ", ")) or none"
                               + Suggest.didYouMean(text, among: allowed.map(\.rawValue)))
                    continue
                }
                sources.append(source)
            }
            return .references(sources)
        case .bool:
            if let flag = node.bool { return .bool(flag) }
            guard let source = text(node, path) else { return nil }
            if !source.contains("{{") {
                sink.error(node.contentLocation, "\(path) must be true, false or a template, got '\(source)'")
                return nil
            }
            return compileTemplate(source, at: node, roots: roots, usage: usage).map(ValueSource.template)
        case .list:
            if firstOf { return templates(node, path: path, roots: roots, usage: usage).map(ValueSource.firstOf) }
            if node.items != nil { return templates(node, path: path, roots: roots, usage: usage).map(ValueSource.list) }
            guard let source = text(node, path) else { return nil }
            return compileTemplate(source, at: node, roots: roots, usage: usage).map { .list([$0]) }
        case .text, .date, .int:
            if firstOf || node.items != nil {
                if node.items != nil && !firstOf {
                    sink.error(node.location, "\(path) takes a single value, got a list; write firstOf: [...] for a fallback chain")
                    return nil
                }
                return templates(node, path: path, roots: roots, usage: usage).map(ValueSource.firstOf)
            }
            guard let source = text(node, path) else { return nil }
            if case .int = spec.type, !source.contains("{{"), Int(source) == nil {
                sink.error(node.contentLocation, "\(path) must be a whole number or a template, got '\(source)'")
                return nil
            }
            return compileTemplate(source, at: node, roots: roots, usage: usage).map(ValueSource.template)
        }
    }

    mutating func templates(_ node: RuleNode, path: String, roots: Roots, usage: String) -> [Template]? {
        var result: [Template] = []
        var ok = true
        for item in node.items ?? [node] {
            guard let source = text(item, path), let template = compileTemplate(source, at: item, roots: roots, usage: usage) else { ok = false; continue }
            result.append(template)
        }
        return ok ? result : nil
    }

    static let postProcessKeys = ["replace", "map", "parseDate", "formatDate", "append", "prepend"]

    mutating func postProcess(_ node: RuleNode, path: String, roots: Roots, usage: String) -> [(PostStep, Condition?, SourceLocation)] {
        var steps: [(PostStep, Condition?, SourceLocation)] = []
        for item in sequence(node, path) {
            guard let entries = item.entries else {
                sink.error(item.location, "each \(path) step is a mapping such as replace:, map:, parseDate:, formatDate:, append: or prepend:, got \(item.kindName)")
                continue
            }
            let ops = entries.filter { $0.key != "when" }
            guard ops.count == 1, let op = ops.first else {
                sink.error(item.location, "each \(path) step has exactly one of \(RuleCompiler.postProcessKeys.joined(separator: ", ")) (plus an optional when:); split it into several steps")
                continue
            }
            let when = condition(item["when"], roots: roots, usage: usage)
            switch op.key {
            case "replace":
                var pairs: [(RegexBox, String)] = []
                for pair in sequence(op.value, "\(path).replace") {
                    guard expectMapping(pair, "a replace entry") != nil else { continue }
                    checkKeys(pair, allowed: ["regex", "with"], path: "\(path).replace")
                    guard let regexNode = required(pair, "regex", "replace entry"), let pattern = text(regexNode, "regex") else { continue }
                    let with = pair["with"].flatMap { text($0, "with") } ?? ""
                    switch RegexBox.compile(pattern) {
                    case .success(let regex): pairs.append((regex, with))
                    case .failure(let message): sink.error(regexNode.contentLocation, message)
                    }
                }
                steps.append((.replace(pairs), when, item.location))
            case "map":
                guard let entries = op.value.entries else {
                    sink.error(op.value.location, "\(path).map is a mapping of value: replacement, got \(op.value.kindName)")
                    continue
                }
                var table: [String: String] = [:]
                for entry in entries { table[entry.key] = entry.value.scalar ?? "" }
                steps.append((.map(table), when, item.location))
            case "parseDate", "formatDate":
                guard let layout = text(op.value, "\(path).\(op.key)"), !layout.isEmpty else { continue }
                steps.append((op.key == "parseDate" ? .parseDate(layout) : .formatDate(layout), when, item.location))
            case "append", "prepend":
                guard let source = text(op.value, "\(path).\(op.key)"),
                      let template = compileTemplate(source, at: op.value, roots: roots, usage: usage) else { continue }
                steps.append((op.key == "append" ? .append(template) : .prepend(template), when, item.location))
            default:
                sink.error(op.keyLocation, "unknown postProcess step '\(op.key)'" + Suggest.didYouMean(op.key, among: RuleCompiler.postProcessKeys)
                           + " (steps: \(RuleCompiler.postProcessKeys.joined(separator: ", ")))")
            }
        }
        return steps
    }

    mutating func readShared(_ node: RuleNode?) -> [String: [SharedPerformer]] {
        guard let node, expectMapping(node, "account.performer.shared") != nil else { return [:] }
        var result: [String: [SharedPerformer]] = [:]
        for entry in node.entries ?? [] {
            let path = "account.performer.shared.\(entry.key)"
            let items = sequence(entry.value, path)
            if items.isEmpty { sink.error(entry.value.location, "\(path) lists the performers this account stands for; it is empty") }
            var performers: [SharedPerformer] = []
            for item in items {
                guard expectMapping(item, "a performer of \(path)") != nil else { continue }
                if item["name"] == nil { sink.error(item.location, "each performer of \(path) needs a name") }
                let fields = self.fields(item, specs: RuleCompiler.performerFields, path: path, roots: .account, strategy: .merge)
                performers.append(SharedPerformer(fields: fields, location: item.location))
            }
            result[entry.key.lowercased()] = performers
        }
        return result
    }

    mutating func readTags(_ node: RuleNode?) -> TagRules {
        var tags = TagRules()
        tags.vocabulary = vocabulary
        tags.respectOrganized = respectOrganizedDefault
        guard let node else { tags.hashtagsEnabled = false; return tags }
        guard expectMapping(node, "tags") != nil else { return tags }
        checkKeys(node, allowed: ["createMissing", "match", "strategy", "hashtags", "aliases", "ignore", "extra", "parents", "words", "custom_fields"],
                  path: "tags")
        if let custom = node["custom_fields"], expectMapping(custom, "tags.custom_fields") != nil {
            for entry in custom.entries ?? [] {
                guard !entry.key.isEmpty, !entry.key.contains("."),
                      let source = text(entry.value, "tags.custom_fields.\(entry.key)") else {
                    sink.error(entry.keyLocation, "tags.custom_fields: '\(entry.key)' is not a custom field name (give a name without dots)")
                    continue
                }
                if let template = compileTemplate(source, at: entry.value, roots: [], usage: "tags.custom_fields") {
                    tags.customFields.append(NamedTemplate(name: entry.key, value: template))
                }
            }
        }
        if let value = node["createMissing"] { tags.createMissing = bool(value, "tags.createMissing") ?? true }
        if let value = node["strategy"] { tags.strategy = strategy(value, "tags.strategy") ?? .merge }
        if let value = node["match"] {
            tags.match = sequence(value, "tags.match").compactMap { item in
                guard let word = text(item, "tags.match") else { return nil }
                guard word == "name" else { sink.error(item.location, "tags.match: tags are matched by name (or alias) only, got '\(word)'"); return nil }
                return .name
            }
        }
        tags.hashtagName = compileTemplate("{{ hashtag.value }}", at: nil, roots: .hashtag, usage: "tags.hashtags")!
        if let hashtags = node["hashtags"] {
            if let flag = hashtags.bool { tags.hashtagsEnabled = flag } else if expectMapping(hashtags, "tags.hashtags") != nil {
                checkKeys(hashtags, allowed: ["enabled", "when", "name", "keepHashtagAlias"], path: "tags.hashtags")
                if let value = hashtags["enabled"] { tags.hashtagsEnabled = bool(value, "tags.hashtags.enabled") ?? true }
                if let value = hashtags["keepHashtagAlias"] { tags.keepHashtagAlias = bool(value, "tags.hashtags.keepHashtagAlias") ?? true }
                tags.hashtagWhen = condition(hashtags["when"], roots: .hashtag, usage: "hashtag conditions")
                if let value = hashtags["name"], let source = text(value, "tags.hashtags.name"),
                   let template = compileTemplate(source, at: value, roots: .hashtag, usage: "tags.hashtags.name") {
                    tags.hashtagName = template
                    tags.hashtagNameLocation = value.contentLocation
                }
            }
        }
        if let aliases = node["aliases"], expectMapping(aliases, "tags.aliases") != nil {
            for entry in aliases.entries ?? [] {
                let list = entry.value.items != nil ? stringList(entry.value, "tags.aliases.\(entry.key)") : (text(entry.value, "tags.aliases.\(entry.key)").map { [$0] } ?? [])
                for alias in list {
                    let key = alias.lowercased()
                    if let other = tags.aliasToName[key], other != entry.key {
                        sink.error(entry.value.location, "tags.aliases: '\(alias)' is already an alias of '\(other)'; an alias can name one tag only")
                    }
                    tags.aliasToName[key] = entry.key
                }
                tags.aliasToName[entry.key.lowercased()] = entry.key
                tags.aliasesByName[entry.key] = list
                tags.aliasLocations[entry.key] = entry.keyLocation
            }
        }
        if let ignore = node["ignore"] {
            for item in sequence(ignore, "tags.ignore") {
                guard let word = text(item, "tags.ignore") else { continue }
                if word.count > 2 && word.hasPrefix("/") && word.hasSuffix("/") {
                    switch RegexBox.compile(String(word.dropFirst().dropLast())) {
                    case .success(let regex): tags.ignorePatterns.append(RegexBox(regex: try! NSRegularExpression(pattern: regex.regex.pattern, options: [.caseInsensitive])))
                    case .failure(let message): sink.error(item.contentLocation, "tags.ignore: \(message)")
                    }
                } else {
                    tags.ignoreWords.insert(word.lowercased())
                }
            }
        }
        if let extra = node["extra"] {
            for item in sequence(extra, "tags.extra") {
                guard expectMapping(item, "a tags.extra entry") != nil else { continue }
                checkKeys(item, allowed: ["name", "for", "when", "enabled"], path: "tags.extra")
                guard let nameNode = required(item, "name", "tags.extra entry"), let name = text(nameNode, "tags.extra.name"), !name.isEmpty else { continue }
                // `enabled: false` removes an entry a file extends (lists of extra tags combine by name).
                if let enabled = item["enabled"], !(bool(enabled, "tags.extra.enabled") ?? true) { continue }
                var targets = Set(ExtraTag.Target.allCases)
                if let on = item["for"] {
                    let words = on.items != nil ? on.items! : [on]
                    targets = Set(words.compactMap { word in
                        guard let w = text(word, "tags.extra.for") else { return nil }
                        guard let target = ExtraTag.Target(rawValue: w) else {
                            sink.error(word.contentLocation, "tags.extra.for: '\(w)' is not gallery, scene or image" + Suggest.didYouMean(w, among: ExtraTag.Target.allCases.map(\.rawValue)))
                            return nil
                        }
                        return target
                    })
                }
                var roots: Roots = [.account, .item, .post, .message, .bundle]
                if !targets.contains(.gallery) { roots.formUnion(RuleCompiler.mediaRoots) }
                let usage = targets.contains(.gallery) ? "extra tags for galleries" : "extra tags for scenes and images"
                let condition = self.condition(item["when"], roots: roots, usage: usage)
                // The name is a template: `{{ account.username }}` gives a tag per creator.
                guard let template = compileTemplate(name, at: nameNode, roots: roots, usage: usage) else { continue }
                tags.extra.append(ExtraTag(name: template, targets: targets, condition: condition, location: item.location))
            }
        }
        if let parents = node["parents"], expectMapping(parents, "tags.parents") != nil {
            for entry in parents.entries ?? [] {
                let list = entry.value.items != nil ? stringList(entry.value, "tags.parents.\(entry.key)") : (text(entry.value, "tags.parents.\(entry.key)").map { [$0] } ?? [])
                if list.contains(where: { $0.caseInsensitiveCompare(entry.key) == .orderedSame }) {
                    sink.error(entry.keyLocation, "tags.parents: '\(entry.key)' cannot be its own parent")
                    continue
                }
                tags.parents[entry.key.lowercased()] = list
                tags.parentLocations[entry.key.lowercased()] = entry.keyLocation
            }
            // A tag cannot be its own ancestor (Stash refuses loops).
            for start in tags.parents.keys.sorted() {
                var seen: Set<String> = [start]
                var frontier = tags.parents[start] ?? []
                while let next = frontier.popLast()?.lowercased() {
                    if next == start {
                        let entry = parents.entries!.first { $0.key.lowercased() == start }!
                        sink.error(entry.keyLocation, "tags.parents: '\(entry.key)' is its own ancestor (a loop); Stash refuses tag loops")
                        break
                    }
                    if seen.insert(next).inserted { frontier += tags.parents[next] ?? [] }
                }
            }
        }
        return tags
    }

    // MARK: Conditions

    mutating func condition(_ node: RuleNode?, roots: Roots, usage: String) -> Condition? {
        guard let node, !node.isNull else { return nil }
        guard let entries = node.entries else {
            sink.error(node.location, "when: is a mapping of variable: test (e.g. media.kind: video), got \(node.kindName)")
            return nil
        }
        var clauses: [Condition.Clause] = []
        for entry in entries {
            guard let variable = Variable.byName[entry.key] else {
                sink.error(entry.keyLocation, "unknown variable '\(entry.key)' in when:" + Suggest.didYouMean(entry.key, among: Variable.names))
                continue
            }
            if variable.root.rawValue & roots.rawValue == 0 {
                sink.error(entry.keyLocation, "'\(entry.key)' is not available in \(usage) (available here: \(roots.listing))")
                continue
            }
            if let tests = self.tests(entry.value, variable: variable, path: "when.\(entry.key)") {
                clauses.append(.init(variable: variable, tests: tests))
            }
        }
        return Condition(clauses: clauses, location: node.location)
    }

    mutating func tests(_ node: RuleNode, variable: Variable, path: String) -> [Condition.Test]? {
        if let items = node.items { return [.oneOf(items.compactMap { text($0, path) })] }
        guard let entries = node.entries else {
            guard let value = node.scalar, !node.isNull else { return [.empty(true)] }
            if variable.type == .bool && node.bool == nil {
                sink.error(node.location, "\(path) is true or false, got '\(value)'")
                return nil
            }
            return [.equals(value)]
        }
        var tests: [Condition.Test] = []
        for entry in entries {
            let value = entry.value
            func number() -> Double? {
                guard let text = value.scalar, let number = Double(text) else {
                    sink.error(value.location, "\(path).\(entry.key) must be a number, got \(value.kindName)")
                    return nil
                }
                if !variable.type.isNumeric && variable.type != .list && variable.type != .string {
                    sink.error(entry.keyLocation, "\(path).\(entry.key): '\(variable.rawValue)' is a \(variable.type.rawValue), not a number")
                }
                return number
            }
            func date() -> Date? {
                guard let text = value.scalar, let date = DateText.parse(text) else {
                    sink.error(value.location, "\(path).\(entry.key) must be a date such as 2024-01-31, got \(value.kindName)")
                    return nil
                }
                if variable.type != .date && variable.type != .string {
                    sink.error(entry.keyLocation, "\(path).\(entry.key): '\(variable.rawValue)' is a \(variable.type.rawValue), not a date")
                }
                return date
            }
            func regex() -> RegexBox? {
                guard let pattern = text(value, "\(path).\(entry.key)") else { return nil }
                switch RegexBox.compile(pattern) {
                case .success(let regex): return regex
                case .failure(let message): sink.error(value.contentLocation, "\(path).\(entry.key): \(message)"); return nil
                }
            }
            switch entry.key {
            case "equals": if let v = text(value, path) { tests.append(.equals(v)) }
            case "not": if let v = text(value, path) { tests.append(.notEquals(v)) }
            case "in": tests.append(.oneOf(stringList(value, "\(path).in")))
            case "notIn": tests.append(.noneOf(stringList(value, "\(path).notIn")))
            case "matches": if let r = regex() { tests.append(.matches(r)) }
            case "notMatches": if let r = regex() { tests.append(.notMatches(r)) }
            case "min": if let n = number() { tests.append(.min(n)) }
            case "max": if let n = number() { tests.append(.max(n)) }
            case "after": if let d = date() { tests.append(.after(d)) }
            case "before": if let d = date() { tests.append(.before(d)) }
            case "empty": if let b = bool(value, "\(path).empty") { tests.append(.empty(b)) }
            case "contains": if let v = text(value, path) { tests.append(.contains(v)) }
            default:
                sink.error(entry.keyLocation, "unknown test '\(entry.key)' in \(path)" + Suggest.didYouMean(entry.key, among: Condition.predicateKeys)
                           + " (tests: \(Condition.predicateKeys.joined(separator: ", ")))")
            }
        }
        return tests
    }

    // MARK: Scalars

    mutating func compileTemplate(_ source: String, at node: RuleNode?, roots: Roots, usage: String, allowsURLs: Bool = true) -> Template? {
        var compiler = TemplateCompiler(roots: roots, usage: usage, vocabulary: vocabulary)
        compiler.allowsURLs = allowsURLs
        let location = node?.contentLocation ?? SourceLocation(file: "<built-in>", line: 1, column: 1)
        return compiler.compile(source, at: location, sink: sink)
    }

    func checkKeys(_ node: RuleNode?, allowed: [String], path: String) {
        if let node, node.entries == nil, !node.isNull {
            sink.error(node.location, "\(path.isEmpty ? "the rule file" : path) must be a mapping (key: value lines), got \(node.kindName)")
            return
        }
        guard let entries = node?.entries else { return }
        for entry in entries where !allowed.contains(entry.key) {
            let place = path.isEmpty ? "at the top level" : "in \(path)"
            sink.error(entry.keyLocation, "unknown key '\(entry.key)' \(place)" + Suggest.didYouMean(entry.key, among: allowed)
                       + " (keys here: \(allowed.joined(separator: ", ")))")
        }
    }

    @discardableResult
    func expectMapping(_ node: RuleNode, _ what: String) -> [RuleNode.Entry]? {
        if let entries = node.entries { return entries }
        if node.isNull { return [] }
        sink.error(node.location, "\(what) must be a mapping (key: value lines), got \(node.kindName)")
        return nil
    }

    func required(_ node: RuleNode, _ key: String, _ what: String) -> RuleNode? {
        if let value = node[key] { return value }
        sink.error(node.location, "\(what) needs '\(key):'")
        return nil
    }

    func sequence(_ node: RuleNode, _ what: String) -> [RuleNode] {
        if let items = node.items { return items }
        if node.isNull { return [] }
        sink.error(node.location, "\(what) must be a list (lines starting with '- '), got \(node.kindName)")
        return []
    }

    func text(_ node: RuleNode, _ what: String) -> String? {
        if let text = node.scalar { return node.isNull ? "" : text }
        sink.error(node.location, "\(what) must be text, got \(node.kindName)")
        return nil
    }

    func stringList(_ node: RuleNode, _ what: String) -> [String] {
        sequence(node, what).compactMap { text($0, what) }
    }

    func bool(_ node: RuleNode, _ what: String) -> Bool? {
        if let value = node.bool { return value }
        sink.error(node.location, "\(what) must be true or false, got \(node.kindName)")
        return nil
    }

    func strategy(_ node: RuleNode, _ what: String) -> FieldStrategy? {
        if let word = node.scalar, let strategy = FieldStrategy(rawValue: word) { return strategy }
        sink.error(node.location, "\(what) must be merge, overwrite or ignore, got \(node.kindName)"
                   + Suggest.didYouMean(node.scalar ?? "", among: FieldStrategy.allCases.map(\.rawValue)))
        return nil
    }
}
