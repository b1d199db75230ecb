import FanslyMetadata
import Foundation

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

/// One run of the engine: creator by creator, their posts (with what they quote), walls, messages,
/// loose media and bundles, each turned into desired entities in `builder`.
///
/// The parts live in extensions beside this file, one concern each: accounts, tags, mentions,
/// items, media, galleries and walls, fields. What the run remembers between records is grouped
/// by concern in the small caches below.
final class Evaluation {
    let rules: RuleSet
    let source: any MetadataRecordSource
    let builder: StateBuilder
    /// `rules explain` (a target record, or provenance only). Nil on the plan's path, where every
    /// place that reports to it costs one nil check.
    let observer: ExplainObserver?
    var accounts = AccountCache()
    var tagCache = TagCache()
    var recordCache = RecordFieldCache()
    /// The walls of the creator being mapped, and the images of their posts (for wall galleries).
    var walls: [FanslyID: Wall] = [:]
    var wallImages: [FanslyID: [EntityAddress]] = [:]
    /// Media posts and messages showed: they are not loose media.
    var referenced: Set<FanslyID> = []
    var networkAddress: EntityAddress?
    let usesOriginalHashtag: Bool
    let downloadRoot: String

    init(rules: RuleSet, source: any MetadataRecordSource, observer: ExplainObserver?, router: GroupRouter? = nil) {
        self.rules = rules
        self.source = source
        self.observer = observer
        self.builder = StateBuilder(tracing: observer != nil)
        builder.router = router
        self.usesOriginalHashtag = rules.tags.hashtagName.variables.contains(.hashtagOriginal)
        self.downloadRoot = rules.downloadRoot(of: source)
    }

    func run(creators: [Account]) throws {
        addNetwork()
        for creator in creators { accounts.byId[creator.id] = creator }
        for (position, creator) in creators.enumerated() {
            builder.router?.start(creator: position)
            try run(creator: creator)
            try builder.router?.finish(creator: position)
        }
    }

    /// Maps one creator's posts, walls, messages, loose media and bundles.
    private func run(creator: Account) throws {
        guard references(for: creator) != nil else { return }
        builder.creatorFolders[creator.username] = folders(for: creator)
        walls = Dictionary(
            try source.walls(creator: creator.id).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
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
        try source.forEachMediaPage(creator: creator.id, pageSize: MappingEngine.pageSize, excluding: referenced) {
            page in
            for item in page where !referenced.contains(item.id) { processLoose(item, creator: creator) }
        }
        if rules.bundle.gallery.enabled {
            try source.forEachBundlePage(creator: creator.id, pageSize: MappingEngine.pageSize) { page in
                for bundle in page { processBundle(bundle, creator: creator) }
            }
        }
    }

    /// Adds an entity (merged with earlier contributions to its address).
    func add(_ entity: DesiredEntity, rank: Rank, origins: [String: FieldOrigin] = [:]) {
        observer?.produced(entity.address)
        builder.add(entity, rank: rank, origins: origins)
    }

    /// Whether the explained record is the one `matches` recognises: if so, its variables are
    /// captured and what follows counts as its doing until `observer?.leave()`.
    func entering(_ context: RecordContext, roots: Roots, if matches: (ExplainObserver) -> Bool) -> Bool {
        guard let observer, matches(observer) else { return false }
        observer.capture(context, roots: roots)
        observer.enter()
        return true
    }
}

/// Accounts the run has seen, what each produced, and where their files are.
struct AccountCache {
    var byId: [FanslyID: Account] = [:]
    /// Per account: nil when `account.when` rejects it.
    var references: [FanslyID: References?] = [:]
    var folders: [FanslyID: [String]] = [:]
    /// Mentioned usernames already turned into performers (the first mention's fields win anyway).
    var mentioned: Set<String> = []
}

/// Tags the run has produced: by lower-cased name, and by hashtag (with how it was written).
struct TagCache {
    var byName: [String: EntityAddress?] = [:]
    var byHashtag: [String: EntityAddress?] = [:]
}

/// Field values that are the same for every media of the record being mapped, by field rule id:
/// the media of one post evaluate such fields once.
struct RecordFieldCache {
    private var values: [Int: FieldValue?] = [:]
    private var enabled = false

    /// Starts a record; `enabled` false when its media may differ in what the fields read.
    mutating func start(enabled: Bool) {
        values.removeAll(keepingCapacity: true)
        self.enabled = enabled
    }

    mutating func stop() { enabled = false }

    /// The cached value (itself nil when the field gave none), or nil when not cached.
    func value(for rule: FieldRule) -> FieldValue?? {
        guard enabled, rule.sameForEveryMedia else { return nil }
        return values[rule.id]
    }

    mutating func store(_ value: FieldValue?, for rule: FieldRule) {
        if enabled, rule.sameForEveryMedia { values[rule.id] = .some(value) }
    }
}
