import FanslyMetadata
public import Foundation
import MappingRules
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plan file opened for `apply`, read piece by piece so that memory does not grow with the plan
/// (decoded at once, the benchmark's 100 MB plan took 640 MB; read this way, 60 MB).
///
/// `open(path:)` scans the lines of the document as `PlanFile.write` lays it out (one change or
/// unmatched file per line) and decodes only the header: the format version is checked first, then
/// `inputs` are there for the staleness check before any change is read. `readChanges()` then decodes
/// every change once (a corrupt one is reported with its line number, before anything is applied)
/// and keeps a compact index; `Applier` decodes a phase's changes again from the file, a slice at a time.
/// A valid plan in another layout (reformatted by a tool) is decoded whole, as before.
public final class SavedPlan: @unchecked Sendable {
    /// The path as given.
    public let path: String
    /// The document's `format_version` (always `Plan.currentFormatVersion`: others are refused).
    public let formatVersion: Int
    /// When the plan was computed.
    public let createdAt: Date
    /// `fansly-stash <version>` that wrote the plan.
    public let tool: String
    /// What the plan was computed from, for the staleness check.
    public let inputs: PlanInputs
    /// The plan's counts.
    public let summary: PlanSummary

    private let source: Source
    /// The header's `changes_checksum` (nil for a plan read whole, which is checked as it is decoded).
    private let checksum: PlanChecksum?

    private enum Source {
        case lines(PlanLines)
        case whole(Plan)
    }

    private init(path: String, header: Header, source: Source) {
        self.path = path; self.formatVersion = header.formatVersion; self.createdAt = header.createdAt
        self.tool = header.tool; self.inputs = header.inputs; self.summary = header.summary; self.source = source
        self.checksum = header.checksum
    }

    /// Opens the plan at `path` and reads its header; throws `PlanFile.ReadError`.
    public static func open(path: String) throws -> SavedPlan {
        let file: PlanLines.File
        do { file = try PlanLines.File(path: path) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw PlanFile.ReadError.unreadable(path: path, reason: reason)
        }
        let scan: PlanLines.Scan
        do {
            scan = try PlanLines.scan(file)
        } catch let problem as PlanLines.LayoutProblem {
            // Not laid out as fansly-stash writes plans: a valid plan in another layout still reads (whole);
            // anything else is explained at the line where the layout broke, unless the document says more.
            let plan: Plan, data: Data
            do { data = try file.readAll() } catch { throw PlanFile.ReadError.unreadable(path: path, reason: "\(error)") }
            do { plan = try PlanFile.decode(data, path: path) } catch let error as PlanFile.ReadError {
                if case .notAPlan(_, "not a JSON object") = error, problem.line > 1 {
                    throw PlanFile.ReadError.notAPlan(path: path, reason: problem.description)
                }
                throw error
            }
            return SavedPlan(path: path, header: Header(plan), source: .whole(plan))
        } catch {
            throw PlanFile.ReadError.unreadable(path: path, reason: "\(error)")
        }
        let header = try scan.header(path: path)
        return SavedPlan(path: path, header: header, source: .lines(PlanLines(file: file, changes: scan.changes, unmatched: scan.unmatched)))
    }

    /// Decodes every change (checking each; a corrupt one throws `PlanFile.ReadError` naming its line),
    /// checks them against the header's checksum (`.changed` names the first line that differs), and
    /// returns them in the compact form `Applier` reads phase by phase.
    public func readChanges() throws -> PlanChanges {
        switch source {
        case .whole(let plan): return PlanChanges(plan)
        case .lines(let lines): return try PlanChanges(createdAt: createdAt, lines: lines, path: path, checksum: checksum)
        }
    }

    /// The whole plan in memory (for tools and tests; `apply` uses `readChanges()`).
    public func plan() throws -> Plan {
        switch source {
        case .whole(let plan): return plan
        case .lines(let lines):
            let changes = try lines.changes.map { try lines.change(at: $0, path: path) }
            let unmatched = try lines.unmatched.map { try lines.decode(UnmatchedMedia.self, at: $0, path: path) }
            return Plan(formatVersion: formatVersion, createdAt: createdAt, tool: tool, inputs: inputs,
                        changes: changes, unmatched: unmatched, summary: summary)
        }
    }

    struct Header {
        var formatVersion: Int
        var createdAt: Date
        var tool: String
        var inputs: PlanInputs
        var summary: PlanSummary
        var checksum: PlanChecksum?

        init(_ plan: Plan) {
            formatVersion = plan.formatVersion; createdAt = plan.createdAt; tool = plan.tool
            inputs = plan.inputs; summary = plan.summary
        }

