import FanslyMetadata
import XCTest

@testable import MappingRules

/// Rule features end to end: YAML rules evaluated over the fixture records.
final class EngineFeatureTests: XCTestCase {
    func evaluate(
        _ yaml: String, records: MetadataRecords = Fixtures.records, file: StaticString = #filePath, line: UInt = #line
    ) throws -> DesiredState {
        do {
            return try MappingEngine(rules: RuleSet.load(yaml: yaml, name: "t.yaml")).evaluate(records: records)
        } catch let error as RulesError {
            XCTFail(error.description, file: file, line: line)
            throw error
        }
    }

    // MARK: Conditions

    func testEveryConditionTest() {
        let date = Fixtures.date("2023-07-17T00:48:00Z")
        let cases: [(Condition.Test, TemplateValue, Bool)] = [
            (.equals("video"), .string("Video"), true), (.equals("video"), .string("image"), false),
            (.notEquals("video"), .string("image"), true), (.notEquals("video"), .string("VIDEO"), false),
            (.oneOf(["a", "b"]), .string("B"), true), (.oneOf(["a", "b"]), .string("c"), false),
            (.noneOf(["a", "b"]), .string("c"), true), (.noneOf(["a", "b"]), .string("a"), false),
            (.matches(RegexBox(regex: try! NSRegularExpression(pattern: "^\\d+$"))), .int(42), true),
            (.matches(RegexBox(regex: try! NSRegularExpression(pattern: "^\\d+$"))), .string("x42"), false),
            (.notMatches(RegexBox(regex: try! NSRegularExpression(pattern: "(?i)ppv"))), .string("free set"), true),
            (.notMatches(RegexBox(regex: try! NSRegularExpression(pattern: "(?i)ppv"))), .string("PPV set"), false),
            (.min(2), .int(2), true), (.min(2), .int(1), false), (.min(2), .null, false),
            (.max(2), .int(2), true), (.max(2), .double(2.5), false), (.min(2), .list(["a", "b"]), true),
            (.after(date), .date(date), true), (.after(date), .date(date.addingTimeInterval(-1)), false),
            (.before(date), .date(date.addingTimeInterval(-1)), true), (.before(date), .date(date), false),
            (.after(date), .string("2024-01-01"), true), (.after(date), .null, false),
            (.empty(true), .string("  "), true), (.empty(true), .null, true), (.empty(false), .string("x"), true),
            (.empty(false), .list([]), false),
            (.contains("latex"), .list(["Latex", "gym"]), true), (.contains("late"), .list(["latex"]), false),
            (.contains("LATE"), .string("latex"), true),
            (.equals("latex"), .list(["gym", "latex"]), true),
            (.equals("true"), .bool(true), true), (.equals("42"), .int(42), true),
        ]
        for (test, value, expected) in cases {
            XCTAssertEqual(Condition.passes(test, value), expected, "\(test) on \(value)")
        }
    }

    func testConditionsLimitRecordsMediaAndFields() throws {
        let state = try evaluate(
            """
            account:
              when: { account.username: [emberwilde42] }
              performer:
                fields: { name: "{{ account.name }}" }
            post:
              when: { post.createdAt: { before: 2023-09-01 } }
              scene:
                when: { media.kind: video, media.isDownloaded: true }
                fields:
                  title: "{{ post.id }}"
              image:
                when: { media.isPreview: false }
                fields:
                  title: "{{ post.id }}"
                  details:
                    value: "{{ post.content }}"
                    when: { post.content: { matches: "(?i)friday" } }
            """)
        XCTAssertNotNil(state["scene.media.1010"])
        XCTAssertNil(state["image.media.1020"], "a preview, excluded by image.when")
        XCTAssertEqual(state["image.media.1001"]?.text("details")?.hasPrefix("Latex Friday"), true)
        XCTAssertNil(state["image.media.1003"]?.text("details"), "the field's own condition fails")
        XCTAssertEqual(state["image.media.1001"]?.list("urls"), nil)
        XCTAssertEqual(state["image.media.1001"]?.text("title"), "1", "post 4 (2023-09-01) is excluded by post.when")
        XCTAssertNil(state["image.media.2001"], "Nova's reposted media: account.when excludes Nova")
        XCTAssertNotNil(state["performer.account.emberwilde42"])
        XCTAssertNil(state["performer.account.novaquinn"])
    }

