import Foundation
import MappingRules

/// Renders a plan for people, the way Terraform does: `+` create, `~` update with
/// `field: "old" -> "new"` lines, drift, skips with reasons, unmatched media by creator, and a
/// closing `Plan: …` line.
public struct PlanRenderer: Sendable {
    /// ANSI colours (only for a terminal).
    public var colors: Bool
    /// Unmatched media listed per creator before the rest are counted (`--json` has them all).
    public var unmatchedPerCreator: Int
    /// Noop entities are counted, not listed, unless this is set.
    public var listUnchanged: Bool

    public init(colors: Bool = false, unmatchedPerCreator: Int = 10, listUnchanged: Bool = false) {
        self.colors = colors; self.unmatchedPerCreator = unmatchedPerCreator; self.listUnchanged = listUnchanged
    }

    private enum Style: String {
        case green = "32", yellow = "33", red = "31", magenta = "35", dim = "2", bold = "1", cyan = "36"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        colors ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// The whole report, ending with a newline.
    public func render(_ plan: Plan) -> String {
        var out = ""
        out.reserveCapacity(plan.changes.count * 120 + plan.unmatched.count * 80 + 512)
        let target = plan.inputs.stashURL ?? "an empty Stash (offline: no --stash-url or STASH_URL)"
        out += "Planning \(plan.inputs.database.path) against \(target)\n"

        let drifted = plan.changes.filter { !$0.drift.isEmpty }
        if !drifted.isEmpty {
            out += "\n" + paint("Changed in Stash since fansly-stash last wrote them", .bold) + " (left alone unless the rule says overwrite):\n"
            for change in drifted {
                out += "  " + paint("~", .magenta) + " \(change.address)\(idSuffix(change.stashId))\n"
                for drift in change.drift {
                    out += "      \(drift.field): wrote \(drift.written), now \(drift.current)\n"
                }
            }
        }

        let actionable = plan.changes.filter { $0.action == .create || $0.action == .update }
        if !actionable.isEmpty {
            out += "\nfansly-stash will perform the following actions:\n"
            for change in actionable { renderChange(change, into: &out) }
        }

        let skipped = plan.changes.filter { $0.action == .skip }
        if !skipped.isEmpty {
            out += "\n" + paint("Skipped", .bold) + ":\n"
            // Organized and ignored objects are the user's choice: counted per kind, not listed.
            for reason in [SkipReason.organized, .ignored] {
                var kinds: [EntityKind: Int] = [:]
                for change in skipped where change.reason == reason { kinds[change.address.kind, default: 0] += 1 }
                guard !kinds.isEmpty else { continue }
                let counts = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.value == 1 ? $0.key.rawValue : $0.key == .gallery ? "galleries" : $0.key.rawValue + "s")" }
                let why = reason == .organized ? "organized in Stash" : "every field ignored by the rules"
                out += paint("  - \(counts.joined(separator: ", ")): \(why)", .dim) + "\n"
            }
            for change in skipped where change.reason != .organized && change.reason != .ignored {
                let reason = change.reason.map { $0.rawValue.replacingOccurrences(of: "_", with: " ") } ?? "skipped"
                out += "  " + paint("- \(change.address)\(idSuffix(change.stashId)): \(reason)", .dim)
                if let detail = change.detail { out += paint(" (\(detail))", .dim) }
                out += "\n"
            }
        }

        if listUnchanged {
            let unchanged = plan.changes.filter { $0.action == .noop }
            if !unchanged.isEmpty {
                out += "\nUnchanged:\n"
                for change in unchanged { out += "    \(change.address)\(idSuffix(change.stashId))\n" }
            }
        }

        if !plan.unmatched.isEmpty { renderUnmatched(plan.unmatched, offline: plan.inputs.stashURL == nil, into: &out) }

        out += "\n" + closingLine(plan.summary) + "\n"
        return out
    }

    /// `Plan: N to add, N to change. N unchanged, N skipped, N unmatched.` or `No changes. …`
    public func closingLine(_ summary: PlanSummary) -> String {
        let rest = "\(summary.unchanged) unchanged, \(summary.skipped) skipped, \(summary.unmatched) unmatched."
        if !summary.hasChanges { return paint("No changes.", .bold) + " " + rest }
        return paint("Plan:", .bold) + " \(summary.add) to add, \(summary.change) to change. " + rest
    }

    private func idSuffix(_ id: String?) -> String { id.map { " (#\($0))" } ?? "" }

    private func renderChange(_ change: PlannedChange, into out: inout String) {
        let symbol = change.action == .create ? paint("+", .green) : paint("~", .yellow)
        out += "\n  \(symbol) \(change.address)\(idSuffix(change.stashId))"
        if !change.source.isEmpty { out += paint("  # \(change.source)", .dim) }
        out += "\n"
        for field in change.fields {
            out += "      \(field.field): \(describe(field, creating: change.action == .create))\n"
        }
        if let detail = change.detail { out += paint("      note: \(detail)", .dim) + "\n" }
    }

    private func describe(_ field: FieldChange, creating: Bool) -> String {
        if creating { return PlanValueText.render(field.after) }
        if field.operation == .add {
            let present = Set(PlanValueComparison.listKeys(field.before, field: field.field))
            var added: [String] = []
            switch field.after {
            case .strings(let items):
                for item in items where !present.contains(PlanValueComparison.listKeys(.strings([item]), field: field.field)[0]) {
                    added.append(PlanValueText.quote(item))
                }
            case .refs(let refs):
                for ref in refs where !present.contains(ref.identity) { added.append(PlanValueText.render(ref)) }
            default: break
            }
            return added.map { paint("+ ", .green) + $0 }.joined(separator: ", ")
        }
        return "\(PlanValueText.render(field.before)) -> \(PlanValueText.render(field.after))"
    }

    private func renderUnmatched(_ unmatched: [UnmatchedMedia], offline: Bool, into out: inout String) {
        out += "\n" + paint("Unmatched media", .bold) + " (the rules want them updated; Stash does not hold their files):\n"
        var order: [String] = []
        var groups: [String: [UnmatchedMedia]] = [:]
        for item in unmatched {
            let creator = item.creator ?? "(no creator)"
            if groups[creator] == nil { order.append(creator) }
            groups[creator, default: []].append(item)
        }
        for creator in order {
            let items = groups[creator]!
            out += "  \(creator): \(items.count) file\(items.count == 1 ? "" : "s")\n"
            var reasons: [String: Int] = [:]
            for item in items { reasons[item.reason, default: 0] += 1 }
            if reasons.count > 1 || items.count > unmatchedPerCreator || offline {
                for (reason, count) in reasons.sorted(by: { $0.value > $1.value }) {
                    out += paint("    \(count) × \(reason)", .dim) + "\n"
                }
            }
            // Without a Stash every file is unmatched for the same reason: counted, not listed.
            let listed = offline ? items.filter { $0.reason != Matcher.offlineReason } : items
            for item in listed.prefix(unmatchedPerCreator) {
                out += "    " + paint("! \(item.address)", .red) + ": \(item.reason)\n"
                for path in item.lookedFor.prefix(3) { out += paint("        looked for \(path)", .dim) + "\n" }
            }
            if listed.count > unmatchedPerCreator {
                out += "    … and \(listed.count - unmatchedPerCreator) more (--json lists them all)\n"
            }
        }
        if offline {
            out += "  Hint: pass --stash-url (or set STASH_URL) to match these against your Stash library.\n"
        } else {
            out += "  Hint: scan these folders in Stash (Tasks → Scan), or check the path mapping in your rules if Stash sees the files at another path.\n"
        }
    }
}
