import FanslyMetadata
import XCTest

@testable import MappingRules

/// Issue 16, item 8: `rules explain` answers "why": the `when:` that excluded a record (file:line),
/// the disabled rule, the gallery a post did not get, the postProcess steps behind a value, and
/// file:line for tag fields.
final class ExplainWhyTests: XCTestCase {
    func explain(_ target: ExplainTarget, _ yaml: String? = nil, records: MetadataRecords = Fixtures.records) throws
        -> Explanation
    {
        let rules = try yaml.map { try RuleSet.load(yaml: $0, name: "my.yaml") } ?? RuleSet.builtInDefault()
        return try XCTUnwrap(MappingEngine(rules: rules).explain(target, source: records))
    }

    func testTheWhenThatExcludedAPostIsNamedWithItsPosition() throws {
        let explanation = try explain(
            .post(2),
            """
            extends: default
            post:
              when: { post.content: { notMatches: "^short$" } }
            """)
        XCTAssertTrue(explanation.entities.isEmpty)
        XCTAssertEqual(explanation.why, ["the post is excluded by post.when (my.yaml:3:9)"])
    }

    func testADisabledRuleAndAMediaConditionAreNamed() throws {
        let disabled = try explain(.media(1010), "extends: default\npost:\n  scene: false\n")
        XCTAssertTrue(
            disabled.why.contains("post.scene is disabled (absent, false or enabled: false): the scene is not mapped"),
            "\(disabled.why)")
        let excluded = try explain(
            .media(1002),
            """
            extends: default
            post:
              image:
                when: { position: { max: 1 } }
            """)
        XCTAssertTrue(
            excluded.why.contains("post.image: media 1002 is excluded by post.image.when (my.yaml:4:11)"),
            "\(excluded.why)")
    }

    func testAPostWithOnlyVideosSaysWhyItHasNoGallery() throws {
        let explanation = try explain(
            .post(11), "extends: default\npost:\n  gallery:\n    withoutImages: false\n",
            records: GalleryGroupingTests.records)
        XCTAssertTrue(
            explanation.why.contains("no gallery: only videos, and post.gallery does not say withoutImages: true"),
            "\(explanation.why)")
    }

    func testPostProcessStepsAndTagFieldsHaveTheirPositions() throws {
        let explanation = try explain(.post(1))
        let title = try XCTUnwrap(explanation.origins[try XCTUnwrap(EntityAddress("image.media.1001"))]?["title"])
        XCTAssertEqual(title.steps.count, 1, "\(title.steps)")
        XCTAssertTrue(
            title.steps[0].hasPrefix("post.image.fields.title.postProcess[0] append (<built-in default>:"),
            title.steps[0])
        let gallery = try XCTUnwrap(explanation.origins[try XCTUnwrap(EntityAddress("gallery.post.1"))]?["title"])
        XCTAssertEqual(gallery.steps, [], "the gallery's title has no postProcess")

        let withTable = try explain(
            .post(1),
            """
            extends: default
            tags:
              aliases:
                Latex Model: [latexmodel]
            """)
        let renamed = try XCTUnwrap(withTable.origins[try XCTUnwrap(EntityAddress("tag.latex-model"))])
        XCTAssertEqual(renamed["name"]?.rule, "tags.aliases.Latex Model")
        XCTAssertEqual(renamed["name"]?.location, "my.yaml:4:5")
        let hashtag = try XCTUnwrap(withTable.origins[try XCTUnwrap(EntityAddress("tag.latex"))])
        XCTAssertEqual(hashtag["name"]?.rule, "tags.hashtags.name")
        XCTAssertTrue(hashtag["name"]?.location?.hasPrefix("<built-in default>:") ?? false, "\(hashtag)")
    }
}
