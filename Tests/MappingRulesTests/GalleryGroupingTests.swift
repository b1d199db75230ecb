import FanslyMetadata
import XCTest

@testable import MappingRules

/// Issue 16, items 1–3: scenes are grouped with their post's gallery, video-only posts get one,
/// mentioned accounts get their bio, and a repost is a gallery of the reposting creator.
final class GalleryGroupingTests: XCTestCase {
    static let ember = Fixtures.ember
    static let nova = Fixtures.nova
    static let iris = Account(
        id: 400, username: "IrisVale", displayName: "Iris Vale", about: "<p>Rope &amp; shibari</p>")

    /// A post with only a video, a post with a picture and a video, a message with only a video,
    /// a repost of Nova's video-only post, and a mention of an account the database knows.
    static var records: MetadataRecords {
        let novaVideo = Post(
            id: 5100, accountId: 200, content: "Nova dancing in the rain",
            createdAt: Fixtures.date("2023-01-06T10:00:00Z"),
            attachments: Fixtures.attach([Fixtures.video(2100, owner: 200)]))
        let posts = [
            Post(
                id: 11, accountId: 100, content: "Just a video this time, enjoy",
                createdAt: Fixtures.date("2023-03-01T10:00:00Z"),
                attachments: Fixtures.attach([Fixtures.video(1500)]),
                mentions: [Mention(handle: "IrisVale", accountId: 400, account: iris), Mention(handle: "nobody_known")]),
            Post(
                id: 12, accountId: 100, content: "A picture and a clip together",
                createdAt: Fixtures.date("2023-03-02T10:00:00Z"),
                attachments: Fixtures.attach([Fixtures.image(1510), Fixtures.video(1520)])),
            Post(
                id: 13, accountId: 100, content: "Watch Nova's new clip!",
                createdAt: Fixtures.date("2023-03-03T10:00:00Z"),
                attachments: [
                    Attachment(
                        id: 9990, pos: 0, contentId: 5100, contentType: "AGGREGATED_POSTS",
                        content: .repost(postId: 5100, post: novaVideo))
                ]),
            Post(
                id: 14, accountId: 100, content: "Text only, no media at all",
                createdAt: Fixtures.date("2023-03-04T10:00:00Z")),
        ]
        let messages = [
            Message(
                id: 710, groupId: 71, senderId: 100, content: "A private clip for you",
                createdAt: Fixtures.date("2023-10-02T08:00:00Z"),
                sender: ember, attachments: Fixtures.attach([Fixtures.video(1600)]))
        ]
        let media = [
            Fixtures.video(1500), Fixtures.image(1510), Fixtures.video(1520), Fixtures.video(2100, owner: 200),
            Fixtures.video(1600),
        ]
        return MetadataRecords(
            creators: [ember], otherAccounts: [nova, iris], posts: posts + [novaVideo], messages: messages,
            media: media, walls: [], downloadRoot: "/downloads")
    }

    func evaluate(_ yaml: String? = nil) throws -> DesiredState {
        let rules = try yaml.map { try RuleSet.load(yaml: $0) } ?? RuleSet.builtInDefault()
        return try MappingEngine(rules: rules).evaluate(records: Self.records)
    }

    // MARK: Item 1

    func testScenesAreLinkedToTheGalleryOfTheirPost() throws {
        let state = try evaluate()
        XCTAssertEqual(state["scene.media.1520"]?.list("gallery_ids"), ["gallery.post.12"])
        XCTAssertEqual(state["gallery.post.12"]?.list("image_ids"), ["image.media.1510"])
        XCTAssertNil(
            state["image.media.1510"]?[field: "gallery_ids"],
            "images join their gallery through the gallery's image_ids")
    }

    func testVideoOnlyPostsAndMessagesGetAGalleryGroupingTheirScenes() throws {
        let state = try evaluate()
        let gallery = try XCTUnwrap(state["gallery.post.11"], "a video-only post gets a gallery by default")
        XCTAssertEqual(gallery.text("title"), "Just a video this time, enjoy")
        XCTAssertEqual(gallery.text("code"), "11")
        XCTAssertNil(gallery[field: "image_ids"], "the gallery holds no images")
        XCTAssertEqual(state["scene.media.1500"]?.list("gallery_ids"), ["gallery.post.11"])
        XCTAssertEqual(state["scene.media.1600"]?.list("gallery_ids"), ["gallery.message.710"])
        XCTAssertNotNil(state["gallery.message.710"])
        XCTAssertNil(state["gallery.post.14"], "a post without media gets no gallery")
    }

