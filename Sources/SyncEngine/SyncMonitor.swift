import Foundation

/// One failed item in a sync report.
struct SyncFailure: Sendable, Hashable, Codable {
    /// The phase it failed in (`tags`, `gallery images`…).
    var phase: String
    /// The item's address or label.
    var item: String
    /// Why, as Stash or fansly-stash said it.
    public var error: String
    /// A failure of `item` in `phase`.
    init(phase: String, item: String, error: String) { self.phase = phase; self.item = item; self.error = error }
}

/// Counts of outcomes.
public struct OutcomeCounts: Sendable, Hashable, Codable {
    /// Items with each outcome.
    public var created = 0, updated = 0, unchanged = 0, skipped = 0, failed = 0
    /// Items with any outcome.
    var processed: Int { created + updated + unchanged + skipped + failed }
    /// All zero.
    init() {}

    /// Counts one more outcome of `kind`.
    public mutating func add(_ kind: OutcomeKind) {
        switch kind {
        case .created: created += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        case .skipped: skipped += 1
        case .failed: failed += 1
        }
    }

    static func + (lhs: OutcomeCounts, rhs: OutcomeCounts) -> OutcomeCounts {
        var sum = lhs
        sum.created += rhs.created; sum.updated += rhs.updated; sum.unchanged += rhs.unchanged
        sum.skipped += rhs.skipped; sum.failed += rhs.failed
        return sum
    }

    enum CodingKeys: String, CodingKey { case processed, created, updated, unchanged, skipped, failed }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        created = try c.decode(Int.self, forKey: .created); updated = try c.decode(Int.self, forKey: .updated)
        unchanged = try c.decode(Int.self, forKey: .unchanged); skipped = try c.decode(Int.self, forKey: .skipped)
        failed = try c.decode(Int.self, forKey: .failed)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(processed, forKey: .processed); try c.encode(created, forKey: .created)
        try c.encode(updated, forKey: .updated); try c.encode(unchanged, forKey: .unchanged)
        try c.encode(skipped, forKey: .skipped); try c.encode(failed, forKey: .failed)
    }
}

/// One phase's results.
public struct PhaseReport: Sendable, Hashable, Codable {
    /// The phase's name (`tags`, `gallery images`…).
    var phase: String
    /// Items in the phase.
    var total: Int
    /// Their outcomes.
    var counts: OutcomeCounts
    /// Wall time of the phase.
    var elapsedSeconds: Double
    enum CodingKeys: String, CodingKey { case phase, total, counts, elapsedSeconds = "elapsed_seconds" }
}

/// The outcome of a whole run: what `--json` prints and the summary is rendered from.
public struct SyncReport: Sendable, Hashable, Codable {
    /// When the run started.
    var startedAt: Date
    /// Wall time of the whole run.
    var elapsedSeconds: Double
    /// Outcomes over every phase.
    public var totals: OutcomeCounts
    /// Each phase that had items, in order.
    var phases: [PhaseReport]
    /// Every failed item, in the order they failed.
    var failures: [SyncFailure]
    /// HTTP requests sent to Stash, when known.
    var requests: Int?
    /// Set when the run was asked to stop (Ctrl-C) before the end.
    public var interrupted: InterruptionReport?

    /// True when nothing failed.
    public var succeeded: Bool { totals.failed == 0 }

    enum CodingKeys: String, CodingKey {
        case startedAt = "started_at", elapsedSeconds = "elapsed_seconds", totals, phases, failures, requests,
            interrupted
    }
}

/// What an interrupted apply left undone.
public struct InterruptionReport: Sendable, Hashable, Codable {
    /// Changes not sent because the run stopped (their phase's "skipped" count includes them).
    public var notApplied: Int
    init(notApplied: Int) { self.notApplied = notApplied }
    enum CodingKeys: String, CodingKey { case notApplied = "not_applied" }
}

/// Shows the progress of a sync and collects its outcomes.
///
/// On a terminal it redraws one progress bar per phase with counts and rate; otherwise it writes
/// plain lines (a line when a phase starts and one when it ends, and a progress line at most every
/// `plainInterval` for long phases). Safe to call from concurrent tasks.
public final class SyncMonitor: @unchecked Sendable {
    /// How progress is shown.
    enum Style: Sendable { case terminal, plain, quiet }

    /// Failures listed in full in the summary; the rest are counted.
    static let failuresShownInSummary = 10

    private let lock = NSLock()
    private let write: @Sendable (String) -> Void
    private let style: Style
    private let now: @Sendable () -> Date
    private let plainInterval: TimeInterval
    private let startedAt: Date

