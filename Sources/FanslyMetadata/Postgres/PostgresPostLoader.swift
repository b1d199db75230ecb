import Foundation
import PostgresNIO

extension PostgresRecordLoader {
    var postColumns: String {
        ["id", "accountId", "content", "createdAt", "expiresAt", "inReplyTo", "inReplyToRoot", "stash_id"]
            .map { schema.column("posts", $0) }.joined(separator: ", ")
    }

    /// Post rows matching `sqlWhere` (binding `binds`), without relationships.
    func postRows(where sqlWhere: String, _ binds: PostgresBindings) throws -> [Post] {
        var posts: [Post] = []
        try session.query("SELECT \(postColumns) FROM posts WHERE \(sqlWhere)", binds) { row in
            posts.append(
                Post(
                    id: try row.id(0, "id", table: "posts"), accountId: try row.id(1, "accountId", table: "posts"),
                    content: row.string(2), createdAt: try row.date(3, "createdAt", table: "posts"),
                    expiresAt: try row.date(4, "expiresAt", table: "posts"), inReplyTo: row.int64(5),
                    inReplyToRoot: row.int64(6), stashID: row.int64(7)))
        }
        return posts
    }

    /// Fills attachments, hashtags, mentions, walls and the pinned flag, as `RecordLoader.posts`.
    func posts(
        _ posts: [Post], attachments: [FanslyID: [AttachmentRow]], resolveReposts: Bool,
        repostAttachments: [FanslyID: [AttachmentRow]]? = nil
    ) throws -> [Post] {
        guard !posts.isEmpty else { return [] }
        let ids = posts.map { $0.id }
        var pageAttachments: [FanslyID: [AttachmentRow]] = [:]
        for id in ids { if let rows = attachments[id] { pageAttachments[id] = rows } }
        let resolved = try resolve(
            pageAttachments, resolveReposts: resolveReposts, repostAttachments: repostAttachments)

        var hashtags: [FanslyID: [Hashtag]] = [:]
        try forEachRow(
            """
            SELECT ph."postId", h.id, h.value, \(schema.column("hashtags", "stash_id", alias: "h"))
            FROM post_hashtags ph JOIN hashtags h ON h.id = ph."hashtagId" WHERE ph."postId" = ANY($1)
            """, ids: ids
        ) { row in
            hashtags[try row.id(0, "postId", table: "post_hashtags"), default: []].append(
                Hashtag(
                    id: try row.id(1, "hashtagId", table: "post_hashtags"), value: row.string(2) ?? "",
                    stashID: row.int64(3)))
        }
        var mentionRows: [FanslyID: [(handle: String, account: FanslyID?)]] = [:]
        try forEachRow(
            "SELECT \"postId\", handle, \"accountId\" FROM post_mentions WHERE \"postId\" = ANY($1)", ids: ids
        ) { row in
            mentionRows[try row.id(0, "postId", table: "post_mentions"), default: []].append(
                (row.string(1) ?? "", row.int64(2)))
        }
        let mentioned = try accounts(ids: mentionRows.values.joined().compactMap { $0.account })
        var walls: [FanslyID: [FanslyID]] = [:]
        if schema.hasWalls {
            try forEachRow(
                "SELECT \"postId\", \"wallId\" FROM wall_posts WHERE \"postId\" = ANY($1) ORDER BY \"wallId\"", ids: ids
            ) { row in
                walls[try row.id(0, "postId", table: "wall_posts"), default: []].append(
                    try row.id(1, "wallId", table: "wall_posts"))
            }
        }
        var pinned: Set<FanslyID> = []
        if schema.hasTable("pinned_posts") {
            try forEachRow("SELECT \"postId\" FROM pinned_posts WHERE \"postId\" = ANY($1)", ids: ids) { row in
                pinned.insert(try row.id(0, "postId", table: "pinned_posts"))
            }
        }
        return posts.map { post in
            var post = post
            let caption = (post.content ?? "").lowercased()
            post.attachments = resolved[post.id] ?? []
            post.hashtags = (hashtags[post.id] ?? [])
                .map { (RecordLoader.position(of: "#" + $0.value.lowercased(), in: caption, tieBreak: $0.value), $0) }
                .sorted { $0.0 < $1.0 }.map { $0.1 }
            post.mentions = (mentionRows[post.id] ?? [])
                .map {
                    Mention(handle: $0.handle, accountId: $0.account, account: $0.account.flatMap { mentioned[$0] })
                }
                .map { (RecordLoader.position(of: "@" + $0.handle.lowercased(), in: caption, tieBreak: $0.handle), $0) }
                .sorted { $0.0 < $1.0 }.map { $0.1 }
            post.wallIds = walls[post.id] ?? []
            post.pinned = pinned.contains(post.id)
            return post
        }
    }

