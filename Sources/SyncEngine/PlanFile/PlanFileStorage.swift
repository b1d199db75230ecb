import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plan file's bytes, read-only, by offset and line by line; closed with the last reference.
///
/// A gzip-compressed plan is decompressed once, as it is opened, into a temporary file that is
/// unlinked at once (it disappears with the descriptor, whatever happens): the reader then takes
/// slices of it by offset as from a plain plan, with memory that does not grow with the plan.
final class PlanFileStorage: @unchecked Sendable {
    let descriptor: Int32

    /// Why the file cannot be read as a plan at all.
    enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        case gzip(GzipDecompressor.Failure)

        var description: String {
            switch self {
            case .unreadable(let reason): return reason
            case .gzip(let problem): return problem.description
            }
        }
    }

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Opens `path`, decompressing it first when it starts with gzip's magic bytes.
    static func open(path: String) throws -> PlanFileStorage {
        var status = stat()
        let descriptor = openReadOnly(path)
        guard descriptor >= 0 else {
            throw Failure.unreadable(errno == ENOENT ? "no such file" : "permission denied or not a file")
        }
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw Failure.unreadable("permission denied or not a file")
        }
        let file = PlanFileStorage(descriptor: descriptor)
        var magic = [UInt8](repeating: 0, count: 2)
        let count = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, 2, 0) }
        guard count == 2, magic == GzipDecompressor.magic else { return file }
        return try file.decompressed()
    }

    /// An empty file in the temporary folder (`$TMPDIR`, else /tmp) that has no name: it is
    /// unlinked as soon as it is made, so it disappears with its descriptor, however the process
    /// ends (an error, a signal, a crash), and no other process can open it. Written with `write(_:at:)`.
    static func temporary() throws -> PlanFileStorage {
        var template = Array((NSTemporaryDirectory() + "/fansly-stash-plan-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw Failure.unreadable(
                "cannot make a temporary file in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return PlanFileStorage(descriptor: descriptor)
    }

    /// The gzip stream of this file, decompressed into an unlinked temporary file.
    private func decompressed() throws -> PlanFileStorage {
        let plain: PlanFileStorage
        do { plain = try Self.temporary() } catch {
            throw Failure.unreadable("cannot make a temporary file to decompress it into")
        }
        let gzip: GzipDecompressor
        do { gzip = try GzipDecompressor() } catch { throw Failure.unreadable("zlib: \(error)") }
        var written = 0
        func keep(_ bytes: UnsafeRawBufferPointer) throws {
            try plain.write(bytes, at: written)
            written += bytes.count
        }
        do {
            try forEachChunk { chunk in try gzip.decompress(chunk, write: keep) }
            try gzip.finish(write: keep)
        } catch let failure as GzipDecompressor.Failure {
            throw Failure.gzip(failure)
        }
        return plain
    }

    /// Writes `bytes` at `offset` (a temporary file's; a plan opened to be read is never written).
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw Failure.unreadable("cannot write a temporary file: \(String(cString: strerror(errno)))")
            }
            done += count
        }
    }

    /// `length` bytes at `offset`.
    func read(offset: Int, length: Int) throws -> Data {
        var data = Data(count: length)
        var done = 0
        try data.withUnsafeMutableBytes { bytes in
            while done < length {
                let count = pread(descriptor, bytes.baseAddress! + done, length - done, off_t(offset + done))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw POSIXError(count == 0 ? .EIO : POSIXErrorCode(rawValue: errno) ?? .EIO) }
                done += count
            }
        }
        return data
    }

    /// Fills `buffer` with the bytes at `offset` (which must be there).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw POSIXError(count == 0 ? .EIO : POSIXErrorCode(rawValue: errno) ?? .EIO) }
            done += count
        }
    }

    /// Calls `body` with each piece of the file in order, 1 MB at a time.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let size = 1 << 20
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { chunk.deallocate() }
        var offset = 0
        while true {
            let count = pread(descriptor, chunk, size, off_t(offset))
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(start: chunk, count: count))
            offset += count
        }
    }

    /// Calls `body` with each line (without its newline), its offset, its 1-based number and whether a
    /// newline ends it (only the last line may lack one); only a line that straddles two reads is copied.
    /// `body` returns false to stop.
    func forEachLine(
        _ body: (_ offset: Int, _ number: Int, _ line: UnsafeBufferPointer<UInt8>, _ terminated: Bool) throws -> Bool
    ) throws {
        var fileOffset = 0
        var number = 0
        var carry: [UInt8] = []
        var carryOffset = 0
        struct Stop: Error {}
        do {
            try forEachChunk { raw in
                let chunk = raw.bindMemory(to: UInt8.self)
                let base = chunk.baseAddress!
                let count = chunk.count
                var start = 0
                while start < count, let found = memchr(base + start, 0x0A, count - start) {
                    let end = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                    number += 1
                    let goOn: Bool
                    if carry.isEmpty {
                        goOn = try body(
                            fileOffset + start, number, UnsafeBufferPointer(start: base + start, count: end - start),
                            true)
                    } else {
                        carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
                        goOn = try carry.withUnsafeBufferPointer { try body(carryOffset, number, $0, true) }
                        carry.removeAll()
                    }
                    guard goOn else { throw Stop() }
                    start = end + 1
                }
                if start < count {
                    if carry.isEmpty { carryOffset = fileOffset + start }
                    carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: count - start))
                }
                fileOffset += count
            }
        } catch is Stop {
            return
        }
        if !carry.isEmpty {
            number += 1
            _ = try carry.withUnsafeBufferPointer { try body(carryOffset, number, $0, false) }
        }
    }
}

/// open(2) read-only (at file scope: inside `PlanFileStorage`, `open` names its own method).
private func openReadOnly(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }
