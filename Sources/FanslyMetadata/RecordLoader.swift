import Foundation
import GRDB
import GRDBSQLite

/// One `attachments` row before its content is resolved.
struct AttachmentRow: Sendable {
    var id: FanslyID
    var ownerId: FanslyID
    var contentId: FanslyID
    var pos: Int
    var contentType: String
}

extension AttachmentRow {
    /// Turns each owner's attachment rows into records, resolving their content from what the
    /// page loaded; the same for every backend.
    static func assemble(
        _ attachments: [FanslyID: [AttachmentRow]], items: [FanslyID: AccountMedia],
        bundles: [FanslyID: MediaBundle], reposts: [FanslyID: Post]
    ) -> [FanslyID: [Attachment]] {
        var result: [FanslyID: [Attachment]] = [:]
        for (owner, rows) in attachments {
            result[owner] = rows.map { row in
                let content: AttachmentContent
                switch row.contentType {
                case "ACCOUNT_MEDIA":
                    content =
                        items[row.contentId].map { .accountMedia($0) }
                        ?? .missing(contentType: row.contentType, contentId: row.contentId)
                case "ACCOUNT_MEDIA_BUNDLE":
                    content =
                        bundles[row.contentId].map { .bundle($0) }
                        ?? .missing(contentType: row.contentType, contentId: row.contentId)
                case "AGGREGATED_POSTS":
                    content = .repost(postId: row.contentId, post: reposts[row.contentId])
                default:
                    content = .other(contentType: row.contentType, contentId: row.contentId)
                }
                return Attachment(
                    id: row.id, pos: row.pos, contentId: row.contentId, contentType: row.contentType, content: content)
            }
        }
        return result
    }
}

/// An `account_media` row before its media are resolved.
private struct ItemRow {
    var id, accountId, mediaId: FanslyID
    var previewId: FanslyID?
    var access, deleted: Bool
    var createdAt, deletedAt: Date?
    var stashID: Int64?
}

/// Reads records in batches inside one database access: every method issues a fixed number of
/// queries whatever the number of ids (chunked `IN` lists), never one query per row.
struct RecordLoader {
    let db: Database
    let schema: DatabaseSchema

    /// Bound parameters per statement: below the 999-variable limit of old SQLite builds.
    static let chunkSize = 900

    // MARK: - Generic helpers

    /// Runs `sql` once per chunk of `ids`, each `%@` placeholder standing for the chunk's ids, and
    /// calls `body` with each row in turn (valid during the call only). The statement is prepared
    /// once per connection (a cached statement with a fixed number of bound parameters; short
    /// chunks repeat their last id), so SQLite parses no long literal lists.
    func forEachRow(_ sql: String, ids: some Collection<FanslyID>, table: String, _ body: (Fields) throws -> Void)
        throws
    {
        var unique = Array(Set(ids))
        guard !unique.isEmpty else { return }
        unique.sort()
        // Anonymous `?` parameters (numbered ones cost SQLite a name lookup per parameter); a list
        // written twice binds the chunk twice. Short lists use a shorter statement (sizes 16, 128,
        // then the full chunk) so that they bind little padding.
        let lists = max(1, sql.components(separatedBy: "%@").count - 1)
        let full = Self.chunkSize / lists
        var start = 0
        while start < unique.count {
            let remaining = unique.count - start
            let size = [16, 128].first { $0 >= remaining && $0 < full } ?? full
            let count = min(size, remaining)
            let parameters = Array(repeating: "?", count: size).joined(separator: ",")
            let statement = try db.cachedStatement(sql: sql.replacingOccurrences(of: "%@", with: parameters))
            // Bound through SQLite's C API: GRDB's `StatementArguments` converts every value through
            // unspecialized generic code. Empty unchecked arguments mark the statement as bound
            // (the cursor then only resets it, which keeps these bindings).
            statement.setUncheckedArguments(StatementArguments())
            let sqlite = statement.sqliteStatement
            for list in 0..<lists {
                for offset in 0..<size {
                    // Short chunks repeat their last id: a repeated value changes nothing in an IN list.
                    let id = unique[start + min(offset, count - 1)]
                    sqlite3_bind_int64(sqlite, CInt(list * size + offset + 1), id)
                }
            }
            try Fields.forEach(statement, table: table, body)
            start += count
        }
    }

