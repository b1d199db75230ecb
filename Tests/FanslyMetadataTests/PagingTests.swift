import Foundation
import GRDB
import SampleData
import XCTest

@testable import FanslyMetadata

/// Paging streams records with a fixed number of queries per page, whatever the page holds.
final class PagingTests: XCTestCase {
    final class StatementLog: @unchecked Sendable {
        private let lock = NSLock()
        private var statements: [String] = []
        func append(_ sql: String) { lock.lock(); statements.append(sql); lock.unlock() }
        func selects() -> Int {
            lock.lock(); defer { lock.unlock() }; return statements.filter { $0.hasPrefix("SELECT") }.count
        }
        func reset() { lock.lock(); statements = []; lock.unlock() }
        func all() -> [String] { lock.lock(); defer { lock.unlock() }; return statements }
    }

    func testQueriesPerPageDoNotGrowWithThePage() throws {
        let url = try TestSupport.generatedSample(
            self, options: .large(creators: 2, postsPerCreator: 300, mediaPerPost: 3))
        let log = StatementLog()
        let database = try MetadataDatabase(path: url.path, busyTimeout: 10, traceStatement: log.append)
        let creator = try XCTUnwrap(database.creators().first).account.id

        func selects(pageSize: Int, _ iterate: (Int) throws -> Int) rethrows -> (queries: Int, pages: Int) {
            log.reset()
            let pages = try iterate(pageSize)
            return (log.selects(), pages)
        }
        let posts = { (size: Int) -> Int in
            var pages = 0
            try database.forEachPostPage(creator: creator, pageSize: size) { _ in pages += 1 }
            return pages
        }
        let onePage = try selects(pageSize: 300, posts)
        XCTAssertEqual(onePage.pages, 1)
        XCTAssertLessThanOrEqual(
            onePage.queries, 25, "300 posts with 900 media in one page must not cost a query per row")
        let manyPages = try selects(pageSize: 30, posts)
        XCTAssertEqual(manyPages.pages, 10)
        XCTAssertLessThanOrEqual(manyPages.queries, 10 * 20 + 5)

        let media = try selects(pageSize: 900) { size in
            var pages = 0
            try database.forEachMediaPage(creator: creator, pageSize: size) { _ in pages += 1 }
            return pages
        }
        XCTAssertLessThanOrEqual(media.queries, 2 * 6)
        let messages = try selects(pageSize: 500) { size in
            var pages = 0
            try database.forEachMessagePage(creator: creator, pageSize: size) { _ in pages += 1 }
            return pages
        }
        XCTAssertLessThanOrEqual(messages.queries, 20)
    }

