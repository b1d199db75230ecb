import FanslyMetadata
import Foundation
import PostgresTestSupport
import SampleData
import XCTest

@testable import MappingRules

/// The golden tests on PostgreSQL: the generated sample in the migrated shape gives exactly the
/// SQLite golden output (the data agree), and the v0.13 shape has its own golden output.
/// Regenerate the v0.13 one with `REGENERATE_GOLDEN=1 swift test --filter PostgresGoldenTests`.
final class PostgresGoldenTests: XCTestCase {
    private func state(shape: SampleShape) async throws -> (DesiredState, [SampleFile]) {
        let (database, files) = try await TestPostgres.sampleDatabase(self, shape: shape)
        let store = try PostgresMetadataDatabase(endpoint: PostgresEndpoint.parse(url: database.url, environment: [:]))
        addTeardownBlock { store.close() }
        let state = try MappingEngine(rules: GoldenTests.defaultRulesWithFixedRoot()).evaluate(store: store)
        return (state, files)
    }

    func testMigratedShapeGivesTheSQLiteGoldenState() async throws {
        let (state, _) = try await state(shape: .migrated)
        let golden = try Data(contentsOf: GoldenTests.goldenFolder.appendingPathComponent("default-sample.json"))
        let sqlite = try MappingEngine(rules: GoldenTests.defaultRulesWithFixedRoot())
            .evaluate(database: MetadataDatabase(path: GoldenTests.sampleDatabase.path))
        XCTAssertEqual(try GoldenTests.encode(sqlite), golden, "the SQLite golden output is current")
        assertSameLines(
            try GoldenTests.encode(state), golden, "PostgreSQL (migrated shape) vs the SQLite golden output")
    }

    func testV013ShapeGoldenState() async throws {
        let (state, _) = try await state(shape: .v013)
        let data = try GoldenTests.encode(state)
        let url = GoldenTests.goldenFolder.appendingPathComponent("default-sample-v013.json")
        if ProcessInfo.processInfo.environment["REGENERATE_GOLDEN"] == "1" {
            try data.write(to: url)
            return
        }
        let golden = try XCTUnwrap(
            try? Data(contentsOf: url),
            "missing \(url.path); run REGENERATE_GOLDEN=1 swift test --filter PostgresGoldenTests")
        assertSameLines(data, golden, "default-sample-v013.json")
    }

    /// Every file the v0.13 downloader wrote is expected by a scene or image of its owner, dated
    /// by the item's upload time (its `account_media.createdAt`), never by a post.
    func testEveryV013FileHasAnEntityOfItsCreatorAndDate() async throws {
        let (state, files) = try await state(shape: .v013)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        var problems: [String] = []
        for file in files {
            guard
                let entity = state.entities.first(where: { entity in
                    entity.files.contains { $0.fileMediaId == file.fileId }
                })
            else {
                problems.append("\(file.path): no entity"); continue
            }
            let date = entity.fields.first { $0.name == "date" }.map { "\($0.value)" } ?? "none"
            if !date.contains(formatter.string(from: file.createdAt)) { problems.append("\(file.path): date \(date)") }
            let studio = entity.fields.first { $0.name == "studio_id" }.map { "\($0.value)" } ?? "none"
            if !studio.contains("studio.account.") { problems.append("\(file.path): studio \(studio)") }
        }
        XCTAssertEqual(problems, [])
    }

    private func assertSameLines(
        _ actual: Data, _ expected: Data, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard actual != expected else { return }
        let actualLines = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
        let expectedLines = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
        let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
        XCTFail(
            "\(what) differs at "
                + (first.map { "line \($0.offset + 1): expected \($0.element.0) got \($0.element.1)" }
                    ?? "the end (\(expectedLines.count) vs \(actualLines.count) lines)"),
            file: file, line: line)
    }
}