    /// The rows of `forEachRow(_:ids:table:_:)`, copied.
    func rows(_ sql: String, ids: some Collection<FanslyID>) throws -> [ValueRow] {
        var result: [ValueRow] = []
        try forEachRow(sql, ids: ids, table: "") { result.append($0.values) }
        return result
    }

    // MARK: - Media

    var mediaColumns: String {
        [
            "id", "accountId", "mimetype", "type", "width", "height", "duration", "location", "createdAt",
            "updatedAt", "local_filename", "content_hash", "is_downloaded", "stash_id",
        ]
        .map { schema.column("media", $0) }.joined(separator: ", ")
    }

    /// Media rows by id, without their variant ids.
    func media(ids: some Collection<FanslyID>) throws -> [FanslyID: Media] {
        var result: [FanslyID: Media] = [:]
        result.reserveCapacity(ids.count)
        try forEachRow("SELECT \(mediaColumns) FROM media WHERE id IN (%@)", ids: ids, table: "media") { fields in
            let id = try fields.id(0, "id")
            let mimetype = fields.string(2)
            let type = fields.int(3)
            result[id] = Media(
                id: id, accountId: try fields.id(1, "accountId"), mimetype: mimetype, type: type,
                kind: MediaKind(mimetype: mimetype, type: type), width: fields.int(4), height: fields.int(5),
                duration: fields.double(6), location: fields.string(7), createdAt: try fields.date(8, "createdAt"),
                updatedAt: try fields.date(9, "updatedAt"), localFilename: fields.string(10),
                contentHash: fields.string(11), isDownloaded: fields.bool(12), stashID: fields.int64(13))
        }
        return result
    }

    /// `media_variants` of the given originals: original id → variant ids in id order.
    func variantIds(of ids: some Collection<FanslyID>) throws -> [FanslyID: [FanslyID]] {
        var result: [FanslyID: [FanslyID]] = [:]
        try forEachRow(
            "SELECT \"mediaId\", \"variantId\" FROM media_variants WHERE \"mediaId\" IN (%@) ORDER BY \"mediaId\", \"variantId\"",
            ids: ids, table: "media_variants"
        ) { fields in
            result[try fields.id(0, "mediaId"), default: []].append(try fields.id(1, "variantId"))
        }
        return result
    }

    /// `account_media` items by id with media, preview and variants resolved (three queries).
    func accountMedia(ids: some Collection<FanslyID>) throws -> [FanslyID: AccountMedia] {
        let columns = [
            "id", "accountId", "mediaId", "previewId", "access", "deleted", "createdAt", "deletedAt", "stash_id",
        ]
        .map { schema.column("account_media", $0) }.joined(separator: ", ")
        var items: [ItemRow] = []
        items.reserveCapacity(ids.count)
        try forEachRow("SELECT \(columns) FROM account_media WHERE id IN (%@)", ids: ids, table: "account_media") {
            fields in
            items.append(
                ItemRow(
                    id: try fields.id(0, "id"), accountId: try fields.id(1, "accountId"),
                    mediaId: try fields.id(2, "mediaId"), previewId: fields.int64(3),
                    access: fields.bool(4, default: true), deleted: fields.bool(5),
                    createdAt: try fields.date(6, "createdAt"), deletedAt: try fields.date(7, "deletedAt"),
                    stashID: fields.int64(8)))
        }
        let parents = items.map { $0.mediaId } + items.compactMap { $0.previewId }
        let variants = try variantIds(of: parents)
        var media = try self.media(ids: parents + variants.values.joined())
        for (original, ids) in variants { media[original]?.variantIds = ids }
        var result: [FanslyID: AccountMedia] = [:]
        result.reserveCapacity(items.count)
        for item in items {
            // An account_media row whose media row is missing keeps a stub so callers still see the item.
            let original =
                media[item.mediaId]
                ?? Media(id: item.mediaId, accountId: item.accountId, kind: .other)
            result[item.id] = AccountMedia(
                id: item.id, accountId: item.accountId, media: original,
                preview: item.previewId.flatMap { media[$0] },
                variants: (variants[item.mediaId] ?? []).compactMap { media[$0] },
                access: item.access, deleted: item.deleted, createdAt: item.createdAt,
                deletedAt: item.deletedAt, stashID: item.stashID)
        }
        return result
    }

