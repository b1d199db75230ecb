import Foundation
import Logging

/// Writes Stash's plugin log protocol on standard error: every line is `\u{01}` + level + `\u{02}`
/// + text, levels `t d i w e`, and `p` for progress (a number from 0 to 1).
///
/// Stash reads the stream line by line (Go's `bufio.Scanner`, which stops at a line of 64 KiB),
/// takes a line shorter than 4 bytes or without the markers as unprefixed and logs it at the
/// manifest's `errLog` level, and trims the text. So text is split at line breaks, every piece
/// gets its own prefix, empty pieces are dropped and long ones are cut into pieces of at most
/// `maximumTextBytes`. Safe to call from any thread.
final class PluginLog: @unchecked Sendable {
    /// Stash's log levels, by their protocol letter.
    enum Level: Character {
        case trace = "t", debug = "d", info = "i", warning = "w", error = "e"
    }

    /// Bytes of text per line, far below the 64 KiB at which Stash's reader stops.
    static let maximumTextBytes = 8 * 1024

    private let lock = NSLock()
    private let write: (Data) -> Void
    private var lastProgress = -1.0

    /// A log writing to `write` (standard error by default).
    init(write: @escaping (Data) -> Void = { FileHandle.standardError.write($0) }) { self.write = write }

    /// Logs `text` at `level`, one protocol line per line of text.
    func log(_ level: Level, _ text: String) {
        var out = ""
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            for piece in Self.pieces(of: String(line)) where !piece.trimmingCharacters(in: .whitespaces).isEmpty {
                out += "\u{01}\(level.rawValue)\u{02}" + piece + "\n"
            }
        }
        guard !out.isEmpty else { return }
        lock.withLock { write(Data(out.utf8)) }
    }

    /// Reports progress (clamped to 0…1); only a change of a hundredth or more, or reaching 1, is written.
    func progress(_ fraction: Double) {
        let value = min(1, max(0, fraction.isFinite ? fraction : 0))
        lock.withLock {
            guard value - lastProgress >= 0.01 || (value == 1 && lastProgress < 1) else { return }
            lastProgress = value
            write(Data("\u{01}p\u{02}\(String(format: "%.3f", value))\n".utf8))
        }
    }

    /// `line` in pieces of at most `maximumTextBytes` UTF-8 bytes, cut between characters.
    static func pieces(of line: String) -> [String] {
        guard line.utf8.count > maximumTextBytes else { return [line] }
        var result: [String] = [], current = "", bytes = 0
        for character in line {
            let size = character.utf8.count
            if bytes + size > maximumTextBytes { result.append(current); current = ""; bytes = 0 }
            current.append(character); bytes += size
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}

/// swift-log's messages (the client's retry notices, a newer Stash) as plugin log lines, so that
/// nothing reaches standard error unprefixed.
struct PluginLogHandler: LogHandler {
    let sink: PluginLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let mapped: PluginLog.Level
        switch level {
        case .trace: mapped = .trace
        case .debug: mapped = .debug
        case .info, .notice: mapped = .info
        case .warning: mapped = .warning
        case .error, .critical: mapped = .error
        }
        sink.log(mapped, message.description)
    }
}
