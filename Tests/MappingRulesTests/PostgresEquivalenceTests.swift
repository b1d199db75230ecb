import Foundation
import PostgresTestSupport
import XCTest

@testable import FanslyMetadata
@testable import MappingRules

/// The same rows in SQLite and in PostgreSQL give the same records and the same desired state;
/// the PostgreSQL shapes of v0.11+ (HLS files on the parent row, no attachments) are read for what
/// they are.
final class PostgresEquivalenceTests: XCTestCase {
    private static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    private var samplePath: String { Self.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path }

    /// The bundled sample copied into a fresh PostgreSQL database (as after a migration), `change` applied.
    private func migratedSample(_ change: String = "") throws -> PostgresMetadataDatabase {
        guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        let database = try server.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { database.drop() }
        try SQLiteCopy.copy(sqlite: samplePath, into: database)
        if !change.isEmpty { try database.execute(change) }
        let store = try PostgresMetadataDatabase(
            endpoint: PostgresEndpoint.parse(url: database.url, environment: [:]),
            downloadRoot: URL(fileURLWithPath: samplePath).deletingLastPathComponent().path)
        addTeardownBlock { store.close() }
        return store
    }

    private func records(_ store: any MetadataStore) throws -> [String] {
        var out: [String] = []
        for account in try store.creatorAccounts() {
            out.append("account \(account)")
            out.append("walls \(try store.walls(creator: account.id))")
            try store.forEachPostPage(creator: account.id, pageSize: 3) { out.append("posts \($0)") }
            try store.forEachMessagePage(creator: account.id, pageSize: 3) { out.append("messages \($0)") }
            try store.forEachBundlePage(creator: account.id, pageSize: 3) { out.append("bundles \($0)") }
            try store.forEachMediaPage(creator: account.id, pageSize: 3) { out.append("media \($0)") }
            out.append("hashtags \(try store.hashtags(creator: account.id))")
        }
        return out
    }

    func testSameRowsGiveTheSameRecordsCountsAndState() throws {
        let sqlite = try MetadataDatabase(path: samplePath)
        let postgres = try migratedSample()
        XCTAssertEqual(postgres.warnings, [])
        XCTAssertEqual(try postgres.creators(), try sqlite.creators())
        let expected = try records(sqlite)
        let actual = try records(postgres)
        XCTAssertEqual(actual.count, expected.count)
        for (a, e) in zip(actual, expected) where a != e { XCTFail("PostgreSQL: \(a)\nSQLite:     \(e)"); break }
        let ids = try Array(
            Set(
                sqlite.creatorAccounts().flatMap { account -> [FanslyID] in
                    var ids: [FanslyID] = []
                    try sqlite.forEachMediaPage(creator: account.id, pageSize: 500) { ids += $0.flatMap(\.fileIds) }
                    return ids
                })
        ).sorted()
        XCTAssertEqual(try postgres.accountMedia(forFileIds: ids), try sqlite.accountMedia(forFileIds: ids))

        let engine = MappingEngine(rules: try RuleSet.builtInDefault())
        let fromSQLite = try engine.evaluate(store: sqlite)
        XCTAssertFalse(fromSQLite.entities.isEmpty)
        XCTAssertEqual(try engine.evaluate(store: postgres), fromSQLite)
        XCTAssertEqual(
            try engine.evaluate(store: postgres, readers: 0), fromSQLite, "read on the engine's thread alone")
        XCTAssertEqual(
            try engine.evaluate(store: postgres, readers: 3), fromSQLite, "three readers in the same snapshot")
    }

    func testHLSFilesOnTheParentRowGiveTheSameState() throws {
        // v0.11+: the file's name, flag and hash on the parent video row; variants without them or a date.
        let postgres = try migratedSample(
            """
            UPDATE media p SET local_filename = v.local_filename, is_downloaded = v.is_downloaded, content_hash = v.content_hash
              FROM media_variants mv JOIN media v ON v.id = mv."variantId"
             WHERE mv."mediaId" = p.id AND v.type = 302 AND v.local_filename IS NOT NULL;
            UPDATE media SET local_filename = NULL, is_downloaded = false, content_hash = NULL, "createdAt" = NULL
             WHERE id IN (SELECT "variantId" FROM media_variants);
            """)
        let moved = try XCTUnwrap(
            try postgres.read { loader -> Int in
                var count = 0
                try loader.session.query("SELECT count(*) FROM media WHERE type = 2 AND local_filename LIKE '%_id_%'") {
                    count = $0.int(0) ?? 0
                }
                return count
            })
        XCTAssertGreaterThan(moved, 0, "the sample has HLS videos")
        let engine = MappingEngine(rules: try RuleSet.builtInDefault())
        XCTAssertEqual(
            try engine.evaluate(store: postgres), try engine.evaluate(store: MetadataDatabase(path: samplePath)))
    }

