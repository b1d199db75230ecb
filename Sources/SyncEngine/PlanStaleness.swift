import Foundation
import FanslyMetadata
import MappingRules

extension PlanStaleness {
    /// Recomputes the inputs `saved` names (its rule files, its database, the given Stash URL) and
    /// throws `StalePlanError` when any differs. `apply FILE` calls this before changing anything.
    public static func verify(_ plan: Plan, path: String, stashURL: String?) throws {
        let current = try currentInputs(like: plan.inputs, stashURL: stashURL)
        let reasons = reasons(saved: plan.inputs, current: current)
        if !reasons.isEmpty { throw StalePlanError(path: path, reasons: reasons) }
    }

    /// The inputs as they are now: the same rule files re-read and hashed, the same database's identity.
    public static func currentInputs(like saved: PlanInputs, stashURL: String?) throws -> PlanInputs {
        let rules = saved.rulesFiles.isEmpty ? try RuleSet.builtInDefault()
                                             : try RuleSet.load(files: saved.rulesFiles.map { URL(fileURLWithPath: $0) })
        let identity: DatabaseIdentity
        if PostgresEndpoint.isURL(saved.database.path) || DownloaderConfig.isConfigFile(saved.database.path) {
            // PostgreSQL (a URL without password, or the downloader's configuration): opened as planned.
            identity = try MetadataStores.open(ResolvedDatabase.resolve(saved.database.path)).identity()
        } else if FileManager.default.fileExists(atPath: saved.database.path) {
            identity = try MetadataDatabase(path: saved.database.path).identity()
        } else {
            identity = DatabaseIdentity(path: saved.database.path, alembicVersion: nil, fingerprint: "(missing)")
        }
        return PlanInputs(rulesHash: RulesHash.of(canonicalData: rules.canonicalData), rulesFiles: saved.rulesFiles,
                          database: identity, stashURL: stashURL, creators: saved.creators, targets: saved.targets)
    }
}
