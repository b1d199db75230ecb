/// Recognises a PostgreSQL metadata database: the tables and columns of the schema the reader uses
/// (`information_schema`, current schema only), the alembic revision, and whether the downloader
/// ever stored attachment rows.
enum PostgresSchema {
    /// Reads and checks the schema; `warnings` gets a line for an alembic revision fansly-stash does
    /// not know (a newer downloader) when everything needed is there anyway.
    static func read(_ session: PostgresSession, warnings: inout [String]) throws -> DatabaseSchema {
        let url = session.endpoint.redactedURL
        var columns: [String: Set<String>] = [:]
        var tables: [String] = []
        try session.query(
            """
            SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type IN ('BASE TABLE', 'VIEW')
            ORDER BY c.table_name, c.ordinal_position
            """
        ) { row in
            let table = row.string(0) ?? ""
            if columns[table.lowercased()] == nil { tables.append(table) }
            columns[table.lowercased(), default: []].insert((row.string(1) ?? "").lowercased())
        }
        let core = ["accounts", "posts", "media", "account_media"]
        guard core.contains(where: { columns[$0] != nil }) else {
            throw MetadataError.notMetadataDatabase(path: url, tables: tables)
        }
        let known = Set((DatabaseSchema.required + DatabaseSchema.optional).map(\.table) + ["alembic_version"])
        let relevant = columns.filter { known.contains($0.key) }
        var version: String?
        do {
            try DatabaseSchema.check(relevant, path: url)
        } catch MetadataError.missingSchema(let path, var missing) {
            // A revision it does not know explains a missing column best: say which one it is.
            if relevant["alembic_version"] != nil, let found = try? alembicVersion(session),
                !DatabaseSchema.knownAlembicRevisions.contains(found)
            {
                missing.append("(alembic revision \(found) is newer than fansly-stash knows)")
            }
            throw MetadataError.missingSchema(path: path, missing: missing)
        }
        version = try alembicVersion(session)
        guard let version else { throw MetadataError.missingAlembicVersion(path: url, tableExists: true) }
        if !DatabaseSchema.knownAlembicRevisions.contains(version) {
            warnings.append(
                "\(url) is at alembic revision \(version), which fansly-stash does not know (it knows fansly-scraper "
                    + "up to v0.15.1, revision b6d60f698c27); every table and column it reads is there, so it reads on. "
                    + "Check the plan, and update fansly-stash if something looks wrong.")
        }
        return DatabaseSchema(columns: relevant, alembicVersion: version)
    }

    private static func alembicVersion(_ session: PostgresSession) throws -> String? {
        var version: String?
        try session.query("SELECT version_num::text FROM alembic_version LIMIT 1") { version = $0.string(0) }
        return version
    }
}
