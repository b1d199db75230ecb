import Foundation
import GRDB
import GRDBSQLite

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
