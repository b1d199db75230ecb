import Foundation

/// Why a metadata database could not be opened or read. Every message names the file (or the
/// table, row and column) and says what to do.
public enum MetadataError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// Nothing exists at the path.
    case fileNotFound(path: String)
    /// The path is a directory; `candidate` is a metadata database found inside it, if any.
    case notAFile(path: String, candidate: String?)
    /// The file has 0 bytes.
    case emptyFile(path: String)
    /// The file is not an SQLite database.
    case notSQLite(path: String)
    /// An SQLite database without any of the downloader's core tables.
    case notMetadataDatabase(path: String, tables: [String])
    /// A metadata database lacking tables or columns the reader needs, named as
    /// `table posts` or `column media.local_filename`.
    case missingSchema(path: String, missing: [String])
    /// The downloader's tables are there but `alembic_version` (or its row) is not.
    case missingAlembicVersion(path: String, tableExists: Bool)
    /// SQLite refused to read the file (permissions, locking, corruption).
    case unreadable(path: String, reason: String)
    /// A stored value cannot be interpreted: a timestamp that is not a timestamp, a NULL id.
    case malformedValue(table: String, rowId: String, column: String, value: String, expected: String)
    /// No account matches the name or id; `suggestions` are the closest creator usernames.
    case unknownCreator(name: String, path: String, suggestions: [String], creators: [String])

    /// The message shown to users: what is wrong, where, and what to do.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "No such file: \(path). Pass the downloader's metadata database "
                + "(metadata_db.sqlite3 in the download folder, or <creator>_fansly/meta/metadata.sqlite3 with separate_metadata)."
        case .notAFile(let path, let candidate):
            if let candidate {
                return "\(path) is a directory, not a database file. Did you mean \(candidate)?"
            }
            return "\(path) is a directory, not a database file. Pass the metadata database inside the download folder "
                + "(metadata_db.sqlite3)."
        case .emptyFile(let path):
            return "\(path) is empty (0 bytes), so it is not a fansly metadata database. "
                + "A running downloader saves its database every 60 seconds: wait for the first save, or use the .sqlite3.bak beside it."
        case .notSQLite(let path):
            return "\(path) is not an SQLite database. Pass the fansly-scraper metadata database (metadata_db.sqlite3)."
        case .notMetadataDatabase(let path, let tables):
            let found = tables.isEmpty ? "it has no tables" : "it has: \(Self.list(tables, limit: 12))"
            return "\(path) is an SQLite database but not a fansly-scraper metadata database: none of the tables "
                + "accounts, posts, media, account_media exist (\(found))."
        case .missingSchema(let path, let missing):
            return "\(path) is not a complete fansly-scraper metadata database: missing \(missing.joined(separator: ", ")). "
                + "fansly-stash reads the schema of fansly-scraper v0.10.x (alembic revision 06658bf47c03)."
        case .missingAlembicVersion(let path, let tableExists):
            let what = tableExists ? "its alembic_version table is empty" : "it has no alembic_version table"
            return "\(path) has the fansly-scraper tables but \(what), so it was not created by fansly-scraper's migrations "
                + "or is damaged. Open the original metadata_db.sqlite3 (or its .sqlite3.bak) instead."
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason)."
        case .malformedValue(let table, let rowId, let column, let value, let expected):
            return "Malformed value in \(table) row \(rowId), column \(column): \(value) (expected \(expected))."
        case .unknownCreator(let name, let path, let suggestions, let creators):
            var text = "No creator '\(name)' in \(path)."
            if !suggestions.isEmpty {
                text += " Did you mean " + suggestions.map { "'\($0)'" }.joined(separator: " or ") + "?"
            }
            if !creators.isEmpty {
                text += " Creators: \(Self.list(creators, limit: 20))."
            }
            return text
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    private static func list(_ items: [String], limit: Int) -> String {
        items.count <= limit ? items.joined(separator: ", ")
            : items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
    }
}
