import Foundation

/// The text operations behind the filters (shared with post-processing).
enum TextOps {
    static let hashtagPattern = try! NSRegularExpression(pattern: "#+\\w+")
    static let mentionPattern = try! NSRegularExpression(pattern: "@[\\w.]+")
    private static let tagPattern = try! NSRegularExpression(pattern: "<[^>]*>")
    private static let breakPattern = try! NSRegularExpression(
        pattern: "<\\s*(br|/p|/div)\\s*/?>", options: [.caseInsensitive])

    /// `text` without leading and trailing white space; the same string when there is none.
    static func trimmed(_ text: String) -> String {
        // Usual case first: both ends are ASCII and not blank (ASCII whitespace is 0x09–0x0D and space).
        let utf8 = text.utf8
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80,
            first != 0x20, !(0x09...0x0D).contains(first), last != 0x20, !(0x09...0x0D).contains(last)
        {
            return text
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return text }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return text }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }

    /// The first line up to and with the first sentence end (`.`, `!`, `?`, `…`, repeated or not)
    /// followed by a space or the end: `Hi there! New set` → `Hi there!`; `v1.2 is out` stays whole.
    static func firstSentence(_ text: String) -> String {
        let line = firstLine(text)
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            if ".!?…".contains(characters[index]) {
                var end = index + 1
                while end < characters.count, ".!?…".contains(characters[end]) { end += 1 }
                if end == characters.count || characters[end].isWhitespace {
                    return trimmed(String(characters[..<end]))
                }
                index = end
            } else {
                index += 1
            }
        }
        return line
    }

    static func firstLine(_ text: String) -> String {
        // Scans UTF-8 for line breaks (cheaper than Character iteration); only the first
        // non-blank line matters, however long the caption.
        let utf8 = text.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            var end = start
            while end < utf8.endIndex, utf8[end] != 0x0A, utf8[end] != 0x0D { end = utf8.index(after: end) }
            let line = Substring(text.utf8[start..<end])
            if line.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { return trimmed(String(line)) }
            start = end < utf8.endIndex ? utf8.index(after: end) : end
        }
        return ""
    }

    /// Case-insensitive equality without Foundation's cost when the texts are equal or differ in length.
    static func sameIgnoringCase(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if a.utf8.count != b.utf8.count, a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) {
            return false
        }
        return a.caseInsensitiveCompare(b) == .orderedSame
    }

    /// The number of Characters, cheaply for ASCII text (the usual case).
    static func length(_ text: String) -> Int {
        let utf8 = text.utf8
        return utf8.allSatisfy { $0 < 0x80 } ? utf8.count : text.count
    }

    static func truncate(_ text: String, limit: Int, suffix: String) -> String {
        guard text.utf8.count > limit, length(text) > limit else { return text }
        let room = limit - suffix.count
        let head = text.prefix(room)
        let cutsWord = text[head.endIndex].isLetter || text[head.endIndex].isNumber
        var kept = Substring(head)
        if cutsWord, let space = head.lastIndex(where: { $0.isWhitespace }),
            head.distance(from: head.startIndex, to: space) > 0
        {
            kept = head[..<space]
        }
        let trimmed = kept.trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: ",;:-–—")))
        return trimmed + suffix
    }

    static func cut(_ text: String, limit: Int, suffix: String) -> String {
        guard text.utf8.count > limit, length(text) > limit else { return text }
        return String(text.prefix(limit - suffix.count)) + suffix
    }

    static func stripHtml(_ text: String) -> String {
        guard text.contains("<") || text.contains("&") else { return text }
        var out = breakPattern.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "\n")
        out = tagPattern.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "")
        for (entity, character) in [
            ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"),
            ("&amp;", "&"),
        ] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out
    }

    static func titleCase(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        var atWordStart = true
        for c in text {
            if c.isLetter || c.isNumber || c == "'" {
                out += atWordStart ? c.uppercased() : String(c)
                atWordStart = false
            } else {
                out.append(c)
                atWordStart = true
            }
        }
        return out
    }

    static func squish(_ text: String) -> String {
        // Usual case: ASCII text whose only white space is single spaces between words is its own result.
        var previousSpace = true // a leading space is not kept
        var clean = true
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
                clean = false
                break
            }
            if (0x09...0x0D).contains(byte) || (byte == 0x20 && previousSpace) { clean = false }
            previousSpace = byte == 0x20
        }
        if clean, !previousSpace { return text }
        guard ascii else { return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
        // ASCII (a caption with its hashtags removed leaves double spaces): the same words, byte by
        // byte; `Character.isWhitespace` looks each character up in the Unicode tables. Its ASCII
        // white space is exactly 0x09–0x0D and the space ("\r\n" is one Character, both bytes white).
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func slug(_ text: String) -> String {
        let folded = text.folding(
            options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en_US_POSIX")
        ).lowercased()
        var out = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return out
    }

    /// `LatexModel` → `Latex Model`, `latex_model` → `latex model`, `bbw2024` → `bbw 2024`;
    /// lower-case runs are segmented with the vocabulary when every piece is a known word.
    static func splitWords(_ text: String, vocabulary: Vocabulary) -> String {
        var words: [String] = []
        var current = ""
        var previous: Character?
        for c in text {
            if c == "_" || c == "-" || c.isWhitespace {
                if !current.isEmpty { words.append(current); current = "" }
                previous = nil
                continue
            }
            if let p = previous, !current.isEmpty {
                let caseBoundary = c.isUppercase && p.isLowercase
                let digitBoundary = c.isNumber != p.isNumber
                if caseBoundary || digitBoundary { words.append(current); current = "" }
            }
            current.append(c)
            previous = c
        }
        if !current.isEmpty { words.append(current) }
        guard !vocabulary.words.isEmpty else { return words.joined(separator: " ") }
        return words.flatMap { word -> [String] in
            guard word.count > 1, word == word.lowercased(), !vocabulary.words.contains(word),
                let pieces = segment(word, vocabulary)
            else { return [word] }
            return pieces
        }.joined(separator: " ")
    }

    /// Fewest-pieces segmentation of `word` into vocabulary words; nil when impossible.
    private static func segment(_ word: String, _ vocabulary: Vocabulary) -> [String]? {
        let chars = Array(word)
        var best = [[String]?](repeating: nil, count: chars.count + 1)
        best[0] = []
        for end in 1...chars.count {
            for start in max(0, end - vocabulary.longest)..<end {
                guard let prefix = best[start] else { continue }
                let piece = String(chars[start..<end])
                guard vocabulary.words.contains(piece) else { continue }
                if best[end] == nil || best[end]!.count > prefix.count + 1 { best[end] = prefix + [piece] }
            }
        }
        return best[chars.count]
    }
}
