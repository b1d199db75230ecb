import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// `SnapshotPageReader` reads a find page's bytes into the records `JSONDecoder` decodes from them,
/// and leaves to `JSONDecoder` every page it cannot read exactly as that would.
final class SnapshotPageReaderTests: XCTestCase {
    // MARK: - Crafted pages

    private struct Page<Kind: SnapshotKind>: Decodable {
        let count: Int
        let items: [SnapshotRecord<Kind>]
    }

    private struct Envelope<Kind: SnapshotKind>: Decodable {
        let data: [String: Page<Kind>]
    }

    private static func page(_ objects: [String], count: Int = 7) -> String {
        #"{"data":{"findX":{"count":\#(count),"items":["# + objects.joined(separator: ",") + "]}}}"
    }

    private static func read<Kind: SnapshotKind>(_ kind: Kind.Type, _ json: String) -> (
        items: [SnapshotRecord<Kind>], count: Int
    )? {
        Data(json.utf8).withUnsafeBytes { SnapshotPageReader.page($0, field: "findX", listKey: "items") }
    }

    /// The reader reads `objects` (as one page) as `JSONDecoder` does.
    private func assertReadAsDecoded<Kind: SnapshotKind>(
        _ kind: Kind.Type, _ objects: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let json = Self.page(objects)
        let decoded = try XCTUnwrap(
            JSONDecoder().decode(Envelope<Kind>.self, from: Data(json.utf8)).data["findX"], file: file, line: line)
        let read = try XCTUnwrap(
            Self.read(kind, json), "the reader leaves \(json) to JSONDecoder", file: file, line: line)
        XCTAssertEqual(read.count, decoded.count, file: file, line: line)
        XCTAssertEqual(read.items, decoded.items, file: file, line: line)
        XCTAssertEqual(read.items.count, objects.count, file: file, line: line)
    }

    /// The members of a JSON object's text (`"key": value`), split at its own commas.
    private static func members(of object: String) -> [String] {
        var members: [String] = []
        var current = ""
        var depth = 0
        var inString = false
        var escaped = false
        for character in object.dropFirst().dropLast() {
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
            } else if character == "{" || character == "[" {
                depth += 1
            } else if character == "}" || character == "]" {
                depth -= 1
            } else if character == "," && depth == 0 {
                members.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(character)
        }
        return members + [current.trimmingCharacters(in: .whitespaces)]
    }

    /// Every catalog slot of `selection` null.
    private static func nullJSON(_ selection: SnapshotSelection) -> String {
        "{" + (["\"id\": \"5\""] + selection.slots.map { "\"\($0.key.stringValue)\": null" }).joined(separator: ", ")
            + "}"
    }

