import MappingRules
import StashClient
import XCTest

@testable import SyncEngine

/// What apply sends is checked against `StashFieldCatalog` and built into the client's typed
/// inputs directly (the snapshot's side: `SnapshotSelectionTests`).
final class WriteValidationTests: XCTestCase {
    func refused(_ fields: [String: FieldValue], kind: EntityKind, as type: (some Decodable).Type) -> String? {
        do {
            _ = try StashClientWriter.input(fields, as: type, kind: kind)
            return nil
        } catch let failure as WriteFailure {
            XCTAssertEqual(failure.kind, .rejected)
            return failure.message
        } catch {
            return "unexpected \(error)"
        }
    }

    func testAnUpdateCarriesEveryPlannedField() throws {
        let input = try StashClientWriter.input(
            [
                "id": .string("7"), "title": .string("Title"), "details": .null, "date": .date("2024-01-31"),
                "urls": .strings(["https://fansly.com/post/1"]), "organized": .bool(true),
                "studio_id": .ref(StashRef(id: "5", label: "Studio")),
                "tag_ids": .refs([StashRef(id: "1"), StashRef(id: "2", label: "latex")]),
                "custom_fields.fansly_post_id": .string("1"), "custom_fields.keptAsWritten": .string("x"),
            ], as: SceneUpdateInput.self, kind: .scene)
        XCTAssertEqual(input.id, "7")
        XCTAssertEqual(input.title, "Title")
        XCTAssertNil(input.details, "a null is not sent")
        XCTAssertEqual(input.date, .value("2024-01-31"))
        XCTAssertEqual(input.urls, ["https://fansly.com/post/1"])
        XCTAssertEqual(input.organized, true)
        XCTAssertEqual(input.studioId, .value("5"))
        XCTAssertEqual(input.tagIds, ["1", "2"])
        XCTAssertEqual(
            input.customFields, CustomFieldsInput(partial: ["fansly_post_id": "1", "keptAsWritten": "x"]),
            "updates write custom fields with partial; names as they are")
    }

    func testACreateTakesCustomFieldsAsAPlainMap() throws {
        let input = try StashClientWriter.input(
            [
                "name": .string("latex"), "aliases": .strings(["Latex"]), "parent_ids": .refs([StashRef(id: "3")]),
                "custom_fields.source": .string("fansly"),
            ], as: TagCreateInput.self, kind: .tag)
        XCTAssertEqual(input.name, "latex")
        XCTAssertEqual(input.aliases, ["Latex"])
        XCTAssertEqual(input.parentIds, ["3"])
        XCTAssertEqual(input.customFields, ["source": "fansly"])
        let chapter = try StashClientWriter.input(
            ["gallery_id": .ref(StashRef(id: "9")), "title": .string("Wall"), "image_index": .int(3)],
            as: GalleryChapterCreateInput.self, kind: .chapter)
        XCTAssertEqual(chapter, GalleryChapterCreateInput(galleryId: "9", title: "Wall", imageIndex: 3))
    }

    func testFieldsTheCatalogDoesNotLetApplyWriteAreRefused() {
        XCTAssertEqual(
            refused(["id": .string("1"), "photographr": .string("x")], kind: .scene, as: SceneUpdateInput.self),
            "fansly-stash cannot write photographr on a scene")
        XCTAssertEqual(
            refused(
                ["id": .string("1"), "photographer": .string("x")], kind: .performer, as: PerformerUpdateInput.self),
            "fansly-stash cannot write photographer on a performer", "a field of images and galleries")
        XCTAssertEqual(
            refused(
                ["id": .string("1"), "director": .string("x"), "title": .string("y")], kind: .studio,
                as: StudioUpdateInput.self),
            "fansly-stash cannot write director, title on a studio")
        XCTAssertEqual(
            refused(
                ["id": .string("1"), "custom_fields.x": .string("y")], kind: .chapter,
                as: GalleryChapterUpdateInput.self),
            "fansly-stash cannot write custom_fields.x on a chapter")
    }

    func testValuesOfTheWrongTypeAreRefused() {
        XCTAssertEqual(
            refused(["id": .string("1"), "title": .int(3)], kind: .scene, as: SceneUpdateInput.self),
            "wrong type for title")
        XCTAssertEqual(
            refused(["id": .string("1"), "tag_ids": .ref(StashRef(id: "2"))], kind: .scene, as: SceneUpdateInput.self),
            "wrong type for tag_ids")
        XCTAssertEqual(
            refused(
                ["gallery_id": .ref(StashRef(id: "9")), "title": .string("Wall"), "image_index": .string("3")],
                kind: .chapter, as: GalleryChapterCreateInput.self), "wrong type for image_index")
    }

    func testWhatTheInputCannotCarryIsRefusedRatherThanDropped() {
        XCTAssertEqual(
            refused(["aliases": .strings(["x"])], kind: .tag, as: TagCreateInput.self),
            "a tag needs the field name, which the plan does not set")
        XCTAssertEqual(
            refused(
                ["id": .string("4"), "image_ids": .refs([StashRef(id: "1")])], kind: .gallery,
                as: GalleryUpdateInput.self),
            "fansly-stash cannot write image_ids on a gallery", "gallery images are added with addGalleryImages")
        XCTAssertEqual(
            refused(
                ["id": .string("4"), "studio_id": .ref(StashRef(address: EntityAddress(kind: .studio, key: "x")))],
                kind: .gallery, as: GalleryUpdateInput.self),
            "fansly-stash cannot write studio_id on a gallery", "a reference not resolved to an id")
    }
}
