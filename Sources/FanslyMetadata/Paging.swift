import Foundation
import GRDB

extension Post: Identifiable {}
extension Message: Identifiable {}
extension MediaBundle: Identifiable {}
extension AccountMedia: Identifiable {}

/// `attachments` has no index on `postId` or `messageId`, so looking attachments up per page would
/// scan the table once per page. Instead each iteration reads the creator's attachment rows once
/// (narrow rows, a few MB for the largest creators) and pages resolve them. The rows are found
/// through the connection's `OwnerIndex` (SQLite) rather than by scanning the table per creator.
struct PostPaging {
    let lastPostId: FanslyID
    let attachments: [FanslyID: [AttachmentRow]]
    let repostAttachments: [FanslyID: [AttachmentRow]]
    /// The creator's post ids, ascending, when the reader knows them (SQLite: from the `OwnerIndex`;
    /// pages then read posts by id instead of walking the table in id order past other creators' posts).
    var postIds: [FanslyID]? = nil

    static func index(_ db: Database, schema: DatabaseSchema, creator: FanslyID, owners: OwnerIndex) throws
        -> PostPaging
    {
        let postIds = owners.posts(of: creator)
        let loader = RecordLoader(db: db, schema: schema)
        let attachments = try loader.attachments(ids: owners.attachments(ofPosts: postIds), ownerColumn: "postId")
        let reposted = attachments.values.joined().filter { $0.contentType == "AGGREGATED_POSTS" }.map { $0.contentId }
        let repostAttachments = try loader.attachments(
            ids: owners.attachments(ofPosts: Set(reposted)), ownerColumn: "postId")
        return PostPaging(
            lastPostId: postIds.last ?? FanslyID.min, attachments: attachments, repostAttachments: repostAttachments,
            postIds: postIds)
    }
}

struct MessagePaging {
    let lastMessageId: FanslyID
    let attachments: [FanslyID: [AttachmentRow]]

    /// The SQL condition selecting the creator's messages (alias `m`, three `?` for the creator).
    static func condition(_ schema: DatabaseSchema) -> (sql: String, count: Int) {
        var parts = ["m.\"senderId\" = ?", "m.\"recipientId\" = ?"]
        if schema.hasTable("group_users") {
            parts.append("m.\"groupId\" IN (SELECT \"groupId\" FROM group_users WHERE \"accountId\" = ?)")
        }
        if schema.hasTable("groups") {
            parts.append("m.\"groupId\" IN (SELECT id FROM groups WHERE \"createdBy\" = ?)")
        }
        return ("(" + parts.joined(separator: " OR ") + ")", parts.count)
    }

    static func arguments(_ schema: DatabaseSchema, creator: FanslyID) -> StatementArguments {
        StatementArguments(Array(repeating: creator, count: condition(schema).count))
    }

    static func index(_ db: Database, schema: DatabaseSchema, creator: FanslyID, owners: OwnerIndex) throws
        -> MessagePaging
    {
        let messageIds = try FanslyID.fetchAll(
            db, sql: "SELECT m.id FROM messages m WHERE \(condition(schema).sql) ORDER BY m.id",
            arguments: arguments(schema, creator: creator))
        let attachments = try RecordLoader(db: db, schema: schema)
            .attachments(ids: owners.attachments(ofMessages: messageIds), ownerColumn: "messageId")
        return MessagePaging(lastMessageId: messageIds.last ?? FanslyID.min, attachments: attachments)
    }

