import FanslyMetadata
import Foundation
import MappingRules
import StashClient

extension PlanStaleness {
    /// Recomputes the inputs `plan` names (its rule files, its database, the given Stash URL) and
    /// throws `StalePlanError` when any differs. `apply FILE` calls this before changing anything.
    static func verify(_ plan: Plan, path: String, stashURL: String?) throws {
        try verify(plan.inputs, path: path, stashURL: stashURL)
    }

    /// `verify` for the inputs of a saved plan (`PlanFileReader.inputs`): throws `StalePlanError` when
    /// they changed, `OperationFailure` when the database or the rules cannot be read now.
    static func verify(_ saved: PlanInputs, path: String, stashURL: String?) throws {
        let current = try currentInputs(like: saved, stashURL: stashURL)
        let reasons = reasons(saved: saved, current: current)
        if !reasons.isEmpty { throw StalePlanError(path: path, reasons: reasons) }
    }

    /// The inputs as they are now: the same rule files re-read and hashed, the same database's
    /// identity. A database or rules that cannot be read now cannot be compared: that is an error
    /// (`OperationFailure`) saying so, not a guess that they changed.
    static func currentInputs(like saved: PlanInputs, stashURL: String?) throws -> PlanInputs {
        let identity: DatabaseIdentity
        do {
            // A SQLite path, or for PostgreSQL the URL without password or the downloader's configuration.
            identity = try MetadataOpening.open(saved.database.path).identity()
        } catch {
            throw OperationFailure(
                "the plan was made from \(MetadataOpening.displayName(saved.database.path)), which cannot be "
                    + "read now (\(OperationFailure.describe(error))); run plan again")
        }
        let rules: RuleSet
        do {
            rules = try RuleSet.load(paths: saved.rulesFiles)
        } catch {
            throw OperationFailure(
                "the plan's rules cannot be loaded now (\(OperationFailure.describe(error))); fix them and run plan again"
            )
        }
        return PlanInputs(
            rulesHash: RulesHash.of(canonicalData: rules.canonicalData), rulesFiles: saved.rulesFiles,
            database: identity, stashURL: stashURL, creators: saved.creators, targets: saved.targets)
    }
}

/// Why a saved plan no longer matches its inputs.
enum StaleReason: Sendable, Hashable, CustomStringConvertible {
    case rulesChanged
    case databaseChanged(path: String)
    case databaseReplaced(saved: String, current: String)
    case stashChanged(saved: String?, current: String?)

    public var description: String {
        switch self {
        case .rulesChanged: return "the rules changed since the plan was made"
        case .databaseChanged(let path):
            return "the database \(path) changed since the plan was made (a downloader run?)"
        case .databaseReplaced(let saved, let current): return "the plan was made from \(saved), not \(current)"
        case .stashChanged(let saved, let current):
            return
                "the plan was made against \(saved ?? "an empty offline Stash"), not \(current ?? "an empty offline Stash")"
        }
    }
}

/// Compares a saved plan's inputs with the current ones.
enum PlanStaleness {
    /// Every reason the plan's inputs differ from `current`; empty when the plan is fresh.
    /// The rules hash covers rule content, so files renamed with the same content stay fresh.
    static func reasons(saved: PlanInputs, current: PlanInputs) -> [StaleReason] {
        var reasons: [StaleReason] = []
        if saved.rulesHash != current.rulesHash { reasons.append(.rulesChanged) }
        if saved.database.path != current.database.path {
            reasons.append(.databaseReplaced(saved: saved.database.path, current: current.database.path))
        } else if saved.database.fingerprint != current.database.fingerprint
            || saved.database.alembicVersion != current.database.alembicVersion
        {
            reasons.append(.databaseChanged(path: current.database.path))
        }
        if StashEndpoint.comparisonKey(of: saved.stashURL) != StashEndpoint.comparisonKey(of: current.stashURL) {
            // An older plan may hold a key in its URL: never repeat it.
            reasons.append(
                .stashChanged(
                    saved: saved.stashURL.map(StashEndpoint.redactingCredentials(in:)),
                    current: current.stashURL.map(StashEndpoint.redactingCredentials(in:))))
        }
        return reasons
    }
}

/// A plan that must not be applied because its inputs changed.
struct StalePlanError: Error, Sendable, CustomStringConvertible {
    var path: String
    var reasons: [StaleReason]
    init(path: String, reasons: [StaleReason]) { self.path = path; self.reasons = reasons }
    public var description: String {
        "stale plan \(path): " + reasons.map(\.description).joined(separator: "; ") + ". Run plan again."
    }
}
