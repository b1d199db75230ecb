import Foundation
import SyncEngine

/// Turns an operation's `OperationEvent`s into Stash's task progress and log lines.
///
/// Planning has no item counts, so each status line moves the bar a step up to `planningShare`;
/// apply's phases, announced with their item counts (`.phasesPlanned`), fill the rest in
/// proportion to the items finished. The caller reports 1 when the task ends.
final class PluginProgress: @unchecked Sendable {
    private let log: PluginLog
    /// The part of the bar planning fills (all of it but the end for the Plan task).
    private let planningShare: Double
    private let lock = NSLock()
    private var planned = 0.0
    private var totalItems = 0
    private var finishedInEarlierPhases = 0
    private var currentPhaseDone = 0

    init(log: PluginLog, planningShare: Double) {
        self.log = log; self.planningShare = planningShare
        log.progress(0)
    }

    /// For `OperationProgress`: called from any thread.
    func handle(_ event: OperationEvent) {
        switch event {
        case .status(let line):
            log.log(.info, line)
            let fraction = lock.withLock { () -> Double in
                planned = min(planningShare, planned + planningShare / 6)
                return planned
            }
            log.progress(fraction)
        case .phasesPlanned(let phases):
            lock.withLock { totalItems = phases.reduce(0) { $0 + $1.total } }
            log.log(.info, "applying: " + phases.map { "\($0.name) \($0.total)" }.joined(separator: ", "))
        case .phaseStarted(let phase, let total):
            lock.withLock { currentPhaseDone = 0 }
            log.log(.info, "\(phase): \(total) to write")
        case .itemFinished(let phase, let item, let outcome, let done, _):
            if case .failed(let message) = outcome { log.log(.warning, "\(phase) \(item): \(message)") }
            let fraction = lock.withLock { () -> Double in
                currentPhaseDone = done
                guard totalItems > 0 else { return planningShare }
                let items = Double(finishedInEarlierPhases + done) / Double(totalItems)
                return planningShare + (1 - planningShare) * min(1, items) * 0.99
            }
            log.progress(fraction)
        case .phaseFinished(let report):
            lock.withLock { finishedInEarlierPhases += max(report.total, currentPhaseDone); currentPhaseDone = 0 }
            let counts = report.counts
            log.log(counts.failed > 0 ? .warning : .info,
                    "\(report.phase): \(counts.created) created, \(counts.updated) updated, \(counts.unchanged) unchanged, "
                        + "\(counts.skipped) skipped, \(counts.failed) failed (\(String(format: "%.1f", report.elapsedSeconds)) s)")
        case .waiting(let phase, let seconds):
            log.log(.info, "\(phase): waiting for Stash to answer (\(Int(seconds)) s)")
        }
    }
}
