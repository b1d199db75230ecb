import FanslyMetadata
import Foundation

/// The records a template can see. Which roots exist depends on where the template is used
/// (a gallery of a post sees `post`, not `media`); using an absent root is a load-time error.
struct Roots: OptionSet, Hashable, Sendable {
    let rawValue: Int
    static let account = Roots(rawValue: 1 << 0)
    static let post = Roots(rawValue: 1 << 1)
    static let message = Roots(rawValue: 1 << 2)
    static let item = Roots(rawValue: 1 << 3)
    static let bundle = Roots(rawValue: 1 << 4)
    static let media = Roots(rawValue: 1 << 5)
    static let position = Roots(rawValue: 1 << 6)
    static let wall = Roots(rawValue: 1 << 7)
    static let hashtag = Roots(rawValue: 1 << 8)
    static let mention = Roots(rawValue: 1 << 9)

    static let names: [(Roots, String)] = [
        (.account, "account"), (.post, "post"), (.message, "message"), (.item, "item"), (.bundle, "bundle"),
        (.media, "media"), (.position, "position/total"), (.wall, "wall"), (.hashtag, "hashtag"), (.mention, "mention"),
    ]

    /// `account, post, item, url` style listing for error messages.
    var listing: String {
        var parts = Roots.names.filter { contains($0.0) }.map(\.1)
        if !isDisjoint(with: [.account, .post, .message, .item, .bundle]) { parts.append("url") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

/// The static type of a variable, for conditions (`min`/`max` need numbers, `after` needs dates).
enum ValueType: String, Sendable {
    case string, int, double, bool, date, list

    var isNumeric: Bool { self == .int || self == .double }
}

/// Every variable of the template context. Raw values are the names users write.
enum Variable: String, CaseIterable, Sendable {
    case accountId = "account.id", accountUsername = "account.username", accountDisplayName = "account.displayName"
    case accountName = "account.name"
    case accountAbout = "account.about", accountLocation = "account.location", accountCreatedAt = "account.createdAt"
    case accountAvatarUrl = "account.avatarUrl", accountBannerUrl = "account.bannerUrl"

    case postId = "post.id", postContent = "post.content", postCreatedAt = "post.createdAt"
    case postExpiresAt = "post.expiresAt", postPinned = "post.pinned", postIsReply = "post.isReply"
    case postInReplyTo = "post.inReplyTo"
    case postMediaCount = "post.mediaCount", postImageCount = "post.imageCount", postVideoCount = "post.videoCount"
    case postHashtags = "post.hashtags", postMentions = "post.mentions", postWalls = "post.walls"
    case postIsRepost = "post.isRepost"

    case messageId = "message.id", messageGroupId = "message.groupId", messageContent = "message.content"
    case messageCreatedAt = "message.createdAt", messageSender = "message.sender", messageRecipient =
        "message.recipient"
    case messageMediaCount = "message.mediaCount", messageImageCount = "message.imageCount"
    case messageVideoCount = "message.videoCount", messageDeleted = "message.deleted"

    case itemKind = "item.kind", itemId = "item.id", itemContent = "item.content", itemCreatedAt = "item.createdAt"
    case itemMediaCount = "item.mediaCount", itemImageCount = "item.imageCount", itemVideoCount = "item.videoCount"
    case itemCaption = "item.caption"

    case bundleId = "bundle.id", bundleCreatedAt = "bundle.createdAt", bundleMediaCount = "bundle.mediaCount"
    case bundleImageCount = "bundle.imageCount", bundleVideoCount = "bundle.videoCount"
    case bundlePurchased = "bundle.purchased"

    case mediaId = "media.id", mediaMediaId = "media.mediaId", mediaFileId = "media.fileId", mediaKind = "media.kind"
    case mediaMimetype = "media.mimetype", mediaWidth = "media.width", mediaHeight = "media.height"
    case mediaDuration = "media.duration", mediaIsPreview = "media.isPreview", mediaIsDownloaded = "media.isDownloaded"
    case mediaAccess = "media.access", mediaCreatedAt = "media.createdAt", mediaFilename = "media.filename"
    case mediaContentHash = "media.contentHash", mediaIsRepost = "media.isRepost", mediaReposter = "media.reposter"
    case mediaDeleted = "media.deleted"

    case position = "position", total = "total"

    case wallId = "wall.id", wallName = "wall.name", wallDescription = "wall.description", wallPos = "wall.pos"
    case wallPostCount = "wall.postCount"

    case hashtagId = "hashtag.id", hashtagValue = "hashtag.value", hashtagOriginal = "hashtag.original"

    case mentionHandle = "mention.handle", mentionUsername = "mention.username"
    case mentionDisplayName = "mention.displayName", mentionName = "mention.name", mentionAbout = "mention.about"
    case mentionKnown = "mention.known"

    case urlPost = "url.post", urlMessage = "url.message", urlAccount = "url.account"
    case urlPerformer = "url.performer", urlBundle = "url.bundle", urlItem = "url.item"

    static let byName: [String: Variable] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
    static let names: [String] = allCases.map(\.rawValue)

    /// The record the variable reads from.
    var root: Roots {
        switch self {
        case .accountId, .accountUsername, .accountDisplayName, .accountName, .accountAbout, .accountLocation,
            .accountCreatedAt, .accountAvatarUrl, .accountBannerUrl, .urlAccount, .urlPerformer:
            return .account
        case .postId, .postContent, .postCreatedAt, .postExpiresAt, .postPinned, .postIsReply, .postInReplyTo,
            .postMediaCount, .postImageCount, .postVideoCount, .postHashtags, .postMentions, .postWalls,
            .postIsRepost, .urlPost:
            return .post
        case .messageId, .messageGroupId, .messageContent, .messageCreatedAt, .messageSender, .messageRecipient,
            .messageMediaCount, .messageImageCount, .messageVideoCount, .messageDeleted, .urlMessage:
            return .message
        case .itemKind, .itemId, .itemContent, .itemCreatedAt, .itemMediaCount, .itemImageCount, .itemVideoCount,
            .itemCaption, .urlItem:
            return .item
        case .bundleId, .bundleCreatedAt, .bundleMediaCount, .bundleImageCount, .bundleVideoCount, .bundlePurchased,
            .urlBundle:
            return .bundle
        case .mediaId, .mediaMediaId, .mediaFileId, .mediaKind, .mediaMimetype, .mediaWidth, .mediaHeight,
            .mediaDuration, .mediaIsPreview, .mediaIsDownloaded, .mediaAccess, .mediaCreatedAt, .mediaFilename,
            .mediaContentHash, .mediaIsRepost, .mediaReposter, .mediaDeleted:
            return .media
        case .position, .total: return .position
        case .wallId, .wallName, .wallDescription, .wallPos, .wallPostCount: return .wall
        case .hashtagId, .hashtagValue, .hashtagOriginal: return .hashtag
        case .mentionHandle, .mentionUsername, .mentionDisplayName, .mentionName, .mentionAbout, .mentionKnown:
            return .mention
        }
    }

    var type: ValueType {
        switch self {
        case .accountId, .postId, .postInReplyTo, .postMediaCount, .postImageCount, .postVideoCount, .messageId,
            .messageGroupId, .messageMediaCount, .messageImageCount, .messageVideoCount, .itemId, .itemMediaCount,
            .itemImageCount, .itemVideoCount, .bundleId, .bundleMediaCount, .bundleImageCount, .bundleVideoCount,
            .mediaId, .mediaMediaId, .mediaFileId, .mediaWidth, .mediaHeight, .position, .total, .wallId, .wallPos,
            .wallPostCount, .hashtagId:
            return .int
        case .mediaDuration: return .double
        case .postPinned, .postIsReply, .postIsRepost, .messageDeleted, .bundlePurchased, .mediaIsPreview,
            .mediaIsDownloaded, .mediaAccess, .mediaIsRepost, .mediaDeleted, .mentionKnown:
            return .bool
        case .accountCreatedAt, .postCreatedAt, .postExpiresAt, .messageCreatedAt, .itemCreatedAt, .bundleCreatedAt,
            .mediaCreatedAt:
            return .date
        case .postHashtags, .postMentions, .postWalls: return .list
        default: return .string
        }
    }

    /// One line for `rules explain` and the reference documentation.
    var summary: String {
        switch self {
        case .accountId: return "the account's Fansly id"
        case .accountUsername: return "the username as Fansly spells it"
        case .accountDisplayName: return "the display name (may be empty)"
        case .accountName: return "displayName when set, else username"
        case .accountAbout: return "the profile bio"
        case .accountLocation: return "the profile location text"
        case .accountCreatedAt: return "when the account was created"
        case .accountAvatarUrl: return "CDN location of the avatar (expires; never downloaded)"
        case .accountBannerUrl: return "CDN location of the banner (expires; never downloaded)"
        case .postId: return "the post id"
        case .postContent: return "the caption, with #hashtags and @mentions"
        case .postCreatedAt: return "when the post was published"
        case .postExpiresAt: return "when the post expires, if it does"
        case .postPinned: return "true when pinned"
        case .postIsReply: return "true when the post replies to another"
        case .postInReplyTo: return "id of the post it replies to"
        case .postMediaCount: return "number of media in the post"
        case .postImageCount: return "number of images in the post"
        case .postVideoCount: return "number of videos in the post"
        case .postHashtags: return "hashtags as stored (lower-case)"
        case .postMentions: return "mentioned handles"
        case .postWalls: return "names of the walls the post is on"
        case .postIsRepost: return "true when the post quotes another creator's post"
        case .messageId: return "the message id"
        case .messageGroupId: return "the conversation (group) id"
        case .messageContent: return "the message text"
        case .messageCreatedAt: return "when the message was sent"
        case .messageSender: return "sender's username"
        case .messageRecipient: return "recipient's username (empty in group chats)"
        case .messageMediaCount: return "number of media in the message"
        case .messageImageCount: return "number of images in the message"
        case .messageVideoCount: return "number of videos in the message"
        case .messageDeleted: return "true when the message was deleted"
        case .itemKind: return "`post`, `message`, `bundle` or `media` (media seen in no stored post or message)"
        case .itemId: return "id of the post, message or bundle (the media id for `media`)"
        case .itemContent: return "caption or message text (empty for bundles and media)"
        case .itemCaption:
            return
                "the `settings.caption` template for this item (default: the first line without #hashtags and @handles)"
        case .itemCreatedAt: return "when the post/message was published (media: the account_media row's date)"
        case .itemMediaCount: return "number of media in the item"
        case .itemImageCount: return "number of images in the item"
        case .itemVideoCount: return "number of videos in the item"
        case .bundleId: return "the bundle id"
        case .bundleCreatedAt: return "when the bundle was created"
        case .bundleMediaCount: return "number of media in the bundle"
        case .bundleImageCount: return "number of images in the bundle"
        case .bundleVideoCount: return "number of videos in the bundle"
        case .bundlePurchased: return "true when the bundle was bought"
        case .mediaId: return "the account_media id (what posts point to)"
        case .mediaMediaId: return "the original media id (the `code` the reference tool writes)"
        case .mediaFileId: return "the id in the downloaded file name (HLS variant or preview id)"
        case .mediaKind: return "`image`, `video`, `audio` or `other`"
        case .mediaMimetype: return "the original's mimetype"
        case .mediaWidth: return "width in pixels"
        case .mediaHeight: return "height in pixels"
        case .mediaDuration: return "seconds (videos)"
        case .mediaIsPreview: return "true when the file is a preview (locked item or trailer)"
        case .mediaIsDownloaded: return "true when the downloader recorded the file"
        case .mediaAccess: return "false when the item is locked"
        case .mediaCreatedAt: return "when the account_media row was created"
        case .mediaFilename: return "basename of the downloaded file"
        case .mediaContentHash: return "perceptual hash (images) or MD5 (videos)"
        case .mediaIsRepost: return "true when the media comes from a quoted post"
        case .mediaReposter: return "username of the creator who reposted it (empty otherwise)"
        case .mediaDeleted: return "true when the item was deleted on Fansly"
        case .position: return "1-based position of the media in its post/message"
        case .total: return "number of media in the post/message"
        case .wallId: return "the wall id"
        case .wallName: return "the wall's name"
        case .wallDescription: return "the wall's description"
        case .wallPos: return "the wall's position on the profile"
        case .wallPostCount: return "number of posts on the wall"
        case .hashtagId: return "the hashtag id"
        case .hashtagValue: return "the hashtag as stored (lower-case)"
        case .hashtagOriginal: return "the hashtag as written in the caption (e.g. `LatexModel`)"
        case .mentionHandle: return "the handle as written"
        case .mentionUsername: return "the mentioned account's username (the handle when unknown)"
        case .mentionDisplayName: return "the mentioned account's display name"
        case .mentionName: return "displayName when known, else username"
        case .mentionAbout: return "the mentioned account's bio"
        case .mentionKnown: return "true when the account is in the database"
        case .urlPost: return "the `urls.post` template for this post"
        case .urlMessage: return "the `urls.message` template for this message"
        case .urlAccount: return "the `urls.account` template for this account"
        case .urlPerformer: return "the `urls.performer` template for this account"
        case .urlBundle: return "the `urls.bundle` template for this bundle"
        case .urlItem: return "url.post, url.message or url.bundle, whichever the item is"
        }
    }
}
