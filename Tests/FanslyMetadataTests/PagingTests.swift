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
        func selects() -> Int { lock.lock(); defer { lock.unlock() }; return statements.filter { $0.hasPrefix("SELECT") }.count }
        func reset() { lock.lock(); statements = []; lock.unlock() }
    }

    func testQueriesPerPageDoNotGrowWithThePage() throws {
        let url = try TestSupport.generatedSample(self, options: .large(creators: 2, postsPerCreator: 300, mediaPerPost: 3))
        let log = StatementLog()
        let database = try MetadataDatabase(path: url.path, traceStatement: log.append)
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
        XCTAssertLessThanOrEqual(onePage.queries, 25, "300 posts with 900 media in one page must not cost a query per row")
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

    func testPagesStreamEveryRecordOnceInIdOrder() throws {
        let url = try TestSupport.generatedSample(self, options: .large(creators: 2, postsPerCreator: 120, mediaPerPost: 2))
        let database = try MetadataDatabase(path: url.path)
        for summary in try database.creators() {
            var posts: [FanslyID] = [], media: [FanslyID] = [], bundles: [FanslyID] = [], messages: [FanslyID] = []
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
        XCTAssertThrowsError(try database.forEachPostPage(creator: luna.id, pageSize: 2) { page in
            pages += 1
            // Re-entrant use from inside a page.
            XCTAssertFalse(try database.accounts(ids: page.map(\.accountId)).isEmpty)
            if pages == 2 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(pages, 2)
    }
}
