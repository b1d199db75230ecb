import ArgumentParser
import Foundation
import StashClient
import SyncEngine

/// `fansly-stash apply`: executes a saved plan (after checking it is not stale), or plans, shows the
/// plan and asks before executing it.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Execute a plan against Stash.",
        discussion: """
        With PLANFILE, executes that saved plan after checking that its inputs (rules, database, Stash URL) \
        did not change. Without it, plans with the plan options, shows the plan and asks for confirmation \
        on a terminal, or needs --yes.

        Safe to interrupt and to run again: every write is recorded in the sync state file \
        (default: ~/.local/state/fansly-stash/<host>-<port>.sqlite3; see Docs/sync-state.md), and a create \
        whose reply was lost is looked up in Stash before it is sent again.

        Exit status: 0 when everything applied, 1 when anything failed (what succeeded stays applied).
        """)

    @Argument(help: "A plan saved with `fansly-stash plan --out FILE`.")
    var planFile: String?

    @Option(name: .customLong("state"), help: ArgumentHelp("The sync state file.", valueName: "path"))
    var statePath: String?

    @Option(help: "Changes sent to Stash per request.")
    var batchSize: Int = 100

    @Option(help: "Requests in flight at once.")
    var parallelism: Int = 2

    @Option(help: ArgumentHelp("The environment variable holding the Stash API key.", valueName: "name"))
    var apiKeyEnv: String = StashAPIKey.defaultEnvironmentVariable

    @Flag(help: "Print the result as JSON (progress still goes to standard error).")
    var json = false

    @Flag(help: "Apply without asking (needed when not on a terminal and planning here).")
    var yes = false

    @OptionGroup(title: "Plan options (without PLANFILE)")
    var planOptions: ApplyPlanOptions

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1.") }
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1.") }
    }

    func run() async throws {
        let environmentURL = ProcessInfo.processInfo.environment["STASH_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let inputs: PlanInputs, createdAt: Date, changes: PlanChanges
        var state: SyncState?
        if let planFile {
            do {
                // The header first: a plan of another format version or a stale one is refused before
                // its changes are read; then every change is checked before anything is sent.
                let saved = try SavedPlan.open(path: planFile)
                // The Stash to write to is the plan's, unless told otherwise (then the plan is stale).
                let stashURL = planOptions.stashURL ?? environmentURL ?? saved.inputs.stashURL
                try ApplyPlanning.checkFresh(saved.inputs, path: planFile, stashURL: stashURL)
                (inputs, createdAt, changes) = (saved.inputs, saved.createdAt, try saved.readChanges())
            } catch {
                throw ApplyFailure(message: ApplyPlanning.describe(error))
            }
        } else {
            guard let stashURL = planOptions.stashURL ?? environmentURL else {
                throw ValidationError("apply needs a Stash: pass --stash-url or set STASH_URL (or give a saved plan file).")
            }
            // Opened first, so that the planner reads this file's links.
            state = try openState(for: stashURL)
            let plan = try await ApplyPlanning.makePlan(planOptions, apiKeyEnv: apiKeyEnv, statePath: state?.path)
            // With --json, standard output carries only the report.
            show(ApplyPlanning.render(plan))
            guard plan.summary.hasChanges else { return }
            try confirm()
            (inputs, createdAt, changes) = (plan.inputs, plan.createdAt, PlanChanges(plan))
        }
        guard let stashURLText = inputs.stashURL, let stashURL = URL(string: stashURLText) else {
            throw ApplyFailure(message: "this plan was made without a Stash (--stash-url); there is nothing to apply it to. "
                + "Run plan with --stash-url (or STASH_URL).")
        }

        let key = StashAPIKey.fromEnvironment(apiKeyEnv)
        let client = StashClient(configuration: StashConfiguration(
            baseURL: stashURL, apiKey: key, apiKeyEnvironmentVariable: apiKeyEnv, batchSize: batchSize))
        do {
            // Before any change: a wrong key, a wrong URL or an old Stash stop here.
            try await client.connect()
        } catch {
            throw ApplyFailure(message: error.description)
        }
        let syncState = try state ?? openState(for: stashURLText)

        let monitor = SyncMonitor.standardError()
        let runId = try? syncState.beginRun(stashURL: stashURLText, planCreatedAt: createdAt)
        let applier = Applier(writer: StashClientWriter(client: client), state: syncState, monitor: monitor,
                              options: BatchOptions(batchSize: batchSize, parallelism: parallelism))
        let interruption = Interruption.watch()
        let report = await applier.apply(changes, stop: interruption.stop)
        await client.shutdown()
        if let runId { try? syncState.finishRun(runId, report: report) }

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(SyncMonitor.summary(of: report), terminator: "")
        }
        try interruption.finish(report)
        if !report.succeeded { throw ExitCode(1) }
    }

    /// The state file for `stashURL` (`--state`, or the default one for that Stash), tied to it.
    private func openState(for stashURL: String) throws -> SyncState {
        do {
            let state = try SyncState(path: statePath ?? SyncState.defaultPath(forStashURL: stashURL))
            try state.bind(toStashURL: stashURL)
            return state
        } catch {
            throw ApplyFailure(message: BatchProcessor<Int>.message(for: error))
        }
    }

    /// Text for people: standard output, or standard error when --json keeps standard output for the report.
    private func show(_ text: String) {
        if json { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: ""); fflush(stdout) }
    }

    /// Asks on a terminal; elsewhere only --yes applies.
    private func confirm() throws {
        if yes { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ApplyFailure(message: "not applying without confirmation: pass --yes, or save the plan with "
                + "`plan --out FILE` and run `apply FILE`.")
        }
        show("\nApply these changes to Stash? Only 'yes' is accepted: ")
        guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
            throw ApplyFailure(message: "apply cancelled; nothing was changed.")
        }
    }
}

/// A failure that ends `apply` with a message and exit status 1.
struct ApplyFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
