import Foundation
import StashClient
import StashTestServer
import XCTest

final class FindTests: ServerTestCase {
    func testFindsEveryPageAndNarrowsByPath() async throws {
        server.seed(paths: Fixture.all)
        let client = client(pageSize: 3)
        server.resetCounters()
        let scenes = try await client.findScenes(pathUnder: Fixture.root)
        XCTAssertEqual(
            scenes.map { $0.files[0].path }.sorted(),
            (Fixture.videos + [Fixture.messages[0]]).sorted())
        // 8 matching scenes in pages of 3: three requests.
        XCTAssertEqual(server.requestCount(for: "findScenes"), 3)
        XCTAssertEqual(scenes.first?.title, "", "Stash answers \"\" for unset Go-string fields")

        let page = try await client.findScenes(filter: nil, page: 2, perPage: 4)
        XCTAssertEqual(page.count, 11)
        XCTAssertEqual(page.items.map(\.id), ["5", "6", "7", "8"])
        XCTAssertGreaterThan(server.gzipResponseCount, 0, "answers came gzip-compressed and were decoded")
    }
}

/// Summaries (the lean finds a plan sends) carry the same values as the full models.
final class SummaryFindTests: ServerTestCase {
    func testSummariesMatchTheFullModelsPageByPage() async throws {
        let ids = server.seed(paths: Fixture.all)
        server.modify { state in
            let scene = ids[Fixture.videos[0]]!
            state.scenes[scene]?.title = "A title"
            state.scenes[scene]?.urls = ["https://fansly.com/post/1"]
            state.scenes[scene]?.date = "2024-01-01"
            state.scenes[scene]?.organized = true
            state.images[ids[Fixture.images[0]]!]?.code = "c1"
        }
        let client = client(pageSize: 3)
        let filter = MediaFilter(path: .includesPhrase(Fixture.root + "/"))
        var pageSizes: [Int] = []
        var scenes: [MediaSummary] = []
        try await client.findSummaries(.scenes, filter: filter) { page in
            pageSizes.append(page.count)
            scenes += page
        }
        // 10 scenes (LIKE's `_` also matches the `-fansly` decoy and the lower-case folder) in pages of 3.
        XCTAssertEqual(pageSizes, [3, 3, 3, 1], "handed over one page at a time")
        let full = try await client.findScenes(filter: filter)
        XCTAssertEqual(scenes.map(\.id), full.map(\.id))
        for (summary, scene) in zip(scenes, full) {
            XCTAssertEqual(summary.paths, scene.files.map(\.path))
            XCTAssertEqual(summary.title, scene.title)
            XCTAssertEqual(summary.date, scene.date)
            XCTAssertEqual(summary.urls, scene.urls)
            XCTAssertEqual(summary.organized, scene.organized)
            XCTAssertEqual(summary.director, scene.director)
            XCTAssertEqual(summary.performers, scene.performers)
            XCTAssertEqual(summary.galleries, scene.galleries)
        }
        XCTAssertEqual(scenes.first { $0.title == "A title" }?.organized, true)

        var images: [MediaSummary] = []
        try await client.findSummaries(.images, filter: filter) { images += $0 }
        let fullImages = try await client.findImages(filter: filter)
        XCTAssertEqual(images.map(\.paths), fullImages.map { $0.visualFiles.map(\.path) })
        XCTAssertEqual(images.map(\.code), fullImages.map(\.code))
        XCTAssertTrue(images.contains { $0.code == "c1" })
        let byId = try await client.findSummaries(.images, ids: [images[1].id, "999999"])
        XCTAssertEqual(byId, [images[1]])
    }
}

/// The `path` criterion behaves as Stash's (pkg/sqlite pathCriterionHandler): the client's
/// `pathUnder` avoids INCLUDES' word splitting and LIKE wildcards.
final class PathCriterionTests: ServerTestCase {
    func paths(_ criterion: StringCriterion) async throws -> [String] {
        try await client().findScenes(filter: MediaFilter(path: criterion)).map { $0.files[0].path }.sorted()
    }

