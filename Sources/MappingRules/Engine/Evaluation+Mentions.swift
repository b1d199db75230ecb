import FanslyMetadata
import Foundation

/// Performers for the accounts a post mentions.
extension Evaluation {
    func mentionPerformers(_ post: Post, author: Account) -> [EntityAddress] {
        let rule = rules.mentionPerformer
        guard rule.enabled, !post.mentions.isEmpty else { return [] }
        var result: [EntityAddress] = []
        for mention in post.mentions {
            let username = mention.account?.username ?? mention.handle
            guard !username.isEmpty, username.caseInsensitiveCompare(author.username) != .orderedSame else { continue }
            var context = RecordContext(urls: rules.urls)
            context.mention = mention
            context.account = author
            if let when = rules.mentionWhen, !when.holds(context) { continue }
            if let when = rule.when, !when.holds(context) { continue }
            // A shared account stands for its people: the mention links them.
            if rules.sharedPerformers[username.lowercased()] != nil, let mentioned = mention.account,
                let refs = references(for: mentioned)
            {
                result += refs.creatorPerformers.filter { !result.contains($0) }
                continue
            }
            let address = Addresses.performer(username)
            // Explaining a post evaluates its mentions again, to say where their fields come from.
            if observer?.isInside != true, accounts.mentioned.contains(username.lowercased()) {
                if !result.contains(address) { result.append(address) }
                continue
            }
            var (fields, origins) = evaluateFields(
                rule.fields, context, refs: References(), address: address, target: nil)
            guard case .string(let name)? = fields.first(where: { $0.name == "name" })?.value else { continue }
            normaliseAliases(&fields, name: name, add: username)
            var match = matchKeys(rule.match, fields: fields)
            if rule.match.contains(.stashId), let hint = mention.account?.stashID {
                match.append(.stashIdHint(String(hint)))
            }
            // A bare handle may be a typo or a deleted account: only link a performer Stash has.
            let mayCreate = rule.createMissing && (mention.account != nil || rules.mentionCreateUnknown)
            add(
                DesiredEntity(
                    address: address, fields: fields, match: match, createMissing: mayCreate,
                    respectOrganized: rule.respectOrganized, creator: nil,
                    source: "mention @\(mention.handle) in post \(post.id)"), rank: .mention, origins: origins)
            accounts.mentioned.insert(username.lowercased())
            if !result.contains(address) { result.append(address) }
        }
        return result
    }
}
