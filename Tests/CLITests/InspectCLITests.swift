import Foundation
import SampleData
import XCTest

/// `fansly-stash inspect` end to end: the built binary on real files.
final class InspectCLITests: XCTestCase {
    private var sample: String { CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path }

    func testReadmeQuickStartCommandPrintsATablePerCreator() throws {
        // The README's quick start runs exactly this from the package root.
        let result = try CLI.run(["inspect", "--db", "examples/sample-metadata.sqlite3"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "\(sample) (alembic 06658bf47c03): 3 creators")
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("creator") })
        XCTAssertEqual(
            header.split(separator: " ").map(String.init),
            [
                "creator", "id", "posts", "messages", "bundles", "walls", "images", "videos", "previews", "downloaded",
                "hashtags",
            ])
        let luna = try XCTUnwrap(lines.first { $0.hasPrefix("LunaVesper ") }).split(separator: " ").map(String.init)
        XCTAssertEqual(luna.count, 11)
        XCTAssertEqual(luna[4], "1", "one real bundle; phantom bundles are not counted")
        XCTAssertEqual(luna[5], "2", "two walls")
        XCTAssertTrue(lines.contains { $0.hasPrefix("MiraKestrel ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("NoraQuill ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("total ") })
    }

    func testJSONOutputMatchesTheTableAndTheFileList() throws {
        let result = try CLI.run(["inspect", "--db", sample, "--json"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        struct Report: Decodable {
            struct Creator: Decodable {
                var id, username: String
                var posts, messages, bundles, walls, images, videos, previews, downloadedMedia, hashtags: Int
            }
            var database: String
            var alembicVersion: String?
            var creators: [Creator]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(report.database, sample)
        XCTAssertEqual(report.alembicVersion, "06658bf47c03")
        XCTAssertEqual(report.creators.map(\.username), ["LunaVesper", "MiraKestrel", "NoraQuill"])
        XCTAssertTrue(report.creators.allSatisfy { Int64($0.id) != nil && $0.id.count == 18 })
        // Each downloaded file belongs to one item; the reposted item's owner is Nora, its folder Luna's.
        let files = SampleDatabase.downloadedFiles(options: .sample)
        XCTAssertEqual(report.creators.map(\.downloadedMedia).reduce(0, +), files.count)
        let ownerCounts = Dictionary(grouping: files, by: \.ownerId).mapValues(\.count)
        for creator in report.creators {
            XCTAssertEqual(creator.downloadedMedia, ownerCounts[Int64(creator.id)!], creator.username)
        }
        let luna = report.creators[0]
        XCTAssertEqual(luna.walls, 2)
        XCTAssertGreaterThan(luna.videos, 0)
        XCTAssertGreaterThan(luna.previews, 0)
    }

    func testCreatorFilterIsCaseInsensitiveRepeatableAndAcceptsIds() throws {
        let all = try CLI.run(["inspect", "--db", sample, "--json"])
        let id = try XCTUnwrap(all.stdout.components(separatedBy: "\"id\" : \"").dropFirst().first?.prefix(18))
        let result = try CLI.run(["inspect", "--db", sample, "--creator", "noraquill", "--creator", String(id)])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let table = result.stdout.components(separatedBy: "\n\nThe total leaves").first ?? ""
        let names = table.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertEqual(Array(names.dropFirst(2)), ["NoraQuill", "LunaVesper", "total"], "in the order asked for")
    }

    func testUnknownCreatorSuggestsAndFails() throws {
        let result = try CLI.run(["inspect", "--db", sample, "--creator", "mirakestrl"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(
            result.stderr.contains("No creator 'mirakestrl' in \(sample). Did you mean 'MiraKestrel'?"), result.stderr)
    }

    func testBadFilesFailWithClearErrors() throws {
        let directory = try CLI.temporaryDirectory(self)
        let empty = directory.appendingPathComponent("empty.sqlite3")
        try Data().write(to: empty)
        let text = directory.appendingPathComponent("notes.txt")
        try Data("not a database".utf8).write(to: text)
        let cases: [(String, String)] = [
            (
                directory.appendingPathComponent("missing.sqlite3").path,
                "No such file: \(directory.path)/missing.sqlite3."
            ),
            (empty.path, "\(empty.path) is empty (0 bytes)"),
            (text.path, "\(text.path) is not an SQLite database."),
            (directory.path, "\(directory.path) is a directory, not a database file."),
        ]
        for (path, message) in cases {
            let result = try CLI.run(["inspect", "--db", path])
            XCTAssertEqual(result.exitCode, 1, path)
            XCTAssertEqual(result.stdout, "", path)
            XCTAssertTrue(result.stderr.contains(message), "\(path): \(result.stderr)")
        }
        let missingOption = try CLI.run(["inspect"])
        XCTAssertNotEqual(missingOption.exitCode, 0)
        XCTAssertTrue(missingOption.stderr.contains("--db"), missingOption.stderr)
    }

    func testEmptyMetadataDatabaseSaysSo() throws {
        let url = try CLI.temporaryDirectory(self).appendingPathComponent("metadata_db.sqlite3")
        try SampleDatabase.writeEmpty(to: url)
        let result = try CLI.run(["inspect", "--db", url.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            "\(url.path) (alembic 06658bf47c03): 0 creators\n\nNo creators: the database holds no posts, media or walls yet.\n"
        )
        let json = try CLI.run(["inspect", "--db", url.path, "--json"])
        XCTAssertTrue(json.stdout.contains("\"creators\" : [\n\n  ]"), json.stdout)
    }
}
