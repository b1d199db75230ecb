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

/// What the template parser needs to know about each filter, and the reference text for docs.
struct FilterSpec: Sendable {
    let name: String
    let minArguments: Int
    let maxArguments: Int
    let usage: String
    let summary: String
    let make: @Sendable ([TemplateValue], Vocabulary) throws -> Filter

    var arityText: String {
        switch (minArguments, maxArguments) {
        case (0, 0): return "no arguments"
        case (let a, let b) where a == b: return a == 1 ? "1 argument" : "\(a) arguments"
        case (0, let b): return "at most \(b) argument\(b == 1 ? "" : "s")"
        default: return "\(minArguments) to \(maxArguments) arguments"
        }
    }

    static func int(_ args: [TemplateValue], _ index: Int, min: Int = 0) throws -> Int {
        guard case .int(let value) = args[index] else {
            throw FilterArgumentError(
                argument: index, message: "argument \(index + 1) must be a whole number, got '\(args[index].text)'")
        }
        guard value >= min else {
            throw FilterArgumentError(
                argument: index, message: "argument \(index + 1) must be at least \(min), got \(value)")
        }
        return Int(value)
    }

    static func string(_ args: [TemplateValue], _ index: Int, default fallback: String = "") throws -> String {
        guard index < args.count else { return fallback }
        guard case .string(let text) = args[index] else {
            throw FilterArgumentError(
                argument: index, message: "argument \(index + 1) must be a quoted string, got \(args[index].text)")
        }
        return text
    }

    static let all: [FilterSpec] = [
        FilterSpec(
            name: "date", minArguments: 0, maxArguments: 1, usage: "date:\"yyyy-MM-dd\"",
            summary: "formats a date (UTC, en_US_POSIX); text in ISO or `yyyy-MM-dd HH:mm:ss` form is parsed first"
        ) { args, _ in
            let pattern = try string(args, 0, default: "yyyy-MM-dd")
            guard !pattern.isEmpty else { throw FilterArgumentError(argument: 0, message: "the date pattern is empty") }
            return .date(DatePattern(pattern: DateText.pattern(pattern)))
        },
        FilterSpec(
            name: "truncate", minArguments: 1, maxArguments: 2, usage: "truncate:N or truncate:N:\"…\"",
            summary:
                "cuts text longer than N characters on a word boundary, then appends the optional suffix (the result is at most N long)"
        ) { args, _ in
            let limit = try int(args, 0, min: 1)
            let suffix = try string(args, 1)
            guard suffix.count < limit else {
                throw FilterArgumentError(argument: 1, message: "the suffix must be shorter than \(limit) characters")
            }
            return .truncate(limit, suffix)
        },
        FilterSpec(
            name: "cut", minArguments: 1, maxArguments: 2, usage: "cut:N or cut:N:\"...\"",
            summary: "cuts text longer than N characters exactly (not on a word), with the optional suffix counted in N"
        ) { args, _ in
            let limit = try int(args, 0, min: 1)
            let suffix = try string(args, 1)
            guard suffix.count < limit else {
                throw FilterArgumentError(argument: 1, message: "the suffix must be shorter than \(limit) characters")
            }
            return .cut(limit, suffix)
        },
        FilterSpec(
            name: "minLength", minArguments: 1, maxArguments: 1, usage: "minLength:N",
            summary: "empties text shorter than N characters, so that a fallback takes over"
        ) { args, _ in
            .minLength(try int(args, 0))
        },
        FilterSpec(
            name: "firstLine", minArguments: 0, maxArguments: 0, usage: "firstLine",
            summary: "the first line that is not blank, trimmed"
        ) { _, _ in .firstLine },
        FilterSpec(
            name: "firstSentence", minArguments: 0, maxArguments: 0, usage: "firstSentence",
            summary:
                "the first sentence of the first line: up to and with the first `.`, `!`, `?` or `…` followed by a space"
        ) { _, _ in .firstSentence },
        FilterSpec(
            name: "stripHtml", minArguments: 0, maxArguments: 0, usage: "stripHtml",
            summary: "removes HTML tags (`<br>` becomes a line break) and decodes the common entities"
        ) { _, _ in .stripHtml },
        FilterSpec(name: "lower", minArguments: 0, maxArguments: 0, usage: "lower", summary: "lower-cases") { _, _ in
            .lower
        },
        FilterSpec(name: "upper", minArguments: 0, maxArguments: 0, usage: "upper", summary: "upper-cases") { _, _ in
            .upper
        },
        FilterSpec(
            name: "title", minArguments: 0, maxArguments: 0, usage: "title",
            summary: "upper-cases the first letter of every word, leaving the rest as is"
        ) { _, _ in .title },
        FilterSpec(
            name: "trim", minArguments: 0, maxArguments: 0, usage: "trim",
            summary: "removes leading and trailing white space"
        ) { _, _ in .trim },
        FilterSpec(
            name: "squish", minArguments: 0, maxArguments: 0, usage: "squish",
            summary: "trims and collapses runs of white space (line breaks included) to one space"
        ) { _, _ in .squish },
        FilterSpec(
            name: "slug", minArguments: 0, maxArguments: 0, usage: "slug",
            summary: "lower-case ASCII words joined by `-` (`Latex Model!` → `latex-model`)"
        ) { _, _ in .slug },
        FilterSpec(
            name: "stripHashtags", minArguments: 0, maxArguments: 0, usage: "stripHashtags",
            summary: "removes `#hashtags` and collapses the white space left behind"
        ) { _, _ in .stripHashtags },
        FilterSpec(
            name: "stripMentions", minArguments: 0, maxArguments: 0, usage: "stripMentions",
            summary: "removes `@mentions` and collapses the white space left behind"
        ) { _, _ in .stripMentions },
        FilterSpec(
            name: "splitWords", minArguments: 0, maxArguments: 0, usage: "splitWords",
            summary:
                "splits run-together words: at case changes, digits, `_` and `-` (`LatexModel` → `Latex Model`), and lower-case runs with the `tags.words` vocabulary (`latexmodel` → `latex model`)"
        ) { _, vocabulary in
            .splitWords(vocabulary)
        },
        FilterSpec(
            name: "replace", minArguments: 2, maxArguments: 2, usage: "replace:\"regex\":\"with\"",
            summary: "replaces every match of a regular expression (ICU syntax); `$1` inserts a group"
        ) { args, _ in
            let pattern = try string(args, 0)
            let with = try string(args, 1)
            switch RegexBox.compile(pattern) {
            case .success(let regex): return .replace(regex, with)
            case .failure(let message): throw FilterArgumentError(argument: 0, message: message)
            }
        },
        FilterSpec(
            name: "default", minArguments: 1, maxArguments: 1, usage: "default:\"x\"",
            summary: "the argument when the value is empty"
        ) { args, _ in
            .defaultValue(args[0])
        },
        FilterSpec(
            name: "join", minArguments: 0, maxArguments: 1, usage: "join:\", \"",
            summary: "joins a list into text (default separator `, `)"
        ) { args, _ in
            .join(try string(args, 0, default: ", "))
        },
        FilterSpec(
            name: "split", minArguments: 0, maxArguments: 1, usage: "split:\",\"",
            summary: "splits text into a list of trimmed, non-empty parts (default separator `,`)"
        ) { args, _ in
            let separator = try string(args, 0, default: ",")
            guard !separator.isEmpty else { throw FilterArgumentError(argument: 0, message: "the separator is empty") }
            return .split(separator)
        },
        FilterSpec(name: "first", minArguments: 0, maxArguments: 0, usage: "first", summary: "the first item of a list")
        { _, _ in .first },
        FilterSpec(name: "last", minArguments: 0, maxArguments: 0, usage: "last", summary: "the last item of a list") {
            _, _ in .last
        },
        FilterSpec(
            name: "count", minArguments: 0, maxArguments: 0, usage: "count",
            summary: "the number of items of a list, or of characters of text"
        ) { _, _ in .count },
        FilterSpec(
            name: "prefix", minArguments: 1, maxArguments: 1, usage: "prefix:\"x\"",
            summary: "prepends the argument, only when the value is not empty"
        ) { args, _ in
            .prefix(try string(args, 0))
        },
        FilterSpec(
            name: "suffix", minArguments: 1, maxArguments: 1, usage: "suffix:\"x\"",
            summary: "appends the argument, only when the value is not empty"
        ) { args, _ in
            .suffix(try string(args, 0))
        },
    ]

