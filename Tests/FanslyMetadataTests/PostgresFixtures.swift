import Foundation
import PostgresTestSupport
import XCTest
@testable import FanslyMetadata

/// Small PostgreSQL databases with fansly-scraper v0.15.1's schema, one per test, dropped after it.
enum PGFixture {
    /// The test server, or a skip (a failure with CI=true).
    static func server() throws -> TestPostgres {
        guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        return server
    }

    /// A new database with the v0.15.1 schema, its alembic row, and `rows` (SQL) inserted.
    static func database(_ testCase: XCTestCase, revision: String? = FanslyPostgresSchema.alembicHead,
                         schema: String = FanslyPostgresSchema.sql, rows: String = "") throws -> TestDatabase {
        let server = try server()
        let database = try server.createDatabase(schema: schema)
        testCase.addTeardownBlock { database.drop() }
        if let revision { try database.execute("INSERT INTO alembic_version VALUES ('\(revision)')") }
        if !rows.isEmpty { try database.execute(rows) }
        return database
    }

    /// The superuser's endpoint for `database` (password from the URL).
    static func endpoint(_ database: TestDatabase) throws -> PostgresEndpoint {
        try PostgresEndpoint.parse(url: database.url, environment: [:])
    }

    /// Opens `database` read-only; closed when the test ends.
    static func open(_ testCase: XCTestCase, _ database: TestDatabase,
                     options: PostgresReadOptions = PostgresReadOptions()) throws -> PostgresMetadataDatabase {
        let store = try PostgresMetadataDatabase(endpoint: endpoint(database), options: options)
        testCase.addTeardownBlock { store.close() }
        return store
    }

    // Ids above 2^53: a double would not hold them exactly.
    static let creator: FanslyID = 537_000_000_000_000_001
    static let fan: FanslyID = 537_000_000_000_000_002
    static let image: FanslyID = 537_100_000_000_000_001
    static let hlsParent: FanslyID = 537_200_000_000_000_001
    static let dashVariant: FanslyID = 537_200_000_000_000_002
    static let hlsVariant: FanslyID = 537_200_000_000_000_003
    static let locked: FanslyID = 537_300_000_000_000_001
    static let preview: FanslyID = 537_300_000_000_000_002
    static let storyImage: FanslyID = 537_400_000_000_000_001
    static let post: FanslyID = 537_500_000_000_000_001
    static let stubPost: FanslyID = 537_500_000_000_000_009
    static let wall: FanslyID = 537_600_000_000_000_001
    static let bundle: FanslyID = 537_700_000_000_000_001

    /// One creator as v0.13+ writes it: no attachments, no mentions; an image, an HLS video whose
    /// file sits on the parent row (named after the HLS variant, variants with NULL createdAt), a
    /// locked video with a `.jpeg` preview, a story, a real post with hashtags on a wall, a stub post
    /// (pinned, on the wall, in stub_tracker) and a real bundle.
    static let creatorRows = """
        INSERT INTO accounts (id, username, "displayName", about, "createdAt") VALUES
          (\(creator), 'EmberWilde42', 'Ember Wilde', 'bio', '2022-01-01 00:00:00+00'),
          (\(fan), 'somefan', NULL, NULL, NULL);
        INSERT INTO media (id, "accountId", mimetype, type, width, height, duration, "createdAt", local_filename, content_hash, is_downloaded) VALUES
          (\(image), \(creator), 'image/jpeg', 1, 1080, 1350, NULL, '2023-07-17 02:48:12.345678+02',
           '2023-07-17_at_00-48_UTC_id_\(image).jpeg', 'ab12', true),
          (\(hlsParent), \(creator), 'video/mp4', 2, 1920, 1080, 12.5, '2023-07-18 10:00:00+00',
           '2023-07-18_at_10-00_UTC_id_\(hlsVariant).mp4', '0123456789abcdef0123456789abcdef', true),
          (\(dashVariant), \(creator), 'application/dash+xml', 303, 1920, 1080, NULL, NULL, NULL, NULL, false),
          (\(hlsVariant), \(creator), 'application/vnd.apple.mpegurl', 302, 1920, 1080, NULL, NULL, NULL, NULL, false),
          (\(locked), \(creator), 'video/mp4', 2, 1280, 720, 30, '2023-07-19 08:00:00+00', NULL, NULL, false),
          (\(preview), \(creator), 'image/jpeg', 1, 640, 360, NULL, '2023-07-19 08:00:00+00',
           '2023-07-19_at_08-00_UTC_preview_id_\(preview).jpeg', NULL, true),
          (\(storyImage), \(creator), 'image/png', 1, 1080, 1920, NULL, '2024-02-01 12:00:00+00',
           '2024-02-01_at_12-00_UTC_id_\(storyImage).png', NULL, true);
        INSERT INTO media_variants ("mediaId", "variantId") VALUES (\(hlsParent), \(dashVariant)), (\(hlsParent), \(hlsVariant));
        INSERT INTO account_media (id, "accountId", "mediaId", "previewId", "createdAt", deleted, access) VALUES
          (\(image), \(creator), \(image), NULL, '2023-07-17 00:48:12.345678+00', false, true),
          (\(hlsParent), \(creator), \(hlsParent), NULL, '2023-07-18 10:00:00+00', false, true),
          (\(locked), \(creator), \(locked), \(preview), '2023-07-19 08:00:00+00', false, false),
          (\(storyImage), \(creator), \(storyImage), NULL, '2024-02-01 12:00:00+00', false, true);
        INSERT INTO media_stories (id, "accountId", "contentType", "contentId", "createdAt") VALUES
          (1, \(creator), 1, \(storyImage), '2024-02-01 12:00:00+00');
        INSERT INTO posts (id, "accountId", content, "createdAt") VALUES
          (\(post), \(creator), 'New set #Latex #LatexModel', '2023-07-20 18:30:00+00'),
          (\(stubPost), \(creator), NULL, NULL);
        INSERT INTO stub_tracker (table_name, record_id, created_at, reason) VALUES
          ('posts', \(stubPost), '2024-03-01 00:00:00+00', 'junction_fk:pinned_posts');
        INSERT INTO pinned_posts ("postId", "accountId", pos, "createdAt") VALUES (\(stubPost), \(creator), 0, '2024-03-01 00:00:00+00');
        INSERT INTO hashtags (id, value) VALUES (1, 'latex'), (2, 'latexmodel');
        INSERT INTO post_hashtags ("postId", "hashtagId") VALUES (\(post), 2), (\(post), 1);
        INSERT INTO walls (id, "accountId", pos, name) VALUES (\(wall), \(creator), NULL, 'Main');
        INSERT INTO wall_posts ("wallId", "postId") VALUES (\(wall), \(post)), (\(wall), \(stubPost));
        INSERT INTO account_media_bundles (id, "accountId", "createdAt", deleted, access, purchased, whitelisted) VALUES
          (\(bundle), \(creator), '2023-07-21 00:00:00+00', false, true, false, false);
        INSERT INTO account_media_bundle_media (bundle_id, media_id, pos) VALUES (\(bundle), \(hlsParent), 1), (\(bundle), \(image), 0);
        """

    /// The date SQLite's reader gives for the same instant stored as v0.10 text.
    static func sqliteDate(_ text: String) -> Date { Timestamp.parse(text)! }
}
