import Foundation
import GRDB

/// How a generated timestamp is stored. Real databases use `.text`; the others are the
/// variants a tolerant reader must also accept.
enum StampStyle {
    case text, textWithoutFraction, integerSeconds, integerMilliseconds
}

/// Produces the rows of a sample database and the files the downloader would have written.
/// Everything depends only on `SampleOptions`: no clock, no system randomness, no hashing order.
struct SampleGenerator<Sink: RowSink> {
    struct Account {
        var id: Int64
        var username: String
    }

    /// The folder level between the creator folder and `Pictures|Videos`; stories have none.
    enum Folder: String { case timeline = "Timeline", messages = "Messages", stories = "" }
    enum Kind { case image, video }

    /// How one `account_media` item is generated.
    struct Item {
        var kind: Kind = .image
        var locked = false
        /// Videos only: the file is the HLS variant's (most videos) rather than the original's.
        var hls = true
        var deleted = false
        /// Gives the `account_media` row its own id instead of the media's.
        var separateId = false
        var png = false
    }

    var sink: Sink
    private(set) var files: [SampleFile] = []
    private var rng: SplitMix64
    /// v0.13 upload times come from their own sequence, so that every other value (ids, sizes,
    /// hashes, captions) is the same in both shapes.
    private var uploadRng: SplitMix64
    private var idCounter: Int64 = 0
    private var attachmentId: Int64 = 0
    private var hashtagIds: [String: Int64] = [:]
    private let options: SampleOptions
    let shape: SampleShape
    private let revision: String

    static var epoch: Int64 { 1_672_876_800 } // 2023-01-05 00:00:00 UTC

    /// - Parameter revision: the alembic revision recorded (v0.10's for SQLite, v0.15.1's for PostgreSQL).
    init(
        options: SampleOptions, shape: SampleShape = .migrated, revision: String = FanslySchema.alembicRevision,
        sink: Sink
    ) {
        self.options = options
        self.shape = shape
        self.revision = revision
        self.sink = sink
        self.rng = SplitMix64(seed: options.seed)
        self.uploadRng = SplitMix64(seed: options.seed ^ 0x0013_0013_0013_0013)
    }

    // MARK: - The whole database

    mutating func run() throws {
        try sink.insert(.alembicVersion, [revision.databaseValue])
        let fan = try addAccount(username: "quiet_collector", displayName: nil, created: Self.epoch - 400 * 86_400)
        let creators = try (0..<options.creators).map { index in
            try addCreator(index: index)
        }
        let quirks = options.includesQuirks && creators.count >= 3
        var studio: Account?
        if quirks {
            studio = try addAccount(
                username: "StudioPal", displayName: "Studio Pal", created: Self.epoch - 200 * 86_400)
        }
        for (index, creator) in creators.enumerated() {
            var time = Self.epoch + Int64(index) * 7_919
            var postIds: [Int64] = []
            if quirks && index == 0 {
                postIds += try addQuirkTimeline(luna: creator, nora: creators[2], studio: studio!, time: &time)
            }
            if quirks && index == 2 {
                postIds += try addRepostedPost(nora: creator, reposter: creators[0], time: &time)
            }
            for _ in 0..<options.postsPerCreator {
                time += Int64(rng.int(1_800..<60_000))
                postIds.append(try addOrdinaryPost(creator: creator, time: time))
            }
            try addWalls(creator: creator, postIds: postIds, quirks: quirks && index == 0)
            time = Self.epoch + Int64(index) * 7_919 + 3_600
            try addMessages(creator: creator, fan: fan, time: &time, quirks: quirks, index: index)
            try sink.insert(
                .timelineStats,
                [
                    creator.id.databaseValue, 0.databaseValue, 0.databaseValue,
                    0.databaseValue, 0.databaseValue, 0.databaseValue,
                    stamp(Self.epoch + 500 * 86_400),
                ])
            try sink.insert(
                .mediaStoryStates,
                [
                    creator.id.databaseValue, 0.databaseValue, 0.databaseValue,
                    1.databaseValue, stamp(Self.epoch), stamp(Self.epoch),
                    false.databaseValue,
                ])
        }
        if shape == .v013 {
            // Last, so that every id before them is the same as in the migrated shape.
            try addStories(creators: creators)
            try addStubPins(creators: creators, pinnedBefore: quirks ? [creators[0].id] : [])
        }
        files.sort { $0.path < $1.path }
    }

