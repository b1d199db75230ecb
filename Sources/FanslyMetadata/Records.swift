public import Foundation

/// A Fansly snowflake id (18–19 digits), stored by the downloader as a 64-bit SQLite integer.
public typealias FanslyID = Int64

/// A Fansly account: a creator whose content was downloaded, or an account that appears
/// as a mention, message sender or recipient.
public struct Account: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var username: String
    public var displayName: String?
    /// The profile bio (`accounts.about`).
    public var about: String?
    public var location: String?
    public var createdAt: Date?
    /// Performer id written by fansly-scraper's own Stash step; a hint only.
    public var stashID: Int64?
    /// Avatar media (CDN location only: never downloaded).
    public var avatar: Media?
    /// Banner media (CDN location only: never downloaded).
    public var banner: Media?

    public init(
        id: FanslyID, username: String, displayName: String? = nil, about: String? = nil,
        location: String? = nil, createdAt: Date? = nil, stashID: Int64? = nil,
        avatar: Media? = nil, banner: Media? = nil
    ) {
        self.id = id; self.username = username; self.displayName = displayName; self.about = about
        self.location = location; self.createdAt = createdAt; self.stashID = stashID
        self.avatar = avatar; self.banner = banner
    }
}

/// What a media row holds, derived from its `mimetype` and `type` columns.
public enum MediaKind: String, Sendable, Hashable, Codable {
    case image, video, audio, other
}

/// One row of `media`: an original, a variant (thumbnail, HLS/DASH rendition) or a preview.
public struct Media: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var accountId: FanslyID
    public var mimetype: String?
    /// Raw `media.type`: 1 image, 2 video, 302 HLS variant, 303 DASH variant.
    public var type: Int?
    public var kind: MediaKind
    public var width: Int?
    public var height: Int?
    /// Seconds; set on video rows only.
    public var duration: Double?
    public var location: String?
    public var createdAt: Date?
    var updatedAt: Date?
    /// Basename of the downloaded file, when the downloader wrote one.
    public var localFilename: String?
    /// Images: 64-hex perceptual hash; videos: 32-hex MD5.
    public var contentHash: String?
    public var isDownloaded: Bool
    public var stashID: Int64?
    /// Ids of this row's variants (`media_variants.variantId`), in id order.
    var variantIds: [FanslyID]

    public init(
        id: FanslyID, accountId: FanslyID, mimetype: String? = nil, type: Int? = nil,
        kind: MediaKind, width: Int? = nil, height: Int? = nil, duration: Double? = nil,
        location: String? = nil, createdAt: Date? = nil, updatedAt: Date? = nil,
        localFilename: String? = nil, contentHash: String? = nil, isDownloaded: Bool = false,
        stashID: Int64? = nil, variantIds: [FanslyID] = []
    ) {
        self.id = id; self.accountId = accountId; self.mimetype = mimetype; self.type = type
        self.kind = kind; self.width = width; self.height = height; self.duration = duration
        self.location = location; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.localFilename = localFilename; self.contentHash = contentHash
        self.isDownloaded = isDownloaded; self.stashID = stashID; self.variantIds = variantIds
    }
}

/// The file the downloader wrote for an `account_media` item, and which media row it came from.
public struct DownloadedFile: Sendable, Hashable, Codable {
    /// The id that appears in the file name (`_id_<fileMediaId>` or `_preview_id_<fileMediaId>`).
    /// For most videos this is the HLS variant's id, not the original's.
    public var fileMediaId: FanslyID
    /// Basename as stored in `media.local_filename` (nil when the row was never downloaded).
    public var localFilename: String?
    public var isDownloaded: Bool
    /// True when the file is the preview of a locked (or accessible) item.
    public var isPreview: Bool
    /// Image or video, from the original (a variant's row may lack a mimetype).
    public var kind: MediaKind
    /// The hash of the row that records the file (`media.content_hash`).
    public var contentHash: String?

