public import Foundation

/// A position in a rule file: 1-based line and column, as editors and compilers print them.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file as the user named it (or `<built-in default>` for the embedded rules).
    public var file: String
    public var line: Int
    var column: Int

    init(file: String, line: Int, column: Int) {
        self.file = file; self.line = line; self.column = column
    }

    /// The same line, `offset` columns further right (for positions inside a template).
    func advanced(by offset: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + offset)
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in the rules, printed `file:line:column: message`.
public struct RuleDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    init(_ location: SourceLocation, _ message: String) {
        self.location = location; self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Thrown when rule files cannot be loaded; carries every problem found, not just the first.
public struct RulesError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// In file order, then line, then column.
    var diagnostics: [RuleDiagnostic]

    init(diagnostics: [RuleDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String {
        let lines = diagnostics.map(\.description)
        let count = diagnostics.count == 1 ? "1 problem" : "\(diagnostics.count) problems"
        return (lines + ["\(count) in the rules"]).joined(separator: "\n")
    }

    public var errorDescription: String? { description }
}

/// Collects diagnostics while a rule set is read, so that one run reports every problem.
final class DiagnosticSink {
    private(set) var diagnostics: [RuleDiagnostic] = []
    /// Files in load order: problems are listed file by file in this order.
    var fileOrder: [String] = []

    func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(RuleDiagnostic(location, message))
    }

    /// Problems that do not stop the rules from loading (a download folder missing on this machine).
    private(set) var warnings: [RuleDiagnostic] = []

    func warning(_ location: SourceLocation, _ message: String) {
        warnings.append(RuleDiagnostic(location, message))
    }

    var isEmpty: Bool { diagnostics.isEmpty }

    var sorted: [RuleDiagnostic] {
        // Stable sort keeps the order of problems reported at the same position.
        diagnostics.enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element.location, rhs.element.location)
            if a.file != b.file {
                let (i, j) = (fileOrder.firstIndex(of: a.file) ?? Int.max, fileOrder.firstIndex(of: b.file) ?? Int.max)
                return i != j ? i < j : lhs.offset < rhs.offset
            }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}

/// "did you mean" suggestions by edit distance.
enum Suggest {
    /// ` (did you mean 'x'?)` for the closest candidate, or "" when nothing is close enough.
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        guard let best = closest(word, among: candidates) else { return "" }
        return "; did you mean '\(best)'?"
    }

    static func closest(_ word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best else { return nil }
        // Close enough: a third of the length, at least 2 edits; or one contains the other.
        let limit = max(2, max(word.count, candidate.count) / 3)
        if distance <= limit { return candidate }
        if lowered.count >= 3 && candidate.lowercased().contains(lowered) { return candidate }
        return nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions ("contnet" → "content" is one edit).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var twoBack = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], twoBack[j - 2] + 1)
                }
            }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[b.count]
    }
}
