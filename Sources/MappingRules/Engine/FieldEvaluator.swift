import Foundation

/// Evaluates a non-reference field rule into a Stash field value.
enum FieldEvaluator {
    static func value(_ rule: FieldRule, _ context: RecordContext) -> FieldValue? {
        switch rule.source {
        case .bool(let flag): return .bool(flag)
        case .references: return nil
        case .list(let templates):
            var items: [String] = []
            for template in templates {
                let value = postProcess(template.evaluate(context), rule.postProcess, context)
                for item in value.items {
                    let trimmed = TextOps.trimmed(item)
                    // Lists are short: a linear, case-insensitive de-duplication is cheapest.
                    if !trimmed.isEmpty, !items.contains(where: { TextOps.sameIgnoringCase($0, trimmed) }) {
                        items.append(trimmed)
                    }
                }
            }
            return items.isEmpty ? nil : .strings(items)
        case .template(let template):
            return typed(postProcess(template.evaluate(context), rule.postProcess, context), rule.type)
        case .firstOf(let templates):
            for template in templates {
                let value = template.evaluate(context)
                if value.isEmpty { continue }
                if case .list = rule.type {
                    let processed = postProcess(value, rule.postProcess, context)
                    return processed.items.isEmpty ? nil : .strings(processed.items)
                }
                if let typed = typed(postProcess(value, rule.postProcess, context), rule.type) { return typed }
            }
            return nil
        }
    }

    static func typed(_ value: TemplateValue, _ type: FieldType) -> FieldValue? {
        switch type {
        case .text:
            let text = TextOps.trimmed(value.text)
            return text.isEmpty ? nil : .string(text)
        case .date:
            if case .date(let date) = value { return .date(DateText.format(date, pattern: .isoDate)) }
            let text = TextOps.trimmed(value.text)
            if DateText.isCalendarDate(text) { return .date(text) }
            return DateText.parse(text).map { .date(DateText.format($0, pattern: .isoDate)) }
        case .bool:
            switch value {
            case .bool(let flag): return .bool(flag)
            default:
                switch TextOps.trimmed(value.text).lowercased() {
                case "true", "yes", "1": return .bool(true)
                case "false", "no", "0": return .bool(false)
                default: return nil
                }
            }
        case .int:
            if case .int(let number) = value { return .int(Int(number)) }
            return Int(TextOps.trimmed(value.text)).map(FieldValue.int)
        case .list:
            let items = value.items.map(TextOps.trimmed).filter { !$0.isEmpty }
            return items.isEmpty ? nil : .strings(items)
        case .reference, .references:
            return nil
        }
    }

    static func postProcess(
        _ value: TemplateValue, _ steps: [(step: PostStep, when: Condition?, location: SourceLocation)],
        _ context: RecordContext
    ) -> TemplateValue {
        guard !steps.isEmpty else { return value }
        var value = value
        for (step, when, _) in steps {
            if let when, !when.holds(context) { continue }
            value = apply(step, value, context)
        }
        return value
    }

    static func apply(_ step: PostStep, _ value: TemplateValue, _ context: RecordContext) -> TemplateValue {
        func eachText(_ transform: (String) -> String) -> TemplateValue {
            switch value {
            case .null: return .null
            case .list(let items): return .list(items.map(transform))
            default: return .string(transform(value.text))
            }
        }
        switch step {
        case .replace(let pairs):
            return eachText { text in
                var out = text
                for (regex, with) in pairs {
                    out = regex.regex.stringByReplacingMatches(
                        in: out, range: NSRange(out.startIndex..., in: out), withTemplate: with)
                }
                return out
            }
        case .map(let table):
            return eachText { table[$0] ?? $0 }
        case .parseDate(let layout):
            if case .date = value { return value }
            let text = value.text.trimmingCharacters(in: .whitespaces)
            return DateText.pattern(layout).parse(text).map(TemplateValue.date) ?? value
        case .formatDate(let layout):
            guard let date = value.dateValue else { return value }
            return .string(DateText.pattern(layout).format(date))
        case .append(let template):
            if value.isEmpty { return value }
            let suffix = template.render(context)
            return eachText { $0 + suffix }
        case .prepend(let template):
            if value.isEmpty { return value }
            let prefix = template.render(context)
            return eachText { prefix + $0 }
        }
    }
}
