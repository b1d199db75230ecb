import ArgumentParser
import Foundation
import Logging
import SyncEngine

/// `fansly-stash stash-plugin`: what Stash runs for the plugin's tasks (`plugin/fansly-stash.yml`).
struct StashPluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stash-plugin",
        abstract: "Run a task of the fansly-stash Stash plugin (Stash writes its JSON to standard input).",
        discussion: """
            Started by Stash (Settings → Tasks → Plugin Tasks), not by hand: reads Stash's plugin input \
            from standard input, the plugin's settings from Stash, and plans (mode plan) or plans and \
            applies (mode apply). Logs and progress go to standard error in Stash's plugin format; the \
            result goes to standard output as {"output": …} or {"error": …}.
            """)

    func run() async throws {
        let log = StashPluginLog()
        // Library log lines (retries, a newer Stash) must reach Stash prefixed too.
        LoggingSystem.bootstrap { label in StashPluginLogHandler(log: log, label: label) }
        let result: StashPluginTask.Result
        do {
            let input = try JSONDecoder().decode(
                StashPluginInput.self, from: FileHandle.standardInput.readDataToEndOfFile())
            result = await StashPluginTask(input: input, log: log, tool: FanslyStash.tool).run()
        } catch {
            let message =
                "the plugin input from Stash could not be read (\(OperationFailure.describe(error))); "
                + "this command is run by Stash for the plugin's tasks"
            log.log(.error, message)
            result = .error(message)
        }
        FileHandle.standardOutput.write(Data((result.json + "\n").utf8))
        if case .error = result { throw ExitCode(1) }
    }
}

/// swift-log through the plugin log's prefixed lines.
struct StashPluginLogHandler: LogHandler {
    let log: StashPluginLog
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let mapped: StashPluginLog.Level
        switch event.level {
        case .trace: mapped = .trace
        case .debug: mapped = .debug
        case .info, .notice: mapped = .info
        case .warning: mapped = .warning
        case .error, .critical: mapped = .error
        }
        log.log(mapped, event.message.description)
    }
}
