import Foundation
public import FanslyMetadata

/// Turns metadata records into the Stash entities the rules want (`DesiredState`).
/// Pure and deterministic: the same rules and records give the same state, byte for byte.
public struct MappingEngine: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) { self.rules = rules }

    /// Page size used when streaming a database.
    public static let pageSize = 500

    /// Evaluates records held in memory.
    public func evaluate(records: MetadataRecords, creators: [Account]? = nil) throws -> DesiredState {
        try evaluate(source: records, creators: creators)
    }

    /// Evaluates any record source, creator by creator, page by page.
    /// - Parameter creators: the creators to map; nil maps every creator of the source.
    public func evaluate(source: some MetadataRecordSource, creators: [Account]? = nil) throws -> DesiredState {
        let evaluation = Evaluation(rules: rules, source: source, tracing: false)
        try evaluation.run(creators: creators ?? source.creatorAccounts())
        var state = evaluation.builder.state()
        state.folderLayout = rules.folderLayout(source: source, creatorFolders: state.creatorFolders)
        return state
    }

    /// Evaluates with provenance: the state plus, per entity and field, the rule that produced it.
    public func explain(source: some MetadataRecordSource, creators: [Account]) throws -> (DesiredState, [EntityAddress: [String: FieldOrigin]]) {
        let evaluation = Evaluation(rules: rules, source: source, tracing: true)
        try evaluation.run(creators: creators)
        return (evaluation.builder.state(), evaluation.builder.allOrigins)
    }
}

/// The addresses the engine uses. Documented in Docs/mapping.md.
public enum Addresses {
    public static let networkStudio = EntityAddress(kind: .studio, key: "network.fansly")
    public static func performer(_ username: String) -> EntityAddress { .init(kind: .performer, key: "account.\(username.lowercased())") }
    public static func sharedPerformer(_ username: String, _ name: String) -> EntityAddress {
        .init(kind: .performer, key: "account.\(username.lowercased()).\(tagKey(name))")
    }
    public static func studio(_ username: String) -> EntityAddress { .init(kind: .studio, key: "account.\(username.lowercased())") }
    public static func tag(_ name: String) -> EntityAddress { .init(kind: .tag, key: tagKey(name)) }
    public static func gallery(_ source: String, _ id: FanslyID) -> EntityAddress { .init(kind: .gallery, key: "\(source).\(id)") }
    public static func scene(_ accountMediaId: FanslyID) -> EntityAddress { .init(kind: .scene, key: "media.\(accountMediaId)") }
    public static func image(_ accountMediaId: FanslyID) -> EntityAddress { .init(kind: .image, key: "media.\(accountMediaId)") }
    public static func chapter(wall: FanslyID, post: FanslyID) -> EntityAddress { .init(kind: .chapter, key: "wall.\(wall).post.\(post)") }

    /// `Latex Model` → `latex-model`; names without ASCII letters or digits keep their lower-cased text.
    static func tagKey(_ name: String) -> String {
        let slug = TextOps.slug(name)
        return slug.isEmpty ? name.lowercased().replacingOccurrences(of: " ", with: "-") : slug
    }
}

/// Entities other fields point at while one record is mapped.
struct References {
    var creatorStudio: EntityAddress?
    var network: EntityAddress?
    var creatorPerformers: [EntityAddress] = []
    var mentionPerformers: [EntityAddress] = []
    var hashtagTags: [EntityAddress] = []
    /// The gallery of the post or message being mapped, when the rules produce one.
    var itemGallery: EntityAddress?
}

/// One run of the engine.
final class Evaluation {
    let rules: RuleSet
    let source: any MetadataRecordSource
    let builder: StateBuilder
    private let tracing: Bool
    private var accountCache: [FanslyID: Account] = [:]
    /// Per account: nil when `account.when` rejects it.
    private var accountRefs: [FanslyID: References?] = [:]
    private var folders: [FanslyID: [String]] = [:]
    private var tagByName: [String: EntityAddress?] = [:]
    private var hashtagTag: [String: EntityAddress?] = [:]
    private var referenced: Set<FanslyID> = []
    private var walls: [FanslyID: Wall] = [:]
    private var wallImages: [FanslyID: [EntityAddress]] = [:]
    private var networkAddress: EntityAddress?
    /// Mentioned usernames already turned into performers (the first mention's fields win anyway).
    private var mentioned: Set<String> = []
    /// Field values that are the same for every media of the record being mapped, by field rule id.
    private var recordCache: [Int: FieldValue?] = [:]
    private var recordCacheEnabled = false
    private let usesOriginalHashtag: Bool
    private let downloadRoot: String
    /// `rules explain`: the record to report on, the variables it saw and the entities it produced.
    var focus: ExplainTarget?
    private(set) var focusedContext: RecordContext?
    private(set) var focusedRoots: Roots = []
    private(set) var focusedAddresses: [EntityAddress] = []
    private var focusDepth = 0
    /// `rules explain`: why the focused record produced what it did, or did not.
    private(set) var why: [String] = []

    private func note(_ text: String) {
        if focusDepth > 0, !why.contains(text) { why.append(text) }
    }

    /// `condition` as people find it in the rules.
    private static func place(_ path: String, _ condition: Condition) -> String {
        "\(path) (\(condition.location))"
    }

    private func capture(_ context: RecordContext, roots: Roots) {
        if focusedContext == nil { focusedContext = context; focusedRoots = roots }
    }

    private func add(_ entity: DesiredEntity, rank: Rank, origins: [String: FieldOrigin] = [:]) {
        if focusDepth > 0, !focusedAddresses.contains(entity.address) { focusedAddresses.append(entity.address) }
        builder.add(entity, rank: rank, origins: origins)
    }

