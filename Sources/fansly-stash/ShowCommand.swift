import ArgumentParser
import Foundation
import SyncEngine

/// `fansly-stash show PLANFILE`: prints a saved plan, as `terraform show` does.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a plan saved with `plan --out FILE` (also FILE.gz).",
        discussion: """
            Prints the saved plan as `plan` printed it (the compact form for a long plan on a terminal; \
            --full lists every change), or, with --json, the plan file's lines (uncompressed). Reads the file only: \
            neither the database nor Stash is needed.
            """)

    @Argument(help: "A plan saved with `fansly-stash plan --out FILE`.")
    var planFile: String

    @Flag(help: "Print the plan file (JSON Lines) instead of the report.")
    var json = false

    @OptionGroup var report: ReportOptions

    func run() throws {
        do {
            // Read from the file as it is written out: a large plan is never held whole.
            let saved = try FinishedPlan.open(path: planFile)
            if json {
                try saved.writeLines { FileHandle.standardOutput.write($0) }
            } else {
                try saved.render(with: report.renderer()) { FileHandle.standardOutput.write(Data($0.utf8)) }
            }
        } catch {
            throw PlanCommandError(message: "\(error)")
        }
    }
}
