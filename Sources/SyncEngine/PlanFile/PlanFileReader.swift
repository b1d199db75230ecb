import Foundation

/// A plan file opened for `apply` or `show`, read a line at a time so that memory does not grow
/// with the plan (decoded at once, the benchmark's 100 MB plan took 640 MB; read this way, 60 MB).
///
/// `open(path:)` reads only the header (line 1): the format version is checked first, then
/// `header.inputs` are there for the staleness check before any change is read. Every other call
/// reads the file once from the start, checking every line against the trailer's checksum before
/// anything it read is used: an edited, added or missing line is refused (`.changed`, naming the
/// line), a file without its trailer is truncated. `.gz` plans are recognised by their first bytes.
///
///     let reader = try PlanFileReader.open(path: "sync.plan.gz")
///     try PlanStaleness.verify(reader.header.inputs, path: reader.path, stashURL: url)
///     try reader.forEachChangeSlice(maxCount: 2_000) { changes in … }   // checked first, then in slices
public final class PlanFileReader: @unchecked Sendable {
    /// The path as given.
    let path: String
    /// Line 1: format version, when and by what the plan was made, its inputs.
    let header: PlanHeader
    private let file: PlanFileStorage
    /// What the first full read found (kept: later reads need only the offsets).
    private var layout: Layout?
    /// The file was just written by this process (`PlanFileWriter.reader()`): its lines are not
    /// hashed again (a fifth of the time of showing a large plan); everything else is checked.
    var isOwnOutput = false

    /// Where the changes and unmatched files are, and the trailer; `Span.line` is the 1-based line.
    struct Layout {
        var changes: [Span] = []
        var unmatched: [Span] = []
        var trailer: PlanTrailer
    }

    struct Span: Sendable {
        var offset: Int
        var length: Int
        var line: Int
    }

    private init(path: String, header: PlanHeader, file: PlanFileStorage) {
        self.path = path; self.header = header; self.file = file
    }

    /// When the plan was made.
    var createdAt: Date { header.createdAt }
    /// What the plan was computed from.
    var inputs: PlanInputs { header.inputs }

    /// Opens the plan at `path` and reads its header; throws `PlanFile.ReadError`.
    public static func open(path: String) throws -> PlanFileReader {
        let file: PlanFileStorage
        do { file = try PlanFileStorage.open(path: path) } catch let failure as PlanFileStorage.Failure {
            switch failure {
            case .unreadable(let reason): throw PlanFile.ReadError.unreadable(path: path, reason: reason)
            case .gzip(let problem): throw PlanFile.ReadError.notAPlan(path: path, reason: problem.description)
            }
        } catch {
            throw PlanFile.ReadError.unreadable(path: path, reason: "\(error)")
        }
        return try open(storage: file, path: path)
    }

