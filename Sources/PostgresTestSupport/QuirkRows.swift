/// One creator's rows as fansly-scraper v0.13+ writes them into PostgreSQL (run after
/// `FanslyPostgresSchema.sql`), each data quirk once: ids above 2^53, `timestamptz` with an offset,
/// real booleans, no attachments and no mentions, an HLS video whose file sits on the parent row
/// (named after the HLS variant; variants with NULL `createdAt`), a locked video with a `.jpeg`
/// preview, a story in `media_stories`, a post with hashtags on a wall, a stub post (pinned, on the
/// wall, in `stub_tracker`) and a real bundle.
public enum QuirkRows {
    // Ids above 2^53: a double would not hold them exactly.
    public static let creator: Int64 = 537_000_000_000_000_001
    public static let fan: Int64 = 537_000_000_000_000_002
    public static let image: Int64 = 537_100_000_000_000_001
    public static let hlsParent: Int64 = 537_200_000_000_000_001
    public static let dashVariant: Int64 = 537_200_000_000_000_002
    public static let hlsVariant: Int64 = 537_200_000_000_000_003
    public static let locked: Int64 = 537_300_000_000_000_001
    public static let preview: Int64 = 537_300_000_000_000_002
    public static let storyImage: Int64 = 537_400_000_000_000_001
    public static let post: Int64 = 537_500_000_000_000_001
    public static let stubPost: Int64 = 537_500_000_000_000_009
    public static let wall: Int64 = 537_600_000_000_000_001
    public static let bundle: Int64 = 537_700_000_000_000_001

    /// The rows (accounts, media, variants, items, story, posts, stub, hashtags, wall, bundle).
    public static let sql = """
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

}
