import Foundation
import StashTestServer
import XCTest

@testable import StashClient

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The test server writes find items straight to JSON; it must answer byte for byte what GraphQL
/// execution answers, for the client's own documents and for selections it does not know.
final class DirectFindTests: ServerTestCase {
    private func seedRichLibrary() {
        server.modify { state in
            var parent = TestTag(id: 1, name: "Parent \"quoted\"")
            parent.aliases = ["p1", "p2"]
            var child = TestTag(id: 2, name: "Child\nline")
            child.parentIds = [1]
            child.sortName = "c"
            state.tags = [1: parent, 2: child]
            var studio = TestStudio(id: 1, name: "Studio")
            studio.tagIds = [2]
            var network = TestStudio(id: 2, name: "Network")
            network.urls = ["https://example.com/n"]
            studio.parentId = 2
            state.studios = [1: studio, 2: network]
            var performer = TestPerformer(id: 1, name: "Ember")
            performer.gender = "FEMALE"
            performer.birthdate = "2000-01-02"
            performer.aliases = ["E"]
            performer.stashIds = [TestStashID(endpoint: "https://stashdb.org/graphql", stashId: "abc")]
            performer.tagIds = [1]
            state.performers = [1: performer, 2: TestPerformer(id: 2, name: "Other")]
        }
        let ids = server.seed(paths: Fixture.all + ["\(Fixture.root)/Timeline/Images/2024-09-09_clip_4001.mp4"])
        let gallery = server.addZipGallery(
            path: "\(Fixture.root)/bundle.zip", imagePaths: ["\(Fixture.root)/bundle/1.jpg"])
        let folder = server.addFolderGallery(path: "\(Fixture.root)/Timeline/Images")
        server.modify { state in
            state.galleries[gallery]?.code = "1234"
            state.galleries[gallery]?.performerIds = [1, 2]
            state.galleries[folder]?.urls = ["https://fansly.com/post/1"]
            state.galleries[folder]?.date = "2024-01-01"
            state.chapters[1] = TestChapter(id: 1, galleryId: folder, title: "Part 1", imageIndex: 1)
            for (index, path) in Fixture.videos.enumerated() {
                guard let id = ids[path] else { continue }
                state.scenes[id]?.title = "Video \(index) ünïcode \\ \t"
                state.scenes[id]?.date = index.isMultiple(of: 2) ? "2024-01-0\(index + 1)" : nil
                state.scenes[id]?.performerIds = [1, 2]
                state.scenes[id]?.tagIds = [2, 1]
                state.scenes[id]?.studioId = index.isMultiple(of: 3) ? 1 : nil
                state.scenes[id]?.galleryIds = [folder]
                state.scenes[id]?.urls = ["https://fansly.com/post/\(index)"]
                state.scenes[id]?.organized = index == 1
            }
            for id in state.images.keys {
                state.images[id]?.performerIds = [1]
                state.images[id]?.studioId = 2
                state.images[id]?.code = "c\(id)"
            }
        }
    }