    // MARK: - Bundles

    var bundleColumns: String {
        ["id", "accountId", "previewId", "createdAt", "access", "purchased", "deleted", "stash_id"]
            .map { schema.column("account_media_bundles", $0, alias: "b") }.joined(separator: ", ")
    }

    /// Bundles by id with members in `pos` order; phantom bundles come back with no members.
    func bundles(ids: some Collection<FanslyID>) throws -> [FanslyID: MediaBundle] {
        guard schema.hasTable("account_media_bundles") else { return [:] }
        return try bundles(
            rows: rows("SELECT \(bundleColumns) FROM account_media_bundles b WHERE b.id IN (%@)", ids: ids))
    }

    func bundles(rows bundleRows: [ValueRow]) throws -> [FanslyID: MediaBundle] {
        var bundles: [FanslyID: MediaBundle] = [:]
        for row in bundleRows {
            let fields = Fields(row: row, table: "account_media_bundles")
            let id = try fields.id(0, "id")
            bundles[id] = MediaBundle(
                id: id, accountId: try fields.id(1, "accountId"), previewId: fields.int64(2),
                createdAt: try fields.date(3, "createdAt"), access: fields.bool(4, default: true),
                purchased: fields.bool(5), deleted: fields.bool(6), stashID: fields.int64(7))
        }
        guard schema.hasTable("account_media_bundle_media"), !bundles.isEmpty else { return bundles }
        var members: [(bundle: FanslyID, item: FanslyID)] = []
        try forEachRow(
            "SELECT bundle_id, media_id FROM account_media_bundle_media WHERE bundle_id IN (%@) ORDER BY bundle_id, pos, media_id",
            ids: bundles.keys, table: "account_media_bundle_media"
        ) { fields in
            members.append((try fields.id(0, "bundle_id"), try fields.id(1, "media_id")))
        }
        let items = try accountMedia(ids: members.map { $0.item })
        for member in members {
            // Members whose account_media row was never stored are left out.
            if let item = items[member.item] { bundles[member.bundle]?.media.append(item) }
        }
        return bundles
    }

    // MARK: - Accounts

    /// Accounts by id with avatar and banner media.
    func accounts(ids: some Collection<FanslyID>) throws -> [FanslyID: Account] {
        let columns = ["id", "username", "displayName", "about", "location", "createdAt", "stash_id"]
            .map { schema.column("accounts", $0) }.joined(separator: ", ")
        var accounts: [FanslyID: Account] = [:]
        for row in try rows("SELECT \(columns) FROM accounts WHERE id IN (%@)", ids: ids) {
            accounts[try Fields(row: row, table: "accounts").id(0, "id")] = try Self.account(row)
        }
        guard !accounts.isEmpty else { return accounts }
        var pictures: [(account: FanslyID, media: FanslyID, isAvatar: Bool)] = []
        for (table, isAvatar) in [("account_avatar", true), ("account_banner", false)] where schema.hasTable(table) {
            for row in try rows(
                "SELECT \"accountId\", \"mediaId\" FROM \(table) WHERE \"accountId\" IN (%@) ORDER BY \"mediaId\"",
                ids: accounts.keys)
            {
                let fields = Fields(row: row, table: table)
                if let account = fields.int64(0), let media = fields.int64(1) {
                    pictures.append((account, media, isAvatar))
                }
            }
        }
        let media = try self.media(ids: pictures.map { $0.media })
        // The newest picture (highest id) wins when an account has several.
        for picture in pictures {
            guard let item = media[picture.media] else { continue }
            if picture.isAvatar {
                accounts[picture.account]?.avatar = item
            } else {
                accounts[picture.account]?.banner = item
            }
        }
        return accounts
    }

