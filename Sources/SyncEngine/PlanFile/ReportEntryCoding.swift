import MappingRules

/// `ReportEntry` and `UnmatchedReportEntry` as bytes, for the report side of a spooled part
/// (`PlanSpool`): a byte each for the kind, the action, the counted skip and which texts follow,
/// then each text as its UTF-8 length (4 bytes, little-endian) and its bytes. Written and read
/// back by one process only, through a file no other process can open (`PlanFileStorage.temporary()`).
enum ReportEntryCoding {
    /// Kinds and actions by number (the order is this file's only).
    static let kinds = EntityKind.allCases
    static let actions: [ChangeAction] = [.create, .update, .noop, .skip]

    private static let hasDrift: UInt8 = 1
    private static let hasLines: UInt8 = 2
    private static let hasNote: UInt8 = 4
    private static let hasUnchanged: UInt8 = 8
    private static let hasCreator: UInt8 = 1
    private static let hasExample: UInt8 = 2

    /// A spooled entry that cannot be read back: the temporary file was changed under the run.
    struct Corrupt: Error, CustomStringConvertible {
        var description: String { "a temporary report file of the plan was changed while it was made" }
    }

    static func append(_ entry: ReportEntry, to bytes: inout [UInt8]) {
        bytes.append(UInt8(kinds.firstIndex(of: entry.kind)!))
        bytes.append(UInt8(actions.firstIndex(of: entry.action)!))
        bytes.append(entry.countedSkip == .organized ? 1 : entry.countedSkip == .ignored ? 2 : 0)
        var present: UInt8 = 0
        if entry.drift != nil { present |= hasDrift }
        if entry.lines != nil { present |= hasLines }
        if entry.note != nil { present |= hasNote }
        if entry.unchanged != nil { present |= hasUnchanged }
        bytes.append(present)
        for text in [entry.drift, entry.lines, entry.note, entry.unchanged] {
            if let text { append(text, to: &bytes) }
        }
    }

    static func append(_ entry: UnmatchedReportEntry, to bytes: inout [UInt8]) {
        var present: UInt8 = 0
        if entry.creator != nil { present |= hasCreator }
        if entry.example != nil { present |= hasExample }
        bytes.append(present)
        append(entry.reason, to: &bytes)
        if let creator = entry.creator { append(creator, to: &bytes) }
        if let example = entry.example { append(example, to: &bytes) }
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            let count = UInt32(utf8.count)
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: count >> shift)) }
            bytes.append(contentsOf: utf8)
        }
    }

    static func entry(from reader: ReportEntryReader) throws -> ReportEntry {
        // Read in place: one entry per change merged, no array each.
        let (kind, action, skip, present) = try reader.bytes(4) { (Int($0[0]), Int($0[1]), $0[2], $0[3]) }
        guard kind < kinds.count, action < actions.count, skip <= 2 else { throw Corrupt() }
        var entry = ReportEntry(
            kind: kinds[kind], action: actions[action], countedSkip: skip == 1 ? .organized : skip == 2 ? .ignored : nil
        )
        if present & hasDrift != 0 { entry.drift = try text(from: reader) }
        if present & hasLines != 0 { entry.lines = try text(from: reader) }
        if present & hasNote != 0 { entry.note = try text(from: reader) }
        if present & hasUnchanged != 0 { entry.unchanged = try text(from: reader) }
        return entry
    }

    static func unmatchedEntry(from reader: ReportEntryReader) throws -> UnmatchedReportEntry {
        let present = try reader.bytes(1) { $0[0] }
        let reason = try text(from: reader)
        let creator = present & hasCreator != 0 ? try text(from: reader) : nil
        let example = present & hasExample != 0 ? try text(from: reader) : nil
        return UnmatchedReportEntry(creator: creator, reason: reason, example: example)
    }

    private static func text(from reader: ReportEntryReader) throws -> String {
        let count = try reader.bytes(4) { bytes in
            (0..<4).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        }
        return try reader.bytes(count) { String(decoding: $0, as: UTF8.self) }
    }
}

/// Reads a byte range of a file front to back, in pieces of the size asked for, through a buffer.
final class ReportEntryReader {
    private let storage: PlanFileStorage
    private var offset: Int
    private let end: Int
    private var buffer: [UInt8]
    private var start = 0
    private var filled = 0

    init(storage: PlanFileStorage, range: Range<Int>, bufferSize: Int = 64 * 1024) {
        self.storage = storage; offset = range.lowerBound; end = range.upperBound
        buffer = [UInt8](repeating: 0, count: range.isEmpty ? 0 : bufferSize)
    }

    /// `body` with the next `count` bytes; throws `ReportEntryCoding.Corrupt` past the range's end.
    func bytes<T>(_ count: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T {
        if filled - start < count { try fill(count) }
        defer { start += count }
        let from = start
        return try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[from..<from + count])) }
    }

    private func fill(_ count: Int) throws {
        let kept = filled - start
        guard kept + (end - offset) >= count else { throw ReportEntryCoding.Corrupt() }
        if start > 0 && kept > 0 {
            let from = start
            buffer.withUnsafeMutableBytes {
                $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[from..<from + kept]))
            }
        }
        start = 0
        filled = kept
        if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
        let reading = min(buffer.count - filled, end - offset)
        let into = filled
        try buffer.withUnsafeMutableBytes {
            try storage.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[into..<into + reading]), at: offset)
        }
        filled += reading
        offset += reading
    }
}
