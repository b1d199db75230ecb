import StashTestServer
import XCTest

/// `fansly-stash plan` as users run it: the built executable, the bundled sample database, and the
/// test server over HTTP on 127.0.0.1.
final class PlanCLITests: XCTestCase {
    private static let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
    private var workDir: String!

    override func setUpWithError() throws {
        workDir = try CLI.temporaryDirectory(self).path
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: [String: Any]? {
            PlanDocument.parse(stdout)
        }
    }

    /// Runs fansly-stash without Stash settings from the test's environment and with its own state folder.
    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        var env = ["STASH_URL": "", "STASH_API_KEY": "", "XDG_STATE_HOME": workDir + "/state"]
        env.merge(environment) { $1 }
        let result = try CLI.run(arguments, environment: env)
        return Output(status: result.exitCode, stdout: result.stdout, stderr: result.stderr)
    }

    private func summary(_ output: Output) -> [String: Int] { output.json?["summary"] as? [String: Int] ?? [:] }

    /// Where Stash sees every downloaded file of the sample: the downloader's file list under the
    /// database's folder (the default rules' download root, with no path mapping).
    private func expectedPaths() throws -> [String] {
        let list = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        let root = CLI.packageRoot.appendingPathComponent("examples").path
        return list.split(separator: "\n").map { root + "/" + $0 }
    }

    private func startServer(apiKey: String? = nil) async throws -> StashTestServer {
        let server = StashTestServer(apiKey: apiKey)
        try await server.start()
        addTeardownBlock { await server.stop() }
        return server
    }

    func testOfflinePlanOfTheSampleNeedsNoServer() throws {
        let output = try run(["plan", "--db", Self.sample])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("against an empty Stash (offline"), output.stdout)
        XCTAssertTrue(output.stdout.contains("\n  + performer."), output.stdout)
        XCTAssertTrue(output.stdout.contains("Unmatched media"), output.stdout)
        XCTAssertTrue(output.stdout.contains("Hint: pass --stash-url"), output.stdout)
        let closing = try XCTUnwrap(output.stdout.split(separator: "\n").last)
        XCTAssertTrue(closing.hasPrefix("Plan: ") && closing.hasSuffix(" unmatched."), String(closing))
        XCTAssertFalse(output.stdout.contains("\u{1B}["), "no colours when not a terminal")
        XCTAssertEqual(try run(["plan", "--db", Self.sample, "--detailed-exitcode"]).status, 2)
    }

    func testJSONAndSavedPlanAreTheSameDocument() throws {
        let planPath = workDir + "/sync.plan"
        let output = try run(["plan", "--db", Self.sample, "--json", "--out", planPath])
        XCTAssertEqual(output.status, 0, output.stderr)
        let printed = try XCTUnwrap(output.json)
        XCTAssertEqual(printed["format_version"] as? Int, 3)
        let saved = try XCTUnwrap(try PlanDocument.read(URL(fileURLWithPath: planPath)))
        XCTAssertEqual(saved["changes"] as? NSArray, printed["changes"] as? NSArray)
        let inputs = try XCTUnwrap(saved["inputs"] as? [String: Any])
        XCTAssertTrue((inputs["rules_hash"] as? String)?.hasPrefix("sha256:") ?? false)
        XCTAssertTrue(inputs["stash_url"] is NSNull)
        XCTAssertGreaterThan(summary(output)["add"] ?? 0, 0)
    }

    func testFirstPlanAgainstStashUpdatesScannedMedia() async throws {
        let server = try await startServer()
        let paths = try expectedPaths()
        server.seed(paths: paths)
        let url = server.baseURL.absoluteString
        let planPath = workDir + "/first.plan"
        let first = try run(["plan", "--db", Self.sample, "--stash-url", url, "--out", planPath, "--detailed-exitcode"])
        XCTAssertEqual(first.status, 2, first.stderr)
        XCTAssertTrue(first.stdout.contains("\n  ~ scene.media."), first.stdout)
        XCTAssertTrue(first.stdout.contains("title: \"\" -> \""), first.stdout)
        let previews = paths.filter { $0.hasSuffix(".None") }.count
        XCTAssertTrue(first.stdout.contains("preview file ends in .None") || previews == 0, first.stdout)

        XCTAssertTrue(FileManager.default.fileExists(atPath: planPath))
        XCTAssertTrue(first.stdout.contains("Saved the plan to \(planPath)"), first.stdout)
    }

    func testAfterApplyThePlanHasNoChangesThenShowsDriftAndOrganized() async throws {
        let server = try await startServer()
        server.seed(paths: try expectedPaths())
        let url = server.baseURL.absoluteString
        let planPath = workDir + "/first.plan"
        let first = try run(["plan", "--db", Self.sample, "--stash-url", url, "--out", planPath])
        XCTAssertEqual(first.status, 0, first.stderr)
        let apply = try run(["apply", planPath, "--yes"])
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)

        let second = try run(["plan", "--db", Self.sample, "--stash-url", url, "--detailed-exitcode"])
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertTrue(second.stdout.contains("\nNo changes. "), second.stdout)

        // Drift: someone edits a performer's bio in Stash after the apply.
        let performerId = try XCTUnwrap(server.state.performers.values.first { !$0.details.isEmpty }?.id)
        server.modify { $0.performers[performerId]?.details = "Edited by hand" }
        // Organized: a scene someone finished by hand.
        let sceneId = try XCTUnwrap(server.state.scenes.keys.min())
        server.markOrganized(sceneId: sceneId)
        let third = try run(["plan", "--db", Self.sample, "--stash-url", url, "--json"])
        let changes = third.json?["changes"] as? [[String: Any]] ?? []
        let drifted = changes.first { ($0["drift"] as? [[String: Any]])?.isEmpty == false }
        XCTAssertEqual(drifted?["stash_id"] as? String, String(performerId))
        XCTAssertEqual((drifted?["drift"] as? [[String: Any]])?.first?["current"] as? String, "\"Edited by hand\"")
        let organized = changes.first {
            $0["stash_id"] as? String == String(sceneId) && ($0["address"] as? String)?.hasPrefix("scene.") == true
        }
        XCTAssertEqual(organized?["reason"] as? String, "organized")
        XCTAssertEqual(summary(third)["add"], 0)
        XCTAssertEqual(summary(third)["change"], 0, third.stdout)
        let human = try run(["plan", "--db", Self.sample, "--stash-url", url])
        XCTAssertTrue(human.stdout.contains("Changed in Stash since fansly-stash last wrote them"), human.stdout)
    }

    func testApplyRefusesASavedPlanWhoseRulesChanged() async throws {
        let server = try await startServer()
        let rules = workDir + "/rules.yaml"
        try "extends: default\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let planPath = workDir + "/sync.plan"
        let plan = try run([
            "plan", "--db", Self.sample, "--rules", rules, "--stash-url", server.baseURL.absoluteString, "--out",
            planPath,
        ])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        try "extends: default\nsettings:\n  respectOrganized: false\n".write(
            toFile: rules, atomically: true, encoding: .utf8)
        server.resetCounters()
        let apply = try run(["apply", planPath, "--yes"])
        XCTAssertEqual(apply.status, 1, apply.stdout + apply.stderr)
        XCTAssertTrue(apply.stderr.contains("stale plan") && apply.stderr.contains("the rules changed"), apply.stderr)
        XCTAssertEqual(server.state.performers.count, 0, "nothing was written")
    }

    func testUnmatchedMediaAreCountedByCreatorWithPathsInJSON() async throws {
        let server = try await startServer()
        let paths = try expectedPaths().filter { !$0.hasSuffix(".None") }
        server.seed(paths: Array(paths.dropFirst()))
        let output = try run(["plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString])
        XCTAssertEqual(output.status, 0, output.stderr)
        // `<examples>/<Creator>_fansly/Timeline/Pictures/<name>` is looked for as `<examples>/<Creator>_fansly/**/<name>`.
        let missing = URL(fileURLWithPath: paths[0])
        let creatorFolder =
            CLI.packageRoot.appendingPathComponent("examples").path + "/"
            + String(
                paths[0].dropFirst(CLI.packageRoot.appendingPathComponent("examples").path.count + 1).prefix {
                    $0 != "/"
                })
        XCTAssertTrue(output.stdout.contains(": 1 file: not in Stash (not scanned yet?)"), output.stdout)
        XCTAssertTrue(output.stdout.contains("Hint: scan the creator folders in Stash"), output.stdout)
        let json = try run(["plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString, "--json"])
        let unmatched = json.json?["unmatched"] as? [[String: Any]] ?? []
        let lookedFor = unmatched.flatMap { $0["looked_for"] as? [String] ?? [] }
        XCTAssertTrue(lookedFor.contains("\(creatorFolder)/**/\(missing.lastPathComponent)"), "\(lookedFor)")
    }

    /// A new state file means nothing was applied yet; only a folder that does not exist is an error.
    func testANewStateFileIsNothingAppliedYetButAMissingFolderIsAnError() async throws {
        let server = try await startServer()
        server.seed(paths: try expectedPaths())
        let url = server.baseURL.absoluteString
        let statePath = workDir + "/new-state.sqlite3"
        let offline = try run(["plan", "--db", Self.sample, "--state", statePath])
        XCTAssertEqual(offline.status, 0, offline.stderr)
        let planPath = workDir + "/first.plan"
        let online = try run(["plan", "--db", Self.sample, "--stash-url", url, "--state", statePath, "--out", planPath])
        XCTAssertEqual(online.status, 0, online.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath), "plan never creates the state file")

        let apply = try run(["apply", planPath, "--state", statePath])
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: statePath), "the first apply creates it")
        let second = try run([
            "plan", "--db", Self.sample, "--stash-url", url, "--state", statePath, "--detailed-exitcode",
        ])
        XCTAssertEqual(second.status, 0, "the links in the new file are read:\n" + second.stdout + second.stderr)

        let nowhere = workDir + "/no-such-folder/state.sqlite3"
        for arguments in [["--state", nowhere], ["--stash-url", url, "--state", nowhere]] {
            let refused = try run(["plan", "--db", Self.sample] + arguments)
            XCTAssertEqual(refused.status, 1, refused.stdout)
            XCTAssertTrue(
                refused.stderr.contains("the folder \(workDir!)/no-such-folder does not exist"), refused.stderr)
        }
    }

    func testTargetAndCreatorNarrowThePlan() throws {
        let all = try run(["plan", "--db", Self.sample, "--json"])
        let addresses = (all.json?["changes"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
        let performer = try XCTUnwrap(addresses.first { $0.hasPrefix("performer.") })
        let targeted = try run(["plan", "--db", Self.sample, "--json", "--target", performer])
        XCTAssertEqual(targeted.status, 0, targeted.stderr)
        let targetedAddresses = (targeted.json?["changes"] as? [[String: Any]] ?? []).compactMap {
            $0["address"] as? String
        }
        XCTAssertTrue(targetedAddresses.contains(performer))
        XCTAssertLessThan(targetedAddresses.count, addresses.count)
        XCTAssertEqual((targeted.json?["unmatched"] as? [Any])?.count, 0)

        let creators = Set((all.json?["changes"] as? [[String: Any]] ?? []).compactMap { $0["creator"] as? String })
        XCTAssertGreaterThan(creators.count, 1)
        let one = try XCTUnwrap(creators.sorted().first)
        let narrowed = try run(["plan", "--db", Self.sample, "--json", "--creator", one.uppercased()])
        XCTAssertEqual(narrowed.status, 0, narrowed.stderr)
        // Other creators appear only through what the creator's objects refer to (a repost's quoted media).
        let narrowedCreators = Set(
            (narrowed.json?["changes"] as? [[String: Any]] ?? []).filter {
                !["image", "scene", "studio", "performer"].contains(
                    ($0["address"] as? String)?.split(separator: ".").first.map(String.init) ?? "")
            }.compactMap { $0["creator"] as? String })
        XCTAssertEqual(narrowedCreators, [one])

        let typo = try run(["plan", "--db", Self.sample, "--target", performer + "x"])
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("did you mean \(performer)"), typo.stderr)
    }

    func testErrorsAreClearAndNeverShowTheKey() async throws {
        let missing = try run(["plan", "--db", workDir + "/nope.sqlite3"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nope.sqlite3"), missing.stderr)

        let badRules = workDir + "/bad.yaml"
        try "entities: [unclosed".write(toFile: badRules, atomically: true, encoding: .utf8)
        let rules = try run(["plan", "--db", Self.sample, "--rules", badRules])
        XCTAssertEqual(rules.status, 1)
        XCTAssertTrue(rules.stderr.contains("bad.yaml"), rules.stderr)

        let server = try await startServer(apiKey: "right-key")
        let wrong = try run(
            ["plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString],
            environment: ["STASH_API_KEY": "wrong-key-4711"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("rejected the API key"), wrong.stderr)
        XCTAssertFalse((wrong.stdout + wrong.stderr).contains("wrong-key-4711"))
        let right = try run(
            ["plan", "--db", Self.sample, "--stash-url", server.baseURL.absoluteString, "--api-key-env", "MY_KEY"],
            environment: ["MY_KEY": "right-key"])
        XCTAssertEqual(right.status, 0, right.stderr)

        let port = server.port
        await server.stop()
        let down = try run(["plan", "--db", Self.sample, "--stash-url", "http://127.0.0.1:\(port)"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stderr.contains("Is Stash running"), down.stderr)
        let notURL = try run(["plan", "--db", Self.sample, "--stash-url", "localhost"])
        XCTAssertEqual(notURL.status, 1)
        XCTAssertTrue(notURL.stderr.contains("not an http(s) URL"), notURL.stderr)
    }
}
