import FanslyMetadata
import Foundation
import MappingRules

/// Renders a plan for people, the way Terraform does: `+` create, `~` update with
/// `field: "old" -> "new"` lines, drift, skips with reasons, unmatched media by creator, and a
/// closing `Plan: …` line.
public struct PlanRenderer: Sendable {
    /// ANSI colours (only for a terminal).
    var colors: Bool
    /// Unused since unmatched media are counted per creator and reason (`--json` lists them all); kept for callers.
    var unmatchedPerCreator: Int
    /// Noop entities are counted, not listed, unless this is set.
    var listUnchanged: Bool
    /// The compact form: per kind, the counts and only the first this many changes and skips
    /// (nil lists every one). The saved plan and `--json` always hold every change.
    var changesPerKind: Int?

    public init(
        colors: Bool = false, unmatchedPerCreator: Int = 10, listUnchanged: Bool = false, changesPerKind: Int? = nil
    ) {
        self.colors = colors; self.unmatchedPerCreator = unmatchedPerCreator; self.listUnchanged = listUnchanged
        self.changesPerKind = changesPerKind
    }

    /// Changes and skips listed one by one beyond which a plan is long (the compact form is the
    /// better default on a terminal).
    static let longPlanLines = 60

    /// True when the full report would list more than `longPlanLines` changes and skips.
    public static func isLong(_ plan: Plan) -> Bool {
        var listed = 0
        for change in plan.changes {
            switch change.action {
            case .create, .update: listed += 1
            case .skip where change.reason != .organized && change.reason != .ignored: listed += 1
            default: continue
            }
            if listed > longPlanLines { return true }
        }
        return false
    }

