import Foundation

/// Finds the password of a PostgreSQL endpoint that did not bring one, in the order the downloader
/// and libpq use: `$FANSLY_PG_PASSWORD` (the downloader's variable), `$PGPASSWORD`, then the
/// password file (`$PGPASSFILE`, default `~/.pgpass`).
struct PasswordLookup: Sendable {
    var environment: [String: String]
    var homeDirectory: String
    /// Why a password file was skipped (world-readable, unreadable): shown as warnings.
    private(set) var warnings: [String] = []

    init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = NSHomeDirectory()
    ) {
        self.environment = environment; self.homeDirectory = homeDirectory
    }

    /// The variable the downloader reads its password from; wins over its config file's pg_password.
    static let downloaderVariable = "FANSLY_PG_PASSWORD"

    /// `$FANSLY_PG_PASSWORD`, when set and not empty.
    func downloaderPassword() -> (String, PasswordSource)? {
        guard let value = environment[Self.downloaderVariable], !value.isEmpty else { return nil }
        return (value, .environment(Self.downloaderVariable))
    }

    /// `$PGPASSWORD`, then the password file's first matching line.
    mutating func fallbackPassword(for endpoint: PostgresEndpoint) -> (String, PasswordSource)? {
        if let value = environment["PGPASSWORD"], !value.isEmpty { return (value, .environment("PGPASSWORD")) }
        return passwordFile(for: endpoint)
    }

    /// Fills `endpoint.password` when it has none: `$FANSLY_PG_PASSWORD`, `$PGPASSWORD`, password file.
    mutating func complete(_ endpoint: PostgresEndpoint) -> PostgresEndpoint {
        guard endpoint.password == nil else { return endpoint }
        var result = endpoint
        if let (password, source) = downloaderPassword() ?? fallbackPassword(for: endpoint) {
            result.password = password
            result.passwordSource = source
        }
        return result
    }

    /// The password file's path: `$PGPASSFILE`, else `~/.pgpass`.
    var passwordFilePath: String {
        if let path = environment["PGPASSFILE"], !path.isEmpty { return path }
        return (homeDirectory as NSString).appendingPathComponent(".pgpass")
    }

    /// The first line of the password file matching the endpoint (`host:port:database:user:password`,
    /// `*` matching anything, `\:` and `\\` escaped). Like libpq, a file that group or others can read
    /// is ignored (with a warning): it must be mode 0600 or stricter.
    mutating func passwordFile(for endpoint: PostgresEndpoint) -> (String, PasswordSource)? {
        let path = passwordFilePath
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            warnings.append("\(path) is not a regular file; ignored")
            return nil
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            warnings.append(
                "\(path) has group or world access, so it is ignored (as libpq does): run chmod 600 \(path)")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            warnings.append("\(path) cannot be read; ignored")
            return nil
        }
        let wanted = [endpoint.host, String(endpoint.port), endpoint.database, endpoint.user]
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if line.hasPrefix("#") { continue }
            let fields = Self.fields(of: line)
            guard fields.count >= 5 else { continue }
            // Literal comparisons, as libpq: `localhost` does not match 127.0.0.1.
            if zip(fields.prefix(4), wanted).allSatisfy({ field, value in field == "*" || field == value }) {
                return (fields[4], .pgpass(path))
            }
        }
        return nil
    }

    /// Splits a password file line on unescaped colons; the password is everything after the fourth.
    static func fields(of line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
