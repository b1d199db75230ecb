public import Foundation

/// A finished plan, wherever it is held: in memory (a plan made whole, which a small library's is)
/// or in a plan file (a plan made part by part and streamed there, or a saved plan `show` opened).
/// Its report, its lines (`--json`) and its counts come from either alike, so that `plan` and
/// `show` need not know which, and a large plan is never read into memory.
///
///     let finished = try await PlanOperation(request).run(savingTo: "sync.plan", progress: show)
///     try finished.render(with: PlanRenderer()) { FileHandle.standardOutput.write(Data($0.utf8)) }
///     if try finished.summary().hasChanges { … }
public final class FinishedPlan: @unchecked Sendable {
    private enum Storage {
        case memory(Plan)
        case file(PlanFileReader)
    }

    private let storage: Storage
    private let knownSummary: PlanSummary?
    /// The report made as the plan was written to its file (`PlanSpool`), with its notices: used
    /// once, by a render with the same renderer.
    private var madeReport: (report: PlanReport, notices: [PlanNotice])?

    /// A plan held in memory.
    public init(_ plan: Plan) {
        storage = .memory(plan)
        knownSummary = plan.summary
    }

    /// The plan file `reader` opened; `summary` when the caller counted it (it wrote the file), and
    /// the `report` it made as it wrote it, with the plan's `notices`.
    init(
        file reader: PlanFileReader, summary: PlanSummary? = nil, report: PlanReport? = nil, notices: [PlanNotice] = []
    ) {
        storage = .file(reader)
        knownSummary = summary
        if let report { madeReport = (report, notices) }
    }

    /// The plan saved at `path` (`show`): only its header is read here. Throws `PlanFile.ReadError`.
    public static func open(path: String) throws -> FinishedPlan {
        FinishedPlan(file: try PlanFileReader.open(path: path))
    }

    /// Whether the plan is held in a file (it was made part by part, or opened).
    public var isInFile: Bool {
        if case .file = storage { return true }
        return false
    }

    /// The plan's counts (for a plan file not counted yet, from its end line, every line checked).
    public func summary() throws -> PlanSummary {
        if let knownSummary { return knownSummary }
        guard case .file(let reader) = storage else { preconditionFailure("a plan in memory knows its summary") }
        return try reader.summary()
    }

    /// Writes the report `renderer` makes, in chunks (see `PlanRenderer.render`); a plan file is
    /// read once, and checked before anything is written.
    public func render(with renderer: PlanRenderer, chunkSize: Int = 1 << 16, to write: (String) -> Void) throws {
        if let made = madeReport, made.report.renderer == renderer, case .file(let reader) = storage,
            let knownSummary
        {
            // Its sections are read as they are written out: once.
            madeReport = nil
            try made.report.write(
                inputs: reader.inputs, notices: made.notices, summary: knownSummary, chunkSize: chunkSize, to: write)
            return
        }
        switch storage {
        case .memory(let plan): try renderer.render(plan, chunkSize: chunkSize, to: write)
        case .file(let reader): try renderer.render(reader, chunkSize: chunkSize, to: write)
        }
    }

    /// Writes the plan file's lines, uncompressed, in pieces (`--json`): a plan file's own bytes
    /// once every line is checked, a plan in memory encoded as it is written.
    public func writeLines(to sink: @escaping (Data) throws -> Void) throws {
        switch storage {
        case .memory(let plan): try PlanFile.write(plan, to: sink)
        case .file(let reader): try reader.copyLines(to: sink)
        }
    }

    /// What `apply` sends, and when and from what the plan was made: a plan file's changes read in
    /// the compact form a saved plan's are (every line checked first), never the plan whole.
    func changesToApply() throws -> (inputs: PlanInputs, createdAt: Date, changes: PlanChanges) {
        switch storage {
        case .memory(let plan): return (plan.inputs, plan.createdAt, PlanChanges(plan))
        case .file(let reader): return (reader.inputs, reader.createdAt, try reader.readChanges())
        }
    }

    /// The whole plan in memory (a plan file read whole: for tests and callers that need the value).
    public func plan() throws -> Plan {
        switch storage {
        case .memory(let plan): return plan
        case .file(let reader): return try reader.plan()
        }
    }
}
