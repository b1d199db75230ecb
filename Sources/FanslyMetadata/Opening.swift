import Foundation
import GRDB

extension MetadataDatabase {
    /// Checks what can be checked before SQLite sees the file, for precise errors.
    static func checkFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MetadataError.fileNotFound(path: path)
        }
        if isDirectory.boolValue {
            let candidates = ["metadata_db.sqlite3", "meta/metadata.sqlite3"].map {
                (path as NSString).appendingPathComponent($0)
            }
            throw MetadataError.notAFile(
                path: path, candidate: candidates.first { FileManager.default.fileExists(atPath: $0) })
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MetadataError.unreadable(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { throw MetadataError.emptyFile(path: path) }
        guard header == Data("SQLite format 3\0".utf8) else { throw MetadataError.notSQLite(path: path) }
    }

    /// `file:` URI with `mode=ro` when this SQLite understands URIs; the plain path otherwise
    /// (the connection is opened with `SQLITE_OPEN_READONLY` either way).
    static func readOnlyURI(_ path: String) -> String {
        guard sqliteUsesURIs else { return path }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return "file:\(encoded)?mode=ro"
    }

    private static let sqliteUsesURIs: Bool = {
        guard let queue = try? DatabaseQueue(),
            let options = try? queue.read({ try String.fetchAll($0, sql: "PRAGMA compile_options") })
        else { return false }
        return options.contains("USE_URI=1") || options.contains("USE_URI")
    }()

    static func translate(_ error: DatabaseError, path: String) -> MetadataError {
        switch error.resultCode {
        case .SQLITE_NOTADB: return .notSQLite(path: path)
        case .SQLITE_CORRUPT:
            return .unreadable(path: path, reason: "the database file is corrupt (\(error.message ?? "malformed"))")
        case .SQLITE_CANTOPEN:
            return .unreadable(path: path, reason: "SQLite cannot open it (\(error.message ?? "unable to open"))")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .unreadable(
                path: path,
                reason:
                    "another program kept it locked (the downloader saves it every 60 seconds); try again in a minute")
        case .SQLITE_PERM, .SQLITE_AUTH: return .unreadable(path: path, reason: "permission denied")
        default: return .unreadable(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }
}

/// "Did you mean" candidates: case-insensitive edit distance, prefix and substring matches.
enum Suggestions {
    static func closest(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let wanted = name.lowercased()
        let scored = candidates.map { candidate -> (String, Int) in
            let lower = candidate.lowercased()
            var score = distance(Array(wanted), Array(lower))
            if lower.hasPrefix(wanted) || wanted.hasPrefix(lower) || (wanted.count >= 3 && lower.contains(wanted)) {
                score = min(score, 1)
            }
            return (candidate, score)
        }
        let threshold = max(2, wanted.count / 3)
        return scored.filter { $0.1 <= threshold }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// A content fingerprint: counts, max ids and download state of the main tables, hashed (FNV-1a).
enum Fingerprint {
    static func compute(_ db: Database, schema: DatabaseSchema) throws -> String {
        var parts: [String] = []
        let tables: [(String, String)] = [
            (
                "accounts",
                "count(*), max(id), total(length(username)) + total(length(\(schema.column("accounts", "about"))))"
            ),
            ("posts", "count(*), max(id), total(length(content))"),
            ("messages", "count(*), max(id), total(length(content))"),
            (
                "media",
                "count(*), max(id), total(\(schema.column("media", "is_downloaded"))), count(local_filename), total(length(\(schema.column("media", "content_hash"))))"
            ),
            ("account_media", "count(*), max(id), total(access), total(\(schema.column("account_media", "deleted")))"),
            ("attachments", "count(*), max(id), total(\"contentId\" % 1000003)"),
            ("hashtags", "count(*), max(id)"), ("post_hashtags", "count(*)"), ("post_mentions", "count(*)"),
            ("media_variants", "count(*)"), ("account_media_bundles", "count(*), max(id)"),
            ("account_media_bundle_media", "count(*), total(pos)"), ("walls", "count(*), max(id)"),
            ("wall_posts", "count(*)"), ("pinned_posts", "count(*)"), ("stories", "count(*)"),
        ]
        for (table, expressions) in tables where schema.hasTable(table) {
            let row = try Row.fetchOne(db, sql: "SELECT \(expressions) FROM \"\(table)\"")
            parts.append(table + ":" + (row?.databaseValues.map(\.description).joined(separator: ",") ?? ""))
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: ";").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