    init(
        fileMediaId: FanslyID, localFilename: String?, isDownloaded: Bool, isPreview: Bool, kind: MediaKind,
        contentHash: String? = nil
    ) {
        self.fileMediaId = fileMediaId; self.localFilename = localFilename
        self.isDownloaded = isDownloaded; self.isPreview = isPreview; self.kind = kind; self.contentHash = contentHash
    }
}

/// A row of `account_media` with its media, preview and variants resolved.
/// Attachments and bundles point at `account_media.id`, which usually but not always equals `media.id`.
public struct AccountMedia: Sendable, Hashable, Codable {
    public var id: FanslyID
    /// Owner of the media.
    public var accountId: FanslyID
    public var media: Media
    public var preview: Media?
    /// The original's variant rows (thumbnails, HLS/DASH renditions).
    public var variants: [Media]
    /// false = locked: only the preview can be downloaded.
    public var access: Bool
    public var deleted: Bool
    public var createdAt: Date?
    var deletedAt: Date?
    public var stashID: Int64?

    public init(
        id: FanslyID, accountId: FanslyID, media: Media, preview: Media? = nil, variants: [Media] = [],
        access: Bool, deleted: Bool = false, createdAt: Date? = nil, deletedAt: Date? = nil, stashID: Int64? = nil
    ) {
        self.id = id; self.accountId = accountId; self.media = media; self.preview = preview
        self.variants = variants; self.access = access; self.deleted = deleted
        self.createdAt = createdAt; self.deletedAt = deletedAt; self.stashID = stashID
    }

    /// The file the downloader keeps for this item, following the reference's rules:
    /// accessible items use the original (or, for videos, the HLS variant that carries the file);
    /// locked items only have their preview. Nil when no such row exists.
    ///
    /// fansly-scraper 0.11+ records an HLS video's file on the original row while the file name
    /// carries the variant's id (`…_id_<variantId>.mp4`): the file is then that variant's, as v0.10
    /// recorded it on the variant row itself, so both give the same `DownloadedFile`.
    public var file: DownloadedFile? {
        if access {
            if media.localFilename != nil || media.isDownloaded {
                if media.kind == .video, !variants.isEmpty, let name = media.localFilename,
                    let named = FileNameID.mediaId(in: name), named != media.id,
                    let variant = variants.first(where: { $0.id == named })
                {
                    return DownloadedFile(
                        fileMediaId: variant.id, localFilename: name, isDownloaded: media.isDownloaded,
                        isPreview: false, kind: media.kind, contentHash: media.contentHash)
                }
                return DownloadedFile(
                    fileMediaId: media.id, localFilename: media.localFilename,
                    isDownloaded: media.isDownloaded, isPreview: false, kind: media.kind,
                    contentHash: media.contentHash)
            }
            if let variant = variants.first(where: { $0.localFilename != nil || $0.isDownloaded })
                ?? variants.first(where: { $0.type == 302 })
            {
                return DownloadedFile(
                    fileMediaId: variant.id, localFilename: variant.localFilename,
                    isDownloaded: variant.isDownloaded, isPreview: false, kind: media.kind,
                    contentHash: variant.contentHash)
            }
            return DownloadedFile(
                fileMediaId: media.id, localFilename: nil, isDownloaded: false,
                isPreview: false, kind: media.kind, contentHash: media.contentHash)
        }
        guard let preview else { return nil }
        return DownloadedFile(
            fileMediaId: preview.id, localFilename: preview.localFilename,
            isDownloaded: preview.isDownloaded, isPreview: true, kind: preview.kind,
            contentHash: preview.contentHash)
    }

    /// Every media id that may appear in a downloaded file name for this item:
    /// the original, its variants and its preview.
    public var fileIds: [FanslyID] {
        var ids = [media.id]
        ids.append(contentsOf: variants.map { $0.id })
        if let preview { ids.append(preview.id) }
        return ids
    }
}

