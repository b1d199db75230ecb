import Foundation
import GRDB
import PostgresNIO

/// One value of a PostgreSQL row, decoded from the binary wire format once, on arrival.
enum PGValue: Sendable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    /// `timestamp` / `timestamptz`: microseconds since 2000-01-01 00:00 UTC.
    case timestamp(Int64)
}

/// A decoded row with the typed, non-crashing accessors `Fields` offers for SQLite rows: the same
/// conversions (booleans from integers, dates as `Timestamp` computes them) give the same records.
struct PGRow: Sendable {
    let values: [PGValue]

    init(values: [PGValue]) { self.values = values }

    init(_ row: PostgresRow) {
        var values: [PGValue] = []
        values.reserveCapacity(row.count)
        for cell in row { values.append(Self.decode(cell)) }
        self.values = values
    }

    private static func decode(_ cell: PostgresCell) -> PGValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int8: return bytes.readInteger(as: Int64.self).map(PGValue.int) ?? .null
        case .int4, .oid: return bytes.readInteger(as: Int32.self).map { .int(Int64($0)) } ?? .null
        case .int2: return bytes.readInteger(as: Int16.self).map { .int(Int64($0)) } ?? .null
        case .bool: return bytes.readInteger(as: UInt8.self).map { .bool($0 != 0) } ?? .null
        case .float8: return bytes.readInteger(as: UInt64.self).map { .double(Double(bitPattern: $0)) } ?? .null
        case .float4: return bytes.readInteger(as: UInt32.self).map { .double(Double(Float(bitPattern: $0))) } ?? .null
        case .timestamp, .timestamptz: return bytes.readInteger(as: Int64.self).map(PGValue.timestamp) ?? .null
        // text, varchar, name, bpchar, and enums (whose binary form is their label).
        default: return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
    }

    func string(_ index: Int) -> String? {
        switch values[index] {
        case .text(let text): return text
        case .null: return nil
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .timestamp: return nil
        }
    }

    func int64(_ index: Int) -> Int64? {
        switch values[index] {
        case .int(let number): return number
        case .text(let text): return Int64(text)
        case .double(let number): return Int64(exactly: number)
        default: return nil
        }
    }

    func int(_ index: Int) -> Int? { int64(index).flatMap { Int(exactly: $0) } }

    func double(_ index: Int) -> Double? {
        switch values[index] {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: return nil
        }
    }

    /// Real booleans, or integers 0/1 in databases converted without changing the type.
    func bool(_ index: Int, default defaultValue: Bool = false) -> Bool {
        switch values[index] {
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .text(let text): return ["1", "true", "t", "yes"].contains(text.lowercased())
        default: return defaultValue
        }
    }

    var rowId: String {
        guard let first = values.first else { return "(unknown)" }
        if case .null = first { return "(unknown)" }
        return string(0) ?? "(unknown)"
    }

    /// A required id, reported (never crashing) when NULL or not an integer.
    func id(_ index: Int, _ column: String, table: String) throws -> FanslyID {
        if case .int(let id) = values[index] { return id }
        guard let id = int64(index) else {
            throw MetadataError.malformedValue(
                table: table, rowId: rowId, column: column,
                value: string(index) ?? "NULL", expected: "an integer id")
        }
        return id
    }

    /// A date: `timestamp[tz]` values, or text in the downloader's formats (a database converted
    /// from SQLite without changing column types).
    func date(_ index: Int, _ column: String, table: String) throws -> Date? {
        switch values[index] {
        case .null: return nil
        case .timestamp(let microseconds):
            // ±infinity have no date.
            guard microseconds != Int64.max, microseconds != Int64.min else { return nil }
            return Self.date(microsecondsSince2000: microseconds)
        case .text(let text):
            return try Timestamp.date(text.databaseValue, table: table, rowId: rowId, column: column)
        case .int(let number):
            return Timestamp.fromUnix(Double(number))
        case .double(let number):
            return Timestamp.fromUnix(number)
        case .bool:
            throw MetadataError.malformedValue(
                table: table, rowId: rowId, column: column, value: string(index) ?? "",
                expected: Timestamp.expected)
        }
    }

    /// The `Date` that `Timestamp.parse` gives for the same instant written `YYYY-MM-DD HH:MM:SS.ffffff`
    /// (whole seconds plus the fraction summed digit by digit), so PostgreSQL and SQLite records
    /// compare equal bit for bit.
    static func date(microsecondsSince2000 value: Int64) -> Date {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: 1_000_000)
        let seconds = remainder < 0 ? quotient - 1 : quotient
        var micros = remainder < 0 ? remainder + 1_000_000 : remainder
        var fraction = 0.0
        var scale = 0.1
        var divisor: Int64 = 100_000
        for _ in 0..<6 {
            fraction += Double(micros / divisor) * scale
            micros %= divisor
            divisor /= 10
            scale /= 10
        }
        return Date(timeIntervalSince1970: Double(seconds + 946_684_800) + fraction)
    }
}
