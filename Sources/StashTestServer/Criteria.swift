import Foundation

/// Stash's string criterion semantics (pkg/sqlite/criterion_handlers.go), over in-memory values.
struct StringMatch {
    let value: String
    let modifier: String

    init?(_ input: InputObject?) {
        guard let input, let modifier = input.rawString("modifier") else { return nil }
        self.value = input.rawString("value") ?? ""
        self.modifier = modifier
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
        case "EQUALS": return text.map { Self.like($0, value) } ?? false
        case "NOT_EQUALS": return text.map { !Self.like($0, value) } ?? false
        case "INCLUDES": return text.map { t in Self.words(value).contains { Self.like(t, "%\($0)%") } } ?? false
        case "EXCLUDES": return text.map { t in Self.words(value).allSatisfy { !Self.like(t, "%\($0)%") } } ?? true
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

    /// SQLite `LIKE`: case-insensitive for ASCII, `%` any run, `_` any one character, no escape.
    static func like(_ text: String, _ pattern: String) -> Bool {
        let t = Array(text.lowercased().unicodeScalars), p = Array(pattern.lowercased().unicodeScalars)
        var ti = 0, pi = 0, starP = -1, starT = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "_" || (p[pi] != "%" && p[pi] == t[ti])) {
                ti += 1; pi += 1
            } else if pi < p.count && p[pi] == "%" {
                starP = pi; starT = ti; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starT += 1; ti = starT
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "%" { pi += 1 }
        return pi == p.count
    }

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
struct ObjectFilter {
    /// Values of the object for a filter key: a text, a list of texts, a number or a bool.
    enum Value { case text(String?), list([String]), number(Int), flag(Bool), ids([Int]) }

    let input: InputObject

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
        for (key, criterion) in input.fields where !["AND", "OR", "NOT"].contains(key) {
            guard let value = valueOf(key) else { continue }
            let ok: Bool
            switch value {
            case let .text(text): ok = StringMatch(InputObject(criterion))?.matches(text) ?? true
            case let .list(list): ok = StringMatch(InputObject(criterion))?.matches(list: list) ?? true
            case let .number(number): ok = IntMatch(InputObject(criterion))?.matches(number) ?? true
            case let .flag(flag): ok = criterion.bool.map { $0 == flag } ?? true
            case let .ids(ids):
                let object = InputObject(criterion)
                let wanted = (try? object.ids("value")) ?? []
                switch object.rawString("modifier") {
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
        if let and = input.object("AND"), !ObjectFilter(input: and).matches(valueOf) { own = false }
        if let not = input.object("NOT"), ObjectFilter(input: not).matches(valueOf) { own = false }
        if let or = input.object("OR") { return own || ObjectFilter(input: or).matches(valueOf) }
        return own
    }
}
