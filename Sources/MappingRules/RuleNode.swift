import Foundation
import Yams

/// A YAML node with the file position of where it came from. Rule files are parsed into these
/// (Yams marks carry no file name), merged (later files override earlier ones by key) and read.
struct RuleNode: Sendable {
    enum Kind: Sendable {
        /// `plain` is false for quoted and block scalars: `"true"` is text, `true` a boolean.
        case scalar(String, plain: Bool)
        case mapping([Entry])
        case sequence([RuleNode])
    }

    struct Entry: Sendable {
        var key: String
        var keyLocation: SourceLocation
        var value: RuleNode
    }

    var kind: Kind
    /// Where the node starts.
    var location: SourceLocation
    /// Where the text of a scalar starts (after the quote, or on the first line of a block scalar).
    var contentLocation: SourceLocation

    var entries: [Entry]? { if case .mapping(let entries) = kind { return entries } else { return nil } }
    var items: [RuleNode]? { if case .sequence(let items) = kind { return items } else { return nil } }
    var scalar: String? { if case .scalar(let text, _) = kind { return text } else { return nil } }

    var isNull: Bool {
        if case .scalar(let text, let plain) = kind {
            return plain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
        }
        return false
    }

    /// A plain `true`/`false` scalar.
    var bool: Bool? {
        guard case .scalar(let text, true) = kind else { return nil }
        switch text {
        case "true", "True", "TRUE": return true;
        case "false", "False", "FALSE": return false;
        default: return nil
        }
    }

    /// A plain integer scalar.
    var int: Int? {
        guard case .scalar(let text, true) = kind else { return nil }
        return Int(text)
    }

    subscript(key: String) -> RuleNode? { entries?.first { $0.key == key }?.value }

    /// What the node is, for "expected X, got Y" messages.
    var kindName: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let text, _):
            return isNull ? "nothing" : "'\(text.count > 40 ? String(text.prefix(37)) + "..." : text)'"
        }
    }

    /// Later overrides earlier by key; mappings merge recursively, anything else is replaced.
    static func merge(_ base: RuleNode, _ override: RuleNode, path: [String] = []) -> RuleNode {
        if path == ["tags", "extra"], case .sequence(let earlier) = base.kind, case .sequence(let later) = override.kind
        {
            var merged = override
            merged.kind = .sequence(mergeByName(earlier, later))
            return merged
        }
        guard case .mapping(var entries) = base.kind, case .mapping(let overrides) = override.kind else {
            return override
        }
        for entry in overrides {
            if let index = entries.firstIndex(where: { $0.key == entry.key }) {
                entries[index].value = merge(entries[index].value, entry.value, path: path + [entry.key])
                entries[index].keyLocation = entry.keyLocation
            } else {
                entries.append(entry)
            }
        }
        var merged = base
        merged.kind = .mapping(entries)
        return merged
    }

    /// Lists of named entries (`tags.extra`) combine by name, so that a file adding one extra tag
    /// keeps the ones it extends: a later entry replaces the earlier one of the same name (ignoring
    /// case), new names are appended, and `enabled: false` removes an entry.
    static func mergeByName(_ earlier: [RuleNode], _ later: [RuleNode]) -> [RuleNode] {
        func name(_ node: RuleNode) -> String? { node["name"]?.scalar?.lowercased() }
        var result = earlier
        for entry in later {
            if let key = name(entry), let index = result.firstIndex(where: { name($0) == key }) {
                result[index] = entry
            } else {
                result.append(entry)
            }
        }
        return result
    }

    /// A JSON-compatible value with sorted keys, for the canonical form of the rules.
    var jsonObject: Any {
        switch kind {
        case .scalar(let text, let plain):
            if isNull { return NSNull() }
            if plain, let bool { return bool }
            if plain, let int { return int }
            return text
        case .sequence(let items): return items.map(\.jsonObject)
        case .mapping(let entries):
            var object: [String: Any] = [:]
            for entry in entries { object[entry.key] = entry.value.jsonObject }
            return object
        }
    }
}

