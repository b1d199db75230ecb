import FanslyMetadata
import Foundation

/// Tags: named tags (with aliases and parents), hashtags and extra tags.
extension Evaluation {
    /// - Parameter origin: the rule the name comes from (hashtags, an extra tag, a parent), for `rules explain`.
    func tag(named rawName: String, depth: Int = 0, origin: FieldOrigin? = nil) -> EntityAddress? {
        let trimmed = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, depth < 16 else { return nil }
        let name = rules.tags.aliasToName[trimmed.lowercased()] ?? trimmed
        let key = name.lowercased()
        if let cached = tagCache.byName[key] { return cached }
        let address = Addresses.tag(name)
        tagCache.byName[key] = address
        var fields = [DesiredField(name: "name", value: .string(name), strategy: rules.tags.strategy)]
        var aliases = rules.tags.aliasesByName[name] ?? []
        if trimmed.caseInsensitiveCompare(name) != .orderedSame { aliases.append(trimmed) }
        var seen: Set<String> = [key]
        aliases = aliases.filter { seen.insert($0.lowercased()).inserted }
        if !aliases.isEmpty {
            fields.append(DesiredField(name: "aliases", value: .strings(aliases), strategy: rules.tags.strategy))
        }
        let parentOrigin = FieldOrigin(
            rule: "tags.parents.\(name)", location: rules.tags.parentLocations[key]?.description)
        let parents = (rules.tags.parents[key] ?? []).compactMap {
            tag(named: $0, depth: depth + 1, origin: parentOrigin)
        }
        if !parents.isEmpty {
            fields.append(DesiredField(name: "parent_ids", value: .references(parents), strategy: rules.tags.strategy))
        }
        for custom in rules.tags.customFields {
            let value = custom.value.render(RecordContext(urls: rules.urls))
            if !value.isEmpty {
                fields.append(
                    DesiredField(
                        name: "custom_fields." + custom.name, value: .string(value), strategy: rules.tags.strategy))
            }
        }
        var match: [MatchKey] = [.name(name, disambiguation: nil)]
        match += aliases.map { .name($0, disambiguation: nil) }
        let origins =
            observer == nil
            ? [:]
            : tagOrigins(
                name: name, renamed: trimmed.caseInsensitiveCompare(name) != .orderedSame, origin: origin,
                hasParents: !parents.isEmpty)
        add(
            DesiredEntity(
                address: address, fields: fields, match: match, createMissing: rules.tags.createMissing,
                respectOrganized: rules.tags.respectOrganized, creator: nil, source: "tag \(name)"),
            rank: .account, origins: origins)
        return address
    }

    /// Where a tag's fields come from: its name from the rule that asked for it, or from the alias
    /// table that renamed it; its aliases from the table; its parents from `tags.parents`.
    func tagOrigins(name: String, renamed: Bool, origin: FieldOrigin?, hasParents: Bool) -> [String: FieldOrigin] {
        let table = FieldOrigin(rule: "tags.aliases.\(name)", location: rules.tags.aliasLocations[name]?.description)
        var origins = ["name": renamed ? table : origin ?? FieldOrigin(rule: "tags", location: nil)]
        origins["aliases"] =
            rules.tags.aliasLocations[name] != nil
            ? table
            : FieldOrigin(rule: "engine: the hashtag, kept as an alias (tags.hashtags.keepHashtagAlias)", location: nil)
        if hasParents {
            origins["parent_ids"] = FieldOrigin(
                rule: "tags.parents.\(name)", location: rules.tags.parentLocations[name.lowercased()]?.description)
        }
        return origins
    }

    func tags(for post: Post) -> [EntityAddress] {
        guard rules.tags.hashtagsEnabled, !post.hashtags.isEmpty else { return [] }
        var originals: [String: String] = [:]
        if usesOriginalHashtag, let content = post.content {
            let range = NSRange(content.startIndex..., in: content)
            for match in TextOps.hashtagPattern.matches(in: content, range: range) {
                guard let r = Range(match.range, in: content) else { continue }
                let word = content[r].drop { $0 == "#" }
                let key = word.lowercased()
                if originals[key] == nil { originals[key] = String(word) }
            }
        }
        var result: [EntityAddress] = []
        for hashtag in post.hashtags {
            let original = originals[hashtag.value.lowercased()]
            let cacheKey = original.map { "\(hashtag.value)\u{1}\($0)" } ?? hashtag.value
            if let cached = tagCache.byHashtag[cacheKey] {
                if let address = cached, !result.contains(address) { result.append(address) }
                continue
            }
            var context = RecordContext(urls: rules.urls)
            context.hashtag = hashtag
            context.hashtagOriginal = original
            var address: EntityAddress?
            if rules.tags.hashtagWhen?.holds(context) ?? true, !rules.tags.isIgnored(hashtag.value) {
                let name = rules.tags.hashtagName.render(context).trimmingCharacters(in: .whitespacesAndNewlines)
                if !name.isEmpty, !rules.tags.isIgnored(name) {
                    address = tag(
                        named: name,
                        origin: FieldOrigin(
                            rule: "tags.hashtags.name", location: rules.tags.hashtagNameLocation?.description))
                    if let address, rules.tags.keepHashtagAlias,
                        name.caseInsensitiveCompare(hashtag.value) != .orderedSame,
                        var entity = builder.entity(address)
                    {
                        // Keep the raw hashtag as an alias so that existing tags named after it match.
                        let current: [String]
                        if case .strings(let list)? = entity[field: "aliases"]?.value {
                            current = list
                        } else {
                            current = []
                        }
                        let nameText: String
                        if case .string(let n)? = entity[field: "name"]?.value { nameText = n } else { nameText = name }
                        if nameText.caseInsensitiveCompare(hashtag.value) != .orderedSame,
                            !current.contains(where: { $0.caseInsensitiveCompare(hashtag.value) == .orderedSame })
                        {
                            entity.fields.removeAll { $0.name == "aliases" }
                            entity.fields.insert(
                                DesiredField(
                                    name: "aliases", value: .strings(current + [hashtag.value]),
                                    strategy: rules.tags.strategy), at: 1)
                            entity.match.append(.name(hashtag.value, disambiguation: nil))
                            add(entity, rank: Rank(tier: -1, time: 0, id: 0))
                        }
                    }
                }
            }
            tagCache.byHashtag[cacheKey] = .some(address)
            if let address, !result.contains(address) { result.append(address) }
        }
        return result
    }

    func extraTags(_ target: ExtraTag.Target, _ context: RecordContext) -> [EntityAddress] {
        var result: [EntityAddress] = []
        for extra in rules.tags.extra where extra.targets.contains(target) {
            if let condition = extra.condition, !condition.holds(context) { continue }
            let origin = observer == nil ? nil : FieldOrigin(rule: "tags.extra", location: extra.location.description)
            if let address = tag(named: extra.name.render(context), origin: origin),
                !result.contains(address)
            {
                result.append(address)
            }
        }
        return result
    }
}
