import Foundation
import MappingRules

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of a plan decided part by part (`GroupedPlan`: a grouped evaluation, offline or
/// online), spooled to temporary files and merged into one plan file at the end, so that the
/// finished plan is never held in memory.
///
/// Each part is one run: its changes in address order, then its unmatched files by creator and
/// address, as plan-file lines (`PlanLineEncoder`) in a temporary file that has no name
/// (`PlanFileStorage.temporary()`: unlinked as it is made, it is gone with the spool however the
/// process ends, Ctrl-C and crashes included, and no other process can open it). `finish` merges
/// the runs k-way, copying each line as it is into a `PlanFileWriter`, which counts the summary
/// as lines go and ends with the notices: the plan file is byte for byte the one the whole plan
/// would write.
///
///     let spool = PlanSpool()
///     for part in parts { try spool.add(changes: part.changes, unmatched: part.unmatched) }
///     try spool.finish(into: writer, notices: notices)   // the writer is finished too
///
/// With a `renderer`, each part's report entries (`ReportEntry`: what the report takes from a
/// change, rendered while the change is at hand) are spooled beside its lines, and `finish` puts
/// the report together as it merges (`PlanReport`): the plan file is not read again to report it.
///
/// Parts may be spooled on several threads at once: `reservePart()` fixes a part's place in the
/// merge (ties go to the earlier part) before it is planned, and `add(changes:unmatched:part:)`
/// fills it whenever the part is done.
final class PlanSpool: @unchecked Sendable {
    /// Bytes encoded before they are written to a run's file.
    static let chunkSize = 256 * 1024

    /// The report made as the parts are merged (nil: no report is made).
    let renderer: PlanRenderer?
    /// Every part reserved so far, nil until it is added; guarded by `lock`.
    private var runs: [Run?] = []
    private let lock = NSLock()

    /// One part's lines: changes in `changes`, unmatched files in `unmatched` (byte ranges); its
    /// report entries, changes' then unmatched files', in `report` (with a renderer).
    private struct Run {
        var storage: PlanFileStorage
        var changes: Range<Int>
        var unmatched: Range<Int>
        var report: (storage: PlanFileStorage, count: Int)?
    }

    /// A part's merge order broken: its lines cannot be merged into a plan in order.
    struct OutOfOrder: Error, CustomStringConvertible {
        var what: String
        var description: String { "a planned part lists its \(what) out of order (a bug in fansly-stash)" }
    }

    /// A spool whose parts also carry their report entries as `renderer` renders them.
    init(renderer: PlanRenderer? = nil) { self.renderer = renderer }

    /// Parts reserved or added so far.
    var partCount: Int { lock.withLock { runs.count } }

    /// The place of a part to be added later (`add(changes:unmatched:part:)`), after every part
    /// reserved or added before.
    func reservePart() -> Int {
        lock.withLock {
            runs.append(nil)
            return runs.count - 1
        }
    }

    /// Spools one part after every part reserved or added before.
    func add<Changes: Sequence<PlannedChange>, Unmatched: Sequence<UnmatchedMedia>>(
        changes: Changes, unmatched: Unmatched
    ) throws {
        try add(changes: changes, unmatched: unmatched, part: reservePart())
    }

    /// Spools one part in the place `part` that `reservePart()` gave: `changes` in address order,
    /// `unmatched` by creator (nil first) then address. With a renderer, its report entries are
    /// rendered and spooled on a second thread meanwhile (both only read the part). Parts may be
    /// added on several threads at once. Throws when a temporary file cannot be made or written
    /// (the disk is full).
    func add<Changes: Sequence<PlannedChange>, Unmatched: Sequence<UnmatchedMedia>>(
        changes: Changes, unmatched: Unmatched, part: Int
    ) throws {
        let run = try spool(changes: changes, unmatched: unmatched)
        lock.withLock { runs[part] = run }
    }

    private func spool<Changes: Sequence<PlannedChange>, Unmatched: Sequence<UnmatchedMedia>>(
        changes: Changes, unmatched: Unmatched
    ) throws -> Run {
        guard let renderer else {
            let lines = try spoolLines(changes: changes, unmatched: unmatched)
            return Run(storage: lines.storage, changes: lines.changes, unmatched: lines.unmatched, report: nil)
        }
        var lines: Result<(storage: PlanFileStorage, changes: Range<Int>, unmatched: Range<Int>), any Error>?
        var entries: Result<(storage: PlanFileStorage, count: Int), any Error>?
        Self.atTheSameTime {
            lines = Result { try spoolLines(changes: changes, unmatched: unmatched) }
        } and: {
            entries = Result { try spoolEntries(changes: changes, unmatched: unmatched, renderer: renderer) }
        }
        let spooled = try lines!.get()
        let report = try entries!.get()
        return Run(storage: spooled.storage, changes: spooled.changes, unmatched: spooled.unmatched, report: report)
    }

    /// Runs `first` and `second` at the same time (this thread and a worker) and returns when both
    /// have. They must touch nothing in common but what both only read.
    private static func atTheSameTime(_ first: () -> Void, and second: () -> Void) {
        /// The two closures are not `Sendable`; the caller keeps them apart.
        struct Work: @unchecked Sendable { let run: () -> Void }
        withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second in
                let work = [Work(run: first), Work(run: second)]
                DispatchQueue.concurrentPerform(iterations: 2) { work[$0].run() }
            }
        }
    }

    /// The part's plan-file lines in a temporary file: changes, then unmatched files.
    private func spoolLines<Changes: Sequence<PlannedChange>, Unmatched: Sequence<UnmatchedMedia>>(
        changes: Changes, unmatched: Unmatched
    ) throws -> (storage: PlanFileStorage, changes: Range<Int>, unmatched: Range<Int>) {
        let storage = try PlanFileStorage.temporary()
        var encoder = PlanLineEncoder(capacity: Self.chunkSize + 64 * 1024)
        var written = 0
        func flush() throws {
            try encoder.buffer.withUnsafeBytes { try storage.write($0, at: written) }
            written += encoder.buffer.count
            encoder.removeAll()
        }
        for change in changes {
            encoder.line(change)
            encoder.append(contentsOf: CollectionOfOne(UInt8(ascii: "\n")))
            if encoder.buffer.count >= Self.chunkSize { try flush() }
        }
        try flush()
        let changesEnd = written
        for item in unmatched {
            encoder.line(item)
            encoder.append(contentsOf: CollectionOfOne(UInt8(ascii: "\n")))
            if encoder.buffer.count >= Self.chunkSize { try flush() }
        }
        try flush()
        return (storage, 0..<changesEnd, changesEnd..<written)
    }

    /// The part's report entries in a temporary file, in the order of its lines.
    private func spoolEntries<Changes: Sequence<PlannedChange>, Unmatched: Sequence<UnmatchedMedia>>(
        changes: Changes, unmatched: Unmatched, renderer: PlanRenderer
    ) throws -> (storage: PlanFileStorage, count: Int) {
        let storage = try PlanFileStorage.temporary()
        var entryBuffer: [UInt8] = []
        entryBuffer.reserveCapacity(Self.chunkSize + 64 * 1024)
        var written = 0
        func flush() throws {
            try entryBuffer.withUnsafeBytes { try storage.write($0, at: written) }
            written += entryBuffer.count
            entryBuffer.removeAll(keepingCapacity: true)
        }
        // The report lists every change only without the compact form: its lines are rendered
        // here then; the compact form renders the few it shows as the parts are merged.
        let withLines = renderer.changesPerKind == nil
        for change in changes {
            withUnsafePointer(to: change) {
                ReportEntryCoding.append(ReportEntry($0, renderer: renderer, withLines: withLines), to: &entryBuffer)
            }
            if entryBuffer.count >= Self.chunkSize { try flush() }
        }
        for item in unmatched {
            ReportEntryCoding.append(UnmatchedReportEntry(item), to: &entryBuffer)
            if entryBuffer.count >= Self.chunkSize { try flush() }
        }
        try flush()
        return (storage, written)
    }

    /// Merges every part into `writer` (changes by address, then unmatched files by creator and
    /// address), finishes it with `notices`, and releases the runs; with a renderer, returns the
    /// report of the merged plan, whose sections `PlanReport.write` puts together. The spool takes
    /// nothing after this.
    @discardableResult
    func finish(into writer: PlanFileWriter, notices: [PlanNotice]) throws -> PlanReport? {
        try finish(into: writer) { notices }
    }

    /// `finish(into:notices:)` with notices that are asked for once the lines are merged (they may
    /// be computed meanwhile); what `notices` throws ends the merge, and nothing is finished.
    @discardableResult
    func finish(into writer: PlanFileWriter, notices: () throws -> [PlanNotice]) throws -> PlanReport? {
        let reserved = lock.withLock { self.runs }
        defer { cancel() }
        let runs = reserved.compactMap { $0 }
        guard runs.count == reserved.count else { throw MissingPart() }
        let report = renderer.map { PlanReport(renderer: $0, spoolLimit: ReportSpool.defaultLimit) }
        let entries = runs.map { run in
            run.report.map { ReportEntryReader(storage: $0.storage, range: 0..<$0.count) }
        }
        // The writer (hashing and writing the lines) and the report each take the merged lines on
        // a thread of their own while the merge goes on.
        var consumers: [(MergedLineRelay.Chunk) throws -> Void] = [
            { chunk in
                switch chunk.section {
                case .changes: try chunk.forEachLine { _, line in try writer.appendChange(line: line) }
                case .unmatched: try chunk.forEachLine { _, line in try writer.appendUnmatched(line: line) }
                }
            }
        ]
        if let report {
            consumers.append { chunk in try Self.report(chunk, into: report, entries: entries) }
        }
        let relay = MergedLineRelay(label: "fansly-stash.plan-merge", consumers: consumers)
        do {
            try merge(runs.map { LineCursor(storage: $0.storage, range: $0.changes) }, what: "changes") {
                try PlanLineDecoder.changeAddress(inLine: $0)
            } write: { run, line in
                try relay.append(line, run: run, section: .changes)
            }
            try merge(runs.map { LineCursor(storage: $0.storage, range: $0.unmatched) }, what: "unmatched files") {
                let order = try PlanLineDecoder.unmatchedOrder(inLine: $0)
                return UnmatchedOrder(creator: order.creator, address: order.address)
            } write: { run, line in
                try relay.append(line, run: run, section: .unmatched)
            }
        } catch {
            relay.abandon()
            throw error
        }
        try relay.finish()
        try writer.finish(notices: try notices())
        return report
    }

    /// Adds a chunk of merged lines to `report`, each with its entry from its run's `entries`.
    private static func report(
        _ chunk: MergedLineRelay.Chunk, into report: PlanReport, entries: [ReportEntryReader?]
    ) throws {
        switch chunk.section {
        case .changes:
            try chunk.forEachLine { run, line in
                guard let entries = entries[run] else { return }
                try report.add(try ReportEntryCoding.entry(from: entries)) {
                    // The compact form's few changes shown: read from the line at hand.
                    var change = try PlanLineDecoder.change(inLine: line)
                    return withUnsafePointer(to: &change) { report.renderer.reportLines($0) }
                }
            }
        case .unmatched:
            try chunk.forEachLine { run, _ in
                guard let entries = entries[run] else { return }
                report.add(try ReportEntryCoding.unmatchedEntry(from: entries))
            }
        }
    }

    /// Releases the runs without writing anything (their files go with them).
    func cancel() { lock.withLock { runs = [] } }

    /// A part reserved was never added (its planning failed, and `finish` was called anyway).
    struct MissingPart: Error, CustomStringConvertible {
        var description: String { "a planned part was never spooled (a bug in fansly-stash)" }
    }

    private struct UnmatchedOrder: Comparable {
        var creator: String
        var address: EntityAddress
        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.creator, lhs.address) < (rhs.creator, rhs.address) }
    }

    /// A k-way merge: the runs' heads compared in turn (a handful of runs), the least written and
    /// its run advanced; ties go to the earlier run, as the merge of in-memory parts did.
    private func merge<Key: Comparable>(
        _ cursors: [LineCursor], what: String, key: (UnsafeBufferPointer<UInt8>) throws -> Key,
        write: (_ run: Int, _ line: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        var heads: [Key?] = []
        for cursor in cursors {
            heads.append(try cursor.advance() ? try cursor.withLine(key) : nil)
        }
        while true {
            var best: Int?
            for index in heads.indices {
                guard let head = heads[index] else { continue }
                if let current = best, !(head < heads[current]!) { continue }
                best = index
            }
            guard let run = best else { return }
            let cursor = cursors[run]
            try cursor.withLine { try write(run, $0) }
            if try cursor.advance() {
                let next = try cursor.withLine(key)
                if next < heads[run]! { throw OutOfOrder(what: what) }
                heads[run] = next
            } else {
                heads[run] = nil
            }
        }
    }
}