    func testEveryKindWithEveryFieldAndEveryFieldNullIsReadAsJSONDecoderReadsIt() throws {
        let chapter = SnapshotSelectionTests.fullJSON(.chapter)
        let gallery =
            SnapshotSelectionTests.fullJSON(.gallery).dropLast()
            + #", "files": [{"path": "/a/g.zip"}], "folder": {"path": "/a/g"}, "chapters": [\#(chapter), \#(Self.nullJSON(.chapter))]}"#
        try assertReadAsDecoded(
            PerformerSnapshot.self, [SnapshotSelectionTests.fullJSON(.performer), Self.nullJSON(.performer)])
        try assertReadAsDecoded(
            StudioSnapshot.self, [SnapshotSelectionTests.fullJSON(.studio), Self.nullJSON(.studio)])
        try assertReadAsDecoded(TagSnapshot.self, [SnapshotSelectionTests.fullJSON(.tag), Self.nullJSON(.tag)])
        try assertReadAsDecoded(GallerySnapshot.self, [String(gallery), Self.nullJSON(.gallery)])
        try assertReadAsDecoded(
            SceneSnapshot.self,
            [
                SnapshotSelectionTests.fullJSON(.scene).dropLast()
                    + #", "files": [{"path": "/a/1.mp4"}, {"path": "/b/1.mp4"}]}"#,
                Self.nullJSON(.scene),
            ])
        try assertReadAsDecoded(
            ImageSnapshot.self,
            [SnapshotSelectionTests.fullJSON(.image).dropLast() + #", "visual_files": [{"path": "/a/2.jpg"}]}"#])
        try assertReadAsDecoded(SceneSnapshot.self, [])
    }

    func testOrderWhitespaceEscapesUnknownMembersAndCustomFieldsAreReadAsJSONDecoderReadsThem() throws {
        // Members in reverse order, with whitespace, members nobody asked for, a file list of another kind.
        let reordered =
            "{\n\t" + Self.members(of: SnapshotSelectionTests.fullJSON(.scene)).reversed().joined(separator: " ,\r\n ")
            + #", "extra": {"a": [1, -2.5e-3, 0.25, 1E+2, {"b": null, "c\"d": true}], "é": "x\"y"}, "visual_files": [{"path": "/no"}], "files": [ { "size": 3, "path" : "/a/1.mp4" } ] }"#
        try assertReadAsDecoded(SceneSnapshot.self, [reordered])
        // Escapes, raw UTF-8 and references of every shape.
        let escaped =
            #"{"id": "8", "title": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00 ünïcode", "details": "\u0000\b\f\r", "#
            + #""urls": ["h\u0074tps://x", ""], "studio": {"id": "1", "name": "S\u00fc", "extra": [null]}, "#
            + #""galleries": [{"id": "2", "title": null}, {"id": "3"}, {"title": "t", "id": "4"}], "#
            + #""tags": [{"name": "n", "id": "9"}], "organized": true, "rating100": -40, "files": null}"#
        try assertReadAsDecoded(SceneSnapshot.self, [escaped])
        // Custom fields: text, booleans and whole numbers as text; nulls and nested values left out.
        let custom =
            #"{"id": "3", "custom_fields": {"s": "x", "b": true, "f": false, "n": 12, "neg": -3, "z": null, "#
            + #""o": {"k": 1.5}, "a": [1], "é\n": "ü"}}"#
        try assertReadAsDecoded(
            TagSnapshot.self, [custom, #"{"id": "4", "custom_fields": {}}"#, #"{"id": "5", "custom_fields": null}"#])
        // A gallery's folder before its files; nulls for the files, the folder and the chapters.
        try assertReadAsDecoded(
            GallerySnapshot.self,
            [
                #"{"id": "1", "folder": {"path": "/a/g"}, "files": [{"path": "/a/g.zip"}], "chapters": []}"#,
                #"{"id": "2", "folder": null, "files": null, "chapters": null}"#,
            ])
        // Top-level members around `data`, `errors: null`.
        let json =
            #" {"extensions": {"x": [1]}, "errors": null, "data": {"findX": {"items": [{"id": "1"}], "count": 1}}} "#
        let decoded = try JSONDecoder().decode(Envelope<TagSnapshot>.self, from: Data(json.utf8)).data["findX"]
        let read = try XCTUnwrap(Self.read(TagSnapshot.self, json))
        XCTAssertEqual(read.items, decoded?.items)
        XCTAssertEqual(read.count, 1)
    }

    func testPagesItCannotReadExactlyAreLeftToJSONDecoder() throws {
        let unread: [(String, String)] = [
            ("GraphQL errors", #"{"errors": [{"message": "x"}], "data": {"findX": {"count": 0, "items": []}}}"#),
            ("empty errors", #"{"errors": [], "data": {"findX": {"count": 0, "items": []}}}"#),
            ("no data", #"{"data": null}"#),
            ("another find beside", #"{"data": {"findX": {"count": 0, "items": []}, "findY": null}}"#),
            ("another field", #"{"data": {"findY": {"count": 0, "items": []}}}"#),
            ("no count", #"{"data": {"findX": {"items": []}}}"#),
            ("no list", #"{"data": {"findX": {"count": 0}}}"#),
            ("a repeated id", Self.page([#"{"id": "1", "id": "2"}"#])),
            ("a repeated field", Self.page([#"{"id": "1", "name": "a", "name": "b"}"#])),
            ("a repeated reference id", Self.page([#"{"id": "1", "parents": [{"id": "1", "id": "2", "name": "p"}]}"#])),
            ("a malformed number among unknown members", Self.page([#"{"id": "1", "x": 1, "y": 3.}"#])),
            ("a leading zero among unknown members", Self.page([#"{"id": "1", "y": 01}"#])),
            ("a custom field with a fraction", Self.page([#"{"id": "1", "custom_fields": {"f": 1.5}}"#])),
            ("a repeated custom field", Self.page([#"{"id": "1", "custom_fields": {"f": "a", "f": "b"}}"#])),
            ("a key with an escape", Self.page([#"{"\u0069d": "1"}"#])),
            ("a lone surrogate", Self.page([#"{"id": "\ud800"}"#])),
            ("a control character", Self.page(["{\"id\": \"a\u{1}b\"}"])),
            ("no id", Self.page([#"{"name": "a"}"#])),
            ("a null id", Self.page([#"{"id": null}"#])),
            ("a reference without a name", Self.page([#"{"id": "1", "parents": [{"id": "2"}]}"#])),
            ("a string for a number", Self.page([#"{"id": "1", "name": 3}"#])),
            ("a truncated page", String(Self.page([#"{"id": "1"}"#]).dropLast())),
            ("something after the page", Self.page([#"{"id": "1"}"#]) + "x"),
            ("a leading zero", Self.page([#"{"id": "1"}"#], count: 0).replacingOccurrences(of: ":0,", with: ":00,")),
        ]
        for (what, json) in unread {
            XCTAssertNil(Self.read(TagSnapshot.self, json), what)
        }
        // A whole number written with a fraction in an int slot (a chapter's image_index).
        let fractionIndex = Self.page([#"{"id": "1", "chapters": [{"id": "2", "image_index": 3.0}]}"#])
        XCTAssertNil(Self.read(GallerySnapshot.self, fractionIndex))
        XCTAssertNotNil(Self.read(GallerySnapshot.self, fractionIndex.replacingOccurrences(of: "3.0", with: "3")))
        // Invalid UTF-8 in a string.
        var bytes = Array(Self.page([#"{"id": "1", "name": "ab"}"#]).utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "b"))!] = 0xFF
        XCTAssertNil(
            bytes.withUnsafeBytes {
                SnapshotPageReader.page($0, field: "findX", listKey: "items")
                    as (items: [SnapshotRecord<TagSnapshot>], count: Int)?
            })
        // What JSONDecoder still reads the same way: the client's answer stays its.
        let fraction = Self.page([#"{"id": "1", "custom_fields": {"f": 1.5, "n": 3.0}}"#])
        let decoded = try JSONDecoder().decode(Envelope<TagSnapshot>.self, from: Data(fraction.utf8))
        XCTAssertEqual(decoded.data["findX"]?.items.first?.customFields?.values["f"], "1.5")
    }

    // MARK: - The test server's pages

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var counts = (read: 0, left: 0)
        func add(read: Bool) { lock.withLock { if read { counts.read += 1 } else { counts.left += 1 } } }
        var read: Int { lock.withLock { counts.read } }
        var left: Int { lock.withLock { counts.left } }
    }

    /// Every page of `kind` read by the reader and by `JSONDecoder` (a find without a reader).
    private func assertServerPagesReadAsDecoded<Kind: SnapshotKind>(
        _ client: StashClient, _ kind: Kind.Type, _ type: StashObjectType, minimum: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let counter = Counter()
        let counted = SelectedFind<SnapshotRecord<Kind>>(type, selection: Kind.selection.selection) {
            response, field, listKey in
            let page: (items: [SnapshotRecord<Kind>], count: Int)? = SnapshotPageReader.page(
                response, field: field, listKey: listKey)
            counter.add(read: page != nil)
            return page
        }
        let plain = SelectedFind<SnapshotRecord<Kind>>(type, selection: Kind.selection.selection)
        var read: [SnapshotRecord<Kind>] = []
        var decoded: [SnapshotRecord<Kind>] = []
        try await client.forEachPage(counted, filter: MediaFilter?.none) { read += $0 }
        try await client.forEachPage(plain, filter: MediaFilter?.none) { decoded += $0 }
        XCTAssertGreaterThanOrEqual(read.count, minimum, "\(type)", file: file, line: line)
        XCTAssertEqual(read, decoded, "\(type)", file: file, line: line)
        XCTAssertEqual(counter.left, 0, "\(type): pages left to JSONDecoder", file: file, line: line)
        XCTAssertEqual(counter.read, (read.count + 1) / 2, "\(type): pages of 2", file: file, line: line)
    }

    func testTheTestServersPagesOfEveryKindAreReadAsJSONDecoderReadsThem() async throws {
        // v0.31: every kind has custom fields.
        let server = StashTestServer(line: .v0_31)
        try await server.start()
        defer { Task { await server.stop() } }
        let root = "/data/ünï \"creator\"_fansly"
        let ids = server.seed(
            paths: (1...5).map { "\(root)/Timeline/Videos/2024-01-0\($0)_id_\($0).mp4" }
                + (1...5).map { "\(root)/Timeline/Pictures/2024-01-0\($0)_id_\(100 + $0).jpg" })
        let zip = server.addZipGallery(path: "\(root)/bundle.zip", imagePaths: ["\(root)/bundle/1.jpg"])
        let folder = server.addFolderGallery(path: "\(root)/Timeline/Pictures")
        server.modify { state in
            var parent = TestTag(id: 1, name: "Parent \"quoted\"")
            parent.aliases = ["p1", "p2"]
            parent.customFields = ["origin": "fansly", "note": "line\nbreak"]
            var child = TestTag(id: 2, name: "Child\tü")
            child.parentIds = [1]
            state.tags = [1: parent, 2: child]
            var studio = TestStudio(id: 1, name: "Studio")
            studio.tagIds = [2]
            studio.urls = ["https://example.com/s"]
            var network = TestStudio(id: 2, name: "Network")
            network.parentId = nil
            studio.parentId = 2
            state.studios = [1: studio, 2: network]
            var performer = TestPerformer(id: 1, name: "Ember")
            performer.gender = "FEMALE"
            performer.birthdate = "2000-01-02"
            performer.aliases = ["E"]
            performer.tagIds = [1]
            performer.customFields = ["fansly_id": "123"]
            state.performers = [1: performer, 2: TestPerformer(id: 2, name: "Other")]
            state.galleries[zip]?.code = "1234"
            state.galleries[zip]?.performerIds = [1, 2]
            state.galleries[folder]?.urls = ["https://fansly.com/post/1"]
            state.galleries[folder]?.date = "2024-01-01"
            state.chapters[1] = TestChapter(id: 1, galleryId: folder, title: "Part 1", imageIndex: 1)
            state.chapters[2] = TestChapter(id: 2, galleryId: folder, title: "Part \"2\"", imageIndex: 2)
            for (index, (path, id)) in ids.sorted(by: { $0.key < $1.key }).enumerated() {
                if path.hasSuffix(".mp4") {
                    state.scenes[id]?.title = "Video \(index) ünïcode \\ \t"
                    state.scenes[id]?.date = index.isMultiple(of: 2) ? "2024-01-0\(index % 9 + 1)" : nil
                    state.scenes[id]?.performerIds = [1, 2]
                    state.scenes[id]?.tagIds = [2, 1]
                    state.scenes[id]?.studioId = index.isMultiple(of: 3) ? 1 : nil
                    state.scenes[id]?.galleryIds = [folder]
                    state.scenes[id]?.urls = ["https://fansly.com/post/\(index)"]
                    state.scenes[id]?.organized = index.isMultiple(of: 3)
                    state.scenes[id]?.customFields = index.isMultiple(of: 2) ? ["k": "v"] : [:]
                } else {
                    state.images[id]?.performerIds = [1]
                    state.images[id]?.studioId = 2
                    state.images[id]?.code = "c\(id)"
                    state.images[id]?.galleryIds = [folder, zip]
                    state.images[id]?.customFields = index.isMultiple(of: 2) ? ["n": "1", "é": "ü"] : [:]
                }
            }
        }
        let client = StashClient(
            configuration: StashConfiguration(baseURL: server.baseURL, pageSize: 2, retryPolicy: .none))
        try await client.connect()
        try await assertServerPagesReadAsDecoded(client, PerformerSnapshot.self, .performer, minimum: 2)
        try await assertServerPagesReadAsDecoded(client, StudioSnapshot.self, .studio, minimum: 2)
        try await assertServerPagesReadAsDecoded(client, TagSnapshot.self, .tag, minimum: 2)
        try await assertServerPagesReadAsDecoded(client, GallerySnapshot.self, .gallery, minimum: 2)
        try await assertServerPagesReadAsDecoded(client, SceneSnapshot.self, .scene, minimum: 5)
        try await assertServerPagesReadAsDecoded(client, ImageSnapshot.self, .image, minimum: 5)
        // The snapshot's own finds read the same.
        var scenes: [SnapshotRecord<SceneSnapshot>] = []
        try await client.forEachPage(SnapshotFinds.scenes, filter: MediaFilter?.none) { scenes += $0 }
        XCTAssertEqual(scenes.count, 5)
        XCTAssertTrue(scenes.contains { $0.customFields?.values == ["k": "v"] })
    }

    func testAPageTheReaderLeavesIsDecodedByJSONDecoder() async throws {
        let server = StashTestServer()
        try await server.start()
        defer { Task { await server.stop() } }
        server.seed(paths: (1...3).map { "/data/x_fansly/Timeline/Videos/2024-01-0\($0)_id_\($0).mp4" })
        let client = StashClient(
            configuration: StashConfiguration(baseURL: server.baseURL, pageSize: 2, retryPolicy: .none))
        let counter = Counter()
        let leaving = SelectedFind<SnapshotRecord<SceneSnapshot>>(.scene, selection: SceneSnapshot.selection.selection)
        {
            _, _, _ in
            counter.add(read: false)
            return nil
        }
        var scenes: [SnapshotRecord<SceneSnapshot>] = []
        try await client.forEachPage(leaving, filter: MediaFilter?.none) { scenes += $0 }
        XCTAssertEqual(counter.left, 2)
        XCTAssertEqual(
            scenes.map(\.paths), (1...3).map { ["/data/x_fansly/Timeline/Videos/2024-01-0\($0)_id_\($0).mp4"] })
    }
}
