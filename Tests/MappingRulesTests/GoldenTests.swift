import FanslyMetadata
import XCTest

@testable import MappingRules

/// The default rules on the bundled sample database, compared with a stored golden output.
/// Regenerate after an intended change with `REGENERATE_GOLDEN=1 swift test --filter GoldenTests`
/// and review the diff of `Tests/MappingRulesTests/Golden/`.
final class GoldenTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sampleDatabase = packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3")
    static let goldenFolder = packageRoot.appendingPathComponent("Tests/MappingRulesTests/Golden")

    /// The default rules with a fixed download folder, so that the output does not depend on the checkout path.
    static func defaultRulesWithFixedRoot() throws -> RuleSet {
        try RuleSet.load(
            yaml: """
                extends: default
                settings:
                  downloadRoot: /downloads
                  pathMap:
                    - from: /downloads
                      to: /data/fansly
                """, name: "golden.yaml")
    }

    static func encode(_ state: DesiredState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(state) + Data("\n".utf8)
    }

    func compareWithGolden(_ state: DesiredState, name: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        let data = try Self.encode(state)
        let url = Self.goldenFolder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["REGENERATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenFolder, withIntermediateDirectories: true)
            try data.write(to: url)
            return
        }
        guard let expected = try? Data(contentsOf: url) else {
            XCTFail(
                "missing golden file \(url.path); run REGENERATE_GOLDEN=1 swift test --filter GoldenTests", file: file,
                line: line)
            return
        }
        if expected != data {
            let expectedLines = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
            let actualLines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            let firstDifference = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
            let where_ =
                firstDifference.map {
                    "line \($0.offset + 1): expected \($0.element.0.trimmingCharacters(in: .whitespaces)) got \($0.element.1.trimmingCharacters(in: .whitespaces))"
                }
                ?? "lengths differ (\(expectedLines.count) vs \(actualLines.count) lines)"
            XCTFail(
                "\(name) differs from the golden output at \(where_); if intended, regenerate with REGENERATE_GOLDEN=1",
                file: file, line: line)
        }
    }

    func testDefaultRulesOnTheSampleDatabase() throws {
        let database = try MetadataDatabase(path: Self.sampleDatabase.path)
        let state = try MappingEngine(rules: Self.defaultRulesWithFixedRoot()).evaluate(database: database)
        XCTAssertFalse(state.entities.isEmpty)
        try compareWithGolden(state, name: "default-sample.json")
    }

    func testEveryDownloadedSampleFileHasAnEntity() throws {
        // The generator's file list is an independent account of what is on disk.
        let files = try String(
            contentsOf: Self.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8
        )
        .split(separator: "\n").map(String.init)
        let database = try MetadataDatabase(path: Self.sampleDatabase.path)
        let state = try MappingEngine(rules: Self.defaultRulesWithFixedRoot()).evaluate(database: database)
        let expectedIds = Set(state.entities.flatMap(\.files).map(\.fileMediaId))
        let regex = try NSRegularExpression(pattern: "_(?:preview_)?id_(\\d+)\\.")
        var missing: [String] = []
        for path in files {
            guard let match = regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)),
                let range = Range(match.range(at: 1), in: path), let id = Int64(path[range])
            else { continue }
            if !expectedIds.contains(id) { missing.append(path) }
        }
        XCTAssertEqual(missing, [], "files on disk that no desired scene/image expects")
        for entity in state.entities where entity.address.kind == .scene || entity.address.kind == .image {
            for file in entity.files {
                XCTAssertTrue(file.folders.allSatisfy { $0.hasPrefix("/data/fansly/") }, "\(entity.address)")
            }
        }
    }
}
