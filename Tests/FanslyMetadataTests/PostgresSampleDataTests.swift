import Foundation
import GRDB
import PostgresTestSupport
import SampleData
import XCTest

/// The generator's PostgreSQL output on a real server: v0.15.1's schema, the migrated shape
/// holding the SQLite sample's rows, and the v0.13 shape holding what v0.13+ really writes.
final class PostgresSampleDataTests: XCTestCase {
    /// Every table and column of the reference DDL (`pg_dump -s` of v0.15.1's migrations), with
    /// its type and nullability, is in the generated database, and nothing else.
    func testSchemaIsTheReferenceSchema() async throws {
        let reference = TestSupport.referenceDirectory.appendingPathComponent("fansly-metadata-pg-schema.sql")
        guard FileManager.default.fileExists(atPath: reference.path) else {
            throw XCTSkip(
                "reference schema not found at \(reference.path) (../shared is absent); schema comparison skipped")
        }
        let expected = try Self.referenceColumns(String(contentsOf: reference, encoding: .utf8))
        XCTAssertGreaterThan(expected.count, 150, "the reference parsed")
        let (database, _) = try await TestPostgres.sampleDatabase(self, shape: .v013)
        let actual = try database.rows(
            """
            SELECT table_name || '.' || column_name || ' ' ||
                   CASE WHEN data_type = 'USER-DEFINED' THEN udt_name::text ELSE data_type END ||
                   CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1
            """
        ).compactMap { $0[0] }
        XCTAssertEqual(actual, expected.sorted())
        let labels = try database.value("SELECT string_agg(enumlabel::text, ',' ORDER BY enumsortorder) FROM pg_enum")
        XCTAssertEqual(labels, "ACCOUNT_MEDIA,ACCOUNT_MEDIA_BUNDLE,POLL,STORY,AGGREGATED_POSTS,TIP_GOALS")
        let revision = try database.value("SELECT version_num::text FROM alembic_version")
        XCTAssertEqual(revision, "b6d60f698c27")
        let keys = try database.value("SELECT count(*)::text FROM pg_constraint WHERE contype = 'f'")
        let referenceKeys =
            try String(contentsOf: reference, encoding: .utf8).components(separatedBy: "FOREIGN KEY").count - 1
        XCTAssertEqual(keys, String(referenceKeys), "the reference's foreign keys, holding for the generated rows")
    }

