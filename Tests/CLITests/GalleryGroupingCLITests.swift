import Foundation
import SampleData
import StashTestServer
import XCTest

/// Issue 16, item 1, end to end: the built CLI groups each scene with the gallery of its post or
/// message in the test server, gives video-only posts a gallery, counts apply in the plan's units,
/// and a second plan after apply is empty: on the bundled sample and on a generated larger database.
final class GalleryGroupingCLITests: XCTestCase {
    static let apiKey = ApplyCLITests.apiKey
    var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("grouping-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func run(_ arguments: [String]) throws -> CLIResult {
        try CLI.run(
            arguments,
            environment: ["STASH_API_KEY": Self.apiKey, "XDG_STATE_HOME": folder.appendingPathComponent("state").path])
    }

    /// plan → apply → plan on `database` against `server`; returns the first plan's JSON document.
    private func planApplyPlan(database: String, server: StashTestServer) throws -> [String: Any] {
        let planFile = folder.appendingPathComponent("first.plan.json")
        let first = try run([
            "plan", "--db", database, "--stash-url", server.baseURL.absoluteString, "--out", planFile.path,
        ])
        XCTAssertEqual(first.exitCode, 0, first.stderr)
        let document = try XCTUnwrap(try PlanDocument.read(planFile))
        let summary = try XCTUnwrap(document["summary"] as? [String: Int])

        let apply = try run(["apply", planFile.path, "--json"])
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any])
        let totals = try XCTUnwrap(report["totals"] as? [String: Int])
        XCTAssertEqual(totals["failed"], 0, "\(report["failures"] ?? "")")
        XCTAssertEqual(totals["created"], summary["add"], "apply counts what the plan counted (item 9)")
        XCTAssertEqual(totals["updated"], summary["change"], "apply counts what the plan counted (item 9)")

        let second = try run([
            "plan", "--db", database, "--stash-url", server.baseURL.absoluteString, "--detailed-exitcode",
        ])
        XCTAssertEqual(second.exitCode, 0, "a second plan after apply is empty:\n\(second.stdout)\n\(second.stderr)")
        XCTAssertTrue(second.stdout.contains("No changes."), second.stdout)
        XCTAssertFalse(
            second.stdout.contains("Not as the rules say"),
            "references left out of unchanged objects are explained by their own skip, not repeated:\n\(second.stdout)")
        return document
    }

    /// Every scanned scene whose file belongs to a post or message is in that item's gallery.
    private func assertScenesGrouped(
        _ state: StashState, document: [String: Any], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let changes = document["changes"] as? [[String: Any]] ?? []
        var expected: [String: String] = [:] // scene id → code of the gallery it should be in
        for change in changes where (change["address"] as? String)?.hasPrefix("scene.") == true {
            guard let id = change["stash_id"] as? String, let source = change["source"] as? String else { continue }
            let words = source.split(separator: " ")
            guard words.count >= 2, words[0] == "post" || words[0] == "message" else { continue }
            expected[id] = String(words[1].trimmingCharacters(in: CharacterSet(charactersIn: ",")))
        }
        XCTAssertFalse(expected.isEmpty, "the plan updates scenes of posts", file: file, line: line)
        for (id, code) in expected {
            let scene = try XCTUnwrap(state.scenes[Int(id)!], file: file, line: line)
            let codes = scene.galleryIds.compactMap { state.galleries[$0]?.code }
            XCTAssertTrue(
                codes.contains(code), "scene #\(id) is in the gallery of \(code): \(codes)", file: file, line: line)
            let gallery = try XCTUnwrap(state.galleries.values.first { $0.code == code }, file: file, line: line)
            XCTAssertTrue(
                gallery.sceneIds.contains(scene.id), "the gallery lists the scene too", file: file, line: line)
        }
    }

    func testTheSampleGroupsEveryScene() async throws {
        let server = try await ApplyCLITests.seededServer()
        defer { Task { await server.stop() } }
        // Someone already put a scanned scene into a gallery of their own: that link is theirs and stays.
        let sceneId = try XCTUnwrap(server.state.scenes.keys.sorted().first)
        server.modify { state in
            var mine = TestGallery(id: 990)
            mine.title = "My favourites"
            mine.sceneIds = [sceneId]
            state.galleries[990] = mine
            state.scenes[sceneId]?.galleryIds = [990]
        }
        let document = try planApplyPlan(database: ApplyCLITests.sampleDatabase, server: server)
        try assertScenesGrouped(server.state, document: document)
        let links = try XCTUnwrap(server.state.scenes[sceneId]?.galleryIds)
        XCTAssertTrue(links.contains(990), "a gallery link the rules do not own is never removed: \(links)")
        XCTAssertGreaterThan(links.count, 1, "and the post's gallery is added beside it")
        let videoOnly = server.state.galleries.values.filter { gallery in
            server.state.imageIds(inGallery: gallery.id).isEmpty && !gallery.sceneIds.isEmpty
        }
        XCTAssertFalse(videoOnly.isEmpty, "a post or message with only videos gets a gallery holding its scenes")
    }

    /// Issue 16, item 12: a slow Stash shows as a wait, with the phases still to come and the time.
    func testApplyProgressSaysWhenItWaitsForStash() async throws {
        let server = try await ApplyCLITests.seededServer()
        defer { Task { await server.stop() } }
        let planFile = folder.appendingPathComponent("slow.plan.json")
        XCTAssertEqual(
            try run([
                "plan", "--db", ApplyCLITests.sampleDatabase, "--stash-url", server.baseURL.absoluteString,
                "--out", planFile.path,
            ]).exitCode, 0)
        server.inject(.delay(.seconds(7)), on: "galleryCreate", times: 1)
        let apply = try run(["apply", planFile.path])
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        XCTAssertTrue(apply.stderr.contains("tags: 11 to process (then studios, performers, galleries,"), apply.stderr)
        XCTAssertTrue(apply.stderr.contains("galleries: waiting for Stash (no answer for "), apply.stderr)
    }

    func testAGeneratedDatabaseGroupsEverySceneAndReplansEmpty() async throws {
        let database = folder.appendingPathComponent("metadata_db.sqlite3")
        let files = try SampleDatabase.write(
            to: database,
            options: SampleOptions(
                creators: 3, postsPerCreator: 120, mediaPerPost: 2,
                messagesPerCreator: 10, includesQuirks: true))
        let server = StashTestServer(apiKey: Self.apiKey)
        server.seed(paths: files.filter { !$0.isPreview }.map { folder.path + "/" + $0.path })
        try await server.start()
        defer { Task { await server.stop() } }
        let document = try planApplyPlan(database: database.path, server: server)
        try assertScenesGrouped(server.state, document: document)
        let videoOnly = server.state.galleries.values.filter { server.state.imageIds(inGallery: $0.id).isEmpty }
        XCTAssertFalse(videoOnly.isEmpty, "video-only posts have galleries")
        XCTAssertTrue(videoOnly.allSatisfy { !$0.sceneIds.isEmpty }, "no gallery is empty")
    }
}
