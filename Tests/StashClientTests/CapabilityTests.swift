import Foundation
import StashTestServer
import XCTest

@testable import StashClient

/// What the client learns from the server in its first request, and how it writes custom fields.
final class CapabilityTests: XCTestCase {
    private func start(_ line: StashSchemaLine) async throws -> (StashTestServer, StashClient) {
        let server = StashTestServer(line: line)
        try await server.start()
        let client = StashClient(configuration: StashConfiguration(baseURL: server.baseURL, retryPolicy: .none))
        return (server, client)
    }

    func testConnectLearnsWhatEachStashLineSupportsInOneRequest() async throws {
        let (old, oldClient) = try await start(.v0_30)
        defer { Task { await old.stop() } }
        XCTAssertEqual(
            oldClient.capabilities, StashCapabilities(), "nothing beyond the oldest version before connecting")
        let info = try await oldClient.connect()
        XCTAssertEqual(old.requestCount, 1)
        XCTAssertEqual(info.capabilities, .v0_30)
        XCTAssertEqual(oldClient.capabilities.customFields, [.performer])
        XCTAssertFalse(oldClient.capabilities.studioOrganized)

        let (new, newClient) = try await start(.v0_31)
        defer { Task { await new.stop() } }
        try await newClient.connect()
        XCTAssertEqual(new.requestCount, 1)
        XCTAssertEqual(newClient.capabilities, .v0_31)
    }

    func testCustomFieldsAreWrittenPartiallyAndReadBackOnV031() async throws {
        let (server, client) = try await start(.v0_31)
        defer { Task { await server.stop() } }
        let ids = server.seed(paths: ["/data/fansly/a_fansly/Timeline/Videos/2024-01-01_id_5.mp4"])
        let sceneId = String(ids.values.first!)
        // Another tool's key must survive: fansly-stash only ever sends `partial`.
        server.modify { $0.scenes[Int(sceneId)!]?.customFields = ["other_tool": "keep me"] }
        try await client.connect()

        var update = SceneUpdateInput(id: sceneId)
        update.customFields = CustomFieldsInput(partial: ["fansly_post_id": "42", "Fansly Media": "5"])
        let results = await client.updateScenes([update])
        XCTAssertEqual(try results.first?.get(), sceneId)
        XCTAssertEqual(
            server.state.scenes[Int(sceneId)!]?.customFields,
            ["other_tool": "keep me", "fansly_post_id": "42", "Fansly Media": "5"], "names are sent as written")

        var create = StudioCreateInput(name: "a (Fansly)")
        create.customFields = ["fansly_account_id": "7"]
        let created = await client.createStudios([create])
        let studioId = try XCTUnwrap(try created.first?.get())
        XCTAssertEqual(server.state.studios[Int(studioId)!]?.customFields, ["fansly_account_id": "7"])

        let scenes = try await client.findScenes(ids: [sceneId])
        let scene = try XCTUnwrap(scenes.first)
        XCTAssertEqual(scene.customFields?.values["fansly_post_id"], "42")
        let summaries = try await client.findSummaries(.scenes, ids: [sceneId])
        XCTAssertEqual(summaries.first?.customFields?.values["other_tool"], "keep me")
        let studios = try await client.findStudios(ids: [studioId])
        let studio = try XCTUnwrap(studios.first)
        XCTAssertEqual(studio.customFields?.values, ["fansly_account_id": "7"])
        XCTAssertEqual(studio.organized, false)
        server.modify { $0.studios[Int(studioId)!]?.organized = true }
        let organized = try await client.findStudios(ids: [studioId])
        XCTAssertEqual(organized.first?.organized, true, "v0.31 studios say when they are organized")
    }

    func testAV030ServerIsNotAskedForCustomFieldsItLacks() async throws {
        let (server, client) = try await start(.v0_30)
        defer { Task { await server.stop() } }
        server.seed(paths: ["/data/fansly/a_fansly/Timeline/Videos/2024-01-01_id_5.mp4"])
        try await client.connect()
        // Would be a 422 validation error if `custom_fields` were selected on scenes.
        let scenes = try await client.findScenes()
        XCTAssertEqual(scenes.count, 1)
        XCTAssertNil(scenes[0].customFields)
        let created = await client.createStudios([StudioCreateInput(name: "s")])
        let studios = try await client.findStudios(ids: [try XCTUnwrap(try created.first?.get())])
        XCTAssertNil(studios.first?.organized, "v0.30.1 studios have no organized flag")
        var update = SceneUpdateInput(id: scenes[0].id)
        update.customFields = CustomFieldsInput(partial: ["x": "1"])
        guard case .failure(let error)? = await client.updateScenes([update]).first,
            case .invalidRequest = error.underlying
        else {
            return XCTFail("v0.30.1 has no custom_fields on SceneUpdateInput")
        }
    }

    func testLibraryPathsComeFromStashConfiguration() async throws {
        let (server, client) = try await start(.v0_30)
        defer { Task { await server.stop() } }
        server.modify { $0.libraryPaths = ["/data", "/media/videos"] }
        let paths = try await client.libraryPaths()
        XCTAssertEqual(paths, ["/data", "/media/videos"])
    }
}
