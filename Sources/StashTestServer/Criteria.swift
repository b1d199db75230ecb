import Foundation
import GraphQL

/// Stash's string criterion semantics (pkg/sqlite/criterion_handlers.go), over in-memory values.
/// Built once per find: the words and LIKE patterns are prepared here, not per object.
struct StringMatch {
    let value: String
    let modifier: String
    /// `%word%` for each `INCLUDES`/`EXCLUDES` word; the value itself for `EQUALS`/`NOT_EQUALS`.
    private let patterns: [LikePattern]

    /// A piece of text (lower-cased UTF-8) that every text this criterion matches contains, when
    /// there is one: for `EQUALS` and a one-word `INCLUDES`, the pattern's longest literal run.
    var requiredPiece: [UInt8]? {
        guard modifier == "EQUALS" || modifier == "INCLUDES", patterns.count == 1 else { return nil }
        let piece = patterns[0].longestLiteral
        return piece.isEmpty ? nil : piece
    }

    init?(_ input: InputObject?) {
        guard let input, let modifier = input.rawString("modifier") else { return nil }
        let value = input.rawString("value") ?? ""
        self.value = value
        self.modifier = modifier
        switch modifier {
        case "INCLUDES", "EXCLUDES": patterns = Self.words(value).map { LikePattern("%\($0)%") }
        case "EQUALS", "NOT_EQUALS": patterns = [LikePattern(value)]
        default: patterns = []
        }
    }

    /// Checks the regex up front, as Stash does, so a bad pattern is an error, not "no match".
    func validate() throws {
        if modifier == "MATCHES_REGEX" || modifier == "NOT_MATCHES_REGEX" {
            _ = try Self.regex(value)
        }
    }

    /// A single-valued text column (`title`, `name`, full `path`…); nil is SQL NULL.
    func matches(_ text: String?) -> Bool {
        switch modifier {
        case "EQUALS": return text.map { patterns[0].matches($0) } ?? false
        case "NOT_EQUALS": return text.map { !patterns[0].matches($0) } ?? false
        case "INCLUDES": return text.map { t in patterns.contains { $0.matches(t) } } ?? false
        case "EXCLUDES": return text.map { t in patterns.allSatisfy { !$0.matches(t) } } ?? true
        case "MATCHES_REGEX": return text.map { Self.regexMatches($0, value) } ?? false
        case "NOT_MATCHES_REGEX": return text.map { !Self.regexMatches($0, value) } ?? true
        case "IS_NULL": return text.map { $0.trimmingCharacters(in: .whitespaces).isEmpty } ?? true
        case "NOT_NULL": return text.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false
        default: return false
        }
    }

    /// A list column (aliases, urls): a join, so any element matching is a match; EXCLUDES
    /// excludes objects having any element like the value.
    func matches(list: [String]) -> Bool {
        switch modifier {
        case "EXCLUDES": return !list.contains { Self.like($0, "%\(value)%") }
        case "IS_NULL": return list.isEmpty
        case "NOT_NULL": return !list.isEmpty
        default: return list.contains { matches($0) }
        }
    }

    /// `INCLUDES` splits an unquoted value on whitespace; a quoted value stays one phrase.
    static func words(_ value: String) -> [String] {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") {
            return [String(trimmed.dropFirst().dropLast())]
        }
        return trimmed.split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    /// SQLite `LIKE`: case-insensitive, `%` any run, `_` any one character, no escape.
    static func like(_ text: String, _ pattern: String) -> Bool { LikePattern(pattern).matches(text) }

    nonisolated(unsafe) private static var regexCache: [String: NSRegularExpression] = [:]
    private static let regexLock = NSLock()

    static func regex(_ pattern: String) throws -> NSRegularExpression {
        regexLock.lock(); defer { regexLock.unlock() }
        if let cached = regexCache[pattern] { return cached }
        do {
            let compiled = try NSRegularExpression(pattern: pattern)
            regexCache[pattern] = compiled
            return compiled
        } catch {
            throw ResolverError("error parsing regexp: invalid pattern `\(pattern)`")
        }
    }