    /// What an unchanged object's detail says that the plan does not say elsewhere: references
    /// left out of it (`performer_ids: left out …`) are explained by the referenced entity's own skip.
    static func note(_ detail: String?) -> String? {
        guard let detail else { return nil }
        let parts = detail.components(separatedBy: "; ").filter { !$0.contains(": left out ") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    private static func plural(_ kind: EntityKind, _ count: Int) -> String {
        count == 1 ? kind.rawValue : kind == .gallery ? "galleries" : kind.rawValue + "s"
    }

    private enum Style: String {
        case green = "32", yellow = "33", red = "31", magenta = "35", dim = "2", bold = "1", cyan = "36"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        colors ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Appends `text` in `style` (plain without colours) without building an intermediate string.
    private func append(_ text: String, _ style: Style, to out: inout String) {
        guard colors else { out += text; return }
        out += "\u{1B}["; out += style.rawValue; out += "m"; out += text; out += "\u{1B}[0m"
    }

    /// The whole report, ending with a newline.
    public func render(_ plan: Plan) -> String {
        var text = ""
        render(plan, chunkSize: Int.max) { text += $0 }
        return text
    }

    /// Writes the report to `write` in chunks of about `chunkSize` bytes (a large plan's report runs
    /// to megabytes: it is never held whole). The last chunk ends with the closing line.
    public func render(_ plan: Plan, chunkSize: Int = 1 << 16, to write: (String) -> Void) {
        var out = ""
        out.reserveCapacity(
            chunkSize == Int.max ? plan.changes.count * 120 + plan.unmatched.count * 80 + 512 : chunkSize + 4096)
        func flushIfFull() {
            if out.utf8.count >= chunkSize { write(out); out.removeAll(keepingCapacity: true) }
        }
        let target = plan.inputs.stashURL ?? "an empty Stash (offline: no --stash-url or STASH_URL)"
        out += "Planning \(plan.inputs.database.path) against \(target)\n"
        // Where the files were found decides everything below it: said first.
        for notice in plan.notices where notice.kind == PlanNotice.downloadRootKind {
            out += paint("Note:", .cyan) + " \(notice.message)\n"
        }

        plan.changes.withUnsafeBufferPointer { buffer in
            // Changes are read in place (`pointee` borrows): a plan has tens of thousands, and
            // iterating the array would copy each one for every section.
            let changes = (0..<buffer.count).lazy.map { buffer.baseAddress! + $0 }
            var hasDrift = false
            var hasActions = false
            var hasSkips = false
            var hasNoops = false
            var hasNotes = false
            for change in changes {
                if !change.pointee.drift.isEmpty { hasDrift = true }
                switch change.pointee.action {
                case .create, .update: hasActions = true
                case .skip: hasSkips = true
                case .noop:
                    hasNoops = true
                    if Self.note(change.pointee.detail) != nil { hasNotes = true }
                }
            }

            if hasDrift {
                out +=
                    "\n" + paint("Changed in Stash since fansly-stash last wrote them", .bold)
                    + " (left alone unless the rule says overwrite):\n"
                for change in changes where !change.pointee.drift.isEmpty {
                    out += "  "; append("~", .magenta, to: &out); out += " "
                    appendAddress(change, to: &out); out += "\n"
                    for drift in change.pointee.drift {
                        out += "      \(drift.field): wrote \(drift.written), now \(drift.current)\n"
                    }
                    flushIfFull()
                }
            }

            if hasActions {
                out += "\nfansly-stash will perform the following actions:\n"
                if let limit = changesPerKind {
                    // Per kind: what happens in numbers, then the first few changes.
                    var counts: [EntityKind: (add: Int, change: Int)] = [:]
                    for change in changes {
                        switch change.pointee.action {
                        case .create: counts[change.pointee.address.kind, default: (0, 0)].add += 1
                        case .update: counts[change.pointee.address.kind, default: (0, 0)].change += 1
                        default: break
                        }
                    }
                    for (kind, count) in counts.sorted(by: { $0.key < $1.key }) {
                        var parts: [String] = []
                        if count.add > 0 { parts.append("\(count.add) to add") }
                        if count.change > 0 { parts.append("\(count.change) to change") }
                        out += "  \(Self.plural(kind, count.add + count.change)): \(parts.joined(separator: ", "))\n"
                    }
                    var shown: [EntityKind: Int] = [:]
                    for change in changes where change.pointee.action == .create || change.pointee.action == .update {
                        let kind = change.pointee.address.kind
                        let index = shown[kind, default: 0]
                        shown[kind] = index + 1
                        if index < limit { renderChange(change, into: &out); flushIfFull() }
                        let total = (counts[kind]?.add ?? 0) + (counts[kind]?.change ?? 0)
                        if index == limit, total > limit {
                            out +=
                                paint(
                                    "\n  … and \(total - limit) more \(Self.plural(kind, total - limit)) (--full lists every change; the saved plan and --json hold them all)",
                                    .dim) + "\n"
                        }
                    }
                } else {
                    for change in changes where change.pointee.action == .create || change.pointee.action == .update {
                        renderChange(change, into: &out)
                        flushIfFull()
                    }
                }
            }

            if hasSkips {
                out += "\n" + paint("Skipped", .bold) + ":\n"
                // Organized and ignored objects are the user's choice: counted per kind, not listed.
                for reason in [SkipReason.organized, .ignored] {
                    var kinds: [EntityKind: Int] = [:]
                    for change in changes where change.pointee.action == .skip && change.pointee.reason == reason {
                        kinds[change.pointee.address.kind, default: 0] += 1
                    }
                    guard !kinds.isEmpty else { continue }
                    let counts = kinds.sorted { $0.key < $1.key }.map {
                        "\($0.value) \($0.value == 1 ? $0.key.rawValue : $0.key == .gallery ? "galleries" : $0.key.rawValue + "s")"
                    }
                    let why = reason == .organized ? "organized in Stash" : "every field ignored by the rules"
                    // `*`, not `-`: Terraform's readers take `-` for "destroy", and nothing is destroyed.
                    out += paint("  * \(counts.joined(separator: ", ")): \(why)", .dim) + "\n"
                }
                var skipsShown: [EntityKind: Int] = [:]
                var skipsLeft: [EntityKind: Int] = [:]
                for pointer in changes
                where pointer.pointee.action == .skip && pointer.pointee.reason != .organized
                    && pointer.pointee.reason != .ignored
                {
                    if let limit = changesPerKind {
                        let kind = pointer.pointee.address.kind
                        guard skipsShown[kind, default: 0] < limit else { skipsLeft[kind, default: 0] += 1; continue }
                        skipsShown[kind, default: 0] += 1
                    }
                    let change = pointer.pointee
                    let reason = change.reason.map { $0.rawValue.replacingOccurrences(of: "_", with: " ") } ?? "skipped"
                    out += "  " + paint("* \(change.address)\(idSuffix(change.stashId)): \(reason)", .dim)
                    if let detail = change.detail { out += paint(" (\(detail))", .dim) }
                    out += "\n"
                    flushIfFull()
                }
                for (kind, count) in skipsLeft.sorted(by: { $0.key < $1.key }) {
                    out +=
                        paint("  * … and \(count) more skipped \(Self.plural(kind, count)) (--full lists them)", .dim)
                        + "\n"
                }
            }

            if hasNotes {
                // Unchanged, but not as the rules say: a "No changes" plan must not hide why.
                out += "\n" + paint("Not as the rules say", .bold) + " (nothing to write; see why):\n"
                for change in changes where change.pointee.action == .noop {
                    guard let note = Self.note(change.pointee.detail) else { continue }
                    out += "  "; append("!", .yellow, to: &out); out += " "
                    appendAddress(change, to: &out); out += ": "; out += note; out += "\n"
                    flushIfFull()
                }
            }

            if listUnchanged && hasNoops {
                out += "\nUnchanged:\n"
                for change in changes where change.pointee.action == .noop {
                    out += "    "; appendAddress(change, to: &out); out += "\n"
                    flushIfFull()
                }
            }
        }

        if !plan.unmatched.isEmpty {
            renderUnmatched(plan.unmatched, offline: plan.inputs.stashURL == nil, into: &out)
        }
        // Once, just above the closing line, where it is read.
        for notice in plan.notices where notice.kind != PlanNotice.downloadRootKind {
            out += "\n" + paint("Note:", .bold) + " " + notice.message + "\n"
        }

        out += "\n" + closingLine(plan.summary) + "\n"
        write(out)
    }

    /// `Plan: N to add, N to change. N unchanged, N skipped, N unmatched.` or `No changes. …`
    func closingLine(_ summary: PlanSummary) -> String {
        let rest = "\(summary.unchanged) unchanged, \(summary.skipped) skipped, \(summary.unmatched) unmatched."
        if !summary.hasChanges { return paint("No changes.", .bold) + " " + rest }
        return paint("Plan:", .bold) + " \(summary.add) to add, \(summary.change) to change. " + rest
    }

    private func idSuffix(_ id: String?) -> String { id.map { " (#\($0))" } ?? "" }

    /// `kind.key`, then ` (#id)` for an object Stash holds.
    private func appendAddress(_ change: UnsafePointer<PlannedChange>, to out: inout String) {
        out += change.pointee.address.kind.rawValue; out += "."; out += change.pointee.address.key
        if let id = change.pointee.stashId { out += " (#"; out += id; out += ")" }
    }

    private func renderChange(_ change: UnsafePointer<PlannedChange>, into out: inout String) {
        out += "\n  "
        if change.pointee.action == .create { append("+", .green, to: &out) } else { append("~", .yellow, to: &out) }
        out += " "
        appendAddress(change, to: &out)
        if !change.pointee.source.isEmpty {
            if colors {
                out += paint("  # \(change.pointee.source)", .dim)
            } else {
                out += "  # "; out += change.pointee.source
            }
        }
        out += "\n"
        let creating = change.pointee.action == .create
        change.pointee.fields.withUnsafeBufferPointer { fields in
            for index in fields.indices {
                let field = fields.baseAddress! + index
                out += "      "; out += field.pointee.field; out += ": "
                if creating {
                    PlanValueText.render(field.pointee.after, into: &out)
                } else {
                    describe(field, into: &out)
                }
                out += "\n"
            }
        }
        if let detail = change.pointee.detail { out += paint("      note: \(detail)", .dim) + "\n" }
    }

    /// `old -> new`, or for a merged list the items it adds: `+ "a", + "b"`.
    private func describe(_ field: UnsafePointer<FieldChange>, into out: inout String) {
        guard field.pointee.operation == .add else {
            PlanValueText.render(field.pointee.before, into: &out)
            out += " -> "
            PlanValueText.render(field.pointee.after, into: &out)
            return
        }
        var first = true
        func added() {
            if !first { out += ", " }
            first = false
            append("+ ", .green, to: &out)
        }
        switch field.pointee.after {
        case .strings(let items):
            let name = field.pointee.field
            let present = Set(PlanValueComparison.listKeys(field.pointee.before, field: name))
            let folded = PlanValueComparison.caseInsensitiveLists.contains(name)
            for item in items {
                let trimmed = String(item.trimmedForComparison)
                if !present.contains(folded ? trimmed.lowercased() : trimmed) {
                    added(); PlanValueText.appendQuoted(item, to: &out)
                }
            }
        case .refs(let refs):
            if let present = FieldDiff.refKeys(field.pointee.before) {
                for ref in refs where !present.contains(RefKey(ref)) { added(); PlanValueText.render(ref, into: &out) }
            } else {
                let present = Set(PlanValueComparison.listKeys(field.pointee.before, field: field.pointee.field))
                for ref in refs where !present.contains(ref.identity) { added(); PlanValueText.render(ref, into: &out) }
            }
        default: break
        }
    }

    private func renderUnmatched(_ unmatched: [UnmatchedMedia], offline: Bool, into out: inout String) {
        out +=
            "\n" + paint("Unmatched media", .bold)
            + " (the rules want them updated; Stash does not hold their files):\n"
        // One line per creator and reason: a large plan has tens of thousands of unmatched files,
        // and a file-by-file list buried the reasons (`--json` has every file, where it was looked
        // for and where Stash holds it).
        var order: [String] = []
        var counts: [String: [String: Int]] = [:]
        var example: [String: String] = [:]
        for item in unmatched {
            let creator = item.creator ?? "(no creator)"
            if counts[creator] == nil { order.append(creator) }
            counts[creator, default: [:]][item.reason, default: 0] += 1
            if example[creator + "\u{0}" + item.reason] == nil,
                let path = item.stashPaths?.first ?? item.lookedFor.first
            {
                example[creator + "\u{0}" + item.reason] = path
            }
        }
        var reasons = Set<String>()
        for creator in order {
            // Most frequent first; ties by wording, so that the report does not change from run to run.
            for (reason, count) in counts[creator]!.sorted(by: {
                $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
            }) {
                reasons.insert(reason)
                out += "  " + paint("!", .red) + " \(creator): \(count) file\(count == 1 ? "" : "s"): \(reason)"
                if reason == Matcher.outsideFoldersReason, let path = example[creator + "\u{0}" + reason] {
                    out += paint(" (e.g. \(path))", .dim)
                }
                out += "\n"
            }
        }
        out += paint("  (--json lists every file)", .dim) + "\n"
        for hint in Self.hints(for: reasons, offline: offline) { out += "  Hint: \(hint)\n" }
    }

    /// Advice that fits the reasons present: scanning helps unscanned files only.
    static func hints(for reasons: Set<String>, offline: Bool) -> [String] {
        if offline { return ["pass --stash-url (or set STASH_URL) to match these against your Stash library."] }
        var hints: [String] = []
        if reasons.contains(Matcher.outsideFoldersReason) {
            hints.append(
                "Stash has these files at another path: set settings.downloadRoot (and pathMap) in your rules, "
                    + "or pass --path-map FROM=TO, so that the creator folders are where Stash sees them.")
        }
        if reasons.contains(Matcher.notScannedReason) {
            hints.append("scan the creator folders in Stash (Tasks → Scan), then plan again.")
        }
        if reasons.contains(Matcher.nonePreviewReason) {
            hints.append(
                "scanning does not help .None previews: Stash only scans known extensions; rename them to their real extension."
            )
        }
        if reasons.contains(Matcher.notDownloadedReason) || reasons.contains(Matcher.noFileNameReason) {
            hints.append("media never downloaded have no file to match; download them with the downloader first.")
        }
        if reasons.contains(Planner.unknownMediaReason) {
            hints.append(
                "files in the creator folders that this database does not know stay untouched (another database's downloads?)."
            )
        }
        return hints
    }
}
