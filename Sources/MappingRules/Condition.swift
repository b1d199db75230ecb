import Foundation

/// A `when:` condition: every clause must hold. Each clause tests one variable:
/// `media.kind: video`, `account.username: [alice, bob]`, `post.createdAt: { after: 2024-01-01 }`.
struct Condition: Sendable, Hashable {
    enum Test: Sendable, Hashable {
        case equals(String)
        case notEquals(String)
        case oneOf([String])
        case noneOf([String])
        case matches(RegexBox)
        case notMatches(RegexBox)
        case min(Double)
        case max(Double)
        case after(Date)
        case before(Date)
        case empty(Bool)
        case contains(String)
    }

    struct Clause: Sendable, Hashable {
        let variable: Variable
        let tests: [Test]
    }

    let clauses: [Clause]
    let location: SourceLocation

    static let predicateKeys = [
        "equals", "not", "in", "notIn", "matches", "notMatches", "min", "max",
        "after", "before", "empty", "contains",
    ]

    /// Every variable the condition reads.
    var variables: [Variable] { clauses.map(\.variable) }

    func holds(_ context: RecordContext) -> Bool {
        for clause in clauses {
            let value = context.value(clause.variable)
            for test in clause.tests where !Condition.passes(test, value) { return false }
        }
        return true
    }

    private static func same(_ value: TemplateValue, _ expected: String) -> Bool {
        if case .list(let items) = value { return items.contains { TextOps.sameIgnoringCase($0, expected) } }
        return TextOps.sameIgnoringCase(value.text, expected)
    }

    static func passes(_ test: Test, _ value: TemplateValue) -> Bool {
        switch test {
        case .equals(let expected): return same(value, expected)
        case .notEquals(let expected): return !same(value, expected)
        case .oneOf(let options): return options.contains { same(value, $0) }
        case .noneOf(let options): return !options.contains { same(value, $0) }
        case .matches(let regex):
            let text = value.text
            return regex.regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        case .notMatches(let regex):
            let text = value.text
            return regex.regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
        case .min(let bound): return (value.number ?? -.infinity) >= bound
        case .max(let bound): return (value.number ?? .infinity) <= bound
        case .after(let date): return value.dateValue.map { $0 >= date } ?? false
        case .before(let date): return value.dateValue.map { $0 < date } ?? false
        case .empty(let wanted): return value.isEmpty == wanted
        case .contains(let needle):
            if case .list(let items) = value {
                return items.contains { $0.caseInsensitiveCompare(needle) == .orderedSame }
            }
            return value.text.range(of: needle, options: .caseInsensitive) != nil
        }
    }
}
