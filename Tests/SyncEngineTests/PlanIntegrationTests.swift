import FanslyMetadata
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// The planner over HTTP: the snapshot loader reads the test server, the planner diffs against it.
final class PlanIntegrationTests: XCTestCase {
    private var server: StashTestServer!
    private var client: StashClient!

    override func setUp() async throws {
        server = StashTestServer()
        try await server.start()
        client = StashClient(configuration: StashConfiguration(baseURL: server.baseURL, retryPolicy: .none))
    }

    override func tearDown() async throws {
        await server.stop()
    }

    private static let scenePath = PlanFixtures.folder + "/Timeline/Videos/2023-07-17_at_00-48_UTC_id_101.mp4"
    private static let imagePath = PlanFixtures.folder + "/Timeline/Pictures/2023-07-17_at_00-48_UTC_id_200.jpeg"

    private func plan(links: [EntityAddress: SyncLink] = [:], selection: PlanSelection = PlanSelection()) async throws
        -> Plan
    {
        let session = PlanSession(
            desired: PlanFixtures.desired, inputs: PlanFixtures.inputs, client: client,
            links: DictionaryLinks(links: links), selection: selection, tool: "test")
        return try await session.run()
    }

    /// Puts into the server what a full apply of `PlanFixtures.desired` would leave there.
    private func makeServerMatch() -> (scene: Int, image: Int) {
        let ids = server.seed(paths: [Self.scenePath, Self.imagePath])
        let sceneId = ids[Self.scenePath]!
        let imageId = ids[Self.imagePath]!
        server.modify { state in
            state.studios[901] = TestStudio(id: 901, name: "Fansly (network)")
            var studio = TestStudio(id: 902, name: "emberwilde42 (Fansly)")
            studio.parentId = 901
            studio.urls = ["https://fansly.com/emberwilde42"]
            state.studios[902] = studio
            var performer = TestPerformer(id: 903, name: "Ember Wilde")
            performer.aliases = ["emberwilde42"]
            performer.details = "Latex and more"
            performer.urls = ["https://fansly.com/emberwilde42/posts"]
            state.performers[903] = performer
            state.tags[904] = TestTag(id: 904, name: "latex")
            var gallery = TestGallery(id: 905)
            gallery.title = "Shiny new outfit"
            gallery.code = "537124881301504299"
            gallery.date = "2023-07-17"
            gallery.studioId = 902
            gallery.performerIds = [903]
            gallery.tagIds = [904]
            gallery.organized = true
            state.galleries[905] = gallery
            state.scenes[sceneId]?.title = "Shiny new outfit - 1/3"
            state.scenes[sceneId]?.code = "100"
            state.scenes[sceneId]?.date = "2023-07-17"
            state.scenes[sceneId]?.studioId = 902
            state.scenes[sceneId]?.performerIds = [903]
            state.scenes[sceneId]?.tagIds = [904]
            state.images[imageId]?.title = "Shiny new outfit - 2/3"
            state.images[imageId]?.code = "200"
            state.images[imageId]?.date = "2023-07-17"
            state.images[imageId]?.studioId = 902
            state.images[imageId]?.performerIds = [903]
            state.images[imageId]?.tagIds = [904]
            state.images[imageId]?.galleryIds = [905]
        }
        return (sceneId, imageId)
    }

    func testFirstPlanOverHTTPUsesAFewRequests() async throws {
        let ids = server.seed(paths: [
            Self.scenePath, Self.imagePath, PlanFixtures.folder + "/Timeline/Pictures/x_id_555.jpg",
        ])
        server.resetCounters()
        let plan = try await plan()
        XCTAssertEqual(plan.summary, PlanSummary(add: 5, change: 2, unchanged: 0, skipped: 0, unmatched: 1))
        XCTAssertEqual(
            plan.changes.first { $0.address.description == "scene.media.100" }?.stashId, String(ids[Self.scenePath]!))
        XCTAssertLessThanOrEqual(
            server.requestCount, 12, "connect + one page per kind and folder + one outside look-up")
    }

    func testPlanAfterStashMatchesHasNoChanges() async throws {
        _ = makeServerMatch()
        let plan = try await plan()
        XCTAssertFalse(plan.summary.hasChanges, PlanRenderer().render(plan))
        // The organized gallery holds what the rules want and has no record of writes: apply's own, a noop.
        XCTAssertEqual(plan.summary.unchanged, 7)
        XCTAssertEqual(plan.summary.skipped, 0)
    }

