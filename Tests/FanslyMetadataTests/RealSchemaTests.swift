import Foundation
import GRDB
import XCTest

@testable import FanslyMetadata

/// A database created by executing the reference DDL itself (not the generator's copy of it) and
/// filled with rows as the real downloader writes them (Tests/Fixtures/reference-database-rows.sql),
/// read through the public API.
final class RealSchemaTests: XCTestCase {
    static let creator: FanslyID = 281_038_385_793_998_848
    var url: URL!
    var database: MetadataDatabase!

    override func setUpWithError() throws {
        let ddl = TestSupport.referenceDirectory.appendingPathComponent("fansly-metadata-schema.sql")
        guard FileManager.default.fileExists(atPath: ddl.path) else {
            throw XCTSkip("reference schema not found at \(ddl.path) (../shared is absent); real-schema tests skipped")
        }
        let rows = try String(
            contentsOf: TestSupport.packageRoot.appendingPathComponent("Tests/Fixtures/reference-database-rows.sql"),
            encoding: .utf8)
        url = try TestSupport.temporaryDirectory(self).appendingPathComponent("metadata_db.sqlite3")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: try String(contentsOf: ddl, encoding: .utf8))
            try db.execute(sql: rows)
        }
        try queue.close()
        database = try MetadataDatabase(path: url.path)
    }

    private func posts() throws -> [FanslyID: Post] {
        var result: [FanslyID: Post] = [:]
        try database.forEachPostPage(creator: Self.creator, pageSize: 2) { page in
            for post in page { result[post.id] = post }
        }
        return result
    }

    func testOnlyTheDownloadedCreatorIsACreatorAndCountsIgnorePhantomBundles() throws {
        let creators = try database.creators()
        XCTAssertEqual(creators.map(\.account.username), ["EmberWilde42"])
        let summary = try XCTUnwrap(creators.first)
        XCTAssertEqual(summary.posts, 5)
        XCTAssertEqual(summary.messages, 1)
        XCTAssertEqual(summary.bundles, 1, "phantom bundles (no members) are not bundles")
        XCTAssertEqual(summary.walls, 1)
        XCTAssertEqual(try database.creator(matching: "emberwilde42").id, Self.creator)
    }

    func testPostsResolveBundlesVariantsPreviewsMentionsAndReposts() throws {
        let posts = try posts()
        XCTAssertEqual(posts.count, 5)

        let bundled = try XCTUnwrap(posts[537_124_881_301_504_000])
        XCTAssertEqual(
            bundled.media.map(\.id), [537_124_881_301_504_299, 537_124_881_301_504_300], "bundle order by pos")
        XCTAssertEqual(bundled.hashtags.map(\.value).sorted(), ["latex", "latexmodel"])
        let mentions = Dictionary(uniqueKeysWithValues: bundled.mentions.map { ($0.handle, $0) })
        XCTAssertEqual(mentions["otherpal"]?.account?.username, "otherpal")
        XCTAssertNotNil(mentions["ghosthandle"], "a handle-only mention is kept")
        XCTAssertNil(mentions["ghosthandle"]?.account)
        XCTAssertEqual(bundled.wallIds, [900_000_000_000_000_001])
        let calendar = Calendar(identifier: .gregorian)
        var components = calendar.dateComponents(
            in: TimeZone(identifier: "UTC")!, from: try XCTUnwrap(bundled.createdAt))
        XCTAssertEqual(
            [components.year, components.month, components.day, components.hour, components.minute, components.second],
            [2023, 7, 17, 0, 48, 28], "naive TEXT timestamps are UTC")

        let video = try XCTUnwrap(posts[484_272_142_024_704_000]?.media.first)
        XCTAssertEqual(video.media.kind, .video)
        XCTAssertEqual(video.media.duration, 33.5)
        XCTAssertEqual(video.file?.fileMediaId, 484_272_142_024_704_403, "the file carries the HLS variant's id")
        components = calendar.dateComponents(in: TimeZone(identifier: "UTC")!, from: try XCTUnwrap(video.createdAt))
        XCTAssertEqual(components.nanosecond.map { ($0 + 500_000) / 1_000_000 }, 500, "the fraction is kept")

        let locked = try XCTUnwrap(posts[486_482_292_768_768_100]?.media.first)
        XCTAssertFalse(locked.access)
        XCTAssertEqual(locked.file?.fileMediaId, 486_482_292_768_768_232, "only the preview was downloaded")
        XCTAssertEqual(locked.file?.isPreview, true)
        XCTAssertTrue(locked.file?.localFilename?.hasSuffix(".None") ?? false)

        let repost = try XCTUnwrap(posts[566_666_666_666_666_666])
        XCTAssertEqual(repost.reposts.map(\.id), [484_272_142_024_704_000])
        XCTAssertTrue(repost.media.isEmpty, "a repost's own media list does not duplicate the quoted post's")

        let poll = try XCTUnwrap(posts[555_555_555_555_555_555])
        XCTAssertTrue(poll.media.isEmpty)
        XCTAssertEqual(poll.attachments.first?.contentType, "POLL")
    }

    func testMessageAttachmentToANeverStoredBundleIsMissingNotAnError() throws {
        var messages: [Message] = []
        try database.forEachMessagePage(creator: Self.creator) { messages += $0 }
        let message = try XCTUnwrap(messages.first)
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(message.groupId, 810_000_000_000_000_001)
        XCTAssertEqual(message.media.map(\.id), [600_000_000_000_000_001])
        let missing = message.attachments.filter { if case .missing = $0.content { return true } else { return false } }
        XCTAssertEqual(missing.map(\.contentId), [999_999_999_999_999_999])
    }

    func testEveryReadLeavesTheFileUntouched() throws {
        let before = try TestSupport.bytes(url)
        _ = try database.creators()
        _ = try posts()
        try database.forEachMessagePage(creator: Self.creator) { _ in }
        try database.forEachBundlePage(creator: Self.creator) { _ in }
        try database.forEachMediaPage(creator: Self.creator) { _ in }
        _ = try database.walls(creator: Self.creator)
        _ = try database.hashtags(creator: Self.creator)
        XCTAssertEqual(try TestSupport.bytes(url), before)
    }
}
