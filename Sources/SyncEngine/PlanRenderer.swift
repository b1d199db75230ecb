import FanslyMetadata
import Foundation
import MappingRules

/// Renders a plan for people, the way Terraform does: `+` create, `~` update with
/// `field: "old" -> "new"` lines, drift, skips with reasons, unmatched media by creator, and a
/// closing `Plan: …` line.
public struct PlanRenderer: Sendable, Equatable {
    /// ANSI colours (only for a terminal).
    var colors: Bool
    /// Unused since unmatched media are counted per creator and reason (`--json` lists them all); kept for callers.
    var unmatchedPerCreator: Int
    /// Noop entities are counted, not listed, unless this is set.
    var listUnchanged: Bool
    /// The compact form: per kind, the counts and only the first this many changes and skips
    /// (nil lists every one). The saved plan and `--json` always hold every change.
    var changesPerKind: Int?
    /// With `changesPerKind`: the compact form only for a long plan (`isLong`), every change of a
    /// short one (what `plan` and `show` do on a terminal); decided as the report is made.
    var compactOnlyWhenLong: Bool

    public init(
        colors: Bool = false, unmatchedPerCreator: Int = 10, listUnchanged: Bool = false, changesPerKind: Int? = nil,
        compactOnlyWhenLong: Bool = false
    ) {
        self.colors = colors; self.unmatchedPerCreator = unmatchedPerCreator; self.listUnchanged = listUnchanged
        self.changesPerKind = changesPerKind; self.compactOnlyWhenLong = compactOnlyWhenLong
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

    static func plural(_ kind: EntityKind, _ count: Int) -> String {
        count == 1 ? kind.rawValue : kind == .gallery ? "galleries" : kind.rawValue + "s"
    }

    enum Style: String {
        case green = "32", yellow = "33", red = "31", magenta = "35", dim = "2", bold = "1", cyan = "36"
    }

    func paint(_ text: String, _ style: Style) -> String {
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
        do {
            // Held whole anyway: the sections are too (nothing goes to a file, nothing can fail).
            try render(plan, chunkSize: Int.max, spoolLimit: Int.max) { text += $0 }
        } catch {
            preconditionFailure("a report held in memory cannot fail: \(error)")
        }
        return text
    }

    /// Writes the report to `write` in chunks of about `chunkSize` bytes (a large plan's report runs
    /// to megabytes: it is never held whole, its long sections wait in temporary files). The last
    /// chunk ends with the closing line. Throws when a temporary file cannot be written.
    public func render(_ plan: Plan, chunkSize: Int = 1 << 16, to write: (String) -> Void) throws {
        try render(plan, chunkSize: chunkSize, spoolLimit: ReportSpool.defaultLimit, to: write)
    }

    /// The report with each section moved to a temporary file past `spoolLimit` bytes.
    func render(_ plan: Plan, chunkSize: Int, spoolLimit: Int, to write: (String) -> Void) throws {
        let report = PlanReport(renderer: self, spoolLimit: spoolLimit)
        try plan.changes.withUnsafeBufferPointer { changes in
            // Read in place (`pointee` borrows): a plan has tens of thousands of changes.
            for index in changes.indices { try report.add(changes.baseAddress! + index) }
        }
        for item in plan.unmatched { report.add(item) }
        try report.write(
            inputs: plan.inputs, notices: plan.notices, summary: plan.summary, chunkSize: chunkSize, to: write)
    }

    /// The report of the plan file `reader` opened, from one reading of it: every line is checked
    /// against the plan's checksum before anything is written (throws `PlanFile.ReadError`), and
    /// memory does not grow with the plan (see `PlanReport`).
    public func render(_ reader: PlanFileReader, chunkSize: Int = 1 << 16, to write: (String) -> Void) throws {
        let report = PlanReport(renderer: self, spoolLimit: ReportSpool.defaultLimit)
        let trailer = try reader.forEachLine { change in
            try withUnsafePointer(to: change) { try report.add($0) }
        } unmatched: { item in
            report.add(item)
        }
        try report.write(
            inputs: reader.inputs, notices: trailer.notices ?? [], summary: trailer.summary, chunkSize: chunkSize,
            to: write)
    }

    /// `Plan: N to add, N to change. N unchanged, N skipped, N unmatched.` or `No changes. …`
    func closingLine(_ summary: PlanSummary) -> String {
        let rest = "\(summary.unchanged) unchanged, \(summary.skipped) skipped, \(summary.unmatched) unmatched."
        if !summary.hasChanges { return paint("No changes.", .bold) + " " + rest }
        return paint("Plan:", .bold) + " \(summary.add) to add, \(summary.change) to change. " + rest
    }

    private func idSuffix(_ id: String?) -> String { id.map { " (#\($0))" } ?? "" }

    /// A drift entry: the object, then each field changed in Stash since it was written.
    func renderDrift(_ change: UnsafePointer<PlannedChange>, into out: inout String) {
        out += "  "; append("~", .magenta, to: &out); out += " "
        appendAddress(change, to: &out); out += "\n"
        for drift in change.pointee.drift {
            out += "      \(drift.field): wrote \(drift.written), now \(drift.current)\n"
        }
    }

    /// A skip listed with its reason.
    func renderSkip(_ pointer: UnsafePointer<PlannedChange>, into out: inout String) {
        let change = pointer.pointee
        let reason = change.reason.map { $0.rawValue.replacingOccurrences(of: "_", with: " ") } ?? "skipped"
        out += "  " + paint("* \(change.address)\(idSuffix(change.stashId)): \(reason)", .dim)
        if let detail = change.detail { out += paint(" (\(detail))", .dim) }
        out += "\n"
    }

    /// An unchanged object that is not as the rules say, and why (`note`).
    func renderNote(_ change: UnsafePointer<PlannedChange>, _ note: String, into out: inout String) {
        out += "  "; append("!", .yellow, to: &out); out += " "
        appendAddress(change, to: &out); out += ": "; out += note; out += "\n"
    }

    /// An unchanged object (`listUnchanged`).
    func renderUnchanged(_ change: UnsafePointer<PlannedChange>, into out: inout String) {
        out += "    "; appendAddress(change, to: &out); out += "\n"
    }

    /// `kind.key`, then ` (#id)` for an object Stash holds.
    private func appendAddress(_ change: UnsafePointer<PlannedChange>, to out: inout String) {
        out += change.pointee.address.kind.rawValue; out += "."; out += change.pointee.address.key
        if let id = change.pointee.stashId { out += " (#"; out += id; out += ")" }
    }

    /// A create or update with its fields.
    func renderChange(_ change: UnsafePointer<PlannedChange>, into out: inout String) {
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