    /// The plan in `file` (a plan opened or a temporary one), its header read; `path` names it in errors.
    static func open(storage file: PlanFileStorage, path: String) throws -> PlanFileReader {
        var first: Data?
        do {
            try file.forEachLine { _, _, line, _ in
                first = Data(line); return false
            }
        } catch {
            throw PlanFile.ReadError.unreadable(path: path, reason: "\(error)")
        }
        guard let first, !first.isEmpty else {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "the file is empty")
        }
        return PlanFileReader(path: path, header: try header(first, file: file, path: path), file: file)
    }

    /// The header in `line`, its format version checked before anything else.
    private static func header(_ line: Data, file: PlanFileStorage, path: String) throws -> PlanHeader {
        struct Version: Decodable { var format_version: Int? }
        let decoder = PlanFile.lineDecoder()
        if line == Data("{".utf8) {
            // Plans before version 3 were one JSON document, its header keys after the changes.
            var found: Int?
            try? file.forEachLine { _, _, text, _ in
                let prefix = #""format_version": "#.utf8
                guard text.starts(with: prefix) else { return true }
                found = Int(
                    String(decoding: text.dropFirst(prefix.count).prefix { $0 != UInt8(ascii: ",") }, as: UTF8.self))
                return false
            }
            guard let found else { throw PlanFile.ReadError.notAPlan(path: path, reason: "no format_version") }
            throw PlanFile.ReadError.unsupportedVersion(path: path, found: found, supported: PlanFile.formatVersion)
        }
        guard let version = try? decoder.decode(Version.self, from: line) else {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "line 1 is not a JSON object")
        }
        guard let found = version.format_version else {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "no format_version")
        }
        guard found == PlanFile.formatVersion else {
            throw PlanFile.ReadError.unsupportedVersion(path: path, found: found, supported: PlanFile.formatVersion)
        }
        do { return try decoder.decode(PlanHeader.self, from: line) } catch let error as DecodingError {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "line 1: \(PlanFile.describe(error))")
        }
    }

    // MARK: Reading

    /// The plan's counts (from its trailer; the whole file is read and checked).
    public func summary() throws -> PlanSummary { try checkedLayout().trailer.summary }

    /// Reads every change (checking every line first; a corrupt one throws `PlanFile.ReadError`
    /// naming its line) and returns them in the compact form `Applier` reads phase by phase.
    public func readChanges() throws -> PlanChanges {
        var entries: [PlanChanges.Entry] = []
        let layout = try read { kind, line, index in
            guard kind == .change else { return }
            entries.append(PlanChanges.Entry(try PlanLineDecoder.change(inLine: line), location: index))
        }
        return PlanChanges(createdAt: header.createdAt, entries: entries, file: file, spans: layout.changes, path: path)
    }

    /// The whole plan in memory (tests and small plans; `show` renders from the file, `apply` uses
    /// `readChanges()`).
    func plan() throws -> Plan {
        var changes: [PlannedChange] = []
        var unmatched: [UnmatchedMedia] = []
        let trailer = try forEachLine {
            changes.append($0)
        } unmatched: {
            unmatched.append($0)
        }
        return Plan(
            createdAt: header.createdAt, tool: header.tool, inputs: header.inputs, changes: changes,
            unmatched: unmatched, summary: trailer.summary, notices: trailer.notices ?? [])
    }

    /// Hands every change and unmatched file to `change` and `unmatched` in file order, from one
    /// reading of the file, and returns the trailer. The lines are checked against the plan's
    /// checksum as they go and the verdict comes at the end: a plan refused throws
    /// `PlanFile.ReadError` after its lines were handed on, so nothing they gave may be used
    /// before this returns.
    func forEachLine(
        _ change: (PlannedChange) throws -> Void, unmatched: (UnmatchedMedia) throws -> Void
    ) throws -> PlanTrailer {
        try withoutActuallyEscaping(change) { change in
            try withoutActuallyEscaping(unmatched) { unmatched in
                try read { kind, line, _ in
                    switch kind {
                    case .change: try change(try PlanLineDecoder.change(inLine: line))
                    case .unmatched: try unmatched(try PlanLineDecoder.unmatched(inLine: line))
                    }
                }.trailer
            }
        }
    }

    /// Copies the plan's lines as they are (uncompressed) to `sink`, in pieces of about 1 MB, once
    /// every line is checked: `--json` of a plan file, without decoding a change.
    func copyLines(to sink: (Data) throws -> Void) throws {
        _ = try checkedLayout()
        try file.forEachChunk { try sink(Data($0)) }
    }

    /// Calls `body` with the changes in file order, at most `maxCount` at a time, once every line is
    /// checked (a plan refused is refused before `body` sees any change).
    func forEachChangeSlice(maxCount: Int, _ body: ([PlannedChange]) throws -> Void) throws {
        let layout = try checkedLayout()
        var slice: [PlannedChange] = []
        slice.reserveCapacity(min(maxCount, layout.changes.count))
        for span in layout.changes {
            slice.append(try Self.change(at: span, in: file, path: path))
            if slice.count == max(1, maxCount) { try body(slice); slice.removeAll(keepingCapacity: true) }
        }
        if !slice.isEmpty { try body(slice) }
    }

    /// The change at `span`, read again from `file`; throws `PlanFile.ReadError` naming the line.
    static func change(at span: Span, in file: PlanFileStorage, path: String) throws -> PlannedChange {
        let data: Data
        do { data = try file.read(offset: span.offset, length: span.length) } catch {
            throw PlanFile.ReadError.unreadable(path: path, reason: "line \(span.line): \(error)")
        }
        do { return try PlanLineDecoder.change(inLine: data) } catch let problem as PlanLineDecoder.Malformed {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "line \(span.line): \(problem)")
        }
    }

    private func checkedLayout() throws -> Layout {
        if let layout { return layout }
        return try read(nil)
    }

    enum LineKind { case change, unmatched }

    /// Counts the change on `line` by its action, read where `PlanLineEncoder` writes it (first).
    static func count(_ line: UnsafeBufferPointer<UInt8>, into summary: inout PlanSummary) {
        let prefix = #"{"change":{"action":""#.utf8
        let rest = line.dropFirst(prefix.count)
        if rest.starts(with: #"create""#.utf8) {
            summary.add += 1
        } else if rest.starts(with: #"update""#.utf8) {
            summary.change += 1
        } else if rest.starts(with: #"noop""#.utf8) {
            summary.unchanged += 1
        } else if rest.starts(with: #"skip""#.utf8) {
            summary.skipped += 1
        }
    }

    /// One pass over the file: hashes every line, notes where the changes and unmatched files are,
    /// hands each to `visit` (its index among its kind), and reads the trailer. The checksum is
    /// compared before a line `visit` could not read is reported, so an edited line is named as such.
    private func read(_ visit: ((LineKind, UnsafeBufferPointer<UInt8>, Int) throws -> Void)?) throws -> Layout {
        var changes: [Span] = []
        var unmatched: [Span] = []
        var counted = PlanSummary()
        var checksum = PlanChecksum.Builder()
        var trailer: (line: Int, text: Data)?
        var lastLine = 0
        var unterminated = false
        var firstProblem: (line: Int, message: String)?
        func note(_ line: Int, _ message: String) { if firstProblem == nil { firstProblem = (line, message) } }
        let changePrefix = #"{"change":"#.utf8
        let unmatchedPrefix = #"{"unmatched":"#.utf8
        let endPrefix = #"{"end":"#.utf8
        do {
            try file.forEachLine { offset, number, line, terminated in
                lastLine = number
                if !terminated { unterminated = true; return false }
                if trailer != nil {
                    if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
                        note(number, "text after the end line")
                    }
                    return true
                }
                if number > 1 && line.starts(with: endPrefix) {
                    trailer = (number, Data(line))
                    return true
                }
                if !isOwnOutput { checksum.add(UnsafeRawBufferPointer(line)) }
                guard number > 1 else { return true }
                let span = Span(offset: offset, length: line.count, line: number)
                let kind: LineKind
                if line.starts(with: changePrefix) {
                    kind = .change
                    changes.append(span)
                    Self.count(line, into: &counted)
                } else if line.starts(with: unmatchedPrefix) {
                    kind = .unmatched
                    unmatched.append(span)
                    counted.unmatched += 1
                } else {
                    note(number, "expected a change, an unmatched file or the end line"); return true
                }
                guard let visit, firstProblem == nil else { return true }
                do {
                    try visit(kind, line, kind == .change ? changes.count - 1 : unmatched.count - 1)
                } catch let problem as PlanLineDecoder.Malformed {
                    note(number, "\(problem)")
                }
                return true
            }
        } catch let error as PlanFile.ReadError {
            throw error
        } catch {
            throw PlanFile.ReadError.unreadable(path: path, reason: "\(error)")
        }
        guard !unterminated, let trailer else {
            throw PlanFile.ReadError.notAPlan(
                path: path, reason: "line \(lastLine): the plan ends early (a truncated file?)")
        }
        let decoded: PlanTrailer
        do {
            struct EndLine: Decodable { var end: PlanTrailer }
            decoded = try PlanFile.lineDecoder().decode(EndLine.self, from: trailer.text).end
        } catch let error as DecodingError {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "line \(trailer.line): \(PlanFile.describe(error))")
        }
        if !isOwnOutput, let reason = decoded.checksum.mismatch(checksum.finish()) {
            throw PlanFile.ReadError.changed(path: path, reason: reason)
        }
        if let firstProblem {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "line \(firstProblem.line): \(firstProblem.message)")
        }
        guard decoded.changes == changes.count, decoded.unmatched == unmatched.count else {
            throw PlanFile.ReadError.notAPlan(
                path: path,
                reason: "line \(trailer.line): the end line counts \(decoded.changes) changes "
                    + "and \(decoded.unmatched) unmatched files; the plan holds \(changes.count) and \(unmatched.count)"
            )
        }
        guard decoded.summary == counted else {
            throw PlanFile.ReadError.notAPlan(
                path: path, reason: "line \(trailer.line): the end line's summary does not count the plan's lines")
        }
        let layout = Layout(changes: changes, unmatched: unmatched, trailer: decoded)
        self.layout = layout
        return layout
    }
}
