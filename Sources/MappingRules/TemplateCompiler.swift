import Foundation

/// Compiles template text, reporting problems with their position in the rule file.
struct TemplateCompiler {
    /// Roots available where the template is used.
    let roots: Roots
    /// Where the template is used, for messages (`post galleries`).
    let usage: String
    /// Vocabulary for `splitWords`.
    let vocabulary: Vocabulary
    /// False inside `urls:` (a URL template cannot refer to URLs).
    var allowsURLs = true

    /// The compiled template, or nil after reporting every problem in it to `sink`.
    func compile(_ source: String, at location: SourceLocation, sink: DiagnosticSink) -> Template? {
        var parser = TemplateParser(source: source, location: location, compiler: self, sink: sink)
        return parser.parseTemplate()
    }
}

/// Recursive-descent parser over one template's Unicode scalars.
private struct TemplateParser {
    let scalars: [Unicode.Scalar]
    let source: String
    let location: SourceLocation
    let compiler: TemplateCompiler
    let sink: DiagnosticSink
    var index = 0
    var failed = false
    var variables: [Variable] = []

    init(source: String, location: SourceLocation, compiler: TemplateCompiler, sink: DiagnosticSink) {
        self.source = source
        self.scalars = Array(source.unicodeScalars)
        self.location = location
        self.compiler = compiler
        self.sink = sink
    }

