import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// The snapshot loader: reads started before the rules are evaluated give the same snapshot and
/// plan as reading afterwards; objects share storage without changing a value.
final class SnapshotLoaderTests: XCTestCase {
    private var server: StashTestServer!
    private var client: StashClient!

    override func setUp() async throws {
        server = StashTestServer()
        try await server.start()
        client = StashClient(
            configuration: StashConfiguration(baseURL: server.baseURL, pageSize: 2, retryPolicy: .none))
    }

    override func tearDown() async throws {
        await server.stop()
    }

    private static let otherFolder = "/data/someone_else_fansly"

    /// The creator's files (two pages of scenes and of images), one file of another creator, and
    /// the common objects the plan matches by name.
    private func seedLibrary() {
        let folder = PlanFixtures.folder
        let ids = server.seed(paths: [
            folder + "/Timeline/Videos/2023-07-17_at_00-48_UTC_id_101.mp4",
            folder + "/Timeline/Videos/2023-07-18_at_00-48_UTC_id_102.mp4",
            folder + "/Timeline/Videos/2023-07-19_at_00-48_UTC_id_103.mp4",
            folder + "/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_200.jpeg",
            folder + "/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_201.jpeg",
            folder + "/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_202.jpeg",
            Self.otherFolder + "/Timeline/Videos/2023-07-17_at_00-48_UTC_id_777.mp4",
        ])
        server.modify { state in
            state.tags[904] = TestTag(id: 904, name: "latex")
            state.performers[903] = TestPerformer(id: 903, name: "Ember Wilde")
            let scene = ids[folder + "/Timeline/Videos/2023-07-17_at_00-48_UTC_id_101.mp4"]!
            state.scenes[scene]?.title = "Edited in Stash"
            state.scenes[scene]?.tagIds = [904]
            state.scenes[scene]?.performerIds = [903]
        }
    }

    func testPrefetchedReadsGiveTheSameSnapshotAndPlan() async throws {
        seedLibrary()
        let desired = PlanFixtures.desired
        let loader = StashSnapshotLoader(client: client)
        try await client.connect()
        server.resetCounters()
        let plain = try await loader.load(desired: desired, entities: desired.entities, links: [:])
        let plainRequests = server.requestCount

        // Folders of a creator the plan does not cover are read ahead too, but not used.
        server.resetCounters()
        let prefetch = loader.prefetch(creatorFolders: [
            "emberwilde42": [PlanFixtures.folder], "someone_else": [Self.otherFolder],
        ])
        let prefetched = try await loader.load(
            desired: desired, entities: desired.entities, links: [:], prefetched: prefetch)
        XCTAssertEqual(
            server.requestCount(for: "findScenes"), 2 + 1, "two pages under the creator folder, one under the other")
        XCTAssertEqual(server.requestCount, plainRequests + 1 + 2, "connect, and the other folder's scenes and images")

        XCTAssertEqual(prefetched.searchedFolders, plain.searchedFolders)
        XCTAssertEqual(prefetched.count, plain.count)
        for kind in EntityKind.allCases {
            XCTAssertEqual(Set(prefetched.objects(kind)), Set(plain.objects(kind)), "\(kind)")
        }
        XCTAssertFalse(prefetched.objects(.scene).contains { $0.paths.contains { $0.hasPrefix(Self.otherFolder) } })
        XCTAssertEqual(prefetched.objects(.scene).count, 3)
        XCTAssertEqual(prefetched.objects(.image).count, 3)

        let edited = try XCTUnwrap(plain.objects(.scene).first { $0.fields["title"] == .string("Edited in Stash") })
        XCTAssertEqual(edited.fields["tag_ids"], .refs([StashRef(id: "904", label: "latex")]))
        XCTAssertEqual(edited.fields["performer_ids"], .refs([StashRef(id: "903", label: "Ember Wilde")]))
        XCTAssertNil(edited.fields["studio_id"], "null fields are left out")

        var withPrefetch = try await PlanSession(
            desired: desired, inputs: PlanFixtures.inputs, client: client, tool: "test",
            prefetched: loader.prefetch(creatorFolders: ["emberwilde42": [PlanFixtures.folder]])
        ).run()
        var without = try await PlanSession(desired: desired, inputs: PlanFixtures.inputs, client: client, tool: "test")
            .run()
        withPrefetch.createdAt = Date(timeIntervalSince1970: 0)
        without.createdAt = withPrefetch.createdAt
        XCTAssertEqual(try PlanFile.encode(withPrefetch), try PlanFile.encode(without))
        XCTAssertTrue(without.changes.contains { $0.action == .update }, "the plan compares against what Stash holds")
    }

