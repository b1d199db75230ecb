import Foundation

/// Words `splitWords` may use to split run-together lower-case text (`latexmodel` → `latex model`).
struct Vocabulary: Sendable, Hashable {
    let words: Set<String>
    let longest: Int
    init(_ words: [String]) {
        let lowered = Set(words.map { $0.lowercased() }.filter { !$0.isEmpty })
        self.words = lowered
        self.longest = lowered.map(\.count).max() ?? 0
    }
    static let empty = Vocabulary([])
}

/// A filter argument that does not fit; `argument` is its 0-based position.
struct FilterArgumentError: Error {
    let argument: Int
    let message: String
}

/// A compiled filter with its arguments.
enum Filter: Sendable, Hashable {
    case date(DatePattern)
    case truncate(Int, String)
    case cut(Int, String)
    case minLength(Int)
    case firstLine, firstSentence, stripHtml, lower, upper, title, trim, squish, slug, stripHashtags, stripMentions
    case splitWords(Vocabulary)
    case replace(RegexBox, String)
    case defaultValue(TemplateValue)
    case join(String)
    case split(String)
    case first, last, count
    case prefix(String), suffix(String)

    func apply(_ value: TemplateValue) -> TemplateValue {
        switch self {
        case .date(let pattern):
            guard let date = value.dateValue else { return .null }
            return .string(pattern.pattern.format(date))
        case .truncate(let limit, let suffix):
            return mapText(value) { TextOps.truncate($0, limit: limit, suffix: suffix) }
        case .cut(let limit, let suffix): return mapText(value) { TextOps.cut($0, limit: limit, suffix: suffix) }
        case .minLength(let minimum):
            if value.isEmpty { return .null }
            return TextOps.length(value.text) < minimum ? .null : value
        case .firstLine: return mapText(value, TextOps.firstLine)
        case .firstSentence: return mapText(value, TextOps.firstSentence)
        case .stripHtml: return mapText(value, TextOps.stripHtml)
        case .lower: return mapText(value) { $0.lowercased() }
        case .upper: return mapText(value) { $0.uppercased() }
        case .title: return mapText(value, TextOps.titleCase)
        case .trim: return mapText(value) { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        case .squish: return mapText(value, TextOps.squish)
        case .slug: return mapText(value, TextOps.slug)
        case .stripHashtags: return mapText(value) { TextOps.removing(.hashtags, from: $0) }
        case .stripMentions: return mapText(value) { TextOps.removing(.mentions, from: $0) }
        case .splitWords(let vocabulary): return mapText(value) { TextOps.splitWords($0, vocabulary: vocabulary) }
        case .replace(let regex, let template):
            return mapText(value) {
                regex.regex.stringByReplacingMatches(
                    in: $0, range: NSRange($0.startIndex..., in: $0), withTemplate: template)
            }
        case .defaultValue(let fallback): return value.isEmpty ? fallback : value
        case .join(let separator): return .string(value.items.joined(separator: separator))
        case .split(let separator):
            let parts = value.text.components(separatedBy: separator)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .list(parts)
        case .first: return value.items.first.map(TemplateValue.string) ?? .null
        case .last: return value.items.last.map(TemplateValue.string) ?? .null
        case .count:
            if case .list(let items) = value { return .int(Int64(items.count)) }
            return .int(Int64(value.text.count))
        case .prefix(let text): return value.isEmpty ? .null : mapText(value) { text + $0 }
        case .suffix(let text): return value.isEmpty ? .null : mapText(value) { $0 + text }
        }
    }

    /// Text filters work element-wise on lists and leave null as null.
    private func mapText(_ value: TemplateValue, _ transform: (String) -> String) -> TemplateValue {
        switch value {
        case .null: return .null
        case .list(let items): return .list(items.map(transform).filter { !$0.isEmpty })
        default: return .string(transform(value.text))
        }
    }
}

/// A compiled date pattern, compared by its text.
struct DatePattern: @unchecked Sendable, Hashable {
    let pattern: DateText.Pattern
    static func == (lhs: DatePattern, rhs: DatePattern) -> Bool { lhs.pattern.source == rhs.pattern.source }
    func hash(into hasher: inout Hasher) { hasher.combine(pattern.source) }
}

/// NSRegularExpression is a class without value semantics; this box compares by pattern.
struct RegexBox: @unchecked Sendable, Hashable {
    let regex: NSRegularExpression
    static func == (lhs: RegexBox, rhs: RegexBox) -> Bool {
        lhs.regex.pattern == rhs.regex.pattern && lhs.regex.options == rhs.regex.options
    }
    func hash(into hasher: inout Hasher) { hasher.combine(regex.pattern) }

    /// Compiles `pattern`, describing the problem when it is not a valid regular expression.
    static func compile(_ pattern: String) -> Compiled {
        do {
            return .success(RegexBox(regex: try NSRegularExpression(pattern: pattern)))
        } catch {
            return .failure("invalid regular expression '\(pattern)': \(RegexBox.explain(pattern))")
        }
    }

    enum Compiled { case success(RegexBox), failure(String) }

    /// NSRegularExpression's errors say little; name the usual culprits.
    private static func explain(_ pattern: String) -> String {
        var opens = 0
        var brackets = 0
        var escaped = false
        for c in pattern {
            if escaped { escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case "(": opens += 1
            case ")": opens -= 1
            case "[": brackets += 1
            case "]": brackets = max(0, brackets - 1)
            default: break
            }
        }
        if opens > 0 { return "unbalanced '(' (missing ')')" }
        if opens < 0 { return "unbalanced ')' (missing '(')" }
        if brackets > 0 { return "unclosed '[' character class" }
        if escaped { return "trailing backslash" }
        if let first = pattern.first, "*+?{".contains(first) { return "'\(first)' has nothing to repeat" }
        return "the pattern does not compile (ICU syntax)"
    }
}
