import Foundation
import GRDB
import MappingRules

/// The create journal: a create is journalled before it is sent, so an interrupted apply looks it
/// up in Stash instead of sending it twice (Docs/sync-state.md).
extension SyncState {
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
}
