import FanslyMetadata
import MappingRules
import XCTest

@testable import SyncEngine

final class MatchTests: XCTestCase {
    func testMediaTokenIsReadFromEveryNamingScheme() {
        let cases: [(String, FanslyID?, Bool)] = [
            (
                "/data/EmberWilde42_fansly/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_537124881301504299.jpeg",
                537124881301504299, false
            ),
            ("2023-02-27_at_06-52_UTC_preview_id_486482292768768232.None", 486482292768768232, true),
            ("2023-02-21_at_04-30_id_484272142024704403.mp4", 484272142024704403, false),
            ("2023-02-21_at_04-30-PM_id_484272142024704403.mp4", 484272142024704403, false),
            ("id_42.jpg", 42, false),
            ("/renamed_id_9/holiday_id_12.mp4", 12, false),
            ("2023-02-21_at_04-30_UTC_paid_12.mp4", nil, false),
            ("avoid_3.jpg", nil, false),
            ("x_id_.jpg", nil, false),
            ("x_id_99999999999999999999999.jpg", nil, false),
            ("x_id_12abc.jpg", nil, false),
        ]
        for (path, id, preview) in cases {
            let token = MediaFileName.token(inPath: path)
            XCTAssertEqual(token?.mediaId, id, path)
            if id != nil { XCTAssertEqual(token?.isPreview, preview, path) }
        }
    }

    private func performer(
        _ id: String, _ name: String, disambiguation: String = "", aliases: [String] = [], urls: [String] = []
    ) -> StashObject {
        StashObject(
            kind: .performer, id: id,
            fields: [
                "name": .string(name), "disambiguation": .string(disambiguation),
                "alias_list": .strings(aliases), "urls": .strings(urls),
            ])
    }

    private func desiredPerformer(_ key: String, match: [MatchKey]) -> DesiredEntity {
        DesiredEntity(address: EntityAddress(kind: .performer, key: key), fields: [], match: match)
    }

    func testPerformersMatchByNameAliasOrURLIgnoringCase() {
        let snapshot = StashSnapshot(objects: [
            performer("1", "Ember Wilde", aliases: ["emberwilde42"]),
            performer("2", "Someone", urls: ["https://fansly.com/Latex_Model/posts"]),
        ])
        let matcher = Matcher(snapshot: snapshot)
        XCTAssertEqual(
            matcher.match(desiredPerformer("a", match: [.name("ember wilde", disambiguation: nil)])),
            .matched(id: "1", via: "name"))
        XCTAssertEqual(
            matcher.match(desiredPerformer("a", match: [.name("EmberWilde42", disambiguation: nil)])),
            .matched(id: "1", via: "alias"))
        XCTAssertEqual(
            matcher.match(
                desiredPerformer(
                    "b",
                    match: [
                        .name("nobody", disambiguation: nil),
                        .url("http://www.fansly.com/latex_model/posts/"),
                    ])),
            .matched(id: "2", via: "url"))
        XCTAssertEqual(matcher.match(desiredPerformer("c", match: [.name("nobody", disambiguation: nil)])), .none)
    }

    func testDisambiguationIsHonouredAndAmbiguityReported() {
        let snapshot = StashSnapshot(objects: [
            performer("1", "Mia", disambiguation: "Fansly"),
            performer("2", "Mia", disambiguation: "OnlyFans"),
            performer("3", "Lena", disambiguation: "Fansly"),
        ])
        let matcher = Matcher(snapshot: snapshot)
        XCTAssertEqual(
            matcher.match(desiredPerformer("m", match: [.name("mia", disambiguation: "fansly")])),
            .matched(id: "1", via: "name"))
        XCTAssertEqual(
            matcher.match(desiredPerformer("m", match: [.name("Mia", disambiguation: nil)])),
            .ambiguous(ids: ["1", "2"], via: "name"))
        XCTAssertEqual(matcher.match(desiredPerformer("m", match: [.name("Mia", disambiguation: "Patreon")])), .none)
        XCTAssertEqual(
            matcher.match(desiredPerformer("l", match: [.name("Lena", disambiguation: nil)])),
            .matched(id: "3", via: "name"),
            "a single candidate with a disambiguation is still the one")
    }

