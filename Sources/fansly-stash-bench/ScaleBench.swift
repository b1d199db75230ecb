import ArgumentParser
import Foundation
import SampleData
import StashTestServer
import SyncEngine

/// `fansly-stash-bench scale`: how `plan` (and `apply`) grow from the 60,000-media sample to a
/// 600,000-media library (issue 18), measured in one run: the release `fansly-stash` as a child
/// process each time, so that its time and peak RSS are its own (the test server and the
/// generators live in this process).
struct ScaleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Time `fansly-stash plan` (offline, online, from PostgreSQL) and `apply` on 60,000 and 600,000 media."
    )

    @Option(help: "Creators in the small database (the 60,000-media sample).") var smallCreators = 5
    @Option(help: "Creators in the large database (50: 600,000 media).") var largeCreators = 50
    @Option(help: "Posts per creator, in both databases.") var postsPerCreator = 4_000
    @Option(help: "Media per post, in both databases.") var mediaPerPost = 3
    @Option(help: "The fansly-stash executable (default: beside this benchmark).") var executable: String?
    @Option(help: "Folder for the generated databases, rules and plans (kept between runs).")
    var workDir = NSTemporaryDirectory() + "fansly-stash-bench"
    @Option(
        help:
            "A PostgreSQL superuser URL (default: $FANSLY_STASH_TEST_PG_URL); without one the PostgreSQL plans are skipped."
    )
    var pgURL = ProcessInfo.processInfo.environment["FANSLY_STASH_TEST_PG_URL"] ?? ""
    @Flag(help: "Skip the plans against the test server (and so apply).") var offlineOnly = false
    @Flag(help: "Skip the offline plans.") var onlineOnly = false
    @Option(help: "Seconds `apply` of the large plan may run before it is stopped (0: do not apply).")
    var applySeconds = 0.0
    @Flag(help: "The test server runs every find's filter anew (as before `FindMemo`), for comparison.")
    var noFindReuse = false

    func run() async throws {
        let small = try options(creators: smallCreators)
        let large = try options(creators: largeCreators)
        let binary = try large.binary()
        let smallDB = try small.database(in: workDir)
        let largeDB = try large.database(in: workDir)
        // Both sources read with the files under the work folder, so they look for the same paths.
        let rules = workDir + "/bench-rules.yaml"
        try "extends: default\nsettings:\n  downloadRoot: \(workDir)\n".write(
            toFile: rules, atomically: true, encoding: .utf8)
        print("machine: \(Self.machine())")
        print("small: \(small.counts) (\(smallDB)); large: \(large.counts) (\(largeDB))")

        if !onlineOnly {
            try offlinePlans(
                binary, small: (smallDB, "offline-small.plan.json"), large: (largeDB, "offline-large.plan.json"),
                rules: rules)
        }
        guard !offlineOnly else { return }

        let files = SampleDatabase.downloadedFiles(options: large.sample).filter { !$0.path.hasSuffix(".None") }
        let online = try await againstTestServer(files: files, label: "online plan --out, large (SQLite)") { url in
            try plan(binary, db: largeDB, rules: rules, out: "online-large.plan.json", stash: url)
        }
        print("online plan --out, large (SQLite), \(files.count) files in the test server, median run: \(online.line)")
        fflush(nil)

        if !pgURL.isEmpty {
            let target = try await PostgresBench.sampleDatabase(serverURL: pgURL, options: large, shape: .migrated)
            let pgFiles = SamplePostgres.downloadedFiles(options: large.sample, shape: .migrated).filter {
                !$0.path.hasSuffix(".None")
            }
            if !onlineOnly {
                let smallTarget = try await PostgresBench.sampleDatabase(
                    serverURL: pgURL, options: small, shape: .migrated)
                try offlinePlans(
                    binary, small: (smallTarget.url, "offline-small-pg.plan.json"),
                    large: (target.url, "offline-large-pg.plan.json"), rules: rules,
                    label: "(PostgreSQL: \(smallTarget) and \(target))")
            }
            let pgOnline = try await againstTestServer(files: pgFiles, label: "online plan --out, large (PostgreSQL)") {
                url in
                try plan(binary, db: target.url, rules: rules, out: "online-large-pg.plan.json", stash: url)
            }
            print("online plan --out, large (PostgreSQL), median run: \(pgOnline.line)")
            fflush(nil)
        } else {
            print("PostgreSQL: skipped (no --pg-url or FANSLY_STASH_TEST_PG_URL)")
        }

        if applySeconds > 0 { try await apply(binary, db: largeDB, rules: rules, files: files) }
    }

    /// The small and the large library's offline plans, three rounds of one each: interleaved, so
    /// that a machine whose speed drifts over minutes (a shared one does) slows both alike, and
    /// the first run after a build is not alone in its round. Every run is printed, then the ratio
    /// of the median runs, each round's ratio, and the large plan's highest peak.
    private func offlinePlans(
        _ binary: String, small: (db: String, out: String), large: (db: String, out: String), rules: String,
        label: String = ""
    ) throws {
        var smallRuns: [Measured] = []
        var largeRuns: [Measured] = []
        let suffix = label.isEmpty ? "" : " " + label
        for round in 1...3 {
            let smallRun = try plan(binary, db: small.db, rules: rules, out: small.out)
            print("offline plan --out, small\(suffix), round \(round) of 3: \(smallRun.line)")
            fflush(nil)
            let largeRun = try plan(binary, db: large.db, rules: rules, out: large.out)
            print("offline plan --out, large\(suffix), round \(round) of 3: \(largeRun.line)")
            fflush(nil)
            smallRuns.append(smallRun)
            largeRuns.append(largeRun)
        }
        let (smallMedian, largeMedian) = (Self.median(smallRuns), Self.median(largeRuns))
        let rounds = zip(largeRuns, smallRuns).map { format($0.run.seconds / $1.run.seconds) + "×" }
        print(
            "  large / small\(suffix), median runs: \(format(largeMedian.run.seconds / smallMedian.run.seconds))× the "
                + "time (\(format(largeMedian.run.cpuSeconds / smallMedian.run.cpuSeconds))× the CPU); "
                + "round by round: \(rounds.joined(separator: ", ")); large peak RSS at most "
                + "\(largeRuns.map(\.run.peakMB).max() ?? 0) MB (small: \(smallRuns.map(\.run.peakMB).max() ?? 0) MB)")
        fflush(nil)
    }

    /// One timed `plan --out` and what the server saw.
    struct Measured {
        var run: ChildProcess
        var requests: Int?
        var summary: String
        /// CPU time of this process (the test server) while the child ran.
        var serverCPUSeconds: Double?

        var line: String {
            "\(String(format: "%.2f", run.seconds)) s (CPU \(String(format: "%.2f", run.cpuSeconds)) s), peak RSS \(run.peakMB) MB"
                + (requests.map { ", \($0) HTTP requests" } ?? "")
                + (serverCPUSeconds.map { ", test server CPU \(String(format: "%.2f", $0)) s" } ?? "") + "; \(summary)"
        }
    }

    private func plan(_ binary: String, db: String, rules: String, out: String, stash: String? = nil) throws -> Measured
    {
        let path = workDir + "/" + out
        let arguments =
            ["plan", "--db", db, "--rules", rules, "--out", path, "--no-color"]
            + (stash.map { ["--stash-url", $0] } ?? [])
        let run = try ChildProcess.run(binary, arguments, environment: ["STASH_URL": ""], in: workDir)
        guard run.status == 0 else {
            throw ValidationError("plan \(out) failed (exit \(run.status)): \(run.stderr.suffix(2000))")
        }
        return Measured(run: run, requests: nil, summary: try Self.summary(ofPlan: path))
    }

    /// `body` (a plan) three times against a fresh test server seeded with `files` (under the work
    /// folder), each run with the requests it made printed under `label`; the median run returned.
    private func againstTestServer(files: [SampleFile], label: String, _ body: (String) throws -> Measured)
        async throws -> Measured
    {
        let server = StashTestServer()
        server.seed(paths: files.map { workDir + "/" + $0.path })
        server.reusesFinds = !noFindReuse
        try await server.start()
        do {
            // Three runs, each against a server that remembers nothing from the one before.
            var runs: [Measured] = []
            for round in 1...3 {
                server.forgetFinds()
                server.resetCounters()
                let cpuBefore = ChildProcess.ownCPUSeconds()
                var measured = try body(server.baseURL.absoluteString)
                measured.serverCPUSeconds = ChildProcess.ownCPUSeconds() - cpuBefore
                measured.requests = server.requestCount
                print("  \(label), run \(round) of 3: \(measured.line)")
                fflush(nil)
                runs.append(measured)
            }
            await server.stop()
            return Self.median(runs)
        } catch {
            await server.stop()
            throw error
        }
    }

    /// `apply` of the large online plan against a test server seeded as for the plan, for at most
    /// `applySeconds`: requests per changed item and peak memory.
    private func apply(_ binary: String, db: String, rules: String, files: [SampleFile]) async throws {
        let server = StashTestServer()
        server.seed(paths: files.map { workDir + "/" + $0.path })
        try await server.start()
        defer { Task { await server.stop() } }
        let planPath = workDir + "/apply-large.plan.json"
        let statePath = workDir + "/apply-state.sqlite3"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: statePath + suffix) }
        let url = server.baseURL.absoluteString
        let plan = try ChildProcess.run(
            binary, ["plan", "--db", db, "--rules", rules, "--stash-url", url, "--out", planPath, "--no-color"],
            environment: [:], in: workDir)
        guard plan.status == 0 else { throw ValidationError("plan for apply failed: \(plan.stderr.suffix(2000))") }
        server.resetCounters()
        let apply = try ChildProcess.run(
            binary, ["apply", planPath, "--state", statePath, "--json"], environment: [:], in: workDir,
            timeout: applySeconds)
        let requests = server.requestCount
        let written = try Self.changesWritten(statePath: statePath)
        print(
            "apply of the large online plan (\(try Self.summary(ofPlan: planPath))): "
                + (apply.timedOut
                    ? "stopped after \(format(apply.seconds)) s" : "\(format(apply.seconds)) s, exit \(apply.status)")
                + " (CPU \(format(apply.cpuSeconds)) s), peak RSS \(apply.peakMB) MB, \(requests) HTTP requests, "
                + "\(written) items recorded in the state file = 1 request per \(format(Double(written) / Double(max(requests, 1)))) items"
        )
        guard !apply.timedOut && apply.status == 0 else { return await server.stop() }
        // The plan a user makes next: every object linked, titled, tagged; nothing left to change.
        server.forgetFinds()
        server.resetCounters()
        let replanPath = workDir + "/replan-large.plan.json"
        let replan = try ChildProcess.run(
            binary,
            [
                "plan", "--db", db, "--rules", rules, "--stash-url", url, "--state", statePath, "--out", replanPath,
                "--no-color",
            ],
            environment: [:], in: workDir)
        let replanRequests = server.requestCount
        await server.stop()
        guard replan.status == 0 else {
            throw ValidationError("plan after apply failed: \(replan.stderr.suffix(2000))")
        }
        print(
            "plan after that apply, \(written) links in the state file (\(try Self.summary(ofPlan: replanPath))): "
                + "\(format(replan.seconds)) s (CPU \(format(replan.cpuSeconds)) s), peak RSS \(replan.peakMB) MB, "
                + "\(replanRequests) HTTP requests")
    }

    /// The middle one of three runs by wall time.
    private static func median(_ runs: [Measured]) -> Measured { runs.sorted { $0.run.seconds < $1.run.seconds }[1] }

    /// `add=… change=…`: the summary in the plan file's end line (read through `PlanFileReader`, which
    /// checks every line: the file can be hundreds of megabytes, gzip-compressed or not).
    static func summary(ofPlan path: String) throws -> String {
        let summary = try PlanFileReader.open(path: path).summary()
        return [
            "add": summary.add, "change": summary.change, "skipped": summary.skipped, "unchanged": summary.unchanged,
            "unmatched": summary.unmatched,
        ].sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Links in the state file (one per item written), 0 when there is no state file.
    static func changesWritten(statePath: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: statePath) else { return 0 }
        return try SyncState(path: statePath).allLinks().count
    }

    private func options(creators: Int) throws -> LargeDatabaseOptions {
        try LargeDatabaseOptions.parse(
            [
                "--creators", String(creators), "--posts-per-creator", String(postsPerCreator),
                "--media-per-post", String(mediaPerPost),
            ] + (executable.map { ["--executable", $0] } ?? []))
    }

    /// Cores and load average, printed with the figures (other builds share this machine).
    static func machine() -> String {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
            .joined(separator: " ")
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(load ?? "unknown") at start"
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
