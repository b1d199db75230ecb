import Crypto
import FanslyMetadata
import Foundation
import GRDB
public import MappingRules
import StashClient

/// fansly-stash's own memory of a Stash library, in a small SQLite file apart from the downloader's
/// database: which Stash object each address maps to and what was last written to it, the create
/// journal that makes an interrupted apply safe to resume, per-object dirty flags and errors, and
/// statistics of the last syncs. See Docs/sync-state.md.
public final class SyncState: SyncLinkReader, @unchecked Sendable {
    /// Path of the state file.
    let path: String
    private let dbQueue: DatabaseQueue
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Opens (creating when missing, with its folder) the state file at `path`.
    public init(path: String) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                // WAL keeps readers (a concurrent `plan`) from blocking apply's writes.
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            dbQueue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(dbQueue)
        } catch let error as DatabaseError {
            throw SyncStateError.cannotOpen(path: path, reason: error.message ?? error.description)
        } catch {
            throw SyncStateError.cannotOpen(path: path, reason: error.localizedDescription)
        }
    }

    // MARK: - Location

    /// The default state file for a Stash URL: `$XDG_STATE_HOME/fansly-stash/<host>-<port>.sqlite3`,
    /// with `$XDG_STATE_HOME` defaulting to `~/.local/state`.
    static func defaultPath(
        forStashURL stashURL: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let stateHome: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateHome = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            stateHome = (home as NSString).appendingPathComponent(".local/state")
        }
        return ((stateHome as NSString).appendingPathComponent("fansly-stash") as NSString)
            .appendingPathComponent(fileName(forStashURL: stashURL))
    }

    /// `<host>-<port>.sqlite3` for a Stash URL (port defaulting from the scheme), safe as a file name.
    static func fileName(forStashURL stashURL: String) -> String {
        let components = URLComponents(string: stashURL)
        let host = components?.host.flatMap { $0.isEmpty ? nil : $0 } ?? "stash"
        let port = components?.port ?? (components?.scheme?.lowercased() == "https" ? 443 : 80)
        let safeHost = String(host.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
        return "\(safeHost)-\(port).sqlite3"
    }

    /// Ties the file to one Stash: records `stashURL` on first use, and refuses a file that belongs to another.
    func bind(toStashURL stashURL: String) throws {
        let normalized = Self.normalize(stashURL)
        try write { db in
            if let recorded = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'stash_url'") {
                guard Self.normalize(recorded) == normalized else {
                    throw SyncStateError.otherStash(
                        path: self.path, recorded: StashEndpoint.redactingCredentials(in: recorded),
                        requested: normalized)
                }
                // An older version recorded the URL as given, credentials included: keep only the clean form.
                if recorded != normalized {
                    try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'stash_url'", arguments: [normalized])
                }
            } else {
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('stash_url', ?)", arguments: [normalized])
            }
        }
    }

    /// The Stash URL the file is bound to, if any.
    func boundStashURL() throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'stash_url'") }
    }

    /// The form a Stash URL is recorded and compared in (`StashEndpoint.comparisonKey`).
    static func normalize(_ url: String) -> String { StashEndpoint.comparisonKey(of: url) ?? "" }

    // MARK: - Links (SyncLinkReader)

    /// The link remembered for `address`, if any.
    public func link(for address: EntityAddress) throws -> SyncLink? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.linkColumns) FROM link WHERE address = ?", arguments: [address.description]
            ).map(Self.link(from:))
        }
    }

    /// Every remembered link (one query; the written fields are read by a hand-written JSON reader:
    /// `JSONDecoder` was most of the time a plan after a full apply spent reading them).
    public func allLinks() throws -> [EntityAddress: SyncLink] {
        try read { db in
            var links: [EntityAddress: SyncLink] = [:]
            links.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM link") ?? 0)
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(Self.linkColumns) FROM link")
            while let row = try cursor.next() {
                let link = try Self.link(from: row)
                links[link.address] = link
            }
            return links
        }
    }

    /// The links of `addresses` that have one (one query, for a batch).
    public func links(for addresses: [EntityAddress]) throws -> [EntityAddress: SyncLink] {
        try read { db in
            let links = try Self.rows(db, "SELECT \(Self.linkColumns) FROM link WHERE", addresses: addresses)
                .map(Self.link(from:))
            return Dictionary(links.map { ($0.address, $0) }) { _, last in last }
        }
    }

    /// Rows of `select` (ending in `WHERE`) whose `address` is one of `addresses`, in chunks that stay
    /// under SQLite's limit on bound parameters.
    static func rows(_ db: Database, _ select: String, addresses: [EntityAddress]) throws -> [Row] {
        var rows: [Row] = []
        for start in stride(from: 0, to: addresses.count, by: 500) {
            let chunk = addresses[start..<min(start + 500, addresses.count)].map(\.description)
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            rows += try Row.fetchAll(db, sql: "\(select) address IN (\(marks))", arguments: StatementArguments(chunk))
        }
        return rows
    }

    /// The Stash id of every linked address, without the written fields (cheap for large libraries).
    public func allLinkedIds() throws -> [EntityAddress: String] {
        try read { db in
            var ids: [EntityAddress: String] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT address, stash_id FROM link")
            while let row = try cursor.next() {
                if let address = EntityAddress(row["address"] as String) { ids[address] = row["stash_id"] }
            }
            return ids
        }
    }

    /// The hash of the fields last written to `address`, if linked.
    func fieldsHash(for address: EntityAddress) throws -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT fields_hash FROM link WHERE address = ?", arguments: [address.description])
        }
    }

    /// Records that `fields` were written to the linked objects: each write's fields are merged over
    /// what was written before, the link is (re)pointed at its Stash id, and the object is marked
    /// clean with its error cleared. One transaction for all.
    func recordWritten(_ writes: [WrittenObject], at date: Date = Date()) throws {
        guard !writes.isEmpty else { return }
        try write { db in try self.recordWritten(writes, at: date, in: db) }
    }

    func recordWritten(_ writes: [WrittenObject], at date: Date, in db: Database) throws {
        // Cached statements: apply records every object it writes, a few hundred thousand at scale.
        let previous = try db.cachedStatement(
            sql: "SELECT written_fields FROM link WHERE address = ? AND stash_id = ?")
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO link(address, kind, stash_id, written_fields, fields_hash, written_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(address) DO UPDATE SET stash_id = excluded.stash_id, written_fields = excluded.written_fields,
                    fields_hash = excluded.fields_hash, written_at = excluded.written_at
                """)
        let clean = try db.cachedStatement(sql: "DELETE FROM object_status WHERE address = ?")
        for object in writes {
            var fields: [String: FieldValue] = [:]
            if let json = try String.fetchOne(previous, arguments: [object.address.description, object.stashId]) {
                fields = try Self.writtenFields(Data(json.utf8))
            }
            fields.merge(object.fields) { _, new in new }
            // The canonical form is both what is stored and what `hash(_:)` hashes.
            let canonical = try Self.encoder.encode(fields)
            try upsert.execute(arguments: [
                object.address.description, object.address.kind.rawValue, object.stashId,
                String(decoding: canonical, as: UTF8.self), Self.hexHash(canonical), date.timeIntervalSince1970,
            ])
            try clean.execute(arguments: [object.address.description])
        }
    }

    /// Forgets the link of `address` (its Stash object is gone).
    func removeLink(_ address: EntityAddress) throws {
        try write { db in try db.execute(sql: "DELETE FROM link WHERE address = ?", arguments: [address.description]) }
    }

    /// SHA-256 (hex) of fields in a canonical form: equal fields, equal hash.
    public static func hash(_ fields: [String: FieldValue]) -> String {
        hexHash((try? encoder.encode(fields)) ?? Data())
    }

    private static func hexHash(_ canonical: Data) -> String {
        // By hand: `String(format: "%02x")` per byte was an eighth of apply's CPU.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: canonical) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The columns `link(from:)` reads, in its order.
    private static let linkColumns = "address, stash_id, written_fields, written_at"

    /// A link from a row of `linkColumns` (read by position).
    private static func link(from row: Row) throws -> SyncLink {
        let text: String = row[0]
        guard let address = EntityAddress(text) else {
            throw SyncStateError.corrupt(detail: "invalid address '\(text)'")
        }
        let fields = try row.withUnsafeData(atIndex: 2) { data in try writtenFields(data ?? Data()) }
        return SyncLink(
            address: address, stashId: row[1], writtenFields: fields, writtenAt: Date(timeIntervalSince1970: row[3]))
    }

    /// Written fields from their JSON: the plan file's reader, and `JSONDecoder` for anything it
    /// refuses (so that any JSON form of a value still reads as before).
    static func writtenFields(_ json: Data) throws -> [String: FieldValue] {
        let fast = json.withUnsafeBytes { bytes in
            try? PlanLineDecoder.fields(inJSON: bytes.bindMemory(to: UInt8.self))
        }
        if let fast { return fast }
        do {
            return try JSONDecoder().decode([String: FieldValue].self, from: json)
        } catch {
            throw SyncStateError.corrupt(detail: "unreadable written fields: \(error.localizedDescription)")
        }
    }

    // MARK: - Plumbing

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try dbQueue.read(body) } catch let error as DatabaseError {
            throw SyncStateError.database(path: path, reason: error.message ?? error.description)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try dbQueue.write(body) } catch let error as DatabaseError {
            throw SyncStateError.database(path: path, reason: error.message ?? error.description)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE link(
                        address TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        stash_id TEXT NOT NULL,
                        written_fields TEXT NOT NULL,
                        fields_hash TEXT NOT NULL,
                        written_at DOUBLE NOT NULL);
                    CREATE TABLE create_journal(
                        address TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        match TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
                        stash_id TEXT,
                        started_at DOUBLE NOT NULL,
                        confirmed_at DOUBLE,
                        attempts INTEGER NOT NULL DEFAULT 1);
                    CREATE INDEX create_journal_pending ON create_journal(status);
                    CREATE TABLE object_status(
                        address TEXT PRIMARY KEY NOT NULL,
                        dirty INTEGER NOT NULL DEFAULT 0,
                        error TEXT,
                        updated_at DOUBLE NOT NULL);
                    CREATE TABLE sync_run(
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        started_at DOUBLE NOT NULL,
                        finished_at DOUBLE,
                        stash_url TEXT NOT NULL,
                        plan_created_at DOUBLE,
                        status TEXT NOT NULL,
                        created INTEGER, updated INTEGER, unchanged INTEGER, skipped INTEGER, failed INTEGER,
                        requests INTEGER);
                    """)
        }
        return migrator
    }
}