    static func account(_ row: ValueRow) throws -> Account {
        let fields = Fields(row: row, table: "accounts")
        return Account(
            id: try fields.id(0, "id"), username: fields.string(1) ?? "", displayName: fields.string(2),
            about: fields.string(3), location: fields.string(4), createdAt: try fields.date(5, "createdAt"),
            stashID: fields.int64(6))
    }

    // MARK: - Attachments

    static let attachmentColumns = "a.id, a.\"%@\", a.\"contentId\", a.pos, a.\"contentType\""

    /// Attachment rows grouped by post or message id, each list in `pos` order.
    static func groupAttachments(_ rows: [ValueRow], ownerColumn: String) throws -> [FanslyID: [AttachmentRow]] {
        var result: [FanslyID: [AttachmentRow]] = [:]
        for row in rows {
            let fields = Fields(row: row, table: "attachments")
            let attachment = AttachmentRow(
                id: try fields.id(0, "id"), ownerId: try fields.id(1, ownerColumn),
                contentId: try fields.id(2, "contentId"), pos: fields.int(3) ?? 0,
                contentType: fields.string(4) ?? "")
            result[attachment.ownerId, default: []].append(attachment)
        }
        for key in result.keys { result[key]!.sort { ($0.pos, $0.id) < ($1.pos, $1.id) } }
        return result
    }

    /// The attachment rows with these ids, grouped by `ownerColumn` (`postId` or `messageId`):
    /// rowid look-ups, where asking by owner scans the table (it has no index on either).
    func attachments(ids: some Collection<FanslyID>, ownerColumn: String) throws -> [FanslyID: [AttachmentRow]] {
        let columns = Self.attachmentColumns.replacingOccurrences(of: "%@", with: ownerColumn)
        return try Self.groupAttachments(
            rows("SELECT \(columns) FROM attachments a WHERE a.id IN (%@)", ids: ids),
            ownerColumn: ownerColumn)
    }

    /// Attachments of the given posts (a scan of `attachments`, which has no index on `postId`).
    func postAttachments(postIds: some Collection<FanslyID>) throws -> [FanslyID: [AttachmentRow]] {
        let columns = Self.attachmentColumns.replacingOccurrences(of: "%@", with: "postId")
        return try Self.groupAttachments(
            rows("SELECT \(columns) FROM attachments a WHERE a.\"postId\" IN (%@)", ids: postIds),
            ownerColumn: "postId")
    }

    /// Resolves attachment rows (all owners at once): media, bundles and, when `resolveReposts`,
    /// the reposted posts one level deep.
    func resolve(
        _ attachments: [FanslyID: [AttachmentRow]], resolveReposts: Bool,
        repostAttachments: [FanslyID: [AttachmentRow]]? = nil
    ) throws -> [FanslyID: [Attachment]] {
        let all = attachments.values.joined()
        let bundles = try self.bundles(
            ids: all.filter { $0.contentType == "ACCOUNT_MEDIA_BUNDLE" }.map { $0.contentId })
        let items = try accountMedia(ids: all.filter { $0.contentType == "ACCOUNT_MEDIA" }.map { $0.contentId })
        var reposts: [FanslyID: Post] = [:]
        if resolveReposts {
            let ids = all.filter { $0.contentType == "AGGREGATED_POSTS" }.map { $0.contentId }
            if !ids.isEmpty {
                let rows = try postRows(sqlWhere: "id IN (%@)", ids: ids)
                // An index built up front is complete: posts absent from it have no attachments.
                let nested = try repostAttachments ?? postAttachments(postIds: rows.map { $0.id })
                for post in try posts(rows, attachments: nested, resolveReposts: false) { reposts[post.id] = post }
            }
        }
        return AttachmentRow.assemble(attachments, items: items, bundles: bundles, reposts: reposts)
    }

