import Foundation

/// One section of a report, written as its entries are met and read back once, in order, when the
/// report is put together: held in memory up to `limit` bytes, then moved to a temporary file
/// without a name (`PlanFileStorage.temporary()`), so that a section of a large plan (every
/// change of 600,000 media) costs no memory.
final class ReportSpool {
    /// Bytes kept in memory before they go to the file.
    static let defaultLimit = 1 << 20

    private let limit: Int
    /// What is not in the file yet.
    private(set) var text = ""
    private var file: PlanFileStorage?
    private var written = 0

    init(limit: Int = ReportSpool.defaultLimit) { self.limit = limit }

    var isEmpty: Bool { written == 0 && text.isEmpty }

    /// Lets `render` append to the section; throws when the temporary file cannot be written.
    func append(_ render: (inout String) -> Void) throws {
        render(&text)
        if text.utf8.count >= limit { try spill() }
    }

    /// Forgets everything written.
    func removeAll() {
        text = ""
        file = nil
        written = 0
    }

    private func spill() throws {
        if file == nil { file = try PlanFileStorage.temporary() }
        var bytes = text
        try bytes.withUTF8 { try file!.write(UnsafeRawBufferPointer($0), at: written) }
        written += text.utf8.count
        text.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the section in order, in pieces of whole lines of about `pieceSize`
    /// bytes (a piece never splits a character).
    func forEachPiece(pieceSize: Int = 1 << 16, _ body: (String) -> Void) throws {
        if let file, written > 0 {
            var carry: [UInt8] = []
            var offset = 0
            var buffer = [UInt8](repeating: 0, count: pieceSize)
            while offset < written {
                let count = min(pieceSize, written - offset)
                try buffer.withUnsafeMutableBytes {
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count]), at: offset)
                }
                offset += count
                carry.append(contentsOf: buffer[0..<count])
                // The section is whole lines: a piece ends at a newline, so it is whole characters.
                guard let end = offset == written ? carry.count - 1 : carry.lastIndex(of: UInt8(ascii: "\n")) else {
                    continue
                }
                body(String(decoding: carry[...end], as: UTF8.self))
                carry.removeSubrange(...end)
            }
        }
        guard text.utf8.count > pieceSize else {
            if !text.isEmpty { body(text) }
            return
        }
        // Pieces of the text in memory too: at a newline once `pieceSize` bytes are reached.
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = bytes.startIndex
        var length = 0
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            length += 1
            if byte == UInt8(ascii: "\n") && length >= pieceSize {
                body(String(decoding: bytes[start..<index], as: UTF8.self))
                start = index
                length = 0
            }
        }
        if start != bytes.endIndex { body(String(decoding: bytes[start...], as: UTF8.self)) }
    }
}
