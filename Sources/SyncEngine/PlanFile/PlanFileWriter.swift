import Foundation

/// Writes a plan file (`PlanFile`) as the plan is decided: the header first, then each change and
/// unmatched file as it is appended, then `finish` writes the trailer (counts, summary, notices,
/// the checksum of every line). Memory does not grow with the plan: lines go out in chunks of
/// about 256 KB.
///
/// Saved to a path, the file is written beside it under a temporary name and renamed into place by
/// `finish`, so that a crash or an abandoned writer never leaves half a plan (`cancel` or the last
/// reference going away removes the temporary file). A path ending in `.gz` is written
/// gzip-compressed.
///
///     let writer = try PlanFileWriter(path: "sync.plan.gz", header: PlanHeader(createdAt: now, tool: tool, inputs: inputs))
///     for change in decided { try writer.append(change) }   // in the order the plan lists them
///     for file in unmatched { try writer.append(file) }       // may interleave with the changes
///     try writer.finish(notices: notices)                      // the summary is counted from the lines
///
/// Not thread-safe: one writer is used from one task at a time.
final class PlanFileWriter {
    /// Bytes handed to the output at once.
    static let chunkSize = 256 * 1024

    private var encoder = PlanLineEncoder(capacity: PlanFileWriter.chunkSize + 64 * 1024)
    private var checksum = PlanChecksum.Builder()
    private var output: PlanOutput?
    /// The counts of the lines appended so far.
    private(set) var summary = PlanSummary()
    /// Changes appended so far.
    private(set) var changeCount = 0
    /// Unmatched files appended so far.
    private(set) var unmatchedCount = 0
    /// Where the finished plan is read back from (`reader()`); nil for a sink.
    private let location: Location?

    private enum Location {
        case path(String)
        case temporary(PlanFileStorage)
    }

    /// Starts the plan file at `path` (gzip-compressed when it ends in `.gz`) and writes its header.
    /// Throws when the temporary file beside `path` cannot be made.
    convenience init(path: String, header: PlanHeader) throws {
        try self.init(
            header: header, output: try PlanFileOutput(path: path, gzip: PlanFile.compresses(path)),
            location: .path(path))
    }

    /// Streams the plan (uncompressed) to `sink`, header first: `plan --json`.
    convenience init(header: PlanHeader, sink: @escaping (Data) throws -> Void) throws {
        try self.init(header: header, output: PlanSinkOutput(sink: sink), location: nil)
    }

    /// Writes the plan to a temporary file without a name (`PlanFileStorage.temporary()`: it is
    /// gone with the last reference to it, however the process ends), read back through `reader()`.
    static func temporary(header: PlanHeader) throws -> PlanFileWriter {
        let storage = try PlanFileStorage.temporary()
        return try PlanFileWriter(
            header: header, output: PlanStorageOutput(storage: storage), location: .temporary(storage))
    }

    private init(header: PlanHeader, output: PlanOutput, location: Location?) throws {
        self.output = output
        self.location = location
        do {
            try line(PlanFile.lineEncoder().encode(header))
        } catch {
            output.cancel()
            self.output = nil
            throw error
        }
    }

    deinit { output?.cancel() }

    /// Appends one change (changes are applied in the order they are appended).
    func append(_ change: PlannedChange) throws {
        let start = encoder.buffer.count
        encoder.line(change)
        try endLine(from: start)
        changeCount += 1
        summary.count(change.action)
    }

    /// Appends a change line as `PlanLineEncoder` wrote it (without its newline): a spooled part's
    /// line, copied as it is.
    func appendChange(line: UnsafeBufferPointer<UInt8>) throws {
        let start = encoder.buffer.count
        encoder.append(contentsOf: line)
        try endLine(from: start)
        changeCount += 1
        PlanFileReader.count(line, into: &summary)
    }

    /// Appends an unmatched file's line as `PlanLineEncoder` wrote it (without its newline).
    func appendUnmatched(line: UnsafeBufferPointer<UInt8>) throws {
        let start = encoder.buffer.count
        encoder.append(contentsOf: line)
        try endLine(from: start)
        unmatchedCount += 1
        summary.unmatched += 1
    }

    /// Appends one file the rules want updated that Stash does not hold.
    func append(_ item: UnmatchedMedia) throws {
        let start = encoder.buffer.count
        encoder.line(item)
        try endLine(from: start)
        unmatchedCount += 1
        summary.unmatched += 1
    }