/// Turns YAML text into a `RuleNode` tree, converting libyaml's errors into located diagnostics.
enum RuleFileParser {
    static func parse(yaml text: String, file: String, sink: DiagnosticSink) -> RuleNode? {
        let lines = text.components(separatedBy: "\n")
        do {
            guard let root = try Yams.compose(yaml: text) else {
                return RuleNode(
                    kind: .mapping([]), location: .init(file: file, line: 1, column: 1),
                    contentLocation: .init(file: file, line: 1, column: 1))
            }
            return convert(root, file: file, lines: lines, sink: sink)
        } catch let error as YamlError {
            report(error, file: file, lines: lines, sink: sink)
            return nil
        } catch {
            sink.error(.init(file: file, line: 1, column: 1), "cannot read YAML: \(error)")
            return nil
        }
    }

    private static func report(_ error: YamlError, file: String, lines: [String], sink: DiagnosticSink) {
        func location(_ mark: Mark) -> SourceLocation {
            .init(file: file, line: max(1, mark.line), column: max(1, mark.column))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml rejects tabs with a generic message; say what is wrong.
            if let tab = firstTabIndent(lines, near: mark.line) {
                sink.error(
                    .init(file: file, line: tab.line, column: tab.column),
                    "tab character used for indentation; YAML only allows spaces")
                return
            }
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at \(context.mark.line):\(context.mark.column))" }
            if problem.contains("mapping values are not allowed") {
                message += "; a value containing ': ' must be quoted"
            } else if problem.contains("could not find expected ':'") {
                message += "; check the indentation and that every key ends with ':'"
            } else if problem.contains("found undefined alias") {
                message += "; define the &anchor before using *alias"
            }
            sink.error(location(mark), message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            sink.error(
                location(context.mark),
                "duplicate key\(duplicates.count > 1 ? "s" : "") \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in the same mapping; keep one"
            )
        case .reader(let problem, let offset, _, _):
            sink.error(
                .init(file: file, line: 1, column: 1),
                "cannot read the file: \(problem)\(offset.map { " at byte \($0)" } ?? "")")
        default:
            sink.error(.init(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }

    /// The first tab in the leading white space of a line up to `line` (1-based), if any.
    private static func firstTabIndent(_ lines: [String], near line: Int) -> (line: Int, column: Int)? {
        for (index, text) in lines.prefix(max(line, 1)).enumerated() {
            var column = 1
            for c in text {
                if c == "\t" { return (index + 1, column) }
                if c != " " { break }
                column += 1
            }
        }
        return nil
    }

    private static func convert(_ node: Node, file: String, lines: [String], sink: DiagnosticSink) -> RuleNode {
        let line = node.mark?.line ?? 1
        let column = node.mark?.column ?? 1
        let location = SourceLocation(file: file, line: line, column: column)
        switch node {
        case .scalar(let scalar):
            var content = location
            switch scalar.style {
            case .singleQuoted, .doubleQuoted: content = location.advanced(by: 1)
            case .literal, .folded:
                // Block scalar text starts on the next line at its indentation.
                let next = line // 0-based index of the following line
                if next < lines.count {
                    let indent = lines[next].prefix { $0 == " " }.count
                    content = SourceLocation(file: file, line: line + 1, column: indent + 1)
                }
            default: break
            }
            let plain = scalar.style == .plain || scalar.style == .any
            return RuleNode(kind: .scalar(scalar.string, plain: plain), location: location, contentLocation: content)
        case .sequence(let sequence):
            return RuleNode(
                kind: .sequence(sequence.map { convert($0, file: file, lines: lines, sink: sink) }),
                location: location, contentLocation: location)
        case .mapping(let mapping):
            var entries: [RuleNode.Entry] = []
            for (key, value) in mapping {
                let keyLocation =
                    key.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) } ?? location
                guard let name = key.scalar?.string else {
                    sink.error(keyLocation, "mapping keys must be plain words, not lists or mappings")
                    continue
                }
                let converted = convert(value, file: file, lines: lines, sink: sink)
                if name == "<<" {
                    // YAML merge key: entries of the referenced mapping(s) that are not set here.
                    let sources = converted.items ?? [converted]
                    for source in sources {
                        for entry in source.entries ?? []
                        where !mapping.keys.contains(where: { $0.scalar?.string == entry.key }) {
                            if !entries.contains(where: { $0.key == entry.key }) { entries.append(entry) }
                        }
                    }
                    continue
                }
                entries.append(.init(key: name, keyLocation: keyLocation, value: converted))
            }
            return RuleNode(kind: .mapping(entries), location: location, contentLocation: location)
        case .alias:
            return RuleNode(kind: .scalar("", plain: true), location: location, contentLocation: location)
        }
    }
}
