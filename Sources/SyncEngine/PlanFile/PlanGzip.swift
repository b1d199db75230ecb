import CompressNIO
import Foundation
import NIOCore

/// gzip for `.gz` plan files, through compress-nio's zlib streams: bytes in, compressed pieces out,
/// never the whole file in memory.
final class GzipCompressor {
    private let zlib: ZlibCompressor
    private var output = ByteBufferAllocator().buffer(capacity: 256 * 1024)
    private var input = ByteBufferAllocator().buffer(capacity: 256 * 1024)

    /// zlib's level 1: a plan (JSON, highly repetitive) still shrinks about ninefold, at several
    /// times the speed of the default level 6, so that saving a large plan stays fast.
    init() throws {
        zlib = try ZlibCompressor(
            algorithm: .gzip, configuration: ZlibConfiguration(compressionLevel: .fastestCompression))
    }

    /// Compresses `bytes`, handing each full piece of output to `write`.
    func compress(_ bytes: UnsafeRawBufferPointer, write: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.clear()
        input.writeBytes(bytes)
        while input.readableBytes > 0 {
            output.clear()
            do {
                try zlib.deflate(from: &input, to: &output, flush: .no)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // The output is full; it is written below and deflate goes on with the rest.
            }
            if output.readableBytes > 0 { try output.withUnsafeReadableBytes { try write($0) } }
        }
    }

    /// Ends the stream (the rest of the compressed data and gzip's CRC and length).
    func finish(write: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.clear()
        while true {
            output.clear()
            do {
                try zlib.deflate(from: &input, to: &output, flush: .finish)
                if output.readableBytes > 0 { try output.withUnsafeReadableBytes { try write($0) } }
                return
            } catch let error as CompressNIOError where error == .bufferOverflow {
                if output.readableBytes > 0 { try output.withUnsafeReadableBytes { try write($0) } }
            }
        }
    }
}

/// The other way: gzip data in, plain bytes out, checking the stream ends where the data ends.
final class GzipDecompressor {
    /// Why the data is not a whole gzip stream.
    enum Failure: Error, CustomStringConvertible {
        case corrupt
        case truncated
        case trailingData

        var description: String {
            switch self {
            case .corrupt: return "the gzip data is corrupt"
            case .truncated: return "the gzip data ends early (a truncated file?)"
            case .trailingData: return "there is data after the end of the gzip stream"
            }
        }
    }

    private let zlib: ZlibDecompressor
    private var output = ByteBufferAllocator().buffer(capacity: 1 << 20)
    private var input = ByteBufferAllocator().buffer(capacity: 1 << 20)

    /// The first two bytes of any gzip stream.
    static let magic: [UInt8] = [0x1F, 0x8B]

    init() throws { zlib = try ZlibDecompressor(algorithm: .gzip) }

    /// Decompresses the next piece of the stream, handing the output to `write` piece by piece.
    func decompress(_ bytes: UnsafeRawBufferPointer, write: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.clear()
        input.writeBytes(bytes)
        try inflate(atEnd: false, write: write)
    }

    /// There is no more input: writes what zlib still holds and checks that the stream ended (its
    /// CRC and length were read and matched).
    func finish(write: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.clear()
        try inflate(atEnd: true, write: write)
    }

    private func inflate(atEnd: Bool, write: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            let before = input.readableBytes
            output.clear()
            var outputFull = false
            var needsInput = false
            do {
                try zlib.inflate(from: &input, to: &output)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                outputFull = true
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                // zlib's Z_BUF_ERROR with no input left: the stream goes on past what it was given.
                needsInput = true
            } catch let error as CompressNIOError where error == .corruptData {
                throw Failure.corrupt
            }
            let produced = output.readableBytes > 0
            if produced { try output.withUnsafeReadableBytes { try write($0) } }
            if outputFull { continue }
            if needsInput {
                if atEnd { throw Failure.truncated }
                return
            }
            // A normal return: all input taken (zlib may want more, or the stream ended), or the
            // stream ended with input left.
            if input.readableBytes == 0 {
                // At the end, call again until nothing comes out: zlib then says whether the stream
                // ended (a normal return) or wants more (above).
                if atEnd && produced { continue }
                return
            }
            if input.readableBytes == before && !produced { throw Failure.trailingData }
        }
    }
}