    /// Writes the trailer (the summary counted from the lines appended, `notices`) and closes the
    /// file, renaming it into place. The writer takes nothing after this.
    func finish(notices: [PlanNotice] = []) throws {
        guard let output else { throw PlanWriteError.finished }
        let trailer = PlanTrailer(
            changes: changeCount, unmatched: unmatchedCount, summary: summary,
            notices: notices.isEmpty ? nil : notices, checksum: checksum.finish())
        encoder.append(contentsOf: #"{"end":"#.utf8)
        encoder.append(contentsOf: try PlanFile.lineEncoder().encode(trailer))
        encoder.append(contentsOf: "}\n".utf8)
        do {
            try flush()
            try output.finish()
        } catch {
            output.cancel()
            self.output = nil
            throw error
        }
        self.output = nil
    }

    /// The finished plan opened for reading (its header read; nothing else yet). Throws for a
    /// writer that streamed to a sink.
    func reader() throws -> PlanFileReader {
        guard output == nil else { throw PlanWriteError.unfinished }
        let reader: PlanFileReader
        switch location {
        case .path(let path): reader = try PlanFileReader.open(path: path)
        case .temporary(let storage): reader = try PlanFileReader.open(storage: storage, path: "(the plan just made)")
        case nil: throw PlanWriteError.unfinished
        }
        reader.isOwnOutput = true
        return reader
    }

    /// Abandons the plan: nothing is left at the path (an earlier plan there stays as it was).
    func cancel() {
        output?.cancel()
        output = nil
    }

    private func line(_ bytes: Data) throws {
        let start = encoder.buffer.count
        encoder.append(contentsOf: bytes)
        try endLine(from: start)
    }

    /// Adds the line from `start` to the checksum, ends it and flushes a full buffer.
    private func endLine(from start: Int) throws {
        guard output != nil else { throw PlanWriteError.finished }
        encoder.buffer.withUnsafeBufferPointer {
            checksum.add(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[start...])))
        }
        encoder.append(contentsOf: CollectionOfOne(UInt8(ascii: "\n")))
        if encoder.buffer.count >= Self.chunkSize { try flush() }
    }

    private func flush() throws {
        guard let output, !encoder.buffer.isEmpty else { return }
        try encoder.buffer.withUnsafeBufferPointer { try output.write(UnsafeRawBufferPointer($0)) }
        encoder.removeAll()
    }
}

/// A plan writer used after `finish` or `cancel`.
enum PlanWriteError: Error, CustomStringConvertible {
    case finished
    /// `reader()` before `finish`, or of a plan streamed to a sink.
    case unfinished
    public var description: String {
        switch self {
        case .finished: return "the plan file is already finished"
        case .unfinished: return "the plan file is not finished, or was not saved to a file"
        }
    }
}

/// Where a plan writer's bytes go.
protocol PlanOutput: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Everything is written: flush, and put the file in place.
    func finish() throws
    /// Nothing is to be kept.
    func cancel()
}

/// To a caller's sink (stdout).
private final class PlanSinkOutput: PlanOutput {
    let sink: (Data) throws -> Void
    init(sink: @escaping (Data) throws -> Void) { self.sink = sink }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try sink(Data(bytes)) }
    func finish() throws {}
    func cancel() {}
}

/// To a temporary file without a name, kept open to be read back.
private final class PlanStorageOutput: PlanOutput {
    let storage: PlanFileStorage
    var written = 0
    init(storage: PlanFileStorage) { self.storage = storage }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try storage.write(bytes, at: written)
        written += bytes.count
    }
    func finish() throws {}
    func cancel() {}
}

/// To a temporary file beside the plan's path, gzip-compressed or not, renamed into place at the end.
private final class PlanFileOutput: PlanOutput {
    let path: String
    let temporary: String
    var handle: FileHandle?
    var gzip: GzipCompressor?

    init(path: String, gzip: Bool) throws {
        let url = URL(fileURLWithPath: path)
        self.path = path
        temporary =
            url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
            .path
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        UnfinishedPlanFiles.shared.insert(temporary)
        do {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            self.gzip = gzip ? try GzipCompressor() : nil
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            UnfinishedPlanFiles.shared.remove(temporary)
            throw error
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let handle else { throw PlanWriteError.finished }
        if let gzip {
            try gzip.compress(bytes) { try handle.write(contentsOf: $0) }
        } else {
            try handle.write(contentsOf: bytes)
        }
    }

    func finish() throws {
        guard let handle else { throw PlanWriteError.finished }
        if let gzip { try gzip.finish { try handle.write(contentsOf: $0) } }
        try handle.synchronize()
        try handle.close()
        self.handle = nil
        // rename(2) replaces an existing plan atomically (FileManager.replaceItemAt fails on Linux
        // when the destination exists: "The file doesn't exist").
        defer { UnfinishedPlanFiles.shared.remove(temporary) }
        guard rename(temporary, path) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    func cancel() {
        guard let handle else { return }
        try? handle.close()
        self.handle = nil
        try? FileManager.default.removeItem(atPath: temporary)
        UnfinishedPlanFiles.shared.remove(temporary)
    }

    deinit { cancel() }
}

/// The temporary files of plans being saved (beside their paths, renamed into place when complete),
/// so that a process ended by a signal can remove them first (`PlanFile.removeUnfinished()`). Every
/// other temporary file fansly-stash makes has no name and needs nothing.
final class UnfinishedPlanFiles: @unchecked Sendable {
    static let shared = UnfinishedPlanFiles()
    private let lock = NSLock()
    private var paths: Set<String> = []

    func insert(_ path: String) { lock.withLock { _ = paths.insert(path) } }
    func remove(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    /// Removes every file still being written; later writes to them fail.
    func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths = []
        }
    }
}