    /// The schema has no index on `posts."accountId"` or on the attachments' owners: reading a
    /// creator must not scan those tables (a scan per creator made a 50-creator library cost
    /// creators × library). Only the connection's one-time owner index reads them whole.
    func testPagingACreatorScansNeitherPostsNorAttachments() throws {
        let url = try TestSupport.generatedSample(
            self, options: .large(creators: 3, postsPerCreator: 40, mediaPerPost: 2))
        let log = StatementLog()
        let database = try MetadataDatabase(path: url.path, busyTimeout: 10, traceStatement: log.append)
        let creators = try database.creators().map(\.account.id)
        XCTAssertEqual(creators.count, 3)
        var posts = 0
        try database.forEachPostPage(creator: creators[0], pageSize: 7) { posts += $0.count } // reads the owner index
        XCTAssertEqual(posts, 40)
        log.reset()
        for creator in creators.dropFirst() {
            try database.forEachPostPage(creator: creator, pageSize: 7) { _ in }
            try database.forEachMessagePage(creator: creator, pageSize: 5) { _ in }
        }
        let statements = log.all().filter { $0.hasPrefix("SELECT") }
        XCTAssertGreaterThan(statements.count, 10)
        let plain = try DatabaseQueue(path: url.path)
        for sql in statements {
            let plan = try plain.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
            }
            for step in plan
            where ["SCAN posts", "SCAN attachments", "SCAN a", "SCAN p"].contains(where: {
                step == $0 || step.hasPrefix($0 + " ")
            }) {
                XCTFail("\(step) in \(sql.prefix(200))")
            }
        }
    }

    func testPagesStreamEveryRecordOnceInIdOrder() throws {
        let url = try TestSupport.generatedSample(
            self, options: .large(creators: 2, postsPerCreator: 120, mediaPerPost: 2))
        let database = try MetadataDatabase(path: url.path)
        for summary in try database.creators() {
            var posts: [FanslyID] = []
            var media: [FanslyID] = []
            var bundles: [FanslyID] = []
            var messages: [FanslyID] = []
            var largestPage = 0
            try database.forEachPostPage(creator: summary.account.id, pageSize: 7) { page in
                largestPage = max(largestPage, page.count)
                posts += page.map(\.id)
                XCTAssertTrue(page.allSatisfy { $0.accountId == summary.account.id })
            }
            try database.forEachMediaPage(creator: summary.account.id, pageSize: 11) { media += $0.map(\.id) }
            try database.forEachBundlePage(creator: summary.account.id, pageSize: 3) { bundles += $0.map(\.id) }
            try database.forEachMessagePage(creator: summary.account.id, pageSize: 2) { messages += $0.map(\.id) }
            XCTAssertEqual(largestPage, 7)
            for ids in [posts, media, bundles, messages] {
                XCTAssertEqual(ids, ids.sorted())
                XCTAssertEqual(Set(ids).count, ids.count)
            }
            XCTAssertEqual(posts.count, summary.posts)
            XCTAssertEqual(posts.count, 120)
            XCTAssertEqual(media.count, summary.images + summary.videos)
            XCTAssertEqual(bundles.count, summary.bundles)
            XCTAssertEqual(messages.count, summary.messages)
        }
    }

    func testBodyMayCallBackIntoTheDatabaseAndStopByThrowing() throws {
        let database = try MetadataDatabase(path: TestSupport.sampleDatabase.path)
        let luna = try database.creator(matching: "LunaVesper")
        struct Stop: Error {}
        var pages = 0
        XCTAssertThrowsError(
            try database.forEachPostPage(creator: luna.id, pageSize: 2) { page in
                pages += 1
                // Re-entrant use from inside a page.
                XCTAssertFalse(try database.accounts(ids: page.map(\.accountId)).isEmpty)
                if pages == 2 { throw Stop() }
            }
        ) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(pages, 2)
    }

    /// Id lists longer than one `IN (…)` chunk are split, and nothing is lost at the seams.
    func testLookupsWithMoreIdsThanOneChunk() throws {
        let database = try MetadataDatabase(path: TestSupport.sampleDatabase.path)
        let files = SampleDatabase.downloadedFiles(options: .sample)
        let noise = (1...12_000).map { FanslyID($0) }
        let found = try database.accountMedia(forFileIds: noise + files.map(\.fileId) + noise)
        XCTAssertEqual(Set(found.keys), Set(files.map(\.fileId)))
        let creators = try database.creators().map(\.account.id)
        XCTAssertEqual(Set(try database.accounts(ids: noise + creators).keys), Set(creators))
    }

    func testBundleMembersThatWereNeverStoredAreLeftOut() throws {
        let url = try TestSupport.makeDatabase(self) { db in
            try db.insertAccount(1, "creator")
            try db.insertMedia(11, account: 1, file: "a_id_11.jpeg")
            try db.insertAccountMedia(11, account: 1, media: 11)
            try db.execute(
                sql: """
                    INSERT INTO account_media_bundles (id, "accountId", "createdAt", deleted, access, purchased, whitelisted)
                    VALUES (100, 1, '2024-01-01 00:00:00.000000', 0, 1, 0, 0)
                    """)
            try db.execute(
                sql:
                    "INSERT INTO account_media_bundle_media (bundle_id, media_id, pos) VALUES (100, 12, 0), (100, 11, 1)"
            )
            try db.insertPost(10, account: 1)
            try db.insertAttachment(1, post: 10, content: 100, pos: 0, type: "ACCOUNT_MEDIA_BUNDLE")
        }
        let database = try MetadataDatabase(path: url.path)
        var bundles: [MediaBundle] = []
        try database.forEachBundlePage(creator: 1) { bundles += $0 }
        XCTAssertEqual(bundles.map(\.id), [100])
        XCTAssertEqual(bundles.first?.media.map(\.id), [11])
        var posts: [Post] = []
        try database.forEachPostPage(creator: 1) { posts += $0 }
        XCTAssertEqual(posts.first?.media.map(\.id), [11])
        XCTAssertEqual(try database.creators().first?.bundles, 1)
    }
}
