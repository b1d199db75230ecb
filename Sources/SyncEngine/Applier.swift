import FanslyMetadata
import Foundation
import MappingRules

/// The phases of an apply, in the order they run: ids created in one phase resolve the references
/// of the next.
enum ApplyPhase: String, Sendable, Hashable, CaseIterable, Codable {
    case tags, studios, performers, galleries, scenes, images
    case galleryImages = "gallery images"
    case chapters

    /// The phase that creates or updates entities of `kind`.
    init(kind: EntityKind) {
        switch kind {
        case .tag: self = .tags
        case .studio: self = .studios
        case .performer: self = .performers
        case .gallery: self = .galleries
        case .scene: self = .scenes
        case .image: self = .images
        case .chapter: self = .chapters
        }
    }
}

/// Executes a `Plan` against Stash: phase by phase, in batches through `BatchProcessor`, recording
/// every write in `SyncState` so that a re-run is incremental and an interrupted run resumes without
/// creating duplicates (see Docs/sync-state.md).
struct Applier: Sendable {
    /// The field of a gallery change that lists its images; written by `addGalleryImages`, in its own phase.
    static let galleryImagesField = "image_ids"

    let writer: any StashWriter
    let state: SyncState
    let monitor: SyncMonitor
    let options: BatchOptions

    /// An applier writing through `writer`, recording in `state`, reporting to `monitor`.
    init(writer: any StashWriter, state: SyncState, monitor: SyncMonitor, options: BatchOptions = BatchOptions())
    {
        self.writer = writer; self.state = state; self.monitor = monitor; self.options = options
    }

    /// Applies every create and update of `plan`; noops and skips are counted. Never throws: failures
    /// are per item and end up in the report (a failure that makes Stash unusable fails the rest).
    func apply(_ plan: Plan, stop: ApplyStop? = nil) async -> SyncReport {
        await apply(PlanChanges(plan), stop: stop)
    }

    /// Applies the changes of a saved plan (`PlanFileReader.readChanges()`), reading a phase's changes a
    /// slice at a time. Changes that cannot be read again (the file changed in place) fail.
    ///
    /// With `stop`, a requested stop ends the run early without stranding anything (see `ApplyStop`):
    /// the report's `interrupted` says how many changes were not applied.
    func apply(_ changes: PlanChanges, stop: ApplyStop? = nil) async -> SyncReport {
        stop?.arm()
        let run = Run(changes: changes, state: state)
        run.seed()
        let applyAll: @Sendable () async -> Void = { await self.applyPhases(changes, run: run, stop: stop) }
        if let stop { await stop.bounding(applyAll) } else { await applyAll() }
        var report = monitor.finish()
        if let stop, stop.isRequested { report.interrupted = InterruptionReport(notApplied: run.notAppliedCount) }
        return report
    }

