import Foundation
import PostgresTestSupport
import XCTest

@testable import FanslyMetadata

/// The data as v0.11–v0.15.1 write it, read from a real PostgreSQL server.
final class PostgresReadingTests: XCTestCase {
    private func creatorStore() throws -> PostgresMetadataDatabase {
        try PGFixture.open(self, PGFixture.database(self, rows: PGFixture.creatorRows))
    }

    private func media(_ store: PostgresMetadataDatabase) throws -> [FanslyID: AccountMedia] {
        var items: [FanslyID: AccountMedia] = [:]
        try store.forEachMediaPage(creator: PGFixture.creator, pageSize: 2) { page in
            for item in page { items[item.id] = item }
        }
        return items
    }

    func testCreatorsAndCountsLeaveStubPostsOut() throws {
        let store = try creatorStore()
        XCTAssertEqual(store.alembicVersion, "b6d60f698c27")
        XCTAssertEqual(store.warnings, [])
        let summaries = try store.creators()
        XCTAssertEqual(summaries.map(\.account.username), ["EmberWilde42"], "the fan owns nothing")
        let summary = try XCTUnwrap(summaries.first)
        XCTAssertEqual(summary.account.id, PGFixture.creator)
        XCTAssertEqual(summary.posts, 1, "the stub post is not a post")
        XCTAssertEqual([summary.images, summary.videos, summary.previews, summary.downloadedMedia], [2, 2, 1, 4])
        XCTAssertEqual([summary.bundles, summary.walls, summary.hashtags, summary.messages], [1, 1, 2, 0])
        XCTAssertEqual(try store.creatorAccounts().map(\.id), [PGFixture.creator])
        XCTAssertEqual(try store.creator(matching: "emberwilde42").id, PGFixture.creator)
        XCTAssertEqual(try store.creator(matching: String(PGFixture.creator)).username, "EmberWilde42")
        XCTAssertThrowsError(try store.creator(matching: "emberwild")) { error in
            XCTAssertEqual(
                "\(error)",
                "No creator 'emberwild' in \(store.displayName). Did you mean 'EmberWilde42'? Creators: EmberWilde42.")
        }
    }

    func testPostsWithoutAttachmentsHashtagsWallsAndNoStub() throws {
        let store = try creatorStore()
        var posts: [Post] = []
        try store.forEachPostPage(creator: PGFixture.creator, pageSize: 1) { posts += $0 }
        XCTAssertEqual(posts.map(\.id), [PGFixture.post], "the stub post never comes back")
        let post = try XCTUnwrap(posts.first)
        XCTAssertEqual(post.attachments, [], "v0.13+ stores no attachment rows")
        XCTAssertEqual(post.hashtags.map(\.value), ["latex", "latexmodel"], "in caption order")
        XCTAssertEqual(post.wallIds, [PGFixture.wall])
        XCTAssertFalse(post.pinned)
        XCTAssertEqual(post.createdAt, PGFixture.sqliteDate("2023-07-20 18:30:00.000000"))
        let walls = try store.walls(creator: PGFixture.creator)
        XCTAssertEqual(walls.map(\.postIds), [[PGFixture.post]], "the stub is left out of the wall too")
        XCTAssertEqual(try store.hashtags(creator: PGFixture.creator).map(\.value), ["latex", "latexmodel"])
    }

    func testBigintIdsTimestamptzBooleansAndPreviewExtensions() throws {
        let items = try media(try creatorStore())
        XCTAssertEqual(Set(items.keys), [PGFixture.image, PGFixture.hlsParent, PGFixture.locked, PGFixture.storyImage])
        let image = try XCTUnwrap(items[PGFixture.image])
        XCTAssertEqual(image.media.id, 537_100_000_000_000_001, "exact beyond 2^53")
        // '2023-07-17 02:48:12.345678+02' is 00:48:12.345678 UTC: the same Date SQLite's text gives, bit for bit.
        XCTAssertEqual(image.media.createdAt, PGFixture.sqliteDate("2023-07-17 00:48:12.345678"))
        XCTAssertEqual(image.createdAt, PGFixture.sqliteDate("2023-07-17 00:48:12.345678"))
        XCTAssertTrue(image.media.isDownloaded)
        XCTAssertTrue(image.access)
        XCTAssertFalse(image.deleted)
        XCTAssertEqual(
            image.file,
            DownloadedFile(
                fileMediaId: PGFixture.image, localFilename: "2023-07-17_at_00-48_UTC_id_\(PGFixture.image).jpeg",
                isDownloaded: true, isPreview: false, kind: .image, contentHash: "ab12"))
        let locked = try XCTUnwrap(items[PGFixture.locked])
        XCTAssertFalse(locked.access)
        XCTAssertEqual(locked.file?.fileMediaId, PGFixture.preview)
        XCTAssertEqual(locked.file?.isPreview, true)
        XCTAssertEqual(
            locked.file?.localFilename, "2023-07-19_at_08-00_UTC_preview_id_\(PGFixture.preview).jpeg",
            "previews keep their real extension (v0.10 wrote .None)")
        XCTAssertEqual(locked.file?.kind, .image)
    }

