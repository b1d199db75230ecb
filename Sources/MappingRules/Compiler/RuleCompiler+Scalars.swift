import Foundation

/// Reading scalars, lists and mappings with errors that name the place.
extension RuleCompiler {
    mutating func compileTemplate(
        _ source: String, at node: RuleNode?, roots: Roots, usage: String, allowsURLs: Bool = true
    ) -> Template? {
        var compiler = TemplateCompiler(roots: roots, usage: usage, vocabulary: vocabulary)
        compiler.allowsURLs = allowsURLs
        let location = node?.contentLocation ?? SourceLocation(file: "<built-in>", line: 1, column: 1)
        return compiler.compile(source, at: location, sink: sink)
    }

    func checkKeys(_ node: RuleNode?, allowed: [String], path: String) {
        if let node, node.entries == nil, !node.isNull {
            sink.error(
                node.location,
                "\(path.isEmpty ? "the rule file" : path) must be a mapping (key: value lines), got \(node.kindName)")
            return
        }
        guard let entries = node?.entries else { return }
        for entry in entries where !allowed.contains(entry.key) {
            let place = path.isEmpty ? "at the top level" : "in \(path)"
            sink.error(
                entry.keyLocation,
                "unknown key '\(entry.key)' \(place)" + Suggest.didYouMean(entry.key, among: allowed)
                    + " (keys here: \(allowed.joined(separator: ", ")))")
        }
    }

    @discardableResult
    func expectMapping(_ node: RuleNode, _ what: String) -> [RuleNode.Entry]? {
        if let entries = node.entries { return entries }
        if node.isNull { return [] }
        sink.error(node.location, "\(what) must be a mapping (key: value lines), got \(node.kindName)")
        return nil
    }

    func required(_ node: RuleNode, _ key: String, _ what: String) -> RuleNode? {
        if let value = node[key] { return value }
        sink.error(node.location, "\(what) needs '\(key):'")
        return nil
    }

    func sequence(_ node: RuleNode, _ what: String) -> [RuleNode] {
        if let items = node.items { return items }
        if node.isNull { return [] }
        sink.error(node.location, "\(what) must be a list (lines starting with '- '), got \(node.kindName)")
        return []
    }

    func text(_ node: RuleNode, _ what: String) -> String? {
        if let text = node.scalar { return node.isNull ? "" : text }
        sink.error(node.location, "\(what) must be text, got \(node.kindName)")
        return nil
    }

    func stringList(_ node: RuleNode, _ what: String) -> [String] {
        sequence(node, what).compactMap { text($0, what) }
    }

    func bool(_ node: RuleNode, _ what: String) -> Bool? {
        if let value = node.bool { return value }
        sink.error(node.location, "\(what) must be true or false, got \(node.kindName)")
        return nil
    }

    func strategy(_ node: RuleNode, _ what: String) -> FieldStrategy? {
        if let word = node.scalar, let strategy = FieldStrategy(rawValue: word) { return strategy }
        sink.error(
            node.location,
            "\(what) must be merge, overwrite or ignore, got \(node.kindName)"
                + Suggest.didYouMean(node.scalar ?? "", among: FieldStrategy.allCases.map(\.rawValue)))
        return nil
    }
}
