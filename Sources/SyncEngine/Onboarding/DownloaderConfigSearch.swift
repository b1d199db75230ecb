public import FanslyMetadata
public import Foundation
public import StashClient

extension StarterRulesRequest {
    /// The downloader's configuration files, in the order `init` looks for them in a folder
    /// (the downloader reads `config.yaml` since v0.13 and migrates an older `config.ini`).
    static let configNames = ["config.yaml", "config.ini"]

    /// The downloader configuration in `folder`, if there is one.
    public static func downloaderConfig(in folder: String) -> String? {
        configNames.map { URL(fileURLWithPath: folder).appendingPathComponent($0).path }
            .first { FileManager.default.isReadableFile(atPath: $0) }
    }

    /// The request for a resolved `--db`: the database as `plan --db` will take it again (the SQLite
    /// file, or for PostgreSQL the URL without password or the configuration file), the download folder the
    /// configuration names, and where each came from.
    public init(
        resolved: ResolvedDatabase, stashURL: URL?, apiKey: StashAPIKey?,
        apiKeyEnvironmentVariable: String = StashAPIKey.defaultEnvironmentVariable
    ) {
        // A SQLite file is named itself; PostgreSQL by the URL without password, or the configuration.
        var database = resolved.argument
        var origin = resolved.description
        if case .sqlite(let path) = resolved.location {
            database = path
            origin = resolved.configFile.map { "from \($0)" } ?? "SQLite"
        }
        self.init(
            database: database, databaseOrigin: origin, downloadFolder: resolved.downloadRoot,
            downloadFolderOrigin: resolved.configFile.map { "download_directory in \($0)" }, stashURL: stashURL,
            apiKey: apiKey, apiKeyEnvironmentVariable: apiKeyEnvironmentVariable)
    }
}
