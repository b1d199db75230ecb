import Foundation
import StashClient
import XCTest

@testable import StashTestServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The test server remembers a find's ordered ids while its state is unchanged and looks for path
/// pieces in an index (`FindMemo`, `PathIndex`): pages must still come from the state as it is when
/// they are read, and every answer must be the one the filter gives object by object.
final class FindReuseTests: ServerTestCase {
    private let folder = "/data/fansly/Reuse_Creator"

    func testPagesReadAfterASeedComeFromTheNewState() async throws {
        server.seed(paths: (1...9).map { "\(folder)/Pictures/\(100 + $0).jpg" })
        let client = client()
        let filter = MediaFilter(path: .includesPhrase(folder + "/"))
        server.resetCounters()
        let first = try await client.findImages(filter: filter, page: 1, perPage: 3, sort: "path")
        let again = try await client.findImages(filter: filter, page: 1, perPage: 3, sort: "path")
        XCTAssertEqual(first.count, 9)
        XCTAssertEqual(again.items.map(\.id), first.items.map(\.id))
        XCTAssertEqual(server.reusedFindCount, 1, "the second read of the same find is remembered")

        // A scan adds a file that sorts first: the next page shifts by one, and the count grows.
        server.seed(paths: ["\(folder)/Pictures/000.jpg"])
        let second = try await client.findImages(filter: filter, page: 2, perPage: 3, sort: "path")
        XCTAssertEqual(second.count, 10)
        XCTAssertEqual(second.items.first?.id, first.items.last?.id)
        XCTAssertEqual(server.reusedFindCount, 1, "nothing remembered from before the scan is used")
        let all = try await client.findImages(filter: filter)
        XCTAssertEqual(all.count, 10)
        XCTAssertEqual(all.map { $0.visualFiles.first?.path }.contains("\(folder)/Pictures/000.jpg"), true)
    }

    func testPagesReadAfterAMutationComeFromTheNewState() async throws {
        let ids = server.seed(paths: (1...5).map { "\(folder)/Videos/\($0).mp4" })
        server.modify { state in
            for (path, id) in ids { state.scenes[id]?.title = "b " + (path as NSString).lastPathComponent }
        }
        let client = client()
        let filter = MediaFilter(path: .includesPhrase(folder + "/"))
        let before = try await client.findScenes(filter: filter, page: 1, perPage: 2, sort: "title")
        XCTAssertEqual(before.items.map(\.title), ["b 1.mp4", "b 2.mp4"])
        _ = try await client.findScenes(filter: filter, page: 1, perPage: 2, sort: "title")
        XCTAssertEqual(server.reusedFindCount, 1)

        // A mutation (not `modify`) renames the last scene so that it sorts first.
        let last = try XCTUnwrap(ids["\(folder)/Videos/5.mp4"])
        let updated = await client.updateScenes([SceneUpdateInput(id: String(last), title: "a first")])
        XCTAssertNotNil(updated.first?.success)
        let after = try await client.findScenes(filter: filter, page: 1, perPage: 2, sort: "title")
        XCTAssertEqual(after.items.map(\.title), ["a first", "b 1.mp4"])
        let next = try await client.findScenes(filter: filter, page: 2, perPage: 2, sort: "title")
        XCTAssertEqual(next.items.map(\.title), ["b 2.mp4", "b 3.mp4"])
        XCTAssertEqual(server.reusedFindCount, 2, "page 2 reuses page 1's order of the new state")
    }

