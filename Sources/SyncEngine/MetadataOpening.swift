public import FanslyMetadata
import Foundation

/// The one place that turns what the user gave as `--db` into an open metadata database.
///
/// Every operation (plan, apply's staleness check) and the `inspect` and `rules explain` commands
/// open the downloader's database through here. `--db` is a SQLite file, a `postgresql://` /
/// `postgres://` URL, or the downloader's `config.yaml` / `config.ini` (see `ResolvedDatabase`).
/// The database is always opened read-only; a PostgreSQL database in one snapshot for the run.
public enum MetadataOpening {
    /// Opens the database `spec` names. Throws `MetadataError` with what is wrong (missing file, a
    /// folder, not SQLite, an unreachable server, a refused password, …).
    public static func open(_ spec: String) throws -> any MetadataStore {
        try MetadataStores.open(ResolvedDatabase.resolve(spec))
    }

    /// `open`, with what the user should know about it: which database it is (one line, never the
    /// password) and warnings (an ignored `~/.pgpass`, an alembic revision fansly-stash does not know).
    /// `description` is nil for a plain SQLite path (the path says it all).
    static func openReporting(_ spec: String) throws -> (
        store: any MetadataStore, description: String?, warnings: [String]
    ) {
        let resolved = try ResolvedDatabase.resolve(spec)
        let store = try MetadataStores.open(resolved)
        let plain = resolved.configFile == nil && resolved.argument == resolved.location.sqlitePath
        return (store, plain ? nil : resolved.description, resolved.warnings + store.warnings)
    }

    /// `openReporting`, with which database it is and its warnings sent to `progress` as
    /// `.database` and `.warning` events (what `inspect` and `rules explain` print on standard error).
    static func openAnnouncing(_ spec: String, progress: OperationProgress) throws -> any MetadataStore {
        let (store, description, warnings) = try openReporting(spec)
        if let description { progress(.database(description)) }
        for warning in warnings { progress(.warning(warning)) }
        return store
    }

    /// How `spec` is shown in progress lines and messages: never with a secret in it (a URL
    /// without its password, a path made absolute).
    public static func displayName(_ spec: String) -> String {
        let text = spec.trimmingCharacters(in: .whitespaces)
        if PostgresEndpoint.isURL(text) {
            return (try? PostgresEndpoint.parse(url: text, environment: [:]).redactedURL) ?? "a postgresql:// URL"
        }
        return URL(fileURLWithPath: (text as NSString).expandingTildeInPath).standardizedFileURL.path
    }
}

extension MetadataLocation {
    /// The SQLite file, or nil for PostgreSQL.
    var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }
}