    // MARK: Fields

    func testPostProcessStepsInOrder() throws {
        let state = try evaluate(
            """
            post:
              image:
                fields:
                  title:
                    value: "{{ post.content | firstLine }}"
                    postProcess:
                      - replace:
                          - regex: "\\\\s*#\\\\w+"
                            with: ""
                          - regex: "^(\\\\w+) (\\\\w+)"
                            with: "$2 $1"
                      - map: { "short": "Short post" }
                      - prepend: "[{{ account.username }}] "
                        when: { post.mediaCount: { min: 2 } }
                      - append: " ({{ position }}/{{ total }})"
                  date:
                    value: "{{ post.id }}/07/2023"
                    postProcess:
                      - parseDate: "d/MM/yyyy"
                  details:
                    value: "{{ post.createdAt }}"
                    postProcess:
                      - formatDate: "EEEE d MMMM yyyy"
            """)
        XCTAssertEqual(state["image.media.1002"]?.text("title"), "[EmberWilde42] Friday Latex is here! (2/3)")
        XCTAssertEqual(state["image.media.1003"]?.text("title"), "Short post (1/1)")
        XCTAssertEqual(state["image.media.1003"]?.text("date"), "2023-07-02")
        XCTAssertEqual(state["image.media.1001"]?.text("details"), "Monday 17 July 2023")
    }

    func testStrategiesAndFallbackChains() throws {
        let state = try evaluate(
            """
            post:
              image:
                strategy: overwrite
                fields:
                  title:
                    firstOf: ["{{ post.expiresAt }}", "{{ account.location }}", "{{ account.username }}"]
                  details:
                    value: "{{ post.content }}"
                    strategy: ignore
                  code: "{{ media.mediaId }}"
                  urls:
                    value: ["{{ url.post }}", "{{ url.item }}", "{{ url.account }}"]
                    strategy: merge
                  organized: false
            urls:
              post: "https://example.com/p/{{ post.id }}"
              account: "https://example.com/{{ account.username }}"
            """)
        let image = try XCTUnwrap(state["image.media.1003"])
        XCTAssertEqual(image.text("title"), "Berlin")
        XCTAssertEqual(image[field: "title"]?.strategy, .overwrite)
        XCTAssertEqual(image[field: "details"]?.strategy, .ignore)
        XCTAssertEqual(image[field: "urls"]?.strategy, .merge)
        XCTAssertEqual(
            image.list("urls"), ["https://example.com/p/2", "https://example.com/EmberWilde42"], "duplicates removed")
        XCTAssertEqual(image[field: "organized"]?.value, .bool(false))
        XCTAssertEqual(
            image.fields.map(\.name), ["title", "details", "code", "urls", "organized"], "fields in rule order")
    }

    func testRespectOrganizedAndMatchSettings() throws {
        let state = try evaluate(
            """
            settings:
              respectOrganized: false
            account:
              performer:
                match: [stashId, url]
                fields:
                  name: "{{ account.name }}"
                  urls: ["{{ url.performer }}"]
            urls:
              performer: "https://fansly.com/{{ account.username }}/posts"
            post:
              gallery:
                respectOrganized: true
                match: [code]
                fields: { title: "{{ post.id }}", code: "P{{ post.id }}" }
              image:
                match: [file, code]
                fields: { code: "{{ media.mediaId }}" }
            """)
        let performer = try XCTUnwrap(state["performer.account.emberwilde42"])
        XCTAssertEqual(performer.match, [.url("https://fansly.com/EmberWilde42/posts"), .stashIdHint("7")])
        XCTAssertFalse(performer.respectOrganized)
        XCTAssertTrue(try XCTUnwrap(state["gallery.post.1"]).respectOrganized)
        XCTAssertEqual(state["gallery.post.1"]?.match, [.code("P1")])
        XCTAssertEqual(state["image.media.1002"]?.match, [.fileMediaId(1002), .code("1002")])
    }

