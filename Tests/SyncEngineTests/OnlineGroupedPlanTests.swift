import FanslyMetadata
import Foundation
import MappingRules
import PostgresTestSupport
import SampleData
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// An online plan made creator group by creator group (`PlanRequest.groupLimit`) is the plan of the
/// whole library, byte for byte (plan file and report), against the test server over HTTP seeded as
/// a scan would leave it, with links in a state file, drift, organized objects, a file Stash holds
/// twice (once in another creator's folder), a linked object moved out of the folders, a link the
/// rules no longer produce and files no entity claims.
final class OnlineGroupedPlanTests: XCTestCase {
    private static let downloads = GroupedLibrary.downloads
    private static let options = GroupedLibrary.options
    private var folder: URL!
    private var server: StashTestServer!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("online-grouped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        server = StashTestServer()
        try await server.start()
    }

    override func tearDown() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func generatedLibrary() throws -> String { try GroupedLibrary.write(in: folder) }

    /// The gallery rules and a tag per creator on its scenes and images (used by one group's changes only).
    private func galleryRules() throws -> String {
        try GroupedLibrary.galleryRules(
            in: folder,
            extra: """
                tags:
                  extra:
                    - name: "{{ account.username }} only"
                      for: [scene, image]
                """)
    }

    private var statePath: String { folder.appendingPathComponent("state.sqlite3").path }

    /// The whole plan of a first run (no state file), which a test then remembers part of.
    private func firstWholePlan(_ database: String, rules: String) async throws -> Plan {
        var request = PlanRequest(
            database: database, ruleFiles: [rules], stash: try StashEndpoint(server.baseURL.absoluteString),
            statePath: folder.appendingPathComponent("none.sqlite3").path, tool: "online-grouped-tests")
        request.groupLimit = .max
        return try await PlanOperation(request).run()
    }

    /// The report forms compared: the first is made as the plan is (a plan made in groups), the
    /// others from its file.
    private static let renderers = [
        PlanRenderer(colors: true, listUnchanged: true), PlanRenderer(), PlanRenderer(changesPerKind: 2),
    ]

    /// The plan file's lines, the reports (`renderers`) and the status lines of a plan against the test server.
    private func planned(
        _ database: String, rules: String, groupLimit: Int,
        objectsInMemory: Int = StashSnapshotLoader.defaultObjectsInMemory, targets: [String] = []
    ) async throws -> (file: String, reports: [String], statuses: [String]) {
        var request = PlanRequest(
            database: database, ruleFiles: [rules], stash: try StashEndpoint(server.baseURL.absoluteString),
            statePath: statePath, tool: "online-grouped-tests")
        request.groupLimit = groupLimit
        request.stashObjectsInMemory = objectsInMemory
        request.targets = targets
        let statuses = StatusLines()
        let finished = try await PlanOperation(request).run(savingTo: nil, reportingWith: Self.renderers[0]) { event in
            if case .status(let line) = event { statuses.append(line) }
        }
        var reports: [String] = []
        for renderer in Self.renderers {
            var report = ""
            try finished.render(with: renderer, chunkSize: 4096) { report += $0 }
            reports.append(report)
        }
        var plan = try finished.plan()
        plan.createdAt = Date(timeIntervalSince1970: 1_800_000_000)
        var file = Data()
        try PlanFile.write(plan) { file.append($0) }
        return (String(decoding: file, as: UTF8.self), reports, statuses.lines)
    }

    /// Seeds Stash as a scan of the downloads would, plus a copy of one creator's image in another
    /// creator's folder and two files whose media the database does not know; one image is only
    /// outside the creator folders.
    private func seedScannedLibrary() throws {
        let files = SampleDatabase.downloadedFiles(options: Self.options).filter { !$0.path.hasSuffix(".None") }
        let byCreator = Dictionary(grouping: files, by: \.creator)
        let creators = byCreator.keys.sorted()
        XCTAssertGreaterThanOrEqual(creators.count, 2)
        let copied = try XCTUnwrap(byCreator[creators[0]]?.first { $0.path.hasSuffix(".jpeg") })
        let otherFolder = try XCTUnwrap(byCreator[creators[1]]?.first?.path.split(separator: "/").first)
        let copy = "\(otherFolder)/Timeline/Pictures/copy_id_\(copied.fileId).jpeg"
        let unknown = [
            "\(otherFolder)/Timeline/Pictures/2020-01-01_at_00-00_UTC_id_777000000000000001.jpeg",
            "\(otherFolder)/Timeline/Videos/2020-01-01_at_00-00_UTC_id_777000000000000002.mp4",
        ]
        // One image Stash holds outside the creator folders only (found by the look-up outside them).
        let moved = try XCTUnwrap(byCreator[creators[2]]?.last { $0.path.hasSuffix(".jpeg") })
        let kept = files.filter { $0.path != moved.path }.map(\.path) + [copy] + unknown
        server.seed(
            paths: kept.map { Self.downloads + "/" + $0 } + ["/elsewhere/" + (moved.path as NSString).lastPathComponent]
        )
    }

