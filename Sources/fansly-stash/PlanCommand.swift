import ArgumentParser
import FanslyMetadata
import Foundation
import MappingRules
import StashClient
import SyncEngine
#if canImport(Glibc)
import Glibc
#endif

/// The flags that say what to plan: shared by `plan` and `apply` (which plans when given no file).
struct PlanArguments: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The downloader's metadata database (metadata_db.sqlite3).", valueName: "path"))
    var db: String

    @Option(name: .long, help: ArgumentHelp("A rule file; repeat to layer files (later ones win). Default: the built-in rules.",
                                            valueName: "file"))
    var rules: [String] = []

    @Option(name: .customLong("stash-url"), help: ArgumentHelp(
        "Stash's base URL (default: $STASH_URL). Without either, plans against an empty Stash, offline.", valueName: "url"))
    var stashURL: String?

    @Option(name: .customLong("api-key-env"), help: ArgumentHelp(
        "The environment variable holding Stash's API key (never pass the key itself).", valueName: "name"))
    var apiKeyEnv: String = StashAPIKey.defaultEnvironmentVariable

    @Option(name: .long, help: ArgumentHelp(
        "fansly-stash's state file (links to Stash objects, what was last written). Default: one per Stash URL under ~/.local/state/fansly-stash.",
        valueName: "path"))
    var state: String?

    @Option(name: .customLong("creator"), help: ArgumentHelp("Plan only this creator (username); repeatable.", valueName: "name"))
    var creators: [String] = []

    @Option(name: .customLong("target"), help: ArgumentHelp(
        "Plan only this address (performer.account.<user>, gallery.post.<id>, a kind like `tag`, or a prefix ending in *) and what it refers to; repeatable.",
        valueName: "address"))
    var targets: [String] = []

    /// The Stash URL from the flag or `STASH_URL`; nil for an offline plan.
    func effectiveStashURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let candidate = stashURL ?? environment["STASH_URL"]
        guard let text = candidate?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// Reads the database and rules, evaluates them, reads Stash and computes the plan.
    func makePlan(progress: @escaping @Sendable (String) -> Void) async throws -> Plan {
        GlibcMalloc.limitToOneArena()
        let databasePath = URL(fileURLWithPath: db).standardizedFileURL.path
        progress("opening \(databasePath)…")
        let database = try MetadataDatabase(path: databasePath)
        let identity = try database.identity()
        progress("loading rules…")
        let ruleSet = rules.isEmpty ? try RuleSet.builtInDefault()
                                    : try RuleSet.load(files: rules.map { URL(fileURLWithPath: $0) })
        // `--creator` takes a username (any case) or an account id; unknown names get a "did you mean".
        let accounts = creators.isEmpty ? nil : try creators.map { try database.creator(matching: $0) }
        let usernames = accounts?.map(\.username) ?? []
        let engine = MappingEngine(rules: ruleSet)

        let url = effectiveStashURL()
        var client: StashClient?
        var links: SyncLinkReader?
        if let url {
            guard let baseURL = URL(string: url), let scheme = baseURL.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  baseURL.host != nil else {
                throw ValidationError("--stash-url '\(url)' is not an http(s) URL like http://localhost:9999")
            }
            let key = StashAPIKey.fromEnvironment(apiKeyEnv)
            // Large pages: a plan reads every scene and image under the creator folders.
            client = StashClient(configuration: StashConfiguration(baseURL: baseURL, apiKey: key, apiKeyEnvironmentVariable: apiKeyEnv,
                                                                   pageSize: 5000))
            let statePath = state ?? SyncState.defaultPath(forStashURL: url)
            // Planning never creates a state file: without one, nothing has been applied yet.
            if FileManager.default.fileExists(atPath: statePath) { links = try SyncState(path: statePath) }
            else if state != nil { throw ValidationError("--state \(statePath): no such file") }
        } else if let state {
            guard FileManager.default.fileExists(atPath: state) else { throw ValidationError("--state \(state): no such file") }
            links = try SyncState(path: state)
        }

        // Stash is read while the rules are evaluated: what it holds under the creator folders does
        // not depend on the records. With --target the kinds to read are only known afterwards.
        var prefetched: StashSnapshotLoader.Prefetch?
        if let client, targets.isEmpty {
            let folders = try engine.creatorFolders(source: database, creators: accounts)
            prefetched = StashSnapshotLoader(client: client).prefetch(creatorFolders: folders)
        }
        defer { prefetched?.cancel() }
        progress("evaluating the rules over the database…")
        let desired = try engine.evaluate(database: database, creators: accounts)

        let rulesFiles = rules.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let inputs = PlanInputs(rulesHash: RulesHash.of(canonicalData: ruleSet.canonicalData), rulesFiles: rulesFiles,
                                database: identity, stashURL: url.map(Self.withoutTrailingSlash),
                                creators: usernames.map { $0.lowercased() }, targets: targets)
        let session = PlanSession(desired: desired, inputs: inputs, client: client, links: links,
                                  catalog: database,
                                  selection: PlanSelection(creators: usernames, targets: targets),
                                  tool: "fansly-stash \(FanslyStash.configuration.version)", prefetched: prefetched)
        return try await session.run(progress: progress)
    }

    private static func withoutTrailingSlash(_ url: String) -> String {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// `fansly-stash plan`: a dry run showing, Terraform-style, what `apply` would change in Stash.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change in Stash (a dry run).",
        discussion: """
        Reads the database, evaluates the rules, reads Stash and prints every change: `+` create, \
        `~` update with `field: "old" -> "new"` lines, drift, skipped objects and media Stash does not hold. \
        Nothing is written to Stash. Save the plan with --out and run `fansly-stash apply FILE` to execute it.

        Exit codes: 0 success, 1 error; with --detailed-exitcode, 2 when the plan has changes.
        """)

    @OptionGroup var planArguments: PlanArguments

    @Option(name: .long, help: ArgumentHelp("Save the plan (JSON) to this file, for `fansly-stash apply FILE`.", valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Print the plan document (JSON) instead of the human-readable report.")
    var json = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit with 2 when the plan has changes (0 when none).")
    var detailedExitcode = false

    @Flag(name: .customLong("no-color"), help: "No colours, even on a terminal.")
    var noColor = false

    func run() async throws {
        if let out {
            // Checked before planning, which can take a while on a large library.
            let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw PlanCommandError(message: "cannot save the plan to \(out): the folder \(folder) does not exist")
            }
        }
        let progress = PlanProgressLine(enabled: isatty(STDERR_FILENO) != 0)
        let plan: Plan
        do {
            plan = try await planArguments.makePlan(progress: { progress.show($0) })
            progress.clear()
        } catch {
            progress.clear()
            throw PlanCommandError(error)
        }
        if let out {
            do { try PlanFile.write(plan, to: out) } catch {
                throw PlanCommandError(message: "cannot save the plan to \(out): \(error.localizedDescription)")
            }
        }
        if json {
            try PlanFile.write(plan) { FileHandle.standardOutput.write($0) }
        } else {
            let environment = ProcessInfo.processInfo.environment
            let colors = !noColor && environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) != 0
            // Written in chunks as it is rendered: a large plan's report is never held whole.
            PlanRenderer(colors: colors).render(plan) { FileHandle.standardOutput.write(Data($0.utf8)) }
            if let out {
                let saved = "\nSaved the plan to \(out). Apply exactly these changes with:\n    fansly-stash apply \(out)\n"
                FileHandle.standardOutput.write(Data(saved.utf8))
            }
        }
        if detailedExitcode && plan.summary.hasChanges { throw ExitCode(2) }
    }
}

/// One status line on stderr, rewritten in place (only on a terminal).
final class PlanProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ message: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(message)".utf8))
        shown = true
    }

    func clear() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}

/// An error shown as `Error: <message>` with exit code 1; keeps library errors' own wording.
struct PlanCommandError: Error, CustomStringConvertible {
    let message: String
    init(message: String) { self.message = message }
    init(_ error: Error) {
        if let error = error as? PlanCommandError { self = error; return }
        if let error = error as? LocalizedError, let text = error.errorDescription { message = text; return }
        message = String(describing: error)
    }
    var description: String { message }
}
