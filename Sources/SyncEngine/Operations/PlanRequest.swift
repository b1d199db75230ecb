import Foundation
public import MappingRules
public import StashClient

/// Everything a plan needs, as values: what the `plan` command's flags say, or what a Stash plugin
/// fills in. Nothing here is read from the environment or the command line; `PlanOperation` runs it.
public struct PlanRequest: Sendable {
    /// The downloader's database as the user named it (`--db`); opened by `MetadataOpening`.
    var database: String
    /// Rule files, later ones overriding earlier ones; empty for the built-in rules.
    var ruleFiles: [String]
    /// The Stash to plan against; nil plans against an empty Stash, offline.
    var stash: StashEndpoint?
    /// The API key, or nil for a Stash without authentication.
    var apiKey: StashAPIKey?
    /// Where the key came from, named when Stash rejects it.
    var apiKeyEnvironmentVariable: String
    /// fansly-stash's state file; nil for the default one of `stash` (offline: none).
    var statePath: String?
    /// Creators (usernames in any case, or account ids) to plan; empty for all.
    public var creators: [String]
    /// Addresses, kinds or prefixes (`gallery.post.*`) to plan, with what they refer to; empty for all.
    var targets: [String]
    /// Name and version of the program, written into the plan.
    var tool: String
    /// `--path-map FROM=TO` entries, before the rules' own `settings.pathMap`.
    public var pathMap: [PathMapping] = []
    /// Replaces the rules' `settings.downloadRoot` (a Stash plugin's setting).
    var downloadRoot: String?
    /// A Stash plugin's session cookie, used instead of an API key.
    var sessionCookie: StashSessionCookie?
    /// A plan of every creator whose library produces more than this many scenes, images, galleries
    /// and chapters evaluates and plans creators in groups that produce at most
    /// `min(groupLimit, defaultGroupSize)` of them (a larger creator is a group of its own), so that
    /// a large library is never held whole; a library that produces no more is planned whole.
    /// The plan is the same for every value (Docs/performance.md, "scale").
    public var groupLimit = PlanRequest.defaultGroupLimit
    /// How many of the scenes, images and galleries read from Stash stay in memory; the rest are
    /// spooled to a temporary file (`StashSnapshotLoader.objectsInMemory`). The plan is the same.
    var stashObjectsInMemory = StashSnapshotLoader.defaultObjectsInMemory
    /// 100,000 entities: the 60,000-media sample (about 90,000) is planned whole.
    public static let defaultGroupLimit = 100_000
    /// 50,000 entities: smaller groups than the limit up to which a library is planned whole, so
    /// that the three groups a grouped plan holds at once (two planned, the next built:
    /// `GroupedPlan.partsInFlight`) stay about as large as a whole plan at the limit.
    public static let defaultGroupSize = 50_000

    /// The size of the groups a grouped plan is made of.
    var groupSize: Int { min(groupLimit, Self.defaultGroupSize) }

    /// A request; only the database and the tool name are required (an offline plan of everything).
    public init(
        database: String, ruleFiles: [String] = [], stash: StashEndpoint? = nil, apiKey: StashAPIKey? = nil,
        apiKeyEnvironmentVariable: String = StashAPIKey.defaultEnvironmentVariable, statePath: String? = nil,
        creators: [String] = [], targets: [String] = [], tool: String
    ) {
        self.database = database; self.ruleFiles = ruleFiles; self.stash = stash; self.apiKey = apiKey
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable; self.statePath = statePath
        self.creators = creators; self.targets = targets; self.tool = tool
    }
}
