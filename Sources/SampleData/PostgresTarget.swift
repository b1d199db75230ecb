public import Foundation
import Logging
public import PostgresNIO

/// A PostgreSQL database named by a `postgresql://user[:password]@host[:port]/dbname` URL, for
/// the generator and the test support (plain TCP, no TLS: they talk to servers on 127.0.0.1).
/// The password comes from the URL, else `$PGPASSWORD`; `description` never shows it.
public struct PostgresTarget: Sendable, CustomStringConvertible {
    var host: String
    var port: Int
    public var user: String
    var password: String?
    public var database: String

    /// Parses `url`; throws `SampleDataError.invalidPostgresURL` for anything else.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: url),
            components.scheme == "postgresql" || components.scheme == "postgres",
            let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else {
            throw SampleDataError.invalidPostgresURL(Self.redacted(url))
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw SampleDataError.invalidPostgresURL(Self.redacted(url)) }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
        self.database = database.removingPercentEncoding ?? database
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> PostgresTarget {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL with its password, for handing to the tool under test.
    public var url: String {
        var components = URLComponents()
        components.scheme = "postgresql"
        components.host = host
        components.port = port
        components.user = user
        components.password = password
        components.path = "/" + database
        return components.string ?? ""
    }

    /// The URL without its password.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    /// Opens a connection, runs `body` and closes the connection whatever happens.
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password,
            database: database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Self.logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Connections log nothing: the generator and the tests print their own messages.
    static let logger = Logger(label: "fansly-sample.postgres") { _ in SwiftLogNoOpLogHandler() }

    private static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = nil
        return components.string ?? "(unparsable URL)"
    }
}
