import Foundation

/// A value flowing through a template: a variable, a filter result or a literal.
/// Templates render to text; conditions compare typed values.
enum TemplateValue: Sendable, Hashable {
    case null
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case date(Date)
    case list([String])

    /// Empty text, an empty list and null are "empty": fallbacks skip them.
    var isEmpty: Bool {
        switch self {
        case .null: return true
        case .string(let text): return text.allSatisfy { $0.isWhitespace }
        case .list(let items): return items.isEmpty
        case .int, .double, .bool, .date: return false
        }
    }

    /// Text form: dates as `yyyy-MM-dd`, lists joined with `, `, null as "".
    var text: String {
        switch self {
        case .null: return ""
        case .string(let text): return text
        case .int(let value): return String(value)
        case .double(let value):
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): return value ? "true" : "false"
        case .date(let date): return DateText.format(date, pattern: .isoDate)
        case .list(let items): return items.joined(separator: ", ")
        }
    }

    /// List form: a list as is, empty values as [], anything else as a one-element list.
    var items: [String] {
        switch self {
        case .list(let items): return items
        case .null: return []
        default:
            let text = self.text
            return text.isEmpty ? [] : [text]
        }
    }

    /// Numeric form, when the value is a number or text holding one.
    var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .bool(let value): return value ? 1 : 0
        case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces))
        case .list(let items): return Double(items.count)
        case .null, .date: return nil
        }
    }

    /// Date form, when the value is a date or text in one of the accepted date layouts.
    var dateValue: Date? {
        switch self {
        case .date(let date): return date
        case .string(let text): return DateText.parse(text)
        default: return nil
        }
    }

    /// Truthiness for `if`-like uses: non-empty text, non-zero numbers, true.
    var isTruthy: Bool {
        switch self {
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .string(let text): return !(text.isEmpty || text == "false" || text == "0")
        default: return !isEmpty
        }
    }
}

/// Fast UTC date formatting and tolerant parsing. Patterns made only of `yyyy MM dd HH mm ss`
/// and literals are formatted by hand (the engine formats hundreds of thousands of dates);
/// anything else goes through a cached en_US_POSIX `DateFormatter`.
enum DateText {
    /// A compiled date pattern.
    final class Pattern: @unchecked Sendable {
        enum Piece { case literal(String), year, month, day, hour, minute, second }
        let source: String
        /// nil when the pattern needs `DateFormatter`.
        let pieces: [Piece]?
        private let formatter: DateFormatter
        private let lock = NSLock()

        init(_ source: String) {
            self.source = source
            self.pieces = Pattern.compile(source)
            formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.dateFormat = source
        }

        static let isoDate = Pattern("yyyy-MM-dd")

        func format(_ date: Date) -> String {
            guard let pieces else {
                lock.lock(); defer { lock.unlock() }
                return formatter.string(from: date)
            }
            let c = DateText.components(date)
            var out = ""
            out.reserveCapacity(source.count + 4)
            for piece in pieces {
                switch piece {
                case .literal(let text): out += text
                case .year: out += pad(c.year, 4)
                case .month: out += pad(c.month, 2)
                case .day: out += pad(c.day, 2)
                case .hour: out += pad(c.hour, 2)
                case .minute: out += pad(c.minute, 2)
                case .second: out += pad(c.second, 2)
                }
            }
            return out
        }

        func parse(_ text: String) -> Date? {
            lock.lock(); defer { lock.unlock() }
            return formatter.date(from: text)
        }

        private func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }

        /// Splits a Unicode date pattern into fields; nil when it uses a field we do not hand-format.
        private static func compile(_ source: String) -> [Piece]? {
            var pieces: [Piece] = []
            var literal = ""
            let chars = Array(source)
            var i = 0
            func flush() { if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" } }
            while i < chars.count {
                let c = chars[i]
                if c == "'" {
                    // Quoted literal; '' is a single quote.
                    var j = i + 1
                    if j < chars.count && chars[j] == "'" { literal.append("'"); i += 2; continue }
                    while j < chars.count && chars[j] != "'" { literal.append(chars[j]); j += 1 }
                    i = j + 1
                    continue
                }
                if c.isLetter {
                    var j = i
                    while j < chars.count && chars[j] == c { j += 1 }
                    let run = j - i
                    flush()
                    switch (c, run) {
                    case ("y", 4), ("y", 1): pieces.append(.year)
                    case ("M", 2): pieces.append(.month)
                    case ("d", 2): pieces.append(.day)
                    case ("H", 2): pieces.append(.hour)
                    case ("m", 2): pieces.append(.minute)
                    case ("s", 2): pieces.append(.second)
                    default: return nil
                    }
                    i = j
                    continue
                }
                literal.append(c)
                i += 1
            }
            flush()
            return pieces
        }
    }

    struct Components { var year, month, day, hour, minute, second: Int }

    /// Civil UTC components without Calendar (Howard Hinnant's days-from-civil inverse).
    static func components(_ date: Date) -> Components {
        let seconds = Int64(floor(date.timeIntervalSince1970))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return Components(
            year: Int(year), month: Int(month), day: Int(day),
            hour: Int(rest / 3600), minute: Int(rest % 3600 / 60), second: Int(rest % 60))
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Pattern] = [:]

    /// A shared compiled pattern (patterns come from rule files, so there are few).
    static func pattern(_ source: String) -> Pattern {
        cacheLock.lock(); defer { cacheLock.unlock() }
        if let cached = cache[source] { return cached }
        let pattern = Pattern(source)
        cache[source] = pattern
        return pattern
    }

    static func format(_ date: Date, pattern: Pattern) -> String { pattern.format(date) }

    private static let accepted: [Pattern] = [
        "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX", "yyyy-MM-dd HH:mm:ss.SSSSSS",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd", "yyyy/MM/dd",
    ].map(Pattern.init)

    /// Parses ISO 8601, the downloader's `yyyy-MM-dd HH:mm:ss[.ffffff]`, `yyyy-MM-dd` and `yyyy/MM/dd`, all UTC.
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        for pattern in accepted { if let date = pattern.parse(trimmed) { return date } }
        return nil
    }

    /// True when `text` is a calendar date `YYYY-MM-DD` (what Stash's date fields take).
    static func isCalendarDate(_ text: String) -> Bool {
        guard text.utf8.count == 10 else { return false }
        for (index, byte) in text.utf8.enumerated() {
            if index == 4 || index == 7 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if byte < 48 || byte > 57 {
                return false
            }
        }
        return true
    }
}
