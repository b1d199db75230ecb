import Foundation
import PostgresNIO

/// Read-only access to a fansly-scraper v0.11–v0.15.1 metadata database in PostgreSQL, with the
/// same records as `MetadataDatabase` gives for the same rows of a v0.10 SQLite file.
///
/// Public API (stable; the PostgreSQL sample data and end-to-end tests build on it):
/// - Open: `PostgresMetadataDatabase(endpoint:identityPath:downloadRoot:options:)`, or
///   `MetadataStores.open(ResolvedDatabase.resolve(argument))` for any `--db` argument (SQLite path,
///   `postgresql://` URL, downloader `config.yaml` / `config.ini`), which returns `any MetadataStore`.
/// - Read: the `MetadataStore` methods (creators and counts, accounts, walls, paged posts, messages,
///   bundles and media, file-id lookup, hashtags, `identity()`), plus `stories(creator:)`,
///   `mediaLinkage(creators:)` (posts that cannot be linked to their media) and `reader()` (another
///   connection in the same snapshot, for reader threads). `close()` ends the snapshot.
/// - Errors: `MetadataError` (`postgresUnreachable`, `postgresAuthenticationFailed`,
///   `postgresDatabaseNotFound`, `postgresTLS`, `postgresTimeout`, `notMetadataDatabase`,
///   `missingSchema`, …); `warnings` lists what did not stop it (an unknown newer alembic revision).
///
/// Consistency: opening begins one `REPEATABLE READ, READ ONLY` transaction and exports its
/// snapshot; `reader()` connections import it, so every read of the run sees the same data while
/// the downloader keeps writing. Nothing is ever written; a role with `SELECT` on the downloader's
/// tables is enough. Queries are batched per page (each id list one `bigint[]` parameter).
/// Calls are serialised per instance; use `reader()` for parallel reads.
public final class PostgresMetadataDatabase: MetadataStore, @unchecked Sendable {
    public let endpoint: PostgresEndpoint
    /// What plans record to re-open this database (the `--db` argument without password).
    let identityPath: String
    /// The download folder, when the downloader's configuration named it.
    public let downloadRoot: String?
    public let options: PostgresReadOptions
    public private(set) var warnings: [String] = []
    /// The exported snapshot every `reader()` imports.
    public let snapshot: String

    let schema: DatabaseSchema
    private let session: PostgresSession
    private let lock = NSLock()
    /// Who owns which post and attachment (the schema has no index for it), read on first use;
    /// shared with the readers, which read the same snapshot.
    private let owners: OwnerIndexCache
    /// The creators' ids, read at most once: a plan asks for them several times (creator folders,
    /// the engine, the linkage notice), the query is costly and the snapshot cannot change them.
    /// Guarded by `lock`.
    private var creatorIdsInSnapshot: [FanslyID]?

    /// Connects, checks the schema and begins the run's snapshot.
    /// - Throws: `MetadataError` naming what is wrong and what to do.
    public init(
        endpoint: PostgresEndpoint, identityPath: String? = nil, downloadRoot: String? = nil,
        options: PostgresReadOptions = PostgresReadOptions()
    ) throws {
        self.endpoint = endpoint
        self.identityPath = identityPath ?? endpoint.redactedURL
        self.downloadRoot = downloadRoot
        self.options = options
        owners = OwnerIndexCache()
        let (session, snapshot) = try PostgresSession.open(endpoint, options: options)
        self.session = session
        self.snapshot = snapshot
        var warnings: [String] = []
        schema = try PostgresSchema.read(session, warnings: &warnings)
        self.warnings = warnings
    }

    private init(sharing other: PostgresMetadataDatabase) throws {
        endpoint = other.endpoint; identityPath = other.identityPath; downloadRoot = other.downloadRoot
        options = other.options; snapshot = other.snapshot; schema = other.schema; warnings = other.warnings
        owners = other.owners
        creatorIdsInSnapshot = other.lock.withLock { other.creatorIdsInSnapshot }
        session = try PostgresSession.open(other.endpoint, options: other.options, snapshot: other.snapshot).session
    }

    /// Another connection reading the same snapshot (for a reader thread).
    public func reader() throws -> PostgresMetadataDatabase { try PostgresMetadataDatabase(sharing: self) }

    /// Ends the snapshot and closes the connection (also done when the instance goes away).
    public func close() { lock.withLock { session.close() } }

    public var displayName: String { endpoint.redactedURL }
    public var alembicVersion: String? { schema.alembicVersion }

