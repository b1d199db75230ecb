import Foundation
import PostgresTestSupport
import XCTest

@testable import FanslyMetadata

/// One read-only snapshot per run, shared by reader connections; a SELECT-only role suffices.
final class PostgresSnapshotTests: XCTestCase {
    private let newPost = """
        INSERT INTO posts (id, "accountId", content, "createdAt") VALUES (537500000000000003, \(PGFixture.creator), 'later', '2024-05-01 00:00:00+00');
        UPDATE media SET is_downloaded = false WHERE id = \(PGFixture.image);
        """

    private func postIds(_ store: PostgresMetadataDatabase) throws -> [FanslyID] {
        var ids: [FanslyID] = []
        try store.forEachPostPage(creator: PGFixture.creator, pageSize: 10) { ids += $0.map(\.id) }
        return ids
    }

    func testWritesAfterOpeningAreNotSeenByTheRunOrItsReaders() throws {
        let database = try PGFixture.database(self, rows: PGFixture.creatorRows)
        let store = try PGFixture.open(self, database)
        let before = try store.identity()
        try database.execute(newPost)
        XCTAssertEqual(try postIds(store), [PGFixture.post], "the downloader's new post is not in this run")
        XCTAssertEqual(try store.identity(), before)
        let reader = try store.reader()
        defer { reader.close() }
        XCTAssertEqual(reader.snapshot, store.snapshot)
        XCTAssertEqual(try postIds(reader), [PGFixture.post], "a reader connection imports the same snapshot")
        XCTAssertEqual(try store.creators().first?.downloadedMedia, 4)

        let later = try PGFixture.open(self, database)
        XCTAssertEqual(try postIds(later), [PGFixture.post, 537_500_000_000_000_003])
        let after = try later.identity()
        XCTAssertNotEqual(after.fingerprint, before.fingerprint, "a downloader run changes the fingerprint")
        XCTAssertEqual(
            after.path, "postgresql://postgres@\(database.server.host):\(database.server.port)/\(database.name)")
        XCTAssertEqual(after.alembicVersion, "b6d60f698c27")
        XCTAssertEqual(try PGFixture.open(self, database).identity(), after, "stable across reads")
    }

    func testARoleWithOnlySelectGrantsReadsEverything() throws {
        let database = try PGFixture.database(self, rows: PGFixture.creatorRows)
        let server = database.server
        let role = try server.createRole(password: "reader-pw")
        addTeardownBlock { server.dropRole(role) }
        try database.execute(
            """
            REVOKE ALL ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role);
            """)
        addTeardownBlock {
            try? database.execute(
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM \(role); REVOKE ALL ON SCHEMA public FROM \(role)")
        }
        let endpoint = try PostgresEndpoint.parse(
            url: server.url(database: database.name, user: role, password: "reader-pw"), environment: [:])
        let store = try PostgresMetadataDatabase(endpoint: endpoint)
        defer { store.close() }
        XCTAssertEqual(try store.creators().map(\.posts), [1])
        XCTAssertEqual(try postIds(store), [PGFixture.post])
        var media = 0
        try store.forEachMediaPage(creator: PGFixture.creator, pageSize: 500, excluding: [PGFixture.image]) {
            media += $0.count
        }
        XCTAssertEqual(media, 3)
        XCTAssertFalse(try store.identity().fingerprint.isEmpty)
        XCTAssertEqual(try store.mediaLinkage(creators: [PGFixture.creator])?.postsWithoutAttachments, 1)
        let reader = try store.reader()
        reader.close()
    }

    func testTheSessionCannotWrite() throws {
        let database = try PGFixture.database(self, rows: PGFixture.creatorRows)
        let store = try PGFixture.open(self, database)
        // Reaching into the session: even a statement written by mistake is refused by the server.
        XCTAssertThrowsError(try store.read { try $0.session.execute("DELETE FROM posts") }) { error in
            XCTAssertTrue("\(error)".contains("read-only transaction"), "\(error)")
        }
        XCTAssertEqual(try database.rows("SELECT count(*) FROM posts"), [["2"]])
    }
}
