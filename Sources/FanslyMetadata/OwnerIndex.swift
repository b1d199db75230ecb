import Foundation
import GRDB

/// Who owns which post and attachment, read in one pass over `posts` and `attachments`.
///
/// The downloader's schema (SQLite and PostgreSQL alike) has no index on `posts."accountId"`, `attachments."postId"` or
/// `attachments."messageId"`. Asking for one creator's posts or attachments therefore scans the
/// whole table, once per creator: on a 50-creator database that is 50 scans of every attachment
/// (with a post look-up per row), and the time grew with creators × library. This index is read
/// once per connection, the first time a creator's posts or messages are read, and kept as
/// sorted pairs (16 bytes a row: about 13 MB for 200,000 posts and 600,000 attachments).
final class OwnerIndex: Sendable {
    /// An owner (account, post or message) and one id it owns.
    struct Pair: Comparable {
        var owner: FanslyID
        var id: FanslyID
        static func < (lhs: Pair, rhs: Pair) -> Bool { (lhs.owner, lhs.id) < (rhs.owner, rhs.id) }
    }

    /// (account, post), sorted.
    private let postsByAccount: [Pair]
    /// (post, attachment), sorted.
    private let attachmentsByPost: [Pair]
    /// (message, attachment), sorted.
    private let attachmentsByMessage: [Pair]

    /// An index of these pairs, in any order.
    init(postsByAccount: [Pair], attachmentsByPost: [Pair], attachmentsByMessage: [Pair]) {
        self.postsByAccount = postsByAccount.sorted()
        self.attachmentsByPost = attachmentsByPost.sorted()
        self.attachmentsByMessage = attachmentsByMessage.sorted()
    }

    /// Reads the index from a SQLite database.
    convenience init(_ db: Database) throws {
        self.init(
            postsByAccount: try Self.pairs(db, sql: "SELECT \"accountId\", id FROM posts"),
            attachmentsByPost: try Self.pairs(
                db, sql: "SELECT \"postId\", id FROM attachments WHERE \"postId\" IS NOT NULL"),
            attachmentsByMessage: try Self.pairs(
                db, sql: "SELECT \"messageId\", id FROM attachments WHERE \"messageId\" IS NOT NULL"))
    }

    /// The account's post ids, ascending.
    func posts(of account: FanslyID) -> [FanslyID] { Self.ids(of: account, in: postsByAccount) }

    /// The attachment ids of `posts`, ascending.
    func attachments(ofPosts posts: some Sequence<FanslyID>) -> [FanslyID] {
        posts.flatMap { Self.ids(of: $0, in: attachmentsByPost) }.sorted()
    }

    /// The attachment ids of `messages`, ascending.
    func attachments(ofMessages messages: some Sequence<FanslyID>) -> [FanslyID] {
        messages.flatMap { Self.ids(of: $0, in: attachmentsByMessage) }.sorted()
    }

    private static func pairs(_ db: Database, sql: String) throws -> [Pair] {
        var pairs: [Pair] = []
        let statement = try db.cachedStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
            // A NULL or non-integer owner (never written by the downloader) owns nothing here.
            guard case .int64(let owner) = (row[0] as DatabaseValue).storage,
                case .int64(let id) = (row[1] as DatabaseValue).storage
            else { continue }
            pairs.append(Pair(owner: owner, id: id))
        }
        return pairs
    }

    /// The ids `owner` owns in `pairs` (binary search for the first pair, then a run).
    private static func ids(of owner: FanslyID, in pairs: [Pair]) -> [FanslyID] {
        var low = 0
        var high = pairs.count
        while low < high {
            let middle = (low + high) / 2
            if pairs[middle].owner < owner { low = middle + 1 } else { high = middle }
        }
        var result: [FanslyID] = []
        while low < pairs.count && pairs[low].owner == owner {
            result.append(pairs[low].id)
            low += 1
        }
        return result
    }
}

/// The connection's `OwnerIndex`, read on first use (a connection that never pages posts or
/// messages, like `inspect`'s, never reads it).
final class OwnerIndexCache: @unchecked Sendable {
    private let lock = NSLock()
    private var index: OwnerIndex?

    func index(_ db: Database) throws -> OwnerIndex { try index { try OwnerIndex(db) } }

    /// The index, made by `make` the first time.
    func index(_ make: () throws -> OwnerIndex) throws -> OwnerIndex {
        lock.lock()
        defer { lock.unlock() }
        if let index { return index }
        let made = try make()
        index = made
        return made
    }
}
