import Foundation

/// What the first pass of a grouped evaluation produced besides tags, studios and performers, in
/// the order it produced it, for the second pass to replay instead of reading and evaluating the
/// records again: each contribution to a scene, image, gallery or chapter (the entity and the rank
/// it was added with) and the end of each creator.
///
/// Held in a temporary file (removed as soon as it is open, so nothing is left behind), written
/// and read in chunks of about a megabyte: memory does not grow with the library. Each record is
/// its length (4 bytes) and its bytes (`SpoolEncoder`).
final class ContributionSpool {
    /// One record of the spool.
    enum Event {
        case contribution(DesiredEntity, Rank)
        /// The creator at this position in the run was mapped.
        case finished(creator: Int)
    }

    /// The temporary file could not be written or read back.
    enum SpoolError: Error, CustomStringConvertible {
        case file(path: String, reason: String)
        /// A record read back is not what was written (the file changed under the run).
        case corrupt

        var description: String {
            switch self {
            case .file(let path, let reason):
                return "the grouped evaluation's temporary file \(path) failed: \(reason) "
                    + "(the folder is TMPDIR's; it needs room for the library's entities)"
            case .corrupt: return "the grouped evaluation's temporary file was changed while it was read"
            }
        }
    }

    private static let chunk = 1 << 20
    private let handle: FileHandle
    private let path: String
    private var encoder = SpoolEncoder(capacity: ContributionSpool.chunk + 64 * 1024)
    /// The first write failure: `append` cannot throw (it runs inside the engine's `add`), so the
    /// spool stops writing and `check()` reports it.
    private var failure: SpoolError?
    private(set) var records = 0

    /// A new spool in `directory`.
    init(directory: URL = FileManager.default.temporaryDirectory) throws {
        let url = directory.appendingPathComponent("fansly-stash-groups-\(UUID().uuidString).spool")
        path = url.path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw SpoolError.file(path: path, reason: "cannot be created")
        }
        do {
            handle = try FileHandle(forUpdating: url)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw SpoolError.file(path: path, reason: error.localizedDescription)
        }
        // Removed at once: the open handle keeps the data until the spool is released or the process ends.
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { try? handle.close() }

    func append(_ entity: DesiredEntity, rank: Rank) {
        record(kind: 1) { encoder in
            encoder.rank(rank)
            encoder.entity(entity)
        }
    }

    func finish(creator: Int) { record(kind: 2) { $0.unsigned(UInt64(creator)) } }

    /// Throws the first write failure, if any.
    func check() throws { if let failure { throw failure } }

    private func record(kind: UInt8, _ body: (inout SpoolEncoder) -> Void) {
        guard failure == nil else { return }
        let start = encoder.bytes.count
        encoder.lengthPlaceholder()
        encoder.byte(kind)
        body(&encoder)
        encoder.patchLength(at: start)
        records += 1
        if encoder.bytes.count >= Self.chunk { flush() }
    }

    private func flush() {
        guard failure == nil, !encoder.bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: encoder.bytes)
        } catch {
            failure = .file(path: path, reason: error.localizedDescription)
        }
        encoder.removeBytes()
    }

    /// Calls `body` with every record in the order it was written; the spool is then empty.
    func replay(_ body: (Event) throws -> Void) throws {
        flush()
        try check()
        do {
            try handle.seek(toOffset: 0)
        } catch {
            throw SpoolError.file(path: path, reason: error.localizedDescription)
        }
        let strings = SpoolDecoder.Strings()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.chunk * 2)
        var start = 0
        var remaining = records
        while remaining > 0 {
            // The next record's length, then the record whole in the buffer.
            guard try available(4, in: &buffer, from: &start) else { throw SpoolError.corrupt }
            let length = Self.length(buffer, at: start)
            guard try available(4 + length, in: &buffer, from: &start) else { throw SpoolError.corrupt }
            let event = try buffer.withUnsafeBytes { bytes in
                var decoder = SpoolDecoder(
                    UnsafeRawBufferPointer(rebasing: bytes[start + 4..<start + 4 + length]), strings: strings)
                let event: Event
                switch try decoder.byte() {
                case 1:
                    let rank = try decoder.rank()
                    event = .contribution(try decoder.entity(), rank)
                case 2:
                    event = .finished(creator: Int(try decoder.unsigned()))
                default:
                    throw SpoolError.corrupt
                }
                guard decoder.isAtEnd else { throw SpoolError.corrupt }
                return event
            }
            start += 4 + length
            remaining -= 1
            try body(event)
        }
        records = 0
    }

    /// Makes sure `count` bytes from `start` are in `buffer`, reading more of the file (and
    /// dropping what was read before `start`); false when the file ends first.
    private func available(_ count: Int, in buffer: inout [UInt8], from start: inout Int) throws -> Bool {
        while buffer.count - start < count {
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            let data: Data?
            do {
                data = try handle.read(upToCount: max(Self.chunk, count - buffer.count))
            } catch {
                throw SpoolError.file(path: path, reason: error.localizedDescription)
            }
            guard let data, !data.isEmpty else { return false }
            buffer.append(contentsOf: data)
        }
        return true
    }

    private static func length(_ buffer: [UInt8], at start: Int) -> Int {
        Int(buffer[start]) | Int(buffer[start + 1]) << 8 | Int(buffer[start + 2]) << 16 | Int(buffer[start + 3]) << 24
    }
}
