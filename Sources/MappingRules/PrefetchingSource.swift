import FanslyMetadata
import Foundation

/// Reads a database ahead of the engine on other connections and threads, so that reading and
/// evaluating overlap on several cores.
///
/// The engine's input is unchanged: the records arrive in the order, and with the content, the
/// engine would read them itself (same queries, same paging), so the state is identical to a
/// sequential evaluation. Reader threads take the creators in turn (reader `r` of `n` reads
/// creators `r`, `r + n`, …), each on its own connection, walk the streams the engine reads per
/// creator (walls, posts, messages, then bundles) and queue their pages, a few pages ahead at most.
/// Whatever the queues cannot serve (a stream asked for out of order, or after a reader failed)
/// is read directly, as without prefetching. The loose media are always read directly: which
/// items are loose depends on what the engine saw before.
final class PrefetchingSource<Database: ReadAheadDatabase>: MetadataRecordSource, @unchecked Sendable {
    /// The streams of one creator, in the engine's reading order.
    enum Stream: Int, Sendable { case walls, posts, messages, bundles }

    /// One unit in a queue: a page of a stream, the end of a stream, or the reader's failure.
    private enum Item {
        case walls([Wall])
        case posts([Post])
        case messages([Message])
        case bundles([MediaBundle])
        case end
        /// The reader's read failed here; it stopped.
        case failed(any Error)
    }

    /// One reader's queue, in the order it reads.
    private struct Queue {
        var items: [(sequence: Int, item: Item)] = []
        var finished = false
        /// The sequence number the consumer reached in this queue; earlier streams are no longer served.
        var consumed = -1
    }

    private let database: Database
    private let creators: [Account]
    private let streams: [Stream]
    private let pageSize: Int
    /// Position of each creator in the schedule (its first appearance).
    private let order: [FanslyID: Int]
    private let readers: Int

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var queues: [Queue]
    private var cancelled = false
    /// Pages each reader queues ahead at most: bounds the memory held for the engine.
    private let capacity: Int
    /// Streams served from the queues and streams read directly (tests check the readers are used).
    private(set) var streamsServed = (queued: 0, direct: 0)

    /// - Parameters:
    ///   - creators: the creators the engine maps, in its order.
    ///   - includeBundles: whether the engine reads bundle pages (bundle galleries enabled).
    ///   - readers: reader threads (each with its own connection).
    init(
        database: Database, creators: [Account], includeBundles: Bool, pageSize: Int,
        capacity: Int = 4, readers: Int = 1
    ) {
        self.database = database
        self.creators = creators
        self.streams = includeBundles ? [.walls, .posts, .messages, .bundles] : [.walls, .posts, .messages]
        self.pageSize = pageSize
        self.capacity = max(1, capacity)
        var order: [FanslyID: Int] = [:]
        for (index, creator) in creators.enumerated() where order[creator.id] == nil { order[creator.id] = index }
        self.order = order
        self.readers = max(1, min(readers, creators.count))
        self.queues = Array(repeating: Queue(), count: self.readers)
    }

    private func sequence(_ creator: FanslyID, _ stream: Stream) -> (reader: Int, sequence: Int)? {
        guard let index = order[creator], let position = streams.firstIndex(of: stream) else { return nil }
        return (index % readers, index * streams.count + position)
    }

    // MARK: Reader threads

    /// Starts reading ahead; `finish()` must follow.
    func start() {
        for reader in 0..<readers {
            let thread = Thread { [self] in read(as: reader) }
            thread.name = "fansly-stash prefetch \(reader + 1)"
            thread.start()
        }
    }

    private func read(as reader: Int) {
        defer { markFinished(reader) }
        let connection: Database
        do {
            connection = try database.readAheadConnection()
        } catch {
            try? enqueue(reader, -1, .failed(error))
            return
        }
        for (index, creator) in creators.enumerated() where index % readers == reader && order[creator.id] == index {
            for stream in streams {
                guard let (_, sequence) = sequence(creator.id, stream) else { continue }
                do {
                    switch stream {
                    case .walls:
                        try enqueue(reader, sequence, .walls(connection.walls(creator: creator.id)))
                    case .posts:
                        try connection.forEachPostPage(creator: creator.id, pageSize: pageSize) {
                            try enqueue(reader, sequence, .posts($0))
                        }
                    case .messages:
                        try connection.forEachMessagePage(creator: creator.id, pageSize: pageSize) {
                            try enqueue(reader, sequence, .messages($0))
                        }
                    case .bundles:
                        try connection.forEachBundlePage(creator: creator.id, pageSize: pageSize) {
                            try enqueue(reader, sequence, .bundles($0))
                        }
                    }
                    try enqueue(reader, sequence, .end)
                } catch {
                    // Cancelled, or a read failed: the engine reads the rest itself (and meets the error there).
                    if !(error is CancellationError) { try? enqueue(reader, sequence, .failed(error)) }
                    return
                }
            }
        }
    }

