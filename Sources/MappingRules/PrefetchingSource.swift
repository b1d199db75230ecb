import Foundation
import FanslyMetadata

/// Reads a database ahead of the engine on a second connection and thread, so that reading and
/// evaluating overlap on two cores.
///
/// The engine's input is unchanged: the records arrive in the order, and with the content, the
/// engine would read them itself (same queries, same paging), so the state is identical to a
/// sequential evaluation. A background thread walks the streams the engine reads per creator
/// (walls, posts, messages, then bundles) and queues their pages, a few pages ahead at most.
/// Whatever the queue cannot serve (a stream asked for out of order, or after the reader failed)
/// is read directly, as without prefetching. The loose media are always read directly: which
/// items are loose depends on what the engine saw before.
final class PrefetchingSource: MetadataRecordSource, @unchecked Sendable {
    /// The streams of one creator, in the engine's reading order.
    enum Stream: Int, Sendable { case walls, posts, messages, bundles }

    /// One unit in the queue: a page of a stream, the end of a stream, or the reader's failure.
    private enum Item {
        case walls([Wall])
        case posts([Post])
        case messages([Message])
        case bundles([FanslyMetadata.Bundle])
        case end
        /// The reader's read failed here; it stopped.
        case failed(any Error)
    }

    private let database: MetadataDatabase
    private let creators: [Account]
    private let streams: [Stream]
    private let pageSize: Int
    /// Position of each creator in the schedule.
    private let order: [FanslyID: Int]

    private let condition = NSCondition()
    /// (sequence number of the stream, item); guarded by `condition`.
    private var queue: [(sequence: Int, item: Item)] = []
    private var cancelled = false
    private var finished = false
    /// Pages queued ahead at most: bounds the memory held for the engine.
    private let capacity: Int
    /// The sequence number the consumer reached; earlier streams are no longer served.
    private var consumed = -1
    /// Streams served from the queue and streams read directly (tests check the reader is used).
    private(set) var streamsServed = (queued: 0, direct: 0)

    /// - Parameters:
    ///   - creators: the creators the engine maps, in its order.
    ///   - includeBundles: whether the engine reads bundle pages (bundle galleries enabled).
    init(database: MetadataDatabase, creators: [Account], includeBundles: Bool, pageSize: Int, capacity: Int = 4) {
        self.database = database
        self.creators = creators
        self.streams = includeBundles ? [.walls, .posts, .messages, .bundles] : [.walls, .posts, .messages]
        self.pageSize = pageSize
        self.capacity = max(1, capacity)
        var order: [FanslyID: Int] = [:]
        for (index, creator) in creators.enumerated() where order[creator.id] == nil { order[creator.id] = index }
        self.order = order
    }

    private func sequence(_ creator: FanslyID, _ stream: Stream) -> Int? {
        guard let index = order[creator], let position = streams.firstIndex(of: stream) else { return nil }
        return index * streams.count + position
    }

    // MARK: Reader thread

    /// Starts reading ahead on a second connection; `finish()` must follow.
    func start() {
        let thread = Thread { [self] in
            let reader: MetadataDatabase
            do {
                reader = try MetadataDatabase(path: database.path)
            } catch {
                try? enqueue(-1, .failed(error))
                markFinished()
                return
            }
            for creator in creators {
                for stream in streams {
                    guard let sequence = sequence(creator.id, stream) else { continue }
                    do {
                        switch stream {
                        case .walls:
                            try enqueue(sequence, .walls(reader.walls(creator: creator.id)))
                        case .posts:
                            try reader.forEachPostPage(creator: creator.id, pageSize: pageSize) { try enqueue(sequence, .posts($0)) }
                        case .messages:
                            try reader.forEachMessagePage(creator: creator.id, pageSize: pageSize) { try enqueue(sequence, .messages($0)) }
                        case .bundles:
                            try reader.forEachBundlePage(creator: creator.id, pageSize: pageSize) { try enqueue(sequence, .bundles($0)) }
                        }
                        try enqueue(sequence, .end)
                    } catch {
                        // Cancelled, or a read failed: the engine reads the rest itself (and meets the error there).
                        if !(error is CancellationError) { try? enqueue(sequence, .failed(error)) }
                        markFinished()
                        return
                    }
                }
            }
            markFinished()
        }
        thread.name = "fansly-stash prefetch"
        thread.start()
    }

    private func enqueue(_ sequence: Int, _ item: Item) throws {
        condition.lock()
        defer { condition.unlock() }
        // Stream ends and failures never wait for room: they carry no records.
        if Self.holdsRecords(item) {
            while !cancelled, queue.count >= capacity { condition.wait() }
        }
        if cancelled { throw CancellationError() }
        queue.append((sequence, item))
        condition.broadcast()
    }

