import Foundation

/// `stripHashtags` and `stripMentions`, which every default title runs (through `item.caption`).
///
/// The meaning is the regular expressions': the matches of `#+\w+` or `@[\w.]+` removed, then
/// `[ \t]+` before `!?.,;:…` removed, then white space collapsed. On Linux, Foundation runs each
/// expression on a bridged copy of the text, which made the default titles the largest part of
/// the engine's time; ASCII text (where `\w` is exactly `[A-Za-z0-9_]`) is therefore scanned by
/// hand, and other text goes through the expressions as before.
extension TextOps {
    /// What a strip filter removes.
    enum Removal {
        /// `#+\w+`
        case hashtags
        /// `@[\w.]+`
        case mentions

        var pattern: NSRegularExpression {
            switch self {
            case .hashtags: return TextOps.hashtagPattern
            case .mentions: return TextOps.mentionPattern
            }
        }

        var marker: UInt8 {
            switch self {
            case .hashtags: return UInt8(ascii: "#")
            case .mentions: return UInt8(ascii: "@")
            }
        }

        /// Whether an ASCII byte continues a match (`\w`, and `.` in a mention).
        func continues(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                return true
            case UInt8(ascii: "."):
                return self == .mentions
            default:
                return false
            }
        }
    }

    /// `text` without the matches of `removal`, white space collapsed and no space left before the
    /// punctuation that followed a removed word (`Go follow @Nora!` → `Go follow!`).
    static func removing(_ removal: Removal, from text: String) -> String {
        if let ascii = removingASCII(removal, from: text) { return squish(ascii) }
        let removed =
            text.utf8.contains(removal.marker)
            ? removal.pattern.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
            : text
        return squish(
            spaceBeforePunctuation.stringByReplacingMatches(
                in: removed, range: NSRange(removed.startIndex..., in: removed), withTemplate: "$1"))
    }

    private static let spaceBeforePunctuation = try! NSRegularExpression(pattern: "[ \\t]+([!?.,;:…])")

    /// The two replacements on ASCII text, or nil when the text is not ASCII.
    static func removingASCII(_ removal: Removal, from text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        let marker = removal.marker
        guard bytes.contains(marker) || hasBlankBeforePunctuation(bytes) else { return text }
        // The matches removed: a marker (a run of them for hashtags) and at least one word byte.
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == marker else { kept.append(bytes[index]); index += 1; continue }
            var end = index + 1
            if removal == .hashtags { while end < bytes.count, bytes[end] == marker { end += 1 } }
            let wordStart = end
            while end < bytes.count, removal.continues(bytes[end]) { end += 1 }
            if end > wordStart {
                index = end
            } else {
                // No match starts in this run of markers (a later one in it could only see the same
                // following byte): they stay.
                kept.append(contentsOf: bytes[index..<wordStart])
                index = wordStart
            }
        }
        // Spaces and tabs right before punctuation removed.
        var out: [UInt8] = []
        out.reserveCapacity(kept.count)
        index = 0
        while index < kept.count {
            guard kept[index] == 0x20 || kept[index] == 0x09 else { out.append(kept[index]); index += 1; continue }
            var end = index
            while end < kept.count, kept[end] == 0x20 || kept[end] == 0x09 { end += 1 }
            if end < kept.count, isPunctuation(kept[end]) {
                index = end
            } else {
                out.append(contentsOf: kept[index..<end])
                index = end
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: ":"):
            return true
        default: return false
        }
    }

    private static func hasBlankBeforePunctuation(_ bytes: [UInt8]) -> Bool {
        var previousBlank = false
        for byte in bytes {
            if previousBlank, isPunctuation(byte) { return true }
            previousBlank = byte == 0x20 || byte == 0x09
        }
        return false
    }
}
