import Foundation
import SampleData
import StashTestServer
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `fansly-stash apply` end to end: the built executable, the committed sample database, and the
/// test server over HTTP.
final class ApplyCLITests: XCTestCase {
    static let apiKey = "cli-test-key-5f2a"

    var folder: URL!
    var server: StashTestServer!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("apply-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        server = try await Self.seededServer()
    }

    override func tearDown() async throws {
        await server?.stop()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    // MARK: - The tests

    func testApplyTheSampleThenPlanShowsNoChanges() throws {
        let plan = try savePlan()
        let apply = try run(["apply", plan.path])
        XCTAssertEqual(apply.exitCode, 0, apply.stderr)
        XCTAssertTrue(apply.stdout.contains("Apply complete:"), apply.stdout)
        XCTAssertTrue(apply.stdout.contains(" 0 failed"), apply.stdout)
        XCTAssertFalse(server.state.performers.isEmpty)
        XCTAssertFalse(server.state.galleries.isEmpty)
        XCTAssertFalse((apply.stdout + apply.stderr).contains(Self.apiKey), "the key is never printed")

        let replan = try run([
            "plan", "--db", Self.sampleDatabase, "--stash-url", server.baseURL.absoluteString, "--json",
        ])
        XCTAssertEqual(replan.exitCode, 0, replan.stderr)
        let document = try XCTUnwrap(PlanDocument.parse(replan.stdout))
        let changes = (document["changes"] as? [[String: Any]] ?? []).filter {
            ["create", "update"].contains($0["action"] as? String)
        }
        XCTAssertEqual(changes.count, 0, "no changes after apply: \(changes)")
        XCTAssertEqual((document["summary"] as? [String: Int])?["add"], 0)
        XCTAssertEqual((document["summary"] as? [String: Int])?["change"], 0)
    }

    func testAChapterInAGalleryWithoutImagesIsSkippedByThePlanNotLeftToApply() throws {
        // Stash already holds the gallery of the sample's post whose only file is a `.None`
        // preview (a scan never adds it), so that gallery matches by code but holds no image.
        let post = "400000000031666013"
        let galleryId = server.addFolderGallery(path: "/elsewhere/empty")
        server.modify { $0.galleries[galleryId]?.code = post }
        let plan = try savePlan()
        let document = try XCTUnwrap(try PlanDocument.read(plan))
        let chapters = (document["changes"] as? [[String: Any]] ?? []).filter {
            ($0["address"] as? String)?.hasPrefix("chapter.") == true
        }
        let chapter = try XCTUnwrap(chapters.first { ($0["address"] as? String)?.hasSuffix(".post.\(post)") == true })
        XCTAssertEqual(chapter["action"] as? String, "skip")
        XCTAssertEqual(chapter["reason"] as? String, "not_created")
        XCTAssertTrue((chapter["detail"] as? String)?.contains(".None previews") == true, "\(chapter)")
        let creates = chapters.filter { $0["action"] as? String == "create" }.count
        XCTAssertGreaterThan(creates, 0)

        // Apply writes every chapter the plan proposes: none is left for it to refuse.
        let apply = try run(["apply", plan.path])
        XCTAssertEqual(apply.exitCode, 0, apply.stderr)
        let line = try XCTUnwrap(
            (apply.stdout + apply.stderr).split(separator: "\n").first {
                $0.hasPrefix("chapters:") && $0.contains("created")
            }, apply.stdout + apply.stderr)
        XCTAssertTrue(line.contains("(created \(creates),"), "\(line)")
        XCTAssertEqual(server.state.chapters.count, creates)

        let replan = try run(["plan", "--db", Self.sampleDatabase, "--stash-url", server.baseURL.absoluteString])
        XCTAssertEqual(replan.exitCode, 0, replan.stderr)
        XCTAssertTrue(replan.stdout.contains("No changes."), replan.stdout)
    }

    func testJSONReportAndExitCodeOneWhenAnythingFails() throws {
        let plan = try savePlan()
        // Every gallery create is refused: the rest applies, the failures are reported, exit 1.
        server.inject(.status(400), on: "galleryCreate", times: 1_000)
        let apply = try run(["apply", plan.path, "--json"])
        XCTAssertEqual(apply.exitCode, 1, apply.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any])
        let totals = try XCTUnwrap(report["totals"] as? [String: Int])
        let failures = try XCTUnwrap(report["failures"] as? [[String: String]])
        XCTAssertGreaterThan(totals["failed"] ?? 0, 0)
        XCTAssertEqual(
            Set(failures.compactMap { $0["item"] }).count, totals["failed"],
            "--json lists every failure (an item failing in two phases is listed twice, counted once)")
        XCTAssertTrue(failures.contains { $0["item"]?.hasPrefix("gallery.") ?? false })
        XCTAssertFalse(server.state.performers.isEmpty, "what succeeded stays applied")
        XCTAssertTrue(server.state.galleries.isEmpty)
    }

