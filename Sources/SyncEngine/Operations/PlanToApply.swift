/// A plan `apply` made before applying it, as the confirmation hook and `.nothingToApply` see it:
/// its counts, and its report rendered from wherever the plan is held (a plan made creator group by
/// creator group stays in its file; see `FinishedPlan`), so that no caller needs the plan whole.
public struct PlanToApply: Sendable {
    /// The plan's counts.
    public let summary: PlanSummary
    /// The plan itself, in memory or in its file.
    public let finished: FinishedPlan

    init(_ finished: FinishedPlan) throws {
        self.finished = finished
        summary = try finished.summary()
    }

    /// Writes the plan's report as `plan` prints it, in chunks (see `FinishedPlan.render`).
    public func render(with renderer: PlanRenderer, to write: (String) -> Void) throws {
        try finished.render(with: renderer, to: write)
    }
}
