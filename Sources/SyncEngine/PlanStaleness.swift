import Foundation
import FanslyMetadata
import MappingRules

extension PlanStaleness {
    /// Recomputes the inputs `plan` names (its rule files, its database, the given Stash URL) and
    /// throws `StalePlanError` when any differs. `apply FILE` calls this before changing anything.
    public static func verify(_ plan: Plan, path: String, stashURL: String?) throws {
        try verify(plan.inputs, path: path, stashURL: stashURL)
    }

    /// `verify` for the inputs of a saved plan (`SavedPlan.inputs`): throws `StalePlanError` when
    /// they changed, `OperationFailure` when the database or the rules cannot be read now.
    public static func verify(_ saved: PlanInputs, path: String, stashURL: String?) throws {
        let current = try currentInputs(like: saved, stashURL: stashURL)
        let reasons = reasons(saved: saved, current: current)
        if !reasons.isEmpty { throw StalePlanError(path: path, reasons: reasons) }
    }

    /// The inputs as they are now: the same rule files re-read and hashed, the same database's
    /// identity. A database or rules that cannot be read now cannot be compared: that is an error
    /// (`OperationFailure`) saying so, not a guess that they changed.
    public static func currentInputs(like saved: PlanInputs, stashURL: String?) throws -> PlanInputs {
        let identity: DatabaseIdentity
        do {
            identity = try MetadataOpening.open(saved.database.path).identity()
        } catch {
            throw OperationFailure("the plan was made from \(MetadataOpening.displayName(saved.database.path)), which cannot be "
                + "read now (\(OperationFailure.describe(error))); run plan again")
        }
        let rules: RuleSet
        do {
            rules = try RuleSet.load(paths: saved.rulesFiles)
        } catch {
            throw OperationFailure("the plan's rules cannot be loaded now (\(OperationFailure.describe(error))); fix them and run plan again")
        }
        return PlanInputs(rulesHash: RulesHash.of(canonicalData: rules.canonicalData), rulesFiles: saved.rulesFiles,
                          database: identity, stashURL: stashURL, creators: saved.creators, targets: saved.targets)
    }
}