    // MARK: - Paging indexes

    /// Who owns which post and attachment (`OwnerIndex`): the schema has no index on
    /// `posts."accountId"` or on the attachments' owners, so asking per creator scans the tables.
    func ownerIndex() throws -> OwnerIndex {
        func pairs(_ sql: String) throws -> [OwnerIndex.Pair] {
            var pairs: [OwnerIndex.Pair] = []
            try session.query(sql) { row in
                if let owner = row.int64(0), let id = row.int64(1) {
                    pairs.append(OwnerIndex.Pair(owner: owner, id: id))
                }
            }
            return pairs
        }
        return OwnerIndex(
            postsByAccount: try pairs("SELECT posts.\"accountId\", posts.id FROM posts WHERE TRUE\(notStub("posts"))"),
            attachmentsByPost: try pairs("SELECT \"postId\", id FROM attachments WHERE \"postId\" IS NOT NULL"),
            attachmentsByMessage: try pairs("SELECT \"messageId\", id FROM attachments WHERE \"messageId\" IS NOT NULL")
        )
    }

    /// The attachment rows with these ids, grouped by `owner` (`postId` or `messageId`).
    func attachments(ids: some Collection<FanslyID>, owner: String) throws -> [FanslyID: [AttachmentRow]] {
        var rows: [PGRow] = []
        try forEachRow(
            "SELECT \(Self.attachmentColumns(owner: owner)) FROM attachments a WHERE a.id = ANY($1)", ids: ids
        ) { rows.append($0) }
        return try Self.groupAttachments(rows, owner: owner)
    }

    /// The creator's post ids and attachment rows (and those of the posts they repost), read
    /// once per iteration as `PostPaging.index` does.
    func postIndex(creator: FanslyID, owners: OwnerIndex) throws -> PostPaging {
        let postIds = owners.posts(of: creator)
        let attachments = try attachments(ids: owners.attachments(ofPosts: postIds), owner: "postId")
        let reposted = attachments.values.joined().filter { $0.contentType == "AGGREGATED_POSTS" }.map { $0.contentId }
        let repostAttachments = try self.attachments(ids: owners.attachments(ofPosts: Set(reposted)), owner: "postId")
        return PostPaging(
            lastPostId: postIds.last ?? FanslyID.min, attachments: attachments, repostAttachments: repostAttachments,
            postIds: postIds)
    }

    /// The posts with these ids (one page of the index's), in id order.
    func postPage(ids: some Collection<FanslyID>, index: PostPaging) throws -> [Post] {
        let rows = try postRows(where: "id = ANY($1) ORDER BY id", PostgresSession.ids(Set(ids).sorted()))
        return try posts(
            rows, attachments: index.attachments, resolveReposts: true, repostAttachments: index.repostAttachments)
    }

    /// The messages a creator sent or received or that were posted in its groups (alias `m`, `$1` the creator).
    var messageCondition: String {
        var parts = ["m.\"senderId\" = $1", "m.\"recipientId\" = $1"]
        if schema.hasTable("group_users") {
            parts.append("m.\"groupId\" IN (SELECT \"groupId\" FROM group_users WHERE \"accountId\" = $1)")
        }
        if schema.hasTable("groups") {
            parts.append("m.\"groupId\" IN (SELECT id FROM groups WHERE \"createdBy\" = $1)")
        }
        return "(" + parts.joined(separator: " OR ") + ")"
    }