    /// `table.column type [NOT NULL]` for every column of every `CREATE TABLE` in a pg_dump.
    static func referenceColumns(_ ddl: String) throws -> [String] {
        var columns: [String] = []
        var table: String?
        for line in ddl.split(separator: "\n").map(String.init) {
            if line.hasPrefix("CREATE TABLE public.") {
                table = String(line.dropFirst("CREATE TABLE public.".count).prefix { $0 != " " })
            } else if line.hasPrefix(")") {
                table = nil
            } else if let table, !line.trimmingCharacters(in: .whitespaces).hasPrefix("CONSTRAINT") {
                var text = line.trimmingCharacters(in: .whitespaces)
                if text.hasSuffix(",") { text.removeLast() }
                let name =
                    text.hasPrefix("\"")
                    ? String(text.dropFirst().prefix { $0 != "\"" }) : String(text.prefix { $0 != " " })
                var rest = String(text.dropFirst(text.hasPrefix("\"") ? name.count + 2 : name.count))
                    .trimmingCharacters(in: .whitespaces)
                let notNull = rest.hasSuffix("NOT NULL")
                if let range = rest.range(of: " DEFAULT ") { rest = String(rest[..<range.lowerBound]) }
                rest = rest.replacingOccurrences(of: " NOT NULL", with: "")
                    .replacingOccurrences(of: "public.", with: "")
                    .replacingOccurrences(of: #"\(\d+\)"#, with: "", options: .regularExpression)
                columns.append("\(table).\(name) \(rest)\(notNull ? " NOT NULL" : "")")
            }
        }
        return columns
    }

    /// The migrated shape is the SQLite sample carried over: the same rows in every table the
    /// two schemas share (post_mentions gains its id, timestamps become timestamptz).
    func testMigratedShapeHoldsTheSQLiteSampleRows() async throws {
        let (database, files) = try await TestPostgres.sampleDatabase(self, shape: .migrated)
        XCTAssertEqual(files, SampleDatabase.downloadedFiles(options: .sample), "the same files on disk")
        let sqlite = try SQLiteSample.read()
        for (table, expected) in sqlite.counts {
            XCTAssertEqual(try database.value("SELECT count(*)::text FROM \"\(table)\""), String(expected), table)
        }
        // Values survive the type changes: ids, texts, flags and every timestamp style.
        let pgMedia = try database.rows(
            """
            SELECT id::text || '|' || coalesce(local_filename, '') || '|' || (CASE WHEN is_downloaded THEN 1 ELSE 0 END)::text
                   || '|' || coalesce(content_hash, '') FROM media ORDER BY id
            """
        ).compactMap { $0[0] }
        XCTAssertEqual(pgMedia, sqlite.media)
        let pgPostTimes = try database.rows(
            """
            SELECT id::text, to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM posts ORDER BY id
            """)
        let sqlitePostTimes = sqlite.postTimes
        XCTAssertEqual(
            pgPostTimes, sqlitePostTimes,
            "text, fraction-less, integer-second and millisecond stamps all become the same instants")
    }

    /// The v0.13 shape has every trait the reference lists for databases v0.13+ writes.
    func testV013ShapeHasWhatV013Writes() async throws {
        let (database, files) = try await TestPostgres.sampleDatabase(self, shape: .v013)
        func count(_ sql: String) throws -> Int { Int(try database.value("SELECT (\(sql))::text") ?? "") ?? -1 }

        XCTAssertEqual(try count("SELECT count(*) FROM attachments"), 0)
        XCTAssertEqual(try count("SELECT count(*) FROM post_mentions"), 0)
        // HLS: the parent video/mp4 row holds the file, named after its variant.
        let hlsParents = try database.rows(
            """
            SELECT m.local_filename, v.id::text FROM media m
            JOIN media_variants mv ON mv."mediaId" = m.id JOIN media v ON v.id = mv."variantId" AND v.type = 302
            WHERE m.type = 2 AND m.is_downloaded
            """)
        XCTAssertGreaterThan(hlsParents.count, 3)
        XCTAssertTrue(hlsParents.contains { ($0[0] ?? "").hasSuffix("_id_\($0[1] ?? "").mp4") }, "\(hlsParents)")
        XCTAssertEqual(
            try count("SELECT count(*) FROM media WHERE type = 302 AND (is_downloaded OR local_filename IS NOT NULL)"),
            0)
        XCTAssertEqual(
            try count(
                "SELECT count(*) FROM media WHERE id IN (SELECT \"variantId\" FROM media_variants) AND \"createdAt\" IS NOT NULL"
            ), 0)
        XCTAssertGreaterThan(try count("SELECT count(*) FROM media_variants"), 0)
        // Real extensions for previews; only real bundles.
        XCTAssertEqual(try count("SELECT count(*) FROM media WHERE local_filename LIKE '%.None'"), 0)
        XCTAssertGreaterThan(try count("SELECT count(*) FROM media WHERE local_filename LIKE '%preview_id%.jpeg'"), 0)
        XCTAssertEqual(
            try count(
                "SELECT count(*) FROM account_media_bundles b WHERE NOT EXISTS (SELECT 1 FROM account_media_bundle_media m WHERE m.bundle_id = b.id)"
            ), 0)
        XCTAssertGreaterThan(try count("SELECT count(*) FROM account_media_bundles"), 0)
        // Stub posts behind pinned_posts, listed in stub_tracker; the real pinned post is not a stub.
        XCTAssertEqual(
            try count(
                """
                SELECT count(*) FROM pinned_posts p JOIN stub_tracker s ON s.table_name = 'posts' AND s.record_id = p."postId"
                JOIN posts ON posts.id = p."postId" WHERE s.reason = 'junction_fk:pinned_posts' AND posts.content IS NULL
                """), 3)
        XCTAssertEqual(
            try count("SELECT count(*) FROM pinned_posts WHERE \"postId\" NOT IN (SELECT record_id FROM stub_tracker)"),
            1)
        // Stories: in media_stories, their files directly under the creator folder.
        XCTAssertEqual(try count("SELECT count(*) FROM media_stories"), 6)
        let storyIds = Set(try database.rows("SELECT \"contentId\"::text FROM media_stories").compactMap { $0[0] })
        let storyFiles = files.filter { storyIds.contains(String($0.accountMediaId)) }
        XCTAssertEqual(storyFiles.count, 6)
        XCTAssertTrue(
            storyFiles.allSatisfy {
                $0.path.range(of: #"^[A-Za-z]+_fansly/(Pictures|Videos)/[^/]+$"#, options: .regularExpression) != nil
            },
            "\(storyFiles.map(\.path))")
        // Media were uploaded before, often long before, the posts that show them.
        let postTimes = Dictionary(
            SampleDatabase.downloadedFiles(options: .sample).map { ($0.accountMediaId, $0.createdAt) }
        ) { a, _ in a }
        let leads = files.compactMap { file in
            postTimes[file.accountMediaId].map { $0.timeIntervalSince(file.createdAt) }
        }
        XCTAssertFalse(leads.isEmpty)
        XCTAssertTrue(leads.allSatisfy { $0 > 0 }, "uploaded before the post")
        XCTAssertTrue(leads.contains { $0 > 86_400 }, "some a day or more before")
        let sharingAPostTime = try count(
            """
            SELECT count(*) FROM account_media am WHERE EXISTS (SELECT 1 FROM posts p WHERE p."createdAt" = am."createdAt")
            """)
        XCTAssertEqual(sharingAPostTime, 0, "no media carries its post's timestamp in the v0.13 shape")
        // The same content otherwise: every migrated-shape media id is here.
        let migrated = Set(SampleDatabase.downloadedFiles(options: .sample).map(\.accountMediaId))
        XCTAssertTrue(migrated.isSubset(of: Set(files.map(\.accountMediaId))))
    }

    /// In both shapes each listed file is the one downloaded row's file name, and vice versa.
    func testFileListMatchesTheDownloadedRowsInBothShapes() async throws {
        for shape in SampleShape.allCases {
            let (database, files) = try await TestPostgres.sampleDatabase(self, shape: shape)
            XCTAssertEqual(files, SamplePostgres.downloadedFiles(options: .sample, shape: shape), "\(shape)")
            let stored = try database.rows("SELECT local_filename FROM media WHERE is_downloaded ORDER BY 1").compactMap
            { $0[0] }
            XCTAssertEqual(stored, files.map { ($0.path as NSString).lastPathComponent }.sorted(), "\(shape)")
            let previews = files.filter(\.isPreview)
            XCTAssertFalse(previews.isEmpty)
            XCTAssertTrue(previews.allSatisfy { $0.path.hasSuffix(shape == .v013 ? ".jpeg" : ".None") }, "\(shape)")
        }
    }

    func testRefusesADatabaseThatHasTables() async throws {
        let database = try TestPostgres.requireServer().createDatabase()
        addTeardownBlock { database.drop() }
        try database.execute("CREATE TABLE precious (id integer)")
        let target = try PostgresTarget(url: database.url)
        do {
            try await SamplePostgres.write(to: target, options: .sample, shape: .v013)
            XCTFail("wrote into a database that has tables")
        } catch {
            XCTAssertTrue("\(error)".contains("already has tables; refusing to write into it"), "\(error)")
            XCTAssertFalse("\(error)".contains(database.server.password), "no password in the message")
        }
        XCTAssertEqual(try database.value("SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'"), "1")
    }

    /// Without a server the PostgreSQL tests are skipped, except under CI, where they fail.
    func testMissingServerSkipsLocallyAndFailsUnderCI() throws {
        XCTAssertNil(try TestPostgres.server(environment: [:]))
        XCTAssertThrowsError(try TestPostgres.server(environment: ["CI": "true"])) { error in
            XCTAssertTrue("\(error)".contains(TestPostgres.variable), "\(error)")
        }
    }
}

/// What the committed SQLite sample holds, read synchronously (GRDB's async reads are not wanted here).
private struct SQLiteSample {
    /// Rows per table the two schemas share.
    var counts: [(String, Int)] = []
    /// `id|local_filename|is_downloaded|content_hash` per media row, in id order.
    var media: [String] = []
    /// `[id, createdAt as YYYY-MM-DD HH:MM:SS UTC]` per post, in id order.
    var postTimes: [[String?]] = []

    static func read() throws -> SQLiteSample {
        let queue = try DatabaseQueue(path: TestSupport.sampleDatabase.path)
        return try queue.read { db in
            var sample = SQLiteSample()
            for table in try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('stories', 'alembic_version') ORDER BY name
                    """)
            {
                sample.counts.append((table, try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"") ?? -1))
            }
            sample.media = try String.fetchAll(
                db,
                sql: """
                    SELECT id || '|' || coalesce(local_filename, '') || '|' || is_downloaded || '|' || coalesce(content_hash, '')
                    FROM media ORDER BY id
                    """)
            let formatter = DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            formatter.locale = Locale(identifier: "en_US_POSIX")
            sample.postTimes = try Row.fetchAll(db, sql: "SELECT id, \"createdAt\" FROM posts ORDER BY id").map {
                row -> [String?] in
                let id = String(row[0] as Int64)
                switch (row[1] as DatabaseValue).storage {
                case .int64(let number):
                    let seconds = number > 10_000_000_000 ? number / 1_000 : number
                    return [id, formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))]
                case .string(let text): return [id, String(text.prefix(19))]
                default: return [id, nil]
                }
            }
            return sample
        }
    }
}
