import FanslyMetadata
import Foundation

/// The one place that turns what the user gave as `--db` into an open metadata database.
///
/// Every operation (plan, apply's staleness check) and the `inspect` and `rules explain` commands
/// open the downloader's database through here, so that another kind of source (a PostgreSQL URL)
/// is added in this file alone. The database is always opened read-only.
public enum MetadataOpening {
    /// Opens the database `spec` names (today: the path of a SQLite file, relative to the current
    /// folder). Throws `MetadataError` with what is wrong (missing file, a folder, not SQLite, …).
    public static func open(_ spec: String) throws -> MetadataDatabase {
        try MetadataDatabase(path: spec)
    }

    /// How `spec` is shown in progress lines and messages: never with a secret in it.
    public static func displayName(_ spec: String) -> String {
        URL(fileURLWithPath: spec).standardizedFileURL.path
    }
}
