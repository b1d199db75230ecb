import MappingRules

/// What a plan's report takes from one change: its kind and action, whether it is a skip the
/// report counts rather than lists, and its text for each section it appears in.
///
/// Made where the change is at hand: from a plan in memory as the report is put together, or
/// from a planned part before it is spooled (`PlanSpool`), so that the report of a plan made part
/// by part is put together as the parts are merged, without reading the plan file again. The
/// change's own lines (`lines`) are the report's bulk: rendered ahead only for a report that
/// lists every change; otherwise (the compact form) the report asks for the few it shows.
struct ReportEntry: Equatable {
    var kind: EntityKind
    var action: ChangeAction
    /// Organized or ignored: counted per kind, not listed.
    var countedSkip: SkipReason?
    /// The drift section's lines, when Stash changed fields since they were written.
    var drift: String?
    /// A create's or update's lines, or a listed skip's line; nil when not rendered ahead.
    var lines: String?
    /// An unchanged object's note (`PlanRenderer.note`), for the "Not as the rules say" section.
    var note: String?
    /// An unchanged object's line, when the renderer lists them.
    var unchanged: String?

    /// The entry of `change` as `renderer` reports it; its `lines` only when `withLines`.
    init(_ change: UnsafePointer<PlannedChange>, renderer: PlanRenderer, withLines: Bool) {
        kind = change.pointee.address.kind
        action = change.pointee.action
        if !change.pointee.drift.isEmpty {
            var text = ""
            renderer.renderDrift(change, into: &text)
            drift = text
        }
        switch action {
        case .create, .update:
            if withLines { lines = renderer.reportLines(change) }
        case .skip:
            if let reason = change.pointee.reason, reason == .organized || reason == .ignored {
                countedSkip = reason
            } else if withLines {
                lines = renderer.reportLines(change)
            }
        case .noop:
            if let note = PlanRenderer.note(change.pointee.detail) {
                var text = ""
                renderer.renderNote(change, note, into: &text)
                self.note = text
            }
            if renderer.listUnchanged {
                var text = ""
                renderer.renderUnchanged(change, into: &text)
                unchanged = text
            }
        }
    }

    init(
        kind: EntityKind, action: ChangeAction, countedSkip: SkipReason? = nil, drift: String? = nil,
        lines: String? = nil, note: String? = nil, unchanged: String? = nil
    ) {
        self.kind = kind; self.action = action; self.countedSkip = countedSkip; self.drift = drift
        self.lines = lines; self.note = note; self.unchanged = unchanged
    }
}

/// What a plan's report takes from one unmatched file: it is counted per creator and reason,
/// with one example of where Stash holds such a file.
struct UnmatchedReportEntry: Equatable {
    var creator: String?
    var reason: String
    var example: String?

    init(_ item: UnmatchedMedia) {
        creator = item.creator
        reason = item.reason
        example = item.stashPaths?.first ?? item.lookedFor.first
    }

    init(creator: String?, reason: String, example: String?) {
        self.creator = creator; self.reason = reason; self.example = example
    }
}

extension PlanRenderer {
    /// A create's or update's lines, or a listed skip's line: what the report lists for it.
    func reportLines(_ change: UnsafePointer<PlannedChange>) -> String {
        var text = ""
        if change.pointee.action == .skip {
            renderSkip(change, into: &text)
        } else {
            renderChange(change, into: &text)
        }
        return text
    }
}