    // MARK: - Posts

    var postColumns: String {
        ["id", "accountId", "content", "createdAt", "expiresAt", "inReplyTo", "inReplyToRoot", "stash_id"]
            .map { schema.column("posts", $0) }.joined(separator: ", ")
    }

    /// Post rows matching `sqlWhere`, without relationships: either `sqlWhere` uses the `%@` id list
    /// and `ids` fill it (they are then the statement's only parameters), or `arguments` bind its `?`s.
    func postRows(sqlWhere: String, ids: [FanslyID]? = nil, arguments: StatementArguments = []) throws -> [Post] {
        precondition(ids == nil || arguments == StatementArguments(), "postRows takes ids or arguments, not both")
        let sql = "SELECT \(postColumns) FROM posts WHERE \(sqlWhere)"
        let rows =
            try ids.map { try self.rows(sql, ids: $0) }
            ?? ValueRow.fetchAll(db, sql: sql, arguments: arguments)
        return try rows.map { row in
            let fields = Fields(row: row, table: "posts")
            return Post(
                id: try fields.id(0, "id"), accountId: try fields.id(1, "accountId"), content: fields.string(2),
                createdAt: try fields.date(3, "createdAt"), expiresAt: try fields.date(4, "expiresAt"),
                inReplyTo: fields.int64(5), inReplyToRoot: fields.int64(6), stashID: fields.int64(7))
        }
    }

    /// Fills attachments, hashtags, mentions, walls and the pinned flag of `posts`.
    func posts(
        _ posts: [Post], attachments: [FanslyID: [AttachmentRow]], resolveReposts: Bool,
        repostAttachments: [FanslyID: [AttachmentRow]]? = nil
    ) throws -> [Post] {
        guard !posts.isEmpty else { return [] }
        let ids = posts.map { $0.id }
        // Looked up per post: the index covers every post of the creator, the page a few hundred.
        var pageAttachments: [FanslyID: [AttachmentRow]] = [:]
        for id in ids { if let rows = attachments[id] { pageAttachments[id] = rows } }
        let resolved = try resolve(
            pageAttachments,
            resolveReposts: resolveReposts, repostAttachments: repostAttachments)

        var hashtags: [FanslyID: [Hashtag]] = [:]
        try forEachRow(
            "SELECT ph.\"postId\", h.id, h.value, \(schema.column("hashtags", "stash_id", alias: "h")) FROM post_hashtags ph JOIN hashtags h ON h.id = ph.\"hashtagId\" WHERE ph.\"postId\" IN (%@)",
            ids: ids, table: "post_hashtags"
        ) { fields in
            hashtags[try fields.id(0, "postId"), default: []].append(
                Hashtag(id: try fields.id(1, "hashtagId"), value: fields.string(2) ?? "", stashID: fields.int64(3)))
        }

        var mentionRows: [FanslyID: [(handle: String, account: FanslyID?)]] = [:]
        try forEachRow(
            "SELECT \"postId\", handle, \"accountId\" FROM post_mentions WHERE \"postId\" IN (%@)", ids: ids,
            table: "post_mentions"
        ) { fields in
            mentionRows[try fields.id(0, "postId"), default: []].append((fields.string(1) ?? "", fields.int64(2)))
        }
        let mentioned = try accounts(ids: mentionRows.values.joined().compactMap { $0.account })

        var walls: [FanslyID: [FanslyID]] = [:]
        if schema.hasWalls {
            try forEachRow(
                "SELECT \"postId\", \"wallId\" FROM wall_posts WHERE \"postId\" IN (%@) ORDER BY \"wallId\"", ids: ids,
                table: "wall_posts"
            ) { fields in
                walls[try fields.id(0, "postId"), default: []].append(try fields.id(1, "wallId"))
            }
        }
        var pinned: Set<FanslyID> = []
        if schema.hasTable("pinned_posts") {
            try forEachRow(
                "SELECT \"postId\" FROM pinned_posts WHERE \"postId\" IN (%@)", ids: ids, table: "pinned_posts"
            ) { fields in
                pinned.insert(try fields.id(0, "postId"))
            }
        }

        return posts.map { post in
            var post = post
            let caption = (post.content ?? "").lowercased()
            post.attachments = resolved[post.id] ?? []
            // Caption order reads naturally; the tables keep no order of their own.
            // Each position is searched once, not once per comparison.
            post.hashtags = (hashtags[post.id] ?? [])
                .map { (Self.position(of: "#" + $0.value.lowercased(), in: caption, tieBreak: $0.value), $0) }
                .sorted { $0.0 < $1.0 }.map { $0.1 }
            post.mentions = (mentionRows[post.id] ?? [])
                .map {
                    Mention(handle: $0.handle, accountId: $0.account, account: $0.account.flatMap { mentioned[$0] })
                }
                .map { (Self.position(of: "@" + $0.handle.lowercased(), in: caption, tieBreak: $0.handle), $0) }
                .sorted { $0.0 < $1.0 }.map { $0.1 }
            post.wallIds = walls[post.id] ?? []
            post.pinned = pinned.contains(post.id)
            return post
        }
    }

