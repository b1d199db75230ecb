import Foundation
import StashClient

/// A plan or apply run as a Stash plugin task: Stash's JSON on stdin says where Stash is and with
/// which session cookie; the plugin's settings (read from Stash) say which database, rules and
/// download folder; `args.mode` says `plan` or `apply`. Running the Apply task is the confirmation.
public struct StashPluginTask: Sendable {
    /// The plugin id: the manifest's file name, `fansly-stash.yml`.
    static let pluginId = "fansly-stash"
    /// Lines of the plan report logged at info level (Stash keeps the log in memory).
    static let reportLines = 400

    var input: StashPluginInput
    public var log: StashPluginLog
    /// Name and version of the program, written into the plan.
    var tool: String
    /// As `PlanRequest.groupLimit`, when not its default (tests plan a small library in groups).
    var groupLimit: Int?

    public init(input: StashPluginInput, log: StashPluginLog, tool: String) {
        self.input = input; self.log = log; self.tool = tool
    }

    /// What the task ends with: Stash shows `output`, or `error` as the task's failure.
    public enum Result: Sendable, Equatable {
        case output(String)
        case error(String)

        /// The JSON object Stash reads from standard output.
        public var json: String {
            let (key, text): (String, String)
            switch self {
            case .output(let message): (key, text) = ("output", message)
            case .error(let message): (key, text) = ("error", message)
            }
            let data =
                (try? JSONSerialization.data(withJSONObject: [key: text], options: [.withoutEscapingSlashes]))
                ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Runs the task; never throws (every failure is logged and returned as `.error`).
    public func run() async -> Result {
        log.progress(0)
        let result: Result
        do {
            result = try await runTask()
        } catch {
            let message = OperationFailure.describe(error)
            // A plugin has no API key to set: Stash's session for the task was refused.
            result = .error(
                message.contains("(HTTP 401)")
                    ? "Stash refused the plugin task's session (HTTP 401); run the task again from Stash's Tasks page"
                    : message)
        }
        if case .error(let message) = result { log.log(.error, message) }
        log.progress(1)
        return result
    }

    private func runTask() async throws -> Result {
        let endpoint = try input.endpoint()
        let cookie = input.serverConnection.sessionCookie.map { StashSessionCookie(name: $0.name, value: $0.value) }
        var configuration = StashConfiguration(endpoint: endpoint)
        configuration.sessionCookie = cookie
        let settings = try await StashClient(configuration: configuration).pluginSettings(id: Self.pluginId)
        func setting(_ name: String) -> String? {
            settings[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let database = setting("database") else {
            return .error(
                "set the plugin's Database setting (Settings → Plugins → fansly-stash): the downloader's metadata "
                    + "database file, a postgresql:// URL or the downloader's config.yaml/config.ini")
        }
        let configFolder = input.serverConnection.dir
        var request = PlanRequest(
            database: StashPluginPaths.resolveDatabase(database, in: configFolder),
            ruleFiles: setting("rules").map { [StashPluginPaths.resolve($0, in: configFolder)] } ?? [],
            stash: endpoint, statePath: try StashPluginPaths.stateFile(in: configFolder), tool: tool)
        request.downloadRoot = setting("downloadRoot")
        request.sessionCookie = cookie
        if let groupLimit { request.groupLimit = groupLimit }
        switch input.args["mode"]?.lowercased() {
        case "plan": return try await plan(request)
        case "apply": return try await apply(request)
        case let mode:
            return .error("unknown task mode '\(mode ?? "")': the manifest's tasks pass mode: plan or mode: apply")
        }
    }

    private func plan(_ request: PlanRequest) async throws -> Result {
        let log = self.log
        let steps = StepCounter()
        // The task's log shows the full report: made as a grouped plan is planned.
        let plan = try await PlanOperation(request).run(savingTo: nil, reportingWith: PlanRenderer()) { event in
            if case .warning(let message) = event { log.log(.warning, message); return }
            if case .database(let description) = event { log.log(.info, "Reading \(description)"); return }
            guard case .status(let message) = event else { return }
            log.log(.info, message)
            log.progress(min(0.9, Double(steps.next()) * 0.15))
        }
        let summary = try plan.summary()
        try report(plan, summary: summary)
        return .output(PlanRenderer().closingLine(summary) + " Run the Apply task to make these changes.")
    }

    private func apply(_ request: PlanRequest) async throws -> Result {
        let log = self.log
        let applied = StashPluginApplyProgress()
        let steps = StepCounter()
        let outcome = try await ApplyOperation(ApplyRequest(planning: request)).run(
            progress: { event in
                switch event {
                case .status(let message):
                    log.log(.info, message)
                    log.progress(min(0.3, Double(steps.next()) * 0.05))
                case .phaseStarted(let phase, let total):
                    log.log(.info, "\(phase): \(total) to write")
                case .itemFinished(let phase, _, _, let done, let total):
                    log.progress(applied.fraction(phase: phase, done: done, total: total))
                case .phaseFinished(let report):
                    log.log(
                        .info,
                        "\(report.phase): \(report.counts.created) created, \(report.counts.updated) updated, "
                            + "\(report.counts.failed) failed")
                case .waiting(let phase, let seconds):
                    // Sent every second while Stash is slow: logged every 10 s.
                    if Int(seconds) % 10 == 0 { log.log(.info, "\(phase): waiting for Stash (\(Int(seconds)) s)") }
                case .phasesPlanned(let planned):
                    applied.planned(planned.map(\.name))
                case .database(let description):
                    log.log(.info, "Reading \(description)")
                case .warning(let message):
                    log.log(.warning, message)
                }
            },
            confirm: { plan in
                // Running the Apply task is the confirmation; what it will do is logged first.
                try self.report(plan.finished, summary: plan.summary)
                return true
            })
        switch outcome {
        case .nothingToApply(let plan):
            return .output(PlanRenderer().closingLine(plan.summary))
        case .applied(let report):
            let totals = report.totals
            let summary =
                "Applied: \(totals.created) created, \(totals.updated) updated, \(totals.unchanged) unchanged, "
                + "\(totals.skipped) skipped, \(totals.failed) failed."
            for failure in report.failures.prefix(50) {
                log.log(.warning, "\(failure.phase) \(failure.item): \(failure.error)")
            }
            log.log(.info, summary)
            return report.succeeded
                ? .output(summary) : .error(summary + " Run the Apply task again to retry what failed.")
        }
    }

    /// The plan as `plan` prints it, as info lines (the first `reportLines`), for Stash's log;
    /// rendered in chunks and only counted past those, so a plan in its file is never held whole.
    private func report(_ plan: FinishedPlan, summary: PlanSummary) throws {
        var lines = 0
        var unfinished = ""
        func take(_ text: Substring) {
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                lines += 1
                if lines <= Self.reportLines { log.log(.info, String(line)) }
            }
        }
        try plan.render(with: PlanRenderer()) { chunk in
            unfinished += chunk
            // A chunk may end inside a line: its rest waits for the next chunk.
            guard let end = unfinished.lastIndex(of: "\n") else { return }
            take(unfinished[..<end])
            unfinished = String(unfinished[unfinished.index(after: end)...])
        }
        take(unfinished[...])
        if lines > Self.reportLines {
            log.log(.info, "… \(lines - Self.reportLines) more lines; `fansly-stash plan` prints the whole report")
            log.log(.info, PlanRenderer().closingLine(summary))
        }
    }
}

/// Counts events from concurrent callbacks.
private final class StepCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }
}
