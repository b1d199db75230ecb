import FanslyMetadata
import XCTest

@testable import MappingRules

/// `MappingEngine.creatorFolders` gives, before any record is read, the folders `evaluate` lists.
final class CreatorFoldersTests: XCTestCase {
    @discardableResult
    private func assertSameFolders(
        _ yaml: String?, creators: [String]? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> [String: [String]] {
        let database = try MetadataDatabase(path: GoldenTests.sampleDatabase.path)
        let rules = try yaml.map { try RuleSet.load(yaml: $0) } ?? RuleSet.builtInDefault()
        let accounts = try creators?.map { try database.creator(matching: $0) }
        let engine = MappingEngine(rules: rules)
        let early = try engine.creatorFolders(source: database, creators: accounts)
        let evaluated = try engine.evaluate(database: database, creators: accounts).creatorFolders
        XCTAssertFalse(evaluated.isEmpty, file: file, line: line)
        XCTAssertEqual(early, evaluated, file: file, line: line)
        return early
    }

    func testDefaultRulesEveryCreatorAndSome() throws {
        try assertSameFolders(nil)
        try assertSameFolders(nil, creators: ["lunavesper", "NoraQuill"])
    }

    func testDownloadRootPathMapAndLeftOutAccounts() throws {
        let folders = try assertSameFolders(
            """
            extends: default
            settings:
              downloadRoot: /downloads/
              pathMap:
                - from: /downloads
                  to: /data/fansly
              creatorFolders:
                - "{{ account.username }}_fansly"
                - "/elsewhere/{{ account.username | lower }}"
                - "{{ account.username }}_fansly"
            account:
              when: { account.username: { notIn: [StudioPal] } }
            """)
        XCTAssertNil(folders["StudioPal"])
        XCTAssertEqual(folders["LunaVesper"], ["/data/fansly/LunaVesper_fansly", "/elsewhere/lunavesper"])
    }
}