        init(formatVersion: Int, createdAt: Date, tool: String, inputs: PlanInputs, summary: PlanSummary, checksum: PlanChecksum?) {
            self.formatVersion = formatVersion; self.createdAt = createdAt; self.tool = tool
            self.inputs = inputs; self.summary = summary; self.checksum = checksum
        }
    }
}

/// A plan's changes as `Applier` reads them: a compact index of every change (address, action,
/// Stash id, skip reason) and, per phase, the full changes, decoded from the plan file when asked for.
public final class PlanChanges: @unchecked Sendable {
    /// When the plan was made.
    public let createdAt: Date
    /// What `Run` needs of every change before any phase runs.
    let entries: [Entry]
    private let storage: Storage

    private enum Storage {
        case memory([PlannedChange])
        case file(PlanLines, path: String)
    }

    struct Entry: Sendable {
        var address: EntityAddress
        var action: ChangeAction
        var stashId: String?
        /// For a skip: `reason: detail`.
        var skipReason: String?
        /// A gallery create/update that lists images (it also runs in the gallery images phase).
        var addsGalleryImages: Bool
        /// Entities of its own kind that it refers to by address (for the order within a phase).
        var sameKindReferences: [EntityAddress]
        /// Where the change is: its index in memory, or its line in the file.
        var location: Int

        init(_ change: PlannedChange, location: Int) {
            address = change.address; action = change.action; stashId = change.stashId
            skipReason = change.action == .skip
                ? [change.reason?.rawValue, change.detail].compactMap { $0 }.joined(separator: ": ") : nil
            addsGalleryImages = change.address.kind == .gallery && change.changesStash
                && change.fields.contains { $0.field == Applier.galleryImagesField }
            sameKindReferences = change.changesStash ? change.fields.flatMap { Run.addresses(in: $0.after) }
                .filter { $0.kind == change.address.kind && $0 != change.address } : []
            self.location = location
        }

        func belongs(to phase: ApplyPhase) -> Bool {
            phase == .galleryImages ? addsGalleryImages : ApplyPhase(kind: address.kind) == phase
        }
    }

    /// The changes of a plan in memory.
    public init(_ plan: Plan) {
        createdAt = plan.createdAt
        entries = plan.changes.enumerated().map { Entry($1, location: $0) }
        storage = .memory(plan.changes)
    }

    fileprivate init(createdAt: Date, lines: PlanLines, path: String, checksum: PlanChecksum?) throws {
        self.createdAt = createdAt
        var entries: [Entry] = []
        entries.reserveCapacity(lines.changes.count)
        let decoder = PlanLines.decoder()
        var found = PlanChecksum.Builder()
        for (index, span) in lines.changes.enumerated() {
            let data = try lines.read(span, path: path)
            found.add(data)
            entries.append(Entry(try lines.change(in: data, at: span, path: path, decoder: decoder), location: index))
        }
        // Before anything is sent: a plan edited by hand is refused, naming the first line that differs.
        try PlanFile.verify(found.finish(), against: checksum, lineNumbers: lines.changes.map(\.line), path: path)
        self.entries = entries
        storage = .file(lines, path: path)
    }

    /// How many changes the plan holds (every action).
    public var count: Int { entries.count }

    /// The changes that run in `phase`, in plan order, in compact form.
    func entries(in phase: ApplyPhase) -> [Entry] {
        entries.filter { $0.belongs(to: phase) }
    }

    /// The changes that run in `phase`, in plan order.
    func changes(in phase: ApplyPhase) throws -> [PlannedChange] {
        try changes(entries(in: phase))
    }

    /// The full changes of `selected` (read from the plan file for a saved plan).
    func changes(_ selected: [Entry]) throws -> [PlannedChange] {
        switch storage {
        case .memory(let changes): return selected.map { changes[$0.location] }
        case .file(let lines, let path):
            let decoder = PlanLines.decoder()
            return try selected.map { try lines.change(at: lines.changes[$0.location], path: path, decoder: decoder) }
        }
    }
}

/// The lines of a plan document laid out as `PlanFile.write` writes it:
///
///     {
///     "changes": [
///       {…change…},
///       {…change…}
///     ],
///     "created_at": "…",
///     …one header key per line…
///     "unmatched": [
///       {…unmatched file…}
///     ]
///     }
struct PlanLines: @unchecked Sendable {
    let file: File
    /// Where each change's JSON object is.
    let changes: [Span]
    let unmatched: [Span]