    static func regexMatches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = try? regex(pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// A LIKE pattern lower-cased once. Texts are compared scalar by scalar after lower-casing; an
/// ASCII text (every path the benchmarks hold) is lower-cased byte by byte without a copy.
struct LikePattern {
    private let scalars: [UInt32]

    init(_ pattern: String) { scalars = pattern.lowercased().unicodeScalars.map(\.value) }

    /// The longest run of the pattern without a wildcard, as lower-cased UTF-8: every text the
    /// pattern matches contains it once lower-cased (`lowered(_:)`). Empty when the pattern is all
    /// wildcards.
    var longestLiteral: [UInt8] {
        let percent = UInt32(UInt8(ascii: "%"))
        let underscore = UInt32(UInt8(ascii: "_"))
        var longest: [UInt8] = []
        var run: [UInt8] = []
        for value in scalars + [percent] {
            if value == percent || value == underscore {
                if run.count > longest.count { longest = run }
                run.removeAll(keepingCapacity: true)
            } else if let scalar = Unicode.Scalar(value) {
                run.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        return longest
    }

    /// `text` lower-cased as `matches` compares it, as UTF-8: byte by byte when it is ASCII.
    static func lowered(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return Array(text.lowercased().utf8) }
        return bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    func matches(_ text: String) -> Bool {
        var text = text
        let ascii = text.withUTF8 { bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return Self.match(count: bytes.count, pattern: scalars) { index in
                let byte = bytes[index]
                return UInt32(byte >= 65 && byte <= 90 ? byte + 32 : byte)
            }
        }
        if let ascii { return ascii }
        let lowered = text.lowercased().unicodeScalars.map(\.value)
        return Self.match(count: lowered.count, pattern: scalars) { lowered[$0] }
    }

    private static func match(count: Int, pattern p: [UInt32], scalar t: (Int) -> UInt32) -> Bool {
        let percent = UInt32(UInt8(ascii: "%"))
        let underscore = UInt32(UInt8(ascii: "_"))
        var ti = 0
        var pi = 0
        var starP = -1
        var starT = 0
        while ti < count {
            if pi < p.count && (p[pi] == underscore || (p[pi] != percent && p[pi] == t(ti))) {
                ti += 1; pi += 1
            } else if pi < p.count && p[pi] == percent {
                starP = pi; starT = ti; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starT += 1; ti = starT
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == percent { pi += 1 }
        return pi == p.count
    }
}

/// `IntCriterionInput` semantics.
struct IntMatch {
    let value: Int
    let value2: Int?
    let modifier: String
    init?(_ input: InputObject?) {
        guard let input, let value = input.int("value"), let modifier = input.rawString("modifier") else { return nil }
        self.value = value; self.value2 = input.int("value2"); self.modifier = modifier
    }
    func matches(_ number: Int) -> Bool {
        switch modifier {
        case "EQUALS": return number == value
        case "NOT_EQUALS": return number != value
        case "GREATER_THAN": return number > value
        case "LESS_THAN": return number < value
        case "BETWEEN": return number >= value && number <= (value2 ?? value)
        case "NOT_BETWEEN": return number < value || number > (value2 ?? value)
        default: return false
        }
    }
}

/// Evaluates an object filter (`SceneFilterType`…) with nested AND / OR / NOT, as Stash combines them.
/// The criteria are read once, when the find starts, not for every object.
struct ObjectFilter {
    /// Values of the object for a filter key: a text, a list of texts, a number or a bool.
    enum Value { case text(String?), list([String]), number(Int), flag(Bool), ids([Int]) }

    /// One criterion, ready for whichever kind of value the object has under its key.
    private struct Criterion {
        let key: String
        let string: StringMatch?
        let number: IntMatch?
        let flag: Bool?
        let idsModifier: String?
        let wantedIds: [Int]
    }

    let input: InputObject
    private let criteria: [Criterion]
    private let and: [ObjectFilter]
    private let not: [ObjectFilter]
    private let or: [ObjectFilter]

    init(input: InputObject) {
        self.input = input
        criteria = input.fields.filter { !["AND", "OR", "NOT"].contains($0.key) }.map { key, criterion in
            let object = InputObject(criterion)
            return Criterion(
                key: key, string: StringMatch(object), number: IntMatch(object), flag: criterion.bool,
                idsModifier: object.rawString("modifier"), wantedIds: (try? object.ids("value")) ?? [])
        }
        and = input.object("AND").map { [ObjectFilter(input: $0)] } ?? []
        not = input.object("NOT").map { [ObjectFilter(input: $0)] } ?? []
        or = input.object("OR").map { [ObjectFilter(input: $0)] } ?? []
    }

    /// A piece every matching object's `path` contains (lower-cased UTF-8), when the filter requires
    /// one: a `path` criterion that has one (`StringMatch.requiredPiece`), with no `OR` beside it
    /// that could match without it.
    var requiredPathPiece: [UInt8]? {
        guard or.isEmpty else { return nil }
        return criteria.first { $0.key == "path" }?.string?.requiredPiece
    }

    func validate() throws {
        for (key, _) in input.fields {
            if ["AND", "OR", "NOT"].contains(key) {
                try input.object(key).map { try ObjectFilter(input: $0).validate() }
            } else {
                try StringMatch(input.object(key))?.validate()
            }
        }
    }

    func matches(_ valueOf: (String) -> Value?) -> Bool {
        var own = true
        for criterion in criteria {
            guard let value = valueOf(criterion.key) else { continue }
            let ok: Bool
            switch value {
            case .text(let text): ok = criterion.string?.matches(text) ?? true
            case .list(let list): ok = criterion.string?.matches(list: list) ?? true
            case .number(let number): ok = criterion.number?.matches(number) ?? true
            case .flag(let flag): ok = criterion.flag.map { $0 == flag } ?? true
            case .ids(let ids):
                let wanted = criterion.wantedIds
                switch criterion.idsModifier {
                case "INCLUDES": ok = ids.contains { wanted.contains($0) }
                case "INCLUDES_ALL": ok = wanted.allSatisfy { ids.contains($0) }
                case "EXCLUDES": ok = !ids.contains { wanted.contains($0) }
                case "IS_NULL": ok = ids.isEmpty
                case "NOT_NULL": ok = !ids.isEmpty
                default: ok = true
                }
            }
            if !ok { own = false; break }
        }
        if let and = and.first, !and.matches(valueOf) { own = false }
        if let not = not.first, not.matches(valueOf) { own = false }
        if let or = or.first { return own || or.matches(valueOf) }
        return own
    }
}
