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
    @Flag(help: "Plan, then keep the seeded test server running (for profiling apply by hand) instead of applying.")
    var hold = false

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
        let paths = try JSONDecoder().decode(PlanDigest.self, from: offline.stdout).unmatched
            .compactMap(\.lookedFor.first).filter { !$0.hasSuffix(".None") }

        let server = StashTestServer()
        server.seed(paths: paths)
        try await server.start()
        let url = server.baseURL.absoluteString
        let planPath = workDir + "/large.plan.json", statePath = workDir + "/state.sqlite3"
        for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: statePath + suffix) }

        let plan = try Child.run(binary, ["plan", "--db", dbPath, "--stash-url", url, "--out", planPath, "--json"],
                                 environment: [:], in: workDir)
        guard plan.status == 0 || plan.status == 2 else { throw ValidationError("plan failed: \(plan.stderr)") }
        let summary = try JSONDecoder().decode(PlanDigest.self, from: plan.stdout).summary
        let changed = (summary["add"] ?? 0) + (summary["change"] ?? 0)

        if hold {
            print("test server at \(url); apply with:\n  \(binary) apply \(planPath) --state \(statePath)\nCtrl-C to stop.")
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        server.resetCounters()
        let apply = try Child.run(binary, ["apply", planPath, "--state", statePath, "--batch-size", String(batchSize),
                                           "--parallelism", String(parallelism), "--json"], environment: [:], in: workDir)
        let requests = server.requestCount
        guard apply.status == 0 else { throw ValidationError("apply failed (exit \(apply.status)): \(apply.stderr.suffix(2000))") }
        let totals = try JSONDecoder().decode(ReportDigest.self, from: apply.stdout).totals

        server.resetCounters()
        let replan = try Child.run(binary, ["plan", "--db", dbPath, "--stash-url", url, "--state", statePath, "--json"],
                                   environment: [:], in: workDir)
        let after = (try? JSONDecoder().decode(PlanDigest.self, from: replan.stdout).summary) ?? [:]
        await server.stop()

        print("""
        database: \(dbPath) (\(creators) creators, \(creators * postsPerCreator) posts, \(creators * postsPerCreator * mediaPerPost) media)
        test server seeded with \(paths.count) scanned files
        plan: \(summary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) (\(changed) changed items)
        apply --batch-size \(batchSize) --parallelism \(parallelism): \(String(format: "%.2f", apply.seconds)) s \
        (\(String(format: "%.2f", apply.cpuSeconds)) s CPU in apply itself; the rest is the in-process test server), \
        peak RSS \(apply.peakMB) MB, \(requests) HTTP requests = 1 per \(String(format: "%.1f", Double(changed) / Double(max(requests, 1)))) changed items
        apply totals: \(totals.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        plan after apply: \(after.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        """)
    }
}

/// What the benchmark reads of a plan document (decoding only this keeps a 200 MB plan cheap to read).
private struct PlanDigest: Decodable {
    struct Unmatched: Decodable {
        var lookedFor: [String]
        enum CodingKeys: String, CodingKey { case lookedFor = "looked_for" }
    }
    var summary: [String: Int]
    var unmatched: [Unmatched]
}

/// What the benchmark reads of apply's `--json` report.
private struct ReportDigest: Decodable {
    var totals: [String: Int]
}

/// A child process's outcome: exit status, output, wall time and peak RSS.
private struct Child {
    var status: Int32
    var stdout: Data
    var stderr: String
    var seconds: Double
    /// User + system CPU time of the child alone.
    var cpuSeconds: Double
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
        // wait4's ru_maxrss is no use here: on Linux a spawned child inherits the spawning process's
        // high-water mark (this process holds the whole test server). /proc's VmHWM starts afresh at
        // exec, so it is polled until the child exits.
        var peakKB = 0
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            peakKB = max(peakKB, highWaterMarkKB(of: pid) ?? 0)
            usleep(10_000)
        }
        let seconds = Date().timeIntervalSince(start)
        if peakKB == 0 { peakKB = Int(usage.ru_maxrss) }  // no /proc (macOS): the best there is
        return Child(status: (status >> 8) & 0xff, stdout: try Data(contentsOf: URL(fileURLWithPath: outPath)),
                     stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                     seconds: seconds, cpuSeconds: Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
                     peakMB: peakKB / 1024)
    }

    /// `VmHWM` (peak resident set, KiB) of a running process, from /proc.
    private static func highWaterMarkKB(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    }
}