    /// Folder objects past `objectsInMemory` are spooled: the snapshot answers every look-up as
    /// the one that kept them in memory, reads them back equal, and the plan is the same.
    func testSpooledFolderObjectsGiveTheSameSnapshotAndPlan() async throws {
        seedLibrary()
        // A gallery with a code (read with the common objects) holding two of the images.
        server.modify { state in
            state.galleries[950] = TestGallery(id: 950)
            state.galleries[950]!.code = "post-1"
            for id in state.images.keys.sorted().prefix(2) { state.images[id]!.galleryIds = [950] }
        }
        let desired = PlanFixtures.desired
        var spooling = StashSnapshotLoader(client: client)
        spooling.objectsInMemory = 0
        let folders = ["emberwilde42": [PlanFixtures.folder], "someone_else": [Self.otherFolder]]
        let kept = try await StashSnapshotLoader(client: client).load(
            desired: desired, entities: desired.entities, links: [:],
            prefetched: StashSnapshotLoader(client: client).prefetch(creatorFolders: folders))
        let spooled = try await spooling.load(
            desired: desired, entities: desired.entities, links: [:],
            prefetched: spooling.prefetch(creatorFolders: folders))
        XCTAssertEqual(kept.spooledCount, 0)
        XCTAssertEqual(spooled.spooledCount, 7, "the creator's three scenes and three images, the gallery")
        let gallery = try XCTUnwrap(spooled.object(.gallery, id: "950"))
        XCTAssertEqual(gallery.fields["image_ids"].map { if case .refs(let refs) = $0 { refs.count } else { 0 } }, 2)
        XCTAssertEqual(spooled.ids(code: "post-1", kind: .gallery), ["950"])
        XCTAssertEqual(spooled.count, kept.count)
        for kind in EntityKind.allCases {
            XCTAssertEqual(Set(spooled.objects(kind)), Set(kept.objects(kind)), "\(kind)")
            for object in kept.objects(kind) {
                XCTAssertEqual(spooled.object(kind, id: object.id), object)
                XCTAssertTrue(spooled.holds(kind, id: object.id))
            }
        }
        for mediaId: FanslyID in [101, 102, 103, 200, 201, 202, 777] {
            for kind in [EntityKind.scene, .image] {
                XCTAssertEqual(
                    spooled.ids(fileMediaId: mediaId, kind: kind), kept.ids(fileMediaId: mediaId, kind: kind))
            }
        }
        XCTAssertFalse(spooled.holds(.scene, id: "999999"))
        XCTAssertNil(spooled.object(.scene, id: "999999"))
        XCTAssertNoThrow(try spooled.checkSpoolReads())

        var plans: [Plan] = []
        for snapshot in [kept, spooled] {
            var plan = try Planner(desired: desired, snapshot: snapshot).plan(
                selected: desired.entities, inputs: PlanFixtures.inputs, selection: PlanSelection(), tool: "test")
            plan.createdAt = Date(timeIntervalSince1970: 0)
            plans.append(plan)
        }
        XCTAssertEqual(try PlanFile.encode(plans[1]), try PlanFile.encode(plans[0]))
        XCTAssertTrue(
            plans[1].changes.contains { $0.action == .update && $0.address.kind == .scene }, "matched and diffed")
    }

