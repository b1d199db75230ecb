import ArgumentParser
import FanslyMetadata
import Foundation
import MappingRules
import SyncEngine

/// The plan options `apply` accepts without a plan file: `plan`'s, optional here because a saved
/// plan needs none of them.
struct ApplyPlanOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The downloader's metadata database (plans here instead of reading a plan file).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("A rule file; repeat to layer files. Default: the built-in rules.", valueName: "file"))
    var rules: [String] = []

    @Option(name: .customLong("stash-url"), help: ArgumentHelp("Stash's base URL (default: $STASH_URL).", valueName: "url"))
    var stashURL: String?

    @Option(name: .customLong("creator"), help: ArgumentHelp("Plan only this creator; repeatable.", valueName: "name"))
    var creators: [String] = []

    @Option(name: .customLong("target"), help: ArgumentHelp("Plan only this address and what it refers to; repeatable.", valueName: "address"))
    var targets: [String] = []

    /// `plan`'s arguments for these options.
    func planArguments(apiKeyEnv: String, statePath: String?) throws -> PlanArguments {
        guard let db else {
            throw ValidationError("give a plan file (fansly-stash apply FILE) or --db to plan here")
        }
        var arguments = ["--db", db, "--api-key-env", apiKeyEnv]
        arguments += rules.flatMap { ["--rules", $0] }
        if let stashURL { arguments += ["--stash-url", stashURL] }
        if let statePath { arguments += ["--state", statePath] }
        arguments += creators.flatMap { ["--creator", $0] }
        arguments += targets.flatMap { ["--target", $0] }
        return try PlanArguments.parse(arguments)
    }
}

/// Glue between `apply` and the planner: freshness of a saved plan, planning in place.
enum ApplyPlanning {
    /// Throws `StalePlanError` when a saved plan's inputs changed since it was made.
    static func checkFresh(_ saved: PlanInputs, path: String, stashURL: String?) throws {
        var current = try currentInputs(like: saved)
        current.stashURL = stashURL
        let reasons = PlanStaleness.reasons(saved: saved, current: current)
        guard reasons.isEmpty else { throw StalePlanError(path: path, reasons: reasons) }
    }

    /// The inputs as they are now, for the files and URL the saved plan names.
    static func currentInputs(like saved: PlanInputs) throws -> PlanInputs {
        let identity: DatabaseIdentity
        do {
            identity = try MetadataDatabase(path: saved.database.path).identity()
        } catch {
            throw ApplyFailure(message: "the plan was made from \(saved.database.path), which cannot be read now "
                + "(\(describe(error))); run plan again")
        }
        let rules: RuleSet
        do {
            rules = saved.rulesFiles.isEmpty ? try RuleSet.builtInDefault()
                                             : try RuleSet.load(files: saved.rulesFiles.map { URL(fileURLWithPath: $0) })
        } catch {
            throw ApplyFailure(message: "the plan's rules cannot be loaded now (\(describe(error))); fix them and run plan again")
        }
        return PlanInputs(rulesHash: RulesHash.of(canonicalData: rules.canonicalData), rulesFiles: saved.rulesFiles,
                          database: identity, stashURL: saved.stashURL, creators: saved.creators, targets: saved.targets)
    }

    /// Plans with `options`, as `plan` would, reading the links of the state file at `statePath`.
    static func makePlan(_ options: ApplyPlanOptions, apiKeyEnv: String, statePath: String?) async throws -> Plan {
        let arguments = try options.planArguments(apiKeyEnv: apiKeyEnv, statePath: statePath)
        do {
            return try await arguments.makePlan(progress: { _ in })
        } catch {
            throw ApplyFailure(message: describe(error))
        }
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
