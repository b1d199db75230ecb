import ArgumentParser
// `timespec` as Foundation re-exports it (from CoreFoundation's headers), for `cpuNow()`.
import CoreFoundation
import FanslyMetadata
import Foundation
import MappingRules
import SampleData

/// `fansly-stash-bench rules`: how fast the default rules map the large sample
/// (20,000 posts, 60,000 media by default). Figures go to Docs/performance.md ("rules").
struct RulesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Time loading the rules and evaluating them over a generated database."
    )

    @Option(help: "Creators in the generated database.") var creators = 5
    @Option(help: "Posts per creator.") var postsPerCreator = 4_000
    @Option(help: "Media per post.") var mediaPerPost = 3
    @Option(help: "Repetitions of each timed step (the best run is reported).") var runs = 3
    @Option(help: "Rule files (default: the built-in rules).") var rules: [String] = []
    @Option(help: "Reuse or create the database here instead of a temporary file.") var database: String?
    @Flag(help: "Skip the end-to-end evaluation that streams from the database.") var skipDatabase = false
    @Flag(help: "Time only reading and evaluating from the database (quick to iterate on), with peak RSS.")
    var databaseOnly = false
    @Option(
        help: "With --database-only: threads reading the database ahead of the engine (0: the engine reads it itself).")
    var readers = 2

    func run() throws {
        let options = SampleOptions.large(
            creators: creators, postsPerCreator: postsPerCreator, mediaPerPost: mediaPerPost)
        let url =
            database.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "rules-bench-\(creators)x\(postsPerCreator)x\(mediaPerPost).sqlite3")
        if !FileManager.default.fileExists(atPath: url.path) {
            let started = Date()
            try SampleDatabase.write(to: url, options: options)
            print("generated \(url.path) in \(format(Date().timeIntervalSince(started)))")
        }
        let db = try MetadataDatabase(path: url.path)

        let (ruleSet, loadTime) = try best { try RuleSet.load(paths: rules) }
        print("load rules:                 \(format(loadTime))")

        if databaseOnly {
            let engine = MappingEngine(rules: ruleSet)
            // Evaluated first, so that the peak RSS is the evaluation's.
            let (streamed, totalTime) = try best { try engine.evaluate(database: db, creators: nil, readers: readers) }
            print(
                "evaluate from the database (\(readers) readers): \(format(totalTime))  (\(streamed.entities.count) entities)"
            )
            print("peak RSS: \(Self.peakRSS())")
            let (pages, streamTime) = try best { try Self.streamAll(db) }
            print("stream from the database (\(pages) pages, no rules): \(format(streamTime))")
            return
        }

        // The records in memory, to time the engine alone.
        let (records, readTime) = try best { try Self.readAll(db) }
        let media = records.media.count
        print(
            "read records (\(records.posts.count) posts, \(records.messages.count) messages, \(media) media): \(format(readTime))"
        )

        let engine = MappingEngine(rules: ruleSet)
        let (state, evaluateTime) = try best { try engine.evaluate(records: records) }
        print("evaluate in memory:         \(format(evaluateTime))  (\(state.entities.count) entities)")

        print(String(format: "engine throughput: %.0f media/s (CPU time)", Double(media) / evaluateTime.cpu))
        print("peak RSS so far (records in memory + \(runs) states): \(Self.peakRSS())")
        guard !skipDatabase else { return }
        let (pages, streamTime) = try best { try Self.streamAll(db) }
        print("stream from the database (\(pages) pages, no rules): \(format(streamTime))")
        let (streamed, totalTime) = try best { try engine.evaluate(database: db) }
        print("evaluate from the database: \(format(totalTime))  (\(streamed.entities.count) entities)")
        if streamed != state { print("warning: the streamed and in-memory evaluations differ") }
    }

    /// The process's peak resident set size (`VmHWM`).
    static func peakRSS() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    /// Every record of every creator, as the engine's in-memory input.
    static func readAll(_ db: MetadataDatabase) throws -> MetadataRecords {
        let creators = try db.creatorAccounts()
        var records = MetadataRecords(creators: creators, downloadRoot: db.defaultDownloadRoot)
        var otherIds = Set<FanslyID>()
        for creator in creators {
            try db.forEachPostPage(creator: creator.id, pageSize: 500) { page in
                records.posts += page
                for post in page {
                    for quoted in post.reposts { records.posts.append(quoted); otherIds.insert(quoted.accountId) }
                }
            }
            try db.forEachMessagePage(creator: creator.id, pageSize: 500) { records.messages += $0 }
            try db.forEachBundlePage(creator: creator.id, pageSize: 500) { records.bundles += $0 }
            try db.forEachMediaPage(creator: creator.id, pageSize: 500) { records.media += $0 }
            records.walls += try db.walls(creator: creator.id)
        }
        let creatorIds = Set(creators.map(\.id))
        records.otherAccounts = Array(try db.accounts(ids: Array(otherIds.subtracting(creatorIds))).values)
        // A repost quoted twice would otherwise appear twice.
        var seen = Set<FanslyID>()
        records.posts = records.posts.filter { seen.insert($0.id).inserted }
        return records
    }

    /// Streams every creator's pages the way the engine reads them, without evaluating anything:
    /// the reading share of `evaluate(database:)`. Returns the number of pages.
    static func streamAll(_ db: MetadataDatabase) throws -> Int {
        var pages = 0
        var shown = Set<FanslyID>()
        for creator in try db.creatorAccounts() {
            _ = try db.walls(creator: creator.id)
            try db.forEachPostPage(creator: creator.id, pageSize: MappingEngine.pageSize) { page in
                pages += 1
                for post in page { for item in post.media + post.reposts.flatMap(\.media) { shown.insert(item.id) } }
            }
            try db.forEachMessagePage(creator: creator.id, pageSize: MappingEngine.pageSize) { page in
                pages += 1
                for message in page { for item in message.media { shown.insert(item.id) } }
            }
            // Like the engine, skip reading the media posts and messages showed.
            try db.forEachMediaPage(creator: creator.id, pageSize: MappingEngine.pageSize, excluding: shown) { _ in
                pages += 1
            }
            try db.forEachBundlePage(creator: creator.id, pageSize: MappingEngine.pageSize) { _ in pages += 1 }
        }
        return pages
    }

    /// Wall-clock and CPU time of one step; CPU time is what matters on a busy machine.
    struct Timing { var wall: TimeInterval; var cpu: TimeInterval }

    private static func cpuNow() -> TimeInterval {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return TimeInterval(spec.tv_sec) + TimeInterval(spec.tv_nsec) / 1e9
    }

    /// Runs `body` `runs` times and keeps the run with the least CPU time.
    private func best<T>(_ body: () throws -> T) throws -> (T, Timing) {
        var result: T?
        var fastest = Timing(wall: .infinity, cpu: .infinity)
        for _ in 0..<max(1, runs) {
            let wallStart = DispatchTime.now().uptimeNanoseconds
            let cpuStart = Self.cpuNow()
            let value = try body()
            let timing = Timing(
                wall: Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9, cpu: Self.cpuNow() - cpuStart)
            if timing.cpu < fastest.cpu { fastest = timing; result = value }
        }
        return (result!, fastest)
    }

    private func format(_ timing: Timing) -> String {
        String(format: "%.3f s CPU (%.3f s wall)", timing.cpu, timing.wall)
    }
    private func format(_ seconds: TimeInterval) -> String { String(format: "%.3f s", seconds) }
}
