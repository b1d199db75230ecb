import GRDB

/// Per-creator counts computed with a few aggregate queries (no records are loaded), so that
/// `inspect` stays fast on large databases. The counting rules mirror the records:
/// media kinds follow `MediaKind(mimetype:type:)`, "downloaded" follows `AccountMedia.file`.
struct CreatorCounts {
    let db: Database
    let schema: DatabaseSchema

    /// The creators whose content was downloaded: accounts that own a wall, a post that is not
    /// only someone else's repost, media sent in messages, or the phantom bundles the downloader
    /// writes for each creator it downloads. Authors who appear only through reposts are left out
    /// (their posts are still read as reposts).
    func creatorIds() throws -> [FanslyID] {
        var sources = [
            """
            SELECT "accountId" FROM posts
            WHERE id NOT IN (SELECT "contentId" FROM attachments WHERE "contentType" = 'AGGREGATED_POSTS')
            """,
            """
            SELECT am."accountId" FROM attachments a JOIN account_media am ON am.id = a."contentId"
            WHERE a."messageId" IS NOT NULL AND a."contentType" = 'ACCOUNT_MEDIA'
            """,
        ]
        if schema.hasTable("walls") { sources.append("SELECT \"accountId\" FROM walls") }
        if schema.hasBundles {
            sources.append(
                """
                SELECT "accountId" FROM account_media_bundles b
                WHERE NOT EXISTS (SELECT 1 FROM account_media_bundle_media m WHERE m.bundle_id = b.id)
                """)
        }
        return try FanslyID.fetchAll(db, sql: sources.joined(separator: " UNION "))
    }

    func creatorUsernames() throws -> [String] {
        try RecordLoader(db: db, schema: schema).accounts(ids: creatorIds()).values.map(\.username)
            .sorted { $0.lowercased() < $1.lowercased() }
    }

    /// The accounts `summaries()` lists, in the same order, without the counts.
    func accounts() throws -> [Account] {
        let ids = try creatorIds()
        var accounts = try RecordLoader(db: db, schema: schema).accounts(ids: ids)
        // Content owned by an account row that was never stored still counts.
        for id in ids where accounts[id] == nil { accounts[id] = Account(id: id, username: String(id)) }
        return accounts.values.sorted { ($0.username.lowercased(), $0.id) < ($1.username.lowercased(), $1.id) }
    }

    /// Summaries of `accounts` (default: every creator), ordered by username.
    func summaries(for requested: [FanslyID]? = nil) throws -> [CreatorSummary] {
        let ids = try requested ?? creatorIds()
        var accounts = try RecordLoader(db: db, schema: schema).accounts(ids: ids)
        for id in ids where accounts[id] == nil && requested == nil {
            // Content owned by an account row that was never stored still counts.
            accounts[id] = Account(id: id, username: String(id))
        }
        var summaries: [FanslyID: CreatorSummary] = [:]
        for (id, account) in accounts { summaries[id] = CreatorSummary(account: account) }

        try perAccount("SELECT \"accountId\", count(*) FROM posts GROUP BY \"accountId\"") {
            summaries[$0]?.posts = $1[0]
        }
        if schema.hasWalls || schema.hasTable("walls") {
            try perAccount("SELECT \"accountId\", count(*) FROM walls GROUP BY \"accountId\"") {
                summaries[$0]?.walls = $1[0]
            }
        }
        if schema.hasBundles {
            try perAccount(
                """
                SELECT b."accountId", count(*) FROM account_media_bundles b
                WHERE EXISTS (SELECT 1 FROM account_media_bundle_media m WHERE m.bundle_id = b.id) GROUP BY b."accountId"
                """
            ) { summaries[$0]?.bundles = $1[0] }
        }
        try perAccount(
            """
            SELECT p."accountId", count(DISTINCT ph."hashtagId") FROM post_hashtags ph JOIN posts p ON p.id = ph."postId"
            GROUP BY p."accountId"
            """
        ) { summaries[$0]?.hashtags = $1[0] }
        let kind = MediaKind.sql(mimetype: "m.mimetype", type: "m.type")
        // The downloaded flag of the row `AccountMedia.file` picks: the original when it carries a
        // file, else its first variant that does (in id order), or the preview of a locked item.
        let downloaded = """
            CASE WHEN \(schema.column("account_media", "access", alias: "am")) = 0 THEN coalesce(pv.is_downloaded, 0)
                 WHEN m.local_filename IS NOT NULL OR m.is_downloaded THEN m.is_downloaded
                 ELSE coalesce((SELECT vm.is_downloaded FROM media_variants v JOIN media vm ON vm.id = v."variantId"
                                WHERE v."mediaId" = m.id AND (vm.local_filename IS NOT NULL OR vm.is_downloaded)
                                ORDER BY vm.id LIMIT 1), 0) END
            """
        try perAccount(
            """
            SELECT am."accountId", sum(k = 'image'), sum(k = 'video'), sum(preview), sum(downloaded != 0) FROM (
                SELECT am."accountId", \(kind) AS k, am."previewId" IS NOT NULL AS preview, \(downloaded) AS downloaded
                FROM account_media am
                LEFT JOIN media m ON m.id = am."mediaId"
                LEFT JOIN media pv ON pv.id = am."previewId"
            ) AS am GROUP BY am."accountId"
            """
        ) { id, counts in
            summaries[id]?.images = counts[0]
            summaries[id]?.videos = counts[1]
            summaries[id]?.previews = counts[2]
            summaries[id]?.downloadedMedia = counts[3]
        }
        let condition = MessagePaging.condition(schema).sql
        for id in ids {
            summaries[id]?.messages =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM messages m WHERE \(condition)",
                    arguments: MessagePaging.arguments(schema, creator: id)) ?? 0
        }
        return summaries.values.sorted {
            ($0.account.username.lowercased(), $0.account.id) < ($1.account.username.lowercased(), $1.account.id)
        }
    }

    private func perAccount(_ sql: String, _ apply: (FanslyID, [Int]) -> Void) throws {
        for row in try Row.fetchAll(db, sql: sql) {
            let values: [DatabaseValue] = Array(row.databaseValues)
            guard let id = Int64.fromDatabaseValue(values[0]) else { continue }
            apply(id, values.dropFirst().map { Int.fromDatabaseValue($0) ?? 0 })
        }
    }
}