    func testInjectedFailuresThenRerunEqualACleanRun() async throws {
        let cleanServer = try await Self.seededServer()
        defer { Task { await cleanServer.stop() } }
        let cleanPlan = try savePlan(server: cleanServer, name: "clean")
        XCTAssertEqual(try run(["apply", cleanPlan.path], state: "clean-state").exitCode, 0)

        let plan = try savePlan()
        server.inject(.status(500), on: "tagCreate")
        server.inject(.dropConnection, on: "studioCreate")
        server.inject(.dropConnectionAfterApplying, on: "performerCreate")
        server.inject(.statusAfterApplying(500), on: "galleryCreate", times: 3)
        server.inject(.statusAfterApplying(500), on: "sceneUpdate")
        var attempts = 0
        var result: CLIResult
        repeat {
            attempts += 1
            result = try run(["apply", plan.path])
        } while result.exitCode != 0 && attempts < 5
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertEqual(Library(server.state), Library(cleanServer.state), "same library as a clean run, no duplicates")
    }

    func testKilledMidApplyResumesWithoutDuplicates() async throws {
        let cleanServer = try await Self.seededServer()
        defer { Task { await cleanServer.stop() } }
        XCTAssertEqual(
            try run(["apply", try savePlan(server: cleanServer, name: "clean").path], state: "clean-state").exitCode, 0)

        let plan = try savePlan()
        server.latency = .milliseconds(120)
        let child = try start(["apply", plan.path, "--batch-size", "1", "--parallelism", "1"])
        // Kill it once some objects exist and more are on the way.
        let deadline = Date().addingTimeInterval(60)
        while Library(server.state).objectCount < 4 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        let partial = Library(server.state)
        XCTAssertLessThan(partial.objectCount, Library(cleanServer.state).objectCount, "killed before the end")

        server.latency = .zero
        let resumed = try run(["apply", plan.path])
        XCTAssertEqual(resumed.exitCode, 0, resumed.stderr)
        XCTAssertEqual(Library(server.state), Library(cleanServer.state), "resumed to the clean result, no duplicates")
    }

    func testWrongAPIKeyStopsBeforeAnyChange() throws {
        let plan = try savePlan()
        server.resetCounters()
        let apply = try run(["apply", plan.path], key: "not-the-key")
        XCTAssertEqual(apply.exitCode, 1)
        XCTAssertTrue(apply.stderr.contains("rejected the API key"), apply.stderr)
        XCTAssertTrue(apply.stderr.contains("STASH_API_KEY"), apply.stderr)
        XCTAssertFalse(apply.stderr.contains("not-the-key"), "the key is never printed")
        XCTAssertEqual(server.requestCount, 1, "only the connection check was sent")
        XCTAssertEqual(Library(server.state).objectCount, Library(try Self.seededState()).objectCount)
    }