    func testDriftOrganizedAndAmbiguityOverHTTP() async throws {
        let (sceneId, _) = makeServerMatch()
        server.markOrganized(sceneId: sceneId)
        server.modify { state in
            state.performers[903]?.details = "Edited in Stash"
            state.tags[906] = TestTag(id: 906, name: "Latex Fetish")
            state.tags[906]?.aliases = ["latex"]
        }
        let performer = PlanFixtures.address("performer.account.emberwilde42")
        let link = SyncLink(
            address: performer, stashId: "903", writtenFields: ["details": .string("Latex and more")], writtenAt: Date()
        )
        let plan = try await plan(links: [performer: link])
        let byAddress = Dictionary(uniqueKeysWithValues: plan.changes.map { ($0.address.description, $0) })
        XCTAssertEqual(byAddress["scene.media.100"]?.reason, .organized)
        XCTAssertEqual(byAddress["performer.account.emberwilde42"]?.drift.map(\.field), ["details"])
        XCTAssertEqual(byAddress["performer.account.emberwilde42"]?.action, .noop)
        XCTAssertEqual(byAddress["tag.latex"]?.action, .noop, "a name match wins over another tag's alias")
    }

    func testFilesOutsideTheCreatorFoldersAreFoundAndReported() async throws {
        server.seed(paths: ["/old/place/2023-07-17_at_00-48_UTC_id_101.mp4", Self.imagePath])
        let plan = try await plan()
        let unmatched = plan.unmatched.first { $0.address.description == "scene.media.100" }
        XCTAssertEqual(unmatched?.reason, Matcher.outsideFoldersReason)
        XCTAssertEqual(unmatched?.stashPaths, ["/old/place/2023-07-17_at_00-48_UTC_id_101.mp4"])
        let text = PlanRenderer().render(plan)
        XCTAssertTrue(
            text.contains(
                ": Stash holds the file outside the creator folders (e.g. /old/place/2023-07-17_at_00-48_UTC_id_101.mp4)"
            ), text)
        XCTAssertTrue(text.contains("Hint: Stash has these files at another path: set settings.downloadRoot"), text)
        XCTAssertEqual(
            unmatched?.lookedFor, [PlanFixtures.folder + "/Timeline/Videos/**/2023-07-17_at_00-48_UTC_id_101.mp4"])
    }

    func testALinkedSceneMovedOutOfTheFoldersIsStillFound() async throws {
        let moved = server.seed(paths: ["/moved/renamed.mp4"])["/moved/renamed.mp4"]!
        let address = PlanFixtures.address("scene.media.100")
        let link = SyncLink(address: address, stashId: String(moved), writtenFields: [:], writtenAt: Date())
        let plan = try await plan(links: [address: link])
        XCTAssertEqual(plan.changes.first { $0.address == address }?.stashId, String(moved))
    }

    func testTargetNarrowingSkipsMediaFinds() async throws {
        server.seed(paths: [Self.scenePath])
        server.resetCounters()
        let plan = try await plan(selection: PlanSelection(targets: ["tag.latex"]))
        XCTAssertEqual(plan.changes.map(\.address.description), ["tag.latex"])
        XCTAssertEqual(server.requestCount(for: "findScenes"), 0)
        XCTAssertEqual(server.requestCount(for: "findImages"), 0)
    }

    func testUnreachableStashAndWrongKeyAreClearErrors() async throws {
        let locked = StashTestServer(apiKey: "secret-key-123")
        try await locked.start()
        defer { Task { await locked.stop() } }
        let wrongKey = StashClient(
            configuration: StashConfiguration(baseURL: locked.baseURL, apiKey: StashAPIKey("nope"), retryPolicy: .none))
        let session = PlanSession(
            desired: PlanFixtures.desired, inputs: PlanFixtures.inputs, client: wrongKey, tool: "t")
        do {
            _ = try await session.run()
            XCTFail("expected a 401")
        } catch {
            XCTAssertTrue("\(error)".contains("rejected the API key"), "\(error)")
            XCTAssertFalse("\(error)".contains("nope"))
        }
        let port = locked.port
        await locked.stop()
        let gone = StashClient(
            configuration: StashConfiguration(baseURL: URL(string: "http://127.0.0.1:\(port)")!, retryPolicy: .none))
        do {
            _ = try await PlanSession(
                desired: PlanFixtures.desired, inputs: PlanFixtures.inputs, client: gone, tool: "t"
            ).run()
            XCTFail("expected a connection error")
        } catch {
            XCTAssertTrue("\(error)".contains("Is Stash running"), "\(error)")
        }
    }
}
