import Dispatch
import Foundation

/// Carries the lines a `PlanSpool` merge puts in order to the consumers of the merged plan (the
/// plan file's writer, the report), each on a thread of its own, a chunk of about
/// `PlanSpool.chunkSize` bytes at a time: the merge reads and orders the runs while the writer
/// hashes and writes what was merged before and the report renders it.
///
/// Every consumer gets every chunk, in the order the lines were merged. At most `chunksInFlight`
/// chunks are held at once. A consumer's error stops the others at their next chunk and is
/// thrown by the next `append` or by `finish`.
final class MergedLineRelay: @unchecked Sendable {
    /// The part of the plan the lines belong to.
    enum Section { case changes, unmatched }

    /// Merged lines: the bytes of each followed by its newline, and the run each came from.
    final class Chunk: @unchecked Sendable {
        let section: Section
        fileprivate(set) var bytes: [UInt8] = []
        /// Where each line's newline is in `bytes`.
        fileprivate(set) var ends: [Int] = []
        fileprivate(set) var runs: [Int32] = []

        fileprivate init(section: Section) {
            self.section = section
            bytes.reserveCapacity(PlanSpool.chunkSize + 64 * 1024)
        }

        /// Calls `body` with each line (without its newline) and the run it came from, in order.
        func forEachLine(_ body: (_ run: Int, _ line: UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
            try bytes.withUnsafeBufferPointer { all in
                var start = 0
                for (index, end) in ends.enumerated() {
                    try body(Int(runs[index]), UnsafeBufferPointer(rebasing: all[start..<end]))
                    start = end + 1
                }
            }
        }
    }

    static let chunksInFlight = 3

    private let queues: [DispatchQueue]
    private let consumers: [(Chunk) throws -> Void]
    /// One permit per chunk and consumer that may be pending.
    private let room: DispatchSemaphore
    private let group = DispatchGroup()
    private let failure = FirstError()
    private var current: Chunk?

    /// A relay to `consumers`, each called on a serial queue of its own with every chunk in turn.
    init(label: String, consumers: [(Chunk) throws -> Void]) {
        self.consumers = consumers
        queues = consumers.indices.map { DispatchQueue(label: "\(label).\($0)") }
        room = DispatchSemaphore(value: Self.chunksInFlight * consumers.count)
    }

    /// Adds a merged line of `section` (without its newline) that came from `run`.
    func append(_ line: UnsafeBufferPointer<UInt8>, run: Int, section: Section) throws {
        if let chunk = current, chunk.section != section { try send() }
        let chunk = current ?? Chunk(section: section)
        current = chunk
        chunk.bytes.append(contentsOf: line)
        chunk.ends.append(chunk.bytes.count)
        chunk.bytes.append(UInt8(ascii: "\n"))
        chunk.runs.append(Int32(run))
        if chunk.bytes.count >= PlanSpool.chunkSize { try send() }
    }

    /// Hands the lines appended so far to the consumers, waits until each has taken every chunk,
    /// and throws the first error one of them threw.
    func finish() throws {
        try send()
        group.wait()
        try failure.check()
    }

    /// Waits for the consumers without throwing (after the merge failed).
    func abandon() {
        failure.record(CancellationError())
        group.wait()
    }

    private func send() throws {
        guard let chunk = current else { return }
        current = nil
        for index in queues.indices {
            room.wait()
            if let error = failure.value {
                room.signal()
                throw error
            }
            // The consumers are the relay's: each runs only on its own queue.
            queues[index].async(group: group) { [self] in
                defer { room.signal() }
                guard failure.value == nil else { return }
                do { try consumers[index](chunk) } catch { failure.record(error) }
            }
        }
    }
}
