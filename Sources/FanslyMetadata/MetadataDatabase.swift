import Foundation
import GRDB

/// A creator found in the database: an account that owns posts, media, walls or messages.
public struct CreatorSummary: Sendable, Hashable, Codable {
    public var account: Account
    public var posts: Int
    public var messages: Int
    /// Real bundles only (phantom bundles excluded).
    public var bundles: Int
    public var walls: Int
    public var images: Int
    public var videos: Int
    public var previews: Int
    public var downloadedMedia: Int
    public var hashtags: Int
    init(
        account: Account, posts: Int = 0, messages: Int = 0, bundles: Int = 0, walls: Int = 0,
        images: Int = 0, videos: Int = 0, previews: Int = 0, downloadedMedia: Int = 0, hashtags: Int = 0
    ) {
        self.account = account; self.posts = posts; self.messages = messages; self.bundles = bundles
        self.walls = walls; self.images = images; self.videos = videos; self.previews = previews
        self.downloadedMedia = downloadedMedia; self.hashtags = hashtags
    }
}

/// What identifies a database file for staleness checks of saved plans.
public struct DatabaseIdentity: Sendable, Hashable, Codable {
    /// Absolute path of the file.
    public var path: String
    public var alembicVersion: String?
    /// A fingerprint of the content (e.g. counts and max ids/dates of the main tables),
    /// stable across reads, changed by any downloader run that adds or changes rows.
    public var fingerprint: String
    public init(path: String, alembicVersion: String?, fingerprint: String) {
        self.path = path; self.alembicVersion = alembicVersion; self.fingerprint = fingerprint
    }
}

/// Read-only access to a fansly-scraper (v0.10.x) metadata database.
///
/// The file is opened with SQLite's read-only flag (`mode=ro`) and `PRAGMA query_only`, so
/// nothing can be written even by mistake, and it can be read while the downloader has it open
/// (WAL or rollback journal). Opening checks that the file is what it claims to be and throws a
/// `MetadataError` naming what is wrong. Every method reads in short transactions; the `forEach…Page`
/// methods stream a creator's records page by page, resolving relationships with a handful of
/// batched queries per page.
public final class MetadataDatabase: Sendable {
    /// Absolute path of the database file.
    public let path: String
    /// The downloader's `download_directory` when its configuration named this file; nil: the
    /// database's folder is the download folder (see `defaultDownloadRoot`).
    public let configuredDownloadRoot: String?
    let queue: DatabaseQueue
    let schema: DatabaseSchema
    /// Who owns which post and attachment (the schema has no index for it), read on first use.
    let owners = OwnerIndexCache()

    /// Opens and recognises the database at `path`.
    /// - Throws: `MetadataError` (missing file, directory, empty file, not SQLite, another
    ///   application's database, missing tables or columns, no alembic revision, unreadable).
    public convenience init(path: String) throws {
        try self.init(path: path, busyTimeout: 10, traceStatement: nil)
    }

    /// `init(path:)` for a database named by the downloader's configuration, whose
    /// `download_directory` is `downloadRoot`.
    public convenience init(path: String, downloadRoot: String?) throws {
        try self.init(path: path, busyTimeout: 10, traceStatement: nil, downloadRoot: downloadRoot)
    }