    /// A state file as an apply of part of `plan` leaves it, then edits in Stash: a performer's bio
    /// changed by hand, a scene organized, a linked image moved out of the folders, and a link to a
    /// gallery the rules no longer produce.
    private func remember(partOf plan: Plan) throws {
        var applied = plan
        // Every third change: the rest is matched afresh (or still to create).
        applied.changes = plan.changes.enumerated().filter { $0.offset % 3 != 1 }.map(\.element)
        var links = try TestServerApplier(server: server).apply(applied)
        let performer = try XCTUnwrap(
            links.values.first { $0.address.kind == .performer && $0.writtenFields["details"] != nil })
        server.modify { $0.performers[Int(performer.stashId)!]?.details = "Edited by hand" }
        let scenes = links.values.filter { $0.address.kind == .scene }.sorted { $0.address < $1.address }
        server.markOrganized(sceneId: Int(try XCTUnwrap(scenes.first).stashId)!)
        let image = try XCTUnwrap(links.values.filter { $0.address.kind == .image }.max { $0.address < $1.address })
        server.modify { state in
            let id = Int(image.stashId)!
            let name = (state.images[id]!.path as NSString).lastPathComponent
            state.images[id]!.path = "/elsewhere/" + name
            state.galleries[90_001] = TestGallery(id: 90_001)
            state.galleries[90_001]!.code = "retired"
        }
        let retired = EntityAddress(kind: .gallery, key: "post.1")
        links[retired] = SyncLink(
            address: retired, stashId: "90001", writtenFields: ["code": .string("retired")], writtenAt: Date())
        let state = try SyncState(path: statePath)
        try state.recordWritten(
            links.values.map { WrittenObject(address: $0.address, stashId: $0.stashId, fields: $0.writtenFields) })
    }

    private func assertGroupedEqualsWhole(
        _ database: String, rules: String, limits: [Int], grouped: Bool = true,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let whole = try await planned(database, rules: rules, groupLimit: .max)
        XCTAssertGreaterThan(whole.file.split(separator: "\n").count, 100, file: file, line: line)
        // Every folder's scenes and images spooled (none kept in memory), some, or none.
        let spooledWhole = try await planned(database, rules: rules, groupLimit: .max, objectsInMemory: 0)
        XCTAssertEqual(spooledWhole.file, whole.file, "whole plan, Stash's objects spooled", file: file, line: line)
        XCTAssertEqual(spooledWhole.reports, whole.reports, "whole plan, spooled", file: file, line: line)
        for (limit, objectsInMemory) in limits.flatMap({ [($0, StashSnapshotLoader.defaultObjectsInMemory), ($0, 0)] })
            + [(limits[0], 20)]
        {
            let parts = try await planned(database, rules: rules, groupLimit: limit, objectsInMemory: objectsInMemory)
            let what = "groups of \(limit), \(objectsInMemory) Stash objects in memory"
            XCTAssertEqual(parts.file, whole.file, "plan file, \(what)", file: file, line: line)
            for (index, report) in parts.reports.enumerated() {
                XCTAssertEqual(report, whole.reports[index], "report \(index), \(what)", file: file, line: line)
            }
            let wentWhole = parts.statuses.contains { $0.hasPrefix("planning the whole library at once") }
            XCTAssertEqual(
                parts.statuses.contains("planning creator group by creator group…") && !wentWhole, grouped,
                "\(what): \(parts.statuses)", file: file, line: line)
        }
    }

    func testAFirstOnlinePlanInGroupsIsTheWholePlan() async throws {
        let database = try generatedLibrary()
        try seedScannedLibrary()
        let rules = try galleryRules()
        try await assertGroupedEqualsWhole(database, rules: rules, limits: [1, 150, 400])
        let report = try await planned(database, rules: rules, groupLimit: 1).reports[1]
        XCTAssertTrue(report.contains(Planner.unknownMediaReason), "files no entity claims are listed")
        XCTAssertTrue(report.contains("by file"), "the copied image matches two Stash images")
        XCTAssertTrue(report.contains(Matcher.outsideFoldersReason), "one image is only outside the folders")
    }

