import PostgresNIO

/// Maps file-name ids back to `account_media` items, as `FileIdLookup` does for SQLite: as the media
/// itself, its preview, or one of its variants (the HLS rendition video files are named after).
struct PostgresFileIdLookup {
    let loader: PostgresRecordLoader

    func accountMedia(forFileIds fileIds: [FanslyID]) throws -> [FanslyID: [AccountMedia]] {
        let wanted = Set(fileIds)
        guard !wanted.isEmpty else { return [:] }
        var originals: [FanslyID: [FanslyID]] = [:]
        try loader.forEachRow(
            "SELECT \"variantId\", \"mediaId\" FROM media_variants WHERE \"variantId\" = ANY($1)", ids: wanted
        ) { row in
            originals[try row.id(0, "variantId", table: "media_variants"), default: []].append(
                try row.id(1, "mediaId", table: "media_variants"))
        }
        let mediaIds = wanted.union(originals.values.joined())
        var itemsByMedia: [FanslyID: [FanslyID]] = [:]
        try loader.forEachRow(
            """
            SELECT id, "mediaId", "previewId" FROM account_media WHERE "mediaId" = ANY($1) OR "previewId" = ANY($1) ORDER BY id
            """, ids: mediaIds
        ) { row in
            let id = try row.id(0, "id", table: "account_media")
            itemsByMedia[try row.id(1, "mediaId", table: "account_media"), default: []].append(id)
            if let preview = row.int64(2) { itemsByMedia[preview, default: []].append(id) }
        }
        let items = try loader.accountMedia(ids: itemsByMedia.values.joined())
        var result: [FanslyID: [AccountMedia]] = [:]
        for fileId in wanted {
            var ids = itemsByMedia[fileId] ?? []
            for original in originals[fileId] ?? [] { ids += itemsByMedia[original] ?? [] }
            let matches = Set(ids).sorted().compactMap { items[$0] }
            if !matches.isEmpty { result[fileId] = matches }
        }
        return result
    }
}

