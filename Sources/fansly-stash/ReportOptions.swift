import ArgumentParser
import Foundation
import SyncEngine

/// How a plan is shown to people (`plan`, `show`, and `apply` when it plans here).
struct ReportOptions: ParsableArguments {
    @Flag(name: .customLong("no-color"), help: "No colours, even on a terminal.")
    var noColor = false

    @Flag(help: "List every change, even of a long plan on a terminal.")
    var full = false

    @Flag(help: "Per kind, the counts and the first changes only (the default for a long plan on a terminal).")
    var compact = false

    /// Changes listed per kind in the compact form.
    static let changesPerKind = 5

    func validate() throws {
        if full && compact { throw ValidationError("give --full or --compact, not both") }
    }

    /// The renderer for a plan written to standard output: colours only on a terminal (and never
    /// with `NO_COLOR`); the compact form when asked, or on a terminal when the plan is long
    /// (`PlanRenderer.compactOnlyWhenLong`: decided as the report is made).
    func renderer(environment: [String: String] = ProcessInfo.processInfo.environment) -> PlanRenderer {
        let terminal = isatty(STDOUT_FILENO) != 0
        let colors = !noColor && environment["NO_COLOR"] == nil && terminal
        let short = compact || (!full && terminal)
        return PlanRenderer(
            colors: colors, unmatchedPerCreator: short ? 3 : 10,
            changesPerKind: short ? Self.changesPerKind : nil, compactOnlyWhenLong: !compact)
    }
}
