public import Foundation

/// How a PostgreSQL connection negotiates TLS, as libpq's `sslmode` names it.
enum PostgresSSLMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Plain TCP only.
    case disable
    /// TLS when the server offers it, plain otherwise (libpq's and the downloader's default).
    case prefer
    /// TLS or fail; the certificate is not checked (as libpq's `require`).
    case require
    /// TLS with a certificate signed by a trusted authority (host name not checked).
    case verifyCA = "verify-ca"
    /// TLS with a trusted certificate for this host name.
    case verifyFull = "verify-full"
}

/// Where a password came from; shown to users instead of the password itself.
public enum PasswordSource: Sendable, Hashable, CustomStringConvertible {
    case url
    case environment(String)
    case configFile(String)
    case pgpass(String)

    public var description: String {
        switch self {
        case .url: return "the URL"
        case .environment(let name): return "$\(name)"
        case .configFile(let path): return "pg_password in \(path)"
        case .pgpass(let path): return path
        }
    }
}

/// A PostgreSQL database to read: server, database, user and TLS mode, plus a password that no
/// description, error or identity ever contains (`description` is the URL without it).
public struct PostgresEndpoint: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    public var database: String
    public var user: String
    var sslMode: PostgresSSLMode
    /// The URL's `connect_timeout` (seconds), when given.
    var connectTimeout: Int?
    /// Kept internal and out of `customMirror`: nothing prints it by accident.
    var password: String?
    var passwordSource: PasswordSource?

    init(
        host: String, port: Int = 5432, database: String, user: String, sslMode: PostgresSSLMode = .prefer,
        password: String? = nil, passwordSource: PasswordSource? = nil
    ) {
        self.host = host; self.port = port; self.database = database; self.user = user; self.sslMode = sslMode
        self.password = password; self.passwordSource = password == nil ? nil : passwordSource
    }

    /// True when a password is known (from any source).
    var hasPassword: Bool { password != nil }

    /// `postgresql://user@host:port/database[?sslmode=…]`: never the password.
    public var redactedURL: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        var text = "postgresql://\(Self.encode(user))@\(hostText):\(port)/\(Self.encode(database))"
        var parameters: [String] = []
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        if let connectTimeout { parameters.append("connect_timeout=\(connectTimeout)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    public var description: String { redactedURL }

    /// Server and database in words: `database fansly_metadata on localhost:5432 as fansly_user`.
    public var summary: String { "database \(database) on \(host):\(port) as \(user)" }

    public var customMirror: Mirror {
        Mirror(self, children: ["url": redactedURL, "passwordSource": passwordSource as Any], displayStyle: .struct)
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// True for `postgresql://` and `postgres://` URLs.
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// Parses `postgresql://user[:password]@host[:port]/dbname[?sslmode=…&connect_timeout=…]` (also `postgres://`).
    /// Missing parts take libpq's defaults: host `localhost`, port 5432, user `$PGUSER` or the login
    /// name, database the user name. The password is not looked up here (see `PasswordLookup`).
    /// - Throws: `MetadataError.invalidPostgresURL` naming what is wrong (never repeating the password).
    public static func parse(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> PostgresEndpoint
    {
        guard isURL(text) else {
            throw MetadataError.invalidPostgresURL(url: redact(text), reason: "it does not start with postgresql://")
        }
        // URLComponents wants a scheme it knows the syntax of; both spellings share it.
        let normalized = "postgresql://" + text[text.range(of: "://")!.upperBound...]
        guard let components = URLComponents(string: normalized) else {
            throw MetadataError.invalidPostgresURL(
                url: redact(text),
                reason:
                    "it is not a valid URL (percent-encode special characters in the user name or password, e.g. @ as %40)"
            )
        }
        let host = components.host.map { $0.hasPrefix("[") ? String($0.dropFirst().dropLast()) : $0 }
        var port = 5432
        if let given = components.port {
            guard (1...65535).contains(given) else {
                throw MetadataError.invalidPostgresURL(url: redact(text), reason: "port \(given) is out of range")
            }
            port = given
        }
        let user =
            components.user.flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["PGUSER"] ?? ProcessInfo.processInfo.userName
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else {
            throw MetadataError.invalidPostgresURL(
                url: redact(text), reason: "the path must be just the database name, not '\(path)'")
        }
        var sslMode = PostgresSSLMode.prefer
        var connectTimeout: Int?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = PostgresSSLMode(rawValue: item.value ?? "") else {
                    throw MetadataError.invalidPostgresURL(
                        url: redact(text),
                        reason:
                            "sslmode '\(item.value ?? "")' is not one of \(PostgresSSLMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                sslMode = mode
            case "connect_timeout":
                guard let seconds = Int(item.value ?? ""), seconds > 0 else {
                    throw MetadataError.invalidPostgresURL(
                        url: redact(text),
                        reason: "connect_timeout '\(item.value ?? "")' is not a number of seconds")
                }
                connectTimeout = seconds
            default:
                throw MetadataError.invalidPostgresURL(
                    url: redact(text),
                    reason: "unsupported parameter '\(item.name)' (sslmode and connect_timeout are understood)")
            }
        }
        let password = components.password
        var endpoint = PostgresEndpoint(
            host: host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost", port: port,
            database: path.isEmpty ? user : path, user: user, sslMode: sslMode,
            password: password, passwordSource: password == nil ? nil : .url)
        endpoint.connectTimeout = connectTimeout
        return endpoint
    }

    /// `text` with whatever sits between `://user:` and `@` replaced: for errors about unparsable URLs.
    static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@") else {
            return text
        }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
