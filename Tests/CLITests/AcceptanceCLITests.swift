import Foundation
import GRDB
import StashTestServer
import XCTest

/// Acceptance: the built `fansly-stash` on databases as the real downloader writes them (built from
/// the reference DDL) and on the bundled sample, against the test server seen through a path
/// mapping, the way a user runs plan → apply → plan.
final class AcceptanceCLITests: XCTestCase {
    static let apiKey = "acceptance-secret-key-93b1c7"
    var folder: URL!

    override func setUpWithError() throws {
        folder = try CLI.temporaryDirectory(self)
    }

    private func run(_ arguments: [String], key: String = AcceptanceCLITests.apiKey) throws -> CLIResult {
        try CLI.run(
            arguments,
            environment: [
                "STASH_URL": "", "STASH_API_KEY": key,
                "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
            ])
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(
            PlanDocument.parse(text) ?? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            "not a JSON object:\n\(text)")
    }

    private func changes(_ plan: [String: Any]) -> [String: [String: Any]] {
        var byAddress: [String: [String: Any]] = [:]
        for change in plan["changes"] as? [[String: Any]] ?? [] {
            byAddress[change["address"] as? String ?? ""] = change
        }
        return byAddress
    }

    /// Rules that say the downloader wrote under /downloads and Stash sees that folder as /data/fansly.
    private func mappedRules() throws -> String {
        let url = folder.appendingPathComponent("mapped.yaml")
        try """
        extends: default
        settings:
          downloadRoot: /downloads
          pathMap:
            - from: /downloads
              to: /data/fansly
        """.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func startServer(seeding relativePaths: [String]) async throws -> StashTestServer {
        let server = StashTestServer(apiKey: Self.apiKey)
        // Stash scans the files at the mapped path, and skips the `.None` previews.
        server.seed(paths: relativePaths.filter { !$0.hasSuffix(".None") }.map { "/data/fansly/" + $0 })
        try await server.start()
        addTeardownBlock { await server.stop() }
        return server
    }

    // MARK: - A database built from the reference DDL

    func testReferenceSchemaDatabaseThroughInspectExplainAndOfflinePlan() throws {
        let database = folder.appendingPathComponent("metadata_db.sqlite3")
        try AcceptanceReferenceDatabase.write(to: database)
        let before = try Data(contentsOf: database)

        let inspect = try run(["inspect", "--db", database.path, "--json"])
        XCTAssertEqual(inspect.exitCode, 0, inspect.stderr)
        XCTAssertTrue(
            inspect.stdout.contains("\"posts\" : 5") || inspect.stdout.contains("\"posts\":5"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains(AcceptanceReferenceDatabase.creator), inspect.stdout)
        XCTAssertFalse(
            inspect.stdout.contains(AcceptanceReferenceDatabase.mentionedFriend),
            "an account seen only through a mention is not a creator:\n\(inspect.stdout)")
        let table = try run(["inspect", "--db", database.path])
        XCTAssertEqual(table.exitCode, 0, table.stderr)
        // Phantom bundles are not bundles: only the real one counts.
        let row = try XCTUnwrap(
            table.stdout.split(separator: "\n").first { $0.hasPrefix(AcceptanceReferenceDatabase.creator) })
        XCTAssertEqual(
            row.split(separator: " ").map(String.init).dropFirst(2).prefix(4), ["5", "1", "1", "1"], String(row))

        let explain = try run([
            "rules", "explain", "--db", database.path, "--post", String(AcceptanceReferenceDatabase.bundlePost),
        ])
        XCTAssertEqual(explain.exitCode, 0, explain.stderr)
        XCTAssertTrue(explain.stdout.contains("Shiny new outfit"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("latexmodel"), explain.stdout)

        let offline = try run(["plan", "--db", database.path, "--json"])
        XCTAssertEqual(offline.exitCode, 0, offline.stderr)
        let plan = try json(offline.stdout)
        XCTAssertEqual(plan["format_version"] as? Int, 3)
        let byAddress = changes(plan)
        XCTAssertEqual(byAddress["performer.account.emberwilde42"]?["action"] as? String, "create")
        XCTAssertEqual(
            byAddress["performer.account.otherpal"]?["action"] as? String, "create",
            "a mentioned account the database knows")
        XCTAssertNotEqual(
            byAddress["performer.account.ghosthandle"]?["action"] as? String, "create",
            "a handle-only mention links an existing performer, it never creates one by default")
        XCTAssertEqual(
            byAddress["gallery.post.\(AcceptanceReferenceDatabase.bundlePost)"]?["action"] as? String, "create")
        XCTAssertEqual(
            byAddress["gallery.message.\(AcceptanceReferenceDatabase.message)"]?["action"] as? String, "create")
        XCTAssertNil(byAddress["gallery.bundle.537124881301504299"], "a phantom bundle is no gallery")
        XCTAssertNotNil(byAddress["tag.latexmodel"])
        // The video's file carries its HLS variant's id; its code is still the media id.
        let unmatched = plan["unmatched"] as? [[String: Any]] ?? []
        let video = try XCTUnwrap(
            unmatched.first {
                ($0["file_media_id"] as? NSNumber)?.int64Value == AcceptanceReferenceDatabase.videoVariant
            },
            "the video is looked for under its variant's id: \(unmatched)")
        XCTAssertTrue(
            (video["looked_for"] as? [String] ?? []).contains {
                $0.contains("_id_\(AcceptanceReferenceDatabase.videoVariant).mp4")
            })
        // Users who want performers for every handle say so.
        let creating = folder.appendingPathComponent("create-unknown.yaml")
        try "extends: default\nmention:\n  createUnknown: true\n".write(to: creating, atomically: true, encoding: .utf8)
        let optedIn = try run(["plan", "--db", database.path, "--rules", creating.path, "--json"])
        XCTAssertEqual(optedIn.exitCode, 0, optedIn.stderr)
        XCTAssertEqual(
            changes(try json(optedIn.stdout))["performer.account.ghosthandle"]?["action"] as? String, "create")

        XCTAssertEqual(try Data(contentsOf: database), before, "the downloader's database is never written")
    }

    func testReferenceSchemaDatabasePlanApplyPlanThroughAPathMapping() async throws {
        let database = folder.appendingPathComponent("metadata_db.sqlite3")
        let files = try AcceptanceReferenceDatabase.write(to: database)
        let server = try await startServer(seeding: files)
        let rules = try mappedRules()
        let common = ["--db", database.path, "--rules", rules, "--stash-url", server.baseURL.absoluteString]

        let planFile = folder.appendingPathComponent("first.plan")
        let first = try run(["plan"] + common + ["--out", planFile.path])
        XCTAssertEqual(first.exitCode, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("  + performer.account.emberwilde42"), first.stdout)
        XCTAssertTrue(first.stdout.contains("  ~ scene.media."), "the scanned video is updated:\n\(first.stdout)")
        XCTAssertTrue(first.stdout.contains(".None, which Stash does not scan"), first.stdout)
        XCTAssertFalse(
            first.stdout.contains("+ gallery.post.\(AcceptanceReferenceDatabase.lockedPost)"),
            "no empty gallery for a post whose only image Stash cannot hold:\n\(first.stdout)")

        let apply = try run(["apply", planFile.path])
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        XCTAssertTrue(apply.stdout.contains(" 0 failed"), apply.stdout)

        let state = server.state
        let video = try XCTUnwrap(
            state.scenes.values.first { $0.path.hasSuffix("_id_\(AcceptanceReferenceDatabase.videoVariant).mp4") })
        XCTAssertEqual(
            video.code, String(AcceptanceReferenceDatabase.videoMedia), "code is the media id, not the variant's")
        XCTAssertEqual(video.date, "2023-02-21")
        XCTAssertEqual(video.studioId.flatMap { state.studios[$0]?.name }, "EmberWilde42 (Fansly)")
        XCTAssertEqual(
            Set(state.performers.values.map(\.name)), ["Ember Wilde", "otherpal"],
            "no performer for the handle-only mention")
        // The video-only post gets a gallery grouping its scene, and so does the repost quoting it.
        XCTAssertEqual(
            Set(state.galleries.values.map(\.code)),
            [
                String(AcceptanceReferenceDatabase.bundlePost), String(AcceptanceReferenceDatabase.message),
                String(AcceptanceReferenceDatabase.videoPost), "566666666666666666",
            ])
        for gallery in state.galleries.values {
            XCTAssertFalse(
                state.imageIds(inGallery: gallery.id).isEmpty && gallery.sceneIds.isEmpty,
                "gallery \(gallery.code) is not empty")
        }
        XCTAssertEqual(
            Set(video.galleryIds.compactMap { state.galleries[$0]?.code }),
            [String(AcceptanceReferenceDatabase.videoPost), "566666666666666666"],
            "the video is in its post's gallery and the repost's")
        XCTAssertEqual(state.chapters.values.map(\.title), ["Best of"])
        XCTAssertEqual(
            Set(state.tags.values.map(\.name)), ["latex", "latexmodel"],
            "no unused `Trailer` tag: the only preview is a .None file Stash does not hold")

        let second = try run(["plan"] + common + ["--detailed-exitcode"])
        XCTAssertEqual(second.exitCode, 0, "no changes after apply:\n\(second.stdout)\n\(second.stderr)")
        XCTAssertTrue(second.stdout.contains("No changes."), second.stdout)

        let objects = Library(server.state)
        server.resetCounters()
        let again = try run(["apply", "--yes"] + common)
        XCTAssertEqual(again.exitCode, 0, again.output)
        XCTAssertEqual(Library(server.state), objects, "re-applying changes nothing")
        XCTAssertEqual(
            server.requestCount(for: "sceneUpdate") + server.requestCount(for: "galleryCreate")
                + server.requestCount(for: "performerCreate"), 0, "no mutation is sent when nothing changed")

        try assertKeyAbsent(in: [first, apply, second, again], files: folder)
    }

    func testTwoCreatorsWithTheSameDisplayNameBothBecomePerformers() async throws {
        let database = folder.appendingPathComponent("metadata_db.sqlite3")
        var files = try AcceptanceReferenceDatabase.write(to: database)
        // A second downloaded creator who also calls herself "Ember Wilde".
        let queue = try DatabaseQueue(path: database.path)
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO accounts (id, username, "displayName", "createdAt") VALUES (290000000000000001, 'emberwilde_alt', 'Ember Wilde', '2022-01-01 00:00:00.000000');
                    INSERT INTO posts (id, "accountId", content, "createdAt") VALUES (590000000000000001, 290000000000000001, 'alt post', '2025-01-02 10:48:28.000000');
                    INSERT INTO media (id, "accountId", mimetype, type, local_filename, is_downloaded, "createdAt")
                        VALUES (590000000000000002, 290000000000000001, 'image/jpeg', 1, '2025-01-02_at_10-48_UTC_id_590000000000000002.jpeg', 1, '2025-01-02 10:48:28.000000');
                    INSERT INTO account_media (id, "accountId", "mediaId", "createdAt", deleted, access) VALUES (590000000000000002, 290000000000000001, 590000000000000002, '2025-01-02 10:48:28.000000', 0, 1);
                    INSERT INTO attachments (id, "postId", "contentId", pos, "contentType") VALUES (50, 590000000000000001, 590000000000000002, 0, 'ACCOUNT_MEDIA');
                    """)
        }
        try queue.close()
        files.append("emberwilde_alt_fansly/Timeline/Pictures/2025-01-02_at_10-48_UTC_id_590000000000000002.jpeg")
        let server = try await startServer(seeding: files)
        let common = [
            "--db", database.path, "--rules", try mappedRules(), "--stash-url", server.baseURL.absoluteString,
        ]

        let apply = try run(["apply", "--yes"] + common)
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        let performers = server.state.performers.values.filter { $0.name == "Ember Wilde" }
        XCTAssertEqual(
            Set(performers.map(\.disambiguation)), ["", "emberwilde_alt"], "the namesake is disambiguated by username")
        let second = try run(["plan"] + common + ["--detailed-exitcode"])
        XCTAssertEqual(second.exitCode, 0, second.stdout)
    }

    func testImagesScannedAfterTheFirstApplyJoinTheirGallery() async throws {
        let database = folder.appendingPathComponent("metadata_db.sqlite3")
        let files = try AcceptanceReferenceDatabase.write(to: database)
        let late = try XCTUnwrap(files.first { $0.contains("537124881301504300") })
        let server = try await startServer(seeding: files.filter { $0 != late })
        let common = [
            "--db", database.path, "--rules", try mappedRules(), "--stash-url", server.baseURL.absoluteString,
        ]
        XCTAssertEqual(try run(["apply", "--yes"] + common).exitCode, 0)
        let gallery = try XCTUnwrap(
            server.state.galleries.values.first { $0.code == String(AcceptanceReferenceDatabase.bundlePost) })
        XCTAssertEqual(server.state.imageIds(inGallery: gallery.id).count, 1)

        // The user scans the rest of the folder in Stash, then runs fansly-stash again.
        server.seed(paths: ["/data/fansly/" + late])
        let plan = try run(["plan"] + common)
        XCTAssertTrue(plan.stdout.contains("gallery.post.\(AcceptanceReferenceDatabase.bundlePost)"), plan.stdout)
        let apply = try run(["apply", "--yes"] + common)
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        XCTAssertEqual(
            server.state.imageIds(inGallery: gallery.id).count, 2, "the late image joins the gallery:\n\(plan.stdout)")
        let lateImage = try XCTUnwrap(server.state.images.values.first { $0.path.hasSuffix(late) })
        XCTAssertEqual(lateImage.code, "537124881301504300")
    }

    /// The downloader reuses an existing creator folder whatever its case, and users rename folders.
    func testCreatorFolderInAnotherCaseStillMatches() async throws {
        let database = folder.appendingPathComponent("metadata_db.sqlite3")
        let files = try AcceptanceReferenceDatabase.write(to: database).map {
            $0.replacingOccurrences(of: "EmberWilde42_fansly", with: "emberwilde42_fansly")
        }
        let server = try await startServer(seeding: files)
        let result = try run([
            "plan", "--db", database.path, "--rules", try mappedRules(), "--stash-url", server.baseURL.absoluteString,
            "--json",
        ])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let unmatched = try json(result.stdout)["unmatched"] as? [[String: Any]] ?? []
        XCTAssertEqual(unmatched.count, 1, "only the .None preview is unmatched: \(unmatched)")
    }

    // MARK: - The bundled sample and its file list, under a path prefix

    func testSamplePlanApplyPlanWithPathMappingConverges() async throws {
        let list = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("examples/sample-files.txt"), encoding: .utf8)
        let files = list.split(separator: "\n").map(String.init)
        XCTAssertFalse(files.isEmpty)
        let server = try await startServer(seeding: files)
        let sample = CLI.packageRoot.appendingPathComponent("examples/sample-metadata.sqlite3").path
        let common = ["--db", sample, "--rules", try mappedRules(), "--stash-url", server.baseURL.absoluteString]

        let first = try run(["plan"] + common + ["--json"])
        XCTAssertEqual(first.exitCode, 0, first.stderr)
        let plan = try json(first.stdout)
        XCTAssertEqual(plan["format_version"] as? Int, 3)
        let summary = try XCTUnwrap(plan["summary"] as? [String: Int])
        XCTAssertGreaterThan(summary["change"] ?? 0, 0, "scanned media are updated: \(summary)")
        // Every file Stash scanned is matched through the path mapping.
        let scannedIds = Set(
            files.filter { !$0.hasSuffix(".None") }.compactMap {
                $0.split(separator: "_").last?.split(separator: ".").first.map(String.init)
            })
        let unmatched = plan["unmatched"] as? [[String: Any]] ?? []
        let missed = unmatched.filter { scannedIds.contains(($0["file_media_id"] as? NSNumber)?.stringValue ?? "") }
        XCTAssertTrue(missed.isEmpty, "scanned but unmatched: \(missed)")
        XCTAssertFalse(unmatched.contains { ($0["reason"] as? String ?? "").contains("no Stash to look in") })
        let inputs = try XCTUnwrap(plan["inputs"] as? [String: Any])
        XCTAssertFalse(String(describing: inputs).contains(Self.apiKey))

        let human = try run(["plan"] + common)
        XCTAssertEqual(human.exitCode, 0, human.stderr)
        let lines = human.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  ~ scene.media.") }, human.stdout)
        XCTAssertTrue(
            lines.contains { $0.contains(": \"\" -> \"") || $0.contains(" -> ") },
            "updates show old -> new:\n\(human.stdout)")
        XCTAssertTrue(lines.last { !$0.isEmpty }?.hasPrefix("Plan: ") ?? false, human.stdout)

        let apply = try run(["apply", "--yes"] + common)
        XCTAssertEqual(apply.exitCode, 0, apply.output)
        for gallery in server.state.galleries.values {
            XCTAssertFalse(
                server.state.imageIds(inGallery: gallery.id).isEmpty && gallery.sceneIds.isEmpty,
                "gallery \(gallery.code) '\(gallery.title)' is empty")
        }

        let second = try run(["plan"] + common + ["--detailed-exitcode"])
        XCTAssertEqual(second.exitCode, 0, "second plan has changes:\n\(second.stdout)")
        XCTAssertTrue(second.stdout.contains("No changes."), second.stdout)

        let objects = Library(server.state)
        let again = try run(["apply", "--yes"] + common)
        XCTAssertEqual(again.exitCode, 0, again.output)
        XCTAssertEqual(Library(server.state), objects, "re-apply is a no-op")
        try assertKeyAbsent(in: [first, human, apply, second, again], files: folder)
    }

    // MARK: - The README

    /// Every `--flag` the README mentions is one the commands accept (as their `--help` says).
    func testEveryFlagInTheReadmeExists() throws {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var help = ""
        for command in [
            ["inspect"], ["plan"], ["apply"], ["rules", "check"], ["rules", "show"], ["rules", "explain"],
            ["rules", "schema"],
        ] {
            let result = try run(command + ["--help"])
            XCTAssertEqual(result.exitCode, 0, result.stderr)
            help += result.stdout
        }
        let flags = Set(
            try NSRegularExpression(pattern: "(?<![\\w-])--[a-z][a-z-]+")
                .matches(in: readme, range: NSRange(readme.startIndex..., in: readme))
                .map { String(readme[Range($0.range, in: readme)!]) })
        XCTAssertGreaterThan(flags.count, 10)
        let unknown = flags.filter {
            !help.contains($0 + " ") && !help.contains($0 + "\n") && $0 != "--disable-swift-testing"
        }
        XCTAssertTrue(unknown.isEmpty, "README mentions flags no command has: \(unknown.sorted())")
    }

    // MARK: - Helpers

    /// The API key appears in no output and in no file the tool wrote (plans, state).
    private func assertKeyAbsent(
        in results: [CLIResult], files directory: URL, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for result in results {
            XCTAssertFalse(result.output.contains(Self.apiKey), "the API key was printed", file: file, line: line)
        }
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var checked = 0
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let data = try Data(contentsOf: url)
            XCTAssertNil(
                data.range(of: Data(Self.apiKey.utf8)), "the API key is written in \(url.path)", file: file, line: line)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 1, "the plan and state files were checked", file: file, line: line)
    }
}
