import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// `fansly-stash init`'s starter rules: what it finds in Stash and writes down.
final class StarterRulesTests: XCTestCase {
    private static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")
    private var folder: URL!
    private var database: MetadataDatabase!
    private var server: StashTestServer!
    private var downloads: String { folder.appendingPathComponent("Downloads").path }

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("starter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("Downloads"), withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("metadata_db.sqlite3")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("sample-metadata.sqlite3"), to: copy)
        database = try MetadataDatabase(path: copy.path)
        server = StashTestServer(apiKey: "right-key")
        server.modify { $0.libraryPaths = ["/data"] }
        try await server.start()
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func seed(under root: String) throws {
        let list = try String(contentsOf: Self.examples.appendingPathComponent("sample-files.txt"), encoding: .utf8)
        server.seed(paths: list.split(separator: "\n").map { root + "/" + $0 })
    }

    private func request(key: String? = "right-key") -> StarterRulesRequest {
        StarterRulesRequest(
            database: database.path, databaseOrigin: "metadata_db_file in config.ini", downloadFolder: downloads,
            downloadFolderOrigin: "download_directory in config.ini", stashURL: server.baseURL,
            apiKey: key.map(StashAPIKey.init))
    }

    private func write(_ starter: StarterRules) throws -> RuleSet {
        let file = folder.appendingPathComponent("fansly-stash.yaml")
        try starter.text.write(to: file, atomically: true, encoding: .utf8)
        return try RuleSet.load(files: [file])
    }

    func testFindsThePathMappingAndThePlanNeedsNoGuessing() async throws {
        try seed(under: "/data/fansly")
        let starter = try await StarterRules.make(request(), source: database)
        XCTAssertEqual(starter.problems, [])
        XCTAssertEqual(starter.pathMap?.from, downloads)
        XCTAssertEqual(starter.pathMap?.to, "/data/fansly")
        XCTAssertTrue(starter.text.contains("extends: default"), starter.text)
        XCTAssertTrue(
            starter.text.contains(
                "#   Stash at \(server.baseURL.absoluteString) answered (v0.30.1); the API key works"), starter.text)
        XCTAssertTrue(
            starter.text.contains("#   database: \(database.path) (metadata_db_file in config.ini)"), starter.text)
        XCTAssertFalse(starter.text.contains("right-key"), "the key is never written")

        let rules = try write(starter)
        XCTAssertEqual(rules.warnings, [])
        let desired = try MappingEngine(rules: rules).evaluate(database: database)
        let client = StashClient(
            configuration: StashConfiguration(baseURL: server.baseURL, apiKey: StashAPIKey("right-key")))
        let plan = try await PlanSession(
            desired: desired, inputs: PlanFixtures.inputs, client: client, catalog: database, tool: "t"
        ).run()
        XCTAssertEqual(plan.notices, [], "the rules say where the files are: nothing to find")
        XCTAssertFalse(
            plan.unmatched.contains {
                $0.reason == Matcher.notScannedReason || $0.reason == Matcher.outsideFoldersReason
            },
            PlanRenderer().render(plan))
    }

    func testARejectedKeyIsReportedAndTheFileStillWritten() async throws {
        try seed(under: "/data/fansly")
        let starter = try await StarterRules.make(request(key: "wrong-key"), source: database)
        XCTAssertEqual(starter.problems.count, 1)
        XCTAssertTrue(starter.problems[0].contains("rejected the API key"), starter.problems[0])
        XCTAssertFalse(starter.problems[0].contains("wrong-key"))
        XCTAssertNil(starter.pathMap)
        XCTAssertEqual(try write(starter).downloadRootSetting, downloads)
    }

    func testNoMappingWhenStashSeesTheFilesWhereTheyAre() async throws {
        try seed(under: downloads)
        server.modify { $0.libraryPaths = [] }
        let starter = try await StarterRules.make(request(), source: database)
        XCTAssertEqual(starter.problems, [])
        XCTAssertNil(starter.pathMap)
        XCTAssertTrue(
            starter.findings.contains { $0.hasPrefix("Stash sees the creator folders where they are") },
            "\(starter.findings)")
    }

    func testSeveralFoldersAreOfferedCommentedOut() async throws {
        server.modify { $0.libraryPaths = ["/data", "/backup"] }
        try seed(under: "/data/fansly")
        try seed(under: "/backup/fansly")
        let starter = try await StarterRules.make(request(), source: database)
        XCTAssertNil(starter.pathMap)
        XCTAssertTrue(starter.problems.first?.contains("several folders") ?? false, "\(starter.problems)")
        XCTAssertTrue(starter.text.contains("#      to: /backup/fansly"), starter.text)
        XCTAssertTrue(starter.text.contains("#      to: /data/fansly"), starter.text)
        _ = try write(starter)
    }
}
