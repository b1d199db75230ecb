import ArgumentParser
import FanslyMetadata
import Foundation
import MappingRules
import SampleData
import StashClient
import StashTestServer
import SyncEngine

#if canImport(Glibc)
import Glibc
#endif

/// `fansly-stash-bench plan`: the release `fansly-stash plan` on the large generated database,
/// against the test server holding every media file, and offline. The plan runs as a child
/// process so that its time and peak memory are its own (the test server lives in this process).
struct PlanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Time `fansly-stash plan` on the large database (online against the test server, and offline).")

    @OptionGroup var database: LargeDatabaseOptions
    @Option(help: "Folder for the generated database (kept between runs).")
    var workDir = NSTemporaryDirectory() + "fansly-stash-bench-plan"
    @Flag(help: "Also time each stage of an offline plan in this process (read + evaluate, plan, report, JSON).")
    var stages = false
    @Flag(help: "Skip everything that needs the test server: time only the offline plan (quick to iterate on).")
    var offlineOnly = false
    @Option(help: "Folder finds run at a time by the in-process `--stages` snapshot load.") var concurrency = 4
    @Flag(
        help:
            "Only start the seeded test server, print its URL and keep it running until interrupted (to time or profile `fansly-stash plan --stash-url URL` by hand)."
    )
    var serve = false

    func run() async throws {
        let options = database.sample
        let dbPath = try database.database(in: workDir)
        if serve { return try await serveForever(dbPath: dbPath, options: options) }
        if stages { try await timeStages(dbPath: dbPath) }
        let binary = try database.binary()

        // Offline: also tells where every file should be, in Stash's view.
        let offline = try ChildProcess.run(
            binary, ["plan", "--db", dbPath, "--json"], environment: ["STASH_URL": ""], in: workDir)
        guard offline.status == 0 else { throw ValidationError("offline plan failed: \(offline.stderr)") }
        let document = try Self.document(offline.stdout)
        let summary = document["summary"] as? [String: Int] ?? [:]
        // Every file the downloader wrote, where the default rules look for it (the database's folder).
        let root = URL(fileURLWithPath: dbPath).deletingLastPathComponent().path
        let paths = SampleDatabase.downloadedFiles(options: options).map { root + "/" + $0.path }
        let entities = (document["changes"] as? [Any])?.count ?? 0
        if offlineOnly {
            let human = try ChildProcess.run(
                binary, ["plan", "--db", dbPath, "--no-color"], environment: ["STASH_URL": ""], in: workDir)
            print(
                """
                database: \(dbPath) (\(database.counts))
                offline plan (--json): \(format(offline.seconds)) s, peak RSS \(offline.peakMB) MB; \(entities) entities, \
                \(summary["unmatched"] ?? 0) unmatched
                offline plan (human report): \(format(human.seconds)) s, peak RSS \(human.peakMB) MB, \(human.stdout.count / 1024) KiB of output
                """)
            return
        }

        let server = StashTestServer()
        server.seed(paths: paths)
        try await server.start()
        defer { Task { await server.stop() } }
        server.resetCounters()
        let online = try ChildProcess.run(
            binary, ["plan", "--db", dbPath, "--stash-url", server.baseURL.absoluteString, "--json"],
            environment: [:], in: workDir)
        guard online.status == 0 else { throw ValidationError("plan against the test server failed: \(online.stderr)") }
        let requests = server.requestCount
        let directFinds = server.directFindCount
        let onlineDocument = try Self.document(online.stdout)
        let onlineSummary = onlineDocument["summary"] as? [String: Int] ?? [:]
        await server.stop()

        let human = try ChildProcess.run(
            binary, ["plan", "--db", dbPath, "--no-color"], environment: ["STASH_URL": ""], in: workDir)

        print(
            """
            database: \(dbPath) (\(database.counts))
            test server seeded with \(paths.count) scanned files
            online plan (--json): \(format(online.seconds)) s, peak RSS \(online.peakMB) MB, \(requests) HTTP requests \
            (\(directFinds) finds answered on the test server's fast path); summary \(onlineSummary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            offline plan (--json): \(format(offline.seconds)) s, peak RSS \(offline.peakMB) MB; \(entities) entities, \
            \(summary["unmatched"] ?? 0) unmatched
            offline plan (human report): \(format(human.seconds)) s, peak RSS \(human.peakMB) MB, \(human.stdout.count / 1024) KiB of output
            """)
    }

    /// Times the offline plan's stages in-process; peak RSS is this process's after each stage.
    private func timeStages(dbPath: String) async throws {
        func measure<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
            let start = Date()
            let result = try await body()
            print("  \(name): \(format(Date().timeIntervalSince(start))) s, peak RSS so far \(peakRSSMegabytes()) MB")
            return result
        }
        print("stages of an offline plan:")
        let database = try MetadataDatabase(path: dbPath)
        let rules = try RuleSet.builtInDefault()
        let heapBeforeRules = Self.heapInUseMegabytes()
        let desired = try await measure("read the database and evaluate the rules") {
            try MappingEngine(rules: rules).evaluate(database: database)
        }
        let heapDesired = Self.heapInUseMegabytes() - heapBeforeRules
        let inputs = PlanInputs(
            rulesHash: RulesHash.of(canonicalData: rules.canonicalData), rulesFiles: [],
            database: try database.identity(), stashURL: nil)
        let plan = try await measure("match and diff (\(desired.entities.count) entities)") {
            try Planner(desired: desired, snapshot: StashSnapshot(objects: [], isOffline: true)).plan(
                inputs: inputs, tool: "bench")
        }
        let text = await measure("human report") { PlanRenderer().render(plan) }
        let json = try await measure("JSON document") { try PlanFile.encode(plan) }
        print("  report \(text.utf8.count / 1024) KiB, JSON \(json.count / 1024) KiB")
        try await timePlanFile(plan) { name, body in try await measure(name, body) }
        guard !offlineOnly else { return }

        print("stages of a plan against the test server (the server runs in this process and shares its CPU):")
        let root = URL(fileURLWithPath: dbPath).deletingLastPathComponent().path
        let options = self.database.sample
        let server = StashTestServer()
        server.seed(paths: SampleDatabase.downloadedFiles(options: options).map { root + "/" + $0.path })
        try await server.start()
        server.resetCounters()
        let client = StashClient(configuration: StashConfiguration(baseURL: server.baseURL, pageSize: 5000))
        _ = try await measure("connect") { try await client.connect() }
        let residentBefore = Self.residentMegabytes()
        let heapBeforeSnapshot = Self.heapInUseMegabytes()
        var loader = StashSnapshotLoader(client: client, concurrency: concurrency)
        loader.stepFinished = { step, seconds, objects in
            print(
                "    \(step): \(String(format: "%.2f", seconds)) s, \(objects) objects, resident \(PlanBench.residentMegabytes()) MB"
            )
        }
        let snapshot = try await measure("read Stash (steps above)") {
            try await loader.load(desired: desired, entities: desired.entities, links: [:])
        }
        print(
            "  \(server.requestCount) requests, \(snapshot.count) objects; resident memory \(residentBefore) MB before, "
                + "\(Self.residentMegabytes()) MB after reading Stash")
        // The server's connections and last answers are freed once it stops: measure after that.
        await server.stop()
        let heapSnapshot = Self.heapInUseMegabytes() - heapBeforeSnapshot
        let online = try await measure("match and diff") {
            try Planner(desired: desired, snapshot: snapshot).plan(inputs: inputs, tool: "bench")
        }
        // (Planning's own share is not printed: the planner releases memory as it goes, so the
        // difference in this shared process says little.)
        print(
            "  memory held (malloc'd bytes in use): desired state \(heapDesired) MB, Stash snapshot \(heapSnapshot) MB")
        _ = try await measure("JSON document (\(online.changes.count) changes)") { try PlanFile.encode(online) }
        try await timePlanFile(online) { name, body in try await measure(name, body) }
    }

    /// Times saving `plan` with `plan --out` and reading it back as `apply` (every change checked) and `show` (whole).
    private func timePlanFile(_ plan: Plan, measure: (String, () async throws -> Void) async throws -> Void)
        async throws
    {
        let folder = NSTemporaryDirectory() + "fansly-stash-bench-planfile-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["plan.json", "plan.json.gz"] {
            let path = folder + "/" + name
            guard PlanBench.savesGzip || !name.hasSuffix(".gz") else { continue }
            try await measure("save \(name)") { try PlanFile.write(plan, to: path) }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) / 1024
            try await measure("read \(name) as apply does (\(size) KiB)") { _ = try PlanBench.readForApply(path) }
            try await measure("read \(name) whole, as show does") { _ = try PlanFile.read(from: path) }
        }
    }

    /// Seeds the test server as the online plan does and keeps it running.
    private func serveForever(dbPath: String, options: SampleOptions) async throws {
        let root = URL(fileURLWithPath: dbPath).deletingLastPathComponent().path
        let server = StashTestServer()
        server.seed(paths: SampleDatabase.downloadedFiles(options: options).map { root + "/" + $0.path })
        try await server.start()
        print("test server at \(server.baseURL.absoluteString) (database \(dbPath)); interrupt to stop")
        fflush(nil)
        while true {
            try await Task.sleep(for: .seconds(10))
            if server.requestCount > 0 { print("\(server.requestCount) requests so far"); fflush(nil) }
        }
    }

    /// Bytes malloc has handed out and not had back (what live objects hold, without the pages that
    /// freed memory keeps resident), from glibc's `malloc_info` report: the arenas' current size
    /// less their free chunks, plus mmapped blocks. 0 where `malloc_info` is missing.
    private static func heapInUseMegabytes() -> Int {
        typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_info") else { return 0 }
        let mallocInfo = unsafeBitCast(symbol, to: MallocInfo.self)
        var buffer: UnsafeMutablePointer<CChar>?
        var length = 0
        guard let stream = open_memstream(&buffer, &length) else { return 0 }
        _ = mallocInfo(0, stream)
        fclose(stream)
        defer { free(buffer) }
        guard let buffer else { return 0 }
        let xml = String(cString: buffer)
        // The totals after the last </heap>: <total type="fast|rest|mmap" … size="N"/>, <system type="current" size="N"/>.
        let tail = xml.components(separatedBy: "</heap>").last ?? ""
        func size(of prefix: String) -> Int {
            guard let range = tail.range(of: prefix) else { return 0 }
            let rest = tail[range.upperBound...]
            guard let sizeRange = rest.range(of: "size=\"") else { return 0 }
            return Int(rest[sizeRange.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        let inUse =
            size(of: "<system type=\"current\"") - size(of: "<total type=\"fast\"") - size(of: "<total type=\"rest\"")
            + size(of: "<total type=\"mmap\"")
        return inUse / (1024 * 1024)
    }

    private static func residentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    private func peakRSSMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    private func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
}

extension PlanBench {
    /// Whether this build saves `.gz` plans (the before/after comparison runs the same bench on both).
    static let savesGzip = true

    /// A plan file's lines (`plan --json`) as one dictionary: the header's keys, `changes`,
    /// `unmatched` and the end line's `summary`.
    static func document(_ lines: Data) throws -> [String: Any] {
        var document: [String: Any] = [:]
        var changes: [Any] = []
        var unmatched: [Any] = []
        for (index, line) in lines.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            if index == 0 { document = object }
            if let change = object["change"] { changes.append(change) }
            if let item = object["unmatched"] { unmatched.append(item) }
            if let end = object["end"] as? [String: Any] { document["summary"] = end["summary"] }
        }
        document["changes"] = changes
        document["unmatched"] = unmatched
        return document
    }

    /// Opens the plan and checks every change, as `apply` does before sending anything.
    static func readForApply(_ path: String) throws -> Int {
        try PlanFileReader.open(path: path).readChanges().count
    }
}