    func testRememberedLinkWinsOverSearchingAndHintsAreVerified() {
        let snapshot = StashSnapshot(objects: [performer("1", "Ember"), performer("2", "Other")])
        let address = EntityAddress(kind: .performer, key: "account.ember")
        let link = SyncLink(address: address, stashId: "2", writtenFields: [:], writtenAt: Date())
        let entity = DesiredEntity(address: address, fields: [], match: [.name("Ember", disambiguation: nil)])
        XCTAssertEqual(
            Matcher(snapshot: snapshot, links: [address: link]).match(entity), .matched(id: "2", via: "link"))
        let deleted = SyncLink(address: address, stashId: "99", writtenFields: [:], writtenAt: Date())
        XCTAssertEqual(
            Matcher(snapshot: snapshot, links: [address: deleted]).match(entity), .matched(id: "1", via: "name"),
            "a link to a deleted object falls back to searching")
        let hinted = DesiredEntity(
            address: address, fields: [], match: [.stashIdHint("2"), .name("Ember", disambiguation: nil)])
        XCTAssertEqual(Matcher(snapshot: snapshot).match(hinted), .matched(id: "2", via: "hint"))
        let staleHint = DesiredEntity(
            address: address, fields: [], match: [.stashIdHint("404"), .name("Ember", disambiguation: nil)])
        XCTAssertEqual(Matcher(snapshot: snapshot).match(staleHint), .matched(id: "1", via: "name"))
    }

    func testStudiosAndTagsMatchByNameOrAliasAndGalleriesByCodeOrURL() {
        let snapshot = StashSnapshot(objects: [
            StashObject(
                kind: .tag, id: "5", fields: ["name": .string("Lesbian Domination"), "aliases": .strings(["lesdom"])]),
            StashObject(
                kind: .studio, id: "6", fields: ["name": .string("Fansly (network)"), "aliases": .strings([])]),
            StashObject(kind: .gallery, id: "7", fields: ["code": .string("537124881301504299")]),
            StashObject(kind: .gallery, id: "8", fields: ["urls": .strings(["https://fansly.com/post/1"])]),
        ])
        let matcher = Matcher(snapshot: snapshot)
        func entity(_ kind: EntityKind, _ key: MatchKey) -> DesiredEntity {
            DesiredEntity(address: EntityAddress(kind: kind, key: "x"), fields: [], match: [key])
        }
        XCTAssertEqual(
            matcher.match(entity(.tag, .name("LESDOM", disambiguation: nil))), .matched(id: "5", via: "alias"))
        XCTAssertEqual(
            matcher.match(entity(.studio, .name("fansly (network)", disambiguation: nil))),
            .matched(id: "6", via: "name"))
        XCTAssertEqual(
            matcher.match(entity(.tag, .name("Fansly (network)", disambiguation: nil))), .none, "kinds never mix")
        XCTAssertEqual(matcher.match(entity(.gallery, .code("537124881301504299"))), .matched(id: "7", via: "code"))
        XCTAssertEqual(
            matcher.match(entity(.gallery, .url("https://fansly.com/post/1"))), .matched(id: "8", via: "url"))
    }

    private func scene(_ id: String, _ paths: [String], organized: Bool = false) -> StashObject {
        StashObject(kind: .scene, id: id, fields: ["title": .string("")], organized: organized, paths: paths)
    }

    private func desiredScene(_ mediaId: FanslyID, fileId: FanslyID, preview: Bool = false, basename: String? = nil)
        -> DesiredEntity
    {
        DesiredEntity(
            address: EntityAddress(kind: .scene, key: "media.\(mediaId)"), fields: [], createMissing: false,
            creator: "ember",
            files: [
                ExpectedFile(
                    fileMediaId: fileId, isPreview: preview, basename: basename, folders: ["/data/ember_fansly"])
            ])
    }