    // MARK: Performers

    func testSharedAccountAndMentionsOfIt() throws {
        var records = Fixtures.records
        records.creators.append(Fixtures.couple)
        records.posts.append(
            Post(
                id: 90, accountId: 300, content: "Us", createdAt: Fixtures.date("2023-05-01T00:00:00Z"),
                attachments: Fixtures.attach([Fixtures.image(3001, owner: 300)])))
        records.media.append(Fixtures.image(3001, owner: 300))
        records.posts[0].mentions.append(Mention(handle: "aliceandbob", accountId: 300, account: Fixtures.couple))
        let state = try evaluate(
            """
            account:
              performer:
                fields: { name: "{{ account.name }}" }
                shared:
                  aliceANDbob:
                    - name: Alice
                    - name: "Bob {{ account.username }}"
                      disambiguation: partner
            mention:
              performer:
                createMissing: false
                fields: { name: "{{ mention.name }}" }
            post:
              image:
                fields:
                  performers: [creator, mentions]
            """, records: records)
        XCTAssertEqual(
            state["image.media.3001"]?.list("performer_ids"),
            ["performer.account.aliceandbob.alice", "performer.account.aliceandbob.bob-aliceandbob"])
        XCTAssertEqual(state["performer.account.aliceandbob.bob-aliceandbob"]?.text("disambiguation"), "partner")
        XCTAssertNil(state["performer.account.aliceandbob"])
        XCTAssertEqual(
            state["image.media.1001"]?.list("performer_ids"),
            [
                "performer.account.emberwilde42", "performer.account.novaquinn", "performer.account.ghost_handle",
                "performer.account.aliceandbob.alice", "performer.account.aliceandbob.bob-aliceandbob",
            ])
        XCTAssertEqual(
            state["performer.account.ghost_handle"]?.createMissing, false, "mentions only link existing performers")
        XCTAssertEqual(state["performer.account.emberwilde42"]?.createMissing, true)
    }

    func testMentionOfACreatorKeepsTheCreatorsFields() throws {
        var records = Fixtures.records
        records.creators.append(Fixtures.nova)
        let state = try evaluate(
            """
            account:
              performer:
                fields: { name: "{{ account.name }}", details: "{{ account.about }}" }
            mention:
              performer:
                fields: { name: "mentioned {{ mention.handle }}" }
            post:
              image:
                fields: { performers: [mentions] }
            """, records: records)
        let nova = try XCTUnwrap(state["performer.account.novaquinn"])
        XCTAssertEqual(nova.text("name"), "NovaQuinn")
        XCTAssertEqual(nova.text("details"), "Nova's bio")
        XCTAssertTrue(nova.createMissing)
    }

    // MARK: Tags

