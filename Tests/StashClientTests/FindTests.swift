import Foundation
import XCTest
import StashClient
import StashTestServer

final class FindTests: ServerTestCase {
    func testFindsEveryPageAndNarrowsByPath() async throws {
        server.seed(paths: Fixture.all)
        let client = client(pageSize: 3)
        server.resetCounters()
        let scenes = try await client.findScenes(pathUnder: Fixture.root)
        XCTAssertEqual(scenes.map { $0.files[0].path }.sorted(),
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
