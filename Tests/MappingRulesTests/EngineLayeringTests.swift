import FanslyMetadata
import XCTest

@testable import MappingRules

/// Files and layering: path mapping, creator folders, later files overriding earlier ones,
/// `extends: default`, disabled rules.
extension EngineFeatureTests {
    func testPathMappingAndCreatorFolders() throws {
        let state = try evaluate(
            """
            settings:
              downloadRoot: /srv/fansly/
              pathMap:
                - { from: /srv/fansly, to: /data }
              creatorFolders: ["{{ account.username | lower }}", "/elsewhere/{{ account.id }}"]
            post:
              scene:
                fields: { code: "{{ media.mediaId }}" }
            """)
        XCTAssertEqual(state.creatorFolders["EmberWilde42"], ["/data/emberwilde42", "/elsewhere/100"])
        XCTAssertEqual(
            state["scene.media.1010"]?.files,
            [
                ExpectedFile(
                    fileMediaId: 1011, isPreview: false,
                    basename: "2023-02-21_at_04-30_UTC_id_1011.mp4", folders: ["/data/emberwilde42", "/elsewhere/100"])
            ])
    }

    func testLaterFilesOverrideEarlierOnesByKey() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("layers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = folder.appendingPathComponent("base.yaml")
        let override = folder.appendingPathComponent("override.yaml")
        try """
        post:
          image:
            fields:
              title: "{{ post.id }}"
              code: "{{ media.mediaId }}"
        """.write(to: base, atomically: true, encoding: .utf8)
        try """
        post:
          image:
            fields:
              title: "T{{ post.id }}"
        """.write(to: override, atomically: true, encoding: .utf8)
        let rules = try RuleSet.load(files: [base, override])
        let state = try MappingEngine(rules: rules).evaluate(records: Fixtures.records)
        XCTAssertEqual(state["image.media.1003"]?.text("title"), "T2")
        XCTAssertEqual(state["image.media.1003"]?.text("code"), "1003")
        XCTAssertEqual(rules.files, [base.path, override.path])
    }

    func testExtendsDefaultAndCanonicalData() throws {
        let extended = try RuleSet.load(yaml: "extends: default\nwall:\n  as: none\n")
        let state = try MappingEngine(rules: extended).evaluate(records: Fixtures.records)
        XCTAssertNil(state["chapter.wall.77.post.1"])
        XCTAssertEqual(state["image.media.1003"]?.text("title"), "EmberWilde42 - 2023/08/01", "the rest is the default")
        XCTAssertEqual(extended.files, [RuleSet.builtInName, "rules.yaml"])

        let a = try RuleSet.load(yaml: "post:\n  image:\n    fields: {title: x, code: y}\n")
        let b = try RuleSet.load(
            yaml: "# same rules, other layout\npost:\n  image:\n    fields:\n      code: \"y\"\n      title: 'x'\n")
        let c = try RuleSet.load(yaml: "post:\n  image:\n    fields: {title: z, code: y}\n")
        XCTAssertEqual(a.canonicalData, b.canonicalData)
        XCTAssertNotEqual(a.canonicalData, c.canonicalData)
        XCTAssertEqual(
            String(decoding: a.canonicalData, as: UTF8.self), #"{"post":{"image":{"fields":{"code":"y","title":"x"}}}}"#
        )
    }

    func testDisabledRulesProduceNothing() throws {
        let state = try evaluate(
            """
            post:
              gallery: false
              image:
                enabled: false
                fields: { title: x }
              scene:
                fields: { title: x }
            """)
        XCTAssertTrue(state.entities.allSatisfy { $0.address.kind == .scene }, "\(state.entities.map(\.address))")
        XCTAssertFalse(state.entities.isEmpty)
    }
}
