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
