import ArgumentParser
import Foundation
import StashClient

/// The `fansly-stash` command: maps a fansly-downloader metadata database into Stash.
/// Each subcommand lives in its own file and stays thin: parsing, then a call into a library.
@main
struct FanslyStash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fansly-stash",
        abstract: "Map a Fansly downloader's metadata database into Stash, rule-driven.",
        discussion: """
            Typical use:
              fansly-stash inspect --db metadata_db.sqlite3
              fansly-stash plan --db metadata_db.sqlite3 --stash-url http://localhost:9999 --out sync.plan
              fansly-stash apply sync.plan
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, InspectCommand.self, RulesCommand.self, PlanCommand.self, ApplyCommand.self,
            ShowCommand.self,
            StashPluginCommand.self,
        ]
    )

    /// Name and version as written into plans.
    static var tool: String { "fansly-stash \(configuration.version)" }

    /// Runs the command with the exit codes the docs promise: 0 success, 1 any error (usage errors
    /// included, which ArgumentParser would report as 64), 2 only where a command asks for it
    /// (`plan --detailed-exitcode`).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            // A refused --stash-url is quoted back: never with a key in it.
            let message = StashEndpoint.redactingCredentials(in: fullMessage(for: error))
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code == .validationFailure ? 1 : code.rawValue)
        }
    }
}
