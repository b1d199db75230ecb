public import Foundation
import StashClient

/// What Stash writes to a raw plugin task's standard input (its `pkg/plugin` `common.PluginInput`).
public struct StashPluginInput: Decodable, Sendable {
    /// How to reach the Stash that started the task.
    struct ServerConnection: Decodable, Sendable {
        struct Cookie: Decodable, Sendable {
            var name: String
            var value: String
            enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
        }
        /// `http`, or `https` when Stash serves TLS.
        var scheme: String
        /// `0.0.0.0` (Stash listening on every interface) means this machine.
        var host: String?
        var port: Int
        var sessionCookie: Cookie?
        /// Stash's configuration folder.
        var dir: String?
        /// The folder holding the plugin's manifest.
        var pluginDir: String?
        enum CodingKeys: String, CodingKey {
            case scheme = "Scheme", host = "Host", port = "Port", sessionCookie = "SessionCookie", dir = "Dir",
                pluginDir = "PluginDir"
        }
    }

    var serverConnection: ServerConnection
    /// The task's arguments (`defaultArgs` of the manifest's task: strings).
    var args: [String: String]

    enum CodingKeys: String, CodingKey { case serverConnection = "server_connection", args }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        serverConnection = try container.decode(ServerConnection.self, forKey: .serverConnection)
        let raw = try container.decodeIfPresent([String: LooseText].self, forKey: .args) ?? [:]
        args = raw.compactMapValues(\.text)
    }

    /// Stash's URL as the task reaches it: `0.0.0.0`, `::` or no host mean this machine.
    func endpoint() throws -> StashEndpoint {
        var host = serverConnection.host?.trimmingCharacters(in: .whitespaces) ?? ""
        switch host {
        case "", "0.0.0.0", "localhost": host = "127.0.0.1"
        case "::", "[::]": host = "[::1]"
        default: if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        }
        let scheme = serverConnection.scheme.lowercased() == "https" ? "https" : "http"
        return try StashEndpoint("\(scheme)://\(host):\(serverConnection.port)")
    }
}

/// Writes what Stash reads from a raw plugin task's standard error: every line `\u{01}` + level
/// (`t d i w e`) + `\u{02}` + text, progress as `\u{01}p\u{02}<0..1>`. Nothing goes out unprefixed
/// (Stash would log it at the manifest's `errLog` level), no line is shorter than 4 bytes (Stash
/// reads such a line as unprefixed) or near its 64 KiB reader limit.
public struct StashPluginLog: Sendable {
    public enum Level: String, Sendable { case trace = "t", debug = "d", info = "i", warning = "w", error = "e" }

    /// The longest text of one line; longer lines are cut and marked.
    static let maxLineBytes = 16 * 1024
    private let write: @Sendable (String) -> Void

    /// A log writing each finished line (with its newline) to `write`; by default standard error.
    public init(write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
    }

    /// `text` at `level`, one prefixed line per line of text (blank lines left out).
    public func log(_ level: Level, _ text: String) {
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            var line = String(raw).replacingOccurrences(of: "\u{01}", with: " ").replacingOccurrences(
                of: "\u{02}", with: " ")
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            if line.utf8.count > Self.maxLineBytes {
                line = String(decoding: line.utf8.prefix(Self.maxLineBytes - 16), as: UTF8.self) + " … (cut)"
            }
            write("\u{01}\(level.rawValue)\u{02}\(line)\n")
        }
    }

    /// Task progress, 0…1.
    func progress(_ fraction: Double) {
        let clamped = min(1, max(0, fraction.isFinite ? fraction : 0))
        write("\u{01}p\u{02}" + String(format: "%.3f", clamped) + "\n")
    }
}

/// One JSON value read as text (task arguments are strings, but a number or flag is taken too).
private struct LooseText: Decodable {
    let text: String?
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let bool = try? container.decode(Bool.self) {
            text = String(bool)
        } else if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else if let number = try? container.decode(Double.self) {
            text = String(number)
        } else {
            text = nil
        }
    }
}
