public import Foundation

/// What `SampleDatabase` generates. Every option is deterministic: the same options always give
/// the same rows and the same file list.
public struct SampleOptions: Sendable, Hashable {
    /// Number of creators whose content was downloaded (at least 1).
    public var creators: Int
    /// Ordinary generated posts per creator (on top of the hand-written quirk posts).
    public var postsPerCreator: Int
    /// Media items (`account_media` rows) per ordinary post.
    public var mediaPerPost: Int
    /// Ordinary generated messages per creator, in a group shared with the downloading user.
    public var messagesPerCreator: Int
    /// Adds the hand-written posts, messages and rows that reproduce every quirk of real
    /// databases (needs at least 3 creators; ignored otherwise).
    public var includesQuirks: Bool
    /// Seed of the generator's pseudo-random sequence.
    public var seed: UInt64

    /// Creates options; see the properties for their meaning.
    public init(
        creators: Int, postsPerCreator: Int, mediaPerPost: Int, messagesPerCreator: Int,
        includesQuirks: Bool, seed: UInt64 = 0x5EED_FA45_2025
    ) {
        self.creators = max(1, creators)
        self.postsPerCreator = max(0, postsPerCreator)
        self.mediaPerPost = max(0, mediaPerPost)
        self.messagesPerCreator = max(0, messagesPerCreator)
        self.includesQuirks = includesQuirks
        self.seed = seed
    }

    /// The bundled sample (`examples/sample-metadata.sqlite3`): three creators, every quirk.
    public static let sample = SampleOptions(
        creators: 3, postsPerCreator: 4, mediaPerPost: 2,
        messagesPerCreator: 2, includesQuirks: true)

    /// A benchmark database: `creators × postsPerCreator` posts with `mediaPerPost` media each,
    /// plus one message per 20 posts. No hand-written quirk rows, but the usual mix of images,
    /// HLS videos, locked items, bundles, walls and hashtags.
    public static func large(creators: Int = 5, postsPerCreator: Int = 4_000, mediaPerPost: Int = 3) -> SampleOptions {
        SampleOptions(
            creators: creators, postsPerCreator: postsPerCreator, mediaPerPost: mediaPerPost,
            messagesPerCreator: postsPerCreator / 20, includesQuirks: false)
    }
}

/// One file the downloader would have written for the generated database.
public struct SampleFile: Sendable, Hashable, Codable {
    /// Path relative to the download directory, e.g.
    /// `LunaVesper_fansly/Timeline/Pictures/2023-01-05_at_10-48_UTC_id_400000000004194304.jpeg`.
    public var path: String
    /// Username of the creator whose folder holds the file (the reposting creator for reposts).
    public var creator: String
    /// The id in the file name: the media id, the HLS variant's id or the preview's id.
    public var fileId: Int64
    /// The `account_media.id` the file belongs to.
    public var accountMediaId: Int64
    /// The account that owns the media.
    public var ownerId: Int64
    /// `true` for videos, `false` for pictures (previews are pictures).
    public var isVideo: Bool
    /// `true` when the file is the preview of a locked item (its name ends in `.None` in the
    /// migrated shape, in `.jpeg` in the v0.13 shape).
    public var isPreview: Bool
    /// `media.content_hash` of the file's row: 64-hex perceptual hash for pictures, 32-hex MD5 for videos.
    public var contentHash: String
    /// Pixel size of the file's media row.
    var width: Int
    /// Pixel size of the file's media row.
    var height: Int
    /// Seconds, videos only.
    public var duration: Double?
    /// The time encoded in the file name (the item's `account_media.createdAt`: the post's time in
    /// the migrated shape, the upload time in the v0.13 shape).
    public var createdAt: Date
}
