import ArgumentParser
import Foundation
import StashClient
import StashTestServer

/// Requests and items per second for aliased mutation batches against the in-memory test server,
/// and the speed of paged finds. The server runs in this process on 127.0.0.1, so the figures
/// measure the client (encoding, HTTP, decoding) plus the test server's GraphQL execution.
struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Aliased mutation batches (1, 25, 100, 250) and paged finds against the test server."
    )

    @Option(help: "Batch sizes to measure, comma-separated.")
    var batchSizes: String = "1,25,100,250"

    @Option(help: "Items sent per batch size.")
    var items: Int = 2_000

    @Option(help: "Scenes held by the server for the find benchmark.")
    var scenes: Int = 20_000

    func run() async throws {
        let sizes = batchSizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, items > 0 else {
            throw ValidationError("give batch sizes like 1,25,100,250 and a positive --items")
        }
        print("| mutation | server | batch size | items | requests | seconds | requests/s | items/s |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for size in sizes {
            try await measure(kind: "sceneUpdate", batchSize: size, executing: true)
            try await measure(kind: "tagCreate", batchSize: size, executing: true)
            try await measure(kind: "sceneUpdate", batchSize: size, executing: false)
        }
        try await measureFinds()
    }

    /// `executing: false` answers stubs without running the mutations: the client's own cost
    /// (encoding, HTTP, parsing and validation on the server, decoding).
    private func measure(kind: String, batchSize: Int, executing: Bool) async throws {
        let server = StashTestServer(apiKey: "bench")
        try await server.start()
        let paths = (0..<items).map { "/data/fansly/bench_fansly/Timeline/Videos/\($0).mp4" }
        let ids = server.seed(paths: paths)
        let client = StashClient(
            configuration: StashConfiguration(
                baseURL: server.baseURL, apiKey: StashAPIKey("bench"),
                batchSize: batchSize, retryPolicy: .none))
        // Warm the connection and the server's document cache outside the measurement.
        _ = try await client.findTags(filter: nil, ids: nil, page: 1, perPage: 1)
        server.executesRequests = executing
        server.resetCounters()
        let started = ContinuousClock.now
        let failures: Int
        switch kind {
        case "sceneUpdate":
            let inputs = paths.map {
                SceneUpdateInput(id: String(ids[$0]!), title: "Title \($0.count)", urls: ["https://fansly.com/post/1"])
            }
            failures = await client.updateScenes(inputs).filter {
                if case .failure = $0 { return true }; return false
            }.count
        default:
            let inputs = (0..<items).map { TagCreateInput(name: "bench tag \($0)") }
            failures = await client.createTags(inputs).filter {
                if case .failure = $0 { return true }; return false
            }.count
        }
        let elapsed = ContinuousClock.now - started
        guard failures == 0 else { throw ValidationError("\(failures) of \(items) \(kind) items failed") }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let requests = server.requestCount
        print(
            "| \(kind) | \(executing ? "executes" : "stub answers") | \(batchSize) | \(items) | \(requests) | \(String(format: "%.2f", seconds)) | "
                + "\(String(format: "%.0f", Double(requests) / seconds)) | \(String(format: "%.0f", Double(items) / seconds)) |"
        )
        await server.stop()
    }

    private func measureFinds() async throws {
        let server = StashTestServer(apiKey: "bench")
        try await server.start()
        server.seed(paths: (0..<scenes).map { "/data/fansly/creator\($0 % 20)_fansly/Timeline/Videos/\($0).mp4" })
        let client = StashClient(
            configuration: StashConfiguration(baseURL: server.baseURL, apiKey: StashAPIKey("bench"), pageSize: 1_000))
        server.resetCounters()
        let started = ContinuousClock.now
        let all = try await client.findScenes()
        let narrowed = try await client.findScenes(pathUnder: "/data/fansly/creator7_fansly")
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("")
        print("| find | scenes returned | requests | seconds | scenes/s |")
        print("|---|---:|---:|---:|---:|")
        print(
            "| findScenes (all, pages of 1,000) + findScenes(pathUnder:) | \(all.count + narrowed.count) | \(server.requestCount) | "
                + "\(String(format: "%.2f", seconds)) | \(String(format: "%.0f", Double(all.count + narrowed.count) / seconds)) |"
        )

        // The lean finds a plan sends: summaries (no file details), decoded page by page.
        server.resetCounters()
        let leanStarted = ContinuousClock.now
        var summaries = 0
        try await client.findSummaries(.scenes, filter: nil) { summaries += $0.count }
        let leanElapsed = ContinuousClock.now - leanStarted
        let leanSeconds = Double(leanElapsed.components.seconds) + Double(leanElapsed.components.attoseconds) / 1e18
        print(
            "| findSummaries(.scenes) (all, pages of 1,000) | \(summaries) | \(server.requestCount) | "
                + "\(String(format: "%.2f", leanSeconds)) | \(String(format: "%.0f", Double(summaries) / leanSeconds)) |"
        )
        await server.stop()
    }
}
