import ArgumentParser
import Foundation
import SyncEngine

/// The plan options `apply` accepts without a plan file (the same as `plan`'s).
struct ApplyPlanOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The downloader's metadata database.", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("Rule files, in order.", valueName: "path"))
    var rules: [String] = []

    @Option(help: ArgumentHelp("Stash's base URL (default: $STASH_URL).", valueName: "url"))
    var stashURL: String?

    @Option(help: ArgumentHelp("Only this creator (repeatable).", valueName: "name"))
    var creator: [String] = []

    @Option(help: ArgumentHelp("Only this address (repeatable).", valueName: "address"))
    var target: [String] = []
}

/// Glue between `apply` and the planner: freshness of a saved plan, planning in place.
enum ApplyPlanning {
    /// Throws `StalePlanError` when the plan's inputs changed since it was made.
    static func checkFresh(_ plan: Plan, path: String, stashURL: String?) throws {
        var current = try currentInputs(like: plan.inputs)
        current.stashURL = stashURL
        let reasons = PlanStaleness.reasons(saved: plan.inputs, current: current)
        guard reasons.isEmpty else { throw StalePlanError(path: path, reasons: reasons) }
    }

    /// The inputs as they are now, for the files and URL the saved plan names.
    static func currentInputs(like saved: PlanInputs) throws -> PlanInputs {
        throw ApplyFailure(message: "checking a saved plan's inputs needs the planner, which this build does not have yet")
    }

    /// Plans with `options`, as `plan` would.
    static func makePlan(_ options: ApplyPlanOptions, apiKeyEnv: String) async throws -> Plan {
        throw ApplyFailure(message: "planning from apply needs the planner, which this build does not have yet; "
            + "run `fansly-stash plan --out FILE` and `fansly-stash apply FILE`")
    }

    /// The plan as `plan` shows it.
    static func render(_ plan: Plan) -> String {
        PlanRenderer(colors: isatty(STDOUT_FILENO) == 1).render(plan)
    }

    /// A one-line message for errors from reading or checking a plan.
    static func describe(_ error: Error) -> String {
        if let failure = error as? ApplyFailure { return failure.message }
        if let localized = error as? LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: error)
    }
}