    func testRememberedAndIndexedFindsAnswerAsTheFilterDoes() async throws {
        seedAwkwardLibrary()
        let scenes =
            "query($f: FindFilterType, $s: SceneFilterType) { findScenes(filter: $f, scene_filter: $s) { count scenes { id title files { path } } } }"
        let images =
            "query($f: FindFilterType, $i: ImageFilterType) { findImages(filter: $f, image_filter: $i) { count images { id visual_files { ... on ImageFile { path } } } } }"
        let galleries =
            "query($f: FindFilterType, $g: GalleryFilterType) { findGalleries(filter: $f, gallery_filter: $g) { count galleries { id title } } }"
        let performers =
            "query($f: FindFilterType, $p: PerformerFilterType) { findPerformers(filter: $f, performer_filter: $p) { count performers { id name } } }"
        func path(_ value: String, _ modifier: String = "INCLUDES") -> [String: Any] {
            ["path": ["value": value, "modifier": modifier]]
        }
        let filters: [[String: Any]] = [
            path("\"\(Fixture.root)/\""), // `_` is a wildcard: the `-fansly` decoy matches too
            path("\(Fixture.root)/"),
            path("Videos decoy"), // two words: either matches
            path("\"ÜNÏCODE Ordner/\""), // case-folded beyond ASCII
            path("\"/DATA/FANSLY/\""),
            path("\(Fixture.root)/Timeline/Videos/2024-01-01_video_1001.MP4", "EQUALS"),
            path("%.mp4", "EQUALS"),
            path("\"___\""), // wildcards only: no piece to look for
            path("\"50%\""),
            path("\"Other Creator\"", "EXCLUDES"),
            path("^/data/fansly/Other", "MATCHES_REGEX"),
            path("", "IS_NULL"),
            path("\"zip\"").merging(["OR": ["title": ["value": "chosen", "modifier": "EQUALS"]]]) { $1 },
            path("\"/Timeline/\"").merging(["NOT": ["title": ["value": "chosen", "modifier": "EQUALS"]]]) { $1 },
            ["AND": path("\"/timeline/\""), "title": ["value": "", "modifier": "IS_NULL"]],
            path("\"no such folder\""),
        ]
        let pagings: [[String: Any]] = [
            ["per_page": -1],
            ["per_page": 2, "page": 2, "sort": "path", "direction": "DESC"],
            ["per_page": 3, "page": 1, "sort": "title"],
            ["per_page": 3, "page": 9],
        ]
        var requests: [(String, [String: Any])] = []
        for filter in filters {
            for paging in pagings {
                requests.append((scenes, ["f": paging, "s": filter]))
                requests.append((images, ["f": paging, "i": filter]))
                requests.append((galleries, ["f": paging, "g": filter]))
            }
        }
        requests.append((performers, ["f": ["per_page": 1, "page": 2, "sort": "name"]]))
        requests.append((performers, ["p": ["name": ["value": "ember", "modifier": "INCLUDES"]]]))
        requests.append((scenes, ["f": ["per_page": 2, "page": 2]]))

        server.reusesFinds = false
        var expected: [String] = []
        for (query, variables) in requests { expected.append(try await post(query, variables)) }
        server.reusesFinds = true
        server.resetCounters()
        for ((query, variables), answer) in zip(requests, expected) {
            // Asked twice in a row: the second answer comes from memory (`FindMemo` keeps a few dozen).
            for time in 1...2 {
                let reused = try await post(query, variables)
                XCTAssertEqual(reused, answer, "time \(time): \(variables)")
            }
        }
        XCTAssertGreaterThanOrEqual(server.reusedFindCount, requests.count, "second reads are answered from memory")
        XCTAssertTrue(expected.contains { $0.contains("\"count\":0") })
        XCTAssertTrue(expected.contains { $0.contains("decoy.mp4") })
    }

    /// The index finds exactly the paths holding a piece, as a scan of every lower-cased path does.
    func testThePathIndexFindsWhatAScanFinds() {
        var paths: [(id: Int, path: String?)] = []
        let pieces = ["a", "b", "/", "_", "É", "é", "ß", "x/y", "Ab"]
        var generator = SystemRandomNumberGenerator()
        for id in 1...400 {
            let length = Int.random(in: 0...12, using: &generator)
            let path = (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
            paths.append((id * 3, id.isMultiple(of: 17) ? nil : path))
        }
        let index = PathIndex(paths: paths.shuffled())
        let needles = ["a", "ab", "b/", "x/y", "/x", "é", "éé", "ss", "ß", "aaa", "//", "_a", "zzz", "y/ya", "ab/ab"]
        for needle in needles {
            let bytes = LikePattern.lowered(needle)
            let scanned = paths.filter { entry in
                guard let path = entry.path else { return false }
                let text = LikePattern.lowered(path)
                return text.indices.contains { text[$0...].starts(with: bytes) }
            }.map(\.id)
            XCTAssertEqual(index.ids(containing: bytes), scanned, needle)
        }
        XCTAssertEqual(LikePattern("%ab_cde%f").longestLiteral, Array("cde".utf8))
        XCTAssertEqual(LikePattern("%%_").longestLiteral, [])
        XCTAssertEqual(LikePattern("ÜBER%").longestLiteral, Array("über".utf8))
    }

    // MARK: - Helpers

    private func seedAwkwardLibrary() {
        let unicode = "/data/fansly/ünïcode ordner/Timeline/Videos/film.mp4"
        let ids = server.seed(
            paths: Fixture.all + [
                unicode, "/data/fansly/50% off/clip.mp4", "/data/fansly/50 off/pic.png",
                "\(Fixture.root)/Timeline/Images/ÜNÏCODE ORDNER/bild.jpg",
            ])
        let zip = server.addZipGallery(path: "\(Fixture.root)/bundle.zip", imagePaths: ["\(Fixture.root)/bundle/1.jpg"])
        let folderGallery = server.addFolderGallery(path: "\(Fixture.root)/Timeline/Images")
        server.modify { state in
            for (index, id) in ids.values.sorted().enumerated() {
                state.scenes[id]?.title = index.isMultiple(of: 3) ? "chosen" : "t\(index % 4)"
                state.images[id]?.title = index.isMultiple(of: 4) ? "chosen" : ""
            }
            var user = TestGallery(id: state.nextId("gallery"))
            user.title = "chosen"
            state.galleries[user.id] = user
            state.galleries[zip]?.title = "zip"
            state.galleries[folderGallery]?.title = "folder"
            state.performers[1] = TestPerformer(id: 1, name: "Ember")
            state.performers[2] = TestPerformer(id: 2, name: "Ash")
            state.performers[3] = TestPerformer(id: 3, name: "ember two")
        }
    }

    private func post(_ query: String, _ variables: [String: Any]) async throws -> String {
        var request = URLRequest(url: server.baseURL.appendingPathComponent("graphql"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(Self.key, forHTTPHeaderField: "ApiKey")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["query": query, "variables": variables])
        let (data, response) = try await URLSession.shared.data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertFalse(text.contains("\"errors\""), text)
        return text
    }
}
