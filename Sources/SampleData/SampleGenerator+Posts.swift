import GRDB

/// Posts: ordinary ones, the quirk timeline that exercises the reader's edge cases, reposts and hashtags.
extension SampleGenerator {
    mutating func addOrdinaryPost(creator: Account, time: Int64) throws -> Int64 {
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
    mutating func addQuirkTimeline(luna: Account, nora: Account, studio: Account, time: inout Int64) throws
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
    mutating func addRepostedPost(nora: Account, reposter: Account, time: inout Int64) throws -> [Int64] {
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
}
