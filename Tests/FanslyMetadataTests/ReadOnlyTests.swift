import Foundation
import GRDB
import SampleData
import XCTest

@testable import FanslyMetadata

/// The downloader's database is the user's data: reading must never change a byte of it.
final class ReadOnlyTests: XCTestCase {
    /// Runs every public read path once.
    private func readEverything(_ database: MetadataDatabase) throws {
        _ = try database.identity()
        let creators = try database.creators()
        XCTAssertFalse(creators.isEmpty)
        for summary in creators {
            let id = summary.account.id
            _ = try database.creator(matching: summary.account.username)
            _ = try database.summary(creator: id)
            _ = try database.walls(creator: id)
            _ = try database.stories(creator: id)
            _ = try database.hashtags(creator: id)
            var fileIds: [FanslyID] = []
            try database.forEachPostPage(creator: id, pageSize: 2) { _ in }
            try database.forEachMessagePage(creator: id, pageSize: 2) { _ in }
            try database.forEachBundlePage(creator: id, pageSize: 2) { _ in }
            try database.forEachMediaPage(creator: id, pageSize: 2) { page in fileIds += page.flatMap(\.fileIds) }
            _ = try database.accountMedia(forFileIds: fileIds)
            _ = try database.accounts(ids: [id])
        }
        XCTAssertThrowsError(try database.creator(matching: "nobody-at-all"))
    }

    func testEveryReadPathLeavesTheFileByteForByteUnchanged() throws {
        let url = try TestSupport.generatedSample(self)
        let before = try TestSupport.bytes(url)
        let modified = try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date
        let directory = url.deletingLastPathComponent()
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        try readEverything(try MetadataDatabase(path: url.path))
        XCTAssertEqual(try TestSupport.bytes(url), before)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date, modified)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), filesBefore,
            "no journal, WAL or shm file is left behind")
    }

    func testTheConnectionRefusesWrites() throws {
        let url = try TestSupport.generatedSample(self)
        let database = try MetadataDatabase(path: url.path)
        XCTAssertThrowsError(try database.queue.write { db in try db.execute(sql: "DELETE FROM posts") })
        XCTAssertThrowsError(
            try database.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 7") })
        XCTAssertEqual(try database.queue.read { db in try Bool.fetchOne(db, sql: "PRAGMA query_only") }, true)
    }

    /// The downloader may hold the file open in WAL mode, even mid-transaction.
    func testReadsWhileAnotherConnectionWritesInWALMode() throws {
        let url = try TestSupport.generatedSample(self)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let writer = try DatabasePool(path: url.path, configuration: configuration)
        defer { try? writer.close() }
        XCTAssertEqual(try writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "wal")
        let luna = try writer.read {
            try Int64.fetchOne($0, sql: "SELECT id FROM accounts WHERE username = 'LunaVesper'")
        }!
        try writer.write { db in try db.insertPost(1, account: luna, content: "committed while open") }

        let database = try MetadataDatabase(path: url.path)
        let before = try XCTUnwrap(database.creators().first { $0.account.id == luna }).posts
        var contents: [String?] = []
        try database.forEachPostPage(creator: luna) { contents += $0.map(\.content) }
        XCTAssertTrue(contents.contains("committed while open"))

        // A write transaction in progress in the other connection neither blocks nor leaks into reads.
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.insertPost(2, account: luna, content: "not committed")
            let during = try XCTUnwrap(database.creators().first { $0.account.id == luna }).posts
            XCTAssertEqual(during, before)
            try db.execute(sql: "ROLLBACK")
        }
        XCTAssertEqual(try XCTUnwrap(database.creators().first { $0.account.id == luna }).posts, before)
    }
}

/// Paths users really have, and files left in WAL mode by another tool.
final class OpeningTests: XCTestCase {
    func testPathsWithSpacesAndURIMetacharacters() throws {
        let directory = try TestSupport.temporaryDirectory(self).appendingPathComponent("My Downloads #1 ?50% & more")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("metadata_db.sqlite3")
        try SampleDatabase.write(to: url, options: .sample)
        let database = try MetadataDatabase(path: url.path)
        XCTAssertEqual(try database.creators().count, 3)
        XCTAssertEqual(database.path, url.path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["metadata_db.sqlite3"])
    }

    func testRelativePathsBecomeAbsolute() throws {
        let database = try MetadataDatabase(path: TestSupport.sampleDatabase.path + "/../sample-metadata.sqlite3")
        XCTAssertEqual(database.path, TestSupport.sampleDatabase.path)
    }

