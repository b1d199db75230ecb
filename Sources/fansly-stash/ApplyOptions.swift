import ArgumentParser
import Foundation
import MappingRules
import StashClient
import SyncEngine

/// The plan options `apply` accepts without a plan file: `plan`'s, optional here because a saved
/// plan needs none of them.
struct ApplyPlanOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The downloader's metadata database (plans here instead of reading a plan file): metadata_db.sqlite3, a postgresql://user@host/db URL, or its config.yaml.",
            valueName: "db"))
    var db: String?

    @Option(help: ArgumentHelp("A rule file; repeat to layer files. Default: the built-in rules.", valueName: "file"))
    var rules: [String] = []

    @Option(
        name: .customLong("stash-url"),
        help: ArgumentHelp(
            "Stash's base URL, http(s)://host:port (default: $STASH_URL).",
            valueName: "url"), transform: StashEndpoint.argument)
    var stashURL: StashEndpoint?

    @Option(name: .customLong("creator"), help: ArgumentHelp("Plan only this creator; repeatable.", valueName: "name"))
    var creators: [String] = []

    @Option(
        name: .customLong("target"),
        help: ArgumentHelp("Plan only this address and what it refers to; repeatable.", valueName: "address"))
    var targets: [String] = []

    @Option(
        name: .customLong("path-map"),
        help: ArgumentHelp(
            "FROM=TO: files under FROM here are under TO in Stash; repeatable.",
            valueName: "from=to"), transform: PathMapping.argument)
    var pathMap: [PathMapping] = []

    /// As `plan --group-limit` (`PlanRequest.groupLimit`): hidden, for tests that need a small
    /// library planned, and so applied, creator group by creator group.
    @Option(name: .customLong("group-limit"), help: .hidden)
    var groupLimit: Int?
}

extension ApplyCommand {
    /// The request the arguments describe: the saved plan, or planning here with the plan options.
    func request(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ApplyRequest {
        let stash = try StashConnection(flag: planOptions.stashURL, apiKeyEnv: apiKeyEnv, environment: environment)
        let (key, batch) = (stash.apiKey, BatchOptions(batchSize: batchSize, parallelism: parallelism))
        if let planFile {
            return ApplyRequest(
                savedPlan: planFile, stash: stash.endpoint, apiKey: key, apiKeyEnvironmentVariable: apiKeyEnv,
                statePath: statePath, batch: batch)
        }
        guard let endpoint = stash.endpoint else {
            throw ValidationError("apply needs a Stash: pass --stash-url or set STASH_URL (or give a saved plan file).")
        }
        guard let db = planOptions.db else {
            throw ValidationError("give a plan file (fansly-stash apply FILE) or --db to plan here")
        }
        var plan = PlanRequest(
            database: db, ruleFiles: planOptions.rules, stash: endpoint, apiKey: key,
            apiKeyEnvironmentVariable: apiKeyEnv, statePath: statePath, creators: planOptions.creators,
            targets: planOptions.targets, tool: FanslyStash.tool)
        plan.pathMap = planOptions.pathMap
        if let groupLimit = planOptions.groupLimit { plan.groupLimit = groupLimit }
        return ApplyRequest(planning: plan, batch: batch)
    }
}
