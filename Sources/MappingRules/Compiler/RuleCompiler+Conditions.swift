import Foundation

/// `when:` conditions and their tests.
extension RuleCompiler {
    mutating func condition(_ node: RuleNode?, roots: Roots, usage: String) -> Condition? {
        guard let node, !node.isNull else { return nil }
        guard let entries = node.entries else {
            sink.error(
                node.location, "when: is a mapping of variable: test (e.g. media.kind: video), got \(node.kindName)")
            return nil
        }
        var clauses: [Condition.Clause] = []
        for entry in entries {
            guard let variable = Variable.byName[entry.key] else {
                sink.error(
                    entry.keyLocation,
                    "unknown variable '\(entry.key)' in when:" + Suggest.didYouMean(entry.key, among: Variable.names))
                continue
            }
            if variable.root.rawValue & roots.rawValue == 0 {
                sink.error(
                    entry.keyLocation, "'\(entry.key)' is not available in \(usage) (available here: \(roots.listing))")
                continue
            }
            if let tests = self.tests(entry.value, variable: variable, path: "when.\(entry.key)") {
                clauses.append(.init(variable: variable, tests: tests))
            }
        }
        return Condition(clauses: clauses, location: node.location)
    }

    mutating func tests(_ node: RuleNode, variable: Variable, path: String) -> [Condition.Test]? {
        if let items = node.items { return [.oneOf(items.compactMap { text($0, path) })] }
        guard let entries = node.entries else {
            guard let value = node.scalar, !node.isNull else { return [.empty(true)] }
            if variable.type == .bool && node.bool == nil {
                sink.error(node.location, "\(path) is true or false, got '\(value)'")
                return nil
            }
            return [.equals(value)]
        }
        var tests: [Condition.Test] = []
        for entry in entries {
            let value = entry.value
            func number() -> Double? {
                guard let text = value.scalar, let number = Double(text) else {
                    sink.error(value.location, "\(path).\(entry.key) must be a number, got \(value.kindName)")
                    return nil
                }
                if !variable.type.isNumeric && variable.type != .list && variable.type != .string {
                    sink.error(
                        entry.keyLocation,
                        "\(path).\(entry.key): '\(variable.rawValue)' is a \(variable.type.rawValue), not a number")
                }
                return number
            }
            func date() -> Date? {
                guard let text = value.scalar, let date = DateText.parse(text) else {
                    sink.error(
                        value.location, "\(path).\(entry.key) must be a date such as 2024-01-31, got \(value.kindName)")
                    return nil
                }
                if variable.type != .date && variable.type != .string {
                    sink.error(
                        entry.keyLocation,
                        "\(path).\(entry.key): '\(variable.rawValue)' is a \(variable.type.rawValue), not a date")
                }
                return date
            }
            func regex() -> RegexBox? {
                guard let pattern = text(value, "\(path).\(entry.key)") else { return nil }
                switch RegexBox.compile(pattern) {
                case .success(let regex): return regex
                case .failure(let message):
                    sink.error(value.contentLocation, "\(path).\(entry.key): \(message)"); return nil
                }
            }
            switch entry.key {
            case "equals": if let v = text(value, path) { tests.append(.equals(v)) }
            case "not": if let v = text(value, path) { tests.append(.notEquals(v)) }
            case "in": tests.append(.oneOf(stringList(value, "\(path).in")))
            case "notIn": tests.append(.noneOf(stringList(value, "\(path).notIn")))
            case "matches": if let r = regex() { tests.append(.matches(r)) }
            case "notMatches": if let r = regex() { tests.append(.notMatches(r)) }
            case "min": if let n = number() { tests.append(.min(n)) }
            case "max": if let n = number() { tests.append(.max(n)) }
            case "after": if let d = date() { tests.append(.after(d)) }
            case "before": if let d = date() { tests.append(.before(d)) }
            case "empty": if let b = bool(value, "\(path).empty") { tests.append(.empty(b)) }
            case "contains": if let v = text(value, path) { tests.append(.contains(v)) }
            default:
                sink.error(
                    entry.keyLocation,
                    "unknown test '\(entry.key)' in \(path)"
                        + Suggest.didYouMean(entry.key, among: Condition.predicateKeys)
                        + " (tests: \(Condition.predicateKeys.joined(separator: ", ")))")
            }
        }
        return tests
    }
}