    func testScenesMatchByTheFileMediaIdOnly() {
        let snapshot = StashSnapshot(objects: [
            scene("11", ["/data/ember_fansly/Timeline/Videos/2023-02-21_at_04-30_UTC_id_200.mp4"]),
            scene("12", ["/data/ember_fansly/Messages/Videos/2023-02-21_at_04-30-PM_id_300.mp4"]),
            scene("13", ["/data/ember_fansly/a_id_400.mp4"]), scene("14", ["/data/ember_fansly/b_id_400.mp4"]),
        ])
        let matcher = Matcher(snapshot: snapshot)
        XCTAssertEqual(
            matcher.match(desiredScene(100, fileId: 200)), .matched(id: "11", via: "file"), "HLS variant id in the name"
        )
        XCTAssertEqual(matcher.match(desiredScene(300, fileId: 300)), .matched(id: "12", via: "file"))
        XCTAssertEqual(matcher.match(desiredScene(400, fileId: 400)), .ambiguous(ids: ["13", "14"], via: "file"))
    }

    func testUnmatchedMediaSayWhy() {
        var snapshot = StashSnapshot(
            objects: [], searchedFolders: ["ember": ["/data/ember_fansly"]],
            filesOutsideFolders: [700: ["/old/downloads/x_id_700.jpg"]])
        let matcher = Matcher(snapshot: snapshot)
        guard
            case .unmatchedMedia(let id, let reason, let lookedFor) = matcher.match(
                desiredScene(600, fileId: 601, basename: "a_id_601.mp4"))
        else {
            return XCTFail("expected unmatched")
        }
        XCTAssertEqual(id, 601)
        XCTAssertTrue(reason.contains("not in Stash"), reason)
        XCTAssertEqual(lookedFor, ["/data/ember_fansly/**/a_id_601.mp4"])

        guard
            case .unmatchedMedia(_, let previewReason, _) = matcher.match(
                desiredScene(650, fileId: 651, preview: true, basename: "2023-02-27_at_06-52_UTC_preview_id_651.None"))
        else { return XCTFail() }
        XCTAssertTrue(previewReason.contains(".None"), previewReason)

        guard case .unmatchedMedia(_, let outsideReason, _) = matcher.match(desiredScene(700, fileId: 700)) else {
            return XCTFail()
        }
        // One wording for every such file (the report counts them); the path goes with the plan's item.
        XCTAssertEqual(outsideReason, Matcher.outsideFoldersReason)

        snapshot.isOffline = true
        guard
            case .unmatchedMedia(_, let offlineReason, let offlineLooked) = Matcher(snapshot: snapshot).match(
                desiredScene(800, fileId: 800))
        else { return XCTFail() }
        XCTAssertTrue(offlineReason.contains("offline"), offlineReason)
        XCTAssertEqual(offlineLooked, ["/data/ember_fansly/**/*id_800.*"])
    }

    func testChaptersMatchByTitleInsideTheirGallery() {
        let snapshot = StashSnapshot(objects: [
            StashObject(
                kind: .chapter, id: "30", fields: ["title": .string("Beach"), "gallery_id": .ref(StashRef(id: "7"))]),
            StashObject(
                kind: .chapter, id: "31", fields: ["title": .string("Beach"), "gallery_id": .ref(StashRef(id: "8"))]),
        ])
        let chapter = DesiredEntity(
            address: EntityAddress(kind: .chapter, key: "wall.1"),
            fields: [
                DesiredField(name: "title", value: .string("beach")),
                DesiredField(name: "gallery_id", value: .reference(EntityAddress(kind: .gallery, key: "post.1"))),
            ])
        XCTAssertEqual(Matcher(snapshot: snapshot).match(chapter, galleryId: "8"), .matched(id: "31", via: "title"))
        XCTAssertEqual(Matcher(snapshot: snapshot).match(chapter, galleryId: "9"), .none)
        XCTAssertEqual(Matcher(snapshot: snapshot).match(chapter, galleryId: nil), .none)
    }
}

final class MatchCatalogTests: XCTestCase {
    func testTheSampleDatabaseKnowsEveryFileItsDownloaderWrote() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let list = try String(contentsOf: root.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        let ids = Set(list.split(separator: "\n").compactMap { MediaFileName.token(inPath: String($0))?.mediaId })
        XCTAssertGreaterThan(ids.count, 10)
        let database = try MetadataDatabase(path: root.appendingPathComponent("examples/sample-metadata.sqlite3").path)
        XCTAssertEqual(try database.knownFileIds(ids.union([123_456_789])), ids)
    }
}