    private static func holdsRecords(_ item: Item) -> Bool {
        switch item {
        case .end, .failed: return false
        default: return true
        }
    }

    private func markFinished() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the reader and waits for it to leave; queued pages are dropped.
    func finish() {
        condition.lock()
        cancelled = true
        queue = []
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    // MARK: Consumer side

    /// The next item of stream `sequence` (possibly the reader's failure), skipping earlier
    /// streams; nil when the queue cannot serve it (already passed, or the reader stopped before it).
    private func next(_ sequence: Int) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        guard sequence >= consumed else { return nil }
        consumed = sequence
        while true {
            while let (itemSequence, item) = queue.first {
                if case .failed = item { return item }
                if itemSequence > sequence { return nil }
                // Removed at once: a consumed page must not stay referenced (the queue is a few items long).
                queue.removeFirst()
                condition.broadcast()
                if itemSequence == sequence { return item }
            }
            if finished || cancelled { return nil }
            condition.wait()
        }
    }

    /// Serves stream `stream` of `creator` from the queue, or reads it with `direct` when the
    /// queue cannot (from the start: a stream is served whole by one or the other).
    private func serve(_ creator: FanslyID, _ stream: Stream, page: (Item) throws -> Bool, direct: () throws -> Void) throws {
        guard let sequence = sequence(creator, stream), let first = next(sequence) else { return try readDirectly(direct) }
        // A failure before the first page: the direct read meets (and reports) it, or succeeds.
        if case .failed = first { return try readDirectly(direct) }
        count { $0.queued += 1 }
        var item = first
        while true {
            switch item {
            case .end:
                return
            case .failed(let error):
                // Pages already delivered cannot be read again without repeating them: the reader's
                // error is the one a sequential read would have met at this page.
                throw error
            default:
                guard try page(item) else { return try readDirectly(direct) }
            }
            // Once a stream has begun, the reader always ends it with an end or failure marker.
            guard let following = next(sequence) else { throw PrefetchError.incompleteStream }
            item = following
        }
    }

    private func readDirectly(_ direct: () throws -> Void) throws {
        count { $0.direct += 1 }
        try direct()
    }

    private func count(_ update: (inout (queued: Int, direct: Int)) -> Void) {
        condition.lock()
        update(&streamsServed)
        condition.unlock()
    }

    /// A stream the reader began but left without its end marker (a bug, reported rather than
    /// silently truncating the records).
    enum PrefetchError: Error { case incompleteStream }

    // MARK: MetadataRecordSource

    func creatorAccounts() throws -> [Account] { creators }

    func accounts(ids: [FanslyID]) throws -> [FanslyID: Account] { try database.accounts(ids: ids) }

    func walls(creator: FanslyID) throws -> [Wall] {
        var result: [Wall]?
        try serve(creator, .walls, page: { item in
            guard case .walls(let walls) = item else { return false }
            result = walls
            return true
        }, direct: { result = try database.walls(creator: creator) })
        return result ?? []
    }

    func forEachPostPage(creator: FanslyID, pageSize: Int, _ body: ([Post]) throws -> Void) throws {
        try serve(creator, .posts, page: { item in
            guard case .posts(let page) = item else { return false }
            try body(page)
            return true
        }, direct: { try database.forEachPostPage(creator: creator, pageSize: pageSize, body) })
    }

    func forEachMessagePage(creator: FanslyID, pageSize: Int, _ body: ([Message]) throws -> Void) throws {
        try serve(creator, .messages, page: { item in
            guard case .messages(let page) = item else { return false }
            try body(page)
            return true
        }, direct: { try database.forEachMessagePage(creator: creator, pageSize: pageSize, body) })
    }

    func forEachBundlePage(creator: FanslyID, pageSize: Int, _ body: ([FanslyMetadata.Bundle]) throws -> Void) throws {
        try serve(creator, .bundles, page: { item in
            guard case .bundles(let page) = item else { return false }
            try body(page)
            return true
        }, direct: { try database.forEachBundlePage(creator: creator, pageSize: pageSize, body) })
    }

    func forEachMediaPage(creator: FanslyID, pageSize: Int, _ body: ([AccountMedia]) throws -> Void) throws {
        try database.forEachMediaPage(creator: creator, pageSize: pageSize, body)
    }

    func forEachMediaPage(creator: FanslyID, pageSize: Int, excluding excluded: Set<FanslyID>,
                          _ body: ([AccountMedia]) throws -> Void) throws {
        try database.forEachMediaPage(creator: creator, pageSize: pageSize, excluding: excluded, body)
    }

    var defaultDownloadRoot: String? { database.defaultDownloadRoot }
}