    private func applyPhases(_ changes: PlanChanges, run: Run, stop: ApplyStop?) async {
        let stopping: @Sendable () -> Bool = { stop?.isRequested ?? false }
        let processor = BatchProcessor<WorkItem>(
            options: options,
            isRetryable: { error in
                guard let kind = (error as? WriteFailure)?.kind else { return false }
                return kind == .outcomeUnknown || kind == .notApplied
            }, isStopping: stopping)
        // A phase is read from the plan file a slice at a time: whole batches (the same batches as
        // without slicing), enough of them to keep every request slot busy.
        let slice = options.batchSize * max(20, options.parallelism * 4)
        monitor.announce(
            phases: ApplyPhase.allCases.map { PlannedPhase(name: $0.rawValue, total: changes.entries(in: $0).count) })
        // A heartbeat: a Stash that takes long to answer shows as "waiting for Stash", not as a hang.
        let monitor = self.monitor
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                monitor.tick()
            }
        }
        defer { heartbeat.cancel() }
        for phase in ApplyPhase.allCases {
            let entries = changes.entries(in: phase)
            guard !entries.isEmpty else { continue }
            monitor.beginPhase(phase.rawValue, total: entries.count)
            for entry in entries {
                switch entry.action {
                case .create, .update: continue
                case .noop: record(entry.address, .unchanged, in: run)
                case .skip:
                    record(
                        entry.address,
                        .skipped(reason: entry.skipReason.flatMap { $0.isEmpty ? nil : $0 } ?? "skipped"), in: run)
                }
            }
            for level in run.dependencyLevels(entries.filter { $0.action == .create || $0.action == .update }) {
                for start in stride(from: 0, to: level.count, by: slice) {
                    let part = Array(level[start..<min(start + slice, level.count)])
                    if stopping() || Task.isCancelled {
                        for entry in part { recordNotApplied(entry.address, in: run) }
                        continue
                    }
                    let work: [WorkItem]
                    do {
                        work = try changes.changes(part).map { WorkItem(change: $0, phase: phase) }
                    } catch {
                        let message = "the plan file cannot be read again: \(error)"
                        for entry in part { record(entry.address, .failed(message: message), in: run) }
                        continue
                    }
                    let outcomes = await processor.run(
                        work, report: { item, outcome in record(item.change.address, outcome, in: run) }
                    ) { batch in
                        try await self.process(batch, phase: phase, run: run)
                    }
                    for (item, outcome) in zip(work, outcomes)
                    where outcome == .skipped(reason: BatchProcessor<WorkItem>.notStartedReason) {
                        recordNotApplied(item.change.address, in: run)
                    }
                }
            }
            monitor.endPhase()
        }
        await organizeLast(run: run, stopping: stopping)
    }

    /// An item the run did not send because it was asked to stop.
    private func recordNotApplied(_ address: EntityAddress, in run: Run) {
        run.countNotApplied()
        monitor.record(item: address.description, outcome: .skipped(reason: ApplyStop.notAppliedReason))
    }

    func record(_ address: EntityAddress, _ outcome: ItemOutcome, in run: Run) {
        if case .failed(let message) = outcome {
            run.markFailed(address, message)
            try? state.recordErrors([(address, message)])
        }
        monitor.record(item: address.description, outcome: outcome)
    }

    // MARK: - One batch

    private func process(_ batch: [WorkItem], phase: ApplyPhase, run: Run) async throws -> [ItemResult] {
        if let reason = run.stopReason {
            return batch.map { _ in .failed(WriteFailure(.stopsRun, "not attempted: \(reason)")) }
        }
        var results = [ItemResult?](repeating: nil, count: batch.count)
        var creates: [(Int, send: [String: FieldValue], record: [String: FieldValue])] = []
        var updates: [(Int, ObjectFields, record: [String: FieldValue], adopted: Bool)] = []
        var galleryImages: [(Int, GalleryImages, written: [String: FieldValue])] = []
        let addresses = batch.map(\.change.address)
        let links = try state.links(for: addresses)
        // A create that reached Stash without its reply being recorded: adopt the object, then make
        // sure it holds this plan's fields.
        func adopt(_ index: Int, id: String, send: [String: FieldValue], record: [String: FieldValue]) throws {
            let address = batch[index].change.address
            try state.confirmCreates([WrittenObject(address: address, stashId: id, fields: [:])])
            run.setId(id, for: address)
            updates.append((index, ObjectFields(id: id, fields: send), record, true))
        }
        let pendingCreates =
            batch.contains { $0.change.action == .create && $0.phase != .galleryImages }
            ? try state.pendingCreates(for: addresses) : [:]

        if phase == .chapters {
            // Stash refuses a chapter beyond its gallery's images: learn the counts not known yet, in one request.
            let fieldLists = batch.compactMap { try? run.resolvedFields($0.change, link: nil).send }
            let unknown = run.galleriesWithUnknownImageCount(fieldLists)
            if !unknown.isEmpty {
                for (id, count) in try await send(run, { Array(try await writer.galleryImageCounts(ids: unknown)) }) {
                    run.setImageCount(count, gallery: id)
                }
            }
        }

        for (index, item) in batch.enumerated() {
            let change = item.change
            let link = links[change.address]
            do {
                if phase == .galleryImages {
                    let galleryId = try run.resolveId(of: change)
                    let (ids, written) = try run.imagesToAdd(change)
                    if ids.isEmpty || run.alreadyWritten(link, stashId: galleryId, fields: written) {
                        try state.recordWritten([
                            WrittenObject(address: change.address, stashId: galleryId, fields: written)
                        ])
                        results[index] = .done(.unchanged)
                    } else {
                        galleryImages.append((index, GalleryImages(galleryId: galleryId, imageIds: ids), written))
                    }
                    continue
                }
                var (fields, record) = try run.resolvedFields(change, link: link)
                // `organized: true` is the object's last write (see `organizeLast`).
                run.withholdOrganized(change.address, send: &fields, record: &record)
                if phase == .chapters, let reason = run.chapterOutOfRange(fields) {
                    results[index] = .done(.skipped(reason: reason))
                    continue
                }
                if change.action == .update {
                    guard !fields.isEmpty else { results[index] = .done(.unchanged); continue }
                    let id = try run.resolveId(of: change)
                    if run.alreadyWritten(link, stashId: id, fields: record) {
                        results[index] = .done(.unchanged)
                    } else {
                        updates.append((index, ObjectFields(id: id, fields: fields), record, false))
                    }
                    continue
                }
                // A create.
                guard change.address.kind != .scene && change.address.kind != .image else {
                    results[index] = .failed(
                        WriteFailure(
                            .rejected,
                            "Stash creates \(change.address.kind.rawValue)s by scanning files; scan the library and plan again"
                        ))
                    continue
                }
                if let link {
                    // Created by an earlier (interrupted) run of this plan.
                    run.setId(link.stashId, for: change.address)
                    if run.alreadyWritten(link, stashId: link.stashId, fields: record) {
                        results[index] = .done(.unchanged)
                    } else {
                        updates.append((index, ObjectFields(id: link.stashId, fields: fields), record, true))
                    }
                } else if let pending = pendingCreates[change.address] {
                    let found = try await writer.findExisting(change.address.kind, match: pending.match, fields: fields)
                    switch found.count {
                    case 0: creates.append((index, fields, record))
                    case 1: try adopt(index, id: found[0], send: fields, record: record)
                    default: results[index] = .failed(Self.severalMatch(change.address, found))
                    }
                } else {
                    creates.append((index, fields, record))
                }
            } catch let failure as WriteFailure {
                results[index] = itemResult(for: failure, run: run)
            } catch {
                results[index] = .failed(error)
            }
        }

        if !creates.isEmpty {
            let items = creates.map { batch[$0.0].change }
            try state.journalCreates(items.map { PendingCreate(address: $0.address, match: $0.match) })
            let kind = batch[creates[0].0].change.address.kind
            let answers: [WriteResult]
            do {
                answers = try await send(run) { try await writer.create(kind, inputs: creates.map(\.send)) }
            } catch let failure as WriteFailure where failure.kind == .rejected || failure.kind == .notApplied {
                // The request was refused as a whole: nothing was created, so no look-up is needed later.
                try state.abandonCreates(items.map(\.address))
                throw failure
            }
            var confirmed: [WrittenObject] = []
            var refused: [EntityAddress] = []
            var lateCreates:
                [(index: Int, send: [String: FieldValue], record: [String: FieldValue], failure: WriteFailure)] = []
            for ((index, send, record), answer) in zip(creates, answers) {
                let address = batch[index].change.address
                switch answer {
                case .success(let id):
                    confirmed.append(WrittenObject(address: address, stashId: id, fields: record))
                    run.setId(id, for: address)
                    if kind == .gallery { run.setImageCount(0, gallery: id) }
                    results[index] = .done(.created(id: id))
                case .failure(let failure) where pendingCreates[address] != nil && Self.isNameTaken(failure):
                    // An interrupted run's create can land after this run looked for it (the killed
                    // client's request was still in Stash's hands): look again before failing.
                    lateCreates.append((index, send, record, failure))
                case .failure(let failure):
                    if failure.kind == .rejected || failure.kind == .notApplied { refused.append(address) }
                    results[index] = itemResult(for: failure, run: run)
                }
            }
            try state.confirmCreates(confirmed)
            try state.abandonCreates(refused)
            for late in lateCreates {
                let address = batch[late.index].change.address
                do {
                    let found = try await writer.findExisting(
                        address.kind, match: pendingCreates[address]?.match ?? [],
                        fields: late.send)
                    switch found.count {
                    case 1: try adopt(late.index, id: found[0], send: late.send, record: late.record)
                    case 0:
                        // Taken by an object this create did not make (an alias, say): Stash's refusal stands.
                        try state.abandonCreates([address])
                        results[late.index] = itemResult(for: late.failure, run: run)
                    default: results[late.index] = .failed(Self.severalMatch(address, found))
                    }
                } catch let failure as WriteFailure {
                    // The journal entry stays pending: the next attempt looks again.
                    results[late.index] = itemResult(for: failure, run: run)
                }
            }
        }

        if !updates.isEmpty {
            let kind = batch[updates[0].0].change.address.kind
            try state.markDirty(updates.map { batch[$0.0].change.address })
            let answers = try await send(run) { try await writer.update(kind, inputs: updates.map(\.1)) }
            var written: [WrittenObject] = []
            for ((index, input, record, adopted), answer) in zip(updates, answers) {
                let address = batch[index].change.address
                switch answer {
                case .success:
                    written.append(WrittenObject(address: address, stashId: input.id, fields: record))
                    results[index] = .done(adopted ? .created(id: input.id) : .updated(id: input.id))
                case .failure(let failure):
                    results[index] = itemResult(for: failure, run: run)
                }
            }
            try state.recordWritten(written)
        }

        if !galleryImages.isEmpty {
            let answers = try await send(run) { try await writer.addGalleryImages(galleryImages.map(\.1)) }
            var written: [WrittenObject] = []
            for ((index, input, fields), answer) in zip(galleryImages, answers) {
                switch answer {
                case .success:
                    written.append(
                        WrittenObject(address: batch[index].change.address, stashId: input.galleryId, fields: fields))
                    results[index] = .done(.updated(id: input.galleryId))
                case .failure(let failure):
                    results[index] = itemResult(for: failure, run: run)
                }
            }
            try state.recordWritten(written)
        }

        return results.map { $0 ?? .failed(WriteFailure(.rejected, "internal error: no answer for this item")) }
    }

    /// Sends a request; a failure that makes Stash unusable stops the run.
    private func send<T>(_ run: Run, _ request: () async throws -> [T]) async throws -> [T] {
        do { return try await request() } catch let failure as WriteFailure {
            if failure.kind == .stopsRun { run.stop(because: failure.message) }
            throw failure
        }
    }

    /// Several objects match a create that may have reached Stash: a person decides, nothing is guessed.
    static func severalMatch(_ address: EntityAddress, _ found: [String]) -> WriteFailure {
        WriteFailure(
            .rejected,
            "an earlier create of \(address) may have succeeded, and several \(address.kind.rawValue)s "
                + "match it (ids \(found.joined(separator: ", "))); merge or delete the extra ones in Stash and run apply again"
        )
    }

    /// Stash's uniqueness refusals (`tag with name '…' already exists`, `name '…' is used as alias for '…'`).
    static func isNameTaken(_ failure: WriteFailure) -> Bool {
        failure.kind == .rejected
            && (failure.message.contains("already exists") || failure.message.contains("is used as alias for"))
    }

    private func itemResult(for failure: WriteFailure, run: Run) -> ItemResult {
        switch failure.kind {
        case .rejected: return .failed(failure)
        case .outcomeUnknown, .notApplied: return .retry(failure)
        case .stopsRun:
            run.stop(because: failure.message)
            return .failed(failure)
        }
    }
}

/// One change to apply in one phase.
struct WorkItem: Sendable {
    var change: PlannedChange
    var phase: ApplyPhase
}
