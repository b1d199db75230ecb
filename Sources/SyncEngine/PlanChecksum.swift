import Crypto
import Foundation

/// The checksum of a plan's changes, written in the header as `changes_checksum` so that `apply`
/// refuses a plan whose changes were edited (a studio renamed by hand, a line deleted) and names
/// the first line that differs.
///
/// Each change line (the JSON object exactly as written, without indentation or comma) is hashed
/// with SHA-256. `sha256` is the SHA-256 of those digests in order; `lines` keeps the first
/// `prefixBytes` bytes of every digest (base64), which is what lets a mismatch be traced to a line:
/// 6 bytes per change, under 1 % of a plan's size.
public struct PlanChecksum: Sendable, Hashable, Codable {
    /// Hex SHA-256 over the per-change digests.
    public var sha256: String
    /// Base64 of the first `prefixBytes` bytes of each change's digest, in plan order.
    public var lines: String

    /// Bytes of each change's digest kept in `lines`.
    static let prefixBytes = 6

    /// Accumulates the checksum change by change.
    struct Builder {
        private var whole = SHA256()
        private var prefixes: [UInt8] = []
        private(set) var count = 0

        /// Adds one change line (its JSON object's bytes).
        mutating func add<Bytes: DataProtocol>(_ line: Bytes) {
            let digest = SHA256.hash(data: line)
            digest.withUnsafeBytes { bytes in
                whole.update(bufferPointer: bytes)
                prefixes.append(contentsOf: bytes.prefix(PlanChecksum.prefixBytes))
            }
            count += 1
        }

        /// The checksum of the changes added.
        func finish() -> PlanChecksum {
            let digest = whole.finalize()
            return PlanChecksum(sha256: digest.map { String(format: "%02x", $0) }.joined(),
                                lines: Data(prefixes).base64EncodedString())
        }
    }

    /// The checksum of `changes` as `PlanJSONWriter` writes them.
    static func of(_ changes: [PlannedChange]) -> PlanChecksum {
        var builder = Builder()
        var writer = PlanJSONWriter(sink: { _ in })
        for change in changes { builder.add(writer.encoded(change)) }
        return builder.finish()
    }

    /// Why `found` (computed from the file's changes, at `lineNumbers`: empty for a plan read whole)
    /// does not match `self`, naming the first change that differs; nil when they match.
    func mismatch(_ found: PlanChecksum, lineNumbers: [Int]) -> String? {
        guard found != self else { return nil }
        let expected = Data(base64Encoded: lines) ?? Data()
        let actual = Data(base64Encoded: found.lines) ?? Data()
        let size = Self.prefixBytes
        let expectedCount = expected.count / size, actualCount = actual.count / size
        func position(_ index: Int) -> String {
            index < lineNumbers.count ? "line \(lineNumbers[index]) (change \(index + 1))" : "change \(index + 1)"
        }
        for index in 0..<min(expectedCount, actualCount)
        where expected[expected.startIndex + index * size ..< expected.startIndex + (index + 1) * size]
            != actual[actual.startIndex + index * size ..< actual.startIndex + (index + 1) * size] {
            return "\(position(index)) is not the change the plan was written with"
        }
        if actualCount < expectedCount {
            return "change \(actualCount + 1) of \(expectedCount) is missing"
        }
        if actualCount > expectedCount {
            return "\(position(expectedCount)) was added: the plan was written with \(expectedCount) changes"
        }
        return "the changes differ from the ones the plan was written with"
    }
}
