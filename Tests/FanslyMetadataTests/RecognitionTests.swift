import Foundation
import GRDB
import SampleData
import XCTest

@testable import FanslyMetadata

/// Each kind of wrong file gets its own error, naming the file and what is missing.
final class RecognitionTests: XCTestCase {
    private func openError(_ path: String) -> String {
        do {
            _ = try MetadataDatabase(path: path)
            XCTFail("\(path) opened")
            return ""
        } catch let error as MetadataError {
            return error.description
        } catch {
            XCTFail("not a MetadataError: \(error)")
            return ""
        }
    }

    func testMissingFile() throws {
        let path = try TestSupport.temporaryDirectory(self).appendingPathComponent("nope.sqlite3").path
        XCTAssertEqual(
            openError(path),
            "No such file: \(path). Pass the downloader's metadata database "
                + "(metadata_db.sqlite3 in the download folder, or <creator>_fansly/meta/metadata.sqlite3 with separate_metadata)."
        )
    }

    func testDirectoryWithAndWithoutADatabaseInside() throws {
        let directory = try TestSupport.temporaryDirectory(self)
        XCTAssertEqual(
            openError(directory.path),
            "\(directory.path) is a directory, not a database file. "
                + "Pass the metadata database inside the download folder (metadata_db.sqlite3).")
        try SampleDatabase.write(to: directory.appendingPathComponent("metadata_db.sqlite3"), options: .sample)
        XCTAssertEqual(
            openError(directory.path),
            "\(directory.path) is a directory, not a database file. "
                + "Did you mean \(directory.path)/metadata_db.sqlite3?")
    }

    func testEmptyFile() throws {
        let url = try TestSupport.temporaryDirectory(self).appendingPathComponent("metadata_db.sqlite3")
        try Data().write(to: url)
        XCTAssertEqual(
            openError(url.path),
            "\(url.path) is empty (0 bytes), so it is not a fansly metadata database. "
                + "A running downloader saves its database every 60 seconds: wait for the first save, or use the .sqlite3.bak beside it."
        )
    }

    func testNotSQLite() throws {
        let url = try TestSupport.temporaryDirectory(self).appendingPathComponent("config.ini")
        try Data("[options]\ndownload_directory = /data\n".utf8).write(to: url)
        XCTAssertEqual(
            openError(url.path),
            "\(url.path) is not an SQLite database. Pass the fansly-scraper metadata database (metadata_db.sqlite3).")
    }

    func testSQLiteOfSomethingElse() throws {
        let url = try TestSupport.temporaryDirectory(self).appendingPathComponent("stash-go.sqlite")
        try DatabaseQueue(path: url.path).write { db in
            try db.execute(
                sql: "CREATE TABLE scenes (id INTEGER PRIMARY KEY); CREATE TABLE performers (id INTEGER PRIMARY KEY)")
        }
        XCTAssertEqual(
            openError(url.path),
            "\(url.path) is an SQLite database but not a fansly-scraper metadata database: "
                + "none of the tables accounts, posts, media, account_media exist (it has: performers, scenes).")
    }

    func testMissingTablesAndColumnsAreNamed() throws {
        let url = try TestSupport.makeDatabase(self) { db in
            try db.execute(sql: "DROP TABLE attachments")
            try db.execute(sql: "ALTER TABLE media DROP COLUMN local_filename")
            try db.execute(sql: "DROP TABLE wall_posts")
            try db.execute(sql: "CREATE TABLE wall_posts (\"wallId\" INTEGER)")
        }
        XCTAssertEqual(
            openError(url.path),
            "\(url.path) is not a complete fansly-scraper metadata database: missing "
                + "column media.local_filename, table attachments, column wall_posts.postId. "
                + "fansly-stash reads the schema of fansly-scraper v0.10.x (alembic revision 06658bf47c03).")
    }

    func testMissingAlembicVersionTableOrRow() throws {
        let withoutTable = try TestSupport.makeDatabase(self) { db in try db.execute(sql: "DROP TABLE alembic_version")
        }
        XCTAssertEqual(
            openError(withoutTable.path),
            "\(withoutTable.path) has the fansly-scraper tables but it has no alembic_version table, "
                + "so it was not created by fansly-scraper's migrations or is damaged. Open the original metadata_db.sqlite3 (or its .sqlite3.bak) instead."
        )
        let withoutRow = try TestSupport.makeDatabase(self, revision: nil)
        XCTAssertEqual(
            openError(withoutRow.path),
            "\(withoutRow.path) has the fansly-scraper tables but its alembic_version table is empty, "
                + "so it was not created by fansly-scraper's migrations or is damaged. Open the original metadata_db.sqlite3 (or its .sqlite3.bak) instead."
        )
    }

