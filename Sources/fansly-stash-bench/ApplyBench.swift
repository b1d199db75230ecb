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

    @OptionGroup var database: LargeDatabaseOptions
    @Option(help: "Changes per request.") var batchSize = 100
    @Option(help: "Requests in flight.") var parallelism = 2
    @Option(help: "Folder for the generated database, plan and state (kept between runs).")
    var workDir = NSTemporaryDirectory() + "fansly-stash-bench-apply"
    @Flag(help: "Plan, then keep the seeded test server running (for profiling apply by hand) instead of applying.")
    var hold = false

    func run() async throws {
        let fileManager = FileManager.default
        let dbPath = try database.database(in: workDir)
        let binary = try database.binary()

        // Where every file should be, in Stash's view: the offline plan's unmatched list (first candidate folder).
        let offline = try ChildProcess.run(
            binary, ["plan", "--db", dbPath, "--json"], environment: ["STASH_URL": ""], in: workDir)
        guard offline.status == 0 else { throw ValidationError("offline plan failed: \(offline.stderr)") }
        let paths = try PlanDigest(offline.stdout).unmatched
            .compactMap(\.lookedFor.first).filter { !$0.hasSuffix(".None") }

        let server = StashTestServer()
        server.seed(paths: paths)
        try await server.start()
        let url = server.baseURL.absoluteString
        let planPath = workDir + "/large.plan.json"
        let statePath = workDir + "/state.sqlite3"
        for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: statePath + suffix) }

        let plan = try ChildProcess.run(
            binary, ["plan", "--db", dbPath, "--stash-url", url, "--out", planPath, "--json"],
            environment: [:], in: workDir)
        guard plan.status == 0 || plan.status == 2 else { throw ValidationError("plan failed: \(plan.stderr)") }
        let summary = try PlanDigest(plan.stdout).summary
        let changed = (summary["add"] ?? 0) + (summary["change"] ?? 0)

        if hold {
            print(
                "test server at \(url); apply with:\n  \(binary) apply \(planPath) --state \(statePath)\nCtrl-C to stop."
            )
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        server.resetCounters()
        let apply = try ChildProcess.run(
            binary,
            [
                "apply", planPath, "--state", statePath, "--batch-size", String(batchSize),
                "--parallelism", String(parallelism), "--json",
            ], environment: [:], in: workDir)
        let requests = server.requestCount
        guard apply.status == 0 else {
            throw ValidationError("apply failed (exit \(apply.status)): \(apply.stderr.suffix(2000))")
        }
        let totals = try JSONDecoder().decode(ReportDigest.self, from: apply.stdout).totals

        server.resetCounters()
        let replan = try ChildProcess.run(
            binary, ["plan", "--db", dbPath, "--stash-url", url, "--state", statePath, "--json"],
            environment: [:], in: workDir)
        await server.stop()
        guard replan.status == 0 || replan.status == 2, let after = try? PlanDigest(replan.stdout).summary else {
            throw ValidationError("the plan after apply failed (exit \(replan.status)): \(replan.stderr.suffix(2000))")
        }
        let remaining = (after["add"] ?? 0) + (after["change"] ?? 0)

        print(
            """
            database: \(dbPath) (\(database.counts))
            test server seeded with \(paths.count) scanned files
            plan: \(summary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) (\(changed) changed items; \(String(format: "%.2f", plan.seconds)) s)
            apply --batch-size \(batchSize) --parallelism \(parallelism): \(String(format: "%.2f", apply.seconds)) s \
            (\(String(format: "%.2f", apply.cpuSeconds)) s CPU in apply itself; the rest is the in-process test server), \
            peak RSS \(apply.peakMB) MB, \(requests) HTTP requests = 1 per \(String(format: "%.1f", Double(changed) / Double(max(requests, 1)))) changed items
            apply totals: \(totals.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            plan after apply: \(after.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) \
            (\(String(format: "%.2f", replan.seconds)) s, peak RSS \(replan.peakMB) MB): \(remaining == 0 ? "empty" : "\(remaining) changes left")
            """)
        // Done when a second plan after apply is empty (issue 16): anything left is a failure.
        if remaining != 0 { throw ValidationError("the plan after apply still has \(remaining) changes") }
    }
}

/// What the benchmark reads of a plan file's lines (decoding only this keeps a 200 MB plan cheap to read).
private struct PlanDigest {
    struct Unmatched: Decodable {
        var lookedFor: [String]
        enum CodingKeys: String, CodingKey { case lookedFor = "looked_for" }
    }
    private struct Line: Decodable {
        struct End: Decodable { var summary: [String: Int] }
        var unmatched: Unmatched?
        var end: End?
    }
    var summary: [String: Int] = [:]
    var unmatched: [Unmatched] = []

    init(_ lines: Data) throws {
        let decoder = JSONDecoder()
        for line in lines.split(separator: UInt8(ascii: "\n")) where !line.starts(with: Array(#"{"change":"#.utf8)) {
            let decoded = try decoder.decode(Line.self, from: Data(line))
            if let item = decoded.unmatched { unmatched.append(item) }
            if let end = decoded.end { summary = end.summary }
        }
    }
}

/// What the benchmark reads of apply's `--json` report.
private struct ReportDigest: Decodable {
    var totals: [String: Int]
}
