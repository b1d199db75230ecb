public import Foundation

/// Which backend holds the metadata.
public enum MetadataLocation: Sendable, Hashable {
    /// A fansly-scraper v0.10 SQLite file (absolute path).
    case sqlite(path: String)
    /// A fansly-scraper v0.11+ PostgreSQL database.
    case postgres(PostgresEndpoint)
}

/// What `--db` names, resolved: a SQLite file path, a `postgresql://` / `postgres://` URL, or the
/// downloader's `config.yaml` / `config.ini` (its database and its download folder).
public struct ResolvedDatabase: Sendable, Hashable {
    public var location: MetadataLocation
    /// What saved plans record to re-open this database (`DatabaseIdentity.path`): the SQLite file's
    /// absolute path, the URL without password, or the configuration file's absolute path.
    public var argument: String
    /// The downloader configuration it came from, if any.
    public var configFile: String?
    /// The configuration's `download_directory`: the default download root.
    public var downloadRoot: String?
    /// Things the user should know that do not stop the run (an ignored password file).
    public var warnings: [String]

    /// One line saying which database is read, for the report: never the password.
    public var description: String {
        var text: String
        switch location {
        case .sqlite(let path): text = "SQLite database \(path)"
        case .postgres(let endpoint):
            text = "PostgreSQL \(endpoint.summary)"
            if endpoint.sslMode != .prefer { text += " (sslmode=\(endpoint.sslMode.rawValue))" }
            if let source = endpoint.passwordSource { text += ", password from \(source)" }
        }
        if let configFile { text += " (from \(configFile))" }
        return text
    }

    /// Resolves a `--db` argument. Passwords come from the URL or configuration, else
    /// `$FANSLY_PG_PASSWORD`, `$PGPASSWORD`, `~/.pgpass` (for a configuration, `$FANSLY_PG_PASSWORD`
    /// wins over its `pg_password`, as in the downloader).
    /// - Throws: `MetadataError` for an unparsable URL or configuration, or a missing configuration file.
    public static func resolve(
        _ argument: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = NSHomeDirectory()
    ) throws -> ResolvedDatabase {
        var lookup = PasswordLookup(environment: environment, homeDirectory: homeDirectory)
        let text = argument.trimmingCharacters(in: .whitespaces)
        if PostgresEndpoint.isURL(text) {
            let endpoint = lookup.complete(try PostgresEndpoint.parse(url: text, environment: environment))
            return ResolvedDatabase(
                location: .postgres(endpoint), argument: endpoint.redactedURL, configFile: nil,
                downloadRoot: nil, warnings: lookup.warnings)
        }
        let absolute = URL(fileURLWithPath: (text as NSString).expandingTildeInPath).standardizedFileURL.path
        guard DownloaderConfig.isConfigFile(absolute) else {
            return ResolvedDatabase(
                location: .sqlite(path: absolute), argument: absolute, configFile: nil,
                downloadRoot: nil, warnings: [])
        }
        let config = try DownloaderConfig.load(path: absolute)
        if let file = config.metadataDatabaseFile {
            return ResolvedDatabase(
                location: .sqlite(path: file), argument: absolute, configFile: absolute,
                downloadRoot: config.downloadDirectory, warnings: [])
        }
        guard let settings = config.postgres else {
            // A v0.10 configuration without metadata_db_file: the database beside the downloads.
            let folder = config.downloadDirectory ?? URL(fileURLWithPath: absolute).deletingLastPathComponent().path
            return ResolvedDatabase(
                location: .sqlite(path: folder + "/metadata_db.sqlite3"), argument: absolute,
                configFile: absolute, downloadRoot: config.downloadDirectory, warnings: [])
        }
        let user = settings.user ?? "fansly_user"
        var endpoint = PostgresEndpoint(
            host: settings.host ?? "localhost", port: settings.port ?? 5432,
            database: settings.database ?? "fansly_metadata", user: user)
        if let (password, source) = lookup.downloaderPassword() {
            endpoint.password = password; endpoint.passwordSource = source
        } else if let password = settings.password {
            endpoint.password = password; endpoint.passwordSource = .configFile(absolute)
        } else if let (password, source) = lookup.fallbackPassword(for: endpoint) {
            endpoint.password = password; endpoint.passwordSource = source
        }
        return ResolvedDatabase(
            location: .postgres(endpoint), argument: absolute, configFile: absolute,
            downloadRoot: config.downloadDirectory, warnings: lookup.warnings)
    }
}
