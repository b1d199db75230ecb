import FanslyMetadata
import Foundation
import MappingRules

/// A plan's report put together in one pass over its changes and unmatched files, in plan order,
/// from memory (`Plan`) or from a plan file read once: each change is rendered into its section
/// as it is met (drift, actions, skips, notes, unchanged: `ReportSpool`s that move to a temporary
/// file when they grow), and the compact form keeps only counts and the first changes per kind.
/// `write` then puts the sections in the report's order, with what only the end knows (the
/// counts of the compact form, the notices of the plan file's trailer).
///
/// What it holds besides the spools does not grow with the plan: counts per kind, per skip reason
/// and per creator and reason of the unmatched files, and the first `changesPerKind` changes of
/// each kind.
final class PlanReport {
    let renderer: PlanRenderer
    private let drift: ReportSpool
    private let actions: ReportSpool
    private let skipList: ReportSpool
    private let notes: ReportSpool
    private let unchanged: ReportSpool

    /// Changes and skips the full form lists (the compact form is chosen past `longPlanLines`).
    private var listed = 0
    /// The full form's lists are kept (false once the compact form is sure to be chosen).
    private var keepsFull: Bool
    private var hasActions = false
    private var hasSkips = false
    private var hasNoops = false

    // The compact form: per kind, its counts and first changes, in plan order; `nil` marks where
    // a kind's "… and N more" line goes (after its first `changesPerKind`).
    private var counts: [EntityKind: (add: Int, change: Int)] = [:]
    private var compactPieces: [(kind: EntityKind, text: String?)] = []
    private var compactSkips = ""
    private var skipsShown: [EntityKind: Int] = [:]
    private var skipsLeft: [EntityKind: Int] = [:]
    private var userSkips: [SkipReason: [EntityKind: Int]] = [:]

    // Unmatched files, counted per creator (in plan order) and reason, with one example path.
    private var creatorOrder: [String] = []
    private var unmatchedCounts: [String: [String: Int]] = [:]
    private var examples: [String: String] = [:]

    /// A report by `renderer` whose sections move to temporary files past `spoolLimit` bytes each.
    init(renderer: PlanRenderer, spoolLimit: Int) {
        self.renderer = renderer
        drift = ReportSpool(limit: spoolLimit)
        actions = ReportSpool(limit: spoolLimit)
        skipList = ReportSpool(limit: spoolLimit)
        notes = ReportSpool(limit: spoolLimit)
        unchanged = ReportSpool(limit: spoolLimit)
        keepsFull = renderer.changesPerKind == nil || renderer.compactOnlyWhenLong
    }

    /// Whether the compact form is written.
    private var compact: Bool {
        guard renderer.changesPerKind != nil else { return false }
        return !renderer.compactOnlyWhenLong || listed > PlanRenderer.longPlanLines
    }

    /// Adds the next change (in plan order); throws when a spool cannot be written.
    func add(_ change: UnsafePointer<PlannedChange>) throws {
        try add(ReportEntry(change, renderer: renderer, withLines: false)) { renderer.reportLines(change) }
    }

    /// Adds the next change's entry (in plan order); `lines` renders its lines when the entry has
    /// none and the report shows them. Throws when a spool cannot be written, or what `lines` throws.
    func add(_ entry: ReportEntry, lines: () throws -> String) throws {
        var text = entry.lines
        func rendered() throws -> String {
            if text == nil { text = try lines() }
            return text!
        }
        if let drift = entry.drift {
            try self.drift.append { $0 += drift }
        }
        switch entry.action {
        case .create, .update:
            hasActions = true
            listed += 1
            try addAction(entry, rendered)
        case .skip:
            hasSkips = true
            if let reason = entry.countedSkip {
                userSkips[reason, default: [:]][entry.kind, default: 0] += 1
            } else {
                listed += 1
                try addSkip(entry, rendered)
            }
        case .noop:
            hasNoops = true
            if let note = entry.note { try notes.append { $0 += note } }
            if let text = entry.unchanged { try unchanged.append { $0 += text } }
        }
        if keepsFull && renderer.changesPerKind != nil && listed > PlanRenderer.longPlanLines {
            // Long: the compact form it is.
            keepsFull = false
            actions.removeAll()
            skipList.removeAll()
        }
    }