    init(rules: RuleSet, source: any MetadataRecordSource, tracing: Bool) {
        self.rules = rules
        self.source = source
        self.tracing = tracing
        self.builder = StateBuilder(tracing: tracing)
        self.usesOriginalHashtag = rules.tags.hashtagName.variables.contains(.hashtagOriginal)
        self.downloadRoot = rules.downloadRoot(of: source)
    }

    func run(creators: [Account]) throws {
        addNetwork()
        for creator in creators { accountCache[creator.id] = creator }
        for creator in creators {
            guard let refs = references(for: creator) else { continue }
            _ = refs
            builder.creatorFolders[creator.username] = folders(for: creator)
            walls = Dictionary(try source.walls(creator: creator.id).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            wallImages = [:]
            try source.forEachPostPage(creator: creator.id, pageSize: MappingEngine.pageSize) { page in
                try prefetchAccounts(page.flatMap { $0.reposts.map { $0.accountId } })
                for post in page { processPost(post, folderOwner: creator, reposter: nil) }
            }
            if rules.wallMode == .galleries { addWallGalleries(creator) }
            try source.forEachMessagePage(creator: creator.id, pageSize: MappingEngine.pageSize) { page in
                try prefetchAccounts(page.flatMap { $0.media.map { $0.accountId } })
                for message in page { processMessage(message, creator: creator) }
            }
            // Items posts and messages showed are not loose: the source need not even read them.
            try source.forEachMediaPage(creator: creator.id, pageSize: MappingEngine.pageSize, excluding: referenced) { page in
                for item in page where !referenced.contains(item.id) { processLoose(item, creator: creator) }
            }
            if rules.bundle.gallery.enabled {
                try source.forEachBundlePage(creator: creator.id, pageSize: MappingEngine.pageSize) { page in
                    for bundle in page { processBundle(bundle, creator: creator) }
                }
            }
        }
    }

    // MARK: Accounts

    private func prefetchAccounts(_ ids: [FanslyID]) throws {
        let missing = Array(Set(ids.filter { accountCache[$0] == nil }))
        guard !missing.isEmpty else { return }
        for (id, account) in try source.accounts(ids: missing) { accountCache[id] = account }
    }

    private func addNetwork() {
        let rule = rules.network
        guard rule.enabled else { return }
        let context = RecordContext(urls: rules.urls)
        let (fields, origins) = evaluateFields(rule.fields, context, refs: References(), address: Addresses.networkStudio, target: nil)
        guard fields.contains(where: { $0.name == "name" }) else { return }
        add(DesiredEntity(address: Addresses.networkStudio, fields: fields, match: matchKeys(rule.match, fields: fields),
                                  createMissing: rule.createMissing, respectOrganized: rule.respectOrganized,
                                  creator: nil, source: "network"), rank: .account, origins: origins)
        networkAddress = Addresses.networkStudio
    }

    /// The performer/studio addresses of an account, creating its entities on first use;
    /// nil when `account.when` excludes the account.
    private func references(for account: Account) -> References? {
        if let cached = accountRefs[account.id] { return cached }
        var context = RecordContext(urls: rules.urls)
        context.account = account
        if let when = rules.accountWhen, !when.holds(context) {
            accountRefs[account.id] = .some(nil)
            if case .account(let name)? = focus, name.caseInsensitiveCompare(account.username) == .orderedSame || name == String(account.id) {
                capture(context, roots: .account)
                why.append("excluded by " + Self.place("account.when", when))
            }
            return nil
        }
        var refs = References()
        refs.network = networkAddress
        let focused: Bool
        if case .account(let name)? = focus, name.caseInsensitiveCompare(account.username) == .orderedSame || name == String(account.id) {
            focused = true
            capture(context, roots: .account)
        } else {
            focused = false
        }
        if focused { focusDepth += 1 }
        defer { if focused { focusDepth -= 1 } }
        let studioRule = rules.studio
        if studioRule.enabled, studioRule.when?.holds(context) ?? true {
            let address = Addresses.studio(account.username)
            var base = References()
            base.network = networkAddress
            let (fields, origins) = evaluateFields(studioRule.fields, context, refs: base, address: address, target: nil)
            if fields.contains(where: { $0.name == "name" }) {
                add(DesiredEntity(address: address, fields: fields, match: matchKeys(studioRule.match, fields: fields),
                                          createMissing: studioRule.createMissing, respectOrganized: studioRule.respectOrganized,
                                          creator: account.username, source: "account \(account.username)"),
                            rank: .account, origins: origins)
                refs.creatorStudio = address
            }
        }
        let performerRule = rules.performer
        if performerRule.enabled, performerRule.when?.holds(context) ?? true {
            if let shared = rules.sharedPerformers[account.username.lowercased()] {
                for person in shared {
                    var (fields, origins) = evaluateFields(person.fields, context, refs: References(), address: nil, target: nil)
                    guard case .string(let name)? = fields.first(where: { $0.name == "name" })?.value else { continue }
                    let address = Addresses.sharedPerformer(account.username, name)
                    normaliseAliases(&fields, name: name, add: nil)
                    origins["name"] = origins["name"] ?? FieldOrigin(rule: "account.performer.shared.\(account.username)", location: person.location.description)
                    var match = matchKeys(performerRule.match, fields: fields)
                    if performerRule.match.contains(.stashId), let hint = account.stashID { match.append(.stashIdHint(String(hint))) }
                    add(DesiredEntity(address: address, fields: fields, match: match, createMissing: performerRule.createMissing,
                                              respectOrganized: performerRule.respectOrganized, creator: account.username,
                                              source: "account \(account.username) (shared)"), rank: .account, origins: origins)
                    refs.creatorPerformers.append(address)
                }
            } else {
                let address = Addresses.performer(account.username)
                var (fields, origins) = evaluateFields(performerRule.fields, context, refs: References(), address: address, target: nil)
                if case .string(let name)? = fields.first(where: { $0.name == "name" })?.value {
                    normaliseAliases(&fields, name: name, add: account.username)
                    if origins["alias_list"] == nil { origins["alias_list"] = FieldOrigin(rule: "engine: the username is always an alias", location: nil) }
                    var match = matchKeys(performerRule.match, fields: fields)
                    if performerRule.match.contains(.stashId), let hint = account.stashID { match.append(.stashIdHint(String(hint))) }
                    add(DesiredEntity(address: address, fields: fields, match: match, createMissing: performerRule.createMissing,
                                              respectOrganized: performerRule.respectOrganized, creator: account.username,
                                              source: "account \(account.username)"), rank: .account, origins: origins)
                    refs.creatorPerformers.append(address)
                }
            }
        }
        accountRefs[account.id] = .some(refs)
        return refs
    }

    /// Stash refuses an alias equal to the name or repeated; the username is always an alias.
    private func normaliseAliases(_ fields: inout [DesiredField], name: String, add extra: String?) {
        var aliases: [String] = []
        var strategy = FieldStrategy.merge
        if let index = fields.firstIndex(where: { $0.name == "alias_list" }) {
            if case .strings(let list) = fields[index].value { aliases = list }
            strategy = fields[index].strategy
            fields.remove(at: index)
        }
        if let extra { aliases.append(extra) }
        var seen: Set<String> = [name.lowercased()]
        aliases = aliases.filter { seen.insert($0.lowercased()).inserted }
        if !aliases.isEmpty { fields.append(DesiredField(name: "alias_list", value: .strings(aliases), strategy: strategy)) }
    }

    private func folders(for account: Account) -> [String] {
        if let cached = folders[account.id] { return cached }
        let result = rules.creatorFolders(for: account, downloadRoot: downloadRoot)
        folders[account.id] = result
        return result
    }

    private func account(_ id: FanslyID, fallback: Account) -> Account {
        accountCache[id] ?? fallback
    }

    // MARK: Tags

    /// - Parameter origin: the rule the name comes from (hashtags, an extra tag, a parent), for `rules explain`.
    private func tag(named rawName: String, depth: Int = 0, origin: FieldOrigin? = nil) -> EntityAddress? {
        let trimmed = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, depth < 16 else { return nil }
        let name = rules.tags.aliasToName[trimmed.lowercased()] ?? trimmed
        let key = name.lowercased()
        if let cached = tagByName[key] { return cached }
        let address = Addresses.tag(name)
        tagByName[key] = address
        var fields = [DesiredField(name: "name", value: .string(name), strategy: rules.tags.strategy)]
        var aliases = rules.tags.aliasesByName[name] ?? []
        if trimmed.caseInsensitiveCompare(name) != .orderedSame { aliases.append(trimmed) }
        var seen: Set<String> = [key]
        aliases = aliases.filter { seen.insert($0.lowercased()).inserted }
        if !aliases.isEmpty { fields.append(DesiredField(name: "aliases", value: .strings(aliases), strategy: rules.tags.strategy)) }
        let parentOrigin = FieldOrigin(rule: "tags.parents.\(name)", location: rules.tags.parentLocations[key]?.description)
        let parents = (rules.tags.parents[key] ?? []).compactMap { tag(named: $0, depth: depth + 1, origin: parentOrigin) }
        if !parents.isEmpty { fields.append(DesiredField(name: "parent_ids", value: .references(parents), strategy: rules.tags.strategy)) }
        for custom in rules.tags.customFields {
            let value = custom.value.render(RecordContext(urls: rules.urls))
            if !value.isEmpty { fields.append(DesiredField(name: "custom_fields." + custom.name, value: .string(value), strategy: rules.tags.strategy)) }
        }
        var match: [MatchKey] = [.name(name, disambiguation: nil)]
        match += aliases.map { .name($0, disambiguation: nil) }
        add(DesiredEntity(address: address, fields: fields, match: match, createMissing: rules.tags.createMissing,
                                  respectOrganized: rules.tags.respectOrganized, creator: nil, source: "tag \(name)"),
                    rank: .account, origins: tracing ? tagOrigins(name: name, renamed: trimmed.caseInsensitiveCompare(name) != .orderedSame,
                                                                  origin: origin, hasParents: !parents.isEmpty) : [:])
        return address
    }

    /// Where a tag's fields come from: its name from the rule that asked for it, or from the alias
    /// table that renamed it; its aliases from the table; its parents from `tags.parents`.
    private func tagOrigins(name: String, renamed: Bool, origin: FieldOrigin?, hasParents: Bool) -> [String: FieldOrigin] {
        let table = FieldOrigin(rule: "tags.aliases.\(name)", location: rules.tags.aliasLocations[name]?.description)
        var origins = ["name": renamed ? table : origin ?? FieldOrigin(rule: "tags", location: nil)]
        origins["aliases"] = rules.tags.aliasLocations[name] != nil ? table
            : FieldOrigin(rule: "engine: the hashtag, kept as an alias (tags.hashtags.keepHashtagAlias)", location: nil)
        if hasParents {
            origins["parent_ids"] = FieldOrigin(rule: "tags.parents.\(name)", location: rules.tags.parentLocations[name.lowercased()]?.description)
        }
        return origins
    }

    private func tags(for post: Post) -> [EntityAddress] {
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
            if let cached = hashtagTag[cacheKey] {
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
                    address = tag(named: name, origin: FieldOrigin(rule: "tags.hashtags.name", location: rules.tags.hashtagNameLocation?.description))
                    if let address, rules.tags.keepHashtagAlias, name.caseInsensitiveCompare(hashtag.value) != .orderedSame,
                       var entity = builder.entity(address) {
                        // Keep the raw hashtag as an alias so that existing tags named after it match.
                        let current: [String]
                        if case .strings(let list)? = entity[field: "aliases"]?.value { current = list } else { current = [] }
                        let nameText: String
                        if case .string(let n)? = entity[field: "name"]?.value { nameText = n } else { nameText = name }
                        if nameText.caseInsensitiveCompare(hashtag.value) != .orderedSame,
                           !current.contains(where: { $0.caseInsensitiveCompare(hashtag.value) == .orderedSame }) {
                            entity.fields.removeAll { $0.name == "aliases" }
                            entity.fields.insert(DesiredField(name: "aliases", value: .strings(current + [hashtag.value]), strategy: rules.tags.strategy), at: 1)
                            entity.match.append(.name(hashtag.value, disambiguation: nil))
                            add(entity, rank: Rank(tier: -1, time: 0, id: 0))
                        }
                    }
                }
            }
            hashtagTag[cacheKey] = .some(address)
            if let address, !result.contains(address) { result.append(address) }
        }
        return result
    }

    private func extraTags(_ target: ExtraTag.Target, _ context: RecordContext) -> [EntityAddress] {
        var result: [EntityAddress] = []
        for extra in rules.tags.extra where extra.targets.contains(target) {
            if let condition = extra.condition, !condition.holds(context) { continue }
            if let address = tag(named: extra.name.render(context), origin: FieldOrigin(rule: "tags.extra", location: extra.location.description)),
               !result.contains(address) { result.append(address) }
        }
        return result
    }

    // MARK: Mentions

    private func mentionPerformers(_ post: Post, author: Account) -> [EntityAddress] {
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
            if let shared = rules.sharedPerformers[username.lowercased()], let mentioned = mention.account,
               let refs = references(for: mentioned) {
                _ = shared
                result += refs.creatorPerformers.filter { !result.contains($0) }
                continue
            }
            let address = Addresses.performer(username)
            if focusDepth == 0, mentioned.contains(username.lowercased()) {
                if !result.contains(address) { result.append(address) }
                continue
            }
            var (fields, origins) = evaluateFields(rule.fields, context, refs: References(), address: address, target: nil)
            guard case .string(let name)? = fields.first(where: { $0.name == "name" })?.value else { continue }
            normaliseAliases(&fields, name: name, add: username)
            var match = matchKeys(rule.match, fields: fields)
            if rule.match.contains(.stashId), let hint = mention.account?.stashID { match.append(.stashIdHint(String(hint))) }
            // A bare handle may be a typo or a deleted account: only link a performer Stash has.
            let mayCreate = rule.createMissing && (mention.account != nil || rules.mentionCreateUnknown)
            add(DesiredEntity(address: address, fields: fields, match: match, createMissing: mayCreate,
                                      respectOrganized: rule.respectOrganized, creator: nil,
                                      source: "mention @\(mention.handle) in post \(post.id)"), rank: .mention, origins: origins)
            mentioned.insert(username.lowercased())
            if !result.contains(address) { result.append(address) }
        }
        return result
    }

    // MARK: Items

    private func counts(_ media: [AccountMedia]) -> (Int, Int, Int) {
        var images = 0, videos = 0
        for item in media {
            switch item.file?.kind ?? item.media.kind {
            case .image: images += 1
            case .video: videos += 1
            default: break
            }
        }
        return (media.count, images, videos)
    }

    /// Maps a post and, one level deep, the posts it quotes (`AGGREGATED_POSTS`); returns what the
    /// post produced, so that a repost's gallery can hold the media of the posts it quotes.
    @discardableResult
    private func processPost(_ post: Post, folderOwner: Account, reposter: String?) -> ItemResult {
        let author = account(post.accountId, fallback: folderOwner)
        guard var refs = references(for: author) else { return ItemResult() }
        // Quoted posts first: they keep their author, and the repost's gallery holds their media.
        var quoted = ItemResult()
        if reposter == nil {
            for original in post.reposts where original.id != post.id {
                let produced = processPost(original, folderOwner: folderOwner, reposter: author.username)
                quoted.images = StateBuilder.union(quoted.images, produced.images)
                quoted.scenes = StateBuilder.union(quoted.scenes, produced.scenes)
            }
        }
        var context = RecordContext(urls: rules.urls)
        context.account = author
        context.post = post
        context.reposter = reposter
        context.postWalls = post.wallIds.compactMap { walls[$0]?.name }
        let media = post.media
        let (total, images, videos) = counts(media)
        context.item = ItemInfo(kind: .post, id: post.id, content: post.content, createdAt: post.createdAt,
                                mediaCount: total, imageCount: images, videoCount: videos)
        var focused = false
        if case .post(let id)? = focus, id == post.id { focused = true; capture(context, roots: RuleCompiler.postRoots) }
        if focused { focusDepth += 1 }
        defer { if focused { focusDepth -= 1 } }
        if let when = rules.post.when, !when.holds(context) {
            for item in media { referenced.insert(item.id) }
            note("the post is excluded by " + Self.place("post.when", when))
            return ItemResult()
        }
        refs.hashtagTags = tags(for: post)
        refs.mentionPerformers = mentionPerformers(post, author: author)
        let result = processItem(rules.post, context: context, media: media, refs: refs,
                                 gallery: Addresses.gallery("post", post.id), stashHint: post.stashID,
                                 folders: folders(for: folderOwner), label: "post \(post.id)",
                                 rank: .item(post.createdAt, post.id), quoted: quoted)
        addWallEntities(post, context: context, gallery: result.gallery, images: result.images)
        return result
    }

    private func processMessage(_ message: Message, creator: Account) {
        guard var refs = references(for: creator) else { return }
        var context = RecordContext(urls: rules.urls)
        context.account = creator
        context.message = message
        let media = message.media
        let (total, images, videos) = counts(media)
        context.item = ItemInfo(kind: .message, id: message.id, content: message.content, createdAt: message.createdAt,
                                mediaCount: total, imageCount: images, videoCount: videos)
        var focused = false
        if case .message(let id)? = focus, id == message.id { focused = true; capture(context, roots: RuleCompiler.messageRoots) }
        if focused { focusDepth += 1 }
        defer { if focused { focusDepth -= 1 } }
        if let when = rules.message.when, !when.holds(context) {
            for item in media { referenced.insert(item.id) }
            note("the message is excluded by " + Self.place("message.when", when))
            return
        }
        refs.hashtagTags = []
        _ = processItem(rules.message, context: context, media: media, refs: refs,
                        gallery: Addresses.gallery("message", message.id), stashHint: message.stashID,
                        folders: folders(for: creator), label: "message \(message.id)",
                        rank: .item(message.createdAt, message.id), ownerFromMedia: creator)
    }

    private func processLoose(_ item: AccountMedia, creator: Account) {
        guard let refs = references(for: creator) else { return }
        var context = RecordContext(urls: rules.urls)
        context.account = creator
        let (total, images, videos) = counts([item])
        let date = item.createdAt ?? item.media.createdAt
        context.item = ItemInfo(kind: .media, id: item.id, content: nil, createdAt: date,
                                mediaCount: total, imageCount: images, videoCount: videos)
        if let when = rules.media.when, !when.holds(context) {
            if case .media(let id)? = focus, id == item.id || id == item.media.id || item.fileIds.contains(id) {
                capture(context, roots: RuleCompiler.itemRoots)
                why.append("excluded by " + Self.place("media.when", when))
            }
            return
        }
        _ = processItem(rules.media, context: context, media: [item], refs: refs, gallery: nil, stashHint: nil,
                        folders: folders(for: creator), label: "media \(item.id) (in no stored post or message)",
                        rank: .loose(date, item.id))
    }

    private func processBundle(_ bundle: FanslyMetadata.Bundle, creator: Account) {
        guard let refs = references(for: creator) else { return }
        var context = RecordContext(urls: rules.urls)
        context.account = creator
        context.bundle = bundle
        let (total, images, videos) = counts(bundle.media)
        context.item = ItemInfo(kind: .bundle, id: bundle.id, content: nil, createdAt: bundle.createdAt,
                                mediaCount: total, imageCount: images, videoCount: videos)
        if let when = rules.bundle.when, !when.holds(context) { return }
        let imageAddresses = bundle.media.compactMap { item -> EntityAddress? in
            let address = Addresses.image(item.id)
            return builder.contains(address) ? address : nil
        }
        addGallery(rules.bundle.gallery, context: context, refs: refs, address: Addresses.gallery("bundle", bundle.id),
                   images: imageAddresses, stashHint: bundle.stashID, label: "bundle \(bundle.id)", rank: .item(bundle.createdAt, bundle.id))
    }

    private struct ItemResult {
        var gallery: EntityAddress?
        var images: [EntityAddress] = []
        var scenes: [EntityAddress] = []
    }

    /// A media of a post or message that a rule takes, with what its fields are evaluated against.
    private struct MediaPick {
        var index: Int
        var rule: EntityRule
        var address: EntityAddress
        var target: ExtraTag.Target
        var owner: Account?
        var refs: References
        var context: RecordContext
        var file: DownloadedFile
        var focused: Bool
    }

    private func processItem(_ source: SourceRules, context base: RecordContext, media: [AccountMedia], refs: References,
                             gallery galleryAddress: EntityAddress?, stashHint: Int64?, folders: [String], label: String,
                             rank: Rank, ownerFromMedia: Account? = nil, quoted: ItemResult = ItemResult()) -> ItemResult {
        var result = ItemResult()
        var context = base
        context.total = media.count
        recordCache.removeAll(keepingCapacity: true)
        recordCacheEnabled = media.count > 1 && !tracing && ownerFromMedia == nil
        defer { recordCacheEnabled = false }
        // Which media the rules take comes first: whether the post gets a gallery depends on it, and
        // its scenes point at that gallery.
        let picks = pickMedia(source, context: context, media: media, refs: refs, ownerFromMedia: ownerFromMedia)
        var gallery: (fields: [DesiredField], origins: [String: FieldOrigin])?
        let hasImages = !quoted.images.isEmpty || picks.contains { $0.target == .image }
        let hasScenes = !quoted.scenes.isEmpty || picks.contains { $0.target == .scene }
        if let galleryAddress, source.gallery.enabled, hasImages || (source.gallery.withoutImages && hasScenes) {
            gallery = galleryFields(source.gallery, context: context, refs: refs, address: galleryAddress)
        } else if galleryAddress != nil, focusDepth > 0 {
            if !source.gallery.enabled {
                note("no gallery: \(source.gallery.path) is disabled (absent, false or enabled: false)")
            } else if hasScenes {
                note("no gallery: only videos, and \(source.gallery.path) does not say withoutImages: true")
            } else {
                note("no gallery: no picture the rules take")
            }
        }
        for pick in picks {
            if pick.focused { focusDepth += 1 }
            defer { if pick.focused { focusDepth -= 1 } }
            var itemRefs = pick.refs
            itemRefs.itemGallery = gallery == nil ? nil : galleryAddress
            let (fields, origins) = evaluateFields(pick.rule.fields, pick.context, refs: itemRefs, address: pick.address, target: pick.target)
            var match = matchKeys(pick.rule.match, fields: fields)
            if pick.rule.match.contains(.file) { match.insert(.fileMediaId(pick.file.fileMediaId), at: 0) }
            let item = media[pick.index]
            if pick.rule.match.contains(.stashId), let hint = item.stashID { match.append(.stashIdHint(String(hint))) }
            let expected = ExpectedFile(fileMediaId: pick.file.fileMediaId, isPreview: pick.file.isPreview,
                                        basename: pick.file.localFilename, folders: folders)
            let position = media.count > 1 ? ", media \(pick.index + 1)/\(media.count)" : ", media \(item.id)"
            add(DesiredEntity(address: pick.address, fields: fields, match: match, createMissing: false,
                              respectOrganized: pick.rule.respectOrganized, creator: pick.owner?.username,
                              files: [expected], source: label + position), rank: rank, origins: origins)
            if pick.target == .image { result.images.append(pick.address) } else { result.scenes.append(pick.address) }
        }
        if let galleryAddress, let gallery {
            result.images = StateBuilder.union(result.images, quoted.images)
            addGallery(source.gallery, fields: gallery.fields, origins: gallery.origins, address: galleryAddress,
                       images: result.images, stashHint: stashHint, creator: base.account?.username, label: label, rank: rank)
            result.gallery = galleryAddress
            linkQuotedScenes(quoted.scenes, to: galleryAddress, rule: source.scene)
        }
        return result
    }

    /// Links the scenes of quoted posts to the repost's gallery, as the scene rule's `galleries: [item]`
    /// links a post's own scenes. Only the link is added: the scenes keep their author's fields.
    private func linkQuotedScenes(_ scenes: [EntityAddress], to gallery: EntityAddress, rule: EntityRule) {
        guard !scenes.isEmpty, let link = rule.fields.first(where: { field in
            if case .references(let sources) = field.source { return field.output == "gallery_ids" && sources.contains(.item) }
            return false
        }) else { return }
        for scene in scenes {
            // The worst rank: the contribution only adds to lists, never wins a single value.
            add(DesiredEntity(address: scene, fields: [DesiredField(name: "gallery_ids", value: .references([gallery]), strategy: link.strategy)],
                              createMissing: false, respectOrganized: rule.respectOrganized),
                rank: Rank(tier: Int.max, time: 0, id: 0),
                origins: ["gallery_ids": FieldOrigin(rule: "engine: the gallery of the repost quoting it (\(link.path))", location: link.location.description)])
        }
    }

    /// The media of a post or message that a rule takes (it has a file, an enabled rule, and passes
    /// the rule's `when`), each with its owner and context.
    private func pickMedia(_ source: SourceRules, context base: RecordContext, media: [AccountMedia], refs: References,
                           ownerFromMedia: Account?) -> [MediaPick] {
        var picks: [MediaPick] = []
        var context = base
        for (index, item) in media.enumerated() {
            referenced.insert(item.id)
            guard let file = item.file else {
                if case .media(let id)? = focus, id == item.id || id == item.media.id {
                    capture(context, roots: RuleCompiler.itemRoots.union(RuleCompiler.mediaRoots))
                    why.append("media \(item.id) has no downloaded file (not downloaded, or locked without a preview): nothing to map")
                }
                continue
            }
            let rule: EntityRule
            let address: EntityAddress
            let target: ExtraTag.Target
            switch file.kind {
            case .image: rule = source.image; address = Addresses.image(item.id); target = .image
            case .video: rule = source.scene; address = Addresses.scene(item.id); target = .scene
            case .audio, .other: continue
            }
            guard rule.enabled else {
                if case .media(let id)? = focus, id == item.id || id == item.media.id || id == file.fileMediaId {
                    context.media = item
                    context.file = file
                    context.position = index + 1
                    capture(context, roots: base.post != nil ? RuleCompiler.postRoots.union(RuleCompiler.mediaRoots)
                                          : RuleCompiler.itemRoots.union(RuleCompiler.mediaRoots))
                    focusDepth += 1
                    note("\(rule.path) is disabled (absent, false or enabled: false): the \(target.rawValue) is not mapped")
                    focusDepth -= 1
                }
                continue
            }
            var itemRefs = refs
            var owner = base.account
            if let fallback = ownerFromMedia, item.accountId != fallback.id, let mediaOwner = accountCache[item.accountId],
               let ownerRefs = references(for: mediaOwner) {
                owner = mediaOwner
                itemRefs.creatorStudio = ownerRefs.creatorStudio
                itemRefs.creatorPerformers = ownerRefs.creatorPerformers
            }
            context.account = owner
            context.media = item
            context.file = file
            context.position = index + 1
            var focused = false
            if case .media(let id)? = focus, id == item.id || id == item.media.id || id == file.fileMediaId {
                focused = true
                capture(context, roots: base.item?.kind == .media ? RuleCompiler.itemRoots.union(RuleCompiler.mediaRoots)
                                       : base.post != nil ? RuleCompiler.postRoots.union(RuleCompiler.mediaRoots)
                                       : RuleCompiler.messageRoots.union(RuleCompiler.mediaRoots))
            }
            if let when = rule.when, !when.holds(context) {
                if focused || focusDepth > 0 {
                    focusDepth += 1
                    note("\(rule.path): media \(item.id) is excluded by " + Self.place("\(rule.path).when", when))
                    focusDepth -= 1
                }
                continue
            }
            picks.append(MediaPick(index: index, rule: rule, address: address, target: target, owner: owner, refs: itemRefs,
                                   context: context, file: file, focused: focused))
        }
        return picks
    }

    /// A gallery's fields, or nil when its `when` excludes it or it gets no title.
    private func galleryFields(_ rule: EntityRule, context: RecordContext, refs: References,
                               address: EntityAddress) -> (fields: [DesiredField], origins: [String: FieldOrigin])? {
        var context = context
        context.media = nil
        context.file = nil
        context.position = 0
        if let when = rule.when, !when.holds(context) {
            note("no gallery: excluded by " + Self.place("\(rule.path).when", when))
            return nil
        }
        let (fields, origins) = evaluateFields(rule.fields, context, refs: refs, address: address, target: .gallery)
        guard fields.contains(where: { $0.name == "title" }) else {
            note("no gallery: \(rule.path).fields.title is empty for it (Stash needs a title)")
            return nil
        }
        return (fields, origins)
    }

    /// Adds a gallery holding `images` (a wall or bundle gallery); galleries without images are not produced.
    @discardableResult
    private func addGallery(_ rule: EntityRule, context: RecordContext, refs: References, address: EntityAddress,
                            images: [EntityAddress], stashHint: Int64?, label: String, rank: Rank) -> Bool {
        guard rule.enabled, !images.isEmpty,
              let (fields, origins) = galleryFields(rule, context: context, refs: refs, address: address) else { return false }
        addGallery(rule, fields: fields, origins: origins, address: address, images: images, stashHint: stashHint,
                   creator: context.account?.username, label: label, rank: rank)
        return true
    }

    /// Adds a gallery with evaluated `fields`, holding `images` (none for a gallery that groups videos).
    private func addGallery(_ rule: EntityRule, fields: [DesiredField], origins: [String: FieldOrigin], address: EntityAddress,
                            images: [EntityAddress], stashHint: Int64?, creator: String?, label: String, rank: Rank) {
        var fields = fields
        var origins = origins
        if !images.isEmpty {
            fields.append(DesiredField(name: "image_ids", value: .references(images)))
            if tracing { origins["image_ids"] = FieldOrigin(rule: "engine: the images produced for this \(address.key.split(separator: ".").first ?? "item")", location: nil) }
        }
        var match = matchKeys(rule.match, fields: fields)
        if rule.match.contains(.stashId), let hint = stashHint { match.append(.stashIdHint(String(hint))) }
        add(DesiredEntity(address: address, fields: fields, match: match, createMissing: rule.createMissing,
                          respectOrganized: rule.respectOrganized, creator: creator, source: label), rank: rank, origins: origins)
    }

    // MARK: Walls

    private func addWallEntities(_ post: Post, context base: RecordContext, gallery: EntityAddress?, images: [EntityAddress]) {
        guard rules.wallMode != .none, !post.wallIds.isEmpty else { return }
        for wallId in post.wallIds {
            guard let wall = walls[wallId] else { continue }
            var context = base
            context.wall = wall
            if let when = rules.wallWhen, !when.holds(context) { continue }
            switch rules.wallMode {
            case .chapters:
                let rule = rules.chapter
                // A chapter starts at an image: a gallery that only groups videos has none.
                guard let gallery, !images.isEmpty, rule.enabled, rule.when?.holds(context) ?? true else { continue }
                let address = Addresses.chapter(wall: wall.id, post: post.id)
                var (fields, origins) = evaluateFields(rule.fields, context, refs: References(), address: address, target: nil)
                guard fields.contains(where: { $0.name == "title" }) else { continue }
                if !fields.contains(where: { $0.name == "image_index" }) { fields.append(DesiredField(name: "image_index", value: .int(1))) }
                fields.insert(DesiredField(name: "gallery_id", value: .reference(gallery)), at: 0)
                if tracing { origins["gallery_id"] = FieldOrigin(rule: "engine: the post's gallery", location: nil) }
                add(DesiredEntity(address: address, fields: fields, match: [], createMissing: rule.createMissing,
                                          respectOrganized: rule.respectOrganized, creator: base.account?.username,
                                          source: "wall \(wall.id), post \(post.id)"), rank: .item(post.createdAt, post.id), origins: origins)
            case .galleries:
                wallImages[wall.id, default: []] += images
            case .none:
                break
            }
        }
    }

    private func addWallGalleries(_ creator: Account) {
        guard let refs = references(for: creator) else { return }
        for wall in walls.values.sorted(by: { ($0.pos ?? 0, $0.id) < ($1.pos ?? 0, $1.id) }) {
            var context = RecordContext(urls: rules.urls)
            context.account = creator
            context.wall = wall
            if let when = rules.wallWhen, !when.holds(context) { continue }
            var seen = Set<EntityAddress>()
            let images = (wallImages[wall.id] ?? []).filter { seen.insert($0).inserted }
            addGallery(rules.wallGallery, context: context, refs: refs, address: Addresses.gallery("wall", wall.id),
                       images: images, stashHint: wall.stashID, label: "wall \(wall.id)", rank: .item(nil, wall.id))
        }
    }

    // MARK: Fields

    private func matchKeys(_ rules: [MatchRule], fields: [DesiredField]) -> [MatchKey] {
        var keys: [MatchKey] = []
        for rule in rules {
            switch rule {
            case .name:
                if case .string(let name)? = fields.first(where: { $0.name == "name" })?.value {
                    var disambiguation: String?
                    if case .string(let d)? = fields.first(where: { $0.name == "disambiguation" })?.value { disambiguation = d }
                    keys.append(.name(name, disambiguation: disambiguation))
                }
                for aliasField in ["alias_list", "aliases"] {
                    if case .strings(let aliases)? = fields.first(where: { $0.name == aliasField })?.value {
                        keys += aliases.map { .name($0, disambiguation: nil) }
                    }
                }
            case .url:
                if case .strings(let urls)? = fields.first(where: { $0.name == "urls" })?.value { keys += urls.map(MatchKey.url) }
            case .code:
                if case .string(let code)? = fields.first(where: { $0.name == "code" })?.value { keys.append(.code(code)) }
            case .file, .stashId:
                break
            }
        }
        return keys
    }

    private func evaluateFields(_ fieldRules: [FieldRule], _ context: RecordContext, refs: References,
                                address: EntityAddress?, target: ExtraTag.Target?) -> ([DesiredField], [String: FieldOrigin]) {
        var fields: [DesiredField] = []
        fields.reserveCapacity(fieldRules.count + 1)
        var origins: [String: FieldOrigin] = [:]
        for rule in fieldRules {
            let value: FieldValue?
            if recordCacheEnabled, rule.sameForEveryMedia, let cached = recordCache[rule.id] {
                value = cached
            } else {
                if let when = rule.when, !when.holds(context) {
                    if recordCacheEnabled, rule.sameForEveryMedia { recordCache[rule.id] = .some(nil) }
                    continue
                }
                switch rule.type {
                case .reference, .references:
                    value = referenceValue(rule, refs: refs, context: context, target: target)
                default:
                    value = FieldEvaluator.value(rule, context)
                }
                if recordCacheEnabled, rule.sameForEveryMedia { recordCache[rule.id] = .some(value) }
            }
            guard let value else { continue }
            fields.append(DesiredField(name: rule.output, value: value, strategy: rule.strategy))
            if tracing {
                var origin = FieldOrigin(rule: rule.path, location: rule.location.description)
                // The steps that shaped the value (those whose `when` held), e.g. the ` - 2/2` of a title.
                for (index, step) in rule.postProcess.enumerated() where step.when?.holds(context) ?? true {
                    origin.steps.append("\(rule.path).postProcess[\(index)] \(step.step.name) (\(step.location))")
                }
                origins[rule.output] = origin
            }
        }
        return (fields, origins)
    }

    private func referenceValue(_ rule: FieldRule, refs: References, context: RecordContext, target: ExtraTag.Target?) -> FieldValue? {
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

/// Evaluates a non-reference field rule into a Stash field value.
enum FieldEvaluator {
    static func value(_ rule: FieldRule, _ context: RecordContext) -> FieldValue? {
        switch rule.source {
        case .bool(let flag): return .bool(flag)
        case .references: return nil
        case .list(let templates):
            var items: [String] = []
            for template in templates {
                let value = postProcess(template.evaluate(context), rule.postProcess, context)
                for item in value.items {
                    let trimmed = TextOps.trimmed(item)
                    // Lists are short: a linear, case-insensitive de-duplication is cheapest.
                    if !trimmed.isEmpty, !items.contains(where: { TextOps.sameIgnoringCase($0, trimmed) }) { items.append(trimmed) }
                }
            }
            return items.isEmpty ? nil : .strings(items)
        case .template(let template):
            return typed(postProcess(template.evaluate(context), rule.postProcess, context), rule.type)
        case .firstOf(let templates):
            for template in templates {
                let value = template.evaluate(context)
                if value.isEmpty { continue }
                if case .list = rule.type {
                    let processed = postProcess(value, rule.postProcess, context)
                    return processed.items.isEmpty ? nil : .strings(processed.items)
                }
                if let typed = typed(postProcess(value, rule.postProcess, context), rule.type) { return typed }
            }
            return nil
        }
    }

    static func typed(_ value: TemplateValue, _ type: FieldType) -> FieldValue? {
        switch type {
        case .text:
            let text = TextOps.trimmed(value.text)
            return text.isEmpty ? nil : .string(text)
        case .date:
            if case .date(let date) = value { return .date(DateText.format(date, pattern: .isoDate)) }
            let text = TextOps.trimmed(value.text)
            if DateText.isCalendarDate(text) { return .date(text) }
            return DateText.parse(text).map { .date(DateText.format($0, pattern: .isoDate)) }
        case .bool:
            switch value {
            case .bool(let flag): return .bool(flag)
            default:
                switch TextOps.trimmed(value.text).lowercased() {
                case "true", "yes", "1": return .bool(true)
                case "false", "no", "0": return .bool(false)
                default: return nil
                }
            }
        case .int:
            if case .int(let number) = value { return .int(Int(number)) }
            return Int(TextOps.trimmed(value.text)).map(FieldValue.int)
        case .list:
            let items = value.items.map(TextOps.trimmed).filter { !$0.isEmpty }
            return items.isEmpty ? nil : .strings(items)
        case .reference, .references:
            return nil
        }
    }

    static func postProcess(_ value: TemplateValue, _ steps: [(step: PostStep, when: Condition?, location: SourceLocation)], _ context: RecordContext) -> TemplateValue {
        guard !steps.isEmpty else { return value }
        var value = value
        for (step, when, _) in steps {
            if let when, !when.holds(context) { continue }
            value = apply(step, value, context)
        }
        return value
    }

    static func apply(_ step: PostStep, _ value: TemplateValue, _ context: RecordContext) -> TemplateValue {
        func eachText(_ transform: (String) -> String) -> TemplateValue {
            switch value {
            case .null: return .null
            case .list(let items): return .list(items.map(transform))
            default: return .string(transform(value.text))
            }
        }
        switch step {
        case .replace(let pairs):
            return eachText { text in
                var out = text
                for (regex, with) in pairs {
                    out = regex.regex.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: with)
                }
                return out
            }
        case .map(let table):
            return eachText { table[$0] ?? $0 }
        case .parseDate(let layout):
            if case .date = value { return value }
            let text = value.text.trimmingCharacters(in: .whitespaces)
            return DateText.pattern(layout).parse(text).map(TemplateValue.date) ?? value
        case .formatDate(let layout):
            guard let date = value.dateValue else { return value }
            return .string(DateText.pattern(layout).format(date))
        case .append(let template):
            if value.isEmpty { return value }
            let suffix = template.render(context)
            return eachText { $0 + suffix }
        case .prepend(let template):
            if value.isEmpty { return value }
            let prefix = template.render(context)
            return eachText { prefix + $0 }
        }
    }
}
