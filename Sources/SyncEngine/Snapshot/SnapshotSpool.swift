import FanslyMetadata
import Foundation
import MappingRules

/// The scenes and images of a large Stash snapshot, written to a temporary file as their pages
/// arrive and read back by offset when a part of the plan needs them, so that memory holds what
/// matching looks up (ids, media ids, URLs, codes: `SpooledObject`) rather than every object.
///
/// The file has no name (`PlanFileStorage.temporary()`): it disappears with the process, however
/// that ends. Objects are written by the folder reads, several at once, and read once the reads
/// are over; both go by offset (`pwrite`, `pread`), so only the end of the file is guarded.
/// Written and read by the same run, in `SpoolEncoder`'s binary form, one object a record.
final class SnapshotSpool: @unchecked Sendable {
    private let file: PlanFileStorage
    private let lock = NSLock()
    private var end = 0
    /// The first read that failed where no error could be thrown (`StashSnapshot.object(_:id:)`).
    private let failedRead = FirstError()

    /// Where one object's record lies in the file.
    struct Location: Sendable, Hashable {
        var offset: Int
        var length: Int
    }

    init() throws { file = try PlanFileStorage.temporary() }

    /// Writes `objects` (one page of a find) in one write, and returns what the snapshot keeps of each.
    func append(_ objects: [StashObject]) throws -> [SpooledObject] {
        var bytes: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(objects.count)
        for object in objects {
            let start = bytes.count
            Self.encode(object, into: &bytes)
            lengths.append(bytes.count - start)
        }
        let offset = lock.withLock {
            defer { end += bytes.count }
            return end
        }
        try bytes.withUnsafeBytes { try file.write($0, at: offset) }
        var spooled: [SpooledObject] = []
        spooled.reserveCapacity(objects.count)
        var next = offset
        for (object, length) in zip(objects, lengths) {
            spooled.append(SpooledObject(object, at: Location(offset: next, length: length)))
            next += length
        }
        return spooled
    }

    /// The objects at `locations`, read in file order, contiguous records in one read.
    func objects(at locations: [Location], kind: EntityKind) throws -> [StashObject] {
        let sorted = locations.sorted { $0.offset < $1.offset }
        var result: [StashObject] = []
        result.reserveCapacity(sorted.count)
        var start = 0
        // Runs of records that follow each other, up to 1 MB a read.
        while start < sorted.count {
            var stop = start + 1
            while stop < sorted.count, sorted[stop].offset == sorted[stop - 1].offset + sorted[stop - 1].length,
                sorted[stop].offset + sorted[stop].length - sorted[start].offset <= 1 << 20
            {
                stop += 1
            }
            let base = sorted[start].offset
            let length = sorted[stop - 1].offset + sorted[stop - 1].length - base
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 8)
            defer { buffer.deallocate() }
            do {
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]), at: base)
            } catch {
                throw SnapshotSpoolError.unreadable(reason: "\(error)")
            }
            for location in sorted[start..<stop] {
                let record = UnsafeRawBufferPointer(
                    rebasing: buffer[(location.offset - base)..<(location.offset - base + location.length)])
                result.append(try Self.decoded(record, kind: kind))
            }
            start = stop
        }
        return result
    }

    /// The object at `location`; nil, remembered for `checkReads()`, when it cannot be read.
    func object(at location: Location, kind: EntityKind) -> StashObject? {
        do { return try objects(at: [location], kind: kind).first } catch {
            remember(error)
            return nil
        }
    }

    /// Keeps `error` for `checkReads()` (the first one only).
    func remember(_ error: any Error) { failedRead.record(error) }

    /// Throws the first failed read of `object(at:kind:)`: a plan that missed an object is no plan.
    func checkReads() throws { try failedRead.check() }

    /// Appends `object`'s record to `bytes`.
    static func encode(_ object: StashObject, into bytes: inout [UInt8]) {
        // A fresh encoder each time: a record is read alone, so nothing may be interned across records.
        var encoder = SpoolEncoder(capacity: 256)
        encoder.string(object.id)
        encoder.byte(object.organized ? 1 : 0)
        encoder.unsigned(UInt64(object.paths.count))
        for path in object.paths { encoder.string(path) }
        encoder.unsigned(UInt64(object.fields.count))
        for field in object.fields {
            encoder.string(field.name)
            encoder.value(field.value)
        }
        bytes += encoder.bytes
    }

    /// The object `record` holds; `SnapshotSpoolError.corrupt` when it does not read as one.
    static func decoded(_ record: UnsafeRawBufferPointer, kind: EntityKind) throws -> StashObject {
        // The decoder's own error speaks of the evaluation's spool: this is the snapshot's.
        do { return try decodedRecord(record, kind: kind) } catch { throw SnapshotSpoolError.corrupt }
    }

    private static func decodedRecord(_ record: UnsafeRawBufferPointer, kind: EntityKind) throws -> StashObject {
        var decoder = SpoolDecoder(record, strings: SpoolDecoder.Strings())
        let id = try decoder.string()
        let organized = try decoder.byte() != 0
        var paths: [String] = []
        let pathCount = try decoder.count()
        paths.reserveCapacity(pathCount)
        for _ in 0..<pathCount { paths.append(try decoder.string()) }
        let fieldCount = try decoder.count()
        var pairs: [(String, FieldValue)] = []
        pairs.reserveCapacity(fieldCount)
        for _ in 0..<fieldCount { pairs.append((try decoder.string(), try decoder.value())) }
        guard decoder.isAtEnd else { throw SnapshotSpoolError.corrupt }
        return StashObject(kind: kind, id: id, fields: StashFields(pairs: pairs), organized: organized, paths: paths)
    }
}

/// Why the snapshot's spool could not give an object back.
enum SnapshotSpoolError: Error, CustomStringConvertible {
    /// A record does not read back as it was written.
    case corrupt
    /// The file could not be read (`reason`: the system's error).
    case unreadable(reason: String)

    var description: String {
        switch self {
        case .corrupt: return "the temporary file of Stash's objects does not read back as written"
        case .unreadable(let reason): return "the temporary file of Stash's objects could not be read back: \(reason)"
        }
    }
}

/// What a snapshot keeps of a spooled object: where it is, and the values matching looks it up by
/// (`StashSnapshot.insert(_:)` indexes the same).
struct SpooledObject: Sendable {
    var id: String
    var location: SnapshotSpool.Location
    /// The fields the snapshot indexes or reads across objects (names, aliases, URLs, code, an
    /// image's galleries); nil when the object has none of them (a freshly scanned file).
    var keyFields: StashFields?
    /// The media id in the first file name that has one (nearly every object has one file).
    var firstMediaId: FanslyID?
    /// The media ids in the other file names, in path order.
    var otherMediaIds: [FanslyID] = []

    /// Every media id in the object's file names, in path order.
    var mediaIds: [FanslyID] { (firstMediaId.map { [$0] } ?? []) + otherMediaIds }

    /// The field names `keyFields` keeps.
    static let keyFieldNames: Set<String> = ["name", "aliases", "alias_list", "urls", "code", "gallery_ids"]

    init(_ object: StashObject, at location: SnapshotSpool.Location) {
        id = object.id
        self.location = location
        let kept = object.fields.filter { Self.keyFieldNames.contains($0.name) }
        keyFields = kept.isEmpty ? nil : StashFields(pairs: kept.map { ($0.name, $0.value) })
        for path in object.paths {
            guard let mediaId = MediaFileName.token(inPath: path)?.mediaId else { continue }
            if firstMediaId == nil { firstMediaId = mediaId } else { otherMediaIds.append(mediaId) }
        }
    }
}
