import FanslyMetadata
import Foundation
import MappingRules

extension Applier {
    /// The name of the last step in the report.
    static let organizedPhase = "organized"
    /// Objects whose links `organizeLast` reads at once.
    static let organizedLinkSlice = 2_000

    /// Marks organized, last, the objects whose rules want them organized (the default rules'
    /// galleries): only once every other write of the object in this run succeeded — its fields, its
    /// images, its chapters. Until then the object stays unorganized in Stash, so an interrupted or
    /// failed run leaves nothing that `respectOrganized` would protect from the next run.
    func organizeLast(run: Run, stopping: @Sendable () -> Bool) async {
        let objects = run.objectsToOrganize()
        guard !objects.isEmpty else { return }
        monitor.beginPhase(Self.organizedPhase, total: objects.count)
        defer { monitor.endPhase() }
        var pending: [(address: EntityAddress, id: String)] = []
        // The links are read a slice at a time: with every written field decoded, all of them at
        // once (a gallery per post at 600,000 media) were the peak of apply's memory.
        for start in stride(from: 0, to: objects.count, by: Self.organizedLinkSlice) {
            let slice = objects[start..<min(start + Self.organizedLinkSlice, objects.count)]
            let links = (try? state.links(for: slice.map(\.address))) ?? [:]
            for object in slice {
                if run.alreadyWritten(links[object.address], stashId: object.id, fields: ["organized": .bool(true)]) {
                    record(object.address, .unchanged, in: run)
                } else {
                    pending.append(object)
                }
            }
        }
        let byKind = Dictionary(grouping: pending) { $0.address.kind }
        for kind in byKind.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let items = byKind[kind] ?? []
            for start in stride(from: 0, to: items.count, by: options.batchSize) {
                let batch = Array(items[start..<min(start + options.batchSize, items.count)])
                if stopping() || Task.isCancelled || run.stopReason != nil {
                    for item in batch {
                        run.countNotApplied()
                        monitor.record(
                            item: item.address.description, outcome: .skipped(reason: ApplyStop.notAppliedReason))
                    }
                    continue
                }
                await organize(batch, kind: kind, run: run)
            }
        }
    }

    private func organize(_ batch: [(address: EntityAddress, id: String)], kind: EntityKind, run: Run) async {
        do {
            try state.markDirty(batch.map(\.address))
            let answers = try await writer.update(
                kind, inputs: batch.map { ObjectFields(id: $0.id, fields: ["organized": .bool(true)]) })
            var written: [WrittenObject] = []
            for (item, answer) in zip(batch, answers) {
                switch answer {
                case .success:
                    written.append(
                        WrittenObject(address: item.address, stashId: item.id, fields: ["organized": .bool(true)]))
                    record(item.address, .updated(id: item.id), in: run)
                case .failure(let failure):
                    record(item.address, .failed(message: failure.message), in: run)
                }
            }
            try state.recordWritten(written)
        } catch {
            if let failure = error as? WriteFailure, failure.kind == .stopsRun { run.stop(because: failure.message) }
            let message = BatchProcessor<WorkItem>.message(for: error)
            for item in batch { record(item.address, .failed(message: message), in: run) }
        }
    }
}