    // MARK: - Accounts

    private mutating func addCreator(index: Int) throws -> Account {
        let username =
            index < SampleVocabulary.creatorNames.count ? SampleVocabulary.creatorNames[index] : "creator\(index + 1)"
        let displayName =
            index < SampleVocabulary.creatorNames.count
            ? username.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1 $2", options: .regularExpression)
            : "Creator \(index + 1)"
        let account = try addAccount(
            username: username, displayName: displayName,
            created: Self.epoch - Int64(300 + index * 17) * 86_400)
        for table in [SampleTable.accountAvatar, .accountBanner] {
            let mediaId = nextId()
            try insertMedia(
                id: mediaId, owner: account.id, location: "https://cdn3.fansly.com/\(account.id)/\(mediaId).jpeg",
                mimetype: "image/jpeg", width: table == .accountAvatar ? 400 : 1500,
                height: table == .accountAvatar ? 400 : 500, type: 1, created: Self.epoch - 100 * 86_400)
            try sink.insert(table, [account.id.databaseValue, mediaId.databaseValue])
        }
        return account
    }

    private mutating func addAccount(username: String, displayName: String?, created: Int64) throws -> Account {
        let account = Account(id: nextId(), username: username)
        let about = displayName.map { "Hi, I'm \($0). New sets every week." }
        try sink.insert(
            .accounts,
            [
                account.id.databaseValue, username.databaseValue, displayName.databaseValue,
                0.databaseValue, 1.databaseValue, about.databaseValue,
                (displayName == nil ? nil : "Somewhere nice").databaseValue,
                true.databaseValue, true.databaseValue, stamp(created),
                (displayName != nil).databaseValue, DatabaseValue.null,
            ])
        return account
    }

    // MARK: - Posts

    private mutating func addOrdinaryPost(creator: Account, time: Int64) throws -> Int64 {
        var content = rng.pick(SampleVocabulary.captions)
        for _ in 0..<rng.int(0..<4) {
            let tag =
                options.includesQuirks || rng.chance(0.5) ? rng.pick(SampleVocabulary.tags) : "tag\(rng.int(0..<200))"
            content += " #\(tag)"
        }
        let postId = try insertPost(creator: creator, content: content, time: time)
        var items: [Int64] = []
        for _ in 0..<options.mediaPerPost {
            var item = Item()
            item.kind = rng.chance(0.25) ? .video : .image
            item.locked = rng.chance(0.05)
            item.hls = rng.chance(0.85)
            item.png = rng.chance(0.1)
            items.append(try addItem(item, owner: creator, downloader: creator, time: time, folder: .timeline))
        }
        if items.count >= 2 && rng.chance(0.15) {
            let bundleId = try addBundle(owner: creator, members: items, positions: Array(0..<items.count), time: time)
            try addAttachment(post: postId, pos: 0, contentId: bundleId, type: "ACCOUNT_MEDIA_BUNDLE")
        } else {
            for (pos, item) in items.enumerated() {
                try addAttachment(post: postId, pos: pos, contentId: item, type: "ACCOUNT_MEDIA")
            }
        }
        return postId
    }

