import Foundation

// CONTRACT (to be implemented in issue 3): the public surface other modules code against.
// Signatures may gain parameters with defaults; do not remove or rename.

/// A creator found in the database: an account that owns posts, media, walls or messages.
public struct CreatorSummary: Sendable, Hashable, Codable {
    public var account: Account
    public var posts: Int
    public var messages: Int
    /// Real bundles only (phantom bundles excluded).
    public var bundles: Int
    public var walls: Int
    public var images: Int
    public var videos: Int
    public var previews: Int
    public var downloadedMedia: Int
    public var hashtags: Int
    public init(account: Account, posts: Int = 0, messages: Int = 0, bundles: Int = 0, walls: Int = 0,
                images: Int = 0, videos: Int = 0, previews: Int = 0, downloadedMedia: Int = 0, hashtags: Int = 0) {
        self.account = account; self.posts = posts; self.messages = messages; self.bundles = bundles
        self.walls = walls; self.images = images; self.videos = videos; self.previews = previews
        self.downloadedMedia = downloadedMedia; self.hashtags = hashtags
    }
}

/// What identifies a database file for staleness checks of saved plans.
public struct DatabaseIdentity: Sendable, Hashable, Codable {
    /// Absolute path of the file.
    public var path: String
    public var alembicVersion: String?
    /// A fingerprint of the content (e.g. counts and max ids/dates of the main tables),
    /// stable across reads, changed by any downloader run that adds or changes rows.
    public var fingerprint: String
    public init(path: String, alembicVersion: String?, fingerprint: String) {
        self.path = path; self.alembicVersion = alembicVersion; self.fingerprint = fingerprint
    }
}
