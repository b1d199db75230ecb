import Foundation
import GRDB
import GRDBSQLite

/// A fetched row as plain values: copied once from the cursor, read by index without GRDB's
/// generic decoding (a measurable share of time when streaming large databases).
typealias ValueRow = [DatabaseValue]

extension Array where Element == DatabaseValue {
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [ValueRow] {
        var rows: [ValueRow] = []
        let statement = try db.cachedStatement(sql: sql)
        statement.arguments = arguments
        try Fields.forEach(statement, table: "") { rows.append($0.values) }
        return rows
    }
}

/// Typed, non-crashing access to a row's columns, reporting bad values with their row: either a
/// copied `ValueRow` or the current row of a statement being stepped (read in place, no copy).
struct Fields {
    private let row: ValueRow
    private let statement: SQLiteStatement?
    private let columnCount: Int
    let table: String

    init(row: ValueRow, table: String) {
        self.row = row; self.statement = nil; self.columnCount = row.count; self.table = table
    }

    private init(statement: Statement, table: String) {
        self.row = []; self.statement = statement.sqliteStatement; self.columnCount = statement.columnCount;
        self.table = table
    }

    /// Steps `statement` (with its current arguments), calling `body` with each row.
    static func forEach(_ statement: Statement, table: String, _ body: (Fields) throws -> Void) throws {
        let cursor = try Row.fetchCursor(statement)
        let fields = Fields(statement: statement, table: table)
        while try cursor.next() != nil { try body(fields) }
    }

    /// The row's values, copied.
    var values: ValueRow {
        guard statement != nil else { return row }
        return (0..<columnCount).map(value)
    }

    private var rowId: String {
        let value = value(0)
        return value.isNull ? "(unknown)" : value.description
    }

    func value(_ index: Int) -> DatabaseValue {
        if let statement { return DatabaseValue(sqliteStatement: statement, index: CInt(index)) }
        return row[index]
    }

    /// A required id: NULL or non-integer values are reported, never crash.
    func id(_ index: Int, _ column: String) throws -> FanslyID {
        let value = value(index)
        if case .int64(let id) = value.storage { return id }
        guard let id = Int64.fromDatabaseValue(value) else {
            throw MetadataError.malformedValue(
                table: table, rowId: rowId, column: column,
                value: value.description, expected: "an integer id")
        }
        return id
    }

    func int64(_ index: Int) -> Int64? {
        let value = value(index)
        if case .int64(let number) = value.storage { return number }
        return Int64.fromDatabaseValue(value)
    }
    func int(_ index: Int) -> Int? {
        let value = value(index)
        if case .int64(let number) = value.storage, let int = Int(exactly: number) { return int }
        return Int.fromDatabaseValue(value)
    }
    func double(_ index: Int) -> Double? { Double.fromDatabaseValue(value(index)) }

    func string(_ index: Int) -> String? {
        let value = value(index)
        if case .string(let text) = value.storage { return text }
        return value.isNull ? nil : String.fromDatabaseValue(value) ?? value.description
    }

    /// Booleans stored as 0/1 (or, leniently, 'true'/'false').
    func bool(_ index: Int, default defaultValue: Bool = false) -> Bool {
        let value = value(index)
        switch value.storage {
        case .int64(let number): return number != 0
        case .double(let number): return number != 0
        case .string(let text): return ["1", "true", "t", "yes"].contains(text.lowercased())
        default: return defaultValue
        }
    }

    func date(_ index: Int, _ column: String) throws -> Date? {
        // Text read in place from the statement: no String for the usual timestamp.
        if let statement, sqlite3_column_type(statement, CInt(index)) == SQLITE_TEXT,
            let text = sqlite3_column_text(statement, CInt(index)),
            let date = Timestamp.parse(
                UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, CInt(index)))))
        {
            return date
        }
        return try Timestamp.date(value(index), table: table, rowId: rowId, column: column)
    }
}