    func testTagDerivation() throws {
        var records = Fixtures.records
        records.posts[0].hashtags += [
            Hashtag(id: 9, value: "fyp"), Hashtag(id: 10, value: "2024"), Hashtag(id: 11, value: "lesdom"),
        ]
        let state = try evaluate(
            """
            tags:
              createMissing: false
              hashtags:
                name: "{{ hashtag.original | splitWords | title }}"
                when: { hashtag.value: { not: throwback } }
              words: [latex, model]
              aliases:
                Lesbian Domination: [lesdom, lesbiandomination]
              ignore: [FYP, "/^\\\\d+$/"]
              parents:
                Latex Model: [Latex, Fetish]
              extra:
                - name: Trailer
                  for: [image]
                  when: { media.isPreview: true }
                - name: Fansly
            post:
              gallery:
                fields: { title: x, tags: [hashtags, extra] }
              image:
                fields: { tags: [hashtags, extra] }
            """, records: records)
        XCTAssertEqual(
            state["image.media.1001"]?.list("tag_ids"),
            ["tag.latex", "tag.latex-model", "tag.lesbian-domination", "tag.fansly"])
        XCTAssertEqual(state["image.media.1020"]?.list("tag_ids"), ["tag.trailer", "tag.fansly"])
        XCTAssertEqual(
            state["gallery.post.1"]?.list("tag_ids"),
            ["tag.latex", "tag.latex-model", "tag.lesbian-domination", "tag.fansly"],
            "Trailer is for images only")
        let model = try XCTUnwrap(state["tag.latex-model"])
        XCTAssertEqual(model.text("name"), "Latex Model")
        XCTAssertEqual(model.list("aliases"), ["latexmodel"])
        XCTAssertEqual(model.list("parent_ids"), ["tag.latex", "tag.fetish"])
        XCTAssertEqual(state["tag.fetish"]?.text("name"), "Fetish", "parents are produced too")
        XCTAssertFalse(model.createMissing)
        let lesdom = try XCTUnwrap(state["tag.lesbian-domination"])
        XCTAssertEqual(lesdom.list("aliases"), ["lesdom", "lesbiandomination"])
        XCTAssertEqual(
            lesdom.match,
            [
                .name("Lesbian Domination", disambiguation: nil), .name("lesdom", disambiguation: nil),
                .name("lesbiandomination", disambiguation: nil),
            ])
        XCTAssertNil(state["tag.fyp"])
        XCTAssertNil(state["tag.2024"])
        XCTAssertNil(state["tag.throwback"])
    }

    // MARK: Walls, bundles, messages

    func testWallsAsGalleries() throws {
        let state = try evaluate(
            """
            wall:
              as: galleries
              gallery:
                fields:
                  title: "{{ account.username }} - {{ wall.name }}"
                  studio: creator
            post:
              image:
                fields: { title: "{{ post.id }}" }
            """)
        let gallery = try XCTUnwrap(state["gallery.wall.77"])
        XCTAssertEqual(gallery.text("title"), "EmberWilde42 - Latex Collection")
        XCTAssertEqual(gallery.list("image_ids"), ["image.media.1001", "image.media.1002"])
        XCTAssertNil(state["chapter.wall.77.post.1"])
    }

    func testBundleGalleries() throws {
        var records = Fixtures.records
        records.bundles = [
            MediaBundle(
                id: 555, accountId: 100, createdAt: Fixtures.date("2023-07-01T00:00:00Z"),
                media: [Fixtures.image(1001), Fixtures.image(1002), Fixtures.video(1010)])
        ]
        let state = try evaluate(
            """
            bundle:
              gallery:
                fields:
                  title: "{{ account.username }} bundle {{ bundle.id }} ({{ bundle.imageCount }} images)"
                  date: "{{ bundle.createdAt }}"
            post:
              image:
                fields: { title: "{{ post.id }}" }
            """, records: records)
        let gallery = try XCTUnwrap(state["gallery.bundle.555"])
        XCTAssertEqual(gallery.text("title"), "EmberWilde42 bundle 555 (2 images)")
        XCTAssertEqual(gallery.text("date"), "2023-07-01")
        XCTAssertEqual(gallery.list("image_ids"), ["image.media.1001", "image.media.1002"])
    }

    func testMessagesAreDistinguishable() throws {
        let state = try evaluate(
            """
            message:
              when: { message.deleted: false }
              gallery:
                fields:
                  title: "{{ item.kind }} from {{ message.sender }}"
                  urls: ["{{ url.message }}"]
              image:
                fields:
                  title: "{{ item.kind }} {{ message.id }} {{ position }}/{{ total }}"
            urls:
              message: "https://fansly.com/messages/{{ message.groupId }}/{{ message.id }}"
            """)
        XCTAssertEqual(state["gallery.message.700"]?.text("title"), "message from EmberWilde42")
        XCTAssertEqual(
            state["image.media.1100"]?.text("title"), "message 700 1/1", "the never-stored bundle adds no media")
        XCTAssertNil(state["image.media.1001"], "no post rules")
    }
}
