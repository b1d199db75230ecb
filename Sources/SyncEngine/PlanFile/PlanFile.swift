public import Foundation

/// The plan file (Docs/plan-format.md): JSON Lines, one format for `plan --out`, `plan --json`,
/// `show` and `apply`, written by `PlanFileWriter` and read by `PlanFileReader`.
///
///     {"created_at":"…","format_version":3,"inputs":{…},"tool":"fansly-stash 0.1.0"}   the header
///     {"change":{…}}                                                                      one per planned entity
///     {"unmatched":{…}}                                                                   one per file Stash lacks
///     {"end":{"changes":…,"checksum":{…},"summary":{…},"unmatched":…}}                    the trailer
///
/// The header holds what is known before the first change is decided, so that a plan can be
/// written as it is made; the counts, notices and the checksum of every line above it are known
/// only at the end and close the file. A missing trailer means a truncated file. `.gz` files are the
/// same lines compressed with gzip (recognised by their first bytes, whatever their name).
public enum PlanFile {
    /// The format this build writes and reads. Bump on any incompatible change (3: JSON Lines).
    static let formatVersion = 3

    /// Errors reading a saved plan.
    enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case notAPlan(path: String, reason: String)
        case unsupportedVersion(path: String, found: Int, supported: Int)
        /// A line differs from the one plan wrote (edited by hand?), or lines were added or removed.
        case changed(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): return "cannot read plan file \(path): \(reason)"
            case .notAPlan(let path, let reason): return "\(path) is not a fansly-stash plan: \(reason)"
            case .changed(let path, let reason):
                return "\(path) was changed after plan wrote it: \(reason). A plan is applied exactly as planned; "
                    + "run plan again (edit the rules, not the plan file)"
            case .unsupportedVersion(let path, let found, let supported):
                return found > supported
                    ? "\(path) has plan format_version \(found); this fansly-stash reads \(supported): upgrade fansly-stash or run plan again"
                    : "\(path) was made by an older fansly-stash (plan format_version \(found); this one reads \(supported)): run plan again"
            }
        }
    }

    /// Whether a plan saved to `path` is gzip-compressed: its name ends in `.gz`.
    static func compresses(_ path: String) -> Bool { path.lowercased().hasSuffix(".gz") }

    /// Writes `plan` to `path` atomically (gzip-compressed when the name ends in `.gz`).
    public static func write(_ plan: Plan, to path: String) throws {
        let writer = try PlanFileWriter(path: path, header: PlanHeader(plan))
        try writer.append(plan)
    }

    /// Streams `plan` (uncompressed) to `sink` in pieces of about 256 KB: `plan --json`, `show --json`.
    public static func write(_ plan: Plan, to sink: @escaping (Data) throws -> Void) throws {
        let writer = try PlanFileWriter(header: PlanHeader(plan), sink: sink)
        try writer.append(plan)
    }

    /// The uncompressed document of `plan`, in memory (for tests and small plans).
    public static func encode(_ plan: Plan) throws -> Data {
        final class Buffer { var data = Data() }
        let buffer = Buffer()
        try write(plan) { buffer.data.append($0) }
        return buffer.data
    }

    /// Removes the unfinished plan files being written beside their paths (a plan is saved under a
    /// temporary name and renamed into place): for a process about to end on a signal. Safe from
    /// any thread; the writers' later writes fail.
    public static func removeUnfinished() { UnfinishedPlanFiles.shared.removeAll() }

    /// Reads the whole plan saved at `path` (`show`; `apply` reads it in slices through `PlanFileReader`).
    public static func read(from path: String) throws -> Plan {
        try PlanFileReader.open(path: path).plan()
    }
}

extension PlanFileWriter {
    /// Appends every change and unmatched file of `plan` and finishes with its notices (the summary
    /// is counted from the lines, as for a plan written as it is made).
    fileprivate func append(_ plan: Plan) throws {
        for change in plan.changes { try append(change) }
        for item in plan.unmatched { try append(item) }
        try finish(notices: plan.notices)
    }
}

/// The first line of a plan file: what the plan was computed from, known before its first change.
struct PlanHeader: Sendable, Hashable, Codable {
    /// `PlanFile.formatVersion` for a plan this build writes.
    var formatVersion: Int
    /// When the plan was computed.
    var createdAt: Date
    /// `fansly-stash <version>` that wrote the plan.
    var tool: String
    /// What the plan was computed from, for the staleness check.
    var inputs: PlanInputs

    /// The header of a plan this build writes.
    init(createdAt: Date, tool: String, inputs: PlanInputs) {
        formatVersion = PlanFile.formatVersion; self.createdAt = createdAt; self.tool = tool; self.inputs = inputs
    }

    /// The header of `plan`.
    init(_ plan: Plan) { self.init(createdAt: plan.createdAt, tool: plan.tool, inputs: plan.inputs) }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", createdAt = "created_at", tool, inputs
    }
}

/// The last line of a plan file: counts, notices and the checksum of every line above it.
struct PlanTrailer: Sendable, Hashable, Codable {
    var changes: Int
    var unmatched: Int
    var summary: PlanSummary
    /// Left out when empty.
    var notices: [PlanNotice]?
    var checksum: PlanChecksum
}

extension PlanFile {
    /// `JSONEncoder` as the header and trailer are written: sorted keys, ISO 8601 dates, one line.
    static func lineEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func lineDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// `error` in a few words, with where in the line it is.
    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty
                ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)'\(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription)\(at(context.codingPath))"
        @unknown default: return "\(error)"
        }
    }
}
