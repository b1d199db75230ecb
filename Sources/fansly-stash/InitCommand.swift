import ArgumentParser
import FanslyMetadata
import Foundation
import StashClient
import SyncEngine

/// `fansly-stash init`: writes a commented starter rules file with what it finds.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter rules file: the database, the download folder and where Stash sees it.",
        discussion: """
            Reads the downloader's config.yaml or config.ini (in the current folder, or --db), checks that \
            Stash answers and the API key works (with --stash-url or $STASH_URL), finds where Stash sees \
            the download folder, and writes `extends: default` rules saying so, with comments. Never \
            overwrites a file. Exit 1 when something could not be checked (the file is still written).
            """)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The database: a SQLite file, a postgresql:// URL, or the downloader's config.yaml/config.ini (default: the one in this folder).",
            valueName: "path|url"))
    var db: String?

    @Option(
        name: .customLong("stash-url"),
        help: ArgumentHelp(
            "Stash's base URL (default: $STASH_URL); without either, Stash is not checked.",
            valueName: "url"), transform: StashEndpoint.argument)
    var stashURL: StashEndpoint?

    @Option(
        name: .customLong("api-key-env"),
        help: ArgumentHelp("The environment variable holding Stash's API key.", valueName: "name"))
    var apiKeyEnv: String = StashAPIKey.defaultEnvironmentVariable

    @Option(name: .long, help: ArgumentHelp("The rules file to write (never overwritten).", valueName: "file"))
    var out: String = "fansly-stash.yaml"

    func run() async throws {
        let path = URL(fileURLWithPath: (out as NSString).expandingTildeInPath).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw PlanCommandError(
                message: "\(path) already exists; init never overwrites a file: remove it or pass --out NEW.yaml")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder) else {
            throw PlanCommandError(message: "cannot write \(path): the folder \(folder) does not exist")
        }
        let here = FileManager.default.currentDirectoryPath
        guard let argument = db ?? StarterRulesRequest.downloaderConfig(in: here) else {
            throw PlanCommandError(
                message: "no --db given and no config.yaml or config.ini (the downloader's configuration) in \(here); "
                    + "pass --db with the database file, a postgresql:// URL or the downloader's configuration file")
        }
        let starter: StarterRules
        var resolvedLocation: MetadataLocation?
        do {
            let resolved = try ResolvedDatabase.resolve(argument)
            resolvedLocation = resolved.location
            for warning in resolved.warnings { FileHandle.standardError.write(Data("Note: \(warning)\n".utf8)) }
            let store = try MetadataStores.open(resolved)
            let stash = try StashConnection(
                flag: stashURL, apiKeyEnv: apiKeyEnv, environment: ProcessInfo.processInfo.environment)
            let request = StarterRulesRequest(
                resolved: resolved, stashURL: stash.endpoint?.url, apiKey: stash.apiKey,
                apiKeyEnvironmentVariable: apiKeyEnv)
            starter = try await StarterRules.make(request, store: store)
        } catch {
            throw PlanCommandError(error)
        }
        do {
            try Data(starter.text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
        } catch {
            throw PlanCommandError(message: "cannot write \(path): \(error.localizedDescription)")
        }
        var report = "Found:\n" + starter.findings.map { "  \($0)\n" }.joined()
        var database = argument
        if case .sqlite(let file)? = resolvedLocation { database = file }
        report +=
            "Wrote \(path). Check it, then plan with:\n    fansly-stash plan --rules \(path) --db \(database)"
            + (stashURL.map { " --stash-url \($0)" } ?? "") + "\n"
        FileHandle.standardOutput.write(Data(report.utf8))
        guard starter.problems.isEmpty else {
            throw PlanCommandError(message: starter.problems.joined(separator: "\n"))
        }
    }
}
