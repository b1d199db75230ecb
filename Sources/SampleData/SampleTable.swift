import GRDB

/// The tables the generator fills, with the columns it writes in insertion order.
enum SampleTable: String, CaseIterable {
    case alembicVersion = "alembic_version"
    case accounts, media, accountAvatar = "account_avatar", accountBanner = "account_banner"
    case mediaVariants = "media_variants", mediaLocations = "media_locations"
    case accountMedia = "account_media", accountMediaBundles = "account_media_bundles"
    case accountMediaBundleMedia = "account_media_bundle_media"
    case posts, attachments, hashtags, postHashtags = "post_hashtags", postMentions = "post_mentions"
    case walls, wallPosts = "wall_posts", pinnedPosts = "pinned_posts"
    case groups, groupUsers = "group_users", messages
    case timelineStats = "timeline_stats", mediaStoryStates = "media_story_states"
    /// PostgreSQL (v0.13 shape) only.
    case mediaStories = "media_stories", stubTracker = "stub_tracker"

    var columns: [String] {
        switch self {
        case .alembicVersion: return ["version_num"]
        case .accounts:
            return [
                "id", "username", "displayName", "flags", "version", "about", "location",
                "following", "profileAccess", "createdAt", "subscribed", "stash_id",
            ]
        case .media:
            return [
                "id", "accountId", "location", "mimetype", "height", "width", "type", "status",
                "createdAt", "updatedAt", "flags", "meta_info", "duration", "local_filename",
                "content_hash", "is_downloaded", "stash_id",
            ]
        case .accountAvatar, .accountBanner: return ["accountId", "mediaId"]
        case .mediaVariants: return ["mediaId", "variantId"]
        case .mediaLocations: return ["mediaId", "locationId", "location"]
        case .accountMedia:
            return [
                "id", "accountId", "mediaId", "previewId", "createdAt", "deletedAt",
                "deleted", "access", "stash_id",
            ]
        case .accountMediaBundles:
            return [
                "id", "accountId", "previewId", "createdAt", "deletedAt", "deleted",
                "access", "purchased", "whitelisted", "stash_id",
            ]
        case .accountMediaBundleMedia: return ["bundle_id", "media_id", "pos"]
        case .posts:
            return [
                "id", "accountId", "content", "fypFlag", "inReplyTo", "inReplyToRoot",
                "createdAt", "expiresAt", "stash_id",
            ]
        case .attachments: return ["id", "postId", "messageId", "contentId", "pos", "contentType"]
        case .hashtags: return ["id", "value", "stash_id"]
        case .postHashtags: return ["postId", "hashtagId"]
        case .postMentions: return ["postId", "accountId", "handle"]
        case .walls: return ["id", "accountId", "pos", "name", "description", "createdAt", "stash_id"]
        case .wallPosts: return ["wallId", "postId"]
        case .pinnedPosts: return ["postId", "accountId", "pos", "createdAt"]
        case .groups: return ["id", "createdBy", "lastMessageId"]
        case .groupUsers: return ["groupId", "accountId"]
        case .messages:
            return [
                "id", "groupId", "senderId", "recipientId", "content", "createdAt",
                "deletedAt", "deleted", "stash_id",
            ]
        case .timelineStats:
            return [
                "accountId", "imageCount", "videoCount", "bundleCount",
                "bundleImageCount", "bundleVideoCount", "fetchedAt",
            ]
        case .mediaStoryStates:
            return [
                "accountId", "status", "storyCount", "version", "createdAt",
                "updatedAt", "hasActiveStories",
            ]
        case .mediaStories: return ["id", "accountId", "contentType", "contentId", "createdAt", "updatedAt"]
        case .stubTracker: return ["table_name", "record_id", "created_at", "reason"]
        }
    }

    var insertSQL: String {
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT INTO \"\(rawValue)\" (\(names)) VALUES (\(marks))"
    }
}

/// Where generated rows go: a database, or nowhere when only the file list is wanted.
protocol RowSink {
    mutating func insert(_ table: SampleTable, _ values: [DatabaseValue]) throws
}

/// Discards rows (for `SampleDatabase.downloadedFiles`).
struct DiscardingSink: RowSink {
    mutating func insert(_ table: SampleTable, _ values: [DatabaseValue]) throws {}
}

/// Inserts rows through one cached prepared statement per table.
struct DatabaseSink: RowSink {
    let db: Database
    private var statements: [SampleTable: Statement] = [:]

    init(db: Database) { self.db = db }

    mutating func insert(_ table: SampleTable, _ values: [DatabaseValue]) throws {
        let statement: Statement
        if let cached = statements[table] {
            statement = cached
        } else {
            statement = try db.makeStatement(sql: table.insertSQL)
            statements[table] = statement
        }
        // The existential initialiser: the generic one instantiates a key path per call, which
        // cost a quarter of the generation time.
        statement.setUncheckedArguments(StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? }))
        try statement.execute()
    }
}
