import Foundation
import SampleData
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// `apply` planning here, and the Stash plugin's Plan and Apply tasks, on a library planned creator
/// group by creator group (`PlanRequest.groupLimit` 1: every creator its own group): the plan stays
/// in its temporary file, is reported from there and applied from there as a saved plan is, and
/// Stash ends up as the plan made whole leaves it, against the test server over HTTP.
final class GroupedApplyTests: XCTestCase {
    private static let downloads = GroupedLibrary.downloads
    private static let options = GroupedLibrary.options
    private var folder: URL!
    private var database: String!
    private var servers: [StashTestServer] = []

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("grouped-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = try GroupedLibrary.write(in: folder)
    }

    override func tearDown() async throws {
        for server in servers { await server.stop() }
        try? FileManager.default.removeItem(at: folder)
    }

    /// A test server holding every downloaded file, as a scan leaves it, with the plugin's settings.
    private func scannedStash() async throws -> StashTestServer {
        let server = StashTestServer()
        let files = SampleDatabase.downloadedFiles(options: Self.options).filter { !$0.path.hasSuffix(".None") }
        server.seed(paths: files.map { Self.downloads + "/" + $0.path })
        server.modify {
            $0.pluginSettings = [
                StashPluginTask.pluginId: ["database": self.database, "downloadRoot": Self.downloads]
            ]
        }
        try await server.start()
        servers.append(server)
        return server
    }

    private func planRequest(_ server: StashTestServer, state: String, groupLimit: Int) throws -> PlanRequest {
        var request = PlanRequest(
            database: database, stash: try StashEndpoint(server.baseURL.absoluteString),
            statePath: folder.appendingPathComponent(state).path, tool: "grouped-apply-tests")
        request.downloadRoot = Self.downloads
        request.groupLimit = groupLimit
        return request
    }

    /// The plugin task `mode` as Stash starts it, Stash's folder `dir`; returns its result and info lines.
    private func pluginTask(_ mode: String, _ server: StashTestServer, dir: String, groupLimit: Int) async throws
        -> (result: StashPluginTask.Result, info: [String])
    {
        let input = try JSONDecoder().decode(
            StashPluginInput.self,
            from: JSONSerialization.data(withJSONObject: [
                "server_connection": [
                    "Scheme": "http", "Host": "127.0.0.1", "Port": Int(server.port),
                    "Dir": folder.appendingPathComponent(dir).path,
                ] as [String: Any],
                "args": ["mode": mode],
            ]))
        let lines = LoggedLines()
        var task = StashPluginTask(input: input, log: StashPluginLog(write: lines.append), tool: "grouped-apply-tests")
        task.groupLimit = groupLimit
        let result = await task.run()
        return (result, lines.info)
    }

    /// What Stash holds, without ids (two Stashes written in a different order compare equal).
    private func contents(_ state: StashState) -> [String] {
        var lines = state.performers.values.map { "performer \($0.name) \($0.details) \($0.urls.sorted())" }
        lines += state.tags.values.map { "tag \($0.name)" } + state.studios.values.map { "studio \($0.name)" }
        lines += state.galleries.values.map {
            "gallery \($0.code)|\($0.title) \($0.details) images=\(state.imageIds(inGallery: $0.id).count)"
        }
        lines += state.scenes.values.map {
            "scene \($0.path) \($0.title) \($0.code) \($0.details) p=\($0.performerIds.count) t=\($0.tagIds.count)"
        }
        lines += state.images.values.map { "image \($0.path) \($0.title) \($0.code) t=\($0.tagIds.count)" }
        lines += state.chapters.values.map { "chapter \($0.title)@\($0.imageIndex)" }
        return lines.sorted()
    }