    /// Every kind of value an object holds comes back from the spool as it was written; records
    /// written one after another are read back in one read, in any order asked.
    func testTheSpoolReadsBackEveryValue() throws {
        let spool = try SnapshotSpool()
        let objects = (0..<300).map { index in
            StashObject(
                kind: .image, id: "\(index)",
                fields: [
                    "title": .string("Ünïcode \(index) \"quoted\""), "rating100": .int(-index),
                    "organized": .bool(true),
                    "date": .date("2024-01-02"), "urls": .strings(["https://fansly.com/post/\(index)", ""]),
                    "studio_id": .ref(StashRef(id: "7", address: EntityAddress(kind: .studio, key: "s"), label: "S")),
                    "tag_ids": .refs([StashRef(id: "1"), StashRef(label: "only a label")]), "details": .null,
                ],
                organized: index % 2 == 0,
                paths: index % 3 == 0 ? [] : ["/data/a/Timeline/Pictures/x_id_\(index).jpeg", "/b/\(index)"])
        }
        let spooled = try spool.append(Array(objects[..<100])) + spool.append(Array(objects[100...]))
        XCTAssertEqual(spooled[4].mediaIds, [4])
        XCTAssertEqual(spooled[3].mediaIds, [])
        XCTAssertEqual(spooled[5].keyFields?["urls"], objects[5].fields["urls"])
        XCTAssertNil(spooled[5].keyFields?["title"], "only what the snapshot indexes is kept")
        let read = try spool.objects(at: spooled.reversed().map(\.location), kind: .image)
        XCTAssertEqual(read, objects, "in file order")
        XCTAssertEqual(spool.object(at: spooled[42].location, kind: .image), objects[42])
        XCTAssertNoThrow(try spool.checkReads())
    }

