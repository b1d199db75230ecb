import Foundation
import StashTestServer
import XCTest
import Yams

/// The plugin as Stash runs it: the manifest read as Stash's loader reads it, the binary started
/// with the manifest's `exec`, Stash's JSON on standard input, a session cookie instead of a key.
final class StashPluginCLITests: XCTestCase {
    private static let manifest = CLI.packageRoot.appendingPathComponent("plugin/fansly-stash.yml")
    private var folder: URL!
    private var server: StashTestServer!
    private var database: String { CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path }

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Stash has credentials set: without the session cookie every request is refused.
        server = StashTestServer(apiKey: "stash-owner-key")
        let list = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        server.modify {
            $0.libraryPaths = ["/data"]
            $0.pluginSettings = ["fansly-stash": ["database": self.database]]
        }
        server.seed(paths: list.split(separator: "\n").map { "/data/fansly/" + $0 })
        try await server.start()
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Keys Stash's `pkg/plugin` config (yaml strict mode) knows: any other key rejects the plugin.
    private static let manifestKeys: Set<String> = [
        "name", "description", "url", "version", "exec", "interface", "errLog",
        "tasks", "hooks", "ui", "settings", "requires",
    ]
    private static let taskKeys: Set<String> = ["name", "description", "execArgs", "defaultArgs"]
    private static let settingKeys: Set<String> = ["displayName", "description", "type"]

