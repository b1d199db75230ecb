import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import StashTestServer
import XCTest

@testable import SyncEngine

/// Every fault a network produces, injected at the test server's socket or in its HTTP answer,
/// against a find, creates and an update of a real apply: a re-run always converges to what a clean
/// run makes, with no duplicate, and no run hangs.
final class FaultMatrixTests: XCTestCase {
    /// The client's deadline per attempt in these tests: the slow and silent faults outlast it.
    static let timeout: Duration = .milliseconds(600)

    static let faults: [(String, StashTestServer.Fault)] = [
        ("closed before executing", .dropConnection),
        ("closed after executing", .dropConnectionAfterApplying),
        ("reset before executing", .reset),
        ("reset after executing", .resetAfterApplying),
        ("500 before executing", .status(500)),
        ("502 before executing", .status(502)),
        ("503 before executing", .status(503)),
        ("500 after executing", .statusAfterApplying(500)),
        ("502 after executing", .statusAfterApplying(502)),
        ("503 after executing", .statusAfterApplying(503)),
        ("reply slower than the timeout", .replyAfter(.milliseconds(1_500))),
        ("never answered", .neverAnswer),
    ]

    /// Three creates, an update, and a find: the look-up of a create whose reply was lost (the
    /// performer's create is applied and its reply dropped first, so that apply has to look for it).
    static let targets = ["tagCreate", "performerCreate", "galleryCreate", "sceneUpdate", "findPerformers"]

    func applier(_ fixture: ApplyFixture, state: SyncState, stop: Bool = false) -> Applier {
        let client = StashClient(
            configuration: StashConfiguration(
                baseURL: fixture.server.baseURL, apiKey: StashAPIKey("secret-key"), timeout: Self.timeout,
                retryPolicy: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(5))))
        return Applier(
            writer: StashClientWriter(client: client), state: state, monitor: SyncMonitor(style: .quiet) { _ in },
            options: BatchOptions(batchSize: 100, parallelism: 2, maxAttempts: 2, retryDelay: .milliseconds(5)))
    }

    func testEveryFaultOnFindsCreatesAndUpdatesConvergesWithoutDuplicates() async throws {
        let clean = try await ApplyFixture.start()
        let cleanReport = await applier(clean, state: try SyncState(path: temporaryStatePath())).apply(clean.plan())
        XCTAssertEqual(cleanReport.failures, [])
        let expected = LibraryShape(clean.server.state)
        await clean.server.stop()

        for (name, fault) in Self.faults {
            for target in Self.targets {
                let started = ContinuousClock.now
                let fixture = try await ApplyFixture.start()
                let state = try SyncState(path: temporaryStatePath())
                let plan = fixture.plan()
                if target.hasPrefix("find") {
                    fixture.server.inject(.dropConnectionAfterApplying, on: "performerCreate")
                }
                // Twice: the transport's own retry meets the fault too, so the item fails in its run.
                fixture.server.inject(fault, on: target, times: 2)
                var runs: [SyncReport] = []
                repeat {
                    runs.append(await applier(fixture, state: state).apply(plan))
                } while !runs.last!.succeeded && runs.count < 4
                let cell = "\(name) on \(target)"
                XCTAssertGreaterThan(fixture.server.faultsApplied, 0, "\(cell): the fault was injected")
                XCTAssertTrue(runs.last!.succeeded, "\(cell): \(runs.last!.failures)")
                let shape = LibraryShape(fixture.server.state)
                XCTAssertEqual(shape, expected, "\(cell)\nafter faults:\n\(shape)\n\nclean:\n\(expected)")
                let library = fixture.server.state
                XCTAssertEqual(
                    [
                        library.performers.count, library.studios.count, library.tags.count, library.galleries.count,
                        library.chapters.count,
                    ], [1, 2, 2, 1, 1], "\(cell): no duplicate")
                XCTAssertEqual(try state.pendingCreates(), [], cell)
                XCTAssertEqual(fixture.server.undecodableRequestCount, 0, "\(cell): every request arrived whole")
                let elapsed = ContinuousClock.now - started
                XCTAssertLessThan(elapsed, .seconds(20), "\(cell): no run hangs")
                await fixture.server.stop()
            }
        }
    }

    /// The reported hang: the server applies every 4th request and drops its connection without a
    /// reply, for a whole apply of many small batches.
    func testADroppedReplyEveryFourthRequestNeitherHangsNorDuplicates() async throws {
        let clean = try await ApplyFixture.start()
        _ = await applier(clean, state: try SyncState(path: temporaryStatePath())).apply(clean.plan(extraTags: 60))
        let expected = LibraryShape(clean.server.state)
        await clean.server.stop()

        let fixture = try await ApplyFixture.start()
        let state = try SyncState(path: temporaryStatePath())
        let plan = fixture.plan(extraTags: 60)
        fixture.server.scheduleFaults { $0.number % 4 == 0 ? .dropConnectionAfterApplying : nil }
        let client = StashClient(
            configuration: StashConfiguration(
                baseURL: fixture.server.baseURL, apiKey: StashAPIKey("secret-key"), timeout: Self.timeout, batchSize: 5,
                retryPolicy: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5))))
        let applier = Applier(
            writer: StashClientWriter(client: client), state: state, monitor: SyncMonitor(style: .quiet) { _ in },
            options: BatchOptions(batchSize: 5, parallelism: 2, maxAttempts: 4, retryDelay: .milliseconds(5)))
        let started = ContinuousClock.now
        var runs: [SyncReport] = []
        repeat {
            runs.append(await applier.apply(plan))
        } while !runs.last!.succeeded && runs.count < 6
        let elapsed = ContinuousClock.now - started

        XCTAssertTrue(runs.last!.succeeded, "\(runs.last!.failures)")
        XCTAssertGreaterThan(fixture.server.faultsApplied, 5, "many replies were lost")
        XCTAssertEqual(fixture.server.undecodableRequestCount, 0, "no request arrived without its body")
        XCTAssertLessThan(elapsed, .seconds(30), "no request waited for a timeout: \(elapsed)")
        XCTAssertEqual(LibraryShape(fixture.server.state), expected, "the same library as a clean run, no duplicate")
        XCTAssertEqual(fixture.server.state.tags.count, 62)
        XCTAssertEqual(try state.pendingCreates(), [])
        await client.shutdown()
        await fixture.server.stop()
    }
}