    /// The byte offset of `needle` in `text` (nil inside: not found); nil when either is not ASCII.
    static func asciiOffset(of needle: String, in text: String) -> Int?? {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.allSatisfy({ $0 < 0x80 }) else { return nil }
        return text.utf8.withContiguousStorageIfAvailable { bytes -> Int?? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            guard bytes.count >= pattern.count else { return .some(nil) }
            let first = pattern[0]
            var index = 0
            let last = bytes.count - pattern.count
            while index <= last {
                if bytes[index] == first {
                    var matched = true
                    for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                        matched = false; break
                    }
                    if matched { return .some(index) }
                }
                index += 1
            }
            return .some(nil)
        } ?? nil
    }

    static func position(of needle: String, in text: String, tieBreak: String) -> (Int, String) {
        // ASCII text: a byte search. Its offsets are not Character offsets (`\r\n` is one
        // Character) but grow with them, and positions only order the tags of one caption.
        if let found = asciiOffset(of: needle, in: text) { return (found ?? Int.max, tieBreak) }
        guard let range = text.range(of: needle) else { return (Int.max, tieBreak) }
        return (text.distance(from: text.startIndex, to: range.lowerBound), tieBreak)
    }
}

/// A fetched row as plain values: copied once from the cursor, read by index without GRDB's
/// generic decoding (a measurable share of time when streaming large databases).
typealias ValueRow = [DatabaseValue]

extension Array where Element == DatabaseValue {
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [ValueRow] {
        var rows: [ValueRow] = []
        let statement = try db.cachedStatement(sql: sql)
        statement.arguments = arguments
        try Fields.forEach(statement, table: "") { rows.append($0.values) }
        return rows
    }
}

/// Typed, non-crashing access to a row's columns, reporting bad values with their row: either a
/// copied `ValueRow` or the current row of a statement being stepped (read in place, no copy).
struct Fields {
    private let row: ValueRow
    private let statement: SQLiteStatement?
    private let columnCount: Int
    let table: String

    init(row: ValueRow, table: String) {
        self.row = row; self.statement = nil; self.columnCount = row.count; self.table = table
    }

    private init(statement: Statement, table: String) {
        self.row = []; self.statement = statement.sqliteStatement; self.columnCount = statement.columnCount;
        self.table = table
    }

