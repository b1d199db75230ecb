import Foundation
import StashTestServer
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C during `apply`: the built executable against a slow test server, so that the signal lands
/// mid-way, deterministically.
extension ApplyCLITests {
    func testCtrlCMidApplyStopsCleanlyAndARerunFinishesWithNoGalleryFrozen() async throws {
        let cleanServer = try await Self.seededServer()
        defer { Task { await cleanServer.stop() } }
        XCTAssertEqual(
            try run(["apply", try savePlan(server: cleanServer, name: "clean").path], state: "clean-state").exitCode, 0)
        let clean = Library(cleanServer.state)
        XCTAssertTrue(
            cleanServer.state.galleries.values.allSatisfy(\.organized), "the default rules organize galleries")

        let plan = try savePlan()
        server.latency = .milliseconds(150)
        let child = try CapturedProcess(
            ["apply", plan.path, "--batch-size", "2", "--parallelism", "1"],
            environment: environment(key: Self.apiKey, state: "state"))
        // Interrupt in the galleries phase, once some galleries exist and more are on the way.
        let deadline = Date().addingTimeInterval(90)
        while server.state.galleries.count < 2 && child.isRunning && Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertTrue(child.isRunning, "apply was still running when interrupted")
        kill(child.processIdentifier, SIGINT)
        let result = try child.wait(timeout: 30)
        XCTAssertEqual(result.exitCode, 130, result.output)
        XCTAssertTrue(result.stderr.contains("run apply again to finish"), result.output)
        XCTAssertTrue(result.stderr.contains("Interrupted:"), result.output)
        let partial = server.state
        XCTAssertLessThan(Library(partial).objectCount, clean.objectCount, "stopped before the end")
        XCTAssertFalse(
            partial.galleries.values.contains(where: \.organized), "no gallery is organized before it is complete")

        server.latency = .zero
        let resumed = try run(["apply", plan.path])
        XCTAssertEqual(resumed.exitCode, 0, resumed.output)
        XCTAssertEqual(
            Library(server.state), clean, "resumed to the clean result: no gallery frozen or empty, no duplicate")

        let replan = try run([
            "plan", "--db", Self.sampleDatabase, "--stash-url", server.baseURL.absoluteString, "--detailed-exitcode",
        ])
        XCTAssertEqual(replan.exitCode, 0, "a re-plan shows no changes:\n\(replan.output)")

        // A lost state file: the galleries apply finished are recognised, not frozen as a person's.
        let fresh = try run(
            ["plan", "--db", Self.sampleDatabase, "--stash-url", server.baseURL.absoluteString, "--json"],
            state: "new-state")
        let document = try XCTUnwrap(PlanDocument.parse(fresh.stdout), fresh.stderr)
        let changes = document["changes"] as? [[String: Any]] ?? []
        let frozen = changes.filter {
            ($0["address"] as? String)?.hasPrefix("gallery.") == true && $0["reason"] as? String == "organized"
        }
        XCTAssertEqual(frozen.count, 0, "galleries apply organized are its own: \(frozen.prefix(3))")
        XCTAssertEqual(changes.filter { ["create", "update"].contains($0["action"] as? String) }.count, 0)
    }

    func testASecondCtrlCQuitsAtOnceAndARerunStillConverges() async throws {
        let cleanServer = try await Self.seededServer()
        defer { Task { await cleanServer.stop() } }
        XCTAssertEqual(
            try run(["apply", try savePlan(server: cleanServer, name: "clean").path], state: "clean-state").exitCode, 0)

        let plan = try savePlan()
        server.latency = .milliseconds(400)
        let child = try CapturedProcess(
            ["apply", plan.path, "--batch-size", "2", "--parallelism", "1"],
            environment: environment(key: Self.apiKey, state: "state"))
        let deadline = Date().addingTimeInterval(90)
        while Library(server.state).objectCount < 3 && child.isRunning && Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(child.processIdentifier, SIGINT)
        try await Task.sleep(for: .milliseconds(50))
        let second = Date()
        kill(child.processIdentifier, SIGINT)
        let result = try child.wait(timeout: 30)
        XCTAssertEqual(result.exitCode, 130, result.output)
        XCTAssertLessThan(Date().timeIntervalSince(second), 2, "the second Ctrl-C does not wait for requests in flight")

        server.latency = .zero
        let resumed = try run(["apply", plan.path])
        XCTAssertEqual(resumed.exitCode, 0, resumed.output)
        XCTAssertEqual(Library(server.state), Library(cleanServer.state))
    }
}

/// A running CLI whose output is kept (in files: a chatty command cannot fill a pipe and block).
final class CapturedProcess {
    private let process = Process()
    private let directory: URL
    private let finished = DispatchSemaphore(value: 0)

    init(_ arguments: [String], environment: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stderr").path, contents: nil)
        process.executableURL = try CLI.executable("fansly-stash")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [finished] _ in finished.signal() }
        try process.run()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var processIdentifier: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Waits for the exit (killing the process after `timeout` seconds, which fails the test).
    func wait(timeout: TimeInterval) throws -> CLIResult {
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            finished.wait()
            XCTFail("apply did not exit within \(Int(timeout)) s of the signal")
        }
        return CLIResult(
            exitCode: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: directory.appendingPathComponent("stdout")), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: directory.appendingPathComponent("stderr")), as: UTF8.self))
    }
}

/// The reported hang, with the real binary: the server applies every 4th request and drops the
/// connection without a reply, for the whole plan and apply.
extension ApplyCLITests {
    func testADroppedReplyEveryFourthRequestNeitherHangsNorDuplicates() async throws {
        let cleanServer = try await Self.seededServer()
        defer { Task { await cleanServer.stop() } }
        XCTAssertEqual(
            try run(["apply", try savePlan(server: cleanServer, name: "clean").path], state: "clean-state").exitCode, 0)

        server.scheduleFaults { $0.number % 4 == 0 ? .dropConnectionAfterApplying : nil }
        let plan = try savePlan()
        let started = Date()
        var attempts = 0
        var result: CLIResult
        repeat {
            attempts += 1
            result = try CLI.run(
                ["apply", plan.path, "--batch-size", "5"], environment: environment(key: Self.apiKey, state: "state"),
                timeout: 60)
        } while result.exitCode != 0 && attempts < 4
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "no request waited out a timeout")
        XCTAssertGreaterThan(server.faultsApplied, 5)
        XCTAssertEqual(server.undecodableRequestCount, 0, "no request arrived without its body")
        XCTAssertEqual(
            Library(server.state), Library(cleanServer.state), "the same library as a clean run, no duplicate")
    }
}
