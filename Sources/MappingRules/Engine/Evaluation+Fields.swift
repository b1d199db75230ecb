import FanslyMetadata
import Foundation

/// Field rules evaluated into Stash fields, references resolved, match keys derived.
extension Evaluation {
    func matchKeys(_ rules: [MatchRule], fields: [DesiredField]) -> [MatchKey] {
        var keys: [MatchKey] = []
        for rule in rules {
            switch rule {
            case .name:
                if case .string(let name)? = fields.first(where: { $0.name == "name" })?.value {
                    var disambiguation: String?
                    if case .string(let d)? = fields.first(where: { $0.name == "disambiguation" })?.value {
                        disambiguation = d
                    }
                    keys.append(.name(name, disambiguation: disambiguation))
                }
                for aliasField in ["alias_list", "aliases"] {
                    if case .strings(let aliases)? = fields.first(where: { $0.name == aliasField })?.value {
                        keys += aliases.map { .name($0, disambiguation: nil) }
                    }
                }
            case .url:
                if case .strings(let urls)? = fields.first(where: { $0.name == "urls" })?.value {
                    keys += urls.map(MatchKey.url)
                }
            case .code:
                if case .string(let code)? = fields.first(where: { $0.name == "code" })?.value {
                    keys.append(.code(code))
                }
            case .file, .stashId:
                break
            }
        }
        return keys
    }

    func evaluateFields(
        _ fieldRules: [FieldRule], _ context: RecordContext, refs: References,
        address: EntityAddress?, target: ExtraTag.Target?
    ) -> ([DesiredField], [String: FieldOrigin]) {
        var fields: [DesiredField] = []
        fields.reserveCapacity(fieldRules.count + 1)
        var origins: [String: FieldOrigin] = [:]
        for rule in fieldRules {
            let value: FieldValue?
            if let cached = recordCache.value(for: rule) {
                value = cached
            } else {
                if let when = rule.when, !when.holds(context) {
                    recordCache.store(nil, for: rule)
                    continue
                }
                switch rule.type {
                case .reference, .references:
                    value = referenceValue(rule, refs: refs, context: context, target: target)
                default:
                    value = FieldEvaluator.value(rule, context)
                }
                recordCache.store(value, for: rule)
            }
            guard let value else { continue }
            fields.append(DesiredField(name: rule.output, value: value, strategy: rule.strategy))
            if let observer { origins[rule.output] = observer.origin(of: rule, context) }
        }
        return (fields, origins)
    }

    func referenceValue(_ rule: FieldRule, refs: References, context: RecordContext, target: ExtraTag.Target?)
        -> FieldValue?
    {
        guard case .references(let sources) = rule.source else { return nil }
        var addresses: [EntityAddress] = []
        for source in sources {
            switch source {
            case .creator:
                if case .reference = rule.type {
                    if let studio = refs.creatorStudio { addresses.append(studio) }
                } else {
                    addresses += refs.creatorPerformers
                }
            case .network:
                if let network = networkAddress { addresses.append(network) }
            case .mentions: addresses += refs.mentionPerformers
            case .hashtags: addresses += refs.hashtagTags
            case .item: if let gallery = refs.itemGallery { addresses.append(gallery) }
            case .extra:
                if let target { addresses += extraTags(target, context) }
            }
        }
        if sources.count > 1 {
            // Few items: a linear de-duplication beats hashing the addresses.
            var unique: [EntityAddress] = []
            unique.reserveCapacity(addresses.count)
            for address in addresses where !unique.contains(address) { unique.append(address) }
            addresses = unique
        }
        if case .reference = rule.type {
            return addresses.first.map(FieldValue.reference)
        }
        return addresses.isEmpty ? nil : .references(addresses)
    }
}
