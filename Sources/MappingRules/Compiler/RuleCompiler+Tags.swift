import Foundation

/// The `tags:` section: words, aliases, parents, extra tags and their custom fields.
extension RuleCompiler {
    mutating func readTags(_ node: RuleNode?) -> TagRules {
        var tags = TagRules()
        tags.vocabulary = vocabulary
        tags.respectOrganized = respectOrganizedDefault
        guard let node else { tags.hashtagsEnabled = false; return tags }
        guard expectMapping(node, "tags") != nil else { return tags }
        checkKeys(
            node,
            allowed: [
                "createMissing", "match", "strategy", "hashtags", "aliases", "ignore", "extra", "parents", "words",
                "custom_fields",
            ],
            path: "tags")
        if let custom = node["custom_fields"], expectMapping(custom, "tags.custom_fields") != nil {
            for entry in custom.entries ?? [] {
                guard !entry.key.isEmpty, !entry.key.contains("."),
                    let source = text(entry.value, "tags.custom_fields.\(entry.key)")
                else {
                    sink.error(
                        entry.keyLocation,
                        "tags.custom_fields: '\(entry.key)' is not a custom field name (give a name without dots)")
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
                guard word == "name" else {
                    sink.error(item.location, "tags.match: tags are matched by name (or alias) only, got '\(word)'");
                    return nil
                }
                return .name
            }
        }
        tags.hashtagName = compileTemplate("{{ hashtag.value }}", at: nil, roots: .hashtag, usage: "tags.hashtags")!
        if let hashtags = node["hashtags"] {
            if let flag = hashtags.bool {
                tags.hashtagsEnabled = flag
            } else if expectMapping(hashtags, "tags.hashtags") != nil {
                checkKeys(hashtags, allowed: ["enabled", "when", "name", "keepHashtagAlias"], path: "tags.hashtags")
                if let value = hashtags["enabled"] {
                    tags.hashtagsEnabled = bool(value, "tags.hashtags.enabled") ?? true
                }
                if let value = hashtags["keepHashtagAlias"] {
                    tags.keepHashtagAlias = bool(value, "tags.hashtags.keepHashtagAlias") ?? true
                }
                tags.hashtagWhen = condition(hashtags["when"], roots: .hashtag, usage: "hashtag conditions")
                if let value = hashtags["name"], let source = text(value, "tags.hashtags.name"),
                    let template = compileTemplate(source, at: value, roots: .hashtag, usage: "tags.hashtags.name")
                {
                    tags.hashtagName = template
                    tags.hashtagNameLocation = value.contentLocation
                }
            }
        }
        if let aliases = node["aliases"], expectMapping(aliases, "tags.aliases") != nil {
            for entry in aliases.entries ?? [] {
                let list =
                    entry.value.items != nil
                    ? stringList(entry.value, "tags.aliases.\(entry.key)")
                    : (text(entry.value, "tags.aliases.\(entry.key)").map { [$0] } ?? [])
                for alias in list {
                    let key = alias.lowercased()
                    if let other = tags.aliasToName[key], other != entry.key {
                        sink.error(
                            entry.value.location,
                            "tags.aliases: '\(alias)' is already an alias of '\(other)'; an alias can name one tag only"
                        )
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
                    case .success(let regex):
                        tags.ignorePatterns.append(
                            RegexBox(
                                regex: try! NSRegularExpression(
                                    pattern: regex.regex.pattern, options: [.caseInsensitive])))
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
                guard let nameNode = required(item, "name", "tags.extra entry"),
                    let name = text(nameNode, "tags.extra.name"), !name.isEmpty
                else { continue }
                // `enabled: false` removes an entry a file extends (lists of extra tags combine by name).
                if let enabled = item["enabled"], !(bool(enabled, "tags.extra.enabled") ?? true) { continue }
                var targets = Set(ExtraTag.Target.allCases)
                if let on = item["for"] {
                    let words = on.items != nil ? on.items! : [on]
                    targets = Set(
                        words.compactMap { word in
                            guard let w = text(word, "tags.extra.for") else { return nil }
                            guard let target = ExtraTag.Target(rawValue: w) else {
                                sink.error(
                                    word.contentLocation,
                                    "tags.extra.for: '\(w)' is not gallery, scene or image"
                                        + Suggest.didYouMean(w, among: ExtraTag.Target.allCases.map(\.rawValue)))
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
                tags.extra.append(
                    ExtraTag(name: template, targets: targets, condition: condition, location: item.location))
            }
        }
        if let parents = node["parents"], expectMapping(parents, "tags.parents") != nil {
            for entry in parents.entries ?? [] {
                let list =
                    entry.value.items != nil
                    ? stringList(entry.value, "tags.parents.\(entry.key)")
                    : (text(entry.value, "tags.parents.\(entry.key)").map { [$0] } ?? [])
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
                        sink.error(
                            entry.keyLocation,
                            "tags.parents: '\(entry.key)' is its own ancestor (a loop); Stash refuses tag loops")
                        break
                    }
                    if seen.insert(next).inserted { frontier += tags.parents[next] ?? [] }
                }
            }
        }
        return tags
    }
}