/// A media bundle (`account_media_bundles`) with its members in `pos` order.
public struct MediaBundle: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var accountId: FanslyID
    /// `previewId` points at `media.id` (not `account_media.id`).
    var previewId: FanslyID?
    public var createdAt: Date?
    public var access: Bool
    public var purchased: Bool
    public var deleted: Bool
    public var stashID: Int64?
    /// Members ordered by `account_media_bundle_media.pos`.
    public var media: [AccountMedia]

    public init(
        id: FanslyID, accountId: FanslyID, previewId: FanslyID? = nil, createdAt: Date? = nil,
        access: Bool = true, purchased: Bool = false, deleted: Bool = false, stashID: Int64? = nil,
        media: [AccountMedia] = []
    ) {
        self.id = id; self.accountId = accountId; self.previewId = previewId; self.createdAt = createdAt
        self.access = access; self.purchased = purchased; self.deleted = deleted; self.stashID = stashID
        self.media = media
    }

    /// A phantom bundle: the row the downloader writes for every downloaded item, with no members.
    public var isPhantom: Bool { media.isEmpty }
}

/// `hashtags.value` is lower-case as the downloader stores it.
public struct Hashtag: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var value: String
    public var stashID: Int64?
    public init(id: FanslyID, value: String, stashID: Int64? = nil) {
        self.id = id; self.value = value; self.stashID = stashID
    }
}

/// An `@handle` in a post; `account` is nil for handle-only mentions.
public struct Mention: Sendable, Hashable, Codable {
    public var handle: String
    public var accountId: FanslyID?
    public var account: Account?
    public init(handle: String, accountId: FanslyID? = nil, account: Account? = nil) {
        self.handle = handle; self.accountId = accountId; self.account = account
    }
}

/// What one `attachments` row resolves to.
public enum AttachmentContent: Sendable, Hashable, Codable {
    case accountMedia(AccountMedia)
    case bundle(MediaBundle)
    /// A reposted/quoted post (`AGGREGATED_POSTS`), one level deep; nil when not stored.
    /// Its media were downloaded into the reposting creator's folder.
    indirect case repost(postId: FanslyID, post: Post?)
    /// The attachment points at an `account_media` or bundle row that was never stored
    /// (message bundles are never stored by the downloader).
    case missing(contentType: String, contentId: FanslyID)
    /// STORY, POLL, TIP_GOALS or an unknown type: no media.
    case other(contentType: String, contentId: FanslyID)
}

/// One `attachments` row of a post or message.
public struct Attachment: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var pos: Int
    public var contentId: FanslyID
    public var contentType: String
    public var content: AttachmentContent
    public init(id: FanslyID, pos: Int, contentId: FanslyID, contentType: String, content: AttachmentContent) {
        self.id = id; self.pos = pos; self.contentId = contentId; self.contentType = contentType; self.content = content
    }
}

/// A timeline post with its attachments, hashtags, mentions and walls resolved.
public struct Post: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var accountId: FanslyID
    public var content: String?
    public var createdAt: Date?
    public var expiresAt: Date?
    public var inReplyTo: FanslyID?
    var inReplyToRoot: FanslyID?
    public var stashID: Int64?
    /// In attachment `pos` order.
    public var attachments: [Attachment]
    public var hashtags: [Hashtag]
    public var mentions: [Mention]
    /// Ids of the walls the post is on.
    public var wallIds: [FanslyID]
    public var pinned: Bool

    public init(
        id: FanslyID, accountId: FanslyID, content: String?, createdAt: Date?, expiresAt: Date? = nil,
        inReplyTo: FanslyID? = nil, inReplyToRoot: FanslyID? = nil, stashID: Int64? = nil,
        attachments: [Attachment] = [], hashtags: [Hashtag] = [], mentions: [Mention] = [],
        wallIds: [FanslyID] = [], pinned: Bool = false
    ) {
        self.id = id; self.accountId = accountId; self.content = content; self.createdAt = createdAt
        self.expiresAt = expiresAt; self.inReplyTo = inReplyTo; self.inReplyToRoot = inReplyToRoot
        self.stashID = stashID; self.attachments = attachments; self.hashtags = hashtags
        self.mentions = mentions; self.wallIds = wallIds; self.pinned = pinned
    }

    /// The post's own media in display order: attachment `pos`, then bundle `pos`.
    /// Reposted posts' media are not included (see `reposts`).
    public var media: [AccountMedia] { attachments.flatMap { $0.content.ownMedia } }

    /// Posts quoted by `AGGREGATED_POSTS` attachments that are stored in the database.
    public var reposts: [Post] {
        attachments.compactMap { if case .repost(_, let post) = $0.content { return post } else { return nil } }
    }
}

