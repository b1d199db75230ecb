import PostgresNIO

/// Reads records from PostgreSQL in batches, as `RecordLoader` does from SQLite: a fixed number of
/// queries whatever the number of ids (each id list is one `bigint[]` parameter, `= ANY($1)`), and
/// the same assembly rules, orders and fallbacks, so both backends give equal records for equal rows.
/// Stub posts (`stub_tracker`, created only to satisfy a foreign key) are never read as posts.
struct PostgresRecordLoader {
    let session: PostgresSession
    let schema: DatabaseSchema

    /// `AND <alias>.id is not a stub post`, or nothing when the database tracks no stubs.
    func notStub(_ alias: String) -> String {
        guard schema.hasTable("stub_tracker") else { return "" }
        return
            " AND NOT EXISTS (SELECT 1 FROM stub_tracker st WHERE st.table_name = 'posts' AND st.record_id = \(alias).id)"
    }

    /// Runs `sql` with `ids` as `$1` (nothing to do for no ids).
    func forEachRow(_ sql: String, ids: some Collection<FanslyID>, _ body: (PGRow) throws -> Void) throws {
        guard !ids.isEmpty else { return }
        try session.query(sql, PostgresSession.ids(Set(ids).sorted()), body)
    }

    // MARK: - Media

    var mediaColumns: String {
        [
            "id", "accountId", "mimetype", "type", "width", "height", "duration", "location", "createdAt",
            "updatedAt", "local_filename", "content_hash", "is_downloaded", "stash_id",
        ]
        .map { schema.column("media", $0) }.joined(separator: ", ")
    }

    func media(ids: some Collection<FanslyID>) throws -> [FanslyID: Media] {
        var result: [FanslyID: Media] = [:]
        try forEachRow("SELECT \(mediaColumns) FROM media WHERE id = ANY($1)", ids: ids) { row in
            let id = try row.id(0, "id", table: "media")
            let mimetype = row.string(2)
            let type = row.int(3)
            result[id] = Media(
                id: id, accountId: try row.id(1, "accountId", table: "media"), mimetype: mimetype, type: type,
                kind: MediaKind(mimetype: mimetype, type: type), width: row.int(4), height: row.int(5),
                duration: row.double(6), location: row.string(7),
                createdAt: try row.date(8, "createdAt", table: "media"),
                updatedAt: try row.date(9, "updatedAt", table: "media"), localFilename: row.string(10),
                contentHash: row.string(11), isDownloaded: row.bool(12), stashID: row.int64(13))
        }
        return result
    }

    func variantIds(of ids: some Collection<FanslyID>) throws -> [FanslyID: [FanslyID]] {
        var result: [FanslyID: [FanslyID]] = [:]
        try forEachRow(
            "SELECT \"mediaId\", \"variantId\" FROM media_variants WHERE \"mediaId\" = ANY($1) ORDER BY \"mediaId\", \"variantId\"",
            ids: ids
        ) { row in
            result[try row.id(0, "mediaId", table: "media_variants"), default: []].append(
                try row.id(1, "variantId", table: "media_variants"))
        }
        return result
    }

    /// `account_media` items with media, preview and variants (three queries), as `RecordLoader.accountMedia`.
    func accountMedia(ids: some Collection<FanslyID>) throws -> [FanslyID: AccountMedia] {
        let columns = [
            "id", "accountId", "mediaId", "previewId", "access", "deleted", "createdAt", "deletedAt", "stash_id",
        ]
        .map { schema.column("account_media", $0) }.joined(separator: ", ")
        var items: [AccountMedia] = []
        var parents: [FanslyID] = []
        try forEachRow("SELECT \(columns) FROM account_media WHERE id = ANY($1)", ids: ids) { row in
            let table = "account_media"
            let mediaId = try row.id(2, "mediaId", table: table)
            let accountId = try row.id(1, "accountId", table: table)
            let previewId = row.int64(3)
            parents.append(mediaId)
            if let previewId { parents.append(previewId) }
            // The media are filled in below; the placeholder keeps the row's own columns.
            items.append(
                AccountMedia(
                    id: try row.id(0, "id", table: table), accountId: accountId,
                    media: Media(id: mediaId, accountId: accountId, kind: .other),
                    preview: previewId.map { Media(id: $0, accountId: accountId, kind: .other) },
                    access: row.bool(4, default: true), deleted: row.bool(5),
                    createdAt: try row.date(6, "createdAt", table: table),
                    deletedAt: try row.date(7, "deletedAt", table: table), stashID: row.int64(8)))
        }
        let variants = try variantIds(of: parents)
        var media = try self.media(ids: parents + variants.values.joined())
        for (original, ids) in variants { media[original]?.variantIds = ids }
        var result: [FanslyID: AccountMedia] = [:]
        for var item in items {
            let mediaId = item.media.id
            // An item whose media row is missing keeps a stub so callers still see it.
            item.media = media[mediaId] ?? item.media
            item.preview = item.preview.flatMap { media[$0.id] }
            item.variants = (variants[mediaId] ?? []).compactMap { media[$0] }
            result[item.id] = item
        }
        return result
    }

    // MARK: - Bundles

    var bundleColumns: String {
        ["id", "accountId", "previewId", "createdAt", "access", "purchased", "deleted", "stash_id"]
            .map { schema.column("account_media_bundles", $0, alias: "b") }.joined(separator: ", ")
    }

