import FanslyMetadata
import Foundation
import MappingRules

/// A plan's changes as `Applier` reads them: a compact index of every change (address, action,
/// Stash id, skip reason) and, per phase, the full changes, decoded from the plan file when asked for.
public final class PlanChanges: @unchecked Sendable {
    /// When the plan was made.
    let createdAt: Date
    /// What `Run` needs of every change before any phase runs.
    let entries: [Entry]
    private let storage: Storage

    private enum Storage {
        case memory([PlannedChange])
        case file(PlanFileStorage, spans: [PlanFileReader.Span], path: String)
    }

    struct Entry: Sendable {
        var address: EntityAddress
        var action: ChangeAction
        var stashId: String?
        /// For a skip: `reason: detail`.
        var skipReason: String?
        /// A gallery create/update that lists images (it also runs in the gallery images phase).
        var addsGalleryImages: Bool
        /// Entities of its own kind that it refers to by address (for the order within a phase).
        var sameKindReferences: [EntityAddress]
        /// Where the change is: its index in memory, or its line in the file.
        var location: Int

        init(_ change: PlannedChange, location: Int) {
            address = change.address; action = change.action; stashId = change.stashId
            skipReason =
                change.action == .skip
                ? [change.reason?.rawValue, change.detail].compactMap { $0 }.joined(separator: ": ") : nil
            addsGalleryImages =
                change.address.kind == .gallery && change.changesStash
                && change.fields.contains { $0.field == Applier.galleryImagesField }
            sameKindReferences =
                change.changesStash
                ? change.fields.flatMap { Run.addresses(in: $0.after) }
                    .filter { $0.kind == change.address.kind && $0 != change.address } : []
            self.location = location
        }

        func belongs(to phase: ApplyPhase) -> Bool {
            phase == .galleryImages ? addsGalleryImages : ApplyPhase(kind: address.kind) == phase
        }
    }

    /// The changes of a plan in memory.
    init(_ plan: Plan) {
        createdAt = plan.createdAt
        entries = plan.changes.enumerated().map { Entry($1, location: $0) }
        storage = .memory(plan.changes)
    }

    /// The changes of a plan file, `entries` read from it (`PlanFileReader.readChanges()`), the full
    /// changes read again from `file` at `spans` when a phase asks for them.
    init(createdAt: Date, entries: [Entry], file: PlanFileStorage, spans: [PlanFileReader.Span], path: String) {
        self.createdAt = createdAt
        self.entries = entries
        storage = .file(file, spans: spans, path: path)
    }

    /// How many changes the plan holds (every action).
    public var count: Int { entries.count }

    /// The changes that run in `phase`, in plan order, in compact form.
    func entries(in phase: ApplyPhase) -> [Entry] {
        entries.filter { $0.belongs(to: phase) }
    }

    /// The changes that run in `phase`, in plan order.
    func changes(in phase: ApplyPhase) throws -> [PlannedChange] {
        try changes(entries(in: phase))
    }

    /// The full changes of `selected` (read from the plan file for a saved plan).
    func changes(_ selected: [Entry]) throws -> [PlannedChange] {
        switch storage {
        case .memory(let changes): return selected.map { changes[$0.location] }
        case .file(let file, let spans, let path):
            return try selected.map { try PlanFileReader.change(at: spans[$0.location], in: file, path: path) }
        }
    }
}
