import Foundation

/// What both backends offer (`MetadataDatabase` for SQLite, `PostgresMetadataDatabase` for
/// PostgreSQL): the reads `inspect`, `plan` and `rules explain` need, with equal records for equal
/// rows. Code that must stay fast on SQLite keeps the concrete type; this is for choosing a backend.
public protocol MetadataStore: AnyObject, Sendable {
    /// The database in reports and errors: a file path, or a URL without password.
    var displayName: String { get }
    /// What the user should know that did not stop opening (an unknown newer alembic revision).
    var warnings: [String] { get }
    /// The folder the downloader wrote into, when known.
    var defaultDownloadRoot: String? { get }
    func identity() throws -> DatabaseIdentity
    func creators() throws -> [CreatorSummary]
    func creatorAccounts() throws -> [Account]
    func summary(creator: FanslyID) throws -> CreatorSummary
    func creator(matching nameOrId: String) throws -> Account
    func accounts(ids: [FanslyID]) throws -> [FanslyID: Account]
    func walls(creator: FanslyID) throws -> [Wall]
    func forEachPostPage(creator: FanslyID, pageSize: Int, _ body: ([Post]) throws -> Void) throws
    func forEachMessagePage(creator: FanslyID, pageSize: Int, _ body: ([Message]) throws -> Void) throws
    func forEachBundlePage(creator: FanslyID, pageSize: Int, _ body: ([MediaBundle]) throws -> Void) throws
    func forEachMediaPage(creator: FanslyID, pageSize: Int, _ body: ([AccountMedia]) throws -> Void) throws
    func forEachMediaPage(
        creator: FanslyID, pageSize: Int, excluding excluded: Set<FanslyID>,
        _ body: ([AccountMedia]) throws -> Void) throws
    func accountMedia(forFileIds fileIds: [FanslyID]) throws -> [FanslyID: [AccountMedia]]
    func hashtags(creator: FanslyID) throws -> [Hashtag]
    func stories(creator: FanslyID) throws -> [Story]
    /// How far the creators' posts can be linked to their media; nil when the backend always
    /// stores the links (SQLite, v0.10).
    func mediaLinkage(creators: [FanslyID]) throws -> MediaLinkage?
}

/// Posts and messages that cannot be linked to their media, and the downloaded media that are
/// therefore mapped on their own. fansly-scraper 0.13 and later stores no `attachments` rows.
public struct MediaLinkage: Sendable, Hashable, Codable {
    public var posts = 0
    /// Posts with no attachment rows: written by v0.13+ (or text-only).
    public var postsWithoutAttachments = 0
    public var messages = 0
    public var messagesWithoutAttachments = 0
    /// Downloaded media that no attachment or attached bundle reaches.
    public var unlinkedDownloadedMedia = 0

    public init(
        posts: Int = 0, postsWithoutAttachments: Int = 0, messages: Int = 0, messagesWithoutAttachments: Int = 0,
        unlinkedDownloadedMedia: Int = 0
    ) {
        self.posts = posts; self.postsWithoutAttachments = postsWithoutAttachments; self.messages = messages
        self.messagesWithoutAttachments = messagesWithoutAttachments;
        self.unlinkedDownloadedMedia = unlinkedDownloadedMedia
    }

    /// True when posts lack their links and downloaded media are left without a post: the case the
    /// plan explains once.
    public var isIncomplete: Bool { postsWithoutAttachments > 0 && unlinkedDownloadedMedia > 0 }
}

extension MetadataDatabase: MetadataStore {
    public var displayName: String { path }
    public var warnings: [String] { [] }
    /// The configuration's `download_directory`, else the folder holding the database: where the
    /// downloader keeps `metadata_db.sqlite3` by default.
    public var defaultDownloadRoot: String? {
        configuredDownloadRoot ?? URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
    /// v0.10 always stored the links.
    public func mediaLinkage(creators: [FanslyID]) throws -> MediaLinkage? { nil }
}

/// Opens whatever `--db` named.
public enum MetadataStores {
    /// The SQLite file, or a PostgreSQL connection (its snapshot begun), for `resolved`.
    /// - Throws: `MetadataError` (missing file, unreachable server, wrong password, …).
    public static func open(
        _ resolved: ResolvedDatabase,
        options: PostgresReadOptions = PostgresReadOptions()
    ) throws -> any MetadataStore {
        switch resolved.location {
        case .sqlite(let path):
            return try MetadataDatabase(path: path, downloadRoot: resolved.downloadRoot)
        case .postgres(let endpoint):
            var options = options
            if let seconds = endpoint.connectTimeout { options.connectTimeout = TimeInterval(seconds) }
            return try PostgresMetadataDatabase(
                endpoint: endpoint, identityPath: resolved.argument,
                downloadRoot: resolved.downloadRoot, options: options)
        }
    }
}