    func bundles(ids: some Collection<FanslyID>) throws -> [FanslyID: MediaBundle] {
        guard schema.hasTable("account_media_bundles"), !ids.isEmpty else { return [:] }
        var rows: [PGRow] = []
        try forEachRow("SELECT \(bundleColumns) FROM account_media_bundles b WHERE b.id = ANY($1)", ids: ids) {
            rows.append($0)
        }
        return try bundles(rows: rows)
    }

    /// Bundles from rows of `bundleColumns`, members in `pos` order; phantom bundles have none.
    func bundles(rows: [PGRow]) throws -> [FanslyID: MediaBundle] {
        var bundles: [FanslyID: MediaBundle] = [:]
        for row in rows {
            let table = "account_media_bundles"
            let id = try row.id(0, "id", table: table)
            bundles[id] = MediaBundle(
                id: id, accountId: try row.id(1, "accountId", table: table), previewId: row.int64(2),
                createdAt: try row.date(3, "createdAt", table: table), access: row.bool(4, default: true),
                purchased: row.bool(5), deleted: row.bool(6), stashID: row.int64(7))
        }
        guard schema.hasTable("account_media_bundle_media"), !bundles.isEmpty else { return bundles }
        var members: [(bundle: FanslyID, item: FanslyID)] = []
        try forEachRow(
            "SELECT bundle_id, media_id FROM account_media_bundle_media WHERE bundle_id = ANY($1) ORDER BY bundle_id, pos, media_id",
            ids: bundles.keys
        ) { row in
            members.append(
                (
                    try row.id(0, "bundle_id", table: "account_media_bundle_media"),
                    try row.id(1, "media_id", table: "account_media_bundle_media")
                ))
        }
        let items = try accountMedia(ids: members.map { $0.item })
        for member in members {
            if let item = items[member.item] { bundles[member.bundle]?.media.append(item) }
        }
        return bundles
    }

    // MARK: - Accounts

    func accounts(ids: some Collection<FanslyID>) throws -> [FanslyID: Account] {
        let columns = ["id", "username", "displayName", "about", "location", "createdAt", "stash_id"]
            .map { schema.column("accounts", $0) }.joined(separator: ", ")
        var accounts: [FanslyID: Account] = [:]
        try forEachRow("SELECT \(columns) FROM accounts WHERE id = ANY($1)", ids: ids) { row in
            let account = try Self.account(row)
            accounts[account.id] = account
        }
        guard !accounts.isEmpty else { return accounts }
        var pictures: [(account: FanslyID, media: FanslyID, isAvatar: Bool)] = []
        for (table, isAvatar) in [("account_avatar", true), ("account_banner", false)] where schema.hasTable(table) {
            try forEachRow(
                "SELECT \"accountId\", \"mediaId\" FROM \(table) WHERE \"accountId\" = ANY($1) ORDER BY \"mediaId\"",
                ids: accounts.keys
            ) { row in
                if let account = row.int64(0), let media = row.int64(1) { pictures.append((account, media, isAvatar)) }
            }
        }
        let media = try self.media(ids: pictures.map { $0.media })
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

    static func account(_ row: PGRow) throws -> Account {
        Account(
            id: try row.id(0, "id", table: "accounts"), username: row.string(1) ?? "", displayName: row.string(2),
            about: row.string(3), location: row.string(4), createdAt: try row.date(5, "createdAt", table: "accounts"),
            stashID: row.int64(6))
    }

    // MARK: - Attachments

    /// `a.id, a."<owner>", a."contentId", a.pos, a."contentType"::text`: the enum read as its label.
    static func attachmentColumns(owner: String) -> String {
        "a.id, a.\"\(owner)\", a.\"contentId\", a.pos, a.\"contentType\"::text"
    }

    /// Attachment rows grouped by owner, each list in (`pos`, id) order.
    static func groupAttachments(_ rows: [PGRow], owner: String) throws -> [FanslyID: [AttachmentRow]] {
        var result: [FanslyID: [AttachmentRow]] = [:]
        for row in rows {
            let attachment = AttachmentRow(
                id: try row.id(0, "id", table: "attachments"), ownerId: try row.id(1, owner, table: "attachments"),
                contentId: try row.id(2, "contentId", table: "attachments"), pos: row.int(3) ?? 0,
                contentType: row.string(4) ?? "")
            result[attachment.ownerId, default: []].append(attachment)
        }
        for key in result.keys { result[key]!.sort { ($0.pos, $0.id) < ($1.pos, $1.id) } }
        return result
    }

    func postAttachments(postIds: some Collection<FanslyID>) throws -> [FanslyID: [AttachmentRow]] {
        var rows: [PGRow] = []
        try forEachRow(
            "SELECT \(Self.attachmentColumns(owner: "postId")) FROM attachments a WHERE a.\"postId\" = ANY($1)",
            ids: postIds
        ) { rows.append($0) }
        return try Self.groupAttachments(rows, owner: "postId")
    }

    /// Media, bundles and (one level of) reposts of attachment rows, as `RecordLoader.resolve`.
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
                let rows = try postRows(
                    where: "id = ANY($1)\(notStub("posts"))", PostgresSession.ids(Set(ids).sorted()))
                let nested = try repostAttachments ?? postAttachments(postIds: rows.map { $0.id })
                for post in try posts(rows, attachments: nested, resolveReposts: false) { reposts[post.id] = post }
            }
        }
        return AttachmentRow.assemble(attachments, items: items, bundles: bundles, reposts: reposts)
    }
}
