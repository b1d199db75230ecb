import Foundation

/// A compiled template: literal text with `{{ expression }}` holes, parsed once when the rules load
/// and rendered for every record.
///
/// Expressions: a variable (`post.content`), a literal (`'text'`, `"text"`, `42`, `true`), filters
/// (`value | truncate:64 | lower`), the fallback operator (`a ?? b`: first non-empty wins) and
/// parentheses. Filters bind tighter than `??`.
struct Template: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String)
        case expression(Expression)
    }

    let source: String
    let parts: [Part]
    /// Roots the template reads (for availability checks and `explain`).
    let variables: [Variable]

    /// A constant template (no holes).
    init(literal: String) {
        source = literal
        parts = literal.isEmpty ? [] : [.text(literal)]
        variables = []
    }

    init(source: String, parts: [Part], variables: [Variable]) {
        self.source = source; self.parts = parts; self.variables = variables
    }

    /// True when the template has no holes.
    var isConstant: Bool {
        variables.isEmpty && parts.allSatisfy { if case .text = $0 { return true } else { return false } }
    }

    /// The typed value: a template that is exactly one `{{ expression }}` keeps the expression's type
    /// (a list stays a list, a date a date); anything else renders to text.
    func evaluate(_ context: RecordContext) -> TemplateValue {
        if parts.count == 1, case .expression(let expression) = parts[0] { return expression.evaluate(context) }
        return .string(render(context))
    }

    /// The text, or nil when any `{{ }}` part is empty: a URL with a missing id is no URL.
    func renderRequiringAll(_ context: RecordContext) -> String? {
        var out = ""
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .expression(let expression):
                let value = expression.evaluate(context)
                if value.isEmpty { return nil }
                out += value.text
            }
        }
        return out
    }

    /// The text of the template for this record.
    func render(_ context: RecordContext) -> String {
        switch parts.count {
        case 0: return ""
        case 1:
            switch parts[0] {
            case .text(let text): return text
            case .expression(let expression): return expression.evaluate(context).text
            }
        default:
            var out = ""
            for part in parts {
                switch part {
                case .text(let text): out += text
                case .expression(let expression): out += expression.evaluate(context).text
                }
            }
            return out
        }
    }
}

/// A template expression tree.
indirect enum Expression: Sendable, Hashable {
    case variable(Variable)
    case literal(TemplateValue)
    case filtered(Expression, [Filter])
    case fallback([Expression])

    func evaluate(_ context: RecordContext) -> TemplateValue {
        switch self {
        case .variable(let variable): return context.value(variable)
        case .literal(let value): return value
        case .filtered(let base, let filters):
            var value = base.evaluate(context)
            for filter in filters { value = filter.apply(value) }
            return value
        case .fallback(let options):
            for option in options {
                let value = option.evaluate(context)
                if !value.isEmpty { return value }
            }
            return .null
        }
    }
}
