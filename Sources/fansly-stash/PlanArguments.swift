import ArgumentParser
import Foundation
import MappingRules
import StashClient
import SyncEngine

/// The flags that say what to plan: shared by `plan` and `apply` (which plans when given no file).
struct PlanArguments: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The downloader's metadata database: metadata_db.sqlite3, a postgresql://user@host/db URL, or its config.yaml.",
            valueName: "db"))
    var db: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A rule file; repeat to layer files (later ones win). Default: the built-in rules.",
            valueName: "file"))
    var rules: [String] = []

    @Option(
        name: .customLong("stash-url"),
        help: ArgumentHelp(
            "Stash's base URL, http(s)://host:port (default: $STASH_URL). Without either, plans against an empty Stash, offline.",
            valueName: "url"), transform: StashEndpoint.argument)
    var stashURL: StashEndpoint?

    @Option(
        name: .customLong("api-key-env"),
        help: ArgumentHelp(
            "The environment variable holding Stash's API key (never pass the key itself).", valueName: "name"))
    var apiKeyEnv: String = StashAPIKey.defaultEnvironmentVariable

    @Option(
        name: .long,
        help: ArgumentHelp(
            "fansly-stash's state file (links to Stash objects, what was last written). Default: one per Stash URL under ~/.local/state/fansly-stash.",
            valueName: "path"))
    var state: String?

    @Option(
        name: .customLong("creator"),
        help: ArgumentHelp("Plan only this creator (username); repeatable.", valueName: "name"))
    var creators: [String] = []

    @Option(
        name: .customLong("target"),
        help: ArgumentHelp(
            "Plan only this address (performer.account.<user>, gallery.post.<id>, a kind like `tag`, or a prefix ending in *) and what it refers to; repeatable.",
            valueName: "address"))
    var targets: [String] = []

    @Option(
        name: .customLong("path-map"),
        help: ArgumentHelp(
            "FROM=TO: files under FROM on this machine are under TO in Stash (before the rules' settings.pathMap); repeatable.",
            valueName: "from=to"), transform: PathMapping.argument)
    var pathMap: [PathMapping] = []

    /// The request these flags describe, with the Stash URL from the flag or `STASH_URL`.
    func request(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PlanRequest {
        let stash = try StashConnection(flag: stashURL, apiKeyEnv: apiKeyEnv, environment: environment)
        var request = PlanRequest(
            database: db, ruleFiles: rules, stash: stash.endpoint, apiKey: stash.apiKey,
            apiKeyEnvironmentVariable: apiKeyEnv, statePath: state, creators: creators, targets: targets,
            tool: FanslyStash.tool)
        request.pathMap = pathMap
        return request
    }
}
