import Foundation

/// Writes merged rules back as YAML that reads the same: keys in file order (the built-in rules'
/// order, then what later files add), scalars as they were written (`1` stays `1`, `"true"` stays
/// text), anchors expanded. `rules show` prints it, and `rules check` accepts it unchanged.
enum RuleYAMLWriter {
    static func write(_ root: RuleNode, header: [String]) -> String {
        var out = header.map { "# \($0)\n" }.joined()
        guard let entries = root.entries else { return out + scalarText(root) + "\n" }
        for entry in entries where entry.key != "extends" {
            // The merged rules already hold the default: extending it again would say nothing.
            out += "\n"
            writeEntry(entry, indent: 0, into: &out)
        }
        return out
    }

    private static func writeEntry(_ entry: RuleNode.Entry, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        out += pad + keyText(entry.key) + ":"
        writeValue(entry.value, indent: indent, into: &out)
    }

    /// The value after `key:` or `-`: inline for scalars and empty collections, else on the next lines.
    private static func writeValue(_ node: RuleNode, indent: Int, into out: inout String) {
        switch node.kind {
        case .scalar:
            out += " " + scalarText(node) + "\n"
        case .mapping(let entries) where entries.isEmpty:
            out += " {}\n"
        case .sequence(let items) where items.isEmpty:
            out += " []\n"
        case .mapping(let entries):
            out += "\n"
            for entry in entries { writeEntry(entry, indent: indent + 2, into: &out) }
        case .sequence(let items):
            out += "\n"
            for item in items { writeItem(item, indent: indent + 2, into: &out) }
        }
    }

    private static func writeItem(_ node: RuleNode, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        switch node.kind {
        case .mapping(let entries) where !entries.isEmpty:
            // `- key: value`, the item's other keys aligned under the first.
            out += pad + "- " + keyText(entries[0].key) + ":"
            writeValue(entries[0].value, indent: indent + 2, into: &out)
            for entry in entries.dropFirst() { writeEntry(entry, indent: indent + 2, into: &out) }
        case .sequence(let items) where !items.isEmpty:
            out += pad + "-\n"
            for item in items { writeItem(item, indent: indent + 2, into: &out) }
        default:
            out += pad + "-"
            writeValue(node, indent: indent, into: &out)
        }
    }

    private static func keyText(_ key: String) -> String {
        isPlainSafe(key) && key != "<<" ? key : quoted(key)
    }

    /// A plain scalar is written as it was read (so it resolves to the same number, boolean or
    /// null); anything quoted or in a block, or that would not read back the same, is double-quoted.
    static func scalarText(_ node: RuleNode) -> String {
        guard case .scalar(let text, let plain) = node.kind else { return "" }
        if node.isNull { return "null" }
        if plain && isPlainSafe(text) { return text }
        return quoted(text)
    }

    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first)
            && !(first == "-" && text.count > 1 && text.dropFirst().allSatisfy(\.isNumber))
        {
            return false
        }
        if first.properties.isWhitespace || last.properties.isWhitespace { return false }
        if text.contains(": ") || text.contains(" #") || text.hasSuffix(":") { return false }
        return !text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0.value < 0x20 }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\x%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