    /// Luna's hand-written posts: one per quirk the reader must handle.
    private mutating func addQuirkTimeline(luna: Account, nora: Account, studio: Account, time: inout Int64) throws
        -> [Int64]
    {
        var posts: [Int64] = []
        func advance(_ time: inout Int64) { time += 86_400 + 3_600 }

        // Concatenated hashtags, a resolved mention and a handle-only one; an image and an HLS video.
        advance(&time)
        let tagged = try insertPost(
            creator: luna, content: "Shoot day with @StudioPal and @ghost_handle #Latex#LatexModel",
            time: time, mentions: [("StudioPal", studio.id), ("ghost_handle", nil)])
        try addAttachment(
            post: tagged, pos: 0,
            contentId: addItem(Item(), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        try addAttachment(
            post: tagged, pos: 1,
            contentId: addItem(Item(kind: .video), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        posts.append(tagged)

        // A real bundle whose `pos` order differs from its members' id order.
        advance(&time)
        let bundled = try insertPost(creator: luna, content: "Full set, in order #latexmodel", time: time)
        var members: [Int64] = []
        for kind in [Kind.image, .image, .video] {
            members.append(try addItem(Item(kind: kind), owner: luna, downloader: luna, time: time, folder: .timeline))
        }
        let bundleId = try addBundle(owner: luna, members: members, positions: [2, 0, 1], time: time)
        try addAttachment(post: bundled, pos: 0, contentId: bundleId, type: "ACCOUNT_MEDIA_BUNDLE")
        posts.append(bundled)
        try sink.insert(
            .pinnedPosts, [bundled.databaseValue, luna.id.databaseValue, 0.databaseValue, stamp(time + 60)])

        // No attachments; createdAt stored without its fraction.
        advance(&time)
        posts.append(
            try insertPost(
                creator: luna, content: "Good morning! No pictures today.", time: time, style: .textWithoutFraction))

        // A deleted media beside a normal one.
        advance(&time)
        let withDeleted = try insertPost(creator: luna, content: "One of these got taken down #cosplay", time: time)
        try addAttachment(
            post: withDeleted, pos: 0,
            contentId: addItem(Item(deleted: true), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        try addAttachment(
            post: withDeleted, pos: 1,
            contentId: addItem(Item(png: true), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        posts.append(withDeleted)

        // Locked items: only their previews were downloaded (files ending in `.None`). Stored as integer seconds.
        advance(&time)
        let locked = try insertPost(
            creator: luna, content: "PPV teaser #Behind_The_Scenes", time: time, style: .integerSeconds)
        try addAttachment(
            post: locked, pos: 0,
            contentId: addItem(
                Item(kind: .video, locked: true), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        try addAttachment(
            post: locked, pos: 1,
            contentId: addItem(Item(locked: true), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        posts.append(locked)

        // A repost of Nora's stored post and of a post that was never stored.
        advance(&time)
        let repost = try insertPost(
            creator: luna, content: "Go follow @NoraQuill!", time: time, mentions: [("NoraQuill", nora.id)])
        try addAttachment(post: repost, pos: 0, contentId: Self.repostedPostId(base: 0), type: "AGGREGATED_POSTS")
        try addAttachment(post: repost, pos: 1, contentId: 399_999_999_999_999_001, type: "AGGREGATED_POSTS")
        posts.append(repost)

        // account_media.id != mediaId, and a video whose original row carries the file (no HLS).
        // createdAt stored as integer milliseconds.
        advance(&time)
        let oddIds = try insertPost(creator: luna, content: "Two classics", time: time, style: .integerMilliseconds)
        try addAttachment(
            post: oddIds, pos: 0,
            contentId: addItem(Item(separateId: true), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        try addAttachment(
            post: oddIds, pos: 1,
            contentId: addItem(
                Item(kind: .video, hls: false), owner: luna, downloader: luna, time: time, folder: .timeline),
            type: "ACCOUNT_MEDIA")
        posts.append(oddIds)

        // Attachments without media (a poll and tip goals), and a reply to the first post.
        advance(&time)
        let poll = try insertPost(
            creator: luna, content: "Vote for the next theme!", time: time,
            replyTo: tagged)
        try addAttachment(post: poll, pos: 0, contentId: nextId(), type: "POLL")
        try addAttachment(post: poll, pos: 1, contentId: nextId(), type: "TIP_GOALS")
        posts.append(poll)
        return posts
    }

    /// Nora's post that Luna reposts. Its file sits in Luna's folder: the downloader fetched it
    /// while walking Luna's timeline.
    private mutating func addRepostedPost(nora: Account, reposter: Account, time: inout Int64) throws -> [Int64] {
        time += 3_600
        let postId = Self.repostedPostId(base: 0)
        try sink.insert(
            .posts,
            [
                postId.databaseValue, nora.id.databaseValue, "Collab preview #studio".databaseValue,
                0.databaseValue, DatabaseValue.null, DatabaseValue.null, stamp(time),
                DatabaseValue.null, DatabaseValue.null,
            ])
        try addHashtags(postId: postId, content: "Collab preview #studio")
        let item = try addItem(Item(), owner: nora, downloader: reposter, time: time, folder: .timeline)
        try addAttachment(post: postId, pos: 0, contentId: item, type: "ACCOUNT_MEDIA")
        return [postId]
    }

    /// A fixed id below every generated id, so the repost can point at it before it exists.
    private static func repostedPostId(base: Int64) -> Int64 { 399_999_999_999_999_500 + base }

    private mutating func insertPost(
        creator: Account, content: String, time: Int64, style: StampStyle = .text,
        mentions: [(String, Int64?)] = [], replyTo: Int64? = nil
    ) throws -> Int64 {
        let postId = nextId()
        try sink.insert(
            .posts,
            [
                postId.databaseValue, creator.id.databaseValue, content.databaseValue,
                0.databaseValue, replyTo.databaseValue, replyTo.databaseValue,
                stamp(time, style), DatabaseValue.null, DatabaseValue.null,
            ])
        try addHashtags(postId: postId, content: content)
        // v0.13 validates mentions in memory but never stores them.
        for (handle, accountId) in mentions where shape == .migrated {
            try sink.insert(.postMentions, [postId.databaseValue, accountId.databaseValue, handle.databaseValue])
        }
        return postId
    }

    /// The downloader's extraction: `#+(\w+)`, lower-cased, de-duplicated.
    private mutating func addHashtags(postId: Int64, content: String) throws {
        var seen: [String] = []
        for tag in Self.hashtags(in: content) where !seen.contains(tag) {
            seen.append(tag)
            let id: Int64
            if let known = hashtagIds[tag] {
                id = known
            } else {
                id = Int64(hashtagIds.count + 1)
                hashtagIds[tag] = id
                try sink.insert(.hashtags, [id.databaseValue, tag.databaseValue, DatabaseValue.null])
            }
            try sink.insert(.postHashtags, [postId.databaseValue, id.databaseValue])
        }
    }

    static func hashtags(in content: String) -> [String] {
        var tags: [String] = []
        var current: String?
        for character in content {
            if character == "#" {
                if let tag = current, !tag.isEmpty { tags.append(tag.lowercased()) }
                current = ""
            } else if character.isLetter || character.isNumber || character == "_" {
                current?.append(character)
            } else {
                if let tag = current, !tag.isEmpty { tags.append(tag.lowercased()) }
                current = nil
            }
        }
        if let tag = current, !tag.isEmpty { tags.append(tag.lowercased()) }
        return tags
    }

    // MARK: - Walls and messages

    private mutating func addWalls(creator: Account, postIds: [Int64], quirks: Bool) throws {
        let main = nextId()
        try sink.insert(
            .walls,
            [
                main.databaseValue, creator.id.databaseValue, 0.databaseValue, "Main".databaseValue,
                "Everything".databaseValue, DatabaseValue.null, DatabaseValue.null,
            ])
        let second = nextId()
        try sink.insert(
            .walls,
            [
                second.databaseValue, creator.id.databaseValue, 1.databaseValue,
                (quirks ? "Latex" : "Favourites").databaseValue, DatabaseValue.null,
                DatabaseValue.null, DatabaseValue.null,
            ])
        for (index, postId) in postIds.enumerated() {
            if quirks ? index != 2 : rng.chance(0.3) {
                try sink.insert(.wallPosts, [main.databaseValue, postId.databaseValue])
            }
            if quirks ? index < 2 : rng.chance(0.1) {
                try sink.insert(.wallPosts, [second.databaseValue, postId.databaseValue])
            }
        }
    }

    private mutating func addMessages(creator: Account, fan: Account, time: inout Int64, quirks: Bool, index: Int)
        throws
    {
        let groupId = nextId()
        // Real groups often point at a last message that was never stored.
        try sink.insert(.groups, [groupId.databaseValue, creator.id.databaseValue, nextId().databaseValue])
        try sink.insert(.groupUsers, [groupId.databaseValue, creator.id.databaseValue])
        try sink.insert(.groupUsers, [groupId.databaseValue, fan.id.databaseValue])
        if quirks && index == 0 {
            time += 600
            let welcome = try insertMessage(
                group: groupId, sender: creator, recipient: nil, content: "Thanks for subscribing!", time: time)
            try addAttachment(
                message: welcome, pos: 0,
                contentId: addItem(Item(), owner: creator, downloader: creator, time: time, folder: .messages),
                type: "ACCOUNT_MEDIA")
            time += 600
            // Message bundles are never stored: the attachment points nowhere.
            let bundled = try insertMessage(
                group: groupId, sender: creator, recipient: nil, content: "A little bundle for you", time: time)
            try addAttachment(message: bundled, pos: 0, contentId: nextId(), type: "ACCOUNT_MEDIA_BUNDLE")
            time += 600
            _ = try insertMessage(group: groupId, sender: fan, recipient: nil, content: "Love it!", time: time)
            time += 600
            let video = try insertMessage(
                group: groupId, sender: creator, recipient: nil, content: "Video as promised", time: time)
            try addAttachment(
                message: video, pos: 0,
                contentId: addItem(
                    Item(kind: .video), owner: creator, downloader: creator, time: time, folder: .messages),
                type: "ACCOUNT_MEDIA")
        }
        if quirks && index == 1 {
            time += 900
            // A direct message: no group, an explicit recipient.
            let direct = try insertMessage(
                group: nil, sender: creator, recipient: fan, content: "Direct hello", time: time)
            try addAttachment(
                message: direct, pos: 0,
                contentId: addItem(Item(), owner: creator, downloader: creator, time: time, folder: .messages),
                type: "ACCOUNT_MEDIA")
        }
        for number in 0..<options.messagesPerCreator {
            time += Int64(rng.int(3_600..<200_000))
            let fromCreator = number % 2 == 0
            let message = try insertMessage(
                group: groupId, sender: fromCreator ? creator : fan, recipient: nil,
                content: fromCreator ? "Something special for you" : "Thank you!", time: time)
            if fromCreator {
                var item = Item()
                item.kind = rng.chance(0.3) ? .video : .image
                item.locked = rng.chance(0.3)
                try addAttachment(
                    message: message, pos: 0,
                    contentId: addItem(item, owner: creator, downloader: creator, time: time, folder: .messages),
                    type: "ACCOUNT_MEDIA")
            }
        }
    }

    private mutating func insertMessage(
        group: Int64?, sender: Account, recipient: Account?, content: String, time: Int64
    ) throws -> Int64 {
        let id = nextId()
        try sink.insert(
            .messages,
            [
                id.databaseValue, group.databaseValue, sender.id.databaseValue,
                recipient?.id.databaseValue ?? .null, content.databaseValue, stamp(time),
                DatabaseValue.null, false.databaseValue, DatabaseValue.null,
            ])
        return id
    }

    // MARK: - Media

    /// Writes one `account_media` item (original, variants, preview, phantom bundle) and records
    /// the file the downloader would have written. Returns the `account_media.id`.
    /// `time` is the post's or message's; in the v0.13 shape the item was uploaded before it.
    mutating func addItem(_ item: Item, owner: Account, downloader: Account, time: Int64, folder: Folder) throws
        -> Int64
    {
        let v013 = shape == .v013
        let mediaId = nextId()
        let accountMediaId = item.separateId ? nextId() : mediaId
        let (width, height) =
            item.kind == .image ? rng.pick(SampleVocabulary.imageSizes) : rng.pick(SampleVocabulary.videoSizes)
        let drawnCreated = time - Int64(rng.int(60..<7_200))
        // v0.10 dates the file and account_media by the post; v0.13 data carry the upload time.
        let itemTime = v013 ? uploadTime(before: time) : time
        let created = v013 ? itemTime : drawnCreated
        let duration = item.kind == .video ? Double(rng.int(50..<6_000)) / 10 : nil
        let mimetype = item.kind == .video ? "video/mp4" : (item.png ? "image/png" : "image/jpeg")
        let ext = item.kind == .video ? "mp4" : (item.png ? "png" : "jpeg")
        let originalHasFile = !item.locked && !item.deleted && (item.kind == .image || !item.hls)
        let originalHash = originalHasFile ? (item.kind == .image ? rng.hex(64) : rng.hex(32)) : nil
        // A video's variant ids and the HLS hash are drawn here, before any row is written, because
        // v0.13 records the HLS file on the original's row (same draw order as before).
        let thumbnail = item.kind == .video ? nextId() : 0
        let hls = item.kind == .video ? nextId() : 0
        let hlsHasFile = item.kind == .video && item.hls && !item.locked && !item.deleted
        let hlsHash = hlsHasFile ? rng.hex(32) : nil
        let hlsFileName = hlsHasFile ? fileName(time: itemTime, fileId: hls, preview: false, ext: "mp4") : nil
        let originalFileName =
            originalHasFile
            ? fileName(time: itemTime, fileId: mediaId, preview: false, ext: ext)
            : (v013 ? hlsFileName : nil)
        let location = "https://cdn3.fansly.com/\(owner.id)/\(mediaId).\(ext)"
        let metaInfo = duration.map { "{\"duration\":\($0),\"frameRate\":30,\"resolutionMode\":1}" }
        try insertMedia(
            id: mediaId, owner: owner.id, location: location, mimetype: mimetype, width: width, height: height,
            type: item.kind == .image ? 1 : 2, created: created, metaInfo: metaInfo, duration: duration,
            localFilename: originalFileName, contentHash: originalHash ?? (v013 ? hlsHash : nil))
        try sink.insert(.mediaLocations, [mediaId.databaseValue, "1".databaseValue, location.databaseValue])
        var file: SampleFile?
        if originalHasFile {
            file = SampleFile(
                path: "", creator: downloader.username, fileId: mediaId, accountMediaId: accountMediaId,
                ownerId: owner.id, isVideo: item.kind == .video, isPreview: false,
                contentHash: originalHash!, width: width, height: height, duration: duration,
                createdAt: Date(timeIntervalSince1970: TimeInterval(itemTime)))
        }

        if item.kind == .video {
            // Variants in id order: a thumbnail (never downloaded), then the HLS rendition.
            // v0.13 leaves a variant's createdAt empty.
            let variantCreated = v013 ? nil : created
            try insertMedia(
                id: thumbnail, owner: owner.id, location: "https://cdn3.fansly.com/\(owner.id)/\(thumbnail).jpeg",
                mimetype: "image/jpeg", width: width / 4, height: height / 4, type: 1, created: variantCreated)
            try sink.insert(.mediaVariants, [mediaId.databaseValue, thumbnail.databaseValue])
            try insertMedia(
                id: hls, owner: owner.id, location: "https://cdn3.fansly.com/\(owner.id)/\(hls)/\(hls).m3u8",
                mimetype: "application/vnd.apple.mpegurl", width: width, height: height, type: 302,
                created: variantCreated, metaInfo: "{\"variants\":[{\"w\":\(width),\"h\":\(height)}]}",
                localFilename: v013 ? nil : hlsFileName, contentHash: v013 ? nil : hlsHash)
            try sink.insert(.mediaVariants, [mediaId.databaseValue, hls.databaseValue])
            if hlsHasFile {
                file = SampleFile(
                    path: "", creator: downloader.username, fileId: hls, accountMediaId: accountMediaId,
                    ownerId: owner.id, isVideo: true, isPreview: false, contentHash: hlsHash!,
                    width: width, height: height, duration: duration,
                    createdAt: Date(timeIntervalSince1970: TimeInterval(itemTime)))
            }
        }

        // Videos and locked items have a preview picture; only a locked item's preview is downloaded,
        // named `.None` by v0.10 and with its real extension by v0.13.
        let previewExtension = v013 ? "jpeg" : "None"
        var previewId: Int64?
        if item.kind == .video || item.locked {
            let preview = nextId()
            previewId = preview
            let downloaded = item.locked && !item.deleted
            let previewHash = downloaded ? rng.hex(64) : nil
            try insertMedia(
                id: preview, owner: owner.id, location: "https://cdn3.fansly.com/\(owner.id)/\(preview).jpeg",
                mimetype: "image/jpeg", width: width / 2, height: height / 2, type: 1, created: created,
                localFilename: downloaded
                    ? fileName(time: itemTime, fileId: preview, preview: true, ext: previewExtension) : nil,
                contentHash: previewHash)
            if downloaded {
                file = SampleFile(
                    path: "", creator: downloader.username, fileId: preview, accountMediaId: accountMediaId,
                    ownerId: owner.id, isVideo: false, isPreview: true, contentHash: previewHash!,
                    width: width / 2, height: height / 2, duration: nil,
                    createdAt: Date(timeIntervalSince1970: TimeInterval(itemTime)))
            }
        }

        try sink.insert(
            .accountMedia,
            [
                accountMediaId.databaseValue, owner.id.databaseValue, mediaId.databaseValue,
                previewId.databaseValue, stamp(itemTime),
                item.deleted ? stamp(time + 86_400) : .null, item.deleted.databaseValue,
                (!item.locked).databaseValue, DatabaseValue.null,
            ])
        if var file {
            let subfolder = file.isVideo ? "Videos" : "Pictures"
            let level = folder.rawValue.isEmpty ? "" : folder.rawValue + "/"
            file.path =
                "\(downloader.username)_fansly/\(level)\(subfolder)/"
                + fileName(
                    time: itemTime, fileId: file.fileId, preview: file.isPreview,
                    ext: file.isPreview ? previewExtension : (file.isVideo ? "mp4" : ext))
            files.append(file)
            // The phantom bundle every downloaded item gets from v0.10, owned by the downloading creator.
            if !v013 {
                try sink.insert(
                    .accountMediaBundles,
                    [
                        accountMediaId.databaseValue, downloader.id.databaseValue, DatabaseValue.null,
                        stamp(time), DatabaseValue.null, false.databaseValue, true.databaseValue,
                        false.databaseValue, false.databaseValue, DatabaseValue.null,
                    ])
            }
        }
        return accountMediaId
    }

    /// v0.13 shape: when an item shown at `time` was uploaded. Half were uploaded within hours of
    /// the post, the rest days to months before (vault items reused later).
    private mutating func uploadTime(before time: Int64) -> Int64 {
        uploadRng.chance(0.5)
            ? time - Int64(uploadRng.int(120..<21_600)) : time - Int64(uploadRng.int(86_400..<180 * 86_400))
    }

    private mutating func insertMedia(
        id: Int64, owner: Int64, location: String, mimetype: String, width: Int, height: Int,
        type: Int, created: Int64?, metaInfo: String? = nil, duration: Double? = nil,
        localFilename: String? = nil, contentHash: String? = nil
    ) throws {
        try sink.insert(
            .media,
            [
                id.databaseValue, owner.databaseValue, location.databaseValue, mimetype.databaseValue,
                height.databaseValue, width.databaseValue, type.databaseValue, 1.databaseValue,
                created.map { stamp($0) } ?? .null, created.map { stamp($0) } ?? .null,
                0.databaseValue, metaInfo.databaseValue,
                duration.databaseValue, localFilename.databaseValue, contentHash.databaseValue,
                (localFilename != nil).databaseValue, DatabaseValue.null,
            ])
    }

    private mutating func addBundle(owner: Account, members: [Int64], positions: [Int], time: Int64) throws -> Int64 {
        let bundleId = nextId()
        try sink.insert(
            .accountMediaBundles,
            [
                bundleId.databaseValue, owner.id.databaseValue, members[0].databaseValue,
                stamp(time), DatabaseValue.null, false.databaseValue, true.databaseValue,
                false.databaseValue, false.databaseValue, DatabaseValue.null,
            ])
        for (member, pos) in zip(members, positions) {
            try sink.insert(
                .accountMediaBundleMedia, [bundleId.databaseValue, member.databaseValue, pos.databaseValue])
        }
        return bundleId
    }

    private mutating func addAttachment(
        post: Int64? = nil, message: Int64? = nil, pos: Int, contentId: Int64, type: String
    ) throws {
        attachmentId += 1
        // v0.13's storage layer never inserts attachment rows.
        guard shape == .migrated else { return }
        try sink.insert(
            .attachments,
            [
                attachmentId.databaseValue, post.databaseValue, message.databaseValue,
                contentId.databaseValue, pos.databaseValue, type.databaseValue,
            ])
    }

    // MARK: - Ids, names and timestamps

    /// Snowflake-like ids: 18 digits, increasing, unique.
    mutating func nextId() -> Int64 {
        idCounter += 1
        return 400_000_000_000_000_000 + idCounter * 1_048_576 + Int64(rng.int(0..<1_048_576))
    }

    private func fileName(time: Int64, fileId: Int64, preview: Bool, ext: String) -> String {
        let (date, clock) = Self.civil(time)
        let hourMinute = "\(Self.pad(clock.hour, 2))-\(Self.pad(clock.minute, 2))"
        return "\(date)_at_\(hourMinute)_UTC_\(preview ? "preview_id" : "id")_\(fileId).\(ext)"
    }

    func stamp(_ seconds: Int64, _ style: StampStyle = .text) -> DatabaseValue {
        switch style {
        case .integerSeconds: return seconds.databaseValue
        case .integerMilliseconds: return (seconds * 1_000).databaseValue
        case .text, .textWithoutFraction:
            let (date, clock) = Self.civil(seconds)
            let text = "\(date) \(Self.pad(clock.hour, 2)):\(Self.pad(clock.minute, 2)):\(Self.pad(clock.second, 2))"
            return (style == .text ? text + ".000000" : text).databaseValue
        }
    }

    /// `YYYY-MM-DD` and the time of day for Unix seconds (proleptic Gregorian, UTC).
    static func civil(_ seconds: Int64) -> (date: String, clock: (hour: Int64, minute: Int64, second: Int64)) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))",
            (secondOfDay / 3_600, secondOfDay % 3_600 / 60, secondOfDay % 60)
        )
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// The revision row as a database value.
enum FanslySchemaRevision {
    static var value: DatabaseValue { FanslySchema.alembicRevision.databaseValue }
}

/// Fixed words and sizes the generator draws from.
enum SampleVocabulary {
    static let creatorNames = [
        "LunaVesper", "MiraKestrel", "NoraQuill", "IvyMarlowe", "SableRenn",
        "WrenHollis", "CoraBlythe", "EdenSol",
    ]
    static let captions = [
        "New set is up", "Behind the scenes from Tuesday", "Golden hour again",
        "Which one is your favourite?", "Studio day", "Back from the beach",
        "Trying something different", "Thank you for 1k!",
    ]
    static let tags = [
        "cosplay", "latex", "latexmodel", "gym", "outdoors", "selfie", "lingerie",
        "studio", "Behind_The_Scenes", "GoldenHour",
    ]
    static let imageSizes = [(1080, 1350), (1440, 1920), (2048, 1365), (1200, 1600)]
    static let videoSizes = [(1080, 1920), (1920, 1080), (720, 1280)]
}
