import Foundation

/// Field rules: short and long form, reference sources, templates and postProcess steps.
extension RuleCompiler {
    mutating func fields(_ node: RuleNode, specs: [FieldSpec], path: String, roots: Roots, strategy: FieldStrategy)
        -> [FieldRule]
    {
        var result: [FieldRule] = []
        for entry in node.entries ?? [] {
            guard let spec = specs.first(where: { $0.name == entry.key }) else {
                let stashNames = specs.first { $0.output == entry.key }
                let hint =
                    stashNames.map { "; in rule files write '\($0.name)' (it becomes Stash's \($0.output))" }
                    ?? Suggest.didYouMean(entry.key, among: specs.map(\.name))
                sink.error(
                    entry.keyLocation,
                    "unknown field '\(entry.key)' in \(path)\(hint) (fields here: \(specs.map(\.name).joined(separator: ", ")))"
                )
                continue
            }
            if let rule = field(
                entry.value, spec: spec, path: "\(path).\(spec.name)", roots: roots, strategy: strategy,
                usage: usage(String(path.dropLast(7))))
            {
                result.append(rule)
            }
        }
        return result
    }

    mutating func field(
        _ node: RuleNode, spec: FieldSpec, path: String, roots: Roots, strategy: FieldStrategy, usage: String
    ) -> FieldRule? {
        var strategy = strategy
        var when: Condition?
        var steps: [(PostStep, Condition?, SourceLocation)] = []
        var valueNode = node
        var isFirstOf = false
        if let entries = node.entries {
            // Long form.
            checkKeys(node, allowed: ["value", "firstOf", "postProcess", "strategy", "when"], path: path)
            if let s = node["strategy"] { strategy = self.strategy(s, "\(path).strategy") ?? strategy }
            when = condition(node["when"], roots: roots, usage: usage)
            if let pp = node["postProcess"] {
                steps = postProcess(pp, path: "\(path).postProcess", roots: roots, usage: usage)
            }
            let hasValue = entries.contains { $0.key == "value" }
            let hasFirstOf = entries.contains { $0.key == "firstOf" }
            if hasValue && hasFirstOf {
                sink.error(node.location, "\(path): give either value or firstOf, not both")
                return nil
            }
            if let v = node["value"] {
                valueNode = v
            } else if let f = node["firstOf"] {
                valueNode = f; isFirstOf = true
            } else {
                if strategy == .ignore {
                    return FieldRule(
                        name: spec.name, output: spec.output, type: spec.type, source: .list([]), postProcess: [],
                        strategy: .ignore, when: nil, location: node.location, path: path)
                }
                sink.error(node.location, "\(path) needs a value: (a template) or firstOf: (a fallback chain)")
                return nil
            }
        }
        guard let source = value(valueNode, spec: spec, path: path, roots: roots, usage: usage, firstOf: isFirstOf)
        else { return nil }
        var rule = FieldRule(
            name: spec.name, output: spec.output, type: spec.type, source: source, postProcess: steps,
            strategy: strategy, when: when, location: valueNode.location, path: path)
        nextFieldId += 1
        rule.id = nextFieldId
        rule.sameForEveryMedia = RuleCompiler.sameForEveryMedia(rule)
        return rule
    }

    mutating func value(_ node: RuleNode, spec: FieldSpec, path: String, roots: Roots, usage: String, firstOf: Bool)
        -> ValueSource?
    {
        switch spec.type {
        case .reference(let allowed), .references(let allowed):
            var single = false
            if case .reference = spec.type { single = true }
            let words: [RuleNode]
            if node.items != nil {
                if single {
                    sink.error(
                        node.location,
                        "\(path) takes one source (\(allowed.map(\.rawValue).joined(separator: " or "))), not a list");
                    return nil
                }
                words = node.items!
            } else if node.isNull {
                return .references([])
            } else {
                words = [node]
            }
            var sources: [ReferenceSource] = []
            for word in words {
                guard let text = text(word, path) else { continue }
                if text == "none" { continue }
                guard let source = ReferenceSource(rawValue: text), allowed.contains(source) else {
                    sink.error(
                        word.contentLocation,
                        "\(path): '\(text)' is not a source here; use \(allowed.map(\.rawValue).joined(separator: ", ")) or none"
                            + Suggest.didYouMean(text, among: allowed.map(\.rawValue)))
                    continue
                }
                sources.append(source)
            }
            return .references(sources)
        case .bool:
            if let flag = node.bool { return .bool(flag) }
            guard let source = text(node, path) else { return nil }
            if !source.contains("{{") {
                sink.error(node.contentLocation, "\(path) must be true, false or a template, got '\(source)'")
                return nil
            }
            return compileTemplate(source, at: node, roots: roots, usage: usage).map(ValueSource.template)
        case .list:
            if firstOf { return templates(node, path: path, roots: roots, usage: usage).map(ValueSource.firstOf) }
            if node.items != nil {
                return templates(node, path: path, roots: roots, usage: usage).map(ValueSource.list)
            }
            guard let source = text(node, path) else { return nil }
            return compileTemplate(source, at: node, roots: roots, usage: usage).map { .list([$0]) }
        case .text, .date, .int:
            if firstOf || node.items != nil {
                if node.items != nil && !firstOf {
                    sink.error(
                        node.location,
                        "\(path) takes a single value, got a list; write firstOf: [...] for a fallback chain")
                    return nil
                }
                return templates(node, path: path, roots: roots, usage: usage).map(ValueSource.firstOf)
            }
            guard let source = text(node, path) else { return nil }
            if case .int = spec.type, !source.contains("{{"), Int(source) == nil {
                sink.error(node.contentLocation, "\(path) must be a whole number or a template, got '\(source)'")
                return nil
            }
            return compileTemplate(source, at: node, roots: roots, usage: usage).map(ValueSource.template)
        }
    }

