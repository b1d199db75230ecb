import FanslyMetadata
import XCTest

@testable import MappingRules

/// Issue 16, items 4 and 5: rules do what they say. Extra tag names are templates, lists of extra
/// tags from `extends` combine by name, and `rules show` prints rules that load back the same.
final class RuleSemanticsTests: XCTestCase {
    func evaluate(_ yaml: String) throws -> DesiredState {
        try MappingEngine(rules: RuleSet.load(yaml: yaml)).evaluate(records: Fixtures.records)
    }

    // MARK: Item 4

    func testExtraTagNamesAreTemplates() throws {
        let state = try evaluate(
            """
            extends: default
            tags:
              extra:
                - name: "{{ account.username }}"
                  for: [scene, image]
            """)
        XCTAssertNil(
            state.entities.first { $0.address.kind == .tag && $0.address.key.contains("{{") },
            "no tag named after the template text")
        XCTAssertEqual(state["tag.emberwilde42"]?.text("name"), "EmberWilde42")
        XCTAssertEqual(state["tag.novaquinn"]?.text("name"), "NovaQuinn", "the reposted media's author")
        XCTAssertTrue(state["image.media.1001"]?.list("tag_ids")?.contains("tag.emberwilde42") ?? false)
        XCTAssertTrue(state["image.media.2001"]?.list("tag_ids")?.contains("tag.novaquinn") ?? false)
    }

    func testAnUnknownVariableInAnExtraTagNameIsAnError() {
        XCTAssertThrowsError(try RuleSet.load(yaml: "tags:\n  extra:\n    - name: \"{{ account.usrname }}\"\n")) {
            error in
            XCTAssertTrue(
                "\(error)".contains("unknown variable 'account.usrname'; did you mean 'account.username'?"), "\(error)")
        }
    }

    func testExtraTagListsFromExtendsCombineByName() throws {
        let added = try evaluate(
            """
            extends: default
            tags:
              extra:
                - name: Fansly
                  for: [scene, image]
            """)
        let tags = try XCTUnwrap(added["image.media.1020"]?.list("tag_ids"))
        XCTAssertTrue(tags.contains("tag.trailer"), "the default Trailer entry is kept: \(tags)")
        XCTAssertTrue(tags.contains("tag.fansly"), "\(tags)")

        let removed = try evaluate(
            """
            extends: default
            tags:
              extra:
                - name: trailer
                  enabled: false
            """)
        XCTAssertNil(removed["tag.trailer"], "enabled: false removes the entry it names")

        let replaced = try evaluate(
            """
            extends: default
            tags:
              extra:
                - name: Trailer
                  for: [gallery]
            """)
        XCTAssertFalse(
            replaced["image.media.1020"]?.list("tag_ids")?.contains("tag.trailer") ?? false,
            "the entry of the same name replaces the default one")
    }

    func testTheSchemaKnowsTheNewKeys() throws {
        let schema = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(EmbeddedRules.schemaJSON.utf8)) as? [String: Any])
        let validator = MiniSchemaValidator(schema: schema)
        let sink = DiagnosticSink()
        for yaml in [
            "tags:\n  extra:\n    - name: Trailer\n      enabled: false\n",
            "post:\n  gallery:\n    withoutImages: true\n  scene:\n    fields:\n      galleries: [item]\n",
        ] {
            let node = try XCTUnwrap(RuleFileParser.parse(yaml: yaml, file: "x", sink: sink))
            XCTAssertEqual(validator.errors(node.jsonObject), [], yaml)
            XCTAssertNoThrow(try RuleSet.load(yaml: yaml), yaml)
        }
        let wrong = try XCTUnwrap(
            RuleFileParser.parse(yaml: "post:\n  scene:\n    fields:\n      galleries: [post]\n", file: "x", sink: sink)
        )
        XCTAssertFalse(validator.errors(wrong.jsonObject).isEmpty)
    }

    // MARK: Item 5

    func testRulesShowRoundTrips() throws {
        let user = """
            extends: default
            settings:
              downloadRoot: /downloads
              pathMap:
                - from: /downloads
                  to: "/data/fansly: main"
            post:
              scene: &media
                respectOrganized: false
                fields:
                  title: "{{ post.content | firstLine | upper }}"
                  details: "true"
              image: *media
            tags:
              words: [latex, model]
              aliases:
                Latex Model: [latexmodel]
            """
        for yaml in [nil, user] {
            let original = try yaml.map { try RuleSet.load(yaml: $0) } ?? RuleSet.builtInDefault()
            let shown = original.effectiveYAML
            XCTAssertFalse(shown.contains("1e+0"), shown)
            XCTAssertFalse(shown.contains("extends"), shown)
            let lines = shown.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix(" ") }
            XCTAssertEqual(lines.first, "version: 1", "the file's order, not sorted keys")
            let reloaded = try RuleSet.load(yaml: shown, name: "shown.yaml")
            XCTAssertEqual(reloaded.canonicalData, original.canonicalData, "the same meaning:\n\(shown)")
            XCTAssertEqual(
                try MappingEngine(rules: reloaded).evaluate(records: Fixtures.records),
                try MappingEngine(rules: original).evaluate(records: Fixtures.records))
        }
    }
}

/// Issue 16, item 13: default titles leave out #hashtags and @handles, and the reference tool's
/// titles are one line of rules away.
final class CaptionTests: XCTestCase {
    func testTheReferenceToolsTitlesAreOneLineAway() throws {
        let state = try MappingEngine(
            rules: RuleSet.load(
                yaml: """
                    extends: default
                    settings: { caption: "{{ item.content | firstLine }}" }
                    """)
        ).evaluate(records: Fixtures.records)
        XCTAssertEqual(state["gallery.post.1"]?.text("title"), "Latex Friday is here! #Latex #LatexModel")
        XCTAssertEqual(state["image.media.1001"]?.text("title"), "Latex Friday is here! #Latex #LatexModel - 1/3")
        let byDefault = try MappingEngine(rules: RuleSet.builtInDefault()).evaluate(records: Fixtures.records)
        XCTAssertEqual(byDefault["gallery.post.1"]?.text("title"), "Latex Friday is here!")
    }

    func testACaptionCannotReadItself() {
        XCTAssertThrowsError(try RuleSet.load(yaml: "settings:\n  caption: \"{{ item.caption }}\"\n")) { error in
            XCTAssertTrue("\(error)".contains("settings.caption cannot use item.caption"), "\(error)")
        }
    }
}
