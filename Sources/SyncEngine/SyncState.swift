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
    private static let encoder: JSONEncoder = {
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
            try Row.fetchOne(db, sql: "SELECT * FROM link WHERE address = ?", arguments: [address.description])
                .map(Self.link(from:))
        }
    }

    /// Every remembered link.
    public func allLinks() throws -> [EntityAddress: SyncLink] {
        try read { db in
            var links: [EntityAddress: SyncLink] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM link")
            while let row = try cursor.next() {
                let link = try Self.link(from: row)
                links[link.address] = link
            }
            return links
        }
    }

    /// The links of `addresses` that have one (one query, for a batch).
    func links(for addresses: [EntityAddress]) throws -> [EntityAddress: SyncLink] {
        try read { db in
            let links = try Self.rows(db, "SELECT * FROM link WHERE", addresses: addresses).map(Self.link(from:))
            return Dictionary(links.map { ($0.address, $0) }) { _, last in last }
        }
    }

    /// Rows of `select` (ending in `WHERE`) whose `address` is one of `addresses`, in chunks that stay
    /// under SQLite's limit on bound parameters.
    private static func rows(_ db: Database, _ select: String, addresses: [EntityAddress]) throws -> [Row] {
        var rows: [Row] = []
        for start in stride(from: 0, to: addresses.count, by: 500) {
            let chunk = addresses[start..<min(start + 500, addresses.count)].map(\.description)
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            rows += try Row.fetchAll(db, sql: "\(select) address IN (\(marks))", arguments: StatementArguments(chunk))
        }
        return rows
    }

    /// The Stash id of every linked address, without the written fields (cheap for large libraries).
    func allLinkedIds() throws -> [EntityAddress: String] {
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

    private func recordWritten(_ writes: [WrittenObject], at date: Date, in db: Database) throws {
        for object in writes {
            var fields: [String: FieldValue] = [:]
            if let json = try String.fetchOne(
                db, sql: "SELECT written_fields FROM link WHERE address = ? AND stash_id = ?",
                arguments: [object.address.description, object.stashId])
            {
                fields = try JSONDecoder().decode([String: FieldValue].self, from: Data(json.utf8))
            }
            fields.merge(object.fields) { _, new in new }
            let json = String(decoding: try Self.encoder.encode(fields), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO link(address, kind, stash_id, written_fields, fields_hash, written_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(address) DO UPDATE SET stash_id = excluded.stash_id, written_fields = excluded.written_fields,
                        fields_hash = excluded.fields_hash, written_at = excluded.written_at
                    """,
                arguments: [
                    object.address.description, object.address.kind.rawValue, object.stashId, json,
                    Self.hash(fields), date.timeIntervalSince1970,
                ])
            try db.execute(sql: "DELETE FROM object_status WHERE address = ?", arguments: [object.address.description])
        }
    }

    /// Forgets the link of `address` (its Stash object is gone).
    func removeLink(_ address: EntityAddress) throws {
        try write { db in try db.execute(sql: "DELETE FROM link WHERE address = ?", arguments: [address.description]) }
    }

    /// SHA-256 (hex) of fields in a canonical form: equal fields, equal hash.
    public static func hash(_ fields: [String: FieldValue]) -> String {
        let data = (try? encoder.encode(fields)) ?? Data()
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    private static func link(from row: Row) throws -> SyncLink {
        let text: String = row["address"]
        guard let address = EntityAddress(text) else {
            throw SyncStateError.corrupt(detail: "invalid address '\(text)'")
        }
        let json: String = row["written_fields"]
        let fields = try JSONDecoder().decode([String: FieldValue].self, from: Data(json.utf8))
        return SyncLink(
            address: address, stashId: row["stash_id"], writtenFields: fields,
            writtenAt: Date(timeIntervalSince1970: row["written_at"]))
    }

    // MARK: - Create journal

    /// Journals creates about to be sent. Call (and let it return) before sending them.
    func journalCreates(_ entries: [PendingCreate], at date: Date = Date()) throws {
        guard !entries.isEmpty else { return }
        try write { db in
            for entry in entries {
                let match = String(decoding: try Self.encoder.encode(entry.match), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO create_journal(address, kind, match, status, started_at, attempts)
                        VALUES (?, ?, ?, 'pending', ?, 1)
                        ON CONFLICT(address) DO UPDATE SET match = excluded.match, status = 'pending', stash_id = NULL,
                            started_at = excluded.started_at, confirmed_at = NULL, attempts = create_journal.attempts + 1
                        """,
                    arguments: [
                        entry.address.description, entry.address.kind.rawValue, match, date.timeIntervalSince1970,
                    ])
            }
        }
    }

    /// Confirms creates that Stash answered (or that were found again after a lost reply): the journal
    /// entry is marked confirmed and the link recorded, in one transaction.
    func confirmCreates(_ created: [WrittenObject], at date: Date = Date()) throws {
        guard !created.isEmpty else { return }
        try write { db in
            for object in created {
                try db.execute(
                    sql: """
                        UPDATE create_journal SET status = 'confirmed', stash_id = ?, confirmed_at = ? WHERE address = ?
                        """, arguments: [object.stashId, date.timeIntervalSince1970, object.address.description])
            }
            try self.recordWritten(created, at: date, in: db)
        }
    }

    /// Drops the journal entries of creates that Stash definitely refused (nothing was created).
    func abandonCreates(_ addresses: [EntityAddress]) throws {
        guard !addresses.isEmpty else { return }
        try write { db in
            for address in addresses {
                try db.execute(
                    sql: "DELETE FROM create_journal WHERE address = ? AND status = 'pending'",
                    arguments: [address.description])
            }
        }
    }

    /// Creates journalled and never confirmed: each may or may not exist in Stash.
    func pendingCreates() throws -> [PendingCreate] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT address, match FROM create_journal WHERE status = 'pending' ORDER BY address"
            )
            .map(Self.pendingCreate(from:))
        }
    }

    /// The unconfirmed creates among `addresses` (one query, for a batch).
    func pendingCreates(for addresses: [EntityAddress]) throws -> [EntityAddress: PendingCreate] {
        try read { db in
            let entries = try Self.rows(
                db, "SELECT address, match FROM create_journal WHERE status = 'pending' AND",
                addresses: addresses
            ).map(Self.pendingCreate(from:))
            return Dictionary(entries.map { ($0.address, $0) }) { _, last in last }
        }
    }

    /// The unconfirmed create of `address`, if any.
    func pendingCreate(for address: EntityAddress) throws -> PendingCreate? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT address, match FROM create_journal WHERE status = 'pending' AND address = ?",
                arguments: [address.description]
            ).map(Self.pendingCreate(from:))
        }
    }

    private static func pendingCreate(from row: Row) throws -> PendingCreate {
        let text: String = row["address"]
        guard let address = EntityAddress(text) else {
            throw SyncStateError.corrupt(detail: "invalid address '\(text)'")
        }
        let json: String = row["match"]
        return PendingCreate(address: address, match: try JSONDecoder().decode([MatchKey].self, from: Data(json.utf8)))
    }

    // MARK: - Dirty flags and errors

    /// Marks objects dirty: an update to them is being sent and not yet confirmed.
    func markDirty(_ addresses: [EntityAddress], at date: Date = Date()) throws {
        guard !addresses.isEmpty else { return }
        try write { db in
            for address in addresses {
                try db.execute(
                    sql: """
                        INSERT INTO object_status(address, dirty, updated_at) VALUES (?, 1, ?)
                        ON CONFLICT(address) DO UPDATE SET dirty = 1, updated_at = excluded.updated_at
                        """, arguments: [address.description, date.timeIntervalSince1970])
            }
        }
    }

    /// Clears the dirty flag and error of objects (recording writes does this too).
    func markClean(_ addresses: [EntityAddress]) throws {
        guard !addresses.isEmpty else { return }
        try write { db in
            for address in addresses {
                try db.execute(sql: "DELETE FROM object_status WHERE address = ?", arguments: [address.description])
            }
        }
    }

    /// Objects whose last update was sent but never confirmed.
    func dirtyAddresses() throws -> [EntityAddress] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT address FROM object_status WHERE dirty = 1")
                .compactMap(EntityAddress.init).sorted()
        }
    }

    /// Records the error that made an object fail (kept until it is written successfully).
    func recordErrors(_ errors: [(EntityAddress, String)], at date: Date = Date()) throws {
        guard !errors.isEmpty else { return }
        try write { db in
            for (address, message) in errors {
                try db.execute(
                    sql: """
                        INSERT INTO object_status(address, dirty, error, updated_at) VALUES (?, 0, ?, ?)
                        ON CONFLICT(address) DO UPDATE SET error = excluded.error, updated_at = excluded.updated_at
                        """, arguments: [address.description, message, date.timeIntervalSince1970])
            }
        }
    }

    /// The last error of each object that has one.
    func errors() throws -> [EntityAddress: String] {
        try read { db in
            var errors: [EntityAddress: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT address, error FROM object_status WHERE error IS NOT NULL") {
                if let address = EntityAddress(row["address"] as String) { errors[address] = row["error"] }
            }
            return errors
        }
    }

    // MARK: - Sync runs

    /// Records the start of an apply and returns its id.
    func beginRun(stashURL: String, planCreatedAt: Date?, at date: Date = Date()) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO sync_run(started_at, stash_url, plan_created_at, status) VALUES (?, ?, ?, 'running')",
                arguments: [date.timeIntervalSince1970, stashURL, planCreatedAt?.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Records the end of an apply with its counts.
    func finishRun(_ id: Int64, report: SyncReport, at date: Date = Date()) throws {
        let t = report.totals
        try write { db in
            try db.execute(
                sql: """
                    UPDATE sync_run SET finished_at = ?, status = ?, created = ?, updated = ?, unchanged = ?, skipped = ?,
                        failed = ?, requests = ? WHERE id = ?
                    """,
                arguments: [
                    date.timeIntervalSince1970, report.succeeded ? "succeeded" : "failed", t.created, t.updated,
                    t.unchanged, t.skipped, t.failed, report.requests, id,
                ])
        }
    }

    /// The last `limit` runs, newest first. A run still `running` with no end was interrupted.
    func recentRuns(limit: Int = 10) throws -> [SyncRun] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sync_run ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                row in
                var counts = OutcomeCounts()
                counts.created = row["created"] ?? 0; counts.updated = row["updated"] ?? 0
                counts.unchanged = row["unchanged"] ?? 0; counts.skipped = row["skipped"] ?? 0;
                counts.failed = row["failed"] ?? 0
                let finished: Double? = row["finished_at"]
                return SyncRun(
                    id: row["id"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    finishedAt: finished.map(Date.init(timeIntervalSince1970:)), stashURL: row["stash_url"],
                    status: row["status"], counts: counts, requests: row["requests"])
            }
        }
    }

    // MARK: - Plumbing

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try dbQueue.read(body) } catch let error as DatabaseError {
            throw SyncStateError.database(path: path, reason: error.message ?? error.description)
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
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

/// Fields written to one Stash object.
struct WrittenObject: Sendable, Hashable {
    /// The entity written.
    var address: EntityAddress
    /// The Stash object it was written to.
    var stashId: String
    /// In `after` form with refs resolved to ids.
    var fields: [String: FieldValue]
    /// Fields written to `stashId` for `address`.
    init(address: EntityAddress, stashId: String, fields: [String: FieldValue]) {
        self.address = address; self.stashId = stashId; self.fields = fields
    }
}

/// A journalled create: how to find the object again if its reply was lost.
struct PendingCreate: Sendable, Hashable {
    /// The entity being created.
    var address: EntityAddress
    /// The plan's match keys for it, to find it again.
    var match: [MatchKey]
    /// A create of `address`, findable by `match`.
    init(address: EntityAddress, match: [MatchKey]) { self.address = address; self.match = match }
}

/// One recorded apply run.
struct SyncRun: Sendable, Hashable {
    /// The run's number (increasing).
    public var id: Int64
    /// When it started.
    var startedAt: Date
    /// Nil when the run was interrupted.
    var finishedAt: Date?
    /// The Stash it wrote to.
    var stashURL: String
    /// `running` (or interrupted), `succeeded`, `failed`.
    var status: String
    /// Its outcomes (zero while running).
    var counts: OutcomeCounts
    /// HTTP requests sent, when known.
    var requests: Int?
}

/// Errors of the state file.
enum SyncStateError: Error, LocalizedError, Equatable {
    case cannotOpen(path: String, reason: String)
    case database(path: String, reason: String)
    case otherStash(path: String, recorded: String, requested: String)
    case corrupt(detail: String)

    public var errorDescription: String? {
        switch self {
        case .cannotOpen(let path, let reason):
            return
                "cannot open the sync state file \(path): \(reason). Check the folder is writable, or pass --state PATH."
        case .database(let path, let reason):
            return "sync state file \(path): \(reason)"
        case .otherStash(let path, let recorded, let requested):
            return "the sync state file \(path) belongs to \(recorded), not \(requested). "
                + "Pass --state with the file for this Stash (or a new path)."
        case .corrupt(let detail):
            return "the sync state file is damaged: \(detail)"
        }
    }
}
