import Foundation
import Logging
import StashClient
import StashTestServer
import XCTest

/// The transport against faults injected at the test server's socket: what is retried, what is
/// reported, what is logged, and that every wait has a deadline.
final class TransportFaultTests: ServerTestCase {
    private func client(logging log: LogCapture, timeout: Duration = .seconds(5), attempts: Int = 4) -> StashClient {
        StashClient(
            configuration: StashConfiguration(
                baseURL: server.baseURL, apiKey: StashAPIKey(Self.key), timeout: timeout,
                retryPolicy: RetryPolicy(maxAttempts: attempts, initialDelay: .milliseconds(10))),
            logger: Logger(label: "test") { _ in log })
    }

    func testReadsAreRetriedWithTheSameBodyAfterEverySocketFault() async throws {
        server.seed(paths: Fixture.videos)
        for fault: StashTestServer.Fault in [
            .dropConnection, .dropConnectionAfterApplying, .reset, .resetAfterApplying,
            .status(502), .status(503), .statusAfterApplying(504),
        ] {
            server.resetCounters()
            server.inject(fault, on: "findScenes", times: 2)
            let scenes = try await client(logging: LogCapture()).findScenes()
            XCTAssertEqual(scenes.count, Fixture.videos.count, "\(fault)")
            XCTAssertEqual(server.requestCount(for: "findScenes"), 3, "\(fault): two faults, then an answer")
            XCTAssertEqual(server.undecodableRequestCount, 0, "\(fault): every retry carried the whole body")
        }
    }

    func testACreateWhoseReplyIsLostIsReportedNotRepeated() async throws {
        for fault: StashTestServer.Fault in [
            .dropConnectionAfterApplying, .resetAfterApplying, .statusAfterApplying(502),
            .replyAfter(.seconds(2)),
        ] {
            server.resetCounters()
            server.inject(fault, on: "tagCreate")
            let name = "Tag \(UUID().uuidString.prefix(8))"
            let results = await client(logging: LogCapture(), timeout: .milliseconds(700)).createTags([
                TagCreateInput(name: name)
            ])
            guard case .outcomeUnknown? = results.first?.failure?.underlying else {
                return XCTFail("\(fault): \(results)")
            }
            XCTAssertEqual(server.requestCount(for: "tagCreate"), 1, "\(fault): not sent twice")
            XCTAssertEqual(server.state.tags.values.filter { $0.name == name }.count, 1, "\(fault): applied once")
        }
    }

    func testEveryWaitHasADeadline() async throws {
        server.inject(.neverAnswer, on: "findTags", times: 10)
        let started = ContinuousClock.now
        do {
            _ = try await client(logging: LogCapture(), timeout: .milliseconds(500), attempts: 2).findTags()
            XCTFail("a server that never answers is reported")
        } catch {
            guard case .timeout(let operation, _, _) = error.underlying else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "findTags")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3), "two attempts of 0.5 s, not a hang")
    }

    func testCancelledSiblingReadsAreNeitherRetriedNorLogged() async throws {
        let log = LogCapture()
        let client = client(logging: log)
        server.inject(.status(500), on: "findTags")
        server.inject(.delay(.seconds(3)), on: "findPerformers", times: 3)
        let started = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await client.findTags() }
                for _ in 0..<3 { group.addTask { _ = try await client.findPerformers() } }
                // The first failure ends the group, which cancels the other reads (as the snapshot loader does).
                while try await group.next() != nil {}
            }
            XCTFail("the 500 is reported")
        } catch {
            guard case .httpStatus(_, 500, _)? = (error as? StashError)?.underlying else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "the siblings were cancelled, not awaited")
        XCTAssertEqual(log.lines, [], "a 500 is not retried and cancelled reads are not failures")
        // Under load some reads are cancelled before they are sent; none is sent twice.
        XCTAssertLessThanOrEqual(server.requestCount(for: "findPerformers"), 3, "cancelled reads are not sent again")
    }

    func testOneLinePerRetriedRequest() async throws {
        let log = LogCapture()
        server.inject(.status(502), on: "findTags", times: 2)
        server.inject(.reset, on: "findStudios", times: 3)
        let client = client(logging: log)
        _ = try await client.findTags()
        _ = try await client.findStudios()
        XCTAssertEqual(log.lines.count, 2, log.lines.joined(separator: "\n"))
        XCTAssertTrue(log.lines[0].hasPrefix("findTags failed (Stash answered findTags with HTTP 502"), log.lines[0])
        XCTAssertTrue(log.lines[0].hasSuffix("; retrying, up to 3 more times"), log.lines[0])
        XCTAssertTrue(log.lines[1].contains("connection reset by the server"), log.lines[1])
    }

    func testAShutDownClientSendsNothing() async throws {
        let client = client(logging: LogCapture())
        _ = try await client.findTags()
        await client.shutdown()
        server.resetCounters()
        do {
            _ = try await client.findTags()
            XCTFail("a shut down client does not send")
        } catch {
            XCTAssertTrue(error.description.contains("the client was shut down"), error.description)
        }
        XCTAssertEqual(server.requestCount, 0)
    }
}

/// Collects log lines at notice level and above.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .notice

    var lines: [String] { lock.lock(); defer { lock.unlock() }; return collected }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.lock(); collected.append(event.message.description); lock.unlock()
    }
}
