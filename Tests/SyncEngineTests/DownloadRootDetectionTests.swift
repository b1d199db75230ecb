import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// A newcomer's first run: the database in its own folder, no rules file, and Stash seeing the
/// downloads under another folder (as in Docker). The plan finds that folder by itself.
final class DownloadRootDetectionTests: XCTestCase {
    private static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")
    private var server: StashTestServer!
    private var client: StashClient!
    private var database: MetadataDatabase!
    private var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("root-detection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("metadata_db.sqlite3")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("sample-metadata.sqlite3"), to: copy)
        database = try MetadataDatabase(path: copy.path)
        server = StashTestServer()
        try await server.start()
        client = StashClient(configuration: StashConfiguration(baseURL: server.baseURL, retryPolicy: .none))
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func sampleFiles(under root: String) throws -> [String] {
        let list = try String(contentsOf: Self.examples.appendingPathComponent("sample-files.txt"), encoding: .utf8)
        return list.split(separator: "\n").map { root + "/" + $0 }
    }

    private func plan(rules: RuleSet? = nil, prefetch: Bool, links: [EntityAddress: SyncLink] = [:]) async throws
        -> Plan
    {
        let engine = MappingEngine(rules: try rules ?? RuleSet.builtInDefault())
        var prefetched: StashSnapshotLoader.Prefetch?
        if prefetch {
            prefetched = StashSnapshotLoader(client: client).prefetch(
                creatorFolders: try engine.creatorFolders(source: database))
        }
        let desired = try engine.evaluate(database: database)
        return try await PlanSession(
            desired: desired, inputs: PlanFixtures.inputs, client: client, links: DictionaryLinks(links: links),
            catalog: database, tool: "test", prefetched: prefetched
        ).run()
    }

    /// Scenes and images the plan matched, and the unmatched ones Stash could hold (not `.None`
    /// previews, not media never downloaded).
    private func counts(_ plan: Plan) -> (matched: Int, scannableUnmatched: [UnmatchedMedia]) {
        let matched = plan.changes.filter {
            ($0.address.kind == .scene || $0.address.kind == .image) && $0.stashId != nil
        }.count
        let scannable = plan.unmatched.filter {
            $0.reason != Matcher.nonePreviewReason && $0.reason != Matcher.notDownloadedReason
                && $0.reason != Matcher.noFileNameReason
        }
        return (matched, scannable)
    }

    func testFindsTheDownloadFolderStashSeesThenPlanAndApplyMatchEveryScannableFile() async throws {
        server.modify { $0.libraryPaths = ["/data"] }
        server.seed(paths: try sampleFiles(under: "/data/fansly"))
        for prefetch in [true, false] {
            let first = try await plan(prefetch: prefetch)
            let (matched, missing) = counts(first)
            XCTAssertGreaterThan(matched, 20)
            XCTAssertEqual(missing.map(\.reason), [], PlanRenderer().render(first))
            XCTAssertEqual(first.notices.first?.kind, PlanNotice.downloadRootKind)
            XCTAssertEqual(first.notices.first?.counts, ["files_found": matched, "files_stash_could_hold": matched])
            XCTAssertEqual(
                first.notices.first?.message,
                "Stash sees the downloads under /data/fansly (\(matched) of \(matched) files found there); set settings.downloadRoot to make this explicit"
            )
            XCTAssertTrue(PlanRenderer().render(first).contains("Note: Stash sees the downloads under /data/fansly"))
            XCTAssertFalse(
                first.changes.contains { $0.detail?.contains("scan them") ?? false },
                "galleries are not told to scan files Stash has: \(first.changes.compactMap(\.detail))")
        }

        // Apply through the client, then plan again: nothing left to do, every file still matched.
        let first = try await plan(prefetch: true)
        let state = try SyncState(path: temporaryStatePath())
        let report = await Applier(
            writer: StashClientWriter(client: client), state: state, monitor: SyncMonitor(style: .quiet) { _ in },
            options: BatchOptions(batchSize: 50, parallelism: 2, maxAttempts: 1, retryDelay: .milliseconds(5))
        )
        .apply(first)
        XCTAssertEqual(report.failures, [])
        let second = try await plan(prefetch: true, links: try state.allLinks())
        XCTAssertFalse(second.summary.hasChanges, PlanRenderer().render(second))
        XCTAssertEqual(counts(second).matched, counts(first).matched)
        XCTAssertTrue(server.state.scenes.values.allSatisfy { !$0.title.isEmpty }, "every scene got its title")
    }

    func testAConfiguredFolderThatHoldsTheFilesIsUsedWithoutLookingElsewhere() async throws {
        server.seed(paths: try sampleFiles(under: "/data/fansly"))
        let rules = try RuleSet.load(
            yaml:
                "extends: default\nsettings:\n  downloadRoot: \(folder.path)\n  pathMap:\n    - from: \(folder.path)\n      to: /data/fansly\n"
        )
        server.resetCounters()
        let plan = try await plan(rules: rules, prefetch: true)
        XCTAssertEqual(plan.notices, [])
        XCTAssertEqual(server.requestCount(for: "configuration"), 0, "no search when the settings hold")
        XCTAssertEqual(counts(plan).scannableUnmatched.map(\.reason), [])
    }

    func testAConfiguredFolderThatHoldsNothingIsCorrectedAndSaidSo() async throws {
        server.seed(paths: try sampleFiles(under: "/srv/media/fansly"))
        let rules = try RuleSet.load(yaml: "extends: default\nsettings:\n  downloadRoot: /downloads\n")
        let plan = try await plan(rules: rules, prefetch: false)
        XCTAssertEqual(counts(plan).scannableUnmatched.map(\.reason), [])
        let notice = try XCTUnwrap(plan.notices.first?.message)
        XCTAssertTrue(notice.hasPrefix("Stash holds nothing under /downloads"), notice)
        XCTAssertTrue(notice.contains("it sees the downloads under /srv/media/fansly"), notice)
    }

    func testTwoFoldersHoldingTheFilesStopThePlanAndListBoth() async throws {
        server.modify { $0.libraryPaths = ["/data", "/mnt/backup"] }
        server.seed(paths: try sampleFiles(under: "/data/fansly"))
        server.seed(paths: try sampleFiles(under: "/mnt/backup/fansly-old").filter { $0.hasSuffix(".mp4") })
        // A library removed from Stash's settings without a clean does not count.
        server.seed(paths: try sampleFiles(under: "/gone/fansly"))
        do {
            _ = try await plan(prefetch: true)
            XCTFail("expected the plan to stop")
        } catch let error as PlanError {
            let text = error.description
            XCTAssertTrue(text.contains("  /data/fansly ("), text)
            XCTAssertTrue(text.contains("  /mnt/backup/fansly-old ("), text)
            XCTAssertFalse(text.contains("/gone"), text)
            XCTAssertTrue(text.contains("settings.downloadRoot"), text)
        }
    }

    func testFilesOfAnotherDatabaseDoNotMakeACandidate() async throws {
        server.seed(paths: try sampleFiles(under: "/data/fansly"))
        // Same creator folder names, but media ids this database does not know.
        server.seed(paths: ["/other/LunaVesper_fansly/Timeline/Videos/2024-01-01_id_999999999.mp4"])
        let plan = try await plan(prefetch: true)
        XCTAssertTrue(plan.notices.first?.message.contains("under /data/fansly (") ?? false, "\(plan.notices)")
    }
}