    func read<T>(_ body: (PostgresRecordLoader) throws -> T) throws -> T {
        try lock.withLock { try body(PostgresRecordLoader(session: session, schema: schema)) }
    }

    // MARK: - MetadataStore

    public func identity() throws -> DatabaseIdentity {
        DatabaseIdentity(
            path: identityPath, alembicVersion: schema.alembicVersion,
            fingerprint: try read { try PostgresFingerprint.compute($0) })
    }

    public func creators() throws -> [CreatorSummary] { try read { try counts($0).summaries() } }

    public func creatorAccounts() throws -> [Account] { try read { try counts($0).accounts() } }

    /// Counts that know the creators' ids (read once per snapshot); call with `lock` held.
    private func counts(_ loader: PostgresRecordLoader) throws -> PostgresCounts {
        if creatorIdsInSnapshot == nil { creatorIdsInSnapshot = try PostgresCounts(loader: loader).creatorIds() }
        return PostgresCounts(loader: loader, knownCreatorIds: creatorIdsInSnapshot)
    }

    public func summary(creator: FanslyID) throws -> CreatorSummary {
        guard let summary = try read({ try PostgresCounts(loader: $0).summaries(for: [creator]) }).first else {
            throw MetadataError.unknownCreator(name: String(creator), path: displayName, suggestions: [], creators: [])
        }
        return summary
    }

    public func creator(matching nameOrId: String) throws -> Account {
        let name = nameOrId.trimmingCharacters(in: .whitespaces)
        return try read { loader in
            if let id = FanslyID(name), let account = try loader.accounts(ids: [id])[id] { return account }
            let handle = name.hasPrefix("@") ? String(name.dropFirst()) : name
            var binds = PostgresBindings(capacity: 1)
            binds.append(handle)
            var found: FanslyID?
            try session.query(
                """
                SELECT id FROM accounts WHERE lower(username) = lower($1) ORDER BY username = $1 DESC, id LIMIT 1
                """, binds
            ) { found = $0.int64(0) }
            if let found, let account = try loader.accounts(ids: [found])[found] { return account }
            let creators = try counts(loader).creatorUsernames()
            throw MetadataError.unknownCreator(
                name: name, path: displayName,
                suggestions: Suggestions.closest(to: handle, in: creators), creators: creators)
        }
    }

    public func accounts(ids: [FanslyID]) throws -> [FanslyID: Account] { try read { try $0.accounts(ids: ids) } }

    public func walls(creator: FanslyID) throws -> [Wall] {
        guard schema.hasTable("walls") else { return [] }
        return try read { try $0.walls(creator: creator) }
    }

    public func forEachPostPage(creator: FanslyID, pageSize: Int = 500, _ body: ([Post]) throws -> Void) throws {
        let index = try read { loader in
            try loader.postIndex(creator: creator, owners: owners.index { try loader.ownerIndex() })
        }
        let ids = index.postIds ?? []
        let size = max(1, pageSize)
        var start = 0
        while start < ids.count {
            // By id: walking the table in id order would pass every other creator's posts.
            let page = try read { try $0.postPage(ids: ids[start..<min(ids.count, start + size)], index: index) }
            if !page.isEmpty { try body(page) }
            start += size
        }
    }

    public func forEachMessagePage(creator: FanslyID, pageSize: Int = 500, _ body: ([Message]) throws -> Void) throws {
        let index = try read { loader in
            try loader.messageIndex(creator: creator, owners: owners.index { try loader.ownerIndex() })
        }
        try page(pageSize: pageSize, body) { try $0.messagePage(creator: creator, after: $1, limit: $2, index: index) }
    }

    public func forEachBundlePage(creator: FanslyID, pageSize: Int = 500, _ body: ([MediaBundle]) throws -> Void) throws
    {
        guard schema.hasBundles else { return }
        try page(pageSize: pageSize, body) { loader, after, limit in
            var binds = PostgresBindings(capacity: 3)
            binds.append(creator); binds.append(after); binds.append(Int64(limit))
            var rows: [PGRow] = []
            try loader.session.query(
                """
                SELECT \(loader.bundleColumns) FROM account_media_bundles b
                WHERE b."accountId" = $1 AND b.id > $2
                  AND EXISTS (SELECT 1 FROM account_media_bundle_media m WHERE m.bundle_id = b.id)
                ORDER BY b.id LIMIT $3
                """, binds
            ) { rows.append($0) }
            return try loader.bundles(rows: rows).values.sorted { $0.id < $1.id }
        }
    }