    /// A record that does not read back, or a read past the file's end, is said as the spool's
    /// error; a read that could not throw where it happened is thrown by `checkReads()`.
    func testTheSpoolSaysWhatCouldNotBeReadBack() throws {
        let spool = try SnapshotSpool()
        let object = StashObject(kind: .scene, id: "7", fields: ["title": .string("T")], paths: ["/a/x_id_7.mp4"])
        let location = try XCTUnwrap(spool.append([object]).first).location
        let short = SnapshotSpool.Location(offset: location.offset, length: location.length - 1)
        XCTAssertThrowsError(try spool.objects(at: [short], kind: .scene)) { error in
            XCTAssertEqual("\(error)", "the temporary file of Stash's objects does not read back as written")
        }
        let beyond = SnapshotSpool.Location(offset: location.length + 100, length: 10)
        XCTAssertThrowsError(try spool.objects(at: [beyond], kind: .scene)) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("the temporary file of Stash's objects could not be read back: "), "\(error)")
        }
        XCTAssertNoThrow(try spool.checkReads())
        XCTAssertNil(spool.object(at: beyond, kind: .scene))
        XCTAssertEqual(spool.object(at: location, kind: .scene), object)
        XCTAssertThrowsError(try spool.checkReads()) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("the temporary file of Stash's objects could not be read back: "), "\(error)")
        }
    }

    func testPrefetchErrorsSurfaceFromLoad() async throws {
        await server.stop()
        let loader = StashSnapshotLoader(client: client)
        let prefetch = loader.prefetch(creatorFolders: ["emberwilde42": [PlanFixtures.folder]])
        do {
            _ = try await loader.load(
                desired: PlanFixtures.desired, entities: PlanFixtures.desired.entities, links: [:], prefetched: prefetch
            )
            XCTFail("expected a connection error")
        } catch let error as StashError {
            XCTAssertTrue(error.description.contains("connection refused"), error.description)
        }
    }

    func testFieldsBehaveAsADictionary() {
        var fields: StashFields = ["title": .string("A"), "code": .string("1")]
        XCTAssertEqual(fields, StashFields(["code": .string("1"), "title": .string("A")]), "order does not matter")
        XCTAssertEqual(fields["title"], .string("A"))
        XCTAssertNil(fields["details"])
        fields["details"] = .string("D")
        fields["title"] = .string("B")
        fields["code"] = nil
        fields["missing"] = nil
        XCTAssertEqual(fields, StashFields(["title": .string("B"), "details": .string("D")]))
        XCTAssertEqual(fields.map(\.name), ["details", "title"])
        XCTAssertEqual(fields.count, 2)
    }

    func testEqualFieldSetsShareStorageAndLabelsAreShared() throws {
        let tag = "a tag name longer than fifteen bytes"
        func scene(_ id: Int) -> String {
            #"{"id": "\#(id)", "organized": false, "tags": [{"id": "1", "name": "\#(tag)"}], "files": [{"path": "/a/x_id_\#(id).mp4"}]}"#
        }
        let page = try JSONDecoder().decode(
            [SnapshotRecord<SceneSnapshot>].self, from: Data(("[" + scene(1) + ", " + scene(2) + "]").utf8))
        var interner = ObjectInterner()
        var objects: [StashObject] = []
        for record in page { record.append(to: &objects, sharing: &interner) }
        let (first, second) = (objects[0], objects[1])
        XCTAssertEqual(first.fields, second.fields)
        XCTAssertEqual(first.fields["tag_ids"], .refs([StashRef(id: "1", label: tag)]))
        XCTAssertEqual(first.fields["organized"], .bool(false))
        XCTAssertNil(first.fields["title"])
        XCTAssertEqual(second.paths, ["/a/x_id_2.mp4"])
        let image = try XCTUnwrap(
            SnapshotSelectionTests.objects(
                ImageSnapshot.self, #"{"id": "3", "photographer": "P", "visual_files": [{"path": "/a/x_id_3.jpg"}]}"#
            ).first)
        XCTAssertEqual(image.fields["photographer"], .string("P"))
        XCTAssertNil(image.fields["director"])
    }

    /// Fields are made once per distinct set of values, and only where the values alone decide
    /// them: custom fields and a chapter's gallery make their own.
    func testFieldsMadeFromEqualValuesAreReusedOnlyWhereTheValuesDecideThem() throws {
        let json = """
            [{"id": "1", "name": "T", "favorite": true},
             {"id": "2", "name": "T", "favorite": true},
             {"id": "3", "name": "T", "favorite": true, "custom_fields": {"k": "v"}},
             {"id": "4", "name": "T", "favorite": true, "custom_fields": {"k": "w"}},
             {"id": "5", "name": "U", "favorite": false}]
            """
        var interner = ObjectInterner()
        var objects: [StashObject] = []
        for record in try JSONDecoder().decode([SnapshotRecord<TagSnapshot>].self, from: Data(json.utf8)) {
            record.append(to: &objects, sharing: &interner)
        }
        XCTAssertEqual(objects.map(\.id), ["1", "2", "3", "4", "5"])
        XCTAssertEqual(objects[0].fields, objects[1].fields)
        XCTAssertEqual(objects[2].fields["custom_fields.k"], .string("v"))
        XCTAssertEqual(objects[3].fields["custom_fields.k"], .string("w"))
        XCTAssertNil(objects[0].fields["custom_fields.k"])
        XCTAssertEqual(objects[4].fields["name"], .string("U"))
        XCTAssertEqual(objects[4].fields["favorite"], .bool(false))
        // Scenes with equal values: each keeps its organized flag and paths.
        let scenes = """
            [{"id": "1", "organized": true, "files": [{"path": "/a/1.mp4"}]},
             {"id": "2", "organized": true, "files": [{"path": "/a/2.mp4"}]}]
            """
        var read: [StashObject] = []
        for record in try JSONDecoder().decode([SnapshotRecord<SceneSnapshot>].self, from: Data(scenes.utf8)) {
            record.append(to: &read, sharing: &interner)
        }
        XCTAssertEqual(read.map(\.organized), [true, true])
        XCTAssertEqual(read.map(\.paths), [["/a/1.mp4"], ["/a/2.mp4"]])
        // Two galleries with equal values and equal chapters: each chapter names its own gallery.
        let galleries = """
            [{"id": "7", "title": "G", "chapters": [{"id": "1", "title": "C", "image_index": 1}]},
             {"id": "8", "title": "G", "chapters": [{"id": "2", "title": "C", "image_index": 1}]}]
            """
        read = []
        for record in try JSONDecoder().decode([SnapshotRecord<GallerySnapshot>].self, from: Data(galleries.utf8)) {
            record.append(to: &read, sharing: &interner)
        }
        XCTAssertEqual(
            read.filter { $0.kind == .chapter }.map { $0.fields["gallery_id"] },
            [.ref(StashRef(id: "7", label: "G")), .ref(StashRef(id: "8", label: "G"))])
    }
}
