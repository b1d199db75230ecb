public import Foundation

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
    /// A `postgresql://` URL that cannot be used (shown without its password).
    case invalidPostgresURL(url: String, reason: String)
    /// The downloader's `config.yaml` / `config.ini` cannot be read.
    case invalidConfig(path: String, reason: String)
    /// No PostgreSQL server answers at `server` (`host:port`): refused, unknown host, unreachable.
    case postgresUnreachable(server: String, reason: String)
    /// The server refused the user's password (or wanted one and none was given).
    /// `passwordSource` says where the password came from, nil when there was none.
    case postgresAuthenticationFailed(url: String, user: String, passwordSource: String?)
    /// The server has no database of that name.
    case postgresDatabaseNotFound(url: String, database: String)
    /// TLS was required and the server does not offer it, or the server requires TLS.
    case postgresTLS(url: String, reason: String)
    /// Connecting or a query took longer than allowed.
    case postgresTimeout(url: String, operation: String, seconds: Int)
    /// The server reported an error while reading (permissions, a dropped connection).
    case postgresFailed(url: String, reason: String)

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
            let kind = PostgresEndpoint.isURL(path) ? "a PostgreSQL database" : "an SQLite database"
            return "\(path) is \(kind) but not a fansly-scraper metadata database: none of the tables "
                + "accounts, posts, media, account_media exist (\(found))."
        case .missingSchema(let path, let missing):
            let schema =
                PostgresEndpoint.isURL(path)
                ? "fansly-scraper v0.11 to v0.15.1 (alembic revision b6d60f698c27)"
                : "fansly-scraper v0.10.x (alembic revision 06658bf47c03)"
            return
                "\(path) is not a complete fansly-scraper metadata database: missing \(missing.joined(separator: ", ")). "
                + "fansly-stash reads the schema of \(schema)."
        case .missingAlembicVersion(let path, let tableExists):
            let what = tableExists ? "its alembic_version table is empty" : "it has no alembic_version table"
            if PostgresEndpoint.isURL(path) {
                return
                    "\(path) has the fansly-scraper tables but \(what), so it was not created by fansly-scraper's migrations "
                    + "or is damaged. Run the downloader once (it migrates its database on start), or point at its own database."
            }
            return
                "\(path) has the fansly-scraper tables but \(what), so it was not created by fansly-scraper's migrations "
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
        case .invalidPostgresURL(let url, let reason):
            return "Cannot use \(url): \(reason). Write it as postgresql://user@host:port/database "
                + "(password from $FANSLY_PG_PASSWORD, $PGPASSWORD or ~/.pgpass, or in the URL)."
        case .invalidConfig(let path, let reason):
            return "Cannot read the downloader configuration \(path): \(reason)."
        case .postgresUnreachable(let server, let reason):
            return
                "Cannot connect to PostgreSQL at \(server): \(reason). Is the server running, and are pg_host/pg_port "
                + "(or the URL's host and port) right?"
        case .postgresAuthenticationFailed(let url, let user, let source):
            if let source {
                return "PostgreSQL refused the password of user \(user) for \(url) (password from \(source)). "
                    + "Set FANSLY_PG_PASSWORD to the right password (it wins over config files), or fix \(source)."
            }
            return "PostgreSQL wants a password for user \(user) at \(url) and none was given. "
                + "Set FANSLY_PG_PASSWORD (the downloader's variable), or PGPASSWORD, or add it to ~/.pgpass."
        case .postgresDatabaseNotFound(let url, let database):
            return
                "The PostgreSQL server of \(url) has no database '\(database)'. Check pg_database in the downloader's "
                + "config.yaml (default fansly_metadata) or the database name in the URL."
        case .postgresTLS(let url, let reason):
            return "Cannot connect to \(url): \(reason)."
        case .postgresTimeout(let url, let operation, let seconds):
            return "PostgreSQL at \(url) did not answer within \(seconds) s while \(operation). "
                + "Check that the server is reachable and not blocked (a long migration or lock), then try again."
        case .postgresFailed(let url, let reason):
            return "Reading \(url) failed: \(reason)."
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    private static func list(_ items: [String], limit: Int) -> String {
        items.count <= limit
            ? items.joined(separator: ", ")
            : items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
    }
}
