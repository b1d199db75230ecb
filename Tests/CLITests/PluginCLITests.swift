import Foundation
import StashTestServer
import XCTest

/// The Stash plugin end to end, run exactly as Stash runs it: the manifest loaded as Stash's
/// loader loads it, its `exec` resolved as Stash resolves it (PATH, then the plugin's folder), the
/// task's JSON on standard input with a session cookie and no API key, Stash's environment and
/// working folder, against the test server requiring that session (and renewing it).
final class PluginCLITests: XCTestCase {
    static let manifest = CLI.packageRoot.appendingPathComponent("plugin/fansly-stash.yml")
    /// Requests after which Stash renews the task's session: far fewer than an apply sends.
    static let renewEvery = 3

    var folder: URL!
    var server: StashTestServer!

    override func setUp() async throws {
        folder = try CLI.temporaryDirectory(self)
        // Stash with credentials: a request without the task's session (or the key) is refused.
        server = StashTestServer(apiKey: "stash-owner-key")
        server.seed(paths: ApplyCLITests.samplePaths)
        server.modify { $0.pluginSettings["fansly-stash"] = ["database": ApplyCLITests.sampleDatabase] }
        try await server.start()
    }

    override func tearDown() async throws { await server?.stop() }

    // MARK: - The tests

    func testManifestLoadsAsStashLoadsIt() throws {
        let manifest = try StashPluginManifest.load(Self.manifest)
        XCTAssertEqual(manifest.id, "fansly-stash")
        XCTAssertEqual(manifest.interface, "raw")
        XCTAssertEqual(manifest.exec.first, "fansly-stash")
        XCTAssertEqual(manifest.tasks.map(\.name), ["Plan (dry run)", "Apply"])
        XCTAssertEqual(manifest.tasks.map { $0.defaultArgs["mode"] }, ["plan", "apply"])
        for name in ["database", "rules", "downloadRoot"] {
            XCTAssertEqual(manifest.settings[name]?.type, "STRING", name)
        }

        // The check is as strict as Stash's: one key Stash does not know rejects the plugin.
        let text = try String(contentsOf: Self.manifest, encoding: .utf8)
        let altered = folder.appendingPathComponent("fansly-stash.yml")
        try text.replacingOccurrences(
            of: "    defaultArgs:\n      mode: apply", with: "    confirm: true\n    defaultArgs:\n      mode: apply"
        )
        .write(to: altered, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try StashPluginManifest.load(altered)) {
            XCTAssertTrue("\($0)".contains("confirm"), "\($0)")
        }
        let yaml = folder.appendingPathComponent("fansly-stash.yaml")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try StashPluginManifest.load(yaml), "Stash loads .yml files only")
    }

    func testPlanTaskReportsThroughStashsProtocolAndSendsNoMutation() throws {
        let before = server.state
        let result = try runTask("Plan (dry run)")
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let lines = try protocolLines(result.stderr)
        XCTAssertEqual(try progress(lines).last, 1)
        let output = try XCTUnwrap(try resultObject(result.stdout)["output"] as? String)
        XCTAssertTrue(output.contains("to add"), output)
        XCTAssertTrue(
            lines.contains { $0.level == "i" && $0.text.contains("Plan:") }, "the plan is in Stash's log at info level")
        XCTAssertEqual(server.state, before, "the Plan task changes nothing")
        XCTAssertEqual(mutationRequests(), 0, "the Plan task sends no mutation")
    }

    func testApplyTaskWritesStashWithARenewedSessionAndAPlanAfterwardsIsEmpty() throws {
        let apply = try runTask("Apply")
        XCTAssertEqual(apply.exitCode, 0, apply.stderr)
        let lines = try protocolLines(apply.stderr)
        let fractions = try progress(lines)
        XCTAssertEqual(fractions.last, 1)
        XCTAssertEqual(fractions, fractions.sorted(), "progress only moves forward")
        let output = try XCTUnwrap(try resultObject(apply.stdout)["output"] as? String)
        XCTAssertTrue(output.hasPrefix("Applied:"), output)
        XCTAssertTrue(
            lines.contains { $0.level == "i" && $0.text.hasPrefix("Applied:") }, "the summary is an info line too")
        XCTAssertFalse(server.state.performers.isEmpty)
        XCTAssertFalse(server.state.galleries.isEmpty)
        XCTAssertGreaterThan(server.issuedSessionCookies.count, 3, "the run outlived its first session values")
        XCTAssertFalse((apply.stdout + apply.stderr).contains(lastCookie), "the session cookie is never printed")
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: configFolder.appendingPathComponent("fansly-stash/state.sqlite").path),
            "the state file is in Stash's configuration folder")

        server.resetCounters()
        let replan = try runTask("Plan (dry run)")
        XCTAssertEqual(replan.exitCode, 0, replan.stderr)
        let summary = try XCTUnwrap(try resultObject(replan.stdout)["output"] as? String)
        XCTAssertTrue(summary.hasPrefix("No changes."), summary)
        XCTAssertEqual(mutationRequests(), 0)
    }

    func testDownloadRootSettingFindsTheFilesWhereStashSeesThem() throws {
        let here = try runTask("Plan (dry run)")
        let expected = try XCTUnwrap(try resultObject(here.stdout)["output"] as? String, here.stderr)

        // The same files as a Docker Stash sees them: under /data/fansly, not beside the database.
        let downloads = CLI.packageRoot.appendingPathComponent("examples").path
        let moved = ApplyCLITests.samplePaths.map { "/data/fansly" + $0.dropFirst(downloads.count) }
        XCTAssertTrue(ApplyCLITests.samplePaths.allSatisfy { $0.hasPrefix(downloads + "/") })
        server.modify { state in
            let settings = state.pluginSettings
            state = StashState()
            state.pluginSettings = settings
            state.pluginSettings["fansly-stash"]?["downloadRoot"] = "/data/fansly"
            _ = state.seed(paths: moved)
        }
        let there = try runTask("Plan (dry run)")
        XCTAssertEqual(there.exitCode, 0, there.stderr)
        XCTAssertEqual(
            try resultObject(there.stdout)["output"] as? String, expected, "the same plan, found under /data/fansly")
        _ = try protocolLines(there.stderr)
    }

    func testBadDatabaseSettingIsAnErrorWithExitOne() throws {
        let missing = folder.appendingPathComponent("nowhere/metadata_db.sqlite3").path
        server.modify { $0.pluginSettings["fansly-stash"] = ["database": missing] }
        let result = try runTask("Apply")
        XCTAssertEqual(result.exitCode, 1)
        let lines = try protocolLines(result.stderr)
        XCTAssertEqual(try progress(lines).last, 1)
        let error = try XCTUnwrap(try resultObject(result.stdout)["error"] as? String, result.stdout)
        XCTAssertTrue(error.contains(missing), error)
        XCTAssertTrue(lines.contains { $0.level == "e" && $0.text.contains(missing) })
        XCTAssertEqual(mutationRequests(), 0)

        server.modify { $0.pluginSettings["fansly-stash"] = [:] }
        let unset = try runTask("Plan (dry run)")
        XCTAssertEqual(unset.exitCode, 1)
        _ = try protocolLines(unset.stderr)
        let message = try XCTUnwrap(try resultObject(unset.stdout)["error"] as? String)
        XCTAssertTrue(message.contains("Settings → Plugins → fansly-stash"), message)
    }

    // MARK: - Running a task as Stash does

    var configFolder: URL { folder.appendingPathComponent("stash-config") }
    /// The session value of the last task run.
    var lastCookie = ""

    /// Installs the plugin (manifest and binary) in a plugins folder, then runs `taskName` the way
    /// Stash's raw task runner does; Stash's PATH has no fansly-stash, so the plugin folder's is run.
    /// Stash makes a new session for every task it starts (renewed every `renewEvery` requests).
    func runTask(_ taskName: String) throws -> CLIResult {
        let cookie = server.startSession(rotateEvery: Self.renewEvery)
        lastCookie = cookie
        let pluginFolder = configFolder.appendingPathComponent("plugins/fansly-stash")
        let workingFolder = folder.appendingPathComponent("stash-cwd")
        for url in [pluginFolder, workingFolder] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        let installed = pluginFolder.appendingPathComponent("fansly-stash.yml")
        if !FileManager.default.fileExists(atPath: installed.path) {
            try FileManager.default.copyItem(at: Self.manifest, to: installed)
            try FileManager.default.createSymbolicLink(
                at: pluginFolder.appendingPathComponent("fansly-stash"),
                withDestinationURL: try CLI.executable("fansly-stash"))
        }
        let manifest = try StashPluginManifest.load(installed)
        let task = try XCTUnwrap(manifest.tasks.first { $0.name == taskName })
        let stashPath = "/usr/local/bin:/usr/bin:/bin"
        let command = manifest.command(for: task, searchPath: stashPath)
        XCTAssertEqual(command.first, pluginFolder.appendingPathComponent("fansly-stash").path)

        // Go's json.Marshal of common.PluginInput: http.Cookie's fields under their Go names.
        let input: [String: Any] = [
            "server_connection": [
                "Scheme": "http", "Host": "0.0.0.0", "Port": Int(server.port),
                "SessionCookie": [
                    "Name": "session", "Value": cookie, "Quoted": false, "Path": "/", "Domain": "",
                    "Expires": "2026-12-06T13:00:00Z", "RawExpires": "", "MaxAge": 3600, "Secure": false,
                    "HttpOnly": true, "SameSite": 2, "Partitioned": false, "Raw": "", "Unparsed": NSNull(),
                ],
                "Dir": configFolder.path, "PluginDir": pluginFolder.path,
            ] as [String: Any],
            "args": task.defaultArgs,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        return try runProcess(
            command, input: json, environment: ["PATH": stashPath, "HOME": folder.appendingPathComponent("home").path],
            currentDirectory: workingFolder)
    }

    /// Runs `command` with exactly `environment` (Stash's, not the test's) and `input` on standard input.
    func runProcess(_ command: [String], input: String, environment: [String: String], currentDirectory: URL) throws
        -> CLIResult
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.currentDirectoryURL = currentDirectory
        let out = folder.appendingPathComponent("out-\(UUID().uuidString)")
        let err = folder.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        defer { try? outHandle.close(); try? errHandle.close() }
        process.standardOutput = outHandle
        process.standardError = errHandle
        let stdin = Pipe()
        process.standardInput = stdin
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        if finished.wait(timeout: .now() + 120) == .timedOut {
            process.terminate()
            finished.wait()
            XCTFail("the plugin task did not finish within 120 s")
        }
        return CLIResult(
            exitCode: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    // MARK: - Reading what the task wrote, as Stash reads it

    struct LogLine { var level: Character; var text: String }

    /// Every stderr line as Stash's `PluginLogger` reads it; fails on a line Stash would take as
    /// unprefixed (it would log it at the manifest's errLog level) or one its reader cannot hold.
    func protocolLines(_ stderr: String) throws -> [LogLine] {
        var lines: [LogLine] = []
        for raw in stderr.split(separator: "\n", omittingEmptySubsequences: false) where !raw.isEmpty {
            let bytes = Array(raw.utf8)
            XCTAssertLessThan(bytes.count, 64 * 1024, "Stash's line reader stops at 64 KiB")
            guard bytes.count >= 4, bytes[0] == 1, bytes[2] == 2, "tdiwep".utf8.contains(bytes[1]) else {
                XCTFail("unprefixed stderr line: \(raw.debugDescription)")
                continue
            }
            lines.append(
                LogLine(
                    level: Character(UnicodeScalar(bytes[1])), text: String(decoding: bytes.dropFirst(3), as: UTF8.self)
                ))
        }
        XCTAssertFalse(lines.isEmpty, "the task logs what it does")
        return lines
    }

    /// The progress values, each a number from 0 to 1 (Stash parses them as float64).
    func progress(_ lines: [LogLine]) throws -> [Double] {
        try lines.filter { $0.level == "p" }.map { line in
            let value = try XCTUnwrap(Double(line.text.trimmingCharacters(in: .whitespaces)), "progress \(line.text)")
            XCTAssertTrue((0...1).contains(value), "progress \(value)")
            return value
        }
    }

    /// Standard output as Stash's `common.PluginOutput`.
    func resultObject(_ stdout: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(object, "stdout is one JSON object: \(stdout)")
    }

    /// Requests the server received that carried a mutation.
    func mutationRequests() -> Int {
        [
            "performerCreate", "performerUpdate", "studioCreate", "studioUpdate", "tagCreate", "tagUpdate",
            "galleryCreate", "galleryUpdate", "addGalleryImages", "galleryChapterCreate", "galleryChapterUpdate",
            "sceneUpdate", "imageUpdate",
        ].reduce(0) { $0 + server.requestCount(for: $1) }
    }
}