    private func post(_ query: String, variables: [String: Any] = [:], direct: Bool) async throws -> Data {
        server.writesFindsDirectly = direct
        var request = URLRequest(url: server.baseURL.appendingPathComponent("graphql"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(Self.key, forHTTPHeaderField: "ApiKey")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["query": query, "variables": variables])
        let (data, response) = try await URLSession.shared.data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        return data
    }

    private func assertSameAnswer(
        _ query: String, variables: [String: Any] = [:], file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let general = try await post(query, variables: variables, direct: false)
        let direct = try await post(query, variables: variables, direct: true)
        XCTAssertGreaterThan(general.count, 40, file: file, line: line)
        XCTAssertEqual(
            String(decoding: direct, as: UTF8.self), String(decoding: general, as: UTF8.self), file: file, line: line)
    }

    func testClientFindDocumentsAnswerTheSameOnBothPaths() async throws {
        seedRichLibrary()
        let everything: [String: Any] = ["filter": ["per_page": -1]]
        try await assertSameAnswer(StashDocuments.findScenes, variables: everything)
        try await assertSameAnswer(StashDocuments.findImages, variables: everything)
        try await assertSameAnswer(StashDocuments.findGalleries, variables: everything)
        try await assertSameAnswer(StashDocuments.findPerformers, variables: everything)
        try await assertSameAnswer(StashDocuments.findStudios, variables: everything)
        try await assertSameAnswer(StashDocuments.findTags, variables: everything)
        // Paging, sorting, filters and ids override go through the same resolvers.
        try await assertSameAnswer(
            StashDocuments.findScenes,
            variables: ["filter": ["per_page": 3, "page": 2, "sort": "title", "direction": "DESC"]])
        try await assertSameAnswer(
            StashDocuments.findImages,
            variables: [
                "image_filter": ["path": ["value": "\(Fixture.root)/", "modifier": "INCLUDES"]],
                "filter": ["per_page": 2],
            ])
        try await assertSameAnswer(
            StashDocuments.findScenes,
            variables: ["ids": ["2", "1"], "scene_filter": ["title": ["value": "x", "modifier": "EQUALS"]]])
    }

    func testPlanningSummaryFindsAnswerTheSameOnBothPaths() async throws {
        seedRichLibrary()
        // The finds a plan sends per creator folder: summaries under `INCLUDES "<folder>/"`, in pages.
        let folder: [String: Any] = ["path": ["value": "\"\(Fixture.root)/\"", "modifier": "INCLUDES"]]
        for page in 1...2 {
            let paging: [String: Any] = ["per_page": 2, "page": page, "sort": "id", "direction": "ASC"]
            try await assertSameAnswer(
                StashDocuments.findSceneSummaries, variables: ["filter": paging, "scene_filter": folder])
            try await assertSameAnswer(
                StashDocuments.findImageSummaries, variables: ["filter": paging, "image_filter": folder])
        }
        try await assertSameAnswer(StashDocuments.findSceneSummaries, variables: ["ids": ["1", "2"]])
    }

    /// Every find a plan sends (connect aside) is answered on the fast path, not by GraphQL's
    /// field-by-field completion: the counter sees each request the client makes.
    func testThePlanningFindsTakeTheFastPath() async throws {
        seedRichLibrary()
        server.resetCounters()
        var pages = 0
        var summaries: [StashClient.MediaKind: [MediaSummary]] = [:]
        let paged = client(pageSize: 2)
        for kind in [StashClient.MediaKind.scenes, .images] {
            try await paged.findSummaries(kind, filter: MediaFilter(path: .includesPhrase(Fixture.root + "/"))) {
                page in
                pages += 1
                summaries[kind, default: []] += page
            }
        }
        _ = try await paged.findSummaries(.scenes, ids: [summaries[.scenes]![0].id])
        _ = try await paged.findPerformers()
        _ = try await paged.findGalleries(filter: MediaFilter(code: StringCriterion("", .notNull)))
        XCTAssertGreaterThan(pages, 4)
        XCTAssertGreaterThanOrEqual(server.requestCount, pages + 3)
        XCTAssertEqual(server.directFindCount, server.requestCount, "every planning find takes the fast path")
        // With the fast path off the same finds are answered by GraphQL execution, none directly.
        server.writesFindsDirectly = false
        server.resetCounters()
        var slow: [MediaSummary] = []
        try await paged.findSummaries(.scenes, filter: MediaFilter(path: .includesPhrase(Fixture.root + "/"))) {
            slow += $0
        }
        XCTAssertEqual(slow, summaries[.scenes])
        XCTAssertEqual(server.directFindCount, 0)
        XCTAssertGreaterThan(server.requestCount, 0)
    }

    func testSelectionsBeyondTheClientsAnswerTheSameOnBothPaths() async throws {
        seedRichLibrary()
        try await assertSameAnswer(
            """
            query { a: findScenes(filter: {per_page: -1}) { count scenes { __typename id t: title id files { basename width duration } \
            studio { name parent_studio { name } } ...More } } \
            b: findImages { images { visual_files { __typename ... on ImageFile { path } ... on VideoFile { duration } } } count } }
            fragment More on Scene { tags { name parents { id } } performers { id alias_list gender birthdate stash_ids { stash_id } } rating100 }
            """)
        // Errors keep their place: a bad sort answers null with the message, the other find its items.
        try await assertSameAnswer(
            """
            query { bad: findScenes(filter: {sort: "nope"}) { count scenes { id } } good: findTags { tags { id name } } }
            """)
        // Directives and literals are left to GraphQL execution and still answer the same.
        try await assertSameAnswer(
            """
            query($x: Boolean!) { findScenes(filter: {per_page: 2}) { scenes { id title @include(if: $x) } } }
            """, variables: ["x": false])
    }
}