    private var phases: [PhaseReport] = []
    private var failures: [SyncFailure] = []
    private var current: (name: String, total: Int, counts: OutcomeCounts, start: Date, lastDraw: Date)?
    private var requests: Int?
    /// Each item's outcome over the phases it ran in (a gallery is created, then gets its images):
    /// the totals count items, in the plan's units, not phase steps.
    private var itemOutcomes: [String: OutcomeKind] = [:]
    /// The phases still to come (names and item counts), when the run announced them.
    private var upcoming: [PlannedPhase] = []
    /// Items of the phases already closed, for the estimate of what remains.
    private var doneBefore = 0
    /// When the current phase last moved (an item finished), and when "waiting" was last said.
    private var lastProgress: Date?
    private var lastWaitingNote: Date?
    /// Seconds without an answer after which the monitor says it is waiting for Stash.
    var waitingAfter: TimeInterval = 5
    private let observer: OperationProgress?

    /// - Parameters:
    ///   - write: receives rendered text (already newline-terminated where lines end).
    ///   - style: `.terminal` for bars redrawn in place, `.plain` for lines, `.quiet` for nothing.
    ///   - now: the clock (tests pass a fixed one).
    ///   - observer: receives every phase start, item outcome and phase end as an `OperationEvent`, in
    ///     order (it is called under the monitor's lock, so it must not call back into this monitor).
    init(
        style: Style, plainInterval: TimeInterval = 10, now: @escaping @Sendable () -> Date = { Date() },
        observer: OperationProgress? = nil, write: @escaping @Sendable (String) -> Void
    ) {
        self.style = style
        self.write = write
        self.observer = observer
        self.now = now
        self.plainInterval = plainInterval
        self.startedAt = now()
    }