    /// `rendered` gives the entry's lines, rendering them once when the entry came without.
    private func addAction(_ entry: ReportEntry, _ rendered: () throws -> String) throws {
        if keepsFull {
            let full = try rendered()
            try actions.append { $0 += full }
        }
        guard let limit = renderer.changesPerKind else { return }
        let kind = entry.kind
        var count = counts[kind, default: (0, 0)]
        let index = count.add + count.change
        if entry.action == .create { count.add += 1 } else { count.change += 1 }
        counts[kind] = count
        if index < limit {
            compactPieces.append((kind, try rendered()))
        } else if index == limit {
            compactPieces.append((kind, nil))
        }
    }

    /// `rendered` gives the entry's lines, rendering them once when the entry came without.
    private func addSkip(_ entry: ReportEntry, _ rendered: () throws -> String) throws {
        if keepsFull {
            let full = try rendered()
            try skipList.append { $0 += full }
        }
        guard let limit = renderer.changesPerKind else { return }
        let kind = entry.kind
        guard skipsShown[kind, default: 0] < limit else { skipsLeft[kind, default: 0] += 1; return }
        skipsShown[kind, default: 0] += 1
        compactSkips += try rendered()
    }

    /// Adds the next unmatched file (in plan order: by creator).
    func add(_ item: UnmatchedMedia) {
        add(UnmatchedReportEntry(item))
    }

    /// Adds the next unmatched file's entry (in plan order: by creator).
    func add(_ item: UnmatchedReportEntry) {
        let creator = item.creator ?? "(no creator)"
        if unmatchedCounts[creator] == nil { creatorOrder.append(creator) }
        unmatchedCounts[creator, default: [:]][item.reason, default: 0] += 1
        let key = creator + "\u{0}" + item.reason
        if examples[key] == nil, let path = item.example {
            examples[key] = path
        }
    }

    /// Writes the report of the plan whose lines were added: `inputs` from its header, `notices`
    /// and `summary` from its end; in chunks of about `chunkSize` bytes, the last one ending with
    /// the closing line.
    func write(
        inputs: PlanInputs, notices: [PlanNotice], summary: PlanSummary, chunkSize: Int, to write: (String) -> Void
    ) throws {
        var out = ""
        out.reserveCapacity(min(chunkSize, 1 << 20) + 4096)
        func flushIfFull() {
            if out.utf8.count >= chunkSize { write(out); out.removeAll(keepingCapacity: true) }
        }
        func copy(_ spool: ReportSpool) throws {
            try spool.forEachPiece(pieceSize: min(chunkSize, 1 << 16)) {
                out += $0; flushIfFull()
            }
        }
        let target = inputs.stashURL ?? "an empty Stash (offline: no --stash-url or STASH_URL)"
        out += "Planning \(inputs.database.path) against \(target)\n"
        // Where the files were found decides everything below it: said first.
        for notice in notices where notice.kind == PlanNotice.downloadRootKind {
            out += renderer.paint("Note:", .cyan) + " \(notice.message)\n"
        }
        if !drift.isEmpty {
            out +=
                "\n" + renderer.paint("Changed in Stash since fansly-stash last wrote them", .bold)
                + " (left alone unless the rule says overwrite):\n"
            try copy(drift)
        }
        if hasActions {
            out += "\nfansly-stash will perform the following actions:\n"
            if compact {
                writeCompactActions {
                    out += $0; flushIfFull()
                }
            } else {
                try copy(actions)
            }
        }
        if hasSkips {
            out += "\n" + renderer.paint("Skipped", .bold) + ":\n"
            // Organized and ignored objects are the user's choice: counted per kind, not listed.
            for reason in [SkipReason.organized, .ignored] {
                guard let kinds = userSkips[reason] else { continue }
                let counts = kinds.sorted { $0.key < $1.key }.map {
                    "\($0.value) \(PlanRenderer.plural($0.key, $0.value))"
                }
                let why = reason == .organized ? "organized in Stash" : "every field ignored by the rules"
                // `*`, not `-`: Terraform's readers take `-` for "destroy", and nothing is destroyed.
                out += renderer.paint("  * \(counts.joined(separator: ", ")): \(why)", .dim) + "\n"
            }
            if compact {
                out += compactSkips
                for (kind, count) in skipsLeft.sorted(by: { $0.key < $1.key }) {
                    out +=
                        renderer.paint(
                            "  * … and \(count) more skipped \(PlanRenderer.plural(kind, count)) (--full lists them)",
                            .dim) + "\n"
                }
            } else {
                try copy(skipList)
            }
        }
        if !notes.isEmpty {
            // Unchanged, but not as the rules say: a "No changes" plan must not hide why.
            out += "\n" + renderer.paint("Not as the rules say", .bold) + " (nothing to write; see why):\n"
            try copy(notes)
        }
        if renderer.listUnchanged && hasNoops {
            out += "\nUnchanged:\n"
            try copy(unchanged)
        }
        if !creatorOrder.isEmpty { writeUnmatched(offline: inputs.stashURL == nil, into: &out) }
        // Once, just above the closing line, where it is read.
        for notice in notices where notice.kind != PlanNotice.downloadRootKind {
            out += "\n" + renderer.paint("Note:", .bold) + " " + notice.message + "\n"
        }
        out += "\n" + renderer.closingLine(summary) + "\n"
        write(out)
    }

