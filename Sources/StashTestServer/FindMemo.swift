import Foundation
import GraphQL

/// What the server remembers about its finds while its state is unchanged: the ordered ids a
/// (kind, filter, sort) matched, and an index of each kind's paths. A client pages through a large
/// library with the same filter (the plan reads every creator folder, page after page), and running
/// the filter again over every object for each page made a 600,000-media plan cost the server about
/// a minute of CPU.
///
/// Everything is tied to the state's version (`StashTestServer` counts every `modify` and
/// mutation): a find against a newer state drops all of it, so an answer never comes from a state
/// other than the one the find reads.
final class FindMemo: @unchecked Sendable {
    /// One find's identity: the same key on the same state version answers the same ids.
    struct Key: Hashable {
        let kind: String
        let filter: Map
        let sort: String?
        let descending: Bool
    }

    /// Results kept at most, and ids over all of them (a few megabytes at 600,000 images).
    static let maxResults = 32
    static let maxIds = 4_000_000

    private let lock = NSLock()
    private var version = 0
    private var results: [Key: [Int]] = [:]
    /// Keys in the order they were remembered, the oldest dropped first.
    private var order: [Key] = []
    private var idCount = 0
    private var pathIndexes: [String: PathIndex] = [:]
    private var _hits = 0

    /// Finds answered from a remembered result since the last `resetHits()`.
    var hits: Int { lock.lock(); defer { lock.unlock() }; return _hits }

    func resetHits() { lock.lock(); _hits = 0; lock.unlock() }

    /// Drops everything remembered, as a change of state does.
    func forgetAll() {
        lock.lock(); defer { lock.unlock() }
        results = [:]; order = []; idCount = 0; pathIndexes = [:]
    }

    /// The ids `key` matched on state `version`, in answer order, if remembered.
    func ids(_ key: Key, version: Int) -> [Int]? {
        lock.lock(); defer { lock.unlock() }
        guard current(version), let ids = results[key] else { return nil }
        _hits += 1
        return ids
    }

    /// Remembers what `key` matched on state `version`.
    func remember(_ ids: [Int], for key: Key, version: Int) {
        lock.lock(); defer { lock.unlock() }
        guard current(version), results[key] == nil, ids.count <= Self.maxIds else { return }
        while !order.isEmpty && (order.count >= Self.maxResults || idCount + ids.count > Self.maxIds) {
            idCount -= results.removeValue(forKey: order.removeFirst())?.count ?? 0
        }
        results[key] = ids
        order.append(key)
        idCount += ids.count
    }

    /// The path index of `kind` on state `version`, built by `build` the first time it is asked for.
    func pathIndex(_ kind: String, version: Int, build: () -> PathIndex) -> PathIndex {
        lock.lock()
        if current(version), let index = pathIndexes[kind] {
            lock.unlock()
            return index
        }
        lock.unlock()
        // Built outside the lock: finds of other kinds go on meanwhile.
        let index = build()
        lock.lock(); defer { lock.unlock() }
        if current(version) { pathIndexes[kind] = index }
        return index
    }

    /// True when `version` is the memo's; a newer version drops everything remembered. (Called
    /// under the lock.)
    private func current(_ version: Int) -> Bool {
        if version > self.version {
            self.version = version
            results = [:]; order = []; idCount = 0; pathIndexes = [:]
        }
        return version == self.version
    }
}

/// Every path of one kind of object, lower-cased as `LikePattern` compares them, in one byte buffer
/// searched for a literal piece of a `LIKE` pattern: the objects whose path contains it are the
/// only ones the pattern can match, found at the speed of `memchr` instead of one pattern match per
/// object.
struct PathIndex: Sendable {
    /// The objects' ids, ascending.
    private let ids: [Int]
    /// Where each path starts in `text`; one more entry than `ids`, each path followed by a 0 byte.
    private let starts: [Int]
    private let text: [UInt8]
    /// How often each byte occurs in `text`: the rarest byte of a needle is the one looked for.
    private let frequencies: [Int]

    /// The index of `paths` (id, path; a nil path is SQL NULL and contains nothing).
    init(paths: [(id: Int, path: String?)]) {
        let sorted = paths.sorted { $0.id < $1.id }
        var ids: [Int] = []
        var starts: [Int] = []
        var text: [UInt8] = []
        ids.reserveCapacity(sorted.count)
        starts.reserveCapacity(sorted.count + 1)
        for (id, path) in sorted {
            ids.append(id)
            starts.append(text.count)
            if let path { text.append(contentsOf: LikePattern.lowered(path)) }
            text.append(0)
        }
        starts.append(text.count)
        var frequencies = [Int](repeating: 0, count: 256)
        for byte in text { frequencies[Int(byte)] += 1 }
        self.ids = ids; self.starts = starts; self.text = text; self.frequencies = frequencies
    }

    /// The ids whose lower-cased path contains `needle` (lower-cased UTF-8 without 0 bytes), ascending.
    func ids(containing needle: [UInt8]) -> [Int] {
        guard !needle.isEmpty, !needle.contains(0) else { return ids }
        let anchor = needle.indices.min { frequencies[Int(needle[$0])] < frequencies[Int(needle[$1])] }!
        var found: [Int] = []
        text.withUnsafeBytes { text in
            needle.withUnsafeBytes { needleBytes in
                guard let base = text.baseAddress, let needleBase = needleBytes.baseAddress else { return }
                var entry = 0
                var from = anchor
                while from < text.count {
                    guard let hit = memchr(base + from, Int32(needle[anchor]), text.count - from) else { break }
                    let start = base.distance(to: UnsafeRawPointer(hit)) - anchor
                    from = start + anchor + 1
                    guard start + needle.count <= text.count, memcmp(base + start, needleBase, needle.count) == 0
                    else { continue }
                    // The path the match starts in (a match never spans two: the needle has no 0 byte).
                    entry = lastStart(atOrBefore: start, from: entry)
                    found.append(ids[entry])
                    from = starts[entry + 1] + anchor
                }
            }
        }
        return found
    }

    /// The last path starting at or before `offset`, searching forwards from path `entry`.
    private func lastStart(atOrBefore offset: Int, from entry: Int) -> Int {
        var low = entry
        var high = ids.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
