import Foundation
import MappingRules

/// The text of `rules explain`.
enum RulesExplainReport {
    static func render(_ explanation: Explanation, label: String, rules: RuleSet) -> String {
        var lines = [
            "\(label) (creator \(explanation.creator), rules: \(rules.files.joined(separator: " + ")))", "",
            "variables:",
        ]
        let width = explanation.variables.map(\.name.count).max() ?? 0
        for (name, value) in explanation.variables {
            let shown = value.count > 100 ? String(value.prefix(97)) + "..." : value
            lines.append(
                "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + " = "
                    + shown.replacingOccurrences(of: "\n", with: "\\n"))
        }
        if explanation.entities.isEmpty && explanation.why.isEmpty {
            lines += ["", "The rules produce nothing for it (disabled rules, a when: condition, or no file)."]
        }
        if !explanation.why.isEmpty {
            lines += ["", "why:"] + explanation.why.map { "  " + $0 }
        }
        for entity in explanation.entities {
            var flags: [String] = []
            flags.append(entity.createMissing ? "created when missing" : "never created")
            if entity.respectOrganized { flags.append("left alone when organized") }
            lines += ["", "\(entity.address)  (\(flags.joined(separator: ", ")); from \(entity.source))"]
            let origins = explanation.origins[entity.address] ?? [:]
            let fieldWidth = entity.fields.map(\.name.count).max() ?? 0
            for field in entity.fields {
                var line =
                    "  " + field.name.padding(toLength: fieldWidth, withPad: " ", startingAt: 0) + " = "
                    + field.value.displayText
                if field.strategy != .merge { line += "  [\(field.strategy.rawValue)]" }
                if let origin = origins[field.name] {
                    line += "   ← " + origin.rule + (origin.location.map { " (\($0))" } ?? "")
                }
                lines.append(line)
                for step in origins[field.name]?.steps ?? [] { lines.append("      then " + step) }
            }
            if !entity.match.isEmpty { lines.append("  match: " + entity.match.map(describe).joined(separator: ", ")) }
            for file in entity.files {
                lines.append(
                    "  file: \(file.isPreview ? "preview_id" : "id")_\(file.fileMediaId)\(file.basename.map { " (\($0))" } ?? "") in \(file.folders.joined(separator: " or "))"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ key: MatchKey) -> String {
        switch key {
        case .name(let name, let disambiguation): return "name \"\(name)\"" + (disambiguation.map { " (\($0))" } ?? "")
        case .url(let url): return "url \(url)"
        case .code(let code): return "code \(code)"
        case .fileMediaId(let id): return "file id \(id)"
        case .stashIdHint(let id): return "stash id hint \(id)"
        }
    }
}