    func testOtherRevisionsAreAcceptedAndReported() throws {
        let url = try TestSupport.makeDatabase(self, revision: "1c766f50e19a")
        XCTAssertEqual(try MetadataDatabase(path: url.path).identity().alembicVersion, "1c766f50e19a")
    }

    func testTruncatedDatabaseIsReportedNotCrashed() throws {
        let url = try TestSupport.temporaryDirectory(self).appendingPathComponent("metadata_db.sqlite3")
        let bytes = try TestSupport.bytes(TestSupport.sampleDatabase)
        try bytes.prefix(8_192).write(to: url)
        do {
            let database = try MetadataDatabase(path: url.path)
            _ = try database.creators()
            var count = 0
            for creator in try database.creators() {
                try database.forEachPostPage(creator: creator.account.id) { count += $0.count }
            }
            XCTFail("a truncated database read without error (\(count) posts)")
        } catch let error as MetadataError {
            XCTAssertTrue(error.description.contains(url.path), error.description)
        }
    }

    func testMissingOptionalTablesDegradeGracefully() throws {
        let url = try TestSupport.generatedSample(self)
        try TestSupport.modify(url) { db in
            for table in [
                "stories", "walls", "wall_posts", "account_media_bundles", "account_media_bundle_media",
                "pinned_posts", "groups", "group_users", "account_avatar", "account_banner",
            ] {
                try db.execute(sql: "DROP TABLE \(table)")
            }
            try db.execute(sql: "ALTER TABLE accounts DROP COLUMN stash_id")
            try db.execute(sql: "DROP INDEX ix_media_content_hash")
            try db.execute(sql: "ALTER TABLE media DROP COLUMN content_hash")
        }
        let database = try MetadataDatabase(path: url.path)
        let luna = try database.creator(matching: "lunavesper")
        XCTAssertNil(luna.avatar)
        XCTAssertTrue(try database.walls(creator: luna.id).isEmpty)
        XCTAssertTrue(try database.stories(creator: luna.id).isEmpty)
        var bundles = 0
        try database.forEachBundlePage(creator: luna.id) { bundles += $0.count }
        XCTAssertEqual(bundles, 0)
        var posts: [Post] = []
        try database.forEachPostPage(creator: luna.id) { posts += $0 }
        let bundled = try XCTUnwrap(posts.first { $0.content?.hasPrefix("Full set") == true })
        guard case .missing = try XCTUnwrap(bundled.attachments.first).content else {
            return XCTFail("bundle should be missing")
        }
        XCTAssertTrue(posts.allSatisfy { !$0.pinned && $0.wallIds.isEmpty })
        XCTAssertTrue(posts.flatMap(\.media).allSatisfy { $0.media.contentHash == nil })
        var messages: [Message] = []
        try database.forEachMessagePage(creator: luna.id) { messages += $0 }
        XCTAssertTrue(
            messages.contains { $0.content == "Thanks for subscribing!" },
            "sent messages are found without group tables")
        let summary = try XCTUnwrap(database.creators().first { $0.account.id == luna.id })
        XCTAssertEqual(summary.bundles, 0)
        XCTAssertEqual(summary.walls, 0)
        XCTAssertEqual(summary.posts, posts.count)
    }

