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
        let plan: Plan
        do { plan = try PlanFile.read(from: planFile) } catch {
            throw PlanCommandError(message: "\(error)")
        }
        if json {
            try PlanFile.write(plan) { FileHandle.standardOutput.write($0) }
        } else {
            report.renderer(for: plan).render(plan) { FileHandle.standardOutput.write(Data($0.utf8)) }
        }
    }
}
