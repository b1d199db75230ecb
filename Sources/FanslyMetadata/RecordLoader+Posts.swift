import Foundation
import GRDB

/// Posts: their rows, attachments and the mentions and hashtags found in their text.
extension RecordLoader {
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