/// A direct or group message with its attachments resolved.
public struct Message: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var groupId: FanslyID?
    public var senderId: FanslyID
    /// NULL in group messages.
    public var recipientId: FanslyID?
    public var content: String
    public var createdAt: Date?
    public var deleted: Bool
    public var stashID: Int64?
    public var sender: Account?
    public var recipient: Account?
    public var attachments: [Attachment]

    public init(
        id: FanslyID, groupId: FanslyID?, senderId: FanslyID, recipientId: FanslyID? = nil,
        content: String, createdAt: Date?, deleted: Bool = false, stashID: Int64? = nil,
        sender: Account? = nil, recipient: Account? = nil, attachments: [Attachment] = []
    ) {
        self.id = id; self.groupId = groupId; self.senderId = senderId; self.recipientId = recipientId
        self.content = content; self.createdAt = createdAt; self.deleted = deleted; self.stashID = stashID
        self.sender = sender; self.recipient = recipient; self.attachments = attachments
    }

    /// The message's media in attachment order (bundles flattened in `pos` order).
    public var media: [AccountMedia] { attachments.flatMap { $0.content.ownMedia } }
}

/// A creator's wall (a named collection of posts) with its posts' ids.
public struct Wall: Sendable, Hashable, Codable {
    public var id: FanslyID
    public var accountId: FanslyID
    public var pos: Int?
    public var name: String?
    public var description: String?
    public var stashID: Int64?
    /// Post ids on the wall, ordered by post creation time then id.
    public var postIds: [FanslyID]
    public init(
        id: FanslyID, accountId: FanslyID, pos: Int? = nil, name: String? = nil,
        description: String? = nil, stashID: Int64? = nil, postIds: [FanslyID] = []
    ) {
        self.id = id; self.accountId = accountId; self.pos = pos; self.name = name
        self.description = description; self.stashID = stashID; self.postIds = postIds
    }
}

/// A story: a row of v0.10's `stories` (always empty in real databases) or of v0.11+'s
/// `media_stories`, whose `mediaId` is the `account_media` item shown.
public struct Story: Sendable, Hashable, Codable {
    public var id: FanslyID
    var authorId: FanslyID
    public var title: String?
    public var description: String?
    public var content: String
    public var createdAt: Date?
    /// `media_stories.contentId` (an `account_media.id`); nil for v0.10 stories.
    public var mediaId: FanslyID?
    init(
        id: FanslyID, authorId: FanslyID, title: String? = nil, description: String? = nil,
        content: String, createdAt: Date? = nil, mediaId: FanslyID? = nil
    ) {
        self.id = id; self.authorId = authorId; self.title = title; self.description = description
        self.content = content; self.createdAt = createdAt; self.mediaId = mediaId
    }
}

extension AttachmentContent {
    /// Media carried directly by this attachment (bundles flattened); none for reposts and others.
    var ownMedia: [AccountMedia] {
        switch self {
        case .accountMedia(let item): return [item]
        case .bundle(let bundle): return bundle.media
        case .repost, .missing, .other: return []
        }
    }
}

/// The media id in a downloaded file's name: the digits after the last `id_` (`…_id_123.mp4`,
/// `…_preview_id_123.jpeg`).
enum FileNameID {
    static func mediaId(in name: String) -> FanslyID? {
        let bytes = Array(name.utf8)
        var index = bytes.count - 3
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "i"), bytes[index + 1] == UInt8(ascii: "d"),
                bytes[index + 2] == UInt8(ascii: "_")
            {
                var end = index + 3
                var value: FanslyID = 0
                while end < bytes.count, bytes[end] >= 48, bytes[end] <= 57 {
                    let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                    guard !overflow else { return nil }
                    value = product + FanslyID(bytes[end] - 48)
                    end += 1
                }
                if end > index + 3 { return value }
            }
            index -= 1
        }
        return nil
    }
}