    func testOrganizedItemsAreLeftUntouched() throws {
        let organized = server.state.scenes.values.sorted { $0.id < $1.id }.first!
        server.markOrganized(sceneId: organized.id)
        let plan = try savePlan()
        XCTAssertEqual(try run(["apply", plan.path]).exitCode, 0)
        let after = try XCTUnwrap(server.state.scenes[organized.id])
        XCTAssertEqual(
            after,
            {
                var scene = organized; scene.organized = true; return scene
            }(), "not a field changed")
    }

    func testPlanningInPlaceNeedsYesWhenNotOnATerminal() throws {
        let arguments = ["apply", "--db", Self.sampleDatabase, "--stash-url", server.baseURL.absoluteString]
        let refused = try run(arguments)
        XCTAssertEqual(refused.exitCode, 1)
        XCTAssertTrue(refused.stderr.contains("--yes"), refused.stderr)
        XCTAssertTrue(server.state.performers.isEmpty, "nothing applied without confirmation")
        XCTAssertTrue(refused.stdout.contains("to add"), "the plan is shown first:\n\(refused.stdout)")

        let applied = try run(arguments + ["--yes"])
        XCTAssertEqual(applied.exitCode, 0, applied.stderr)
        XCTAssertFalse(server.state.performers.isEmpty)
    }

    func testBadPlanFilesAreRefusedClearly() throws {
        let missing = try run(["apply", folder.appendingPathComponent("nope.plan").path])
        XCTAssertEqual(missing.exitCode, 1)
        XCTAssertTrue(missing.stderr.contains("no such file"), missing.stderr)

        let garbage = folder.appendingPathComponent("garbage.plan")
        try Data("{\"hello\": 1}".utf8).write(to: garbage)
        let notAPlan = try run(["apply", garbage.path])
        XCTAssertEqual(notAPlan.exitCode, 1)
        XCTAssertTrue(notAPlan.stderr.contains("not a fansly-stash plan"), notAPlan.stderr)

        // A plan made before the database changed is stale.
        let database = folder.appendingPathComponent("copy.sqlite3")
        try FileManager.default.copyItem(atPath: Self.sampleDatabase, toPath: database.path)
        let plan = try savePlan(database: database.path)
        try FileManager.default.removeItem(at: database)
        _ = try SampleDatabase.write(
            to: database,
            options: SampleOptions(
                creators: 3, postsPerCreator: 5, mediaPerPost: 2,
                messagesPerCreator: 2, includesQuirks: true))
        let stale = try run(["apply", plan.path])
        XCTAssertEqual(stale.exitCode, 1)
        XCTAssertTrue(stale.stderr.contains("stale plan"), stale.stderr)
        XCTAssertTrue(server.state.performers.isEmpty)
    }

    // MARK: - Helpers

    /// The committed sample database.
    static var sampleDatabase: String {
        CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
    }

    /// The paths where the offline plan looks for the sample's media, in Stash's view.
    static let samplePaths: [String] = {
        guard let offline = try? CLI.run(["plan", "--db", sampleDatabase, "--json"], environment: ["STASH_URL": ""]),
            let document = PlanDocument.parse(offline.stdout)
        else { return [] }
        // Each file is looked for in every candidate creator folder; a scan finds it in the first.
        return (document["unmatched"] as? [[String: Any]] ?? [])
            .compactMap { ($0["looked_for"] as? [String])?.first }.filter { !$0.hasSuffix(".None") }
    }()

    static func seededState() throws -> StashState {
        var state = StashState()
        state.seed(paths: samplePaths)
        return state
    }

    /// A test server holding every sample file, as after a Stash scan.
    static func seededServer() async throws -> StashTestServer {
        let paths = samplePaths
        XCTAssertFalse(paths.isEmpty, "the offline plan lists where the sample's files are")
        let server = StashTestServer(apiKey: apiKey)
        server.seed(paths: paths)
        try await server.start()
        return server
    }