    func testAnOnlinePlanWithLinksDriftAndOrganizedObjectsInGroupsIsTheWholePlan() async throws {
        let database = try generatedLibrary()
        try seedScannedLibrary()
        let rules = try galleryRules()
        try remember(partOf: try await firstWholePlan(database, rules: rules))
        let whole = try await planned(database, rules: rules, groupLimit: .max)
        for expected in ["no longer produced", "organized in Stash", "Edited by hand", "update"] {
            XCTAssertTrue(whole.reports[1].contains(expected), "the whole plan has \(expected)")
        }
        try await assertGroupedEqualsWhole(database, rules: rules, limits: [1, 150, 400])

        // Targets: a drifted performer, an organized scene, every gallery.
        let changes = try await firstWholePlan(database, rules: rules).changes
        let scene = try XCTUnwrap(changes.first { $0.address.kind == .scene && $0.stashId != nil })
        let performer = try XCTUnwrap(changes.first { $0.address.kind == .performer })
        for targets in [[scene.address.description, performer.address.description], ["gallery"]] {
            let targeted = try await planned(database, rules: rules, groupLimit: .max, targets: targets)
            for limit in [1, 150] {
                let parts = try await planned(database, rules: rules, groupLimit: limit, targets: targets)
                XCTAssertEqual(parts.file, targeted.file, "plan file, \(targets), groups of \(limit)")
                XCTAssertEqual(parts.reports, targeted.reports, "reports, \(targets), groups of \(limit)")
            }
        }
    }

    /// Two entities of different groups remembered as one Stash scene: only the whole plan knows
    /// which one was first, so the grouped plan gives way to it.
    func testOneObjectClaimedFromTwoGroupsFallsBackToTheWholePlan() async throws {
        let database = try generatedLibrary()
        try seedScannedLibrary()
        let rules = try galleryRules()
        let first = try await firstWholePlan(database, rules: rules)
        let scenes = first.changes.filter { $0.address.kind == .scene && $0.stashId != nil }
        let one = try XCTUnwrap(scenes.first)
        let other = try XCTUnwrap(scenes.last { $0.creator != one.creator })
        let state = try SyncState(path: statePath)
        try state.recordWritten([
            WrittenObject(address: one.address, stashId: one.stashId!, fields: [:]),
            WrittenObject(address: other.address, stashId: one.stashId!, fields: [:]),
        ])
        try await assertGroupedEqualsWhole(database, rules: rules, limits: [1], grouped: false)
        let report = try await planned(database, rules: rules, groupLimit: 1).reports[1]
        XCTAssertTrue(report.contains("same object as"))
    }

    /// Stash holds the downloads under another folder than the rules say: finding it needs the
    /// whole state, so the grouped plan gives way, and the plan names the folder as the whole one does.
    func testDownloadsElsewhereInStashFallBackToTheWholePlan() async throws {
        let database = try generatedLibrary()
        let files = SampleDatabase.downloadedFiles(options: Self.options).filter { !$0.path.hasSuffix(".None") }
        server.seed(paths: files.map { "/mnt/media/" + $0.path })
        let rules = try galleryRules()
        try await assertGroupedEqualsWhole(database, rules: rules, limits: [1], grouped: false)
        let report = try await planned(database, rules: rules, groupLimit: 1).reports[1]
        XCTAssertTrue(report.contains("/mnt/media"), "the plan says where Stash sees the downloads")
    }

    /// Stash gone before its folders are read ends a grouped plan with Stash's error, said while
    /// the evaluation begun meanwhile is left to stop on its own (not a plan, not a cancellation).
    func testStashGoneBeforeItsFoldersAreReadEndsAGroupedPlanWithItsError() async throws {
        let database = try generatedLibrary()
        let rules = try galleryRules()
        let address = server.baseURL.absoluteString
        await server.stop()
        var request = PlanRequest(
            database: database, ruleFiles: [rules], stash: try StashEndpoint(address), statePath: statePath,
            tool: "online-grouped-tests")
        request.groupLimit = 1
        do {
            _ = try await PlanOperation(request).run()
            XCTFail("planned against a Stash that is gone")
        } catch {
            XCTAssertFalse(error is CancellationError, "\(error)")
            XCTAssertTrue("\(error)".contains("127.0.0.1"), "Stash's error, naming it: \(error)")
        }
    }

    /// The same from PostgreSQL (the generated library's rows copied there).
    func testAnOnlinePlanFromPostgreSQLInGroupsIsTheWholePlan() async throws {
        guard let postgres = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
        let target = try postgres.createDatabase(schema: FanslyPostgresSchema.sql)
        addTeardownBlock { target.drop() }
        let sqlite = try generatedLibrary()
        try SQLiteCopy.copy(sqlite: sqlite, into: target)
        try seedScannedLibrary()
        let rules = try galleryRules()
        var request = PlanRequest(
            database: target.url, ruleFiles: [rules], stash: try StashEndpoint(server.baseURL.absoluteString),
            statePath: folder.appendingPathComponent("none.sqlite3").path, tool: "online-grouped-tests")
        request.groupLimit = .max
        try remember(partOf: try await PlanOperation(request).run())
        try await assertGroupedEqualsWhole(target.url, rules: rules, limits: [1, 150])
    }
}

/// Status lines an operation reports, gathered from its progress callback.
private final class StatusLines: @unchecked Sendable {
    private let lock = NSLock()
    private var gathered: [String] = []
    func append(_ line: String) { lock.withLock { gathered.append(line) } }
    var lines: [String] { lock.withLock { gathered } }
}