    public func forEachMediaPage(creator: FanslyID, pageSize: Int = 500, _ body: ([AccountMedia]) throws -> Void) throws
    {
        try page(pageSize: pageSize, body) { loader, after, limit in
            var binds = PostgresBindings(capacity: 3)
            binds.append(creator); binds.append(after); binds.append(Int64(limit))
            var ids: [FanslyID] = []
            try loader.session.query(
                "SELECT id FROM account_media WHERE \"accountId\" = $1 AND id > $2 ORDER BY id LIMIT $3",
                binds
            ) { if let id = $0.int64(0) { ids.append(id) } }
            let items = try loader.accountMedia(ids: ids)
            return ids.compactMap { items[$0] }
        }
    }

    public func forEachMediaPage(
        creator: FanslyID, pageSize: Int = 500, excluding excluded: Set<FanslyID>,
        _ body: ([AccountMedia]) throws -> Void
    ) throws {
        let ids = try read { loader in
            var ids: [FanslyID] = []
            try loader.session.query(
                "SELECT id FROM account_media WHERE \"accountId\" = $1 ORDER BY id",
                PostgresRecordLoader.id(creator)
            ) { if let id = $0.int64(0) { ids.append(id) } }
            return ids
        }.filter { !excluded.contains($0) }
        let size = max(1, pageSize)
        var start = 0
        while start < ids.count {
            let pageIds = ids[start..<min(ids.count, start + size)]
            let items = try read { try $0.accountMedia(ids: pageIds) }
            let page = pageIds.compactMap { items[$0] }
            if !page.isEmpty { try body(page) }
            start += size
        }
    }

    public func accountMedia(forFileIds fileIds: [FanslyID]) throws -> [FanslyID: [AccountMedia]] {
        try read { try PostgresFileIdLookup(loader: $0).accountMedia(forFileIds: fileIds) }
    }

    public func hashtags(creator: FanslyID) throws -> [Hashtag] {
        try read { loader in
            var result: [Hashtag] = []
            try loader.session.query(
                """
                SELECT DISTINCT h.id, h.value, \(schema.column("hashtags", "stash_id", alias: "h"))
                FROM hashtags h JOIN post_hashtags ph ON ph."hashtagId" = h.id JOIN posts p ON p.id = ph."postId"
                WHERE p."accountId" = $1 ORDER BY h.value, h.id
                """, PostgresRecordLoader.id(creator)
            ) { row in
                result.append(
                    Hashtag(
                        id: try row.id(0, "id", table: "hashtags"), value: row.string(1) ?? "", stashID: row.int64(2)))
            }
            return result
        }
    }

    public var defaultDownloadRoot: String? { downloadRoot }

    /// The creator's stories (`media_stories`), each pointing at its `account_media` item; the
    /// files are in `<creator>_fansly/Pictures|Videos`. Empty when the table is absent.
    public func stories(creator: FanslyID) throws -> [Story] {
        guard schema.hasTable("media_stories") else { return [] }
        return try read { loader in
            var stories: [Story] = []
            try loader.session.query(
                """
                SELECT id, "accountId", "contentId", "createdAt" FROM media_stories WHERE "accountId" = $1 ORDER BY id
                """, PostgresRecordLoader.id(creator)
            ) { row in
                stories.append(
                    Story(
                        id: try row.id(0, "id", table: "media_stories"),
                        authorId: try row.id(1, "accountId", table: "media_stories"), content: "",
                        createdAt: try row.date(3, "createdAt", table: "media_stories"), mediaId: row.int64(2)))
            }
            return stories
        }
    }

    public func mediaLinkage(creators: [FanslyID]) throws -> MediaLinkage? {
        try read { try PostgresLinkage.compute($0, creators: creators) }
    }

    /// Keyset paging over an increasing id, one locked read per page, the body outside the lock.
    private func page<T: Identifiable>(
        pageSize: Int, _ body: ([T]) throws -> Void,
        fetch: (PostgresRecordLoader, FanslyID, Int) throws -> [T]
    ) throws where T.ID == FanslyID {
        let limit = max(1, pageSize)
        var after = FanslyID.min
        while true {
            let items = try read { try fetch($0, after, limit) }
            guard let last = items.last else { return }
            try body(items)
            guard items.count == limit else { return }
            after = last.id
        }
    }
}