    func testDatabaseLeftInWALModeWithoutAnyConnection() throws {
        let url = try TestSupport.generatedSample(self)
        let pool = try DatabasePool(path: url.path)
        try pool.close()
        let before = try TestSupport.bytes(url)
        let database = try MetadataDatabase(path: url.path)
        XCTAssertEqual(try database.creators().count, 3)
        XCTAssertEqual(try TestSupport.bytes(url), before)
    }

    /// A write lock held longer than the busy timeout gets a clear error, not a hang or a crash.
    func testLockedDatabaseIsReportedAfterTheBusyTimeout() throws {
        let url = try TestSupport.generatedSample(self)
        let writer = try DatabaseQueue(path: url.path)
        defer { try? writer.close() }
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "UPDATE posts SET content = content")
            XCTAssertThrowsError(try MetadataDatabase(path: url.path, busyTimeout: 0.2, traceStatement: nil)) { error in
                XCTAssertEqual(
                    "\(error)",
                    "Cannot read \(url.path): another program kept it locked "
                        + "(the downloader saves it every 60 seconds); try again in a minute.")
            }
            try db.execute(sql: "ROLLBACK")
        }
        XCTAssertEqual(try MetadataDatabase(path: url.path).creators().count, 3)
    }

    /// Issue 16, item 13: a locked database says that it is waiting, then reads once the lock goes.
    func testALockedDatabaseSaysItIsWaitingThenReads() throws {
        let url = try TestSupport.generatedSample(self)
        let notices = NoticeLog()
        let saved = LockWait.notice
        LockWait.notice = { notices.append($0) }
        defer { LockWait.notice = saved }
        let writer = try DatabaseQueue(path: url.path)
        defer { try? writer.close() }
        let locked = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? writer.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                try db.execute(sql: "UPDATE posts SET content = content")
                locked.signal()
                Thread.sleep(forTimeInterval: 0.5)
                try db.execute(sql: "ROLLBACK")
            }
            done.signal()
        }
        XCTAssertEqual(locked.wait(timeout: .now() + 10), .success)
        let database = try MetadataDatabase(path: url.path, busyTimeout: 10, traceStatement: nil)
        XCTAssertEqual(try database.creators().count, 3)
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(notices.lines.count, 1, "\(notices.lines)")
        XCTAssertTrue(
            notices.lines.first?.contains(
                "is locked by another program (the downloader saves it every 60 seconds); waiting up to 10 s") ?? false,
            "\(notices.lines)")
    }
}

/// Lines a test collects from another thread.
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// `identity()` lets a saved plan notice that the downloader ran since.
final class IdentityTests: XCTestCase {
    func testFingerprintIsStableAcrossReadsAndChangesWithTheContent() throws {
        let url = try TestSupport.generatedSample(self)
        let original = try MetadataDatabase(path: url.path).identity()
        XCTAssertEqual(try MetadataDatabase(path: url.path).identity(), original)
        XCTAssertFalse(original.fingerprint.isEmpty)

        let changes: [(String, String)] = [
            (
                "a file finished downloading",
                "UPDATE media SET is_downloaded = 1, local_filename = 'x.jpeg' WHERE id = (SELECT min(id) FROM media WHERE is_downloaded = 0)"
            ),
            (
                "a new post",
                "INSERT INTO posts (id, \"accountId\", content, \"createdAt\") VALUES (1, 1, 'new', '2025-01-01 00:00:00.000000')"
            ),
            ("an edited caption", "UPDATE posts SET content = content || '!' WHERE id = (SELECT max(id) FROM posts)"),
            (
                "a new hashtag on a post",
                "INSERT INTO post_hashtags (\"postId\", \"hashtagId\") VALUES ((SELECT min(id) FROM posts), 2)"
            ),
        ]
        var seen: Set<String> = [original.fingerprint]
        for (what, sql) in changes {
            let copy = try TestSupport.temporaryDirectory(self).appendingPathComponent("copy.sqlite3")
            try FileManager.default.copyItem(at: url, to: copy)
            try TestSupport.modify(copy) { db in try db.execute(sql: sql) }
            let changed = try MetadataDatabase(path: copy.path).identity()
            XCTAssertTrue(seen.insert(changed.fingerprint).inserted, "\(what) must change the fingerprint")
        }
    }

    func testSummaryOfAnUnknownAccountIsAnError() throws {
        let database = try MetadataDatabase(path: TestSupport.sampleDatabase.path)
        XCTAssertThrowsError(try database.summary(creator: 42)) { error in
            XCTAssertEqual("\(error)", "No creator '42' in \(TestSupport.sampleDatabase.path).")
        }
        let fan = try database.creator(matching: "quiet_collector")
        let summary = try database.summary(creator: fan.id)
        XCTAssertEqual(summary.posts, 0)
        XCTAssertGreaterThan(summary.messages, 0, "the downloading user is in every group")
    }
}