    private func enqueue(_ reader: Int, _ sequence: Int, _ item: Item) throws {
        condition.lock()
        defer { condition.unlock() }
        // Stream ends and failures never wait for room: they carry no records.
        if Self.holdsRecords(item) {
            while !cancelled, queues[reader].items.count >= capacity { condition.wait() }
        }
        if cancelled { throw CancellationError() }
        queues[reader].items.append((sequence, item))
        condition.broadcast()
    }

    private static func holdsRecords(_ item: Item) -> Bool {
        switch item {
        case .end, .failed: return false
        default: return true
        }
    }

    private func markFinished(_ reader: Int) {
        condition.lock()
        queues[reader].finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the readers and waits for them to leave; queued pages are dropped.
    func finish() {
        condition.lock()
        cancelled = true
        for reader in queues.indices { queues[reader].items = [] }
        condition.broadcast()
        while !queues.allSatisfy(\.finished) { condition.wait() }
        condition.unlock()
    }

    // MARK: Consumer side

    /// The next item of stream `sequence` in `reader`'s queue (possibly the reader's failure),
    /// skipping earlier streams; nil when the queue cannot serve it (already passed, or the reader
    /// stopped before it).
    private func next(_ reader: Int, _ sequence: Int) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        guard sequence >= queues[reader].consumed else { return nil }
        queues[reader].consumed = sequence
        while true {
            while let (itemSequence, item) = queues[reader].items.first {
                if case .failed = item { return item }
                if itemSequence > sequence { return nil }
                // Removed at once: a consumed page must not stay referenced (the queue is a few items long).
                queues[reader].items.removeFirst()
                condition.broadcast()
                if itemSequence == sequence { return item }
            }
            if queues[reader].finished || cancelled { return nil }
            condition.wait()
        }
    }

    /// Serves stream `stream` of `creator` from the queue, or reads it with `direct` when the
    /// queue cannot (from the start: a stream is served whole by one or the other).
    private func serve(_ creator: FanslyID, _ stream: Stream, page: (Item) throws -> Bool, direct: () throws -> Void)
        throws
    {
        guard let (reader, sequence) = sequence(creator, stream), let first = next(reader, sequence) else {
            return try readDirectly(direct)
        }
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
            guard let following = next(reader, sequence) else { throw PrefetchError.incompleteStream }
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
        try serve(
            creator, .walls,
            page: { item in
                guard case .walls(let walls) = item else { return false }
                result = walls
                return true
            }, direct: { result = try database.walls(creator: creator) })
        return result ?? []
    }

    func forEachPostPage(creator: FanslyID, pageSize: Int, _ body: ([Post]) throws -> Void) throws {
        try serve(
            creator, .posts,
            page: { item in
                guard case .posts(let page) = item else { return false }
                try body(page)
                return true
            }, direct: { try database.forEachPostPage(creator: creator, pageSize: pageSize, body) })
    }

    func forEachMessagePage(creator: FanslyID, pageSize: Int, _ body: ([Message]) throws -> Void) throws {
        try serve(
            creator, .messages,
            page: { item in
                guard case .messages(let page) = item else { return false }
                try body(page)
                return true
            }, direct: { try database.forEachMessagePage(creator: creator, pageSize: pageSize, body) })
    }

    func forEachBundlePage(creator: FanslyID, pageSize: Int, _ body: ([MediaBundle]) throws -> Void) throws {
        try serve(
            creator, .bundles,
            page: { item in
                guard case .bundles(let page) = item else { return false }
                try body(page)
                return true
            }, direct: { try database.forEachBundlePage(creator: creator, pageSize: pageSize, body) })
    }

    func forEachMediaPage(creator: FanslyID, pageSize: Int, _ body: ([AccountMedia]) throws -> Void) throws {
        try database.forEachMediaPage(creator: creator, pageSize: pageSize, body)
    }

    func forEachMediaPage(
        creator: FanslyID, pageSize: Int, excluding excluded: Set<FanslyID>,
        _ body: ([AccountMedia]) throws -> Void
    ) throws {
        try database.forEachMediaPage(creator: creator, pageSize: pageSize, excluding: excluded, body)
    }

    var defaultDownloadRoot: String? { database.defaultDownloadRoot }
}

/// A database `PrefetchingSource` can read ahead in: its pages on another connection (generic, so
/// the SQLite reads stay statically dispatched).
protocol ReadAheadDatabase: MetadataRecordSource, SendableMetatype {
    /// Another connection to the same data, for a reader thread.
    func readAheadConnection() throws -> Self
}

extension MetadataDatabase: ReadAheadDatabase {
    func readAheadConnection() throws -> MetadataDatabase {
        try MetadataDatabase(path: path, downloadRoot: configuredDownloadRoot)
    }
}

extension PostgresMetadataDatabase: ReadAheadDatabase {
    /// A connection in the same snapshot: the reader sees exactly what the engine's connection sees.
    func readAheadConnection() throws -> PostgresMetadataDatabase { try reader() }
}
