import Crypto
import Foundation

/// The checksum of a plan file's lines, written in its trailer so that `apply` refuses a plan that
/// was edited (a studio renamed by hand, a line deleted) and names the first line that differs.
///
/// Each line above the trailer (the header, every change and unmatched file: its bytes without the
/// newline) is hashed with SHA-256. `sha256` is the SHA-256 of those digests in order; `lines` keeps
/// the first `prefixBytes` bytes of every digest (base64), which is what lets a mismatch be traced
/// to a line: 8 bytes of base64 per line, under 1 % of a plan's size.
struct PlanChecksum: Sendable, Hashable, Codable {
    /// Hex SHA-256 over the per-line digests.
    var sha256: String
    /// Base64 of the first `prefixBytes` bytes of each line's digest, in file order.
    var lines: String

    /// Bytes of each line's digest kept in `lines`.
    static let prefixBytes = 6

    /// Accumulates the checksum line by line.
    struct Builder {
        private var whole = SHA256()
        private var prefixes: [UInt8] = []
        private(set) var count = 0

        /// Adds one line (its bytes, without the newline).
        mutating func add<Bytes: DataProtocol>(_ line: Bytes) {
            let digest = SHA256.hash(data: line)
            digest.withUnsafeBytes { bytes in
                whole.update(bufferPointer: bytes)
                prefixes.append(contentsOf: bytes.prefix(PlanChecksum.prefixBytes))
            }
            count += 1
        }

        /// The checksum of the lines added.
        func finish() -> PlanChecksum {
            let digest = whole.finalize()
            return PlanChecksum(
                sha256: digest.map { String(format: "%02x", $0) }.joined(),
                lines: Data(prefixes).base64EncodedString())
        }
    }

    /// Why `found` (computed from the file's lines) does not match `self`, naming the first line
    /// that differs; nil when they match.
    func mismatch(_ found: PlanChecksum) -> String? {
        guard found != self else { return nil }
        let expected = Data(base64Encoded: lines) ?? Data()
        let actual = Data(base64Encoded: found.lines) ?? Data()
        let size = Self.prefixBytes
        let expectedCount = expected.count / size
        let actualCount = actual.count / size
        for index in 0..<min(expectedCount, actualCount)
        where expected[expected.startIndex + index * size..<expected.startIndex + (index + 1) * size]
            != actual[actual.startIndex + index * size..<actual.startIndex + (index + 1) * size]
        {
            return "line \(index + 1) is not the line plan wrote"
        }
        if actualCount < expectedCount {
            return "line \(actualCount + 1) of \(expectedCount) is missing"
        }
        if actualCount > expectedCount {
            return "line \(expectedCount + 1) was added: plan wrote \(expectedCount) lines before the end line"
        }
        return "the lines differ from the ones plan wrote"
    }
}
