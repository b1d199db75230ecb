import Foundation
import GRDB
import XCTest

/// A metadata database built from the reference DDL itself (`../shared/reference/
/// fansly-metadata-schema.sql`), filled with rows as the real downloader writes them: TEXT
/// timestamps with a fraction, booleans 0/1, 19-digit ids, phantom bundles, an HLS variant, a
/// `.None` preview of a locked video, a message attachment to a bundle that was never stored, a
/// handle-only mention, a repost (`AGGREGATED_POSTS`) and a poll.
enum AcceptanceReferenceDatabase {
    static let creator = "EmberWilde42"
    static let creatorId: Int64 = 281_038_385_793_998_848
    static let mentionedFriend = "otherpal"
    static let unknownHandle = "ghosthandle"
    /// Post with a real two-image bundle, hashtags `#Latex#LatexModel` and both mentions.
    static let bundlePost: Int64 = 537_124_881_301_504_000
    /// Post with one video whose file is named after its HLS variant.
    static let videoPost: Int64 = 484_272_142_024_704_000
    static let videoMedia: Int64 = 484_272_142_024_704_400
    static let videoVariant: Int64 = 484_272_142_024_704_403
    /// Post whose only media is locked: just a `.None` preview image was downloaded.
    static let lockedPost: Int64 = 486_482_292_768_768_100
    static let message: Int64 = 800_000_000_000_000_001
    static let messageGroup: Int64 = 810_000_000_000_000_001