    /// The file position of scalar `offset` of the template.
    func position(_ offset: Int) -> SourceLocation {
        var line = location.line
        var column = location.column
        for scalar in scalars[0..<min(offset, scalars.count)] {
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return SourceLocation(file: location.file, line: line, column: column)
    }

    mutating func error(_ offset: Int, _ message: String) {
        failed = true
        sink.error(position(offset), message)
    }

    mutating func parseTemplate() -> Template? {
        var parts: [Template.Part] = []
        var text = String.UnicodeScalarView()
        while index < scalars.count {
            if scalars[index] == "{" && peek(1) == "{" {
                let open = index
                if !text.isEmpty { parts.append(.text(String(text))); text = .init() }
                index += 2
                guard let close = findClose(from: index) else {
                    error(open, "unclosed '{{' in template \(quoted(source)): add '}}'")
                    return nil
                }
                var inner = TemplateParser(slice: self, end: close)
                if let expression = inner.parseHole(openedAt: open) {
                    parts.append(.expression(expression))
                }
                failed = failed || inner.failed
                variables.append(contentsOf: inner.variables)
                index = close + 2
            } else if scalars[index] == "}" && peek(1) == "}" {
                error(
                    index, "'}}' without an opening '{{' in template \(quoted(source)); write {{ '}}' }} for a literal")
                index += 2
            } else {
                text.append(scalars[index])
                index += 1
            }
        }
        if !text.isEmpty { parts.append(.text(String(text))) }
        return failed ? nil : Template(source: source, parts: parts, variables: variables)
    }

    /// A parser restricted to `[start, end)` sharing this one's settings.
    private init(slice parent: TemplateParser, end: Int) {
        self.scalars = Array(parent.scalars[0..<end])
        self.source = parent.source
        self.location = parent.location
        self.compiler = parent.compiler
        self.sink = parent.sink
        self.index = parent.index
    }

    func peek(_ ahead: Int) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    /// Index of the `}}` closing the hole that starts at `from`, skipping quoted strings.
    func findClose(from start: Int) -> Int? {
        var i = start
        var quote: Unicode.Scalar?
        while i < scalars.count {
            let c = scalars[i]
            if let q = quote {
                if c == "\\" { i += 2; continue }
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "}" && i + 1 < scalars.count && scalars[i + 1] == "}" {
                return i
            } else if c == "{" && i + 1 < scalars.count && scalars[i + 1] == "{" {
                return nil
            }
            i += 1
        }
        return nil
    }

    // MARK: Expressions

    mutating func parseHole(openedAt open: Int) -> Expression? {
        skipSpace()
        if index >= scalars.count {
            error(open, "empty '{{ }}' in template \(quoted(source)): put a variable inside, e.g. {{ post.id }}")
            return nil
        }
        guard let expression = parseFallback() else { return nil }
        skipSpace()
        if index < scalars.count {
            let rest = String(String.UnicodeScalarView(scalars[index...]))
            error(index, "unexpected \(quoted(rest)) in template; expected '|', '??' or '}}'")
            return nil
        }
        return expression
    }

    mutating func parseFallback() -> Expression? {
        var options: [Expression] = []
        repeat {
            skipSpace()
            guard let option = parseChain() else { return nil }
            options.append(option)
            skipSpace()
        } while consume("??")
        return options.count == 1 ? options[0] : .fallback(options)
    }

    mutating func parseChain() -> Expression? {
        guard let base = parsePrimary() else { return nil }
        var filters: [Filter] = []
        skipSpace()
        while index < scalars.count && scalars[index] == "|" && peek(1) != "|" {
            index += 1
            skipSpace()
            guard let filter = parseFilter() else { return nil }
            filters.append(filter)
            skipSpace()
        }
        return filters.isEmpty ? base : .filtered(base, filters)
    }

    mutating func parsePrimary() -> Expression? {
        skipSpace()
        guard index < scalars.count else {
            error(index, "expected a variable or a literal before '}}'")
            return nil
        }
        let c = scalars[index]
        if c == "(" {
            index += 1
            guard let inner = parseFallback() else { return nil }
            skipSpace()
            guard consume(")") else { error(index, "expected ')'"); return nil }
            return inner
        }
        if c == "'" || c == "\"" {
            guard let text = parseString() else { return nil }
            return .literal(.string(text))
        }
        if c == "-" || CharacterSet.decimalDigits.contains(c) {
            guard let number = parseNumber() else { return nil }
            return .literal(number)
        }
        let start = index
        let name = parseIdentifier()
        if name.isEmpty {
            error(start, "unexpected '\(c)' in template; expected a variable such as post.content, or a quoted string")
            return nil
        }
        if name == "true" || name == "false" { return .literal(.bool(name == "true")) }
        if name == "null" || name == "none" { return .literal(.null) }
        guard let variable = Variable.byName[name] else {
            error(start, "unknown variable '\(name)'" + Suggest.didYouMean(name, among: Variable.names))
            return nil
        }
        if variable.root.rawValue & compiler.roots.rawValue == 0 {
            error(start, "'\(name)' is not available in \(compiler.usage) (available here: \(compiler.roots.listing))")
            return nil
        }
        if name.hasPrefix("url.") && !compiler.allowsURLs {
            error(start, "'\(name)' cannot be used inside urls: (a URL template cannot refer to a URL)")
            return nil
        }
        variables.append(variable)
        return .variable(variable)
    }

    mutating func parseFilter() -> Filter? {
        let start = index
        let name = parseIdentifier()
        guard !name.isEmpty else {
            error(start, "expected a filter name after '|'")
            return nil
        }
        let known = FilterSpec.byName[name]
        if known == nil {
            // Reported, then parsed past: every unknown filter of the template gets its own "did you mean".
            error(start, "unknown filter '\(name)'" + Suggest.didYouMean(name, among: FilterSpec.names))
        }
        var arguments: [(TemplateValue, Int)] = []
        skipSpace()
        while consume(":") {
            skipSpace()
            let argStart = index
            guard index < scalars.count else { error(index, "expected an argument after ':'"); return nil }
            let c = scalars[index]
            if c == "'" || c == "\"" {
                guard let text = parseString() else { return nil }
                arguments.append((.string(text), argStart))
            } else if let number = parseNumber() {
                arguments.append((number, argStart))
            } else {
                return nil
            }
            skipSpace()
        }
        // A stand-in: the template has failed already and is never used.
        guard let spec = known else { return .trim }
        if arguments.count < spec.minArguments || arguments.count > spec.maxArguments {
            error(start, "filter '\(name)' takes \(spec.arityText) (\(spec.usage)), got \(arguments.count)")
            return nil
        }
        do {
            return try spec.make(arguments.map(\.0), compiler.vocabulary)
        } catch let problem as FilterArgumentError {
            let offset = problem.argument < arguments.count ? arguments[problem.argument].1 : start
            error(offset, "filter '\(name)': \(problem.message)")
            return nil
        } catch {
            self.error(start, "filter '\(name)': \(error)")
            return nil
        }
    }

    mutating func parseString() -> String? {
        let quote = scalars[index]
        let start = index
        index += 1
        var out = String.UnicodeScalarView()
        while index < scalars.count {
            let c = scalars[index]
            if c == "\\" && index + 1 < scalars.count {
                let next = scalars[index + 1]
                switch next {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\", "'", "\"": out.append(next)
                default:
                    // Other escapes stay as written, so that regex classes like \d and \w need no doubling.
                    out.append("\\")
                    out.append(next)
                }
                index += 2
                continue
            }
            if c == quote { index += 1; return String(out) }
            out.append(c)
            index += 1
        }
        error(start, "unterminated string starting with \(quote) in template")
        return nil
    }

    mutating func parseNumber() -> TemplateValue? {
        let start = index
        var text = ""
        if index < scalars.count && scalars[index] == "-" { text.append("-"); index += 1 }
        while index < scalars.count && (CharacterSet.decimalDigits.contains(scalars[index]) || scalars[index] == ".") {
            text.unicodeScalars.append(scalars[index]); index += 1
        }
        if let value = Int64(text) { return .int(value) }
        if let value = Double(text) { return .double(value) }
        error(
            start, "expected a number or a quoted string, found \(quoted(text.isEmpty ? String(scalars[start]) : text))"
        )
        return nil
    }

    mutating func parseIdentifier() -> String {
        var name = String.UnicodeScalarView()
        while index < scalars.count {
            let c = scalars[index]
            if CharacterSet.alphanumerics.contains(c) || c == "_" || c == "." {
                name.append(c); index += 1
            } else {
                break
            }
        }
        return String(name)
    }

    mutating func skipSpace() {
        while index < scalars.count && (scalars[index] == " " || scalars[index] == "\t" || scalars[index] == "\n") {
            index += 1
        }
    }

    mutating func consume(_ token: String) -> Bool {
        let tokenScalars = Array(token.unicodeScalars)
        guard index + tokenScalars.count <= scalars.count else { return false }
        for (offset, scalar) in tokenScalars.enumerated() where scalars[index + offset] != scalar { return false }
        index += tokenScalars.count
        return true
    }

    func quoted(_ text: String) -> String {
        let short = text.count > 60 ? String(text.prefix(57)) + "..." : text
        return "'\(short)'"
    }
}
