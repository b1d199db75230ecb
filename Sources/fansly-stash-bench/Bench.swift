import ArgumentParser
import Foundation
import SampleData

#if canImport(Glibc)
import Glibc
#endif

/// Benchmarks behind `swift run -c release fansly-stash-bench <suite>`; figures go to Docs/performance.md.
/// Each suite lives in its own file.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fansly-stash-bench",
        abstract: "Measure fansly-stash's speed and memory on generated data.",
        subcommands: [
            InspectBench.self, RulesBench.self, ClientBench.self, PlanBench.self, ApplyBench.self, PostgresBench.self,
            ScaleBench.self,
        ]
    )
}

/// The generated database the `plan` and `apply` benchmarks run on, and the fansly-stash they time.
struct LargeDatabaseOptions: ParsableArguments {
    @Option(help: "Creators in the generated database.") var creators = 5
    @Option(help: "Posts per creator.") var postsPerCreator = 4_000
    @Option(help: "Media per post.") var mediaPerPost = 3
    @Option(help: "The fansly-stash executable (default: beside this benchmark).") var executable: String?

    /// What the generator writes.
    var sample: SampleOptions {
        .large(creators: creators, postsPerCreator: postsPerCreator, mediaPerPost: mediaPerPost)
    }

    /// `N creators, N posts, N media`.
    var counts: String {
        "\(creators) creators, \(creators * postsPerCreator) posts, \(creators * postsPerCreator * mediaPerPost) media"
    }

    /// The database's path in `folder`, generated there the first time (kept between runs).
    func database(in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/large-\(creators)-\(postsPerCreator)-\(mediaPerPost).sqlite3"
        if !FileManager.default.fileExists(atPath: path) {
            print("generating \(path)…")
            try SampleDatabase.write(to: URL(fileURLWithPath: path), options: sample)
        }
        return path
    }

    /// The fansly-stash executable: `--executable`, or the one built beside this benchmark.
    func binary() throws -> String {
        let binary =
            executable
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("fansly-stash").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no fansly-stash executable at \(binary); build it first (swift build -c release)")
        }
        return binary
    }
}

/// A child process's outcome: exit status, output, wall time, CPU time and peak RSS, all its own
/// (the test server the benchmarks start lives in the benchmark's process).
struct ChildProcess {
    var status: Int32
    var stdout: Data
    var stderr: String
    var seconds: Double
    /// User + system CPU time of the child alone.
    var cpuSeconds: Double
    var peakMB: Int
    /// The child ran past its timeout and was stopped.
    var timedOut = false

    /// User + system CPU time of this process so far (the test server, when it runs here).
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Runs `binary` to completion through posix_spawn with its output in files in `folder` (large
    /// outputs never block on a pipe). After `timeout` seconds the child is sent SIGTERM (and
    /// `timedOut` is set): a benchmark step that would run for hours is cut short, not waited for.
    static func run(
        _ binary: String, _ arguments: [String], environment: [String: String], in folder: String,
        timeout: Double? = nil
    ) throws -> ChildProcess {
        let outPath = folder + "/child-stdout"
        let errPath = folder + "/child-stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let env =
            ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [
                nil
            ]
        defer { (argv + env).forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, env)
        guard spawned == 0 else { throw ValidationError("cannot run \(binary): error \(spawned)") }
        // wait4's ru_maxrss is no use here: on Linux a spawned child inherits the spawning process's
        // high-water mark (this process may hold the whole test server). /proc's VmHWM starts afresh
        // at exec, so it is polled until the child exits; readings before exec (the child is still
        // this process's image, under this process's name) do not count.
        var status: Int32 = 0
        var usage = rusage()
        var peakKB = 0
        var timedOut = false
        let name = "Name:\t" + String(URL(fileURLWithPath: binary).lastPathComponent.prefix(15))
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                text.hasPrefix(name + "\n"),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kilobytes = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
            {
                peakKB = max(peakKB, kilobytes)
            }
            if let timeout, !timedOut, Date().timeIntervalSince(start) > timeout {
                kill(pid, SIGTERM)
                timedOut = true
            }
            // VmHWM only grows: after the first seconds, a reading a tenth of a second apart misses
            // nothing but a last rise; polling every 5 ms cost the benchmark (which also runs the
            // test server the child talks to) a quarter of a core.
            usleep(Date().timeIntervalSince(start) < 2 ? 5_000 : 100_000)
        }
        let seconds = Date().timeIntervalSince(start)
        if peakKB == 0 { peakKB = Int(usage.ru_maxrss) } // no /proc (macOS): the best there is
        return ChildProcess(
            status: (status >> 8) & 0xff, stdout: try Data(contentsOf: URL(fileURLWithPath: outPath)),
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            seconds: seconds,
            cpuSeconds: Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
            peakMB: peakKB / 1024, timedOut: timedOut)
    }
}
