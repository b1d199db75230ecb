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

            Exit status: 0 when everything applied, 1 when anything failed (what succeeded stays applied), \
            130 when interrupted (Ctrl-C: requests in flight finish, then run apply again to finish).
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

    @OptionGroup(title: "Showing the plan (without PLANFILE)")
    var report: ReportOptions

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1.") }
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1.") }
        // Checked here, not when running: a usage error shows apply's usage.
        if planFile == nil && planOptions.db == nil {
            throw ValidationError("give a saved plan (fansly-stash apply FILE) or --db to plan here")
        }
    }

    func run() async throws {
        let interruption = Interruption.watch()
        var request = try request()
        request.stop = interruption.stop
        let operation = ApplyOperation(request)
        let outcome: ApplyOutcome
        do {
            outcome = try await operation.run(progress: ApplyProgressDisplay().show, confirm: { try confirm($0) })
        } catch let failure as OperationFailure {
            throw ApplyFailure(message: failure.message)
        }
        guard case .applied(let report) = outcome else { return }
        print(try ApplyReportOutput.render(report, json: json), terminator: "")
        try interruption.finish(report)
        if !report.succeeded { throw ExitCode(1) }
    }

    /// Shows a plan made here; asks on a terminal when it has changes, elsewhere only --yes applies.
    private func confirm(_ plan: Plan) throws -> Bool {
        // With --json, standard output carries only the report.
        show(report.renderer().render(plan))
        if yes || !plan.summary.hasChanges { return true }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ApplyFailure(
                message: "not applying without confirmation: pass --yes, or save the plan with "
                    + "`plan --out FILE` and run `apply FILE`.")
        }
        show("\nApply these changes to Stash? Only 'yes' is accepted: ")
        return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
    }

    /// Text for people: standard output, or standard error when --json keeps standard output for the report.
    private func show(_ text: String) {
        if json { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: ""); fflush(nil) }
    }
}
