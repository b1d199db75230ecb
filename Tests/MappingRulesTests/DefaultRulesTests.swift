import FanslyMetadata
import XCTest

@testable import MappingRules

/// The shipped rules reproduce the reference tool's behaviour.
final class DefaultRulesTests: XCTestCase {
    var state: DesiredState!

    override func setUpWithError() throws {
        state = try MappingEngine(rules: RuleSet.builtInDefault()).evaluate(records: Fixtures.records)
    }

    func testTitleIsFirstLineWithPositionWhenSeveralMedia() throws {
        let first = try XCTUnwrap(state["image.media.1001"])
        XCTAssertEqual(first.text("title"), "Latex Friday is here! - 1/3")
        XCTAssertEqual(state["scene.media.1010"]?.text("title"), "Latex Friday is here! - 3/3")
        XCTAssertEqual(
            state["gallery.post.1"]?.text("title"), "Latex Friday is here!",
            "#hashtags and @handles are left out of titles")
    }

    func testShortFirstLineFallsBackToUsernameAndDate() {
        XCTAssertEqual(state["image.media.1003"]?.text("title"), "EmberWilde42 - 2023/08/01")
    }

    func testLongFirstLineIsCutTo125PlusEllipsis() throws {
        let title = try XCTUnwrap(state["image.media.1020"]?.text("title"))
        XCTAssertEqual(title.count, 128)
        XCTAssertTrue(title.hasSuffix("..."))
        XCTAssertEqual(String(title.dropLast(3)), String(Fixtures.longLine.prefix(125)))
    }

    func testCodesAreOriginalMediaIdsEvenForHLSFiles() throws {
        let scene = try XCTUnwrap(state["scene.media.1010"])
        XCTAssertEqual(scene.text("code"), "1010")
        XCTAssertEqual(scene.files.map(\.fileMediaId), [1011])
        XCTAssertEqual(scene.match.first, .fileMediaId(1011))
        XCTAssertFalse(scene.createMissing)
        XCTAssertEqual(state["gallery.post.1"]?.text("code"), "1")
    }

    func testURLsDatesStudioAndPerformers() throws {
        let image = try XCTUnwrap(state["image.media.1002"])
        XCTAssertEqual(image.list("urls"), ["https://fansly.com/post/1"])
        XCTAssertEqual(image.text("date"), "2023-07-17")
        XCTAssertEqual(image.list("studio_id"), ["studio.account.emberwilde42"])
        XCTAssertEqual(
            image.list("performer_ids"),
            ["performer.account.emberwilde42", "performer.account.novaquinn", "performer.account.ghost_handle"])
        XCTAssertEqual(image.list("tag_ids"), ["tag.latex", "tag.latexmodel"])
        XCTAssertEqual(state["gallery.message.700"]?.list("urls"), ["https://fansly.com/messages/70/700"])
    }

    func testStudioAndNetworkFollowFansDBNaming() throws {
        let studio = try XCTUnwrap(state["studio.account.emberwilde42"])
        XCTAssertEqual(studio.text("name"), "EmberWilde42 (Fansly)")
        XCTAssertEqual(studio.list("parent_id"), ["studio.network.fansly"])
        XCTAssertEqual(studio.list("urls"), ["https://fansly.com/EmberWilde42"])
        let network = try XCTUnwrap(state["studio.network.fansly"])
        XCTAssertEqual(network.text("name"), "Fansly (network)")
        XCTAssertTrue(network.createMissing)
    }

    func testPerformerFromAccount() throws {
        let performer = try XCTUnwrap(state["performer.account.emberwilde42"])
        XCTAssertEqual(performer.text("name"), "Ember Wilde")
        XCTAssertEqual(performer.list("alias_list"), ["EmberWilde42"])
        XCTAssertEqual(performer.text("details"), "Latex & more")
        XCTAssertEqual(performer.list("urls"), ["https://fansly.com/EmberWilde42/posts"])
        XCTAssertEqual(
            performer.match,
            [
                .name("Ember Wilde", disambiguation: nil), .name("EmberWilde42", disambiguation: nil),
                .url("https://fansly.com/EmberWilde42/posts"),
            ])
    }

    func testTrailerTagOnPreviews() throws {
        let preview = try XCTUnwrap(state["image.media.1020"])
        XCTAssertEqual(preview.list("tag_ids"), ["tag.trailer"])
        XCTAssertEqual(preview.files.first?.isPreview, true)
        XCTAssertEqual(state["tag.trailer"]?.text("name"), "Trailer")
    }

    func testGalleriesAreOrganizedAndHoldTheirImages() throws {
        let gallery = try XCTUnwrap(state["gallery.post.1"])
        XCTAssertEqual(gallery.text("organized"), "true")
        XCTAssertEqual(gallery.list("image_ids"), ["image.media.1001", "image.media.1002"])
        XCTAssertEqual(
            state["gallery.post.6"]?.list("image_ids"), ["image.media.2001"],
            "a repost's gallery holds the quoted images")
    }

    func testMediaShownTwiceIsOneEntityAndTheEarlierPostWins() throws {
        let image = try XCTUnwrap(state["image.media.1001"])
        XCTAssertEqual(image.text("date"), "2023-07-17")
        XCTAssertEqual(image.list("urls"), ["https://fansly.com/post/1", "https://fansly.com/post/4"])
        XCTAssertEqual(image.list("tag_ids"), ["tag.latex", "tag.latexmodel", "tag.throwback"])
        XCTAssertEqual(state.entities.filter { $0.address.description == "image.media.1001" }.count, 1)
    }

    func testRepostedMediaBelongToTheOriginalCreator() throws {
        let image = try XCTUnwrap(state["image.media.2001"])
        XCTAssertEqual(image.list("studio_id"), ["studio.account.novaquinn"])
        XCTAssertEqual(image.list("performer_ids"), ["performer.account.novaquinn"])
        XCTAssertEqual(image.creator, "NovaQuinn")
        XCTAssertEqual(
            image.files.first?.folders, ["/downloads/EmberWilde42_fansly", "/downloads/EmberWilde42"],
            "the reposter's folder holds the file")
        XCTAssertEqual(state["performer.account.novaquinn"]?.text("name"), "NovaQuinn")
    }

    func testLooseMediaGetOwnerAndDateFromTheirRow() throws {
        let scene = try XCTUnwrap(state["scene.media.1300"])
        XCTAssertEqual(scene.text("date"), "2023-10-01")
        XCTAssertEqual(scene.text("title"), "EmberWilde42 - 2023/10/01")
        XCTAssertEqual(scene.list("studio_id"), ["studio.account.emberwilde42"])
    }

    func testWallChapters() throws {
        let chapter = try XCTUnwrap(state["chapter.wall.77.post.1"])
        XCTAssertEqual(chapter.text("title"), "Latex Collection")
        XCTAssertEqual(chapter.text("image_index"), "1")
        XCTAssertEqual(chapter.list("gallery_id"), ["gallery.post.1"])
    }

    func testCreatorFoldersAndDeterminism() throws {
        XCTAssertEqual(
            state.creatorFolders["EmberWilde42"], ["/downloads/EmberWilde42_fansly", "/downloads/EmberWilde42"])
        let again = try MappingEngine(rules: RuleSet.builtInDefault()).evaluate(records: Fixtures.records)
        XCTAssertEqual(again, state)
    }
}
