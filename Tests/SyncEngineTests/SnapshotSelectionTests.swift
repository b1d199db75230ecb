import Foundation
import GraphQL
import MappingRules
import StashTestServer
import XCTest

@testable import StashClient
@testable import SyncEngine

/// The plan reads Stash by the field catalog: every field with an `output` is selected, decoded
/// from Stash's JSON and kept under its catalog name, and the finds are valid on both Stash lines.
final class SnapshotSelectionTests: XCTestCase {
    /// Decodes `json` (one object as Stash answers a find) as the plan reads a `Kind`.
    static func objects<Kind: SnapshotKind>(_ kind: Kind.Type, _ json: String) throws -> [StashObject] {
        let record = try JSONDecoder().decode(SnapshotRecord<Kind>.self, from: Data(json.utf8))
        var interner = ObjectInterner()
        var objects: [StashObject] = []
        record.append(to: &objects, sharing: &interner)
        return objects
    }

    /// Stash's JSON for one object of `selection` with a value in every catalog field it reads.
    static func fullJSON(_ selection: SnapshotSelection) -> String {
        var members = ["\"id\": \"1\""]
        for slot in selection.slots {
            let label = slot.titled ? "title" : "name"
            let value: String
            switch slot.type {
            case .text: value = "\"t\""
            case .date: value = "\"2024-05-06\""
            case .int: value = "3"
            case .bool: value = "true"
            case .strings: value = "[\"a\"]"
            case .reference: value = "{\"id\": \"9\", \"\(label)\": \"r\"}"
            case .references: value = "[{\"id\": \"9\", \"\(label)\": \"r\"}]"
            }
            members.append("\"\(slot.key.stringValue)\": \(value)")
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    func testEveryCatalogFieldThatIsReadBackIsSelectedAndRead() throws {
        let chapter = Self.fullJSON(SnapshotSelection.chapter)
        let gallery = Self.fullJSON(SnapshotSelection.gallery).dropLast() + ", \"chapters\": [\(chapter)]}"
        var objects: [StashObject] = []
        objects += try Self.objects(PerformerSnapshot.self, Self.fullJSON(.performer))
        objects += try Self.objects(StudioSnapshot.self, Self.fullJSON(.studio))
        objects += try Self.objects(TagSnapshot.self, Self.fullJSON(.tag))
        objects += try Self.objects(GallerySnapshot.self, String(gallery))
        objects += try Self.objects(SceneSnapshot.self, Self.fullJSON(.scene))
        objects += try Self.objects(ImageSnapshot.self, Self.fullJSON(.image))
        XCTAssertEqual(Set(objects.map(\.kind)), Set(EntityKind.allCases))
        let documents = SnapshotFinds.all.map(\.document).joined(separator: "\n")
        for object in objects {
            for field in StashFieldCatalog.fields(of: object.kind) {
                guard let output = field.output else {
                    XCTAssertEqual(
                        object.fields[field.name] != nil, field.name == "gallery_id",
                        "\(object.kind) \(field.name) is not read back (a chapter's gallery is the one it is read with)"
                    )
                    continue
                }
                let value = try XCTUnwrap(object.fields[field.name], "\(object.kind) \(field.name) is read")
                XCTAssertTrue(field.type.accepts(value), "\(object.kind) \(field.name): \(value)")
                // Versioned fields are selected by the client where the server has them.
                if field.since == nil { XCTAssertTrue(documents.contains(output), "\(output) is selected") }
            }
            for entry in object.fields {
                XCTAssertNotNil(
                    StashFieldCatalog.field(entry.name, of: object.kind),
                    "\(object.kind) \(entry.name) is not in StashFieldCatalog")
            }
        }
        XCTAssertEqual(
            objects.first { $0.kind == .chapter }?.fields["gallery_id"], .ref(StashRef(id: "1", label: "t")))
        XCTAssertEqual(
            objects.first { $0.kind == .performer }?.fields["tag_ids"], .refs([StashRef(id: "9", label: "r")]))
        XCTAssertEqual(objects.first { $0.kind == .tag }?.fields["parent_ids"], .refs([StashRef(id: "9", label: "r")]))
        XCTAssertEqual(objects.first { $0.kind == .studio }?.fields["parent_id"], .ref(StashRef(id: "9", label: "r")))
        XCTAssertEqual(objects.first { $0.kind == .scene }?.fields["date"], .date("2024-05-06"))
    }

    func testNullsAreLeftOutAndListsReadEmpty() throws {
        let object = try XCTUnwrap(
            Self.objects(
                PerformerSnapshot.self,
                #"{"id": "2", "name": "P", "disambiguation": null, "alias_list": [], "urls": null, "birthdate": "", "favorite": false, "tags": []}"#
            ).first)
        XCTAssertNil(object.fields["disambiguation"])
        XCTAssertNil(object.fields["birthdate"], "a blank date is no date")
        XCTAssertEqual(object.fields["urls"], .strings([]))
        XCTAssertEqual(object.fields["favorite"], .bool(false))
        XCTAssertEqual(object.fields["name"], .string("P"))
    }

    func testFilesAndFoldersGiveThePaths() throws {
        let scene = try Self.objects(
            SceneSnapshot.self, #"{"id": "1", "organized": true, "files": [{"path": "/a/x_id_1.mp4"}]}"#)
        XCTAssertEqual(scene.first?.paths, ["/a/x_id_1.mp4"])
        XCTAssertEqual(scene.first?.organized, true)
        let image = try Self.objects(
            ImageSnapshot.self, #"{"id": "2", "organized": false, "visual_files": [{"path": "/a/x_id_2.jpg"}]}"#)
        XCTAssertEqual(image.first?.paths, ["/a/x_id_2.jpg"])
        let gallery = try Self.objects(
            GallerySnapshot.self,
            #"{"id": "3", "organized": false, "files": [{"path": "/a/g.zip"}], "folder": {"path": "/a/g"}, "chapters": []}"#
        )
        XCTAssertEqual(gallery.first?.paths, ["/a/g.zip", "/a/g"])
    }

    func testSnapshotFindsAreValidAgainstBothStashSchemas() throws {
        guard let v030 = try RealStashSchema.load(.v0_30), let v031 = try RealStashSchema.load(.v0_31) else {
            throw XCTSkip("Stash's schemas are not beside the package; skipping the check of the snapshot's finds")
        }
        for (name, text) in SnapshotFinds.all {
            for capabilities in [StashCapabilities(), .v0_30] {
                let document = try parse(source: Source(body: capabilities.adapting(text), name: name))
                XCTAssertEqual(validate(schema: v030, ast: document).map(\.message), [], "\(name) on v0.30.1")
                XCTAssertEqual(validate(schema: v031, ast: document).map(\.message), [], "\(name) on v0.31")
            }
            let adapted = StashCapabilities.v0_31.adapting(text)
            XCTAssertNotEqual(adapted, text, "\(name) selects custom fields on v0.31")
            let document = try parse(source: Source(body: adapted, name: name))
            XCTAssertEqual(validate(schema: v031, ast: document).map(\.message), [], "\(name) on v0.31")
        }
    }
}