    /// The reference DDL, or a skip when `../shared` is not beside the package.
    static func referenceSchema() throws -> String {
        var directory = CLI.packageRoot.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("shared/reference/fansly-metadata-schema.sql")
            if FileManager.default.fileExists(atPath: candidate.path) { return try String(contentsOf: candidate, encoding: .utf8) }
            directory = directory.deletingLastPathComponent()
        }
        throw XCTSkip("../shared/reference/fansly-metadata-schema.sql is absent beside the package; the reference-DDL acceptance tests are skipped")
    }

    /// Writes the database to `url` and returns the downloaded files' paths relative to the download folder.
    @discardableResult
    static func write(to url: URL) throws -> [String] {
        let ddl = try referenceSchema()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false   // real databases hold dangling references
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: ddl)
            try db.execute(sql: rows)
        }
        try queue.close()
        return files
    }

    /// Where the downloader saved each downloaded file (Stash scans all but the `.None` preview).
    static let files = [
        "EmberWilde42_fansly/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_537124881301504299.jpeg",
        "EmberWilde42_fansly/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_537124881301504300.jpeg",
        "EmberWilde42_fansly/Timeline/Videos/2023-02-21_at_04-30_UTC_id_484272142024704403.mp4",
        "EmberWilde42_fansly/Timeline/Pictures/2023-02-27_at_06-52_UTC_preview_id_486482292768768232.None",
        "EmberWilde42_fansly/Messages/Pictures/2024-01-05_at_12-00_UTC_id_600000000000000001.png",
    ]

    private static let rows = #"""
    INSERT INTO alembic_version VALUES ('06658bf47c03');
    INSERT INTO accounts (id, username, "displayName", flags, version, about, location, following, "profileAccess", "createdAt", subscribed, stash_id) VALUES
     (281038385793998848, 'EmberWilde42', 'Ember Wilde', 0, 3, '<p>Latex &amp; more</p>', 'EU', 1, 1, '2021-06-01 10:00:00.123456', 1, NULL),
     (300000000000000001, 'otherpal', NULL, 0, 1, NULL, NULL, 0, 0, '2022-01-01 00:00:00.000000', 0, NULL);
    INSERT INTO media (id, "accountId", location, mimetype, height, width, type, status, "createdAt", "updatedAt", flags, meta_info, duration, local_filename, content_hash, is_downloaded, stash_id) VALUES
     (537124881301504299, 281038385793998848, 'https://cdn/x.jpeg', 'image/jpeg', 1920, 1080, 1, 1, '2023-07-17 00:48:10.000000', '2023-07-17 00:48:10.000000', 0, '{}', NULL, '2023-07-17_at_00-48_UTC_id_537124881301504299.jpeg', 'ab12', 1, NULL),
     (537124881301504300, 281038385793998848, 'https://cdn/y.jpeg', 'image/jpeg', 1920, 1080, 1, 1, '2023-07-17 00:48:10.000000', NULL, 0, NULL, NULL, '2023-07-17_at_00-48_UTC_id_537124881301504300.jpeg', 'ab13', 1, NULL),
     (484272142024704400, 281038385793998848, NULL, 'video/mp4', 1080, 1920, 2, 1, '2023-02-21 04:30:00.500000', NULL, 0, NULL, 33.5, NULL, NULL, 0, NULL),
     (484272142024704403, 281038385793998848, 'https://cdn/v.m3u8', 'application/vnd.apple.mpegurl', 1080, 1920, 302, 1, '2023-02-21 04:30:00.500000', NULL, 0, NULL, NULL, '2023-02-21_at_04-30_UTC_id_484272142024704403.mp4', '0123456789abcdef0123456789abcdef', 1, NULL),
     (486482292768768000, 281038385793998848, NULL, 'video/mp4', 720, 1280, 2, 1, '2023-02-27 06:52:00.000000', NULL, 0, NULL, 12.0, NULL, NULL, 0, NULL),
     (486482292768768232, 281038385793998848, 'https://cdn/p.jpeg', 'image/jpeg', 720, 1280, 1, 1, '2023-02-27 06:52:00.000000', NULL, 0, NULL, NULL, '2023-02-27_at_06-52_UTC_preview_id_486482292768768232.None', NULL, 1, NULL),
     (600000000000000001, 281038385793998848, NULL, 'image/png', 100, 100, 1, 1, '2024-01-05 12:00:00.000000', NULL, 0, NULL, NULL, '2024-01-05_at_12-00_UTC_id_600000000000000001.png', 'ff', 1, NULL);
    INSERT INTO media_variants VALUES (484272142024704400, 484272142024704403);
    INSERT INTO account_media (id, "accountId", "mediaId", "previewId", "createdAt", "deletedAt", deleted, access, stash_id) VALUES
     (537124881301504299, 281038385793998848, 537124881301504299, NULL, '2023-07-17 00:48:10.000000', NULL, 0, 1, NULL),
     (537124881301504300, 281038385793998848, 537124881301504300, NULL, '2023-07-17 00:48:10.000000', NULL, 0, 1, NULL),
     (484272142024704401, 281038385793998848, 484272142024704400, NULL, '2023-02-21 04:30:00.500000', NULL, 0, 1, NULL),
     (486482292768768001, 281038385793998848, 486482292768768000, 486482292768768232, '2023-02-27 06:52:00.000000', NULL, 0, 0, NULL),
     (600000000000000001, 281038385793998848, 600000000000000001, NULL, '2024-01-05 12:00:00.000000', NULL, 0, 1, NULL);
    -- Phantom bundles (same id as a downloaded account_media, no members) and one real bundle.
    INSERT INTO account_media_bundles (id, "accountId", "previewId", "createdAt", "deletedAt", deleted, access, purchased, whitelisted, stash_id) VALUES
     (537124881301504299, 281038385793998848, NULL, '2023-07-17 00:48:10.000000', NULL, 0, 1, 0, 0, NULL),
     (484272142024704401, 281038385793998848, NULL, '2023-02-21 04:30:00.500000', NULL, 0, 1, 0, 0, NULL),
     (700000000000000001, 281038385793998848, NULL, '2023-07-17 00:48:10.000000', NULL, 0, 1, 0, 0, NULL);
    INSERT INTO account_media_bundle_media VALUES (700000000000000001, 537124881301504299, 0), (700000000000000001, 537124881301504300, 1);
    INSERT INTO posts (id, "accountId", content, "fypFlag", "inReplyTo", "inReplyToRoot", "createdAt", "expiresAt", stash_id) VALUES
     (537124881301504000, 281038385793998848, 'Shiny new outfit #Latex#LatexModel @otherpal @ghosthandle', 0, NULL, NULL, '2023-07-17 00:48:28.000000', NULL, NULL),
     (484272142024704000, 281038385793998848, 'vid', 0, NULL, NULL, '2023-02-21 04:30:00.000000', NULL, NULL),
     (486482292768768100, 281038385793998848, 'Locked teaser for subscribers only', 0, NULL, NULL, '2023-02-27 06:52:00.000000', NULL, NULL),
     (555555555555555555, 281038385793998848, 'What should I wear next? Vote!', 0, NULL, NULL, '2023-08-01 00:00:00.000000', NULL, NULL),
     (566666666666666666, 281038385793998848, 'repost!', 0, NULL, NULL, '2023-08-02 00:00:00.000000', NULL, NULL);
    INSERT INTO attachments (id, "postId", "messageId", "contentId", pos, "contentType") VALUES
     (1, 537124881301504000, NULL, 700000000000000001, 0, 'ACCOUNT_MEDIA_BUNDLE'),
     (2, 484272142024704000, NULL, 484272142024704401, 0, 'ACCOUNT_MEDIA'),
     (3, 486482292768768100, NULL, 486482292768768001, 0, 'ACCOUNT_MEDIA'),
     (4, 566666666666666666, NULL, 484272142024704000, 0, 'AGGREGATED_POSTS'),
     (5, NULL, 800000000000000001, 600000000000000001, 0, 'ACCOUNT_MEDIA'),
     (6, NULL, 800000000000000001, 999999999999999999, 1, 'ACCOUNT_MEDIA_BUNDLE'),
     (7, 555555555555555555, NULL, 1, 0, 'POLL');
    INSERT INTO hashtags (id, value, stash_id) VALUES (1, 'latex', NULL), (2, 'latexmodel', NULL);
    INSERT INTO post_hashtags VALUES (537124881301504000, 1), (537124881301504000, 2);
    INSERT INTO post_mentions ("postId", "accountId", handle) VALUES
     (537124881301504000, 300000000000000001, 'otherpal'), (537124881301504000, NULL, 'ghosthandle');
    INSERT INTO walls (id, "accountId", pos, name, description, "createdAt", stash_id) VALUES (900000000000000001, 281038385793998848, 0, 'Best of', '', NULL, NULL);
    INSERT INTO wall_posts VALUES (900000000000000001, 537124881301504000);
    INSERT INTO groups (id, "createdBy", "lastMessageId") VALUES (810000000000000001, 281038385793998848, 899999999999999999);
    INSERT INTO group_users VALUES (810000000000000001, 281038385793998848), (810000000000000001, 300000000000000001);
    INSERT INTO messages (id, "groupId", "senderId", "recipientId", content, "createdAt", "deletedAt", deleted, stash_id) VALUES
     (800000000000000001, 810000000000000001, 281038385793998848, NULL, 'Thanks for the tip! Here is something special', '2024-01-05 12:00:01.654321', NULL, 0, NULL);
    """#
}