    static func page(
        _ db: Database, schema: DatabaseSchema, creator: FanslyID, after: FanslyID, limit: Int,
        index: MessagePaging
    ) throws -> [Message] {
        let loader = RecordLoader(db: db, schema: schema)
        let columns = ["id", "groupId", "senderId", "recipientId", "content", "createdAt", "deleted", "stash_id"]
            .map { schema.column("messages", $0, alias: "m") }.joined(separator: ", ")
        var arguments = arguments(schema, creator: creator)
        arguments += [after, index.lastMessageId, limit]
        let messages = try ValueRow.fetchAll(
            db,
            sql: """
                SELECT \(columns) FROM messages m WHERE \(condition(schema).sql) AND m.id > ? AND m.id <= ? ORDER BY m.id LIMIT ?
                """, arguments: arguments
        ).map { row in
            let fields = Fields(row: row, table: "messages")
            return Message(
                id: try fields.id(0, "id"), groupId: fields.int64(1), senderId: try fields.id(2, "senderId"),
                recipientId: fields.int64(3), content: fields.string(4) ?? "",
                createdAt: try fields.date(5, "createdAt"), deleted: fields.bool(6), stashID: fields.int64(7))
        }
        var pageAttachments: [FanslyID: [AttachmentRow]] = [:]
        for message in messages { if let rows = index.attachments[message.id] { pageAttachments[message.id] = rows } }
        let attachments = try loader.resolve(pageAttachments, resolveReposts: true)
        let accounts = try loader.accounts(ids: messages.map { $0.senderId } + messages.compactMap { $0.recipientId })
        return messages.map { message in
            var message = message
            message.sender = accounts[message.senderId]
            message.recipient = message.recipientId.flatMap { accounts[$0] }
            message.attachments = attachments[message.id] ?? []
            return message
        }
    }
}

struct WallReader {
    let db: Database
    let schema: DatabaseSchema

    func walls(creator: FanslyID) throws -> [Wall] {
        let columns = ["id", "accountId", "pos", "name", "description", "stash_id"]
            .map { schema.column("walls", $0) }.joined(separator: ", ")
        var walls = try ValueRow.fetchAll(
            db, sql: "SELECT \(columns) FROM walls WHERE \"accountId\" = ? ORDER BY pos, id",
            arguments: [creator]
        ).map { row in
            let fields = Fields(row: row, table: "walls")
            return Wall(
                id: try fields.id(0, "id"), accountId: try fields.id(1, "accountId"), pos: fields.int(2),
                name: fields.string(3), description: fields.string(4), stashID: fields.int64(5))
        }
        guard schema.hasTable("wall_posts"), !walls.isEmpty else { return walls }
        var posts: [FanslyID: [(id: FanslyID, date: Date?)]] = [:]
        let rows = try RecordLoader(db: db, schema: schema).rows(
            """
            SELECT wp."wallId", wp."postId", p."createdAt" FROM wall_posts wp
            LEFT JOIN posts p ON p.id = wp."postId" WHERE wp."wallId" IN (%@)
            """, ids: walls.map { $0.id })
        for row in rows {
            let fields = Fields(row: row, table: "wall_posts")
            let postId = try fields.id(1, "postId")
            let date = try Timestamp.date(fields.value(2), table: "posts", rowId: String(postId), column: "createdAt")
            posts[try fields.id(0, "wallId"), default: []].append((postId, date))
        }
        for index in walls.indices {
            walls[index].postIds = (posts[walls[index].id] ?? []).sorted {
                ($0.date ?? .distantPast, $0.id) < ($1.date ?? .distantPast, $1.id)
            }.map { $0.id }
        }
        return walls
    }
}

/// Maps file-name ids back to `account_media` rows: as the media itself, as its preview, or as
/// one of its variants (the HLS rendition most video files are named after).
struct FileIdLookup {
    let loader: RecordLoader

    func accountMedia(forFileIds fileIds: [FanslyID]) throws -> [FanslyID: [AccountMedia]] {
        let wanted = Set(fileIds)
        guard !wanted.isEmpty else { return [:] }
        // media id → the originals it is a variant of.
        var originals: [FanslyID: [FanslyID]] = [:]
        for row in try loader.rows(
            "SELECT \"variantId\", \"mediaId\" FROM media_variants WHERE \"variantId\" IN (%@)", ids: wanted)
        {
            let fields = Fields(row: row, table: "media_variants")
            originals[try fields.id(0, "variantId"), default: []].append(try fields.id(1, "mediaId"))
        }
        let mediaIds = wanted.union(originals.values.joined())
        var itemsByMedia: [FanslyID: [FanslyID]] = [:]
        for row in try loader.rows(
            """
            SELECT id, "mediaId", "previewId" FROM account_media WHERE "mediaId" IN (%@) OR "previewId" IN (%@) ORDER BY id
            """, ids: mediaIds)
        {
            let fields = Fields(row: row, table: "account_media")
            let id = try fields.id(0, "id")
            itemsByMedia[try fields.id(1, "mediaId"), default: []].append(id)
            if let preview = fields.int64(2) { itemsByMedia[preview, default: []].append(id) }
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