    override func setUp() async throws {
        try await super.setUp()
        server.seed(paths: Fixture.all)
    }

    func testIncludesIsACaseInsensitiveLikeWhereUnderscoreIsAWildcard() async throws {
        let found = try await paths(StringCriterion("EmberWilde42_fansly", .includes))
        XCTAssertEqual(found.count, 10, "the 8 scenes, plus '-fansly' (the _ wildcard) and the lower-case folder")
        XCTAssertTrue(found.contains(Fixture.others[0]))
        XCTAssertTrue(found.contains(Fixture.others[2]))
    }

    func testIncludesSplitsWordsUnlessQuoted() async throws {
        let split = try await paths(StringCriterion("Other Creator", .includes))
        XCTAssertEqual(split, [Fixture.others[1]])
        let anyWord = try await paths(StringCriterion("Creator Messages", .includes))
        XCTAssertEqual(anyWord, [Fixture.others[1], Fixture.messages[0]].sorted(), "words are ORed")
        let phrase = try await paths(.includesPhrase("Creator Messages"))
        XCTAssertEqual(phrase, [])
        let excluded = try await paths(StringCriterion("Timeline Messages", .excludes))
        XCTAssertEqual(excluded, [], "EXCLUDES ANDs the words")
    }

    func testPathUnderIsExactAndCaseSensitive() async throws {
        let found = try await paths(.pathUnder(Fixture.root))
        XCTAssertEqual(found, (Fixture.videos + [Fixture.messages[0]]).sorted())
        let lower = try await paths(.pathUnder("/data/fansly/emberwilde42_fansly"))
        XCTAssertEqual(lower, [Fixture.others[2]])
        let spaced = try await paths(.pathUnder("/data/fansly/Other Creator/"))
        XCTAssertEqual(spaced, [Fixture.others[1]])
        let exact = try await paths(.path(Fixture.videos[2]))
        XCTAssertEqual(exact, [Fixture.videos[2]])
    }

    func testEqualsMatchesTheWholePathIgnoringCase() async throws {
        let found = try await paths(.equals(Fixture.videos[0].uppercased()))
        XCTAssertEqual(found, [Fixture.videos[0]])
    }

    func testBadRegexIsAnError() async throws {
        do { _ = try await paths(.matchesRegex("(unclosed")); XCTFail("expected an error") } catch {
            guard case .resolver(let operation, let path, _)? = error as? StashError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "findScenes")
            XCTAssertEqual(path, ["findScenes"])
        }
    }

    func testIdsOverrideFilters() async throws {
        let page = try await client().findScenes(
            filter: MediaFilter(path: .equals("nothing")), ids: ["1", "2"], page: 1, perPage: 10)
        XCTAssertEqual(page.items.map(\.id), ["1", "2"])
        let organized = try await client().findScenes(filter: MediaFilter(organized: true))
        XCTAssertEqual(organized, [])
        server.markOrganized(sceneId: 3)
        let nowOrganized = try await client().findScenes(filter: MediaFilter(organized: true))
        XCTAssertEqual(nowOrganized.map(\.id), ["3"])
    }

    func testCompoundFilters() async throws {
        var filter = MediaFilter(path: .pathUnder(Fixture.root))
        filter.not = MediaFilter(path: StringCriterion("Messages", .includes))
        let timeline = try await client().findScenes(filter: filter)
        XCTAssertEqual(timeline.count, Fixture.videos.count)
        var either = MediaFilter(path: .path(Fixture.videos[0]))
        either.or = MediaFilter(path: .path(Fixture.others[1]))
        let two = try await client().findScenes(filter: either)
        XCTAssertEqual(two.map { $0.files[0].path }.sorted(), [Fixture.videos[0], Fixture.others[1]].sorted())
    }
}
