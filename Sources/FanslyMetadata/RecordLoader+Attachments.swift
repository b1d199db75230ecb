import Foundation
import GRDB

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

/// Attachments of posts and messages, resolved to media, bundles and reposts.
extension RecordLoader {
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
}
