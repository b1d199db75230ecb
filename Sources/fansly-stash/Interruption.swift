import ArgumentParser
import Dispatch
import Foundation
import SyncEngine

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C and SIGTERM during `plan` and `apply`: before anything is sent they end the process
/// (removing a plan half-saved beside its path first); once changes
/// are being sent, the first asks the apply to stop (no new request; those in
/// flight get `ApplyStop.grace` to finish and are recorded), a second one exits at once. The state
/// file stays consistent either way: every write is journalled before it is sent.
final class Interruption: @unchecked Sendable {
    /// The stop the apply observes.
    let stop = ApplyStop(grace: .seconds(10))
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var signals = 0

    /// The exit status of a run ended by a signal (128 + SIGINT), as shells report Ctrl-C.
    static let exitStatus: Int32 = 130

    /// Starts watching SIGINT and SIGTERM (they no longer end the process by themselves).
    static func watch() -> Interruption {
        let interruption = Interruption()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [interruption] in interruption.received() }
            source.resume()
            interruption.sources.append(source)
        }
        return interruption
    }

    private func received() {
        lock.lock()
        signals += 1
        let count = signals
        lock.unlock()
        if count == 1 && !stop.isArmed {
            // Planning, reading the plan or asking for confirmation: nothing was sent yet. A plan
            // being saved is not left half-written beside its path.
            PlanFile.removeUnfinished()
            FileHandle.standardError.write(Data("\nInterrupted before anything was sent to Stash.\n".utf8))
            _exit(Self.exitStatus)
        } else if count == 1 {
            FileHandle.standardError.write(
                Data(
                    ("\nInterrupted: sending nothing more; waiting up to 10 s for the requests in flight. "
                        + "Press Ctrl-C again to quit at once.\n").utf8))
            stop.request()
        } else {
            FileHandle.standardError.write(
                Data("\nQuitting at once; run apply again to finish (nothing is lost).\n".utf8))
            _exit(Self.exitStatus)
        }
    }

    /// After the report is printed: an interrupted run says what was left and exits with 130.
    func finish(_ report: SyncReport) throws {
        guard let interrupted = report.interrupted else { return }
        let applied = report.totals.created + report.totals.updated
        let notApplied = interrupted.notApplied + report.totals.failed
        // Standard error, so that `--json` output stays one document.
        FileHandle.standardError.write(
            Data(
                ("Interrupted: \(applied) change\(applied == 1 ? "" : "s") applied, "
                    + "\(notApplied) not applied; run apply again to finish.\n").utf8))
        throw ExitCode(Self.exitStatus)
    }
}
