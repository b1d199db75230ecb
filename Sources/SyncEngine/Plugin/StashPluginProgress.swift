import Foundation

/// An apply's task progress: planning fills the first 30 %, the phases the rest, in the order and
/// with the item counts `.phasesPlanned` announced (a phase it did not name, such as the final
/// `organized` pass, counts as one more at the end). Stash shows the last value it read, so the
/// bar never moves back.
final class StashPluginApplyProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var phases = ApplyPhase.allCases.map(\.rawValue)
    private var reported = 0.0

    /// Takes the phases the apply announced, in order.
    func planned(_ names: [String]) {
        lock.withLock { if !names.isEmpty { phases = names } }
    }

    /// The fraction after `done` of `total` items of `phase`, never below one reported before.
    func fraction(phase: String, done: Int, total: Int) -> Double {
        lock.withLock {
            if !phases.contains(phase) { phases.append(phase) }
            let index = Double(phases.firstIndex(of: phase) ?? phases.count - 1)
            let within = total > 0 ? Double(done) / Double(total) : 1
            reported = max(reported, 0.3 + 0.7 * min(1, (index + within) / Double(phases.count)) * 0.99)
            return reported
        }
    }
}