    func testHLSFileOnTheParentRowIsTheVariantsFile() throws {
        let store = try creatorStore()
        let video = try XCTUnwrap(try media(store)[PGFixture.hlsParent])
        XCTAssertEqual(video.variants.map(\.id), [PGFixture.dashVariant, PGFixture.hlsVariant])
        XCTAssertEqual(video.variants.map(\.createdAt), [nil, nil], "v0.11+ variant rows have no createdAt")
        XCTAssertEqual(video.variants.map(\.isDownloaded), [false, false])
        XCTAssertEqual(video.media.duration, 12.5)
        XCTAssertEqual(video.media.kind, .video)
        // The name carries the HLS variant's id: that is the id Stash's file has, as in v0.10.
        XCTAssertEqual(
            video.file,
            DownloadedFile(
                fileMediaId: PGFixture.hlsVariant,
                localFilename: "2023-07-18_at_10-00_UTC_id_\(PGFixture.hlsVariant).mp4",
                isDownloaded: true, isPreview: false, kind: .video,
                contentHash: "0123456789abcdef0123456789abcdef"))
        let found = try store.accountMedia(forFileIds: [PGFixture.hlsVariant, PGFixture.preview, 42])
        XCTAssertEqual(found[PGFixture.hlsVariant]?.map(\.id), [PGFixture.hlsParent])
        XCTAssertEqual(found[PGFixture.preview]?.map(\.id), [PGFixture.locked])
        XCTAssertNil(found[42])
    }

    func testStoriesAndBundles() throws {
        let store = try creatorStore()
        let stories = try store.stories(creator: PGFixture.creator)
        XCTAssertEqual(
            stories,
            [
                Story(
                    id: 1, authorId: PGFixture.creator, content: "",
                    createdAt: PGFixture.sqliteDate("2024-02-01 12:00:00.000000"), mediaId: PGFixture.storyImage)
            ])
        var bundles: [MediaBundle] = []
        try store.forEachBundlePage(creator: PGFixture.creator, pageSize: 10) { bundles += $0 }
        XCTAssertEqual(bundles.map(\.id), [PGFixture.bundle])
        XCTAssertEqual(bundles.first?.media.map(\.id), [PGFixture.image, PGFixture.hlsParent], "members in pos order")
        XCTAssertEqual(bundles.first?.purchased, false)
    }

    func testLinkageCountsPostsThatCannotReachTheirMedia() throws {
        let store = try creatorStore()
        let linkage = try XCTUnwrap(try store.mediaLinkage(creators: [PGFixture.creator]))
        XCTAssertEqual(
            linkage,
            MediaLinkage(
                posts: 1, postsWithoutAttachments: 1, messages: 0, messagesWithoutAttachments: 0,
                unlinkedDownloadedMedia: 4))
        XCTAssertTrue(linkage.isIncomplete)
        let sqlite = try MetadataDatabase(path: TestSupport.sampleDatabase.path)
        XCTAssertNil(try sqlite.mediaLinkage(creators: []), "v0.10 always stored the links")
    }

    func testMixedDatabaseKeepsMigratedAttachmentsAndTheEnum() throws {
        let database = try PGFixture.database(
            self,
            rows: PGFixture.creatorRows + """
                INSERT INTO posts (id, "accountId", content, "createdAt") VALUES (537500000000000002, \(PGFixture.creator), 'old post', '2023-01-01 00:00:00+00');
                INSERT INTO attachments (id, "postId", "contentId", pos, "contentType") VALUES
                  (10, 537500000000000002, \(PGFixture.image), 1, 'ACCOUNT_MEDIA'),
                  (11, 537500000000000002, 99, 0, 'POLL'),
                  (12, 537500000000000002, \(PGFixture.bundle), 2, 'ACCOUNT_MEDIA_BUNDLE'),
                  (13, 537500000000000002, \(PGFixture.post), 3, 'AGGREGATED_POSTS');
                """)
        let store = try PGFixture.open(self, database)
        var posts: [Post] = []
        try store.forEachPostPage(creator: PGFixture.creator, pageSize: 10) { posts += $0 }
        XCTAssertEqual(posts.map(\.id), [PGFixture.post, 537_500_000_000_000_002])
        let old = try XCTUnwrap(posts.last)
        XCTAssertEqual(
            old.attachments.map(\.contentType), ["POLL", "ACCOUNT_MEDIA", "ACCOUNT_MEDIA_BUNDLE", "AGGREGATED_POSTS"])
        XCTAssertEqual(old.attachments.first?.content, .other(contentType: "POLL", contentId: 99))
        XCTAssertEqual(old.media.map(\.id), [PGFixture.image, PGFixture.image, PGFixture.hlsParent])
        XCTAssertEqual(old.reposts.map(\.id), [PGFixture.post])
        XCTAssertEqual(posts.first?.attachments, [], "the v0.13 post stays unlinked")
        let linkage = try XCTUnwrap(try store.mediaLinkage(creators: [PGFixture.creator]))
        XCTAssertEqual(
            linkage, MediaLinkage(posts: 2, postsWithoutAttachments: 1, unlinkedDownloadedMedia: 2),
            "the image and the bundled video are linked; the locked preview and the story are not")
    }
}