    /// Steps `statement` (with its current arguments), calling `body` with each row.
    static func forEach(_ statement: Statement, table: String, _ body: (Fields) throws -> Void) throws {
        let cursor = try Row.fetchCursor(statement)
        let fields = Fields(statement: statement, table: table)
        while try cursor.next() != nil { try body(fields) }
    }

    /// The row's values, copied.
    var values: ValueRow {
        guard statement != nil else { return row }
        return (0..<columnCount).map(value)
    }

    private var rowId: String {
        let value = value(0)
        return value.isNull ? "(unknown)" : value.description
    }

    func value(_ index: Int) -> DatabaseValue {
        if let statement { return DatabaseValue(sqliteStatement: statement, index: CInt(index)) }
        return row[index]
    }

    /// A required id: NULL or non-integer values are reported, never crash.
    func id(_ index: Int, _ column: String) throws -> FanslyID {
        let value = value(index)
        if case .int64(let id) = value.storage { return id }
        guard let id = Int64.fromDatabaseValue(value) else {
            throw MetadataError.malformedValue(
                table: table, rowId: rowId, column: column,
                value: value.description, expected: "an integer id")
        }
        return id
    }

    func int64(_ index: Int) -> Int64? {
        let value = value(index)
        if case .int64(let number) = value.storage { return number }
        return Int64.fromDatabaseValue(value)
    }
    func int(_ index: Int) -> Int? {
        let value = value(index)
        if case .int64(let number) = value.storage, let int = Int(exactly: number) { return int }
        return Int.fromDatabaseValue(value)
    }
    func double(_ index: Int) -> Double? { Double.fromDatabaseValue(value(index)) }

    func string(_ index: Int) -> String? {
        let value = value(index)
        if case .string(let text) = value.storage { return text }
        return value.isNull ? nil : String.fromDatabaseValue(value) ?? value.description
    }

    /// Booleans stored as 0/1 (or, leniently, 'true'/'false').
    func bool(_ index: Int, default defaultValue: Bool = false) -> Bool {
        let value = value(index)
        switch value.storage {
        case .int64(let number): return number != 0
        case .double(let number): return number != 0
        case .string(let text): return ["1", "true", "t", "yes"].contains(text.lowercased())
        default: return defaultValue
        }
    }

    func date(_ index: Int, _ column: String) throws -> Date? {
        // Text read in place from the statement: no String for the usual timestamp.
        if let statement, sqlite3_column_type(statement, CInt(index)) == SQLITE_TEXT,
            let text = sqlite3_column_text(statement, CInt(index)),
            let date = Timestamp.parse(
                UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, CInt(index)))))
        {
            return date
        }
        return try Timestamp.date(value(index), table: table, rowId: rowId, column: column)
    }
}

extension MediaKind {
    /// The kind of a media row: its mimetype first, then its `type` code.
    init(mimetype: String?, type: Int?) {
        let mime = mimetype?.lowercased() ?? ""
        if mime.hasPrefix("image/") { self = .image; return }
        if mime.hasPrefix("video/") || mime.contains("mpegurl") || mime.contains("dash+xml") { self = .video; return }
        if mime.hasPrefix("audio/") { self = .audio; return }
        switch type {
        case 1: self = .image
        case 2, 302, 303: self = .video
        case 3: self = .audio
        default: self = .other
        }
    }

    /// The same decision in SQL, over the given `mimetype` and `type` expressions.
    static func sql(mimetype: String, type: String) -> String {
        """
        CASE WHEN lower(\(mimetype)) LIKE 'image/%' THEN 'image'
             WHEN lower(\(mimetype)) LIKE 'video/%' OR lower(\(mimetype)) LIKE '%mpegurl%' OR lower(\(mimetype)) LIKE '%dash+xml%' THEN 'video'
             WHEN lower(\(mimetype)) LIKE 'audio/%' THEN 'audio'
             WHEN \(type) = 1 THEN 'image' WHEN \(type) IN (2, 302, 303) THEN 'video' WHEN \(type) = 3 THEN 'audio'
             ELSE 'other' END
        """
    }
}
