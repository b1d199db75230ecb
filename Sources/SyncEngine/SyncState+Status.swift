import Foundation
import GRDB
import MappingRules

/// Per-object dirty flags and errors, and the record of each sync run.
extension SyncState {
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
}