    /// One JSON object in the file, and the 1-based number of its line.
    struct Span: Sendable {
        var offset: Int
        var length: Int
        var line: Int
    }

    /// The document does not have the line layout; `line` is where that showed.
    struct LayoutProblem: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Reads and decodes the change at `span` (`PlanJSONReader`, or `JSONDecoder` when it is unsure);
    /// throws `PlanFile.ReadError` naming the line.
    func change(at span: Span, path: String, decoder: JSONDecoder = PlanLines.decoder()) throws -> PlannedChange {
        try change(in: try read(span, path: path), at: span, path: path, decoder: decoder)
    }

    /// Decodes the change `data` read from `span`.
    func change(in data: Data, at span: Span, path: String, decoder: JSONDecoder) throws -> PlannedChange {
        if let change = PlanJSONReader.change(in: data) { return change }
        return try decode(PlannedChange.self, from: data, line: span.line, path: path, decoder: decoder)
    }

    /// Reads and decodes the object at `span`; throws `PlanFile.ReadError` naming the line.
    func decode<T: Decodable>(_ type: T.Type, at span: Span, path: String, decoder: JSONDecoder = PlanLines.decoder()) throws -> T {
        try decode(T.self, from: try read(span, path: path), line: span.line, path: path, decoder: decoder)
    }

    func read(_ span: Span, path: String) throws -> Data {
        do { return try file.read(offset: span.offset, length: span.length) } catch {
            throw PlanFile.ReadError.unreadable(path: path, reason: "line \(span.line): \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from data: Data, line: Int, path: String, decoder: JSONDecoder) throws -> T {
        do { return try decoder.decode(T.self, from: data) } catch let error as DecodingError {
            throw PlanFile.ReadError.notAPlan(path: path, reason: "line \(line): \(PlanFile.describe(error, root: nil))")
        }
    }

    // MARK: Scanning

    /// What one pass over the lines finds: where the changes and unmatched files are, and the header lines.
    struct Scan {
        var changes: [Span] = []
        var unmatched: [Span] = []
        /// `"key": value` lines between the changes and the unmatched files, with their line numbers.
        var headerLines: [(line: Int, text: Data)] = []

        /// Decodes the header, format version first.
        func header(path: String) throws -> SavedPlan.Header {
            struct Part: Decodable {
                var format_version: Int?
                var created_at: Date?
                var tool: String?
                var inputs: PlanInputs?
                var summary: PlanSummary?
                var changes_checksum: PlanChecksum?
            }
            var parts: [(line: Int, part: Part)] = []
            var deferred: PlanFile.ReadError?
            let decoder = PlanLines.decoder()
            for (line, text) in headerLines {
                do {
                    parts.append((line, try decoder.decode(Part.self, from: Data("{".utf8) + text + Data("}".utf8))))
                } catch let error as DecodingError {
                    // Only the version is needed before anything else can be said.
                    if text.starts(with: Data("\"format_version\"".utf8)) {
                        throw PlanFile.ReadError.notAPlan(path: path, reason: "line \(line): \(PlanFile.describe(error, root: nil))")
                    }
                    parts.append((line, Part()))
                    deferred = deferred ?? PlanFile.ReadError.notAPlan(path: path, reason: "line \(line): \(PlanFile.describe(error, root: nil))")
                }
            }
            let version = parts.lazy.compactMap(\.part.format_version).first
            try PlanFile.checkVersion(version, path: path)
            if let deferred { throw deferred }
            func value<T>(_ key: String, _ pick: (Part) -> T?) throws -> T {
                guard let found = parts.compactMap({ pick($0.part) }).first else {
                    throw PlanFile.ReadError.notAPlan(path: path, reason: "missing '\(key)' at top level")
                }
                return found
            }
            return SavedPlan.Header(formatVersion: Plan.currentFormatVersion, createdAt: try value("created_at") { $0.created_at },
                                    tool: try value("tool") { $0.tool }, inputs: try value("inputs") { $0.inputs },
                                    summary: try value("summary") { $0.summary },
                                    checksum: try value("changes_checksum") { $0.changes_checksum })
        }
    }

    private enum Section { case start, opened, changes, header, unmatched, closing, closed }

    /// One pass over the file: checks the layout line by line and notes where everything is.
    static func scan(_ file: File) throws -> Scan {
        var scan = Scan()
        var section = Section.start
        var lastLine = 0
        try file.forEachLine { offset, number, line, terminated in
            lastLine = number
            if !terminated && section != .closed {
                throw LayoutProblem(line: number, message: "the document ends early (a truncated file?)")
            }
            func problem(_ message: String) -> LayoutProblem { LayoutProblem(line: number, message: message) }
            func object() throws -> Span {
                // `  {…}` or `  {…},`
                var end = line.count
                if end > 0 && line[end - 1] == UInt8(ascii: ",") { end -= 1 }
                guard end >= 4, line[0] == 0x20, line[1] == 0x20, line[2] == UInt8(ascii: "{"), line[end - 1] == UInt8(ascii: "}") else {
                    throw problem("expected one JSON object on the line")
                }
                return Span(offset: offset + 2, length: end - 2, line: number)
            }
            switch section {
            case .start:
                guard line.elementsEqual("{".utf8) else { throw problem("expected '{'") }
                section = .opened
            case .opened:
                if line.elementsEqual("\"changes\": [".utf8) { section = .changes }
                else if line.elementsEqual("\"changes\": [],".utf8) { section = .header }
                else { throw problem("expected the changes") }
            case .changes:
                if line.elementsEqual("],".utf8) { section = .header } else { scan.changes.append(try object()) }
            case .header:
                if line.elementsEqual("\"unmatched\": [".utf8) { section = .unmatched }
                else if line.elementsEqual("\"unmatched\": []".utf8) { section = .closing }
                else {
                    guard line.first == UInt8(ascii: "\""), line.last == UInt8(ascii: ",") else {
                        throw problem("expected a \"key\": value line")
                    }
                    scan.headerLines.append((number, Data(line.dropLast())))
                }
            case .unmatched:
                if line.elementsEqual("]".utf8) { section = .closing } else { scan.unmatched.append(try object()) }
            case .closing:
                guard line.elementsEqual("}".utf8) else { throw problem("expected '}'") }
                section = .closed
            case .closed:
                guard line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) else { throw problem("text after the end of the plan") }
            }
        }
        guard section == .closed else {
            throw LayoutProblem(line: lastLine, message: "the document ends early (a truncated file?)")
        }
        return scan
    }

    // MARK: The file

    /// A read-only file descriptor, closed with the last reference.
    final class File: @unchecked Sendable {
        let descriptor: Int32

        init(path: String) throws {
            var status = stat()
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                close(descriptor)
                throw POSIXError(.EISDIR)
            }
            self.descriptor = descriptor
        }

        deinit { close(descriptor) }

        /// `length` bytes at `offset`.
        func read(offset: Int, length: Int) throws -> Data {
            var data = Data(count: length)
            var done = 0
            try data.withUnsafeMutableBytes { bytes in
                while done < length {
                    let count = pread(descriptor, bytes.baseAddress! + done, length - done, off_t(offset + done))
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { throw POSIXError(count == 0 ? .EIO : POSIXErrorCode(rawValue: errno) ?? .EIO) }
                    done += count
                }
            }
            return data
        }

        /// The whole file.
        func readAll() throws -> Data {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw POSIXError(.EIO) }
            return try read(offset: 0, length: Int(status.st_size))
        }

