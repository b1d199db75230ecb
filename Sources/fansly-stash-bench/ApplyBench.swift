import ArgumentParser
import Foundation
import SampleData
import StashTestServer
#if canImport(Glibc)
import Glibc
#endif

/// `fansly-stash-bench apply`: the release `fansly-stash apply` executing the large database's plan
/// against the test server (every media file present), then `plan` again, which must show no changes.
/// apply runs as a child process so that its time and peak memory are its own.
struct ApplyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Time `fansly-stash apply` of the large database's plan against the test server.")

    @Option(help: "Creators in the generated database.") var creators = 5
    @Option(help: "Posts per creator.") var postsPerCreator = 4_000
    @Option(help: "Media per post.") var mediaPerPost = 3
    @Option(help: "Changes per request.") var batchSize = 100
    @Option(help: "Requests in flight.") var parallelism = 2
    @Option(help: "Folder for the generated database, plan and state (kept between runs).")
    var workDir = NSTemporaryDirectory() + "fansly-stash-bench-apply"
    @Option(help: "The fansly-stash executable (default: beside this benchmark).") var executable: String?

    func run() async throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        let dbPath = workDir + "/large-\(creators)-\(postsPerCreator)-\(mediaPerPost).sqlite3"
        if !fileManager.fileExists(atPath: dbPath) {
            print("generating \(dbPath)…")
            try SampleDatabase.write(to: URL(fileURLWithPath: dbPath),
                                     options: .large(creators: creators, postsPerCreator: postsPerCreator, mediaPerPost: mediaPerPost))
        }
        let binary = executable ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("fansly-stash").path
        guard fileManager.isExecutableFile(atPath: binary) else {
            throw ValidationError("no fansly-stash executable at \(binary); build it first (swift build -c release)")
        }

        // Where every file should be, in Stash's view: the offline plan's unmatched list (first candidate folder).
        let offline = try Child.run(binary, ["plan", "--db", dbPath, "--json"], environment: ["STASH_URL": ""], in: workDir)
        guard offline.status == 0 else { throw ValidationError("offline plan failed: \(offline.stderr)") }
        let offlineDocument = try JSONSerialization.jsonObject(with: offline.stdout) as? [String: Any] ?? [:]
        let paths = (offlineDocument["unmatched"] as? [[String: Any]] ?? [])
            .compactMap { ($0["looked_for"] as? [String])?.first }.filter { !$0.hasSuffix(".None") }

        let server = StashTestServer()
        server.seed(paths: paths)
        try await server.start()
        let url = server.baseURL.absoluteString
        let planPath = workDir + "/large.plan.json", statePath = workDir + "/state.sqlite3"
        for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: statePath + suffix) }

        let plan = try Child.run(binary, ["plan", "--db", dbPath, "--stash-url", url, "--out", planPath, "--json"],
                                 environment: [:], in: workDir)
        guard plan.status == 0 || plan.status == 2 else { throw ValidationError("plan failed: \(plan.stderr)") }
        let summary = (try JSONSerialization.jsonObject(with: plan.stdout) as? [String: Any])?["summary"] as? [String: Int] ?? [:]
        let changed = (summary["add"] ?? 0) + (summary["change"] ?? 0)

        server.resetCounters()
        let apply = try Child.run(binary, ["apply", planPath, "--state", statePath, "--batch-size", String(batchSize),
                                           "--parallelism", String(parallelism), "--json"], environment: [:], in: workDir)
        let requests = server.requestCount
        guard apply.status == 0 else { throw ValidationError("apply failed (exit \(apply.status)): \(apply.stderr.suffix(2000))") }
        let report = try JSONSerialization.jsonObject(with: apply.stdout) as? [String: Any] ?? [:]
        let totals = report["totals"] as? [String: Int] ?? [:]

        server.resetCounters()
        let replan = try Child.run(binary, ["plan", "--db", dbPath, "--stash-url", url, "--state", statePath, "--json"],
                                   environment: [:], in: workDir)
        let after = (try? JSONSerialization.jsonObject(with: replan.stdout) as? [String: Any])?["summary"] as? [String: Int] ?? [:]
        await server.stop()

        print("""
        database: \(dbPath) (\(creators) creators, \(creators * postsPerCreator) posts, \(creators * postsPerCreator * mediaPerPost) media)
        test server seeded with \(paths.count) scanned files
        plan: \(summary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) (\(changed) changed items)
        apply --batch-size \(batchSize) --parallelism \(parallelism): \(String(format: "%.2f", apply.seconds)) s, \
        peak RSS \(apply.peakMB) MB, \(requests) HTTP requests = 1 per \(String(format: "%.1f", Double(changed) / Double(max(requests, 1)))) changed items
        apply totals: \(totals.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        plan after apply: \(after.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        """)
    }
}

/// A child process's outcome: exit status, output, wall time and peak RSS.
private struct Child {
    var status: Int32
    var stdout: Data
    var stderr: String
    var seconds: Double
    var peakMB: Int

    /// Runs `binary` to completion with output in files (large outputs never block on a pipe); the peak
    /// RSS comes from wait4's rusage, so it is the child's alone.
    static func run(_ binary: String, _ arguments: [String], environment: [String: String], in folder: String) throws -> Child {
        let outPath = folder + "/apply-bench-stdout", errPath = folder + "/apply-bench-stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + env).forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, env)
        guard spawned == 0 else { throw ValidationError("cannot run \(binary): error \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        _ = wait4(pid, &status, 0, &usage)
        return Child(status: (status >> 8) & 0xff, stdout: try Data(contentsOf: URL(fileURLWithPath: outPath)),
                     stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                     seconds: Date().timeIntervalSince(start), peakMB: Int(usage.ru_maxrss) / 1024)
    }
}