    /// A monitor on standard error: bars when it is a terminal, lines otherwise.
    public static func standardError(quiet: Bool = false) -> SyncMonitor {
        let style: Style = quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .terminal : .plain)
        return SyncMonitor(style: style) { text in FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Announces the phases the run will go through, with their item counts (`[]` says nothing):
    /// progress then names the phases still to come and estimates the time left.
    public func announce(phases: [PlannedPhase]) {
        lock.lock(); defer { lock.unlock() }
        upcoming = phases.filter { $0.total > 0 }
        observer?(.phasesPlanned(upcoming))
    }

    /// Starts a phase of `total` items; ends the previous phase if still open.
    public func beginPhase(_ name: String, total: Int) {
        lock.lock(); defer { lock.unlock() }
        closePhaseLocked()
        let start = now()
        current = (name, total, OutcomeCounts(), start, start)
        lastProgress = start
        lastWaitingNote = nil
        if let index = upcoming.firstIndex(where: { $0.name == name }) { upcoming.removeSubrange(...index) }
        let next = upcoming.isEmpty ? "" : " (then \(upcoming.map(\.name).joined(separator: ", ")))"
        observer?(.phaseStarted(phase: name, total: total))
        switch style {
        case .plain: write("\(name): \(total) to process\(next)\n")
        case .terminal: write(barLine())
        case .quiet: break
        }
    }

    /// Records one item's outcome in the current phase.
    public func record(item: String, outcome: ItemOutcome) {
        lock.lock(); defer { lock.unlock() }
        guard current != nil else { return }
        current!.counts.add(outcome.kind)
        lastProgress = now()
        lastWaitingNote = nil
        itemOutcomes[item] = Self.combined(itemOutcomes[item], outcome.kind)
        if case .failed(let message) = outcome {
            failures.append(SyncFailure(phase: current!.name, item: item, error: message))
        }
        observer?(
            .itemFinished(
                phase: current!.name, item: item, outcome: outcome, done: current!.counts.processed,
                total: current!.total))
        let time = now()
        switch style {
        case .terminal
        where time.timeIntervalSince(current!.lastDraw) >= 0.1 || current!.counts.processed == current!.total:
            current!.lastDraw = time
            write(barLine())
        case .plain
        where time.timeIntervalSince(current!.lastDraw) >= plainInterval && current!.counts.processed < current!.total:
            current!.lastDraw = time
            write(
                "\(current!.name): \(current!.counts.processed)/\(current!.total) \(countsText(current!.counts))\(timingText())\n"
            )
        default: break
        }
    }

    /// Called about once a second while a run waits: when nothing has moved for `waitingAfter`
    /// seconds, says that the run is waiting for Stash (so a slow Stash does not look like a hang).
    public func tick() {
        lock.lock(); defer { lock.unlock() }
        guard let phase = current, let last = lastProgress, phase.counts.processed < phase.total else { return }
        let time = now()
        let silent = time.timeIntervalSince(last)
        guard silent >= waitingAfter else { return }
        observer?(.waiting(phase: phase.name, seconds: silent))
        switch style {
        case .terminal:
            write(barLine() + "  waiting for Stash \(Self.formatSeconds(silent))")
        case .plain:
            guard lastWaitingNote.map({ time.timeIntervalSince($0) >= plainInterval }) ?? true else { return }
            lastWaitingNote = time
            write(
                "\(phase.name): waiting for Stash (no answer for \(Self.formatSeconds(silent)); \(phase.counts.processed)/\(phase.total) done)\n"
            )
        case .quiet: break
        }
    }

    /// `, elapsed 12.0s, about 30.0s left` from the run's pace so far (empty before anything finished).
    private func timingText() -> String {
        guard let phase = current else { return "" }
        let elapsed = now().timeIntervalSince(startedAt)
        let done = doneBefore + phase.counts.processed
        var text = ", elapsed \(Self.formatSeconds(elapsed))"
        guard done > 0, elapsed > 0 else { return text }
        let remaining = phase.total - phase.counts.processed + upcoming.reduce(0) { $0 + $1.total }
        guard remaining > 0 else { return text }
        text += ", about \(Self.formatSeconds(Double(remaining) * elapsed / Double(done))) left"
        if !upcoming.isEmpty { text += " (then \(upcoming.map(\.name).joined(separator: ", ")))" }
        return text
    }

    /// Records a failure that belongs to no single item's batch outcome (e.g. a phase that could not start).
    func recordFailure(item: String, error: String) {
        lock.lock(); defer { lock.unlock() }
        failures.append(SyncFailure(phase: current?.name ?? "apply", item: item, error: error))
        current?.counts.add(.failed)
        itemOutcomes[item] = .failed
    }

    /// Sets the number of HTTP requests sent, for the report.
    func setRequestCount(_ count: Int) {
        lock.lock(); defer { lock.unlock() }
        requests = count
    }

    /// Ends the current phase.
    public func endPhase() {
        lock.lock(); defer { lock.unlock() }
        closePhaseLocked()
    }

    /// Ends the run and returns its report.
    func finish() -> SyncReport {
        lock.lock(); defer { lock.unlock() }
        closePhaseLocked()
        var totals = OutcomeCounts()
        for outcome in itemOutcomes.values { totals.add(outcome) }
        return SyncReport(
            startedAt: startedAt, elapsedSeconds: now().timeIntervalSince(startedAt), totals: totals,
            phases: phases, failures: failures, requests: requests)
    }

    /// An item's outcome over two phases: a failure anywhere is a failure; otherwise what was
    /// written counts (created before updated), then skipped, then unchanged.
    static func combined(_ earlier: OutcomeKind?, _ later: OutcomeKind) -> OutcomeKind {
        guard let earlier else { return later }
        func weight(_ kind: OutcomeKind) -> Int {
            switch kind {
            case .failed: return 4
            case .created: return 3
            case .updated: return 2
            case .skipped: return 1
            case .unchanged: return 0
            }
        }
        return weight(earlier) >= weight(later) ? earlier : later
    }

    /// The closing summary: totals, elapsed time, the first failures in full and how many more there are.
    public static func summary(of report: SyncReport) -> String {
        let t = report.totals
        var lines = [
            "Apply complete: \(t.processed) processed, \(t.created) created, \(t.updated) updated, "
                + "\(t.unchanged) unchanged, \(t.skipped) skipped, \(t.failed) failed in \(formatSeconds(report.elapsedSeconds))."
        ]
        if !report.failures.isEmpty {
            lines.append("")
            lines.append("Failed:")
            for failure in report.failures.prefix(failuresShownInSummary) {
                lines.append("  \(failure.item) (\(failure.phase)): \(failure.error)")
            }
            let more = report.failures.count - failuresShownInSummary
            if more > 0 {
                lines.append("  … and \(more) more failed item\(more == 1 ? "" : "s") (all are listed with --json).")
            }
            lines.append("What succeeded is applied and recorded; run apply again to retry the failed items.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func closePhaseLocked() {
        guard let phase = current else { return }
        doneBefore += phase.counts.processed
        let elapsed = now().timeIntervalSince(phase.start)
        phases.append(PhaseReport(phase: phase.name, total: phase.total, counts: phase.counts, elapsedSeconds: elapsed))
        observer?(.phaseFinished(phases[phases.count - 1]))
        switch style {
        case .terminal: write(barLine() + "\n")
        case .plain:
            write(
                "\(phase.name): \(phase.counts.processed)/\(phase.total) done in \(Self.formatSeconds(elapsed)) \(countsText(phase.counts))\n"
            )
        case .quiet: break
        }
        current = nil
    }

    private func countsText(_ c: OutcomeCounts) -> String {
        "(created \(c.created), updated \(c.updated), unchanged \(c.unchanged), skipped \(c.skipped), failed \(c.failed))"
    }

    private func barLine() -> String {
        guard let phase = current else { return "" }
        let width = 24
        let done = phase.counts.processed
        let fraction = phase.total == 0 ? 1 : Double(done) / Double(phase.total)
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = now().timeIntervalSince(phase.start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let c = phase.counts
        let name = phase.name.padding(toLength: 14, withPad: " ", startingAt: 0)
        return "\r\u{1B}[2K\(name) \(bar) \(done)/\(phase.total)  +\(c.created) ~\(c.updated) =\(c.unchanged)"
            + " skip \(c.skipped) fail \(c.failed)  \(String(format: "%.0f", rate))/s" + timingText()
    }

    static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        return "\(whole / 60)m\(String(format: "%02d", whole % 60))s"
    }
}
