public import FanslyMetadata
import Foundation

/// The reads the engine needs, page by page per creator: what `MetadataDatabase` offers,
/// and what `MetadataRecords` offers for tests and tools that hold records in memory.
public protocol MetadataRecordSource {
    /// Accounts whose content is mapped when no creator selection is given.
    func creatorAccounts() throws -> [Account]
    /// Accounts by id (repost authors, message parties); unknown ids are absent.
    func accounts(ids: [FanslyID]) throws -> [FanslyID: Account]
    func walls(creator: FanslyID) throws -> [Wall]
    func forEachPostPage(creator: FanslyID, pageSize: Int, _ body: ([Post]) throws -> Void) throws
    func forEachMessagePage(creator: FanslyID, pageSize: Int, _ body: ([Message]) throws -> Void) throws
    func forEachBundlePage(creator: FanslyID, pageSize: Int, _ body: ([MediaBundle]) throws -> Void) throws
    func forEachMediaPage(creator: FanslyID, pageSize: Int, _ body: ([AccountMedia]) throws -> Void) throws
    /// The creator's media in id order without the items in `excluded` (sources that can skip
    /// reading them should; pages may then be shorter than `pageSize`).
    func forEachMediaPage(
        creator: FanslyID, pageSize: Int, excluding excluded: Set<FanslyID>,
        _ body: ([AccountMedia]) throws -> Void) throws
    /// The folder the downloader wrote into, when known (the database's folder by default).
    var defaultDownloadRoot: String? { get }
}

extension MetadataRecordSource {
    /// Filters the full stream: right for any source, for sources that cannot skip reading.
    public func forEachMediaPage(
        creator: FanslyID, pageSize: Int, excluding excluded: Set<FanslyID>,
        _ body: ([AccountMedia]) throws -> Void
    ) throws {
        try forEachMediaPage(creator: creator, pageSize: pageSize) { page in
            let kept = page.filter { !excluded.contains($0.id) }
            if !kept.isEmpty { try body(kept) }
        }
    }
}

/// Records held in memory: the engine's pure input.
public struct MetadataRecords: Sendable, MetadataRecordSource {
    public var creators: [Account]
    /// Every other account records refer to (repost authors, message parties, mentions).
    public var otherAccounts: [Account]
    public var posts: [Post]
    public var messages: [Message]
    public var bundles: [MediaBundle]
    /// Every `account_media` item, including those no post or message shows.
    public var media: [AccountMedia]
    public var walls: [Wall]
    public var downloadRoot: String?

    public init(
        creators: [Account], otherAccounts: [Account] = [], posts: [Post] = [], messages: [Message] = [],
        bundles: [MediaBundle] = [], media: [AccountMedia] = [], walls: [Wall] = [], downloadRoot: String? = nil
    ) {
        self.creators = creators; self.otherAccounts = otherAccounts; self.posts = posts; self.messages = messages
        self.bundles = bundles; self.media = media; self.walls = walls; self.downloadRoot = downloadRoot
    }

    public func creatorAccounts() throws -> [Account] { creators }

    public func accounts(ids: [FanslyID]) throws -> [FanslyID: Account] {
        let wanted = Set(ids)
        var result: [FanslyID: Account] = [:]
        for account in creators + otherAccounts where wanted.contains(account.id) { result[account.id] = account }
        return result
    }

    public func walls(creator: FanslyID) throws -> [Wall] { walls.filter { $0.accountId == creator } }

    /// Pages of the items that pass `include`, in id order, like the database streams them.
    /// Sorts indices rather than records (records are large values).
    private func pages<T>(
        _ items: [T], id: (T) -> FanslyID, include: (T) -> Bool, size: Int, _ body: ([T]) throws -> Void
    ) rethrows {
        var indices = items.indices.filter { include(items[$0]) }
        if !zip(indices, indices.dropFirst()).allSatisfy({ id(items[$0.0]) < id(items[$0.1]) }) {
            indices.sort { id(items[$0]) < id(items[$1]) }
        }
        let size = max(1, size)
        var start = 0
        while start < indices.count {
            try body(indices[start..<min(indices.count, start + size)].map { items[$0] })
            start += size
        }
    }

    public func forEachPostPage(creator: FanslyID, pageSize: Int, _ body: ([Post]) throws -> Void) throws {
        try pages(posts, id: \.id, include: { $0.accountId == creator }, size: pageSize, body)
    }
    public func forEachMessagePage(creator: FanslyID, pageSize: Int, _ body: ([Message]) throws -> Void) throws {
        try pages(
            messages, id: \.id, include: { $0.senderId == creator || $0.recipientId == creator }, size: pageSize, body)
    }
    public func forEachBundlePage(creator: FanslyID, pageSize: Int, _ body: ([MediaBundle]) throws -> Void) throws {
        try pages(bundles, id: \.id, include: { $0.accountId == creator && !$0.isPhantom }, size: pageSize, body)
    }
    public func forEachMediaPage(creator: FanslyID, pageSize: Int, _ body: ([AccountMedia]) throws -> Void) throws {
        try pages(media, id: \.id, include: { $0.accountId == creator }, size: pageSize, body)
    }
    public var defaultDownloadRoot: String? { downloadRoot }
}