    static let byName: [String: FilterSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    static let names: [String] = all.map(\.name)
}

/// The text operations behind the filters (shared with post-processing).
enum TextOps {
    static let hashtagPattern = try! NSRegularExpression(pattern: "#+\\w+")
    static let mentionPattern = try! NSRegularExpression(pattern: "@[\\w.]+")
    private static let tagPattern = try! NSRegularExpression(pattern: "<[^>]*>")
    private static let breakPattern = try! NSRegularExpression(
        pattern: "<\\s*(br|/p|/div)\\s*/?>", options: [.caseInsensitive])

    /// `text` without leading and trailing white space; the same string when there is none.
    static func trimmed(_ text: String) -> String {
        // Usual case first: both ends are ASCII and not blank (ASCII whitespace is 0x09–0x0D and space).
        let utf8 = text.utf8
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80,
            first != 0x20, !(0x09...0x0D).contains(first), last != 0x20, !(0x09...0x0D).contains(last)
        {
            return text
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return text }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return text }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }

    /// The first line up to and with the first sentence end (`.`, `!`, `?`, `…`, repeated or not)
    /// followed by a space or the end: `Hi there! New set` → `Hi there!`; `v1.2 is out` stays whole.
    static func firstSentence(_ text: String) -> String {
        let line = firstLine(text)
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            if ".!?…".contains(characters[index]) {
                var end = index + 1
                while end < characters.count, ".!?…".contains(characters[end]) { end += 1 }
                if end == characters.count || characters[end].isWhitespace {
                    return trimmed(String(characters[..<end]))
                }
                index = end
            } else {
                index += 1
            }
        }
        return line
    }

    static func firstLine(_ text: String) -> String {
        // Scans UTF-8 for line breaks (cheaper than Character iteration); only the first
        // non-blank line matters, however long the caption.
        let utf8 = text.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            var end = start
            while end < utf8.endIndex, utf8[end] != 0x0A, utf8[end] != 0x0D { end = utf8.index(after: end) }
            let line = Substring(text.utf8[start..<end])
            if line.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { return trimmed(String(line)) }
            start = end < utf8.endIndex ? utf8.index(after: end) : end
        }
        return ""
    }

    /// Case-insensitive equality without Foundation's cost when the texts are equal or differ in length.
    static func sameIgnoringCase(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if a.utf8.count != b.utf8.count, a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) {
            return false
        }
        return a.caseInsensitiveCompare(b) == .orderedSame
    }

    /// The number of Characters, cheaply for ASCII text (the usual case).
    static func length(_ text: String) -> Int {
        let utf8 = text.utf8
        return utf8.allSatisfy { $0 < 0x80 } ? utf8.count : text.count
    }

    static func truncate(_ text: String, limit: Int, suffix: String) -> String {
        guard text.utf8.count > limit, length(text) > limit else { return text }
        let room = limit - suffix.count
        let head = text.prefix(room)
        let cutsWord = text[head.endIndex].isLetter || text[head.endIndex].isNumber
        var kept = Substring(head)
        if cutsWord, let space = head.lastIndex(where: { $0.isWhitespace }),
            head.distance(from: head.startIndex, to: space) > 0
        {
            kept = head[..<space]
        }
        let trimmed = kept.trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: ",;:-–—")))
        return trimmed + suffix
    }

    static func cut(_ text: String, limit: Int, suffix: String) -> String {
        guard text.utf8.count > limit, length(text) > limit else { return text }
        return String(text.prefix(limit - suffix.count)) + suffix
    }

    static func stripHtml(_ text: String) -> String {
        guard text.contains("<") || text.contains("&") else { return text }
        var out = breakPattern.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "\n")
        out = tagPattern.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "")
        for (entity, character) in [
            ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"),
            ("&amp;", "&"),
        ] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out
    }

    static func titleCase(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        var atWordStart = true
        for c in text {
            if c.isLetter || c.isNumber || c == "'" {
                out += atWordStart ? c.uppercased() : String(c)
                atWordStart = false
            } else {
                out.append(c)
                atWordStart = true
            }
        }
        return out
    }

    static func squish(_ text: String) -> String {
        // Usual case: ASCII text whose only white space is single spaces between words is its own result.
        var previousSpace = true // a leading space is not kept
        var clean = true
        for byte in text.utf8 {
            if byte >= 0x80 || (0x09...0x0D).contains(byte) || (byte == 0x20 && previousSpace) { clean = false; break }
            previousSpace = byte == 0x20
        }
        if clean, !previousSpace { return text }
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func slug(_ text: String) -> String {
        let folded = text.folding(
            options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX")
        ).lowercased()
        var out = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return out
    }

    /// `LatexModel` → `Latex Model`, `latex_model` → `latex model`, `bbw2024` → `bbw 2024`;
    /// lower-case runs are segmented with the vocabulary when every piece is a known word.
    static func splitWords(_ text: String, vocabulary: Vocabulary) -> String {
        var words: [String] = []
        var current = ""
        var previous: Character?
        for c in text {
            if c == "_" || c == "-" || c.isWhitespace {
                if !current.isEmpty { words.append(current); current = "" }
                previous = nil
                continue
            }
            if let p = previous, !current.isEmpty {
                let caseBoundary = c.isUppercase && p.isLowercase
                let digitBoundary = c.isNumber != p.isNumber
                if caseBoundary || digitBoundary { words.append(current); current = "" }
            }
            current.append(c)
            previous = c
        }
        if !current.isEmpty { words.append(current) }
        guard !vocabulary.words.isEmpty else { return words.joined(separator: " ") }
        return words.flatMap { word -> [String] in
            guard word.count > 1, word == word.lowercased(), !vocabulary.words.contains(word),
                let pieces = segment(word, vocabulary)
            else { return [word] }
            return pieces
        }.joined(separator: " ")
    }

    /// Fewest-pieces segmentation of `word` into vocabulary words; nil when impossible.
    private static func segment(_ word: String, _ vocabulary: Vocabulary) -> [String]? {
        let chars = Array(word)
        var best = [[String]?](repeating: nil, count: chars.count + 1)
        best[0] = []
        for end in 1...chars.count {
            for start in max(0, end - vocabulary.longest)..<end {
                guard let prefix = best[start] else { continue }
                let piece = String(chars[start..<end])
                guard vocabulary.words.contains(piece) else { continue }
                if best[end] == nil || best[end]!.count > prefix.count + 1 { best[end] = prefix + [piece] }
            }
        }
        return best[chars.count]
    }
}