    private func loadManifest() throws -> [String: Any] {
        XCTAssertEqual(Self.manifest.pathExtension, "yml", "Stash loads only .yml manifests")
        let manifest = try XCTUnwrap(
            try Yams.load(yaml: String(contentsOf: Self.manifest, encoding: .utf8)) as? [String: Any])
        XCTAssertTrue(
            Set(manifest.keys).isSubset(of: Self.manifestKeys),
            "unknown keys: \(Set(manifest.keys).subtracting(Self.manifestKeys))")
        XCTAssertEqual(manifest["interface"] as? String, "raw")
        let tasks = try XCTUnwrap(manifest["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.compactMap { $0["name"] as? String }, ["Plan (dry run)", "Apply"])
        for task in tasks {
            XCTAssertTrue(Set(task.keys).isSubset(of: Self.taskKeys), "\(task.keys)")
            let args = try XCTUnwrap(task["defaultArgs"] as? [String: Any])
            XCTAssertTrue(args.values.allSatisfy { $0 is String }, "defaultArgs values are strings: \(args)")
        }
        let settings = try XCTUnwrap(manifest["settings"] as? [String: [String: Any]])
        XCTAssertEqual(Set(settings.keys), ["database", "rules", "downloadRoot"])
        for setting in settings.values {
            XCTAssertTrue(Set(setting.keys).isSubset(of: Self.settingKeys))
            XCTAssertEqual(setting["type"] as? String, "STRING")
        }
        return manifest
    }

    /// Runs the task `name` as Stash would: `exec` (its first word looked up, here the built
    /// binary), Stash's working folder and environment, the plugin input on standard input.
    private func runTask(_ name: String, cookie: String) throws -> CLIResult {
        let manifest = try loadManifest()
        let exec = try XCTUnwrap(manifest["exec"] as? [String])
        XCTAssertEqual(exec.first, "fansly-stash")
        let task = try XCTUnwrap((manifest["tasks"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        let args = try XCTUnwrap(task["defaultArgs"] as? [String: String])
        let input: [String: Any] = [
            "server_connection": [
                "Scheme": "http", "Host": "0.0.0.0", "Port": Int(server.port),
                "SessionCookie": [
                    "Name": "session", "Value": cookie, "Path": "", "Domain": "", "Expires": "0001-01-01T00:00:00Z",
                    "RawExpires": "", "MaxAge": 0, "Secure": false, "HttpOnly": false, "SameSite": 0, "Raw": "",
                    "Unparsed": NSNull(),
                ] as [String: Any],
                "Dir": folder.path, "PluginDir": folder.appendingPathComponent("plugins").path,
            ] as [String: Any],
            "args": args,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        return try CLI.run(
            Array(exec.dropFirst()) + ((task["execArgs"] as? [String]) ?? []), executable: exec[0],
            environment: [
                "HOME": folder.path, "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
                "STASH_API_KEY": "", "STASH_URL": "",
            ],
            currentDirectory: folder, input: json)
    }

    /// Every stderr line as Stash reads it: prefixed, at least 4 bytes, well under 64 KiB.
    private func assertOnlyPrefixedLines(_ stderr: String, file: StaticString = #filePath, line: UInt = #line)
        -> [Double]
    {
        var progress: [Double] = []
        for text in stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            XCTAssertTrue(
                text.hasPrefix("\u{01}") && text.utf8.count >= 4 && text.utf8.count < 60_000,
                "unprefixed line: \(text.debugDescription)", file: file, line: line)
            let level = text.dropFirst().prefix(1)
            XCTAssertTrue(
                ["t", "d", "i", "w", "e", "p"].contains(String(level)) && text.dropFirst(2).first == "\u{02}",
                text.debugDescription, file: file, line: line)
            if level == "p" { progress.append(Double(text.dropFirst(3)) ?? -1) }
        }
        XCTAssertTrue(stderr.isEmpty || stderr.hasSuffix("\n"), file: file, line: line)
        return progress
    }

    private static let mutations = [
        "performerCreate", "performerUpdate", "studioCreate", "studioUpdate", "tagCreate", "tagUpdate",
        "galleryCreate", "galleryUpdate", "sceneUpdate", "imageUpdate", "addGalleryImages",
        "galleryChapterCreate", "galleryChapterUpdate",
    ]

    func testPlanTaskSendsNoMutationAndReportsInStashsFormat() throws {
        let cookie = server.startSession()
        let result = try runTask("Plan (dry run)", cookie: cookie)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let progress = assertOnlyPrefixedLines(result.stderr)
        XCTAssertEqual(progress.last, 1)
        XCTAssertTrue(progress.allSatisfy { (0...1).contains($0) } && progress == progress.sorted(), "\(progress)")
        let output = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        XCTAssertTrue(output["output"]?.hasPrefix("Plan:") ?? false, result.stdout)
        XCTAssertTrue(
            result.stderr.contains("\u{01}i\u{02}Note: Stash sees the downloads under /data/fansly"), result.stderr)
        XCTAssertTrue(result.stderr.contains("\u{01}i\u{02}Plan: "), "the summary is logged at info level")
        XCTAssertEqual(Self.mutations.map { server.requestCount(for: $0) }.reduce(0, +), 0, "a plan changes nothing")
        XCTAssertTrue(server.state.performers.isEmpty)
    }

    func testApplyTaskWritesStashFollowingRefreshedSessionCookies() throws {
        let cookie = server.startSession(rotateEvery: 3)
        let result = try runTask("Apply", cookie: cookie)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let progress = assertOnlyPrefixedLines(result.stderr)
        XCTAssertEqual(progress.last, 1)
        let output = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        XCTAssertTrue(output["output"]?.hasPrefix("Applied:") ?? false, result.stdout)
        XCTAssertGreaterThan(
            server.issuedSessionCookies.count, 3, "Stash renewed the session several times during the task")
        let state = server.state
        XCTAssertFalse(state.performers.isEmpty)
        XCTAssertTrue(state.scenes.values.allSatisfy { !$0.title.isEmpty }, "every scene got its metadata")

        // Planning again inside Stash: nothing left to do.
        let again = try runTask("Plan (dry run)", cookie: server.startSession())
        XCTAssertEqual(again.exitCode, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("No changes."), again.stdout)
    }

    func testMissingDatabaseSettingFailsClearly() throws {
        server.modify { $0.pluginSettings = [:] }
        let result = try runTask("Plan (dry run)", cookie: server.startSession())
        XCTAssertEqual(result.exitCode, 1)
        _ = assertOnlyPrefixedLines(result.stderr)
        let output = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        XCTAssertTrue(output["error"]?.contains("Database setting") ?? false, result.stdout)
    }

    func testAnExpiredCookieIsRefusedWithoutUnprefixedOutput() throws {
        let result = try runTask("Plan (dry run)", cookie: "not-a-session")
        XCTAssertEqual(result.exitCode, 1)
        _ = assertOnlyPrefixedLines(result.stderr)
        XCTAssertTrue(result.stdout.contains("\"error\"") && result.stdout.contains("session"), result.stdout)
        XCTAssertFalse(result.output.contains("STASH_API_KEY"), "a plugin has no key to set")
    }
}