    /// Per kind: what happens in numbers, then the first few changes.
    private func writeCompactActions(_ emit: (String) -> Void) {
        guard let limit = renderer.changesPerKind else { return }
        for (kind, count) in counts.sorted(by: { $0.key < $1.key }) {
            var parts: [String] = []
            if count.add > 0 { parts.append("\(count.add) to add") }
            if count.change > 0 { parts.append("\(count.change) to change") }
            emit("  \(PlanRenderer.plural(kind, count.add + count.change)): \(parts.joined(separator: ", "))\n")
        }
        for piece in compactPieces {
            if let text = piece.text {
                emit(text)
            } else {
                let left = (counts[piece.kind]?.add ?? 0) + (counts[piece.kind]?.change ?? 0) - limit
                emit(
                    renderer.paint(
                        "\n  … and \(left) more \(PlanRenderer.plural(piece.kind, left)) (--full lists every change; the saved plan and --json hold them all)",
                        .dim) + "\n")
            }
        }
    }

    private func writeUnmatched(offline: Bool, into out: inout String) {
        out +=
            "\n" + renderer.paint("Unmatched media", .bold)
            + " (the rules want them updated; Stash does not hold their files):\n"
        // One line per creator and reason: a large plan has tens of thousands of unmatched files,
        // and a file-by-file list buried the reasons (`--json` has every file, where it was looked
        // for and where Stash holds it).
        var reasons = Set<String>()
        for creator in creatorOrder {
            // Most frequent first; ties by wording, so that the report does not change from run to run.
            for (reason, count) in unmatchedCounts[creator]!.sorted(by: {
                $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
            }) {
                reasons.insert(reason)
                out +=
                    "  " + renderer.paint("!", .red) + " \(creator): \(count) file\(count == 1 ? "" : "s"): \(reason)"
                if reason == Matcher.outsideFoldersReason, let path = examples[creator + "\u{0}" + reason] {
                    out += renderer.paint(" (e.g. \(path))", .dim)
                }
                out += "\n"
            }
        }
        out += renderer.paint("  (--json lists every file)", .dim) + "\n"
        for hint in PlanRenderer.hints(for: reasons, offline: offline) { out += "  Hint: \(hint)\n" }
    }
}