    /// Saves a plan of the sample against `server`.
    func savePlan(
        server: StashTestServer? = nil, name: String = "sample", database: String = ApplyCLITests.sampleDatabase
    ) throws -> URL {
        let target = server ?? self.server!
        let url = folder.appendingPathComponent("\(name).plan.json")
        let plan = try run(
            ["plan", "--db", database, "--stash-url", target.baseURL.absoluteString, "--out", url.path],
            state: name == "clean" ? "clean-state" : "state")
        XCTAssertEqual(plan.exitCode, 0, "plan failed: \(plan.stderr)")
        return url
    }

    /// Runs the CLI to completion with the test's state folder and API key.
    func run(_ arguments: [String], key: String = ApplyCLITests.apiKey, state: String = "state") throws -> CLIResult {
        try CLI.run(arguments, environment: environment(key: key, state: state))
    }

    func environment(key: String, state: String) -> [String: String] {
        ["STASH_API_KEY": key, "XDG_STATE_HOME": folder.appendingPathComponent(state).path]
    }

    /// Starts the CLI without waiting (its output is discarded).
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try CLI.executable("fansly-stash")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment(key: Self.apiKey, state: "state"))
        { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// A library as lines without creation-order ids: equal libraries, equal lines; a duplicate is a repeated line.
struct Library: Equatable, CustomStringConvertible {
    var lines: [String]
    var objectCount: Int

    init(_ state: StashState) {
        func tag(_ id: Int) -> String { state.tags[id]?.name ?? "?" }
        func performer(_ id: Int) -> String { state.performers[id].map { "\($0.name)/\($0.disambiguation)" } ?? "?" }
        func studio(_ id: Int?) -> String { id.flatMap { state.studios[$0]?.name } ?? "-" }
        func gallery(_ id: Int) -> String { state.galleries[id].map { "\($0.code)|\($0.title)" } ?? "?" }
        var lines: [String] = []
        lines += state.tags.values.map { "tag \($0.name) \($0.aliases) parents=\($0.parentIds.map(tag).sorted())" }
        lines += state.studios.values.map { "studio \($0.name) \($0.aliases) \($0.urls) parent=\(studio($0.parentId))" }
        lines += state.performers.values.map {
            "performer \($0.name)/\($0.disambiguation) \($0.aliases.sorted()) \($0.urls.sorted()) \($0.details) tags=\($0.tagIds.map(tag).sorted())"
        }
        lines += state.galleries.values.map {
            "gallery \($0.code)|\($0.title) \($0.date ?? "") \($0.urls) \($0.details) studio=\(studio($0.studioId)) "
                + "performers=\($0.performerIds.map(performer).sorted()) tags=\($0.tagIds.map(tag).sorted()) "
                + "images=\(state.imageIds(inGallery: $0.id).count) organized=\($0.organized)"
        }
        lines += state.scenes.values.map {
            "scene \($0.path) \($0.title) \($0.code) \($0.date ?? "") \($0.details) organized=\($0.organized) studio=\(studio($0.studioId)) "
                + "performers=\($0.performerIds.map(performer).sorted()) tags=\($0.tagIds.map(tag).sorted()) galleries=\($0.galleryIds.map(gallery).sorted())"
        }
        lines += state.images.values.map {
            "image \($0.path) \($0.title) \($0.code) \($0.date ?? "") organized=\($0.organized) studio=\(studio($0.studioId)) "
                + "performers=\($0.performerIds.map(performer).sorted()) tags=\($0.tagIds.map(tag).sorted()) galleries=\($0.galleryIds.map(gallery).sorted())"
        }
        lines += state.chapters.values.map { "chapter \(gallery($0.galleryId)) \($0.title)@\($0.imageIndex)" }
        self.lines = lines.sorted()
        objectCount =
            state.tags.count + state.studios.count + state.performers.count + state.galleries.count
            + state.chapters.count
    }

    var description: String { lines.joined(separator: "\n") }
}
