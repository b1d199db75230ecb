import Foundation
import GRDB

/// Copies a v0.10 SQLite metadata database into a PostgreSQL test database that has the v0.15.1
/// schema, as the downloader's `migrate_to_postgres.py` leaves it: every table and column both have,
/// integers to `bigint`, 0/1 to `boolean`, naive UTC text to `timestamptz`, text to the
/// `contenttype` enum. Foreign keys are not checked while copying (real databases hold dangling
/// references, and the superuser's `session_replication_role = replica` allows them).
public enum SQLiteCopy {
    public static func copy(sqlite path: String, into database: TestDatabase, rowsPerStatement: Int = 500) throws {
        var types: [String: [String: String]] = [:]
        for row in try database.rows(
            """
            SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'
            """)
        {
            guard let table = row[0], let column = row[1], let type = row[2] else { continue }
            types[table, default: [:]][column] = type
        }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        try queue.read { db in
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            {
                guard let pgColumns = types[table] else { continue }
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\"\(table)\")").map { $0["name"] as String }
                    .filter { pgColumns[$0] != nil }
                guard !columns.isEmpty else { continue }
                let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                var values: [String] = []
                func flush() throws {
                    guard !values.isEmpty else { return }
                    try database.execute(
                        "SET session_replication_role = replica; INSERT INTO \"\(table)\" (\(list)) VALUES "
                            + values.joined(separator: ",\n") + ";")
                    values.removeAll()
                }
                let rows = try Row.fetchCursor(db, sql: "SELECT \(list) FROM \"\(table)\"")
                while let row = try rows.next() {
                    let literals = columns.enumerated().map { index, column in
                        literal(row[index] as DatabaseValue, type: pgColumns[column] ?? "text")
                    }
                    values.append("(" + literals.joined(separator: ", ") + ")")
                    if values.count >= rowsPerStatement { try flush() }
                }
                try flush()
            }
        }
    }

    /// `value` as a SQL literal for a PostgreSQL column of `type` (information_schema's data_type).
    static func literal(_ value: DatabaseValue, type: String) -> String {
        switch value.storage {
        case .null:
            return "NULL"
        case .int64(let number):
            switch type {
            case "boolean": return number != 0 ? "true" : "false"
            case "timestamp with time zone", "timestamp without time zone":
                return "to_timestamp(\(Double(number) > 1e10 ? Double(number) / 1000 : Double(number)))"
            case "character varying", "text", "USER-DEFINED": return quoted(String(number))
            default: return String(number)
            }
        case .double(let number):
            return type == "boolean" ? (number != 0 ? "true" : "false") : String(number)
        case .string(let text):
            switch type {
            case "timestamp with time zone", "timestamp without time zone":
                // v0.10 stores naive UTC text.
                let hasZone =
                    text.hasSuffix("Z") || text.dropFirst(19).contains("+") || text.dropFirst(19).contains("-")
                return quoted(hasZone ? text : text + "+00")
            case "boolean": return ["1", "true", "t"].contains(text.lowercased()) ? "true" : "false"
            default: return quoted(text)
            }
        case .blob(let data):
            return quoted(String(decoding: data, as: UTF8.self))
        }
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