    func messageIndex(creator: FanslyID, owners: OwnerIndex) throws -> MessagePaging {
        var messageIds: [FanslyID] = []
        try session.query("SELECT m.id FROM messages m WHERE \(messageCondition) ORDER BY m.id", Self.id(creator)) {
            row in
            if let id = row.int64(0) { messageIds.append(id) }
        }
        return MessagePaging(
            lastMessageId: messageIds.last ?? FanslyID.min,
            attachments: try attachments(ids: owners.attachments(ofMessages: messageIds), owner: "messageId"))
    }

    func messagePage(creator: FanslyID, after: FanslyID, limit: Int, index: MessagePaging) throws -> [Message] {
        let columns = ["id", "groupId", "senderId", "recipientId", "content", "createdAt", "deleted", "stash_id"]
            .map { schema.column("messages", $0, alias: "m") }.joined(separator: ", ")
        var binds = PostgresBindings(capacity: 4)
        binds.append(creator); binds.append(after); binds.append(index.lastMessageId); binds.append(Int64(limit))
        var messages: [Message] = []
        try session.query(
            """
            SELECT \(columns) FROM messages m WHERE \(messageCondition) AND m.id > $2 AND m.id <= $3 ORDER BY m.id LIMIT $4
            """, binds
        ) { row in
            messages.append(
                Message(
                    id: try row.id(0, "id", table: "messages"), groupId: row.int64(1),
                    senderId: try row.id(2, "senderId", table: "messages"), recipientId: row.int64(3),
                    content: row.string(4) ?? "", createdAt: try row.date(5, "createdAt", table: "messages"),
                    deleted: row.bool(6), stashID: row.int64(7)))
        }
        var pageAttachments: [FanslyID: [AttachmentRow]] = [:]
        for message in messages { if let rows = index.attachments[message.id] { pageAttachments[message.id] = rows } }
        let attachments = try resolve(pageAttachments, resolveReposts: true)
        let accounts = try self.accounts(ids: messages.map { $0.senderId } + messages.compactMap { $0.recipientId })
        return messages.map { message in
            var message = message
            message.sender = accounts[message.senderId]
            message.recipient = message.recipientId.flatMap { accounts[$0] }
            message.attachments = attachments[message.id] ?? []
            return message
        }
    }

    /// The creator's walls in `pos` order (NULL first, as SQLite sorts), each with its real posts'
    /// ids ordered by post time then id; stub posts are left out.
    func walls(creator: FanslyID) throws -> [Wall] {
        let columns = ["id", "accountId", "pos", "name", "description", "stash_id"]
            .map { schema.column("walls", $0) }.joined(separator: ", ")
        var walls: [Wall] = []
        try session.query(
            "SELECT \(columns) FROM walls WHERE \"accountId\" = $1 ORDER BY pos NULLS FIRST, id", Self.id(creator)
        ) { row in
            walls.append(
                Wall(
                    id: try row.id(0, "id", table: "walls"), accountId: try row.id(1, "accountId", table: "walls"),
                    pos: row.int(2), name: row.string(3), description: row.string(4), stashID: row.int64(5)))
        }
        guard schema.hasTable("wall_posts"), !walls.isEmpty else { return walls }
        var posts: [FanslyID: [(id: FanslyID, date: Date?)]] = [:]
        let stub =
            schema.hasTable("stub_tracker")
            ? " AND NOT EXISTS (SELECT 1 FROM stub_tracker st WHERE st.table_name = 'posts' AND st.record_id = wp.\"postId\")"
            : ""
        try forEachRow(
            """
            SELECT wp."wallId", wp."postId", p."createdAt" FROM wall_posts wp
            LEFT JOIN posts p ON p.id = wp."postId" WHERE wp."wallId" = ANY($1)\(stub)
            """, ids: walls.map { $0.id }
        ) { row in
            let postId = try row.id(1, "postId", table: "wall_posts")
            let date = try row.date(2, "createdAt", table: "posts")
            posts[try row.id(0, "wallId", table: "wall_posts"), default: []].append((postId, date))
        }
        for index in walls.indices {
            walls[index].postIds = (posts[walls[index].id] ?? []).sorted {
                ($0.date ?? .distantPast, $0.id) < ($1.date ?? .distantPast, $1.id)
            }.map { $0.id }
        }
        return walls
    }

    static func id(_ id: FanslyID) -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        binds.append(id)
        return binds
    }
}
