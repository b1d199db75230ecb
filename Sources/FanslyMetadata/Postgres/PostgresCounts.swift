import PostgresNIO

/// Per-creator counts from a few aggregate queries, with the rules of `CreatorCounts` (media kinds
/// as `MediaKind`, "downloaded" as `AccountMedia.file`), stub posts left out. Who is a creator also
/// covers v0.13+ databases, which store no attachments and no phantom bundles: the owners of
/// downloaded media that no attachment reaches, and of stories, count too (media reached through
/// attachments leave the choice to the v0.10 rules, so equal rows give equal creators).
struct PostgresCounts {
    let loader: PostgresRecordLoader
    /// The creators' ids when already read in this snapshot (`creatorIds()` answers with them).
    var knownCreatorIds: [FanslyID]? = nil
    var schema: DatabaseSchema { loader.schema }
    var session: PostgresSession { loader.session }

    /// Who the creators are: one query over most of the database (every post, attachment and
    /// downloaded media), the costliest of a plan's bookkeeping queries. Reposts are left out with
    /// NOT EXISTS (a hash anti join): a `NOT IN (subquery)` is hashed only while the reposted ids
    /// fit in `work_mem`, and beyond that is scanned once per post (`contentId` is NOT NULL, so
    /// both read the same rows).
    func creatorIds() throws -> [FanslyID] {
        if let knownCreatorIds { return knownCreatorIds }
        var sources = [
            """
            SELECT p."accountId" FROM posts p
            WHERE NOT EXISTS (
                SELECT 1 FROM attachments r WHERE r."contentId" = p.id AND r."contentType"::text = 'AGGREGATED_POSTS'
            )\(loader.notStub("p"))
            """,
            """
            SELECT am."accountId" FROM attachments a JOIN account_media am ON am.id = a."contentId"
            WHERE a."messageId" IS NOT NULL AND a."contentType"::text = 'ACCOUNT_MEDIA'
            """,
            """
            SELECT am."accountId" FROM account_media am WHERE \(PostgresLinkage.unlinkedDownloaded(schema))
            """,
        ]
        if schema.hasTable("walls") { sources.append("SELECT \"accountId\" FROM walls") }
        if schema.hasTable("media_stories") { sources.append("SELECT \"accountId\" FROM media_stories") }
        if schema.hasBundles {
            sources.append(
                """
                SELECT "accountId" FROM account_media_bundles b
                WHERE NOT EXISTS (SELECT 1 FROM account_media_bundle_media m WHERE m.bundle_id = b.id)
                """)
        }
        var ids: [FanslyID] = []
        try session.query(sources.joined(separator: " UNION ")) { if let id = $0.int64(0) { ids.append(id) } }
        return ids
    }

    func creatorUsernames() throws -> [String] {
        try loader.accounts(ids: creatorIds()).values.map(\.username).sorted { $0.lowercased() < $1.lowercased() }
    }

    func accounts() throws -> [Account] {
        let ids = try creatorIds()
        var accounts = try loader.accounts(ids: ids)
        for id in ids where accounts[id] == nil { accounts[id] = Account(id: id, username: String(id)) }
        return accounts.values.sorted { ($0.username.lowercased(), $0.id) < ($1.username.lowercased(), $1.id) }
    }

    func summaries(for requested: [FanslyID]? = nil) throws -> [CreatorSummary] {
        let ids = try requested ?? creatorIds()
        var accounts = try loader.accounts(ids: ids)
        for id in ids where accounts[id] == nil && requested == nil {
            accounts[id] = Account(id: id, username: String(id))
        }
        var summaries: [FanslyID: CreatorSummary] = [:]
        for (id, account) in accounts { summaries[id] = CreatorSummary(account: account) }

        try perAccount(
            "SELECT p.\"accountId\", count(*) FROM posts p WHERE true\(loader.notStub("p")) GROUP BY p.\"accountId\""
        ) {
            summaries[$0]?.posts = $1[0]
        }
        if schema.hasTable("walls") {
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
        let access = schema.column("account_media", "access", alias: "am")
        let downloaded = """
            CASE WHEN \(access)::boolean = false THEN coalesce(pv.is_downloaded::boolean, false)
                 WHEN m.local_filename IS NOT NULL OR m.is_downloaded::boolean THEN m.is_downloaded::boolean
                 ELSE coalesce((SELECT vm.is_downloaded::boolean FROM media_variants v JOIN media vm ON vm.id = v."variantId"
                                WHERE v."mediaId" = m.id AND (vm.local_filename IS NOT NULL OR vm.is_downloaded::boolean)
                                ORDER BY vm.id LIMIT 1), false) END
            """
        try perAccount(
            """
            SELECT a."accountId", count(*) FILTER (WHERE k = 'image'), count(*) FILTER (WHERE k = 'video'),
                   count(*) FILTER (WHERE preview), count(*) FILTER (WHERE downloaded) FROM (
                SELECT am."accountId", \(kind) AS k, am."previewId" IS NOT NULL AS preview, \(downloaded) AS downloaded
                FROM account_media am
                LEFT JOIN media m ON m.id = am."mediaId"
                LEFT JOIN media pv ON pv.id = am."previewId"
            ) AS a GROUP BY a."accountId"
            """
        ) { id, counts in
            summaries[id]?.images = counts[0]
            summaries[id]?.videos = counts[1]
            summaries[id]?.previews = counts[2]
            summaries[id]?.downloadedMedia = counts[3]
        }
        for id in ids where summaries[id] != nil {
            try session.query(
                "SELECT count(*) FROM messages m WHERE \(loader.messageCondition)", PostgresRecordLoader.id(id)
            ) {
                summaries[id]?.messages = $0.int(0) ?? 0
            }
        }
        return summaries.values.sorted {
            ($0.account.username.lowercased(), $0.account.id) < ($1.account.username.lowercased(), $1.account.id)
        }
    }

    private func perAccount(_ sql: String, _ apply: (FanslyID, [Int]) -> Void) throws {
        try session.query(sql) { row in
            guard let id = row.int64(0) else { return }
            apply(id, (1..<row.values.count).map { row.int($0) ?? 0 })
        }
    }
}
