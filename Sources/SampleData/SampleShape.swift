/// Which downloader release's habits the generated rows and files follow. The content (accounts,
/// posts, messages, media ids, captions) is the same in every shape; what differs is how the
/// downloader recorded it.
public enum SampleShape: String, CaseIterable, Sendable, Hashable {
    /// What fansly-scraper v0.10 wrote to SQLite, and what its `migrate_to_postgres.py` carries
    /// into PostgreSQL unchanged: attachments and mentions present, HLS files on the variant rows,
    /// variants dated like their parent, a phantom bundle per downloaded item, previews named
    /// `.None`, `account_media.createdAt` equal to the post's time. The SQLite sample is this shape.
    case migrated
    /// What v0.13 and later write to PostgreSQL: no `attachments` and no `post_mentions` rows;
    /// an HLS video's file name, hash and downloaded flag on its parent `video/mp4` row (the name
    /// still carries the variant's id); variant rows without `createdAt`; previews with their real
    /// extension; only real bundles; stub posts behind `pinned_posts`, listed in `stub_tracker`;
    /// stories in `media_stories`, their files directly under `<creator>_fansly/Pictures|Videos`;
    /// and media uploaded hours to months before the posts that show them.
    case v013
}
