import ArgumentParser
import Foundation
import SyncEngine

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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Save the plan to this file, for `fansly-stash apply FILE` (gzip-compressed when it ends in .gz).",
            valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Print the plan file (JSON Lines) instead of the human-readable report.")
    var json = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit with 2 when the plan has changes (0 when none).")
    var detailedExitcode = false

    @OptionGroup var report: ReportOptions

    /// Scenes, images, galleries and chapters planned together at most (`PlanRequest.groupLimit`):
    /// hidden, for tests that need a small library planned creator group by creator group.
    @Option(name: .customLong("group-limit"), help: .hidden)
    var groupLimit: Int?

    func run() async throws {
        if let out {
            // Checked before planning, which can take a while on a large library.
            let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw PlanCommandError(message: "cannot save the plan to \(out): the folder \(folder) does not exist")
            }
        }
        // Ctrl-C ends the plan at once (exit 130), removing a plan half-saved to --out first; the
        // temporary files of a grouped plan have no name and go with the process.
        _ = Interruption.watch()
        var request = try planArguments.request()
        if let groupLimit { request.groupLimit = groupLimit }
        let progress = StatusLine(enabled: isatty(STDERR_FILENO) != 0)
        let finished: FinishedPlan
        let renderer = json ? nil : report.renderer()
        do {
            // Saved to --out as it is made; a large plan is never held whole (`FinishedPlan`), and
            // its report is made as it is planned.
            finished = try await PlanOperation(request).run(
                savingTo: out, reportingWith: renderer, progress: progress.show)
            progress.clear()
        } catch {
            progress.clear()
            throw PlanCommandError(error)
        }
        do {
            if json {
                try finished.writeLines { FileHandle.standardOutput.write($0) }
            } else {
                // Written in chunks as it is rendered: a large plan's report is never held whole.
                try finished.render(with: renderer ?? report.renderer()) {
                    FileHandle.standardOutput.write(Data($0.utf8))
                }
                if let out {
                    let saved =
                        "\nSaved the plan to \(out). Apply exactly these changes with:\n    fansly-stash apply \(out)\n"
                    FileHandle.standardOutput.write(Data(saved.utf8))
                }
            }
        } catch {
            throw PlanCommandError(error)
        }
        let summary: PlanSummary
        do { summary = try finished.summary() } catch { throw PlanCommandError(error) }
        if detailedExitcode && summary.hasChanges { throw ExitCode(2) }
    }
}
