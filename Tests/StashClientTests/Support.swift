import Foundation
import StashClient
import StashTestServer
import XCTest

/// Scanned paths as a Stash library of one Fansly creator holds them.
enum Fixture {
    static let root = "/data/fansly/EmberWilde42_fansly"
    static let videos = (1...7).map { "\(root)/Timeline/Videos/2024-0\($0)-01_video_\(1000 + $0).mp4" }
    static let images = (1...5).map { "\(root)/Timeline/Images/2024-0\($0)-02_image_\(2000 + $0).jpg" }
    static let messages = [
        "\(root)/Messages/Videos/2024-03-03_msg_3001.mp4", "\(root)/Messages/Images/2024-03-03_msg_3002.png",
    ]
    /// A neighbour whose name differs only where `_` would be a LIKE wildcard, and one with a space.
    static let others = [
        "/data/fansly/EmberWilde42-fansly/Timeline/Videos/decoy.mp4",
        "/data/fansly/Other Creator/Timeline/Videos/other.mp4",
        "/data/fansly/emberwilde42_fansly/Timeline/Videos/lowercase.mp4",
    ]
    static var all: [String] { videos + images + messages + others }
}

/// Starts a test server per test and builds clients for it.
class ServerTestCase: XCTestCase {
    static let key = "test-api-key-\(UUID().uuidString)"
    var server: StashTestServer!

    override func setUp() async throws {
        server = StashTestServer(apiKey: Self.key)
        try await server.start()
    }

    override func tearDown() async throws {
        await server?.stop()
        server = nil
    }

    func client(
        batchSize: Int = 100, pageSize: Int = 1000, timeout: Duration = .seconds(10),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(20), maxDelay: .milliseconds(100)),
        key: String? = ServerTestCase.key
    ) -> StashClient {
        StashClient(
            configuration: StashConfiguration(
                baseURL: server.baseURL, apiKey: key.map(StashAPIKey.init),
                timeout: timeout, batchSize: batchSize, pageSize: pageSize, retryPolicy: retry))
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { return error }; return nil }
    var success: Success? { if case .success(let value) = self { return value }; return nil }
}