    mutating func templates(_ node: RuleNode, path: String, roots: Roots, usage: String) -> [Template]? {
        var result: [Template] = []
        var ok = true
        for item in node.items ?? [node] {
            guard let source = text(item, path),
                let template = compileTemplate(source, at: item, roots: roots, usage: usage)
            else { ok = false; continue }
            result.append(template)
        }
        return ok ? result : nil
    }

    static let postProcessKeys = ["replace", "map", "parseDate", "formatDate", "append", "prepend"]

    mutating func postProcess(_ node: RuleNode, path: String, roots: Roots, usage: String) -> [(
        PostStep, Condition?, SourceLocation
    )] {
        var steps: [(PostStep, Condition?, SourceLocation)] = []
        for item in sequence(node, path) {
            guard let entries = item.entries else {
                sink.error(
                    item.location,
                    "each \(path) step is a mapping such as replace:, map:, parseDate:, formatDate:, append: or prepend:, got \(item.kindName)"
                )
                continue
            }
            let ops = entries.filter { $0.key != "when" }
            guard ops.count == 1, let op = ops.first else {
                sink.error(
                    item.location,
                    "each \(path) step has exactly one of \(RuleCompiler.postProcessKeys.joined(separator: ", ")) (plus an optional when:); split it into several steps"
                )
                continue
            }
            let when = condition(item["when"], roots: roots, usage: usage)
            switch op.key {
            case "replace":
                var pairs: [(RegexBox, String)] = []
                for pair in sequence(op.value, "\(path).replace") {
                    guard expectMapping(pair, "a replace entry") != nil else { continue }
                    checkKeys(pair, allowed: ["regex", "with"], path: "\(path).replace")
                    guard let regexNode = required(pair, "regex", "replace entry"),
                        let pattern = text(regexNode, "regex")
                    else { continue }
                    let with = pair["with"].flatMap { text($0, "with") } ?? ""
                    switch RegexBox.compile(pattern) {
                    case .success(let regex): pairs.append((regex, with))
                    case .failure(let message): sink.error(regexNode.contentLocation, message)
                    }
                }
                steps.append((.replace(pairs), when, item.location))
            case "map":
                guard let entries = op.value.entries else {
                    sink.error(
                        op.value.location, "\(path).map is a mapping of value: replacement, got \(op.value.kindName)")
                    continue
                }
                var table: [String: String] = [:]
                for entry in entries { table[entry.key] = entry.value.scalar ?? "" }
                steps.append((.map(table), when, item.location))
            case "parseDate", "formatDate":
                guard let layout = text(op.value, "\(path).\(op.key)"), !layout.isEmpty else { continue }
                steps.append((op.key == "parseDate" ? .parseDate(layout) : .formatDate(layout), when, item.location))
            case "append", "prepend":
                guard let source = text(op.value, "\(path).\(op.key)"),
                    let template = compileTemplate(source, at: op.value, roots: roots, usage: usage)
                else { continue }
                steps.append((op.key == "append" ? .append(template) : .prepend(template), when, item.location))
            default:
                sink.error(
                    op.keyLocation,
                    "unknown postProcess step '\(op.key)'"
                        + Suggest.didYouMean(op.key, among: RuleCompiler.postProcessKeys)
                        + " (steps: \(RuleCompiler.postProcessKeys.joined(separator: ", ")))")
            }
        }
        return steps
    }
}