    func testWithoutImagesFalseKeepsGalleriesForPicturesOnly() throws {
        let state = try evaluate(
            """
            extends: default
            post:
              gallery:
                withoutImages: false
            """)
        XCTAssertNil(state["gallery.post.11"])
        XCTAssertNil(state["scene.media.1500"]?[field: "gallery_ids"], "no gallery, so no link")
        XCTAssertEqual(state["scene.media.1520"]?.list("gallery_ids"), ["gallery.post.12"])
        XCTAssertNotNil(state["gallery.message.710"], "messages keep their own setting")
    }

    func testScenesAreNotLinkedWhenTheSceneRuleSaysNothing() throws {
        let state = try evaluate(
            """
            extends: default
            post:
              scene:
                fields:
                  galleries: none
            """)
        XCTAssertNil(state["scene.media.1520"]?[field: "gallery_ids"])
        XCTAssertNotNil(state["gallery.post.12"])
    }

    func testGalleriesFieldIsCheckedWhereItCannotMeanAnything() {
        XCTAssertThrowsError(try RuleSet.load(yaml: "media:\n  scene:\n    fields:\n      galleries: [item]\n")) {
            error in
            XCTAssertTrue("\(error)".contains("unknown field 'galleries' in media.scene.fields"), "\(error)")
        }
        XCTAssertThrowsError(try RuleSet.load(yaml: "post:\n  scene:\n    fields:\n      galleries: [post]\n")) {
            error in
            XCTAssertTrue("\(error)".contains("'post' is not a source here; use item or none"), "\(error)")
        }
        XCTAssertThrowsError(try RuleSet.load(yaml: "bundle:\n  gallery:\n    withoutImages: true\n")) { error in
            XCTAssertTrue("\(error)".contains("unknown key 'withoutImages' in bundle.gallery"), "\(error)")
        }
    }

    // MARK: Item 2

    func testMentionedAccountsGetTheirBio() throws {
        let state = try evaluate()
        let iris = try XCTUnwrap(state["performer.account.irisvale"])
        XCTAssertEqual(iris.text("details"), "Rope & shibari")
        XCTAssertEqual(iris.list("urls"), ["https://fansly.com/IrisVale/posts"])
        XCTAssertNil(state["performer.account.nobody_known"]?[field: "details"], "a bare handle has no bio")
    }

    // MARK: Item 3

    func testARepostIsAGalleryOfTheReposterHoldingTheQuotedMedia() throws {
        let state = try evaluate()
        let repost = try XCTUnwrap(state["gallery.post.13"])
        XCTAssertEqual(repost.text("title"), "Watch Nova's new clip!")
        XCTAssertEqual(repost.list("urls"), ["https://fansly.com/post/13"])
        XCTAssertEqual(repost.list("studio_id"), ["studio.account.emberwilde42"])
        XCTAssertEqual(repost.list("performer_ids"), ["performer.account.emberwilde42"])
        let scene = try XCTUnwrap(state["scene.media.2100"])
        XCTAssertEqual(
            scene.list("gallery_ids"), ["gallery.post.5100", "gallery.post.13"],
            "grouped with the original and the repost")
        XCTAssertEqual(scene.list("studio_id"), ["studio.account.novaquinn"], "the quoted media keep their author")
        XCTAssertEqual(scene.list("performer_ids"), ["performer.account.novaquinn"])
        XCTAssertEqual(
            scene.list("urls"), ["https://fansly.com/post/5100"], "the repost's URL is the gallery's, not the media's")
        XCTAssertEqual(scene.text("title"), "Nova dancing in the rain")
    }

    func testARepostOnAWallGetsTheWallsChapterInItsGallery() throws {
        var records = Fixtures.records
        let index = try XCTUnwrap(records.posts.firstIndex { $0.id == 6 })
        records.posts[index].wallIds = [77]
        let state = try MappingEngine(rules: RuleSet.builtInDefault()).evaluate(records: records)
        let chapter = try XCTUnwrap(state["chapter.wall.77.post.6"])
        XCTAssertEqual(chapter.list("gallery_id"), ["gallery.post.6"])
        XCTAssertEqual(chapter.text("title"), "Latex Collection")
    }

    func testARepostOfPicturesHoldsThem() throws {
        let state = try MappingEngine(rules: RuleSet.builtInDefault()).evaluate(records: Fixtures.records)
        let repost = try XCTUnwrap(state["gallery.post.6"])
        XCTAssertEqual(repost.list("image_ids"), ["image.media.2001"])
        XCTAssertEqual(repost.text("title"), "Look at Nova!")
        XCTAssertEqual(state["image.media.2001"]?.list("urls"), ["https://fansly.com/post/5000"])
    }
}