/// A content fingerprint of a PostgreSQL database: counts, max ids and download state of the main
/// tables, hashed (FNV-1a) as `Fingerprint` does for SQLite. Any downloader run that adds or
/// changes rows changes it; reading does not.
enum PostgresFingerprint {
    static func compute(_ loader: PostgresRecordLoader) throws -> String {
        let schema = loader.schema
        var parts: [String] = []
        let tables: [(String, String)] = [
            (
                "accounts",
                "count(*), max(id), sum(length(username)) + coalesce(sum(length(\(schema.column("accounts", "about")))), 0)"
            ),
            ("posts", "count(*), max(id), sum(length(content))"),
            ("messages", "count(*), max(id), sum(length(content))"),
            (
                "media",
                "count(*), max(id), count(*) FILTER (WHERE is_downloaded::boolean), count(local_filename), sum(length(\(schema.column("media", "content_hash"))))"
            ),
            (
                "account_media",
                "count(*), max(id), count(*) FILTER (WHERE access::boolean), count(*) FILTER (WHERE \(schema.column("account_media", "deleted"))::boolean)"
            ),
            ("attachments", "count(*), max(id), sum(\"contentId\" % 1000003)"),
            ("hashtags", "count(*), max(id)"), ("post_hashtags", "count(*)"), ("post_mentions", "count(*)"),
            ("media_variants", "count(*)"), ("account_media_bundles", "count(*), max(id)"),
            ("account_media_bundle_media", "count(*), sum(pos)"), ("walls", "count(*), max(id)"),
            ("wall_posts", "count(*)"), ("pinned_posts", "count(*)"), ("media_stories", "count(*), max(id)"),
            ("stub_tracker", "count(*), sum(record_id % 1000003)"),
        ]
        for (table, expressions) in tables where schema.hasTable(table) {
            try loader.session.query("SELECT \(expressions) FROM \"\(table)\"") { row in
                parts.append(
                    table + ":" + (0..<row.values.count).map { row.string($0) ?? "NULL" }.joined(separator: ","))
            }
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: ";").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// How many of the creators' posts and messages can be linked to their media, and how many
/// downloaded media no post, message or bundle reaches (see `MediaLinkage`).
enum PostgresLinkage {
    static func compute(_ loader: PostgresRecordLoader, creators: [FanslyID]) throws -> MediaLinkage {
        var linkage = MediaLinkage()
        guard !creators.isEmpty else { return linkage }
        let ids = PostgresSession.ids(Set(creators).sorted())
        // Joined to the distinct owners rather than `NOT IN (subquery)`: PostgreSQL hashes a NOT IN
        // set only when it fits in work_mem, and scans the whole list per row otherwise (past
        // ≈ 100,000 attachments, quadratic: a 600,000-media library hit the statement timeout).
        try loader.session.query(
            """
            SELECT count(*), count(*) FILTER (WHERE linked.owner IS NULL)
            FROM posts p LEFT JOIN (SELECT DISTINCT "postId" AS owner FROM attachments WHERE "postId" IS NOT NULL) linked
              ON linked.owner = p.id
            WHERE p."accountId" = ANY($1)\(loader.notStub("p"))
            """, ids
        ) { row in
            linkage.posts = row.int(0) ?? 0
            linkage.postsWithoutAttachments = row.int(1) ?? 0
        }
        try loader.session.query(
            """
            SELECT count(*), count(*) FILTER (WHERE linked.owner IS NULL)
            FROM messages m LEFT JOIN (SELECT DISTINCT "messageId" AS owner FROM attachments WHERE "messageId" IS NOT NULL) linked
              ON linked.owner = m.id
            WHERE m."senderId" = ANY($1) OR m."recipientId" = ANY($1)
            """, ids
        ) { row in
            linkage.messages = row.int(0) ?? 0
            linkage.messagesWithoutAttachments = row.int(1) ?? 0
        }
        try loader.session.query(
            """
            SELECT count(*) FROM account_media am WHERE am."accountId" = ANY($1) AND \(unlinkedDownloaded(loader.schema))
            """, ids
        ) { linkage.unlinkedDownloadedMedia = $0.int(0) ?? 0 }
        return linkage
    }

    /// The condition (alias `am` for `account_media`) of a downloaded item that no attachment
    /// reaches, directly or through an attached bundle.
    static func unlinkedDownloaded(_ schema: DatabaseSchema) -> String {
        // NOT EXISTS, which PostgreSQL plans as a hash anti join over attachments once; NOT IN
        // (subquery) is hashed only while the set fits in work_mem and beyond that scans the whole
        // list per item (quadratic on a 600,000-media library).
        let bundled =
            schema.hasBundles
            ? """
             AND NOT EXISTS (SELECT 1 FROM account_media_bundle_media bm JOIN attachments a
                             ON a."contentId" = bm.bundle_id AND a."contentType"::text = 'ACCOUNT_MEDIA_BUNDLE'
                             WHERE bm.media_id = am.id)
            """ : ""
        // The downloaded test is three EXISTS looked up by key, not `IN (subquery)`: inside OR,
        // PostgreSQL cannot make an IN a join, and hashes its set only while it fits in work_mem;
        // a 600,000-media library's downloaded ids do not, and the set was scanned once per item
        // (EXPLAIN: a cost of 3·10¹⁰). Both read the same rows where the condition is used (a
        // WHERE that keeps true rows, so IN's NULL and EXISTS's false drop the same items).
        return """
            (EXISTS (SELECT 1 FROM media dm WHERE dm.id = am."mediaId" AND dm.is_downloaded::boolean)
             OR EXISTS (SELECT 1 FROM media dp WHERE dp.id = am."previewId" AND dp.is_downloaded::boolean)
             OR EXISTS (SELECT 1 FROM media_variants v JOIN media vm ON vm.id = v."variantId"
                        WHERE v."mediaId" = am."mediaId" AND vm.is_downloaded::boolean))
              AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a."contentId" = am.id AND a."contentType"::text = 'ACCOUNT_MEDIA')\(bundled)
            """
    }
}
