import Foundation
import GRDB

/// Interprets the downloader's timestamps. Real databases store naive UTC text
/// `YYYY-MM-DD HH:MM:SS.ffffff`; the reader also accepts the text without fraction, a `T`
/// separator, a trailing `Z` or `±HH:MM` offset, and Unix integers (values above 1e10 are
/// milliseconds, as the downloader itself decides).
///
/// Hand-written rather than `DateFormatter`/`ISO8601DateFormatter`: it runs for every row of
/// large databases, must not depend on locale, and must report *which* value is malformed.
enum Timestamp {
    static let expected = "'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC, or Unix seconds or milliseconds"

    /// The date stored in `value`; nil for NULL. Throws `MetadataError.malformedValue`.
    static func date(_ value: DatabaseValue, table: String, rowId: @autoclosure () -> String, column: String) throws
        -> Date?
    {
        switch value.storage {
        case .null:
            return nil
        case .int64(let number):
            return fromUnix(Double(number))
        case .double(let number) where number.isFinite:
            return fromUnix(number)
        case .string(let text):
            if let date = parse(text) { return date }
            if let number = Double(text), number.isFinite, text.allSatisfy({ $0.isNumber || $0 == "." }) {
                return fromUnix(number)
            }
            throw MetadataError.malformedValue(
                table: table, rowId: rowId(), column: column,
                value: "'\(text.prefix(40))'", expected: expected)
        default:
            throw MetadataError.malformedValue(
                table: table, rowId: rowId(), column: column,
                value: value.description, expected: expected)
        }
    }

    static func fromUnix(_ number: Double) -> Date {
        Date(timeIntervalSince1970: abs(number) > 1e10 ? number / 1_000 : number)
    }

    /// Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.f…]]][Z|±HH[:]MM]`; nil for anything else.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in parse(bytes) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in index..<(index + digits) {
                let byte = bytes[offset]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += digits
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(45), let month = number(2), skip(45), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var fraction = 0.0
        if skip(32) || skip(84) { // ' ' or 'T'
            guard let hour = number(2), skip(58), let minute = number(2), hour < 24, minute < 60 else { return nil }
            seconds += hour * 3_600 + minute * 60
            if skip(58) {
                guard let second = number(2), second <= 60 else { return nil }
                seconds += second
                if skip(46) {
                    var scale = 0.1
                    let start = index
                    while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                        fraction += Double(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                }
            }
            if skip(90) { // 'Z'
            } else if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
                let sign = bytes[index]
                index += 1
                guard let offsetHours = number(2) else { return nil }
                _ = skip(58)
                guard let offsetMinutes = number(2) else { return nil }
                let offset = offsetHours * 3_600 + offsetMinutes * 60
                seconds += sign == 43 ? -offset : offset
            }
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
