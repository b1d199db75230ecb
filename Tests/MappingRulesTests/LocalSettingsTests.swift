import FanslyMetadata
import XCTest

@testable import MappingRules

/// `settings.downloadRoot` as people write it (`~/fansly`, a path relative to the rule file) and
/// the rules' `custom_fields`.
final class LocalSettingsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("local-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("downloads"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func load(_ yaml: String) throws -> RuleSet {
        let file = folder.appendingPathComponent("rules.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try RuleSet.load(files: [file])
    }

    func testARelativeDownloadRootIsResolvedAgainstTheRuleFile() throws {
        let rules = try load("extends: default\nsettings:\n  downloadRoot: ./downloads/\n")
        XCTAssertEqual(rules.downloadRootSetting, folder.appendingPathComponent("downloads").standardizedFileURL.path)
        XCTAssertEqual(rules.warnings, [], "the folder exists")
        let database = try MetadataDatabase(path: GoldenTests.sampleDatabase.path)
        let folders = try MappingEngine(rules: rules).creatorFolders(source: database)
        XCTAssertTrue(
            folders.values.joined().allSatisfy { $0.hasPrefix(rules.downloadRootSetting! + "/") }, "\(folders)")
        let layout = try MappingEngine(rules: rules).evaluate(database: database).folderLayout
        XCTAssertEqual(layout?.stashRoot, rules.downloadRootSetting)
        XCTAssertEqual(layout?.configured, true)
        XCTAssertTrue(layout?.allNames.contains("LunaVesper_fansly") ?? false, "\(String(describing: layout))")
    }

    func testATildeIsTheHomeFolderAndAMissingRootIsReported() throws {
        let rules = try load("extends: default\nsettings:\n  downloadRoot: ~/fansly-\(UUID().uuidString)\n")
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        XCTAssertTrue(
            rules.downloadRootSetting?.hasPrefix(home + "/fansly-") ?? false,
            String(describing: rules.downloadRootSetting))
        XCTAssertEqual(rules.warnings.count, 1)
        let warning = try XCTUnwrap(rules.warnings.first)
        XCTAssertEqual(warning.location.line, 3)
        XCTAssertTrue(warning.message.contains("is not a folder on this machine"), warning.message)
    }

    func testCommandLineSettingsComeFirstAndKeepTheRulesHash() throws {
        let rules = try load("extends: default\nsettings:\n  pathMap:\n    - from: /a\n      to: /b\n")
        let overridden = rules.overridingSettings(
            downloadRoot: folder.path, pathMap: [PathMapping(from: folder.path, to: "/data/fansly")])
        XCTAssertEqual(
            PathMapping(argument: "~/fansly=/data/fansly"), PathMapping(from: "~/fansly", to: "/data/fansly"))
        XCTAssertNil(PathMapping(argument: "fansly=/data/fansly"), "FROM is a path on this machine")
        XCTAssertNil(PathMapping(argument: "/x"))
        XCTAssertEqual(rules.overridingSettings(downloadRoot: "/nowhere-\(UUID().uuidString)").warnings.count, 1)
        XCTAssertEqual(overridden.canonicalData, rules.canonicalData)
        XCTAssertEqual(overridden.downloadRootSetting, folder.standardizedFileURL.path)
        let database = try MetadataDatabase(path: GoldenTests.sampleDatabase.path)
        let folders = try MappingEngine(rules: overridden).creatorFolders(source: database)
        XCTAssertTrue(folders.values.joined().allSatisfy { $0.hasPrefix("/data/fansly/") }, "\(folders)")
    }

    func testCustomFieldsArePlannedAsFieldsOfTheirEntity() throws {
        let rules = try RuleSet.load(
            yaml: """
                extends: default
                post:
                  scene:
                    custom_fields:
                      fansly_post_id: "{{ post.id }}"
                      fansly_media_id:
                        value: "{{ media.id }}"
                        strategy: overwrite
                account:
                  studio:
                    custom_fields: { fansly_account_id: "{{ account.id }}" }
                """)
        let database = try MetadataDatabase(path: GoldenTests.sampleDatabase.path)
        let state = try MappingEngine(rules: rules).evaluate(database: database)
        let scene = try XCTUnwrap(state.entities.first { $0.address.kind == .scene && $0.source.hasPrefix("post") })
        guard case .string(let postId)? = scene[field: "custom_fields.fansly_post_id"]?.value else {
            return XCTFail("\(scene.fields.map(\.name))")
        }
        XCTAssertTrue(scene.source.contains(postId), "\(scene.source) vs \(postId)")
        XCTAssertEqual(scene[field: "custom_fields.fansly_media_id"]?.strategy, .overwrite)
        let studio = try XCTUnwrap(
            state.entities.first { $0.address.kind == .studio && $0.address.key.hasPrefix("account.") })
        XCTAssertNotNil(studio[field: "custom_fields.fansly_account_id"])
        XCTAssertFalse(
            state.entities.contains { $0.address.kind == .gallery && $0[field: "custom_fields.fansly_post_id"] != nil })
    }

    /// The provenance keys Docs/rules.md offers load as written there.
    func testDocumentedProvenanceKeysLoad() throws {
        let rules = try RuleSet.load(
            yaml: """
                extends: default
                post:
                  gallery: { custom_fields: { fansly_post_id: "{{ post.id }}", fansly_url: "{{ url.post }}" } }
                  scene: { custom_fields: { fansly_post_id: "{{ post.id }}", fansly_media_id: "{{ media.id }}" } }
                  image: { custom_fields: { fansly_post_id: "{{ post.id }}", fansly_media_id: "{{ media.id }}" } }
                message:
                  gallery: { custom_fields: { fansly_message_id: "{{ message.id }}", fansly_url: "{{ url.message }}" } }
                  scene: { custom_fields: { fansly_message_id: "{{ message.id }}", fansly_media_id: "{{ media.id }}" } }
                  image: { custom_fields: { fansly_message_id: "{{ message.id }}" } }
                account:
                  performer: { custom_fields: { fansly_account_id: "{{ account.id }}" } }
                  studio: { custom_fields: { fansly_account_id: "{{ account.id }}" } }
                """)
        let database = try MetadataDatabase(path: GoldenTests.sampleDatabase.path)
        let state = try MappingEngine(rules: rules).evaluate(database: database)
        let names = Set(state.entities.flatMap { $0.fields.map(\.name) }.filter { $0.hasPrefix("custom_fields.") })
        XCTAssertEqual(
            names,
            [
                "custom_fields.fansly_post_id", "custom_fields.fansly_url", "custom_fields.fansly_media_id",
                "custom_fields.fansly_message_id", "custom_fields.fansly_account_id",
            ])
        XCTAssertFalse(
            try MappingEngine(rules: RuleSet.builtInDefault()).evaluate(database: database).entities
                .contains { $0.fields.contains { $0.name.hasPrefix("custom_fields.") } }, "off by default")
    }

    func testTagCustomFieldsAreSetOnEveryTag() throws {
        let rules = try RuleSet.load(yaml: "extends: default\ntags:\n  custom_fields: { source: fansly-stash }\n")
        let state = try MappingEngine(rules: rules).evaluate(
            database: try MetadataDatabase(path: GoldenTests.sampleDatabase.path))
        let tags = state.entities.filter { $0.address.kind == .tag }
        XCTAssertFalse(tags.isEmpty)
        XCTAssertTrue(tags.allSatisfy { $0[field: "custom_fields.source"]?.value == .string("fansly-stash") })
        XCTAssertThrowsError(
            try RuleSet.load(yaml: "extends: default\ntags:\n  custom_fields: { source: \"{{ post.id }}\" }\n"),
            "tags have no record to read")
    }

    func testCustomFieldMistakesAreReportedWithTheirPosition() throws {
        XCTAssertThrowsError(
            try RuleSet.load(
                yaml: """
                    extends: default
                    post:
                      scene:
                        custom_fields:
                          fansly.post: "{{ post.id }}"
                          fansly_post_id: "{{ post.idd }}"
                    wall:
                      chapter:
                        custom_fields: { a: b }
                    """)
        ) { error in
            let text = String(describing: error)
            XCTAssertTrue(
                text.contains("rules.yaml:5:7: post.scene.custom_fields: 'fansly.post' is not a custom field name"),
                text)
            XCTAssertTrue(text.contains("rules.yaml:6:"), text)
            XCTAssertTrue(text.contains("post.idd"), text)
            XCTAssertTrue(text.contains("custom_fields"), text)
            XCTAssertTrue(text.contains("rules.yaml:9:"), "chapters have no custom fields: \(text)")
        }
    }
}