/// Reads the lines of a byte range of a file in order, through a buffer of its own.
private final class LineCursor {
    private let storage: PlanFileStorage
    private var offset: Int
    private let end: Int
    private var buffer: [UInt8]
    /// Valid bytes in `buffer`.
    private var filled = 0
    /// The current line is `buffer[lineStart..<lineEnd]`; the next starts after its newline.
    private var lineStart = 0
    private var lineEnd = -1

    init(storage: PlanFileStorage, range: Range<Int>, bufferSize: Int = 64 * 1024) {
        self.storage = storage; offset = range.lowerBound; end = range.upperBound
        buffer = [UInt8](repeating: 0, count: range.isEmpty ? 0 : bufferSize)
    }

    /// Moves to the next line; false at the end of the range.
    func advance() throws -> Bool {
        var start = lineEnd + 1
        while true {
            let from = start
            let newline = buffer.withUnsafeBytes { bytes -> Int? in
                guard from < filled, let found = memchr(bytes.baseAddress! + from, 0x0A, filled - from) else {
                    return nil
                }
                return UnsafeRawPointer(found) - bytes.baseAddress!
            }
            if let newline {
                lineStart = start
                lineEnd = newline
                return true
            }
            // No whole line left: keep the partial one at the front and read more behind it.
            let partial = filled - start
            if partial > 0 && start > 0 {
                buffer.withUnsafeMutableBytes {
                    $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<filled]))
                }
            }
            filled = partial
            start = 0
            lineEnd = -1
            guard offset < end else { return false }
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = min(buffer.count - filled, end - offset)
            let into = filled
            try buffer.withUnsafeMutableBytes {
                try storage.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[into..<into + count]), at: offset)
            }
            filled += count
            offset += count
        }
    }

    /// `body` with the current line (without its newline).
    func withLine<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
    }
}
