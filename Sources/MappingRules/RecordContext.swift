import FanslyMetadata
import Foundation

/// Post/message/bundle facts shared by the `item.*` variables and by the media of the item.
struct ItemInfo: Sendable {
    enum Kind: String, Sendable { case post, message, bundle, media }
    var kind: Kind
    var id: FanslyID
    var content: String?
    var createdAt: Date?
    var mediaCount = 0
    var imageCount = 0
    var videoCount = 0
}

/// What the templates of one evaluation can read. Absent records read as empty.
struct RecordContext {
    let urls: URLTemplates
    var account: Account?
    var post: Post?
    var postWalls: [String] = []
    /// The message being mapped. Boxed, as `mention` is: each holds accounts (hundreds of bytes
    /// apiece), most records have neither, and the context is copied for every media it maps.
    var message: Message? {
        get { messageBox?.value }
        set { messageBox = newValue.map(RecordBox.init) }
    }
    private var messageBox: RecordBox<Message>?
    var bundle: MediaBundle?
    var item: ItemInfo?
    var media: AccountMedia?
    var file: DownloadedFile?
    var reposter: String?
    var position = 0
    var total = 0
    var wall: Wall?
    var hashtag: Hashtag?
    var hashtagOriginal: String?
    var mention: Mention? {
        get { mentionBox?.value }
        set { mentionBox = newValue.map(RecordBox.init) }
    }
    private var mentionBox: RecordBox<Mention>?
    /// `item.caption` rendered once for the record (the copies of its context share it): every
    /// title of a post and its media reads it, and its filters are regular expressions.
    var captionMemo: CaptionMemo?

    init(urls: URLTemplates) { self.urls = urls }

    private static func text(_ value: String?) -> TemplateValue { value.map(TemplateValue.string) ?? .null }
    private static func id(_ value: FanslyID?) -> TemplateValue { value.map(TemplateValue.int) ?? .null }
    private static func date(_ value: Date?) -> TemplateValue { value.map(TemplateValue.date) ?? .null }
    private static func int(_ value: Int?) -> TemplateValue { value.map { TemplateValue.int(Int64($0)) } ?? .null }

