import Crypto
public import Foundation
import FanslyMetadata

/// Reading and writing plan documents (JSON, `format_version`); the staleness check is in PlanStaleness.swift.
public enum PlanFile {
    /// Errors reading a saved plan.
    public enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case notAPlan(path: String, reason: String)
        case unsupportedVersion(path: String, found: Int, supported: Int)
        /// The changes do not match the checksum the plan was written with (edited by hand?).
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
                    ? "\(path) has plan format_version \(found); this fansly-stash reads up to \(supported): upgrade fansly-stash or re-run plan"
                    : "\(path) has plan format_version \(found), which this fansly-stash no longer reads: re-run plan"
            }
        }
    }

    /// The JSON document: keys sorted, dates in ISO 8601 (UTC), one change or unmatched file per
    /// line (easy to grep and diff, and written as a stream: a plan of 100,000 entities never
    /// exists twice in memory).
    public static func encode(_ plan: Plan) throws -> Data {
        var data = Data()
        try write(plan) { data.append($0) }
        return data
    }

    /// Streams the document to `sink` in pieces of about 256 KB (`PlanJSONWriter`).
    public static func write(_ plan: Plan, to sink: (Data) throws -> Void) throws {
        try withoutActuallyEscaping(sink) { sink in
            var writer = PlanJSONWriter(sink: sink)
            try writer.write(plan)
        }
    }

    /// The same document through `JSONEncoder`, entity by entity: the reference `PlanJSONWriter` is
    /// tested against (byte for byte).
    static func foundationEncode(_ plan: Plan) throws -> Data {
        var data = Data()
        try foundationWrite(plan) { data.append($0) }
        return data
    }

    private static func foundationWrite(_ plan: Plan, to sink: (Data) throws -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var buffer = Data()
        buffer.reserveCapacity(1 << 20)
        func flushIfLarge() throws {
            if buffer.count >= 1 << 20 { try sink(buffer); buffer.removeAll(keepingCapacity: true) }
        }
        func list<T: Encodable>(_ key: String, _ items: [T]) throws {
            buffer.append(contentsOf: Array("\"\(key)\": [".utf8))
            for (index, item) in items.enumerated() {
                buffer.append(contentsOf: Array((index == 0 ? "\n  " : ",\n  ").utf8))
                buffer.append(try encoder.encode(item))
                try flushIfLarge()
            }
            buffer.append(contentsOf: Array((items.isEmpty ? "],\n" : "\n],\n").utf8))
        }
        func value<T: Encodable>(_ key: String, _ item: T, last: Bool = false) throws {
            buffer.append(contentsOf: Array("\"\(key)\": ".utf8))
            buffer.append(try encoder.encode(item))
            buffer.append(contentsOf: Array((last ? "\n" : ",\n").utf8))
        }
        // Keys in sorted order, as the encoder would write them.
        buffer.append(contentsOf: Array("{\n".utf8))
        try list("changes", plan.changes)
        try value("changes_checksum", PlanChecksum.of(plan.changes))
        try value("created_at", plan.createdAt)
        try value("format_version", plan.formatVersion)
        try value("inputs", plan.inputs)
        if !plan.notices.isEmpty { try value("notices", plan.notices) }
        try value("summary", plan.summary)
        try value("tool", plan.tool)
        buffer.append(contentsOf: Array("\"unmatched\": [".utf8))
        for (index, item) in plan.unmatched.enumerated() {
            buffer.append(contentsOf: Array((index == 0 ? "\n  " : ",\n  ").utf8))
            buffer.append(try encoder.encode(item))
            try flushIfLarge()
        }
        buffer.append(contentsOf: Array((plan.unmatched.isEmpty ? "]\n}\n" : "\n]\n}\n").utf8))
        try sink(buffer)
    }

    /// Parses a plan document, checking its format version first.
    public static func decode(_ data: Data, path: String = "plan") throws -> Plan {
        struct Header: Decodable { var format_version: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw ReadError.notAPlan(path: path, reason: "not a JSON object")
        }
        try checkVersion(header.format_version, path: path)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        struct Checksum: Decodable { var changes_checksum: PlanChecksum? }
        let plan: Plan, checksum: PlanChecksum?
        do {
            plan = try decoder.decode(Plan.self, from: data)
            checksum = try decoder.decode(Checksum.self, from: data).changes_checksum
        } catch let error as DecodingError {
            throw ReadError.notAPlan(path: path, reason: describe(error))
        }
        // A plan in another layout (reformatted by a tool) is checked by its changes' canonical bytes.
        try verify(PlanChecksum.of(plan.changes), against: checksum, lineNumbers: [], path: path)
        return plan
    }

    /// Refuses changes whose checksum is not the one in the header, or a header without one.
    static func verify(_ found: PlanChecksum, against expected: PlanChecksum?, lineNumbers: [Int], path: String) throws {
        guard let expected else { throw ReadError.notAPlan(path: path, reason: "missing 'changes_checksum' at top level") }
        if let reason = expected.mismatch(found, lineNumbers: lineNumbers) { throw ReadError.changed(path: path, reason: reason) }
    }

    /// Refuses a document without a `format_version`, or with one this version does not read.
    static func checkVersion(_ version: Int?, path: String) throws {
        guard let version else { throw ReadError.notAPlan(path: path, reason: "no format_version") }
        guard version == Plan.currentFormatVersion else {
            throw ReadError.unsupportedVersion(path: path, found: version, supported: Plan.currentFormatVersion)
        }
    }

    /// Writes `plan` to `path` atomically (a crash never leaves half a plan): streamed into a
    /// temporary file beside it, then renamed.
    public static func write(_ plan: Plan, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try write(plan) { try handle.write(contentsOf: $0) }
            try handle.synchronize()
            // rename(2) replaces an existing plan atomically (FileManager.replaceItemAt fails on Linux
            // when the destination exists: "The file doesn't exist").
            guard rename(temporary.path, url.path) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Reads the plan saved at `path` (line by line: see `SavedPlan`).
    public static func read(from path: String) throws -> Plan {
        try SavedPlan.open(path: path).plan()
    }

    /// `error` in a few words, with where in the document it is (`root` names the empty path; nil: say nothing).
    static func describe(_ error: DecodingError, root: String? = "top level") -> String {
        func at(_ path: [CodingKey]) -> String {
            guard !path.isEmpty else { return root.map { " at \($0)" } ?? "" }
            return " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)'\(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription)\(at(context.codingPath))"
        @unknown default: return "\(error)"
        }
    }
}

/// The rules' fingerprint written into plans: SHA-256 of the rule set's canonical form.
public enum RulesHash {
    /// `sha256:<hex>` of `canonicalData`.
    public static func of(canonicalData: Data) -> String {
        "sha256:" + SHA256.hash(data: canonicalData).map { String(format: "%02x", $0) }.joined()
    }
}