    func testAnApplyPlannedInGroupsAppliesItsPlanFileAsTheWholePlan() async throws {
        let whole = try await scannedStash()
        let grouped = try await scannedStash()
        let expected = PlanRenderer().render(
            try await PlanOperation(try planRequest(grouped, state: "none.sqlite3", groupLimit: .max)).run())

        let wholeOutcome = try await ApplyOperation(
            ApplyRequest(planning: try planRequest(whole, state: "whole.sqlite3", groupLimit: .max))
        ).run(confirm: { _ in true })
        let statuses = LoggedLines()
        let shown = LoggedLines()
        let groupedOutcome = try await ApplyOperation(
            ApplyRequest(planning: try planRequest(grouped, state: "grouped.sqlite3", groupLimit: 1))
        ).run(progress: { if case .status(let line) = $0 { statuses.append(line) } }) { plan in
            XCTAssertTrue(plan.finished.isInFile, "a plan made in groups stays in its file")
            try plan.render(with: PlanRenderer()) { shown.append($0) }
            return true
        }
        XCTAssertTrue(statuses.lines.contains("planning creator group by creator group…"), "\(statuses.lines)")
        XCTAssertEqual(shown.lines.joined(), expected, "the report of the grouped plan is the whole plan's")
        guard case .applied(let wholeReport) = wholeOutcome, case .applied(let groupedReport) = groupedOutcome else {
            return XCTFail("not applied: \(wholeOutcome), \(groupedOutcome)")
        }
        XCTAssertTrue(groupedReport.succeeded, "\(groupedReport.failures)")
        XCTAssertEqual(groupedReport.totals, wholeReport.totals)
        XCTAssertEqual(groupedReport.phases.map(\.counts), wholeReport.phases.map(\.counts))
        XCTAssertGreaterThan(groupedReport.totals.created, 0)
        XCTAssertEqual(contents(grouped.state), contents(whole.state))

        // Planned in groups again: nothing to apply, and nothing sent.
        grouped.resetCounters()
        let again = try await ApplyOperation(
            ApplyRequest(planning: try planRequest(grouped, state: "grouped.sqlite3", groupLimit: 1))
        ).run(confirm: { _ in false })
        guard case .nothingToApply(let plan) = again else { return XCTFail("applied again: \(again)") }
        XCTAssertFalse(plan.summary.hasChanges)
        XCTAssertEqual(grouped.requestCount(for: "performerCreate") + grouped.requestCount(for: "sceneUpdate"), 0)
    }

    func testThePluginsTasksOnAPlanInGroupsReportAndApplyAsOnTheWholePlan() async throws {
        let whole = try await scannedStash()
        let grouped = try await scannedStash()
        let plan = try await PlanOperation(try planRequest(grouped, state: "none.sqlite3", groupLimit: .max)).run()
        let report = PlanRenderer().render(plan).split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(report.count, StashPluginTask.reportLines, "the report is cut in Stash's log")
        // The first lines, how many more, and the counts: as logged from the whole plan.
        let more = report.count - StashPluginTask.reportLines
        let logged: [String] =
            Array(report.prefix(StashPluginTask.reportLines))
            + [
                "… \(more) more lines; `fansly-stash plan` prints the whole report",
                PlanRenderer().closingLine(plan.summary),
            ]
        func assertLogsReport(_ info: [String], file: StaticString = #filePath, line: UInt = #line) {
            guard let start = info.firstIndex(of: logged[0]) else {
                return XCTFail("no report in \(info)", file: file, line: line)
            }
            let found: [String] = Array(info[start...].prefix(logged.count))
            XCTAssertEqual(found, logged, file: file, line: line)
        }

        let planned = try await pluginTask("plan", grouped, dir: "grouped", groupLimit: 1)
        XCTAssertTrue(planned.info.contains("planning creator group by creator group…"), "\(planned.info)")
        assertLogsReport(planned.info)
        XCTAssertEqual(
            planned.result,
            .output(PlanRenderer().closingLine(plan.summary) + " Run the Apply task to make these changes."))
        XCTAssertTrue(grouped.state.performers.isEmpty, "a plan changes nothing")

        let wholeApply = try await pluginTask("apply", whole, dir: "whole", groupLimit: .max)
        let groupedApply = try await pluginTask("apply", grouped, dir: "grouped", groupLimit: 1)
        assertLogsReport(groupedApply.info)
        guard case .output(let summary) = groupedApply.result else { return XCTFail("\(groupedApply.result)") }
        XCTAssertTrue(summary.hasPrefix("Applied: "), summary)
        XCTAssertEqual(groupedApply.result, wholeApply.result)
        XCTAssertEqual(contents(grouped.state), contents(whole.state))

        let again = try await pluginTask("apply", grouped, dir: "grouped", groupLimit: 1)
        guard case .output(let nothing) = again.result else { return XCTFail("\(again.result)") }
        XCTAssertTrue(nothing.contains("No changes."), nothing)
    }
}

/// Lines gathered from concurrent callbacks; `info` the texts of a plugin log's info lines.
private final class LoggedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var gathered: [String] = []
    func append(_ line: String) { lock.withLock { gathered.append(line) } }
    var lines: [String] { lock.withLock { gathered } }
    var info: [String] {
        lines.filter { $0.hasPrefix("\u{01}i\u{02}") }.map { String($0.dropFirst(3).dropLast()) }
    }
}