    func value(_ variable: Variable) -> TemplateValue {
        switch variable {
        case .accountId: return Self.id(account?.id)
        case .accountUsername: return Self.text(account?.username)
        case .accountDisplayName: return Self.text(account?.displayName)
        case .accountName:
            guard let account else { return .null }
            if let name = account.displayName, !name.allSatisfy({ $0.isWhitespace }) { return .string(name) }
            return .string(account.username)
        case .accountAbout: return Self.text(account?.about)
        case .accountLocation: return Self.text(account?.location)
        case .accountCreatedAt: return Self.date(account?.createdAt)
        case .accountAvatarUrl: return Self.text(account?.avatar?.location)
        case .accountBannerUrl: return Self.text(account?.banner?.location)

        case .postId: return Self.id(post?.id)
        case .postContent: return Self.text(post?.content)
        case .postCreatedAt: return Self.date(post?.createdAt)
        case .postExpiresAt: return Self.date(post?.expiresAt)
        case .postPinned: return post.map { .bool($0.pinned) } ?? .null
        case .postIsReply: return post.map { .bool($0.inReplyTo != nil) } ?? .null
        case .postInReplyTo: return Self.id(post?.inReplyTo)
        case .postMediaCount, .postImageCount, .postVideoCount:
            guard post != nil, let item, item.kind == .post else { return .null }
            return .int(
                Int64(
                    variable == .postMediaCount
                        ? item.mediaCount : variable == .postImageCount ? item.imageCount : item.videoCount))
        case .postHashtags: return post.map { .list($0.hashtags.map { $0.value }) } ?? .null
        case .postMentions: return post.map { .list($0.mentions.map { $0.handle }) } ?? .null
        case .postWalls: return post == nil ? .null : .list(postWalls)
        case .postIsRepost:
            return post.map { p in
                TemplateValue.bool(
                    p.attachments.contains { if case .repost = $0.content { return true } else { return false } })
            } ?? .null

        case .messageId: return Self.id(messageBox?.value.id)
        case .messageGroupId: return Self.id(messageBox?.value.groupId)
        case .messageContent: return Self.text(messageBox?.value.content)
        case .messageCreatedAt: return Self.date(messageBox?.value.createdAt)
        case .messageSender: return Self.text(messageBox?.value.sender?.username)
        case .messageRecipient: return Self.text(messageBox?.value.recipient?.username)
        case .messageMediaCount, .messageImageCount, .messageVideoCount:
            guard messageBox != nil, let item, item.kind == .message else { return .null }
            return .int(
                Int64(
                    variable == .messageMediaCount
                        ? item.mediaCount : variable == .messageImageCount ? item.imageCount : item.videoCount))
        case .messageDeleted: return messageBox.map { .bool($0.value.deleted) } ?? .null

        case .itemKind: return item.map { .string($0.kind.rawValue) } ?? .null
        case .itemId: return Self.id(item?.id)
        case .itemContent: return Self.text(item?.content)
        case .itemCaption:
            guard item != nil else { return .null }
            return captionMemo?.value(for: self) ?? nonEmpty(urls.caption.render(self))
        case .itemCreatedAt: return Self.date(item?.createdAt)
        case .itemMediaCount: return Self.int(item?.mediaCount)
        case .itemImageCount: return Self.int(item?.imageCount)
        case .itemVideoCount: return Self.int(item?.videoCount)

        case .bundleId: return Self.id(bundle?.id)
        case .bundleCreatedAt: return Self.date(bundle?.createdAt)
        case .bundleMediaCount, .bundleImageCount, .bundleVideoCount:
            guard bundle != nil, let item, item.kind == .bundle else { return .null }
            return .int(
                Int64(
                    variable == .bundleMediaCount
                        ? item.mediaCount : variable == .bundleImageCount ? item.imageCount : item.videoCount))
        case .bundlePurchased: return bundle.map { .bool($0.purchased) } ?? .null

        case .mediaId: return Self.id(media?.id)
        case .mediaMediaId: return Self.id(media?.media.id)
        case .mediaFileId: return Self.id(file?.fileMediaId)
        case .mediaKind: return (file?.kind ?? media?.media.kind).map { .string($0.rawValue) } ?? .null
        case .mediaMimetype: return Self.text(media?.media.mimetype)
        case .mediaWidth: return Self.int(media?.media.width)
        case .mediaHeight: return Self.int(media?.media.height)
        case .mediaDuration: return media?.media.duration.map(TemplateValue.double) ?? .null
        case .mediaIsPreview: return file.map { .bool($0.isPreview) } ?? .null
        case .mediaIsDownloaded: return file.map { .bool($0.isDownloaded) } ?? .null
        case .mediaAccess: return media.map { .bool($0.access) } ?? .null
        case .mediaCreatedAt: return Self.date(media?.createdAt ?? media?.media.createdAt)
        case .mediaFilename: return Self.text(file?.localFilename)
        case .mediaContentHash:
            // The hash of the row that records the file (an HLS video's original in v0.11+).
            guard media != nil, let file else { return .null }
            return Self.text(file.contentHash)
        case .mediaIsRepost: return media == nil ? .null : .bool(reposter != nil)
        case .mediaReposter: return Self.text(reposter)
        case .mediaDeleted: return media.map { .bool($0.deleted) } ?? .null

        case .position: return .int(Int64(position))
        case .total: return .int(Int64(total))

        case .wallId: return Self.id(wall?.id)
        case .wallName: return Self.text(wall?.name)
        case .wallDescription: return Self.text(wall?.description)
        case .wallPos: return Self.int(wall?.pos)
        case .wallPostCount: return wall.map { .int(Int64($0.postIds.count)) } ?? .null

        case .hashtagId: return Self.id(hashtag?.id)
        case .hashtagValue: return Self.text(hashtag?.value)
        case .hashtagOriginal: return Self.text(hashtagOriginal ?? hashtag?.value)

        case .mentionHandle: return Self.text(mentionBox?.value.handle)
        case .mentionUsername: return Self.text(mentionBox?.value.account?.username ?? mentionBox?.value.handle)
        case .mentionDisplayName: return Self.text(mentionBox?.value.account?.displayName)
        case .mentionName:
            guard let mention = mentionBox?.value else { return .null }
            if let name = mention.account?.displayName, !name.allSatisfy({ $0.isWhitespace }) { return .string(name) }
            return .string(mention.account?.username ?? mention.handle)
        case .mentionAbout: return Self.text(mentionBox?.value.account?.about)
        case .mentionKnown: return mentionBox.map { .bool($0.value.account != nil) } ?? .null

        case .urlPost: return post == nil ? .null : nonEmpty(urls.post.renderRequiringAll(self))
        case .urlMessage: return messageBox == nil ? .null : nonEmpty(urls.message.renderRequiringAll(self))
        case .urlAccount: return account == nil ? .null : nonEmpty(urls.account.renderRequiringAll(self))
        case .urlPerformer: return account == nil ? .null : nonEmpty(urls.performer.renderRequiringAll(self))
        case .urlBundle: return bundle == nil ? .null : nonEmpty(urls.bundle.renderRequiringAll(self))
        case .urlItem:
            switch item?.kind {
            case .post?: return value(.urlPost)
            case .message?: return value(.urlMessage)
            case .bundle?: return value(.urlBundle)
            default: return .null
            }
        }
    }

    private func nonEmpty(_ text: String?) -> TemplateValue { text.map { $0.isEmpty ? .null : .string($0) } ?? .null }

    /// Every variable available with a value, for `rules explain`.
    func listing(roots: Roots) -> [(String, TemplateValue)] {
        Variable.allCases.filter { $0.root.rawValue & roots.rawValue != 0 }.map { ($0.rawValue, value($0)) }
    }
}

/// The caption of one record, rendered on first use. It reads only `account.*` and `item.*`
/// (`settings.caption` is compiled with those roots and may not read `item.caption`), and the item
/// is fixed for the record's contexts: the account (a message's media may have other owners) is
/// the key.
final class CaptionMemo {
    private var account: FanslyID??
    private var value: TemplateValue = .null

    func value(for context: RecordContext) -> TemplateValue {
        let key = context.account?.id
        if let account, account == key { return value }
        var plain = context
        plain.captionMemo = nil
        let text = plain.urls.caption.render(plain)
        value = text.isEmpty ? .null : .string(text)
        account = .some(key)
        return value
    }
}

/// A record a `RecordContext` holds by reference, so that copying the context does not copy it.
final class RecordBox<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}