    func testMalformedTimestampsNameTableRowAndColumn() throws {
        let url = try TestSupport.makeDatabase(self) { db in
            try db.insertAccount(1, "creator")
            try db.insertPost(10, account: 1, created: "yesterday")
            try db.execute(
                sql:
                    "INSERT INTO messages (id, \"senderId\", content, \"createdAt\", deleted) VALUES (20, 1, 'hi', '2024-13-45 99:00:00', 0)"
            )
            try db.insertMedia(30, account: 1, created: Data([1, 2, 3]))
            try db.insertAccountMedia(30, account: 1, media: 30)
        }
        let database = try MetadataDatabase(path: url.path)
        XCTAssertThrowsError(try database.forEachPostPage(creator: 1) { _ in }) { error in
            XCTAssertEqual(
                "\(error)",
                "Malformed value in posts row 10, column createdAt: 'yesterday' "
                    + "(expected 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC, or Unix seconds or milliseconds).")
        }
        XCTAssertThrowsError(try database.forEachMessagePage(creator: 1) { _ in }) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("Malformed value in messages row 20, column createdAt: '2024-13-45 99:00:00'"),
                "\(error)")
        }
        XCTAssertThrowsError(try database.forEachMediaPage(creator: 1) { _ in }) { error in
            XCTAssertTrue("\(error)".hasPrefix("Malformed value in media row 30, column createdAt:"), "\(error)")
        }
        // Counting does not parse timestamps, so inspect still works on such a database.
        XCTAssertEqual(try database.creators().first?.posts, 1)
    }

    func testNullIdsAreReportedNotCrashed() throws {
        let url = try TestSupport.makeDatabase(self) { db in
            try db.insertAccount(1, "creator")
            try db.insertPost(10, account: 1)
            try db.insertAttachment(1, post: 10, content: 5, pos: 0)
            try db.execute(
                sql:
                    "INSERT INTO account_media (id, \"accountId\", \"mediaId\", \"createdAt\", deleted, access) VALUES (5, 1, 'abc', '2024-01-01', 0, 1)"
            )
        }
        XCTAssertThrowsError(try MetadataDatabase(path: url.path).forEachPostPage(creator: 1) { _ in }) { error in
            XCTAssertEqual(
                "\(error)", "Malformed value in account_media row 5, column mediaId: \"abc\" (expected an integer id).")
        }
    }
}

final class CreatorSelectionTests: XCTestCase {
    /// Authors known only through reposts are not creators; message-only creators are.
    func testCreatorsAreTheDownloadedAccounts() throws {
        let url = try TestSupport.makeDatabase(self) { db in
            try db.insertAccount(1, "Reposter")
            try db.insertAccount(2, "RepostedOnly")
            try db.insertAccount(3, "MessagesOnly")
            try db.insertAccount(4, "Fan")
            try db.insertPost(10, account: 1)
            try db.insertPost(20, account: 2)
            try db.insertAttachment(1, post: 10, content: 20, pos: 0, type: "AGGREGATED_POSTS")
            try db.insertMedia(21, account: 2, file: "x_id_21.jpeg")
            try db.insertAccountMedia(21, account: 2, media: 21)
            try db.insertAttachment(2, post: 20, content: 21, pos: 0)
            try db.execute(
                sql:
                    "INSERT INTO messages (id, \"senderId\", \"recipientId\", content, \"createdAt\", deleted) VALUES (30, 3, 4, 'hi', '2024-01-01', 0)"
            )
            try db.insertMedia(31, account: 3, file: "x_id_31.jpeg")
            try db.insertAccountMedia(31, account: 3, media: 31)
            try db.insertAttachment(3, message: 30, content: 31, pos: 0)
        }
        let database = try MetadataDatabase(path: url.path)
        XCTAssertEqual(try database.creators().map(\.account.username), ["MessagesOnly", "Reposter"])
        var posts: [Post] = []
        try database.forEachPostPage(creator: 1) { posts += $0 }
        XCTAssertEqual(posts.first?.reposts.first?.media.first?.file?.localFilename, "x_id_21.jpeg")
        XCTAssertEqual(try database.creator(matching: "repostedonly").id, 2, "still selectable by name")
        XCTAssertEqual(try database.summary(creator: 2).images, 1)
    }

    /// Usernames are unique only case-sensitively: an exact match wins over a case-insensitive one.
    func testExactCaseWinsWhenUsernamesDifferOnlyInCase() throws {
        let url = try TestSupport.makeDatabase(self) { db in
            try db.insertAccount(1, "luna")
            try db.insertAccount(2, "Luna")
        }
        let database = try MetadataDatabase(path: url.path)
        XCTAssertEqual(try database.creator(matching: "Luna").id, 2)
        XCTAssertEqual(try database.creator(matching: "luna").id, 1)
        XCTAssertEqual(try database.creator(matching: "LUNA").id, 1)
    }
}