    /// `busyTimeout`: how long to wait for another program's lock; `traceStatement` sees every
    /// SQL statement run (tests count queries per page with it).
    init(
        path: String, busyTimeout: TimeInterval, traceStatement: (@Sendable (String) -> Void)?,
        downloadRoot: String? = nil
    ) throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        self.path = absolute
        configuredDownloadRoot = downloadRoot
        try Self.checkFile(absolute)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "fansly-metadata"
        // The downloader rewrites the file every 60 s; wait out its short write locks, saying so.
        let wait = LockWait(path: absolute, timeout: busyTimeout)
        configuration.busyMode = .callback { wait.retry($0) }
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA query_only = 1")
            if let traceStatement { db.trace(options: .statement) { traceStatement($0.expandedDescription) } }
        }
        do {
            queue = try DatabaseQueue(path: Self.readOnlyURI(absolute), configuration: configuration)
            schema = try queue.read { db in try DatabaseSchema.read(db, path: absolute) }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: absolute)
        }
    }

    /// The alembic revision and a content fingerprint, for detecting that a saved plan is stale.
    public func identity() throws -> DatabaseIdentity {
        try read { db in
            DatabaseIdentity(
                path: path, alembicVersion: schema.alembicVersion,
                fingerprint: try Fingerprint.compute(db, schema: schema))
        }
    }

    /// The creators whose content was downloaded, with their counts, ordered by username: accounts
    /// owning walls, posts (other than posts that are only reposted by others), media sent in
    /// messages, or the phantom bundles the downloader writes for the creator it downloads.
    public func creators() throws -> [CreatorSummary] {
        try read { db in try CreatorCounts(db: db, schema: schema).summaries() }
    }

    /// The creators' accounts, as `creators()` lists them (same accounts, same order), without
    /// counting their content: what mapping needs, a fraction of the cost on large databases.
    public func creatorAccounts() throws -> [Account] {
        try read { db in try CreatorCounts(db: db, schema: schema).accounts() }
    }

    /// The counts of one account (zero counts for an account that owns nothing).
    public func summary(creator: FanslyID) throws -> CreatorSummary {
        try read { db in
            guard let summary = try CreatorCounts(db: db, schema: schema).summaries(for: [creator]).first else {
                throw MetadataError.unknownCreator(name: String(creator), path: path, suggestions: [], creators: [])
            }
            return summary
        }
    }

    /// The account named `nameOrId`: a username (case-insensitive) or a numeric account id.
    /// - Throws: `MetadataError.unknownCreator` with the closest creator usernames.
    public func creator(matching nameOrId: String) throws -> Account {
        let name = nameOrId.trimmingCharacters(in: .whitespaces)
        return try read { db in
            let loader = RecordLoader(db: db, schema: schema)
            if let id = FanslyID(name), let account = try loader.accounts(ids: [id])[id] {
                return account
            }
            let handle = name.hasPrefix("@") ? String(name.dropFirst()) : name
            if let id = try FanslyID.fetchOne(
                db,
                sql: """
                    SELECT id FROM accounts WHERE username = ? COLLATE NOCASE ORDER BY username = ? DESC, id LIMIT 1
                    """, arguments: [handle, handle]),
                let account = try loader.accounts(ids: [id])[id]
            {
                return account
            }
            let creators = try CreatorCounts(db: db, schema: schema).creatorUsernames()
            throw MetadataError.unknownCreator(
                name: name, path: path,
                suggestions: Suggestions.closest(to: handle, in: creators),
                creators: creators)
        }
    }

    /// Accounts by id, with avatar and banner media; unknown ids are absent from the result.
    public func accounts(ids: [FanslyID]) throws -> [FanslyID: Account] {
        try read { db in try RecordLoader(db: db, schema: schema).accounts(ids: ids) }
    }

    /// The creator's walls in `pos` order, each with its post ids ordered by post time then id.
    /// Empty when the database has no walls table.
    public func walls(creator: FanslyID) throws -> [Wall] {
        guard schema.hasTable("walls") else { return [] }
        return try read { db in try WallReader(db: db, schema: schema).walls(creator: creator) }
    }

    /// Streams the creator's posts in id (= time) order, `pageSize` at a time, with attachments,
    /// bundles, media, reposts (one level), hashtags, mentions, walls and the pinned flag resolved.
    /// The iteration covers the posts present when it starts.
    public func forEachPostPage(creator: FanslyID, pageSize: Int = 500, _ body: ([Post]) throws -> Void) throws {
        let index = try read { db in
            try PostPaging.index(db, schema: schema, creator: creator, owners: owners.index(db))
        }
        let ids = index.postIds ?? []
        let size = max(1, pageSize)
        var start = 0
        while start < ids.count {
            let pageIds = ids[start..<min(ids.count, start + size)]
            let page = try read { db in
                let loader = RecordLoader(db: db, schema: schema)
                // By id: the table has no index on the account, so a walk in id order would pass every other creator's posts.
                let rows = try loader.postRows(sqlWhere: "id IN (%@) ORDER BY id", ids: Array(pageIds))
                return try loader.posts(
                    rows, attachments: index.attachments, resolveReposts: true,
                    repostAttachments: index.repostAttachments)
            }
            if !page.isEmpty { try body(page) }
            start += size
        }
    }

    /// Streams the messages the creator sent or received or that were posted in its groups,
    /// in id order, with sender, recipient and attachments resolved. Bundles attached to messages
    /// are never stored by the downloader: they come back as `.missing`.
    public func forEachMessagePage(creator: FanslyID, pageSize: Int = 500, _ body: ([Message]) throws -> Void) throws {
        let index = try read { db in
            try MessagePaging.index(db, schema: schema, creator: creator, owners: owners.index(db))
        }
        try page(pageSize: pageSize, body) { db, after, limit in
            try MessagePaging.page(db, schema: schema, creator: creator, after: after, limit: limit, index: index)
        }
    }

    /// Streams the creator's real bundles (those with members; phantom bundles are skipped) in
    /// id order, members in `pos` order. Nothing when the database has no bundle tables.
    public func forEachBundlePage(creator: FanslyID, pageSize: Int = 500, _ body: ([MediaBundle]) throws -> Void) throws
    {
        guard schema.hasBundles else { return }
        try page(pageSize: pageSize, body) { db, after, limit in
            let loader = RecordLoader(db: db, schema: schema)
            let rows = try ValueRow.fetchAll(
                db,
                sql: """
                    SELECT \(loader.bundleColumns) FROM account_media_bundles b
                    WHERE b."accountId" = ? AND b.id > ?
                      AND EXISTS (SELECT 1 FROM account_media_bundle_media m WHERE m.bundle_id = b.id)
                    ORDER BY b.id LIMIT ?
                    """, arguments: [creator, after, limit])
            return try loader.bundles(rows: rows).values.sorted { $0.id < $1.id }
        }
    }

    /// Streams the creator's `account_media` items in id order, with media, preview and variants.
    public func forEachMediaPage(creator: FanslyID, pageSize: Int = 500, _ body: ([AccountMedia]) throws -> Void) throws
    {
        try page(pageSize: pageSize, body) { db, after, limit in
            let ids = try FanslyID.fetchAll(
                db,
                sql: """
                    SELECT id FROM account_media WHERE "accountId" = ? AND id > ? ORDER BY id LIMIT ?
                    """, arguments: [creator, after, limit])
            let items = try RecordLoader(db: db, schema: schema).accountMedia(ids: ids)
            return ids.compactMap { items[$0] }
        }
    }

    /// Streams the creator's `account_media` items in id order, like `forEachMediaPage`, leaving out
    /// those in `excluded` without reading them (mapping skips the items posts and messages showed).
    /// Pages hold up to `pageSize` items; the iteration covers the items present when it starts.
    public func forEachMediaPage(
        creator: FanslyID, pageSize: Int = 500, excluding excluded: Set<FanslyID>,
        _ body: ([AccountMedia]) throws -> Void
    ) throws {
        let ids = try read { db in
            try FanslyID.fetchAll(
                db, sql: "SELECT id FROM account_media WHERE \"accountId\" = ? ORDER BY id", arguments: [creator])
        }.filter { !excluded.contains($0) }
        let size = max(1, pageSize)
        var start = 0
        while start < ids.count {
            let pageIds = ids[start..<min(ids.count, start + size)]
            let items = try read { db in try RecordLoader(db: db, schema: schema).accountMedia(ids: pageIds) }
            let page = pageIds.compactMap { items[$0] }
            if !page.isEmpty { try body(page) }
            start += size
        }
    }

    /// Maps ids found in downloaded file names (a media id, an HLS/DASH variant id or a preview id)
    /// back to the `account_media` items they belong to. Ids that match nothing are absent.
    public func accountMedia(forFileIds fileIds: [FanslyID]) throws -> [FanslyID: [AccountMedia]] {
        try read { db in
            try FileIdLookup(loader: RecordLoader(db: db, schema: schema)).accountMedia(forFileIds: fileIds)
        }
    }

    /// The creator's stories (always empty in real databases; empty when the table is absent).
    public func stories(creator: FanslyID) throws -> [Story] {
        guard schema.hasTable("stories") else { return [] }
        return try read { db in
            let columns = ["id", "authorId", "title", "description", "content", "createdAt"]
                .map { schema.column("stories", $0) }.joined(separator: ", ")
            return try ValueRow.fetchAll(
                db, sql: "SELECT \(columns) FROM stories WHERE \"authorId\" = ? ORDER BY id",
                arguments: [creator]
            ).map { row in
                let fields = Fields(row: row, table: "stories")
                return Story(
                    id: try fields.id(0, "id"), authorId: try fields.id(1, "authorId"), title: fields.string(2),
                    description: fields.string(3), content: fields.string(4) ?? "",
                    createdAt: try fields.date(5, "createdAt"))
            }
        }
    }

    /// The distinct hashtags of the creator's posts, ordered by value.
    public func hashtags(creator: FanslyID) throws -> [Hashtag] {
        try read { db in
            try ValueRow.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT h.id, h.value, \(schema.column("hashtags", "stash_id", alias: "h"))
                    FROM hashtags h JOIN post_hashtags ph ON ph."hashtagId" = h.id JOIN posts p ON p.id = ph."postId"
                    WHERE p."accountId" = ? ORDER BY h.value, h.id
                    """, arguments: [creator]
            ).map { row in
                let fields = Fields(row: row, table: "hashtags")
                return Hashtag(id: try fields.id(0, "id"), value: fields.string(1) ?? "", stashID: fields.int64(2))
            }
        }
    }

    // MARK: - Plumbing

    /// One read transaction, with SQLite errors translated into `MetadataError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Keyset paging over an increasing id: one read transaction per page, the body outside it
    /// (so it may call back into this database).
    private func page<T: Identifiable>(
        pageSize: Int, _ body: ([T]) throws -> Void,
        fetch: (Database, FanslyID, Int) throws -> [T]
    ) throws where T.ID == FanslyID {
        let limit = max(1, pageSize)
        var after = FanslyID.min
        while true {
            let items = try read { db in try fetch(db, after, limit) }
            guard let last = items.last else { return }
            try body(items)
            guard items.count == limit else { return }
            after = last.id
        }
    }
}
