import GRDB
import StashTestServer
import XCTest

/// A key typed into the Stash URL (`?apikey=`, `user:KEY@`) is used as the key and appears nowhere:
/// not in any output, the plan file, the state file's name or its contents, nor in the 401 error.
final class StashURLCredentialsCLITests: XCTestCase {
    private static let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
    private static let key = "url-key-4f1c9e2ab7"
    private var server: StashTestServer!
    private var folder: URL!
    private var outputs: [CLIResult] = []

    override func setUp() async throws {
        folder = try CLI.temporaryDirectory(self)
        server = StashTestServer(apiKey: Self.key)
        let list = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        let root = CLI.packageRoot.appendingPathComponent("examples").path
        server.seed(paths: list.split(separator: "\n").map { root + "/" + $0 })
        try await server.start()
    }

    override func tearDown() async throws { await server.stop() }

    /// Runs with no key in the environment: the only key is the one in the URL.
    private func run(_ arguments: [String]) throws -> CLIResult {
        let result = try CLI.run(
            arguments,
            environment: [
                "STASH_URL": "", "STASH_API_KEY": "",
                "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
            ])
        outputs.append(result)
        return result
    }

    /// No output so far and no file under the test folder (names and bytes) holds `secret`.
    private func assertNowhere(_ secret: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for result in outputs {
            XCTAssertFalse(result.output.contains(secret), "shown:\n\(result.output)", file: file, line: line)
        }
        let files =
            FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
        XCTAssertFalse(files.isEmpty)
        for url in files {
            XCTAssertFalse(
                url.path.lowercased().contains(secret.lowercased()), "in a file name: \(url.path)", file: file,
                line: line)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let data = try Data(contentsOf: url)
            XCTAssertNil(data.range(of: Data(secret.utf8)), "in \(url.lastPathComponent)", file: file, line: line)
            XCTAssertNil(
                data.range(of: Data(secret.lowercased().utf8)), "in \(url.lastPathComponent)", file: file, line: line)
        }
    }

    func testAKeyInTheQueryIsUsedAndNeverShownOrStored() throws {
        let url = "http://127.0.0.1:\(server.port)/?apikey=\(Self.key)"
        let planPath = folder.appendingPathComponent("sync.plan").path
        let plan = try run(["plan", "--db", Self.sample, "--stash-url", url, "--out", planPath])
        XCTAssertEqual(plan.exitCode, 0, plan.stderr)
        XCTAssertTrue(plan.stderr.contains("set it in STASH_API_KEY instead"), plan.stderr)
        XCTAssertTrue(plan.stdout.contains("http://127.0.0.1:\(server.port)"), plan.stdout)
        let saved = try PlanDocument.read(URL(fileURLWithPath: planPath))
        XCTAssertEqual((saved?["inputs"] as? [String: Any])?["stash_url"] as? String, "http://127.0.0.1:\(server.port)")

        // The saved plan names the clean URL; the key comes with the same URL given again.
        let apply = try run(["apply", planPath, "--stash-url", url])
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        XCTAssertFalse(server.state.performers.isEmpty, "the key in the URL was accepted")
        let again = try run(["plan", "--db", Self.sample, "--stash-url", url, "--detailed-exitcode"])
        XCTAssertEqual(again.exitCode, 0, "the state file of this Stash was found and read:\n\(again.output)")
        try assertNowhere(Self.key)
    }

    func testAPasswordInTheURLIsUsedAndNeverShownOrStored() throws {
        let url = "http://fansly:\(Self.key)@127.0.0.1:\(server.port)"
        let apply = try run(["apply", "--yes", "--db", Self.sample, "--stash-url", url, "--json"])
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        XCTAssertFalse(server.state.performers.isEmpty, "the password was sent as the key")
        let states = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("state/fansly-stash").path)
        XCTAssertTrue(states.contains("127.0.0.1-\(server.port).sqlite3"), "\(states)")
        try assertNowhere(Self.key)
    }

    /// A state file an older version bound to the URL as typed, key included, is bound to the clean
    /// URL on the next apply; bound to another Stash, the refusal does not repeat the old key.
    func testAnOldBindingWithAKeyIsCleanedAndNeverRepeated() throws {
        let clean = "http://127.0.0.1:\(server.port)"
        let state = folder.appendingPathComponent("state.sqlite3").path
        let first = try CLI.run(
            ["apply", "--yes", "--db", Self.sample, "--stash-url", clean, "--state", state],
            environment: ["STASH_URL": "", "STASH_API_KEY": Self.key])
        XCTAssertEqual(first.exitCode, 0, first.output)
        func setBinding(_ url: String) throws {
            try DatabaseQueue(path: state).write {
                try $0.execute(sql: "UPDATE meta SET value = ? WHERE key = 'stash_url'", arguments: [url])
            }
        }
        func binding() throws -> String? {
            try DatabaseQueue(path: state).read {
                try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'stash_url'")
            }
        }
        try setBinding("\(clean)/?apikey=\(Self.key)".lowercased())
        let again = try run([
            "apply", "--yes", "--db", Self.sample, "--stash-url", "\(clean)/?apikey=\(Self.key)", "--state", state,
        ])
        XCTAssertEqual(again.exitCode, 0, again.output)
        XCTAssertEqual(try binding(), clean)

        try setBinding("http://elsewhere:9999/?apikey=\(Self.key)")
        let refused = try run([
            "apply", "--yes", "--db", Self.sample, "--stash-url", "\(clean)/?apikey=\(Self.key)", "--state", state,
        ])
        XCTAssertEqual(refused.exitCode, 1, refused.output)
        XCTAssertTrue(refused.stderr.contains("belongs to http://elsewhere:9999/?apikey=<redacted>"), refused.stderr)
        for result in outputs { XCTAssertFalse(result.output.contains(Self.key), result.output) }
    }

    func testAWrongKeyInTheURLIsRejectedWithoutShowingIt() throws {
        let wrong = "wrong-url-key-93ad"
        for url in ["http://127.0.0.1:\(server.port)/?apikey=\(wrong)", "http://me:\(wrong)@127.0.0.1:\(server.port)/"]
        {
            let plan = try run([
                "plan", "--db", Self.sample, "--stash-url", url, "--out", folder.appendingPathComponent("x.plan").path,
            ])
            XCTAssertEqual(plan.exitCode, 1, plan.output)
            XCTAssertTrue(plan.stderr.contains("rejected the API key"), plan.stderr)
            let apply = try run(["apply", "--yes", "--db", Self.sample, "--stash-url", url])
            XCTAssertEqual(apply.exitCode, 1, apply.output)
            XCTAssertTrue(apply.stderr.contains("rejected the API key"), apply.stderr)
        }
        // A URL that is refused is quoted without its key, whether from the flag or STASH_URL.
        let refused = try run(["plan", "--db", Self.sample, "--stash-url", "127.0.0.1:\(server.port)/?apikey=\(wrong)"])
        XCTAssertEqual(refused.exitCode, 1)
        XCTAssertTrue(refused.stderr.contains("--stash-url"), refused.stderr)
        let fromEnvironment = try CLI.run(
            ["plan", "--db", Self.sample],
            environment: ["STASH_URL": "stash:\(wrong)@/?apikey=\(wrong)", "STASH_API_KEY": ""])
        outputs.append(fromEnvironment)
        XCTAssertEqual(fromEnvironment.exitCode, 1)
        XCTAssertTrue(fromEnvironment.stderr.contains("STASH_URL"), fromEnvironment.stderr)
        XCTAssertTrue(server.state.performers.isEmpty)
        try assertNowhere(wrong)
    }
}
