import Foundation

/// Entity rules (`gallery:`, `scene:`, `performer:`…): match, strategy, conditions, fields and custom fields.
extension RuleCompiler {
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
    mutating func entity(
        _ parent: RuleNode?, key: String, path: String, kind: EntityKindRule, roots: Roots,
        fields specs: [FieldSpec], extraKeys: [String] = []
    ) -> EntityRule {
        guard let node = parent?[key] else { return .disabled(path) }
        var rule = EntityRule(
            enabled: true, createMissing: kind != .scene && kind != .image,
            respectOrganized: respectOrganizedDefault, match: RuleCompiler.defaultMatch(kind),
            when: nil, fields: [], path: path)
        if let enabled = node.bool { rule.enabled = enabled; return enabled ? rule : .disabled(path) }
        guard expectMapping(node, path) != nil else { return .disabled(path) }
        let customFieldsKey = kind == .chapter ? [] : ["custom_fields"]
        checkKeys(
            node,
            allowed: ["enabled", "when", "createMissing", "respectOrganized", "match", "strategy", "fields"]
                + customFieldsKey + extraKeys,
            path: path)
        if let value = node["enabled"] { rule.enabled = bool(value, "\(path).enabled") ?? true }
        if let value = node["createMissing"], let create = bool(value, "\(path).createMissing") {
            if create && (kind == .scene || kind == .image) {
                sink.error(
                    value.location,
                    "\(path).createMissing cannot be true: Stash creates scenes and images by scanning files; the rules only update them"
                )
            } else {
                rule.createMissing = create
            }
        }
        if let value = node["respectOrganized"] {
            rule.respectOrganized = bool(value, "\(path).respectOrganized") ?? true
        }
        if let value = node["match"] {
            let allowed = RuleCompiler.allowedMatch(kind)
            let plural = RuleCompiler.plural(String(path.split(separator: ".").last ?? ""))
            rule.match = (value.items ?? [value]).compactMap { item in
                guard let word = text(item, "\(path).match") else { return nil }
                guard let match = MatchRule(rawValue: word), allowed.contains(match) else {
                    sink.error(
                        item.location,
                        "\(path).match: '\(word)' is not a way to match \(plural); use \(allowed.map(\.rawValue).joined(separator: ", "))"
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
        if kind != .chapter, let customNode = node["custom_fields"],
            expectMapping(customNode, "\(path).custom_fields") != nil
        {
            rule.fields += customFields(
                customNode, path: "\(path).custom_fields", roots: roots, strategy: strategy, usage: usage(path))
        }
        return rule
    }

    /// `custom_fields`: Stash custom field name → template, each planned as the field
    /// `custom_fields.<name>` (written with Stash's `partial`, never `full`).
    mutating func customFields(_ node: RuleNode, path: String, roots: Roots, strategy: FieldStrategy, usage: String)
        -> [FieldRule]
    {
        var result: [FieldRule] = []
        for entry in node.entries ?? [] {
            let name = entry.key.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(".") else {
                sink.error(
                    entry.keyLocation, "\(path): '\(entry.key)' is not a custom field name (give a name without dots)")
                continue
            }
            let spec = FieldSpec(name: name, output: StashFieldCatalog.customFieldPrefix + name, type: .text)
            if let rule = field(
                entry.value, spec: spec, path: "\(path).\(name)", roots: roots, strategy: strategy, usage: usage)
            {
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
}
