import Foundation
import StashClient

/// The JSON object Stash writes to a raw-interface plugin's standard input (Stash's
/// `common.PluginInput`): how to reach the Stash that started the task, and the task's arguments.
struct PluginInput: Decodable {
    /// Stash's `common.StashServerConnection`, encoded by Go with its field names as keys.
    struct ServerConnection: Decodable {
        /// `http`, or `https` when Stash serves TLS.
        let scheme: String
        /// The address Stash listens on; `0.0.0.0` (all interfaces) means this machine.
        let host: String
        let port: Int
        /// Go's `http.Cookie` (`Name`, `Value`, `Path`, `Expires`, `MaxAge`…); null when Stash could not make one.
        let sessionCookie: Cookie?
        /// The folder of Stash's configuration file.
        let dir: String?
        /// The folder of this plugin's manifest.
        let pluginDir: String?

        enum CodingKeys: String, CodingKey {
            case scheme = "Scheme", host = "Host", port = "Port", sessionCookie = "SessionCookie", dir = "Dir", pluginDir = "PluginDir"
        }
    }

    /// The parts of Go's `http.Cookie` a request needs.
    struct Cookie: Decodable {
        let name: String
        let value: String
        enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
    }

    let serverConnection: ServerConnection
    /// The task's arguments: its `defaultArgs` (strings) and whatever a caller of `runPluginTask` added.
    let args: [String: ArgumentValue]?

    enum CodingKeys: String, CodingKey { case serverConnection = "server_connection", args }

    /// An argument value; only strings are read (the manifest's `defaultArgs` are strings).
    struct ArgumentValue: Decodable {
        let string: String?
        init(from decoder: Decoder) throws { string = try? decoder.singleValueContainer().decode(String.self) }
    }

    /// Parses what Stash wrote; the error says what is missing rather than Foundation's coding path.
    static func parse(_ data: Data) throws -> PluginInput {
        guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw PluginFailure("nothing on standard input: `fansly-stash plugin` is run by Stash as a plugin task, "
                + "which writes the connection to Stash there (see the README's \"Running inside Stash\")")
        }
        do {
            return try JSONDecoder().decode(PluginInput.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw PluginFailure("Stash's task input has no \(key.stringValue); is this Stash too old for plugin tasks?")
        } catch {
            throw PluginFailure("standard input is not the JSON object Stash sends to a plugin task (\(error.localizedDescription))")
        }
    }

    /// The task's `mode` argument.
    var mode: String? { args?["mode"]?.string }

    /// Stash's URL: `0.0.0.0`/`::` (listening on every interface) are reached on the loopback address.
    func stashEndpoint() throws -> StashEndpoint {
        let connection = serverConnection
        var host = connection.host.trimmingCharacters(in: .whitespaces)
        switch host {
        case "", "0.0.0.0": host = "127.0.0.1"
        case "::", "[::]": host = "[::1]"
        default: if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        }
        let scheme = connection.scheme.lowercased()
        guard ["http", "https"].contains(scheme), (1...65535).contains(connection.port) else {
            throw PluginFailure("Stash's task input names an unusable server: scheme '\(connection.scheme)', port \(connection.port)")
        }
        do {
            return try StashEndpoint("\(scheme)://\(host):\(connection.port)")
        } catch {
            throw PluginFailure("Stash's task input names an unusable server: \(error)")
        }
    }

    /// The session cookie the task authenticates with (nil: Stash without credentials made none).
    var sessionCookie: StashSessionCookie? {
        guard let cookie = serverConnection.sessionCookie, !cookie.value.isEmpty else { return nil }
        return StashSessionCookie(name: cookie.name.isEmpty ? "session" : cookie.name, value: cookie.value)
    }
}

/// Why a plugin task stopped, in words for Stash's log and the task's `{"error": …}`.
struct PluginFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