        /// Calls `body` with each line (without its newline), its offset, its 1-based number and whether a
        /// newline ends it (only the last line may lack one); reads 1 MB at a time, so only a line that
        /// straddles two reads is ever copied.
        func forEachLine(_ body: (_ offset: Int, _ number: Int, _ line: UnsafeBufferPointer<UInt8>, _ terminated: Bool) throws -> Void) throws {
            let size = 1 << 20
            let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
            defer { chunk.deallocate() }
            var fileOffset = 0, number = 0
            var carry: [UInt8] = [], carryOffset = 0
            while true {
                let count = pread(descriptor, chunk, size, off_t(fileOffset))
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                if count == 0 { break }
                var start = 0
                while start < count, let found = memchr(chunk + start, 0x0A, count - start) {
                    let end = chunk.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    number += 1
                    if carry.isEmpty {
                        try body(fileOffset + start, number, UnsafeBufferPointer(start: chunk + start, count: end - start), true)
                    } else {
                        carry.append(contentsOf: UnsafeBufferPointer(start: chunk + start, count: end - start))
                        try carry.withUnsafeBufferPointer { try body(carryOffset, number, $0, true) }
                        carry.removeAll()
                    }
                    start = end + 1
                }
                if start < count {
                    if carry.isEmpty { carryOffset = fileOffset + start }
                    carry.append(contentsOf: UnsafeBufferPointer(start: chunk + start, count: count - start))
                }
                fileOffset += count
            }
            if !carry.isEmpty {
                number += 1
                try carry.withUnsafeBufferPointer { try body(carryOffset, number, $0, false) }
            }
        }
    }
}
