public import Foundation
import Logging
import NIOSSL
public import PostgresNIO

/// The test PostgreSQL server named by `FANSLY_STASH_TEST_PG_URL` (a superuser URL; `.ci/run` starts
/// one with `scripts/test-postgres`). Tests make their own uniquely named databases and roles with
/// it and drop them afterwards.
///
/// Usage in an XCTest:
/// ```swift
/// guard let server = try TestPostgres.server() else { throw XCTSkip(TestPostgres.skipMessage) }
/// let database = try server.createDatabase(schema: FanslyPostgresSchema.sql)
/// defer { database.drop() }
/// try database.execute("INSERT INTO accounts …")
/// ```
public struct TestPostgres: Sendable {
    /// The environment variable holding the server's superuser URL.
    public static let variable = "FANSLY_STASH_TEST_PG_URL"
    public static let skipMessage =
        "no test PostgreSQL server: set \(variable) (scripts/test-postgres start DIR writes DIR/url)"

    public let host: String
    public let port: Int
    public let user: String
    public let password: String
    /// The database the superuser URL names (used to create and drop the test databases).
    let maintenanceDatabase: String
    /// The server accepts TLS connections only: its URLs carry `?sslmode=require` and the test's own
    /// connections encrypt (without checking the self-signed certificate).
    var requiresTLS = false

    /// The server, or nil when the variable is unset (the test should skip). With `CI=true` an unset
    /// variable is an error: CI must run these tests.
    public static func server(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> TestPostgres?
    {
        guard let text = environment[variable], !text.isEmpty else {
            if environment["CI"] == "true" {
                throw TestPostgresError("CI=true but \(variable) is not set: .ci/run must start PostgreSQL")
            }
            return nil
        }
        return try server(url: text)
    }

    /// The server of a superuser URL `postgresql://user:password@host:port/db[?sslmode=require]`
    /// (`sslmode=require`: the server takes TLS connections only, as `test-postgres start --ssl-only` makes it).
    public static func server(url text: String) throws -> TestPostgres {
        guard let components = URLComponents(string: text), let host = components.host, let port = components.port,
            let user = components.user, let password = components.password
        else {
            throw TestPostgresError("\(variable) is not a postgresql://user:password@host:port/db URL")
        }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value
        return TestPostgres(
            host: host, port: port, user: user, password: password,
            maintenanceDatabase: database.isEmpty ? "postgres" : database, requiresTLS: sslMode == "require")
    }

    /// `postgresql://user[:password]@host:port/database` for a database of this server.
    public func url(database: String, user: String? = nil, password: String? = nil) -> String {
        let name = user ?? self.user
        let secret = user == nil ? self.password : password
        let credentials = secret.map { "\(name):\(Self.encode($0))" } ?? name
        return "postgresql://\(credentials)@\(host):\(port)/\(database)" + (requiresTLS ? "?sslmode=require" : "")
    }

    /// A fresh database with a unique name, `schema` (any SQL) run in it.
    public func createDatabase(prefix: String = "fs_test", schema: String? = nil) throws -> TestDatabase {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try execute("CREATE DATABASE \(name)", database: maintenanceDatabase)
        let database = TestDatabase(server: self, name: name)
        if let schema { try database.execute(schema) }
        return database
    }

    /// A login role with a unique name and the given password (nil: no password).
    public func createRole(prefix: String = "fs_role", password: String?) throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let clause = password.map { " PASSWORD '\($0.replacingOccurrences(of: "'", with: "''"))'" } ?? ""
        try execute("CREATE ROLE \(name) LOGIN\(clause)", database: maintenanceDatabase)
        return name
    }

    public func dropRole(_ name: String) {
        try? execute("DROP ROLE IF EXISTS \(name)", database: maintenanceDatabase)
    }

    /// Runs `sql` (several statements allowed) in `database` as the superuser, on a new connection.
    public func execute(_ sql: String, database: String) throws {
        _ = try rows(sql, database: database)
    }

    /// The rows of the last statement of `sql`, every value as text (NULL as nil).
    public func rows(_ sql: String, database: String) throws -> [[String?]] {
        let connection = try connect(database: database)
        defer { try? connection.close().wait() }
        return try Self.run(sql, on: connection)
    }

    /// Runs the statements of `sql` one after the other on `connection` (postgres-nio sends each
    /// as one extended-protocol statement), returning the last one's rows as text.
    @discardableResult
    public static func run(_ sql: String, on connection: PostgresConnection) throws -> [[String?]] {
        var last: [[String?]] = []
        for statement in statements(sql) {
            let rows = try connection.query(PostgresQuery(unsafeSQL: statement), logger: connection.logger).wait().rows
            last = rows.map { row in row.map { cell in cell.bytes.map { Self.text($0, type: cell.dataType) } } }
        }
        return last
    }

    /// A binary value as text: integers and booleans decoded, anything else as its bytes.
    private static func text(_ buffer: ByteBuffer, type: PostgresDataType) -> String {
        var buffer = buffer
        switch type {
        case .int8: return buffer.readInteger(as: Int64.self).map(String.init) ?? ""
        case .int4: return buffer.readInteger(as: Int32.self).map(String.init) ?? ""
        case .int2: return buffer.readInteger(as: Int16.self).map(String.init) ?? ""
        case .bool: return buffer.readInteger(as: UInt8.self).map { $0 != 0 ? "true" : "false" } ?? ""
        default: return String(buffer: buffer)
        }
    }

    /// Splits SQL on the semicolons that end statements (not those inside quotes or comments).
    static func statements(_ sql: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inString = false
        var inIdentifier = false
        var inComment = false
        var previous: Character = " "
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
                current.append(character)
                previous = character
                continue
            }
            switch character {
            case "'" where !inIdentifier: inString.toggle()
            case "\"" where !inString: inIdentifier.toggle()
            case "-" where !inString && !inIdentifier && previous == "-": inComment = true
            case ";" where !inString && !inIdentifier:
                let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { result.append(trimmed) }
                current = ""
                previous = character
                continue
            default: break
            }
            current.append(character)
            previous = character
        }
        let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { result.append(trimmed) }
        return result
    }

    /// A connection as the superuser; close it when done.
    public func connect(database: String) throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password,
            database: database, tls: try tls())
        // Every wait has a deadline: the connect timeout, and the server's statement timeout.
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("statement_timeout", "60000")]
        let logger = Logger(label: "test-postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let future = PostgresConnection.defaultEventLoopGroup.next().makeFutureWithTask { [configuration] in
            try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        }
        return try future.wait()
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        guard requiresTLS else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return .require(try NIOSSLContext(configuration: configuration))
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// A database made for one test.
public struct TestDatabase: Sendable {
    public let server: TestPostgres
    public let name: String

    /// The superuser URL of this database (with password).
    public var url: String { server.url(database: name) }

    public func execute(_ sql: String) throws { try server.execute(sql, database: name) }
    public func rows(_ sql: String) throws -> [[String?]] { try server.rows(sql, database: name) }

    /// Drops the database (ending other sessions on it first).
    public func drop() {
        try? server.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", database: server.maintenanceDatabase)
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
