import Foundation
import PostgresTestSupport
import SampleData
import XCTest

/// The built `fansly-sample` writing into PostgreSQL.
final class SampleCLITests: XCTestCase {
    /// `fansly-sample --postgres` fills an empty database and lists its files; it never shows the
    /// password it was given in the URL, and refuses a database that has tables.
    func testSampleGeneratorWritesPostgresAndTheFileList() throws {
        let server = try TestPostgres.requireServer()
        let database = try server.createDatabase(prefix: "fs_cli_sample")
        addTeardownBlock { database.drop() }
        let list = try CLI.temporaryDirectory(self).appendingPathComponent("files.txt")
        let result = try CLI.run(
            ["--postgres", database.url, "--shape", "v013", "--files", list.path], executable: "fansly-sample")
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.stdout.contains("(v013 shape)"), result.stdout)
        XCTAssertFalse(result.output.contains(server.password), "the password was printed: \(result.output)")
        let expected =
            SamplePostgres.downloadedFiles(options: .sample, shape: .v013).map(\.path).joined(separator: "\n") + "\n"
        XCTAssertEqual(try String(contentsOf: list, encoding: .utf8), expected)
        XCTAssertEqual(try database.value("SELECT count(*)::text FROM media_stories"), "6")

        let again = try CLI.run(["--postgres", database.url, "--shape", "migrated"], executable: "fansly-sample")
        XCTAssertEqual(again.exitCode, 1, again.output)
        XCTAssertTrue(again.stderr.contains("already has tables"), again.stderr)
        XCTAssertFalse(again.output.contains(server.password), again.output)
    }
}
