import FanslyMetadata
import Foundation
import MappingRules
import XCTest

@testable import SyncEngine

/// `inspect` and `rules explain` as a plugin calls them: one call each, over the bundled sample database.
final class InspectExplainOperationTests: XCTestCase {
    private static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/sample-metadata.sqlite3").path

    func testInspectSummarisesTheCreatorsNamedEachOnceInTheOrderGiven() throws {
        let all = try InspectOperation.run(database: Self.sample, creators: [], progress: { _ in })
        XCTAssertEqual(all.creators.map(\.account.username), ["LunaVesper", "MiraKestrel", "NoraQuill"])
        XCTAssertEqual(all.alembicVersion, "06658bf47c03")
        XCTAssertEqual(all.databaseName, Self.sample)
        let luna = all.creators[0]
        let named = try InspectOperation.run(
            database: Self.sample, creators: ["noraquill", String(luna.account.id), "LUNAVESPER"], progress: { _ in })
        XCTAssertEqual(named.creators.map(\.account.username), ["NoraQuill", "LunaVesper"])
        XCTAssertEqual(named.creators[1], luna, "a creator named twice (by id and by name) is summarised once")
        XCTAssertThrowsError(
            try InspectOperation.run(database: Self.sample, creators: ["nobody"], progress: { _ in })
        ) { error in
            XCTAssertTrue("\(error)".hasPrefix("No creator 'nobody' in "), "\(error)")
            XCTAssertTrue("\(error)".contains("Creators: "), "names the creators there are: \(error)")
        }
    }

    func testExplainLooksUpTheAccountAndSaysWhenTheRecordIsMissing() throws {
        let rules = try RuleSet.load(paths: [])
        let account = try ExplainOperation.run(
            .account("mirakestrel"), rules: rules, database: Self.sample, progress: { _ in })
        XCTAssertEqual(account.label, "account MiraKestrel")
        XCTAssertEqual(account.explanation?.creator, "MiraKestrel")
        XCTAssertFalse(account.explanation?.entities.isEmpty ?? true)
        let missing = try ExplainOperation.run(.post(1), rules: rules, database: Self.sample, progress: { _ in })
        XCTAssertEqual(missing.label, "post 1")
        XCTAssertEqual(missing.databaseName, Self.sample)
        XCTAssertNil(missing.explanation)
        XCTAssertThrowsError(
            try ExplainOperation.run(.account("nobody"), rules: rules, database: Self.sample, progress: { _ in })
        ) { error in
            XCTAssertTrue("\(error)".hasPrefix("No creator 'nobody' in "), "\(error)")
        }
    }
}
