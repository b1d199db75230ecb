import FanslyMetadata
import XCTest

@testable import MappingRules

/// Each example rule set loads and produces the output its README documents on the sample database.
final class ExampleRuleSetsTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let examples = ["rules-fansdb", "rules-couple", "rules-minimal"]

    static let state: [String: DesiredState] = {
        var result: [String: DesiredState] = [:]
        guard
            let database = try? MetadataDatabase(
                path: root.appendingPathComponent("examples/sample-metadata.sqlite3").path)
        else { return [:] }
        for name in examples {
            let rules = root.appendingPathComponent("examples/\(name)/rules.yaml")
            result[name] = try? MappingEngine(rules: RuleSet.load(files: [rules])).evaluate(database: database)
        }
        return result
    }()

    /// The `<address> <field> = <value>` and `<address> (none)` lines of the README's output block.
    func documentedLines(_ name: String) throws -> [String] {
        let readme = try String(
            contentsOf: Self.root.appendingPathComponent("examples/\(name)/README.md"), encoding: .utf8)
        let section = try XCTUnwrap(
            readme.components(separatedBy: "## Output on the sample database").dropFirst().first,
            "\(name)/README.md has no output section")
        let block = try XCTUnwrap(
            section.components(separatedBy: "```text\n").dropFirst().first?.components(separatedBy: "```").first)
        return block.split(separator: "\n").map(String.init)
    }

    func check(_ name: String) throws {
        let rules = Self.root.appendingPathComponent("examples/\(name)/rules.yaml")
        XCTAssertNoThrow(try RuleSet.load(files: [rules]), "\(name) does not load")
        let state = try XCTUnwrap(Self.state[name], "\(name) could not be evaluated")
        let lines = try documentedLines(name)
        XCTAssertGreaterThanOrEqual(lines.count, 3, "\(name)/README.md documents too little")
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            if parts.count == 2, parts[1] == "(none)" {
                XCTAssertNil(state[parts[0]], "\(name): \(parts[0]) is produced, the README says it is not")
                continue
            }
            guard parts.count == 4, parts[2] == "=" else { XCTFail("\(name): unreadable line \(line)"); continue }
            let entity = try XCTUnwrap(state[parts[0]], "\(name): \(parts[0]) is not produced")
            XCTAssertEqual(entity[field: parts[1]]?.value.displayText, parts[3], "\(name): \(parts[0]) \(parts[1])")
        }
    }

    func testFansDBStyleTitles() throws { try check("rules-fansdb") }
    func testCoupleAccountMappedToTwoPerformers() throws { try check("rules-couple") }
    func testMinimalRules() throws { try check("rules-minimal") }

    func testEveryExampleHasAReadmeAndNamesTheSchema() throws {
        let folders = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent("examples").path
        )
        .filter { $0.hasPrefix("rules-") }
        XCTAssertEqual(Set(folders), Set(Self.examples), "every examples/rules-* folder is tested here")
        for name in folders {
            let yaml = try String(
                contentsOf: Self.root.appendingPathComponent("examples/\(name)/rules.yaml"), encoding: .utf8)
            XCTAssertTrue(
                yaml.hasPrefix("# yaml-language-server: $schema=../../rules/fansly-stash-rules.schema.json"), name)
        }
    }
}
