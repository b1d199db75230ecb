import GRDB

/// The tables and columns a metadata database has, checked once when it is opened.
/// Optional tables and columns that are absent read as empty / NULL instead of failing.
struct DatabaseSchema: Sendable {
    /// Lower-cased table name → lower-cased column names.
    let columns: [String: Set<String>]
    let alembicVersion: String?

    /// Tables and columns without which nothing can be read.
    static let required: [(table: String, columns: [String])] = [
        ("accounts", ["id", "username"]),
        ("media", ["id", "accountId", "mimetype", "type", "local_filename", "is_downloaded"]),
        ("media_variants", ["mediaId", "variantId"]),
        ("account_media", ["id", "accountId", "mediaId", "previewId", "access"]),
        ("posts", ["id", "accountId", "content", "createdAt"]),
        ("attachments", ["id", "postId", "messageId", "contentId", "pos", "contentType"]),
        ("messages", ["id", "groupId", "senderId", "recipientId", "content", "createdAt"]),
        ("hashtags", ["id", "value"]),
        ("post_hashtags", ["postId", "hashtagId"]),
        ("post_mentions", ["postId", "accountId", "handle"]),
    ]

    /// Tables that may be absent (older or trimmed databases); when present they need these columns.
    static let optional: [(table: String, columns: [String])] = [
        ("account_media_bundles", ["id", "accountId"]),
        ("account_media_bundle_media", ["bundle_id", "media_id", "pos"]),
        ("walls", ["id", "accountId"]),
        ("wall_posts", ["wallId", "postId"]),
        ("pinned_posts", ["postId"]),
        ("stories", ["id", "authorId", "content"]),
        ("groups", ["id", "createdBy"]),
        ("group_users", ["groupId", "accountId"]),
        ("account_avatar", ["accountId", "mediaId"]),
        ("account_banner", ["accountId", "mediaId"]),
        // PostgreSQL (v0.11+) only.
        ("media_stories", ["id", "accountId", "contentId", "createdAt"]),
        ("stub_tracker", ["table_name", "record_id"]),
    ]

    /// Every alembic revision fansly-scraper's migrations have (v0.10 head 06658bf47c03, v0.15.1
    /// head b6d60f698c27); another one comes from a newer downloader, read with a warning.
    static let knownAlembicRevisions: Set<String> = [
        "1c766f50e19a", "64dc46541521", "39e07e00a3f6", "84146fdb359d", "4b98a29f4965", "b2f528bacfd3",
        "a4e07e00b3f7", "b4e07e00b3f8", "d061d57b6139", "merge_recent_migrations", "00c9f171789c",
        "7cc9ae5e798a", "6196a903fd09", "7c3779509867", "0b04c70972e4", "f8df81787709", "6dcb1d898d8b",
        "cc6fe4e9ef45", "4416b99f028e", "0c4cb91b36d5", "1941514875f1", "7f057c9b00e0", "cfe472c5a1ae",
        "06658bf47c03", "ebb4481bb4c7", "2dc7238fee2b", "187642755f36", "b8dcecc1e979", "0e79e34eea22",
        "671bc5c3096d", "e4a1f7e15836", "f1a2b3c4d5e6", "a91d60345484", "7e027587c638", "3a230146cb14",
        "bb7006ec7c0e", "caac8150ed80", "5d3befc60c19", "3b51fe86b710", "b6d60f698c27",
    ]

    /// Reads the schema and checks it, throwing the most specific `MetadataError`.
    static func read(_ db: Database, path: String) throws -> DatabaseSchema {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        let tableSet = Set(tables.map { $0.lowercased() })
        let core = ["accounts", "posts", "media", "account_media"]
        guard core.contains(where: tableSet.contains) else {
            throw MetadataError.notMetadataDatabase(path: path, tables: tables.filter { !$0.hasPrefix("sqlite_") })
        }
        var columns: [String: Set<String>] = [:]
        for name in (required + optional).map(\.table) + ["alembic_version"] where tableSet.contains(name) {
            let names = try Row.fetchAll(db, sql: "PRAGMA table_info(\"\(name)\")").map {
                ($0["name"] as String).lowercased()
            }
            columns[name] = Set(names)
        }
        try check(columns, path: path)
        guard let version = try String.fetchOne(db, sql: "SELECT version_num FROM alembic_version LIMIT 1") else {
            throw MetadataError.missingAlembicVersion(path: path, tableExists: true)
        }
        return DatabaseSchema(columns: columns, alembicVersion: version)
    }

    /// Throws `missingSchema` / `missingAlembicVersion` unless `columns` (lower-cased table → column
    /// names, for the tables the reader knows) has every required table and column.
    static func check(_ columns: [String: Set<String>], path: String) throws {
        var missing: [String] = []
        for (table, needed) in required {
            guard let present = columns[table] else { missing.append("table \(table)"); continue }
            missing += needed.filter { !present.contains($0.lowercased()) }.map { "column \(table).\($0)" }
        }
        for (table, needed) in optional {
            guard let present = columns[table] else { continue }
            missing += needed.filter { !present.contains($0.lowercased()) }.map { "column \(table).\($0)" }
        }
        guard missing.isEmpty else {
            if columns["alembic_version"] == nil { missing.append("table alembic_version") }
            throw MetadataError.missingSchema(path: path, missing: missing)
        }
        guard columns["alembic_version"]?.contains("version_num") == true else {
            throw MetadataError.missingAlembicVersion(path: path, tableExists: columns["alembic_version"] != nil)
        }
    }

    func hasTable(_ table: String) -> Bool { columns[table] != nil }

    /// The quoted column, or `NULL` when this database lacks it (so one SELECT fits every version).
    func column(_ table: String, _ column: String, alias: String? = nil) -> String {
        let prefix = alias.map { "\($0)." } ?? ""
        return columns[table]?.contains(column.lowercased()) == true ? "\(prefix)\"\(column)\"" : "NULL"
    }

    /// Bundles can be told from phantom bundles only when both bundle tables exist.
    var hasBundles: Bool { hasTable("account_media_bundles") && hasTable("account_media_bundle_media") }
    var hasWalls: Bool { hasTable("walls") && hasTable("wall_posts") }
}
