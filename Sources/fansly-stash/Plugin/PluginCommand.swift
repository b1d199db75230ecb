import ArgumentParser
import Foundation
import Logging
import StashClient
import SyncEngine

/// `fansly-stash plugin`: a task of the Stash plugin (`plugin/fansly-stash.yml`, raw interface).
///
/// Thin like every command: Stash's JSON from standard input, the plugin's settings from Stash,
/// one operation (`PlanOperation` for the Plan task, `ApplyOperation` for Apply: running the task
/// is the confirmation), and the outcome in Stash's plugin protocol: prefixed log lines and
/// progress on standard error, `{"output": …}` or `{"error": …}` on standard output, exit 0 or 1.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Run a task of the Stash plugin (Stash starts it and writes its JSON to standard input).",
        discussion: """
        Install plugin/fansly-stash.yml and this binary in Stash's plugins folder; Stash then runs
        `fansly-stash plugin` for the tasks "Plan (dry run)" (mode plan) and "Apply" (mode apply).
        """
    )

    func run() async throws {
        let log = PluginLog()
        // The client's notices go through the protocol too: nothing reaches standard error unprefixed.
        LoggingSystem.bootstrap { _ in PluginLogHandler(sink: log) }
        do {
            // On a terminal nobody will write Stash's JSON: say so instead of waiting for it.
            let input = isatty(STDIN_FILENO) == 1 ? Data() : FileHandle.standardInput.readDataToEndOfFile()
            let summary = try await PluginTask(log: log).run(input: try PluginInput.parse(input))
            log.log(.info, summary)
            log.progress(1)
            Self.printResult(["output": summary])
        } catch {
            let message = StashEndpoint.redactingCredentials(in: PluginTask.describe(error))
            log.log(.error, message)
            log.progress(1)
            Self.printResult(["error": message])
            throw ExitCode(1)
        }
    }

    /// The task's result as Stash's `common.PluginOutput`, one JSON object on standard output.
    private static func printResult(_ result: [String: String]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(result)) ?? Data(#"{"error":"could not encode the result"}"#.utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// One run of a plugin task: validate, one operation call, the summary.
struct PluginTask {
    let log: PluginLog

    func run(input: PluginInput) async throws -> String {
        guard let mode = input.mode, ["plan", "apply"].contains(mode) else {
            throw PluginFailure("the task's mode argument is \(input.mode.map { "'\($0)'" } ?? "missing"); "
                + "the manifest's tasks pass mode plan or mode apply (reinstall plugin/fansly-stash.yml)")
        }
        guard let configFolder = input.serverConnection.dir, configFolder.hasPrefix("/") else {
            throw PluginFailure("Stash's task input has no configuration folder (Dir); the state file has nowhere to go")
        }
        let stash = try input.stashEndpoint()
        let cookie = input.sessionCookie
        var configuration = StashConfiguration(endpoint: stash)
        configuration.sessionCookie = cookie
        log.log(.debug, "\(FanslyStash.tool): \(mode) against \(stash)")
        let saved = try await StashClient(configuration: configuration).pluginSettings(pluginID: PluginSettings.pluginID)
        let settings = try PluginSettings(saved, configFolder: configFolder)
        let request = try settings.planRequest(stash: stash, cookie: cookie, tool: FanslyStash.tool)
        log.log(.info, "database \(MetadataOpening.displayName(settings.database)); state file \(settings.stateFile)")

        if mode == "plan" {
            let progress = PluginProgress(log: log, planningShare: 0.95)
            let plan = try await PlanOperation(request).run(progress: progress.handle)
            let renderer = PlanRenderer(colors: false, changesPerKind: 20)
            let closing = renderer.closingLine(plan.summary)
            // The report without its closing line, which the summary repeats.
            var report = renderer.render(plan).trimmingCharacters(in: .newlines)
            if report.hasSuffix(closing) { report.removeLast(closing.count) }
            log.log(.info, report)
            return closing + " Nothing was written (run the Apply task to write it)."
        }
        let progress = PluginProgress(log: log, planningShare: 0.3)
        // Running the Apply task is the confirmation.
        let outcome = try await ApplyOperation(ApplyRequest(planning: request)).run(progress: progress.handle) { _ in true }
        switch outcome {
        case .nothingToApply(let plan):
            return PlanRenderer(colors: false).closingLine(plan.summary) + " Nothing to apply."
        case .applied(let report):
            let totals = report.totals
            let line = "Applied: \(totals.created) created, \(totals.updated) updated, \(totals.unchanged) unchanged, "
                + "\(totals.skipped) skipped, \(totals.failed) failed in \(String(format: "%.1f", report.elapsedSeconds)) s."
            guard report.succeeded else {
                for failure in report.failures.prefix(50) { log.log(.error, "\(failure.phase) \(failure.item): \(failure.error)") }
                if report.failures.count > 50 { log.log(.error, "…and \(report.failures.count - 50) more failures") }
                throw PluginFailure(line + " \(totals.failed) changes failed (listed above); run Apply again to retry them.")
            }
            return line
        }
    }

    /// An error as one message; Stash refusing the task's session gets words that fit a plugin.
    static func describe(_ error: any Error) -> String {
        if let failure = error as? PluginFailure { return failure.message }
        if case StashError.unauthorized(let url, _, _)? = error as? StashError {
            return sessionRejected(url)
        }
        let text = OperationFailure.describe(error)
        if text.contains("(HTTP 401)") { return sessionRejected(nil) }
        return text
    }

    private static func sessionRejected(_ url: String?) -> String {
        "Stash\(url.map { " at \($0)" } ?? "") refused the plugin task's session (HTTP 401); run the task again from Stash "
            + "(its session may have expired or Stash was restarted)"
    }
}