    func testWithoutAttachmentsEveryDownloadedMediaIsStillMatchedAttributedAndDated() throws {
        let sqlite = try MetadataDatabase(path: samplePath)
        let postgres = try migratedSample("DELETE FROM attachments; DELETE FROM post_mentions;")
        let engine = MappingEngine(rules: try RuleSet.builtInDefault())
        let linked = try engine.evaluate(store: sqlite)
        let unlinked = try engine.evaluate(store: postgres)
        let byAddress = Dictionary(unlinked.entities.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertFalse(
            unlinked.entities.contains { $0.address.key.hasPrefix("post.") }, "no post can be linked: no post galleries"
        )

        // Every media entity the linked database maps from its creator's own media is there, with
        // the same file, creator and a date from account_media.createdAt.
        var createdAt: [FanslyID: Date] = [:]
        var owners: [FanslyID: String] = [:]
        for account in try sqlite.creatorAccounts() {
            try sqlite.forEachMediaPage(creator: account.id, pageSize: 500) { page in
                for item in page { createdAt[item.id] = item.createdAt; owners[item.id] = account.username }
            }
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        var checked = 0
        for entity in linked.entities where [.scene, .image].contains(entity.address.kind) && !entity.files.isEmpty {
            guard let id = FanslyID(entity.address.key.dropFirst("media.".count)), let owner = owners[id],
                owner == entity.creator
            else { continue }
            let mapped = try XCTUnwrap(byAddress[entity.address], "\(entity.address) is mapped without its post")
            // Without attachments a repost is unknown: the file is expected in its owner's folders only.
            XCTAssertFalse(mapped.files.isEmpty)
            XCTAssertTrue(mapped.files.allSatisfy(entity.files.contains), "\(mapped.files) ⊄ \(entity.files)")
            XCTAssertEqual(mapped.creator, entity.creator)
            let date = try XCTUnwrap(createdAt[id])
            XCTAssertEqual(mapped[field: "date"]?.value, .date(formatter.string(from: date)), "\(entity.address)")
            XCTAssertTrue(mapped.source.hasPrefix("media \(id) (in no stored post or message)"), mapped.source)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)

        let linkage = try XCTUnwrap(try postgres.mediaLinkage(creators: postgres.creatorAccounts().map(\.id)))
        XCTAssertTrue(linkage.isIncomplete)
        XCTAssertEqual(linkage.postsWithoutAttachments, linkage.posts)
    }

    func testQuirkRowsMapThroughTheEngine() throws {
        guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        let database = try server.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { database.drop() }
        try database.execute("INSERT INTO alembic_version VALUES ('b6d60f698c27');" + QuirkRows.sql)
        let store = try PostgresMetadataDatabase(
            endpoint: PostgresEndpoint.parse(url: database.url, environment: [:]),
            downloadRoot: "/downloads")
        addTeardownBlock { store.close() }
        let state = try MappingEngine(rules: try RuleSet.builtInDefault()).evaluate(store: store)
        let entities = Dictionary(state.entities.map { ($0.address.description, $0) }, uniquingKeysWith: { a, _ in a })

        // The HLS video: its file is the variant's (the id Stash's file name carries), dated from account_media.
        let video = try XCTUnwrap(entities["scene.media.\(QuirkRows.hlsParent)"])
        XCTAssertEqual(video.files.map(\.fileMediaId), [QuirkRows.hlsVariant])
        XCTAssertEqual(video.files.first?.basename, "2023-07-18_at_10-00_UTC_id_\(QuirkRows.hlsVariant).mp4")
        XCTAssertEqual(video.files.first?.folders, ["/downloads/EmberWilde42_fansly", "/downloads/EmberWilde42"])
        XCTAssertEqual(video[field: "date"]?.value, .date("2023-07-18"))
        XCTAssertEqual(video.creator, "EmberWilde42")
        // The story: mapped as media no post shows, found anywhere under the creator folder (Pictures/).
        let story = try XCTUnwrap(entities["image.media.\(QuirkRows.storyImage)"])
        XCTAssertEqual(story.files.map(\.fileMediaId), [QuirkRows.storyImage])
        XCTAssertEqual(story[field: "date"]?.value, .date("2024-02-01"))
        // The locked video: its .jpeg preview is the file.
        let preview = try XCTUnwrap(entities["image.media.\(QuirkRows.locked)"])
        XCTAssertEqual(preview.files.first?.isPreview, true)
        XCTAssertEqual(preview.files.first?.basename, "2023-07-19_at_08-00_UTC_preview_id_\(QuirkRows.preview).jpeg")
        // No post reaches any media: no post gallery, no chapter; the stub post is nowhere.
        XCTAssertFalse(state.entities.contains { $0.address.key.hasPrefix("post.") || $0.address.kind == .chapter })
        XCTAssertFalse(
            state.entities.contains {
                $0.address.key.contains(String(QuirkRows.stubPost)) || $0.source.contains(String(QuirkRows.stubPost))
            })
    }
}
