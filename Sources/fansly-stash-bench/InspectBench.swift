import ArgumentParser
import FanslyMetadata
import Foundation
import SampleData

/// `fansly-stash-bench inspect`: time and peak memory of `inspect` (and, with `--stream`, of
/// streaming every record) on a large generated database.
///
/// The database is generated first when absent; the measurement then runs in a fresh child
/// process, so the generator's memory does not hide the reader's peak (VmHWM only grows).
struct InspectBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Time `inspect` on a large generated metadata database and report peak RSS."
    )

    @Option(help: "Database to measure; generated there when absent.")
    var db = FileManager.default.temporaryDirectory.appendingPathComponent("fansly-stash-bench/large-5x20000x3.sqlite3")
        .path

    @Option(help: "Creators of the generated database.")
    var creators = 5

    @Option(help: "Posts in total of the generated database.")
    var posts = 20_000

    @Option(help: "Media per post of the generated database.")
    var mediaPerPost = 3

    @Flag(help: "Also stream every creator's posts, messages, bundles and media through the paging API.")
    var stream = false

    @Flag(help: .hidden)
    var measureOnly = false

    func run() throws {
        if !measureOnly {
            try generateIfNeeded()
            try rerunToMeasure()
            return
        }
        try measure()
    }

    private func generateIfNeeded() throws {
        guard !FileManager.default.fileExists(atPath: db) else {
            print("using existing \(db)")
            fflush(nil)
            return
        }
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: db).deletingLastPathComponent(),
            withIntermediateDirectories: true)
        let start = Date()
        let files = try SampleDatabase.write(
            to: URL(fileURLWithPath: db),
            options: .large(creators: creators, postsPerCreator: posts / creators, mediaPerPost: mediaPerPost))
        print(
            String(
                format: "generated %@ (%d creators, %d posts, %d downloaded files) in %.2f s",
                db, creators, posts / creators * creators, files.count, Date().timeIntervalSince(start)))
        fflush(nil)
    }

    private func rerunToMeasure() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        if !FileManager.default.fileExists(atPath: "/proc/self/exe") {
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        }
        process.arguments = ["inspect", "--db", db, "--measure-only"] + (stream ? ["--stream"] : [])
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }

    private func measure() throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: db)[.size] as? Int) ?? 0
        print(String(format: "database: %@ (%.1f MB)", db, Double(size) / 1_048_576))
        let baseline = Self.peakRSS()
        let start = Date()
        let database = try MetadataDatabase(path: db)
        let summaries = try database.creators()
        let identity = try database.identity()
        let elapsed = Date().timeIntervalSince(start)
        let totalPosts = summaries.reduce(0) { $0 + $1.posts }
        let totalMedia = summaries.reduce(0) { $0 + $1.images + $1.videos }
        print(
            String(
                format:
                    "inspect: %d creators, %d posts, %d media items (alembic %@) in %.3f s; peak RSS %@ (at start %@)",
                summaries.count, totalPosts, totalMedia, identity.alembicVersion ?? "?", elapsed,
                Self.formatMemory(Self.peakRSS()), Self.formatMemory(baseline)))
        guard stream else { return }
        // Each record kind separately, so a regression points at its query.
        var lines: [String] = []
        var total = 0.0
        func timed(_ kind: String, _ iterate: (FanslyID, inout Int) throws -> Void) rethrows {
            let start = Date()
            var count = 0
            for summary in summaries { try iterate(summary.account.id, &count) }
            let seconds = Date().timeIntervalSince(start)
            total += seconds
            lines.append(String(format: "  %@: %d in %.3f s", kind, count, seconds))
        }
        try timed("posts") { id, count in try database.forEachPostPage(creator: id) { count += $0.count } }
        try timed("messages") { id, count in try database.forEachMessagePage(creator: id) { count += $0.count } }
        try timed("bundles") { id, count in try database.forEachBundlePage(creator: id) { count += $0.count } }
        try timed("media items") { id, count in try database.forEachMediaPage(creator: id) { count += $0.count } }
        print(String(format: "stream (pages of 500): %.3f s; peak RSS %@", total, Self.formatMemory(Self.peakRSS())))
        print(lines.joined(separator: "\n"))
    }

    /// Peak resident set size of this process (`VmHWM` in /proc/self/status), in kB.
    static func peakRSS() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    static func formatMemory(_ kilobytes: Int?) -> String {
        kilobytes.map { String(format: "%.1f MB", Double($0) / 1_024) } ?? "unavailable (no /proc)"
    }
}
