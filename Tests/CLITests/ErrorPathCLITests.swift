import Foundation
import GRDB
import StashTestServer
import XCTest

/// Every bad input a user can give the real binary gets a clear, actionable error and exit 1,
/// and the API key never shows.
final class ErrorPathCLITests: XCTestCase {
    static let apiKey = "error-path-secret-key-4f0d2a"
    static let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
    var folder: URL!

    override func setUpWithError() throws {
        folder = try CLI.temporaryDirectory(self)
    }

    private func run(_ arguments: [String], key: String = ErrorPathCLITests.apiKey) throws -> CLIResult {
        let result = try CLI.run(
            arguments,
            environment: [
                "STASH_URL": "", "STASH_API_KEY": key,
                "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
            ])
        XCTAssertFalse(result.output.contains(key) && !key.isEmpty, "the API key was printed by \(arguments)")
        return result
    }

    private func write(_ text: String, to name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func assertFails(
        _ result: CLIResult, mentioning parts: [String], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(result.exitCode, 1, "exit code; stderr:\n\(result.stderr)", file: file, line: line)
        for part in parts {
            XCTAssertTrue(
                result.stderr.contains(part), "stderr lacks '\(part)':\n\(result.stderr)", file: file, line: line)
        }
    }

    // MARK: - Usage

    func testUsageErrorsExitOneWithTheUsageLine() throws {
        assertFails(
            try run(["plan"]), mentioning: ["Missing expected argument '--db <db>'", "Usage: fansly-stash plan"])
        assertFails(
            try run(["inspect", "--db", Self.sample, "--no-such-flag"]), mentioning: ["Unknown option '--no-such-flag'"]
        )
        let help = try run(["plan", "--help"])
        XCTAssertEqual(help.exitCode, 0)
        XCTAssertTrue(help.stdout.contains("--detailed-exitcode"), help.stdout)
    }

    // MARK: - Rules

    func testMalformedYAMLNamesFileLineColumnAndWhatWasExpected() throws {
        let unclosed = try write("version: 1\npost: [gallery, scene\n", to: "unclosed.yaml")
        assertFails(
            try run(["plan", "--db", Self.sample, "--rules", unclosed]), mentioning: ["unclosed.yaml:3:1", "expected"])

        let tabs = try write("version: 1\npost:\n  gallery:\n\tfields: {}\n", to: "tabs.yaml")
        assertFails(try run(["plan", "--db", Self.sample, "--rules", tabs]), mentioning: ["tabs.yaml:4:1", "tab"])

        let wrongType = try write("version: 1\nsettings:\n  respectOrganized: maybe\n", to: "type.yaml")
        assertFails(try run(["rules", "check", "--rules", wrongType]), mentioning: ["type.yaml:3:21"])

        let unknownKey = try write("version: 1\npost:\n  galery:\n    enabled: false\n", to: "key.yaml")
        assertFails(
            try run(["rules", "check", "--rules", unknownKey]), mentioning: ["key.yaml:3:3", "did you mean 'gallery'"])

        let missing = folder.appendingPathComponent("nope.yaml").path
        assertFails(try run(["plan", "--db", Self.sample, "--rules", missing]), mentioning: ["nope.yaml"])
    }

    func testUnknownTemplateVariableAndFilterSuggestTheRightName() throws {
        let rules = try write(
            """
            extends: default
            post:
              gallery:
                fields:
                  title: "{{ post.contnet | firstLine }}"
                  details: "{{ post.content | stripHtlm }}"
                  code: "{{ post.id"
            """, to: "typos.yaml")
        let check = try run(["rules", "check", "--rules", rules])
        assertFails(
            check,
            mentioning: [
                "typos.yaml:5:", "unknown variable 'post.contnet'", "did you mean 'post.content'",
                "typos.yaml:6:", "unknown filter 'stripHtlm'", "did you mean 'stripHtml'",
                "typos.yaml:7:",
            ])
        // plan refuses the same rules before reading Stash.
        assertFails(
            try run(["plan", "--db", Self.sample, "--rules", rules]), mentioning: ["did you mean 'post.content'"])
    }

    // MARK: - Databases

    func testFilesThatAreNotAMetadataDatabaseGetDistinctErrors() throws {
        let text = try write("id,username\n1,ember\n", to: "notes.sqlite3")
        assertFails(try run(["plan", "--db", text]), mentioning: ["notes.sqlite3", "not an SQLite database"])

        let empty = try write("", to: "empty.sqlite3")
        assertFails(try run(["plan", "--db", empty]), mentioning: ["empty.sqlite3", "empty"])

        let other = folder.appendingPathComponent("photos.sqlite3")
        let queue = try DatabaseQueue(path: other.path)
        try queue.write { try $0.execute(sql: "CREATE TABLE albums (id INTEGER PRIMARY KEY, name TEXT)") }
        try queue.close()
        assertFails(
            try run(["plan", "--db", other.path]),
            mentioning: ["photos.sqlite3", "not a fansly-scraper metadata database", "albums"])
        assertFails(try run(["inspect", "--db", other.path]), mentioning: ["not a fansly-scraper metadata database"])

        assertFails(
            try run(["plan", "--db", folder.appendingPathComponent("missing.sqlite3").path]),
            mentioning: ["missing.sqlite3", "metadata_db.sqlite3"])
        assertFails(
            try run([
                "apply", "--yes", "--db", folder.appendingPathComponent("missing.sqlite3").path,
                "--stash-url", "http://127.0.0.1:9",
            ]), mentioning: ["missing.sqlite3"])
        let directory = folder.path
        assertFails(try run(["plan", "--db", directory]), mentioning: [directory])

        let nowhere = folder.appendingPathComponent("no-such-folder/sync.plan").path
        assertFails(
            try run(["plan", "--db", Self.sample, "--out", nowhere]), mentioning: ["no-such-folder", "does not exist"])
    }

    // MARK: - Stash

    func testUnreachableStashIsExplainedAndNothingIsSaved() async throws {
        let server = StashTestServer(apiKey: Self.apiKey)
        try await server.start()
        let port = server.port
        await server.stop()
        let out = folder.appendingPathComponent("down.plan")
        let result = try run([
            "plan", "--db", Self.sample, "--stash-url", "http://127.0.0.1:\(port)", "--out", out.path,
        ])
        assertFails(result, mentioning: ["http://127.0.0.1:\(port)", "Is Stash running"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no plan is saved when Stash cannot be read")
    }

    func testWrongAPIKeyIsRejectedWithoutShowingEitherKey() async throws {
        let server = StashTestServer(apiKey: Self.apiKey)
        try await server.start()
        addTeardownBlock { await server.stop() }
        let wrong = "wrong-key-never-shown-77"
        let out = folder.appendingPathComponent("wrong.plan")
        let result = try run(
            ["plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString, "--out", out.path], key: wrong)
        assertFails(result, mentioning: ["rejected the API key", "STASH_API_KEY"])
        XCTAssertFalse(result.output.contains(wrong))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        let noKey = try run(["plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString], key: "")
        assertFails(noKey, mentioning: ["STASH_API_KEY"])

        let otherVariable = try CLI.run(
            [
                "plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString, "--api-key-env",
                "MY_STASH_KEY",
            ],
            environment: ["STASH_URL": "", "MY_STASH_KEY": wrong, "XDG_STATE_HOME": folder.path + "/state"])
        assertFails(otherVariable, mentioning: ["MY_STASH_KEY"])
    }

    func testStashErrorsMidApplyAreReportedAndTheRestStaysApplied() async throws {
        let list = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        let server = StashTestServer(apiKey: Self.apiKey)
        let root = CLI.packageRoot.appendingPathComponent("examples").path
        server.seed(paths: list.split(separator: "\n").map { root + "/" + $0 })
        try await server.start()
        addTeardownBlock { await server.stop() }
        let plan = folder.appendingPathComponent("sample.plan")
        let planned = try run([
            "plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString, "--out", plan.path,
        ])
        XCTAssertEqual(planned.exitCode, 0, planned.stderr)

        // Stash refuses every scene update (HTTP 400): those fail, everything else applies.
        server.inject(.status(400), on: "sceneUpdate", times: 10_000)
        let apply = try run(["apply", plan.path])
        XCTAssertEqual(apply.exitCode, 1, apply.output)
        XCTAssertTrue(
            apply.output.contains("Failed:") && apply.output.contains("scene.media."),
            "failed items are named:\n\(apply.output)")
        XCTAssertTrue(apply.output.contains("400"), "the server's answer is shown:\n\(apply.output)")
        XCTAssertTrue(apply.output.contains("run apply again"), apply.output)
        XCTAssertFalse(server.state.performers.isEmpty, "what succeeded stays applied")
        XCTAssertFalse(server.state.galleries.isEmpty)

        // Once Stash is healthy again, the same command finishes the job.
        server.clearInjections()
        let rerun = try run(["apply", "--yes", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString])
        XCTAssertEqual(rerun.exitCode, 0, rerun.output)
        let replan = try run([
            "plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString, "--detailed-exitcode",
        ])
        XCTAssertEqual(replan.exitCode, 0, replan.stdout)

        for url
            in (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            XCTAssertNil(
                try Data(contentsOf: url).range(of: Data(Self.apiKey.utf8)), "the key is in \(url.lastPathComponent)")
        }
    }
}
