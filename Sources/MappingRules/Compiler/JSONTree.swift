import Yams

/// A JSON document that keeps the order of object keys (the schema is read by people).
enum JSONTree: Equatable {
    case object([(String, JSONTree)])
    case array([JSONTree])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null

    static func == (lhs: JSONTree, rhs: JSONTree) -> Bool { lhs.formatted == rhs.formatted }

    struct ParseError: Error { let message: String }

    /// Parses JSON text (JSON is YAML: Yams keeps the key order and the quoting that tells strings from numbers).
    static func parse(_ text: String) throws -> JSONTree {
        guard let node = try Yams.compose(yaml: text) else { throw ParseError(message: "empty document") }
        return try tree(node)
    }

    private static func tree(_ node: Node) throws -> JSONTree {
        switch node {
        case .mapping(let mapping):
            return .object(
                try mapping.map { key, value in
                    guard let name = key.scalar?.string else { throw ParseError(message: "a key that is not a string") }
                    return (name, try tree(value))
                })
        case .sequence(let sequence): return .array(try sequence.map(tree))
        case .scalar(let scalar):
            if scalar.style == .doubleQuoted || scalar.style == .singleQuoted { return .string(scalar.string) }
            switch scalar.string {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default:
                guard let number = Int(scalar.string) else {
                    throw ParseError(message: "unsupported value \(scalar.string)")
                }
                return .int(number)
            }
        case .alias: throw ParseError(message: "an alias")
        }
    }

    /// `$defs[name]`, replaced in place (appended when missing).
    subscript(definition name: String) -> JSONTree? {
        get {
            guard case .object(let entries) = self,
                case .object(let defs)? = entries.first(where: { $0.0 == "$defs" })?.1
            else { return nil }
            return defs.first { $0.0 == name }?.1
        }
        set {
            guard case .object(var entries) = self, let index = entries.firstIndex(where: { $0.0 == "$defs" }),
                case .object(var defs) = entries[index].1, let newValue
            else { return }
            if let position = defs.firstIndex(where: { $0.0 == name }) {
                defs[position].1 = newValue
            } else {
                defs.append((name, newValue))
            }
            entries[index].1 = .object(defs)
            self = .object(entries)
        }
    }

    /// Two-space indentation, `"key": value`, non-ASCII text as is (the layout of Python's `json.dumps(indent=2)`).
    var formatted: String {
        var out = ""
        write(to: &out, indent: "")
        return out
    }

    private func write(to out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .object(let entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{\n"
            for (index, (key, value)) in entries.enumerated() {
                out += inner; JSONTree.quote(key, into: &out); out += ": "
                value.write(to: &out, indent: inner)
                out += index == entries.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                item.write(to: &out, indent: inner)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .string(let text): JSONTree.quote(text, into: &out)
        case .int(let number): out += String(number)
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
