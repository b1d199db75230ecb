import Foundation
import GRDB
import PostgresNIO

/// Writes the sample content into a PostgreSQL database with the schema fansly-scraper v0.15.1
/// creates, in either shape, and lists the files the downloader would have written beside it.
public enum SamplePostgres {
    /// Fills the empty database `target` in one transaction: bare tables, rows by `COPY`, then the
    /// keys and foreign keys (so the rows are checked against them). Refuses a database that
    /// already has tables (it could be a real one).
    /// - Returns: the downloaded files, sorted by path.
    @discardableResult
    public static func write(to target: PostgresTarget, options: SampleOptions, shape: SampleShape) async throws
        -> [SampleFile]
    {
        try await target.withConnection { connection in
            let logger = PostgresTarget.logger
            let existing =
                try await connection.query(
                    "SELECT count(*)::bigint FROM pg_tables WHERE schemaname = 'public'", logger: logger
                )
                .collect().first?.decode(Int64.self) ?? 0
            guard existing == 0 else { throw SampleDataError.databaseNotEmpty(target.description) }

            try await connection.query("BEGIN", logger: logger)
            for statement in SamplePostgresSchema.tables {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            var generator = SampleGenerator(
                options: options, shape: shape, revision: SamplePostgresSchema.alembicRevision,
                sink: CopySink(columnTypes: try await columnTypes(connection)))
            try generator.run()
            for (table, rows) in generator.sink.rows.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try await connection.copyFrom(table: table.rawValue, columns: table.columns, logger: logger) { writer in
                    for chunk in rows { try await writer.write(chunk) }
                }
            }
            for statement in SamplePostgresSchema.constraints {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
            // Fresh statistics and a vacuumed heap (hint bits, visibility map), as a database in use
            // has: the reader's plans depend on the statistics, and without the vacuum autovacuum
            // starts its first pass over every table about 20 s later, racing whatever reads next
            // (the benchmarks' first, "cold" run).
            try await connection.query("VACUUM (ANALYZE)", logger: logger)
            return generator.files
        }
    }

    /// The files the downloader would have written for a database generated with `options` in
    /// `shape` (the same list `write(to:options:shape:)` returns), without writing anything.
    public static func downloadedFiles(options: SampleOptions, shape: SampleShape) -> [SampleFile] {
        var generator = SampleGenerator(
            options: options, shape: shape, revision: SamplePostgresSchema.alembicRevision,
            sink: DiscardingSink())
        // The discarding sink cannot fail.
        try! generator.run()
        return generator.files
    }

    /// `table → column → data_type` for the tables just created.
    private static func columnTypes(_ connection: PostgresConnection) async throws -> [String: [String: String]] {
        var types: [String: [String: String]] = [:]
        let rows = try await connection.query(
            """
            SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = 'public'
            """, logger: PostgresTarget.logger)
        for try await (table, column, type) in rows.decode((String, String, String).self) {
            types[table, default: [:]][column] = type
        }
        return types
    }
}

/// Collects rows as `COPY … FROM STDIN` text, converting the generator's SQLite-style values to
/// each column's PostgreSQL type (0/1 to booleans, stored timestamps to UTC `timestamptz`).
struct CopySink: RowSink {
    /// Per table, the COPY text in chunks of about 1 MiB.
    private(set) var rows: [SampleTable: [ByteBuffer]] = [:]
    private let kinds: [SampleTable: [ColumnKind]]
    private static let chunkSize = 1 << 20

    enum ColumnKind { case boolean, timestamp, other }

    init(columnTypes: [String: [String: String]]) {
        var kinds: [SampleTable: [ColumnKind]] = [:]
        for table in SampleTable.allCases {
            kinds[table] = table.columns.map { column in
                switch columnTypes[table.rawValue]?[column] {
                case "boolean": return .boolean
                case "timestamp with time zone": return .timestamp
                default: return .other
                }
            }
        }
        self.kinds = kinds
    }

    mutating func insert(_ table: SampleTable, _ values: [DatabaseValue]) throws {
        var line = ""
        for (index, (value, kind)) in zip(values, kinds[table]!).enumerated() {
            if index > 0 { line.append("\t") }
            line.append(Self.text(value, kind))
        }
        line.append("\n")
        // In place: a copy of the buffer would be a copy of up to a mebibyte per row.
        if rows[table]?.last.map({ $0.readableBytes > Self.chunkSize }) ?? true {
            rows[table, default: []].append(ByteBuffer())
        }
        let last = rows[table]!.count - 1
        rows[table]![last].writeString(line)
    }

    /// One field in COPY's text format.
    private static func text(_ value: DatabaseValue, _ kind: ColumnKind) -> String {
        switch (value.storage, kind) {
        case (.null, _):
            return "\\N"
        case (.int64(let number), .boolean):
            return number == 0 ? "f" : "t"
        case (.int64(let number), .timestamp):
            // The downloader's rule: anything above 1e10 is milliseconds.
            let seconds = number > 10_000_000_000 ? number / 1_000 : number
            let (date, clock) = SampleGenerator<DiscardingSink>.civil(seconds)
            let pad = SampleGenerator<DiscardingSink>.pad
            return "\(date) \(pad(clock.hour, 2)):\(pad(clock.minute, 2)):\(pad(clock.second, 2))+00"
        case (.string(let text), .timestamp):
            return text + "+00"
        case (.int64(let number), _):
            return String(number)
        case (.double(let number), _):
            return String(number)
        case (.string(let text), _):
            return escaped(text)
        case (.blob(let data), _):
            return escaped(String(decoding: data, as: UTF8.self))
        }
    }

    private static func escaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }
}
