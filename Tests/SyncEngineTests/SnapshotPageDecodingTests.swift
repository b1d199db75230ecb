import Foundation
import MappingRules
import StashTestServer
import XCTest

@testable import StashClient
@testable import SyncEngine

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The plan's snapshot pages are read by StashClient's `TapeDecoder`: on the test server's real
/// answers (every kind, v0.31 custom fields, nulls, escapes, non-ASCII text, chapters) it reads
/// them itself and gives exactly the records `JSONDecoder` gives.
final class SnapshotPageDecodingTests: XCTestCase {
    func testSnapshotPagesReadByTheTapeAreTheRecordsJSONDecoderReads() async throws {
        let server = StashTestServer(line: .v0_31)
        try await server.start()
        defer { Task { await server.stop() } }
        seed(server)

        let capabilities = StashCapabilities.v0_31
        try await assertAlike(SnapshotFinds.performers, capabilities, server, minimum: 2)
        try await assertAlike(SnapshotFinds.studios, capabilities, server, minimum: 2)
        try await assertAlike(SnapshotFinds.tags, capabilities, server, minimum: 2)
        try await assertAlike(SnapshotFinds.galleries, capabilities, server, minimum: 2)
        try await assertAlike(SnapshotFinds.scenes, capabilities, server, minimum: 4)
        try await assertAlike(SnapshotFinds.images, capabilities, server, minimum: 2)
        // The v0.30 documents (no custom fields on media) are read alike too.
        try await assertAlike(SnapshotFinds.scenes, .v0_30, server, minimum: 4)
    }

    private func assertAlike<Kind: SnapshotKind>(
        _ find: SelectedFind<SnapshotRecord<Kind>>, _ capabilities: StashCapabilities, _ server: StashTestServer,
        minimum: Int, file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let answer = try await post(capabilities.adapting(find.document), to: server)
        let expected = try JSONDecoder().decode(Answer<SnapshotRecord<Kind>>.self, from: answer)
        let read = try XCTUnwrap(
            TapeDecoder.decodeWithoutFallback(Answer<SnapshotRecord<Kind>>.self, from: answer),
            "the tape reads \(Kind.self)'s page itself", file: file, line: line)
        XCTAssertEqual(read, expected, file: file, line: line)
        XCTAssertGreaterThanOrEqual(read.items.count, minimum, file: file, line: line)
        XCTAssertEqual(read.count, read.items.count, file: file, line: line)
    }

    private func seed(_ server: StashTestServer) {
        let root = "/data/fansly/Ström_☃"
        let ids = server.seed(paths: [
            root + "/Timeline/Videos/2024-01-01_id_1.mp4", root + "/Timeline/Videos/ü \"q\" \\ id_2.mp4",
            root + "/Timeline/Videos/日本_id_3.mp4", root + "/Messages/Videos/id_4.mp4",
            root + "/Timeline/Pictures/id_5.jpg", root + "/Timeline/Pictures/id_6.png",
        ])
        let zip = server.addZipGallery(path: root + "/bundle.zip", imagePaths: [root + "/bundle/1.jpg"])
        let folder = server.addFolderGallery(path: root + "/Timeline/Pictures")
        server.modify { state in
            var performer = TestPerformer(id: 1, name: "Ember \"E\" Wilde")
            performer.aliases = ["É", "tab\there"]
            performer.urls = ["https://fansly.com/ember?x=1&y=\\"]
            performer.gender = "FEMALE"
            performer.birthdate = "2000-01-02"
            performer.customFields = ["fansly_id": "123456789012345678", "note": "línea\nnueva"]
            performer.stashIds = [TestStashID(endpoint: "https://stashdb.org/graphql", stashId: "abc")]
            state.performers[1] = performer
            state.performers[2] = TestPerformer(id: 2, name: "Plain")
            var studio = TestStudio(id: 1, name: "Stüdio 😀")
            studio.parentId = 2
            studio.customFields = ["k": "v"]
            state.studios[1] = studio
            state.studios[2] = TestStudio(id: 2, name: "Network")
            var tag = TestTag(id: 1, name: "tag/with\\slash")
            tag.aliases = ["\u{0007}bell"]
            tag.parentIds = [2]
            state.tags[1] = tag
            state.tags[2] = TestTag(id: 2, name: "parent")
            state.galleries[zip]?.title = "Zip \"bundle\""
            state.galleries[zip]?.code = "9007199254740993"
            state.galleries[zip]?.performerIds = [1, 2]
            state.galleries[folder]?.urls = ["https://fansly.com/post/1"]
            state.galleries[folder]?.date = "2024-01-01"
            state.galleries[folder]?.customFields = ["a": "b"]
            state.chapters[1] = TestChapter(id: 1, galleryId: folder, title: "Part ½", imageIndex: 1)
            state.chapters[2] = TestChapter(id: 2, galleryId: folder, title: "", imageIndex: 2)
            for (index, id) in ids.values.sorted().enumerated() {
                state.scenes[id]?.title = ["", "Line\nbreak", "日本語 😀", "\u{0001}ctrl"][index % 4]
                state.scenes[id]?.date = index.isMultiple(of: 2) ? "2024-01-0\(index + 1)" : nil
                state.scenes[id]?.studioId = index.isMultiple(of: 3) ? 1 : nil
                state.scenes[id]?.performerIds = index.isMultiple(of: 2) ? [1, 2] : []
                state.scenes[id]?.tagIds = [2, 1]
                state.scenes[id]?.galleryIds = index == 1 ? [folder] : []
                state.scenes[id]?.urls = index.isMultiple(of: 2) ? ["https://fansly.com/post/\(index)"] : []
                state.scenes[id]?.organized = index == 1
                state.scenes[id]?.customFields = index == 0 ? [:] : ["n": "\(index)"]
                state.images[id]?.code = index.isMultiple(of: 2) ? "c\(id)" : ""
                state.images[id]?.studioId = 2
                state.images[id]?.galleryIds = [folder, zip]
            }
        }
    }

    private func post(_ query: String, to server: StashTestServer) async throws -> Data {
        var request = URLRequest(url: server.baseURL.appendingPathComponent("graphql"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(
            withJSONObject: ["query": query, "variables": ["filter": ["per_page": -1, "sort": "id"]]])
        let (data, response) = try await URLSession.shared.data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertFalse(String(decoding: data, as: UTF8.self).contains("\"errors\""))
        return data
    }
}

/// `{"data": {"<find>": {"count": …, "<list>": […]}}}` with one find.
private struct Answer<Item: Decodable & Hashable>: Decodable, Hashable {
    var count: Int
    var items: [Item]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let root = try decoder.container(keyedBy: Key.self)
        let data = try root.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: "data"))
        guard let find = data.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no find"))
        }
        let page = try data.nestedContainer(keyedBy: Key.self, forKey: find)
        count = try page.decode(Int.self, forKey: Key(stringValue: "count"))
        guard let list = page.allKeys.first(where: { $0.stringValue != "count" }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no list"))
        }
        items = try page.decode([Item].self, forKey: list)
    }
}
