import Foundation
import GRDB
import SampleData
import XCTest

final class SampleDataTests: XCTestCase {
    /// The generated DDL is the reference schema, statement for statement (compared after SQLite's
    /// own normalisation of `IF NOT EXISTS` and whitespace).
    func testGeneratedSchemaMatchesReferenceSchema() throws {
        let reference = TestSupport.referenceDirectory.appendingPathComponent("fansly-metadata-schema.sql")
        guard FileManager.default.fileExists(atPath: reference.path) else {
            throw XCTSkip(
                "reference schema not found at \(reference.path) (../shared is absent); schema comparison skipped")
        }
        let text = try String(contentsOf: reference, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("--") }.joined(
                separator: "\n")
        let expected = text.components(separatedBy: ";\n").map(normalise).filter { !$0.isEmpty }
        let url = try TestSupport.generatedSample(self)
        let actual = try DatabaseQueue(path: url.path).read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
        }.map(normalise)
        XCTAssertEqual(actual.count, expected.count)
        for (index, (got, want)) in zip(actual, expected).enumerated() {
            XCTAssertEqual(got, want, "statement \(index) differs")
        }
    }

    private func normalise(_ sql: String) -> String {
        sql.replacingOccurrences(of: "IF NOT EXISTS ", with: "")
            .replacingOccurrences(of: ";", with: "")
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The committed sample and file list are exactly what the generator produces today.
    func testCommittedSampleEqualsFreshGeneration() throws {
        let fresh = try TestSupport.generatedSample(self)
        XCTAssertEqual(
            try dump(TestSupport.sampleDatabase), try dump(fresh),
            "examples/sample-metadata.sqlite3 is stale: regenerate it with `swift run fansly-sample --out examples/sample-metadata.sqlite3 --files examples/sample-files.txt --force`"
        )
        let committedList = try String(contentsOf: TestSupport.sampleFileList, encoding: .utf8)
        let freshList = SampleDatabase.downloadedFiles(options: .sample).map(\.path).joined(separator: "\n") + "\n"
        XCTAssertEqual(committedList, freshList, "examples/sample-files.txt is stale")
    }

    func testWriteReturnsTheSameFilesAsDownloadedFilesAndIsDeterministic() throws {
        let directory = try TestSupport.temporaryDirectory(self)
        let first = try SampleDatabase.write(to: directory.appendingPathComponent("a.sqlite3"), options: .sample)
        let second = try SampleDatabase.write(to: directory.appendingPathComponent("b.sqlite3"), options: .sample)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first, SampleDatabase.downloadedFiles(options: .sample))
        XCTAssertEqual(
            try dump(directory.appendingPathComponent("a.sqlite3")),
            try dump(directory.appendingPathComponent("b.sqlite3")))
        var other = SampleOptions.sample
        other.seed = 42
        XCTAssertNotEqual(SampleDatabase.downloadedFiles(options: other), first, "the seed must matter")
    }

    /// Every listed file is the row the downloader marked downloaded, named by the reference's scheme.
    func testDownloadedFilesMatchTheDatabaseRows() throws {
        let url = try TestSupport.generatedSample(self)
        let files = SampleDatabase.downloadedFiles(options: .sample)
        let pattern = try NSRegularExpression(
            pattern:
                #"^[A-Za-z0-9_]+_fansly/(Timeline|Messages)/(Pictures|Videos)/\d{4}-\d{2}-\d{2}_at_\d{2}-\d{2}_UTC_(id|preview_id)_(\d+)\.(jpeg|png|mp4|None)$"#
        )
        try DatabaseQueue(path: url.path).read { db in
            for file in files {
                let range = NSRange(file.path.startIndex..., in: file.path)
                XCTAssertNotNil(pattern.firstMatch(in: file.path, range: range), file.path)
                let row = try XCTUnwrap(
                    Row.fetchOne(
                        db, sql: "SELECT local_filename, is_downloaded, content_hash FROM media WHERE id = ?",
                        arguments: [file.fileId]), file.path)
                XCTAssertEqual(row[0] as String?, (file.path as NSString).lastPathComponent)
                XCTAssertEqual(row[1] as Int?, 1)
                XCTAssertEqual(row[2] as String?, file.contentHash)
                XCTAssertEqual(file.isPreview, file.path.hasSuffix(".None"))
                XCTAssertEqual(file.isPreview, file.path.contains("_preview_id_"))
            }
            let downloadedRows = try Int.fetchOne(db, sql: "SELECT count(*) FROM media WHERE is_downloaded = 1")
            XCTAssertEqual(downloadedRows, files.count, "every downloaded media row has exactly one listed file")
        }
        XCTAssertEqual(Set(files.map(\.creator)), ["LunaVesper", "MiraKestrel", "NoraQuill"])
        XCTAssertTrue(files.contains { $0.isVideo && $0.path.contains("/Videos/") })
        XCTAssertTrue(files.contains { $0.path.contains("/Messages/") })
    }

    func testLargeOptionsProduceTheRequestedCounts() throws {
        let url = try TestSupport.generatedSample(
            self, options: .large(creators: 2, postsPerCreator: 30, mediaPerPost: 3))
        try DatabaseQueue(path: url.path).read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM posts"), 60)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(DISTINCT \"accountId\") FROM posts"), 2)
            let postMedia = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM account_media WHERE id IN (
                        SELECT "contentId" FROM attachments WHERE "postId" IS NOT NULL AND "contentType" = 'ACCOUNT_MEDIA'
                        UNION SELECT media_id FROM account_media_bundle_media)
                    """)
            XCTAssertEqual(postMedia, 180)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages"), 2 * (30 / 20))
            XCTAssertEqual(
                try String.fetchOne(db, sql: "SELECT version_num FROM alembic_version"), FanslySchema.alembicRevision)
        }
    }

    func testRefusesToOverwriteAnExistingFile() throws {
        let url = try TestSupport.temporaryDirectory(self).appendingPathComponent("metadata_db.sqlite3")
        try Data("precious".utf8).write(to: url)
        XCTAssertThrowsError(try SampleDatabase.write(to: url, options: .sample)) { error in
            XCTAssertTrue("\(error)".contains("already exists; refusing to overwrite"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "precious")
        XCTAssertThrowsError(
            try SampleDatabase.write(to: url.appendingPathComponent("nested/x.sqlite3"), options: .sample)
        ) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    func testSampleStoresTimestampsAsTextWithToleratedVariants() throws {
        try DatabaseQueue(path: TestSupport.sampleDatabase.path).read { db in
            let types = try Row.fetchAll(db, sql: "SELECT typeof(\"createdAt\"), \"createdAt\" FROM posts")
            let text = types.filter { ($0[0] as String) == "text" }.map { $0[1] as String }
            XCTAssertGreaterThan(text.count, 10)
            XCTAssertTrue(
                text.contains {
                    $0.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$"#, options: .regularExpression) != nil
                })
            XCTAssertTrue(
                text.contains {
                    $0.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"#, options: .regularExpression) != nil
                })
            let integers = types.filter { ($0[0] as String) == "integer" }.map { $0[1] as Int64 }
            XCTAssertTrue(integers.contains { $0 < 10_000_000_000 }, "one post in integer seconds")
            XCTAssertTrue(integers.contains { $0 > 10_000_000_000 }, "one post in integer milliseconds")
        }
    }

    /// Every row of every table, with SQLite's storage classes, in table-name then rowid order.
    private func dump(_ url: URL) throws -> [String] {
        try DatabaseQueue(
            path: url.path,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }()
        ).read { db in
            var lines = try String.fetchAll(db, sql: "SELECT coalesce(sql, name) FROM sqlite_master ORDER BY rowid")
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" ORDER BY rowid") {
                    lines.append(table + ": " + row.databaseValues.map(\.description).joined(separator: " | "))
                }
            }
            return lines
        }
    }
}
