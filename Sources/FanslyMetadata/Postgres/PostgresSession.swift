public import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Deadlines of a PostgreSQL read: every wait has one.
public struct PostgresReadOptions: Sendable, Hashable {
    /// Connecting, TLS and logging in.
    var connectTimeout: TimeInterval
    /// One statement on the server (`statement_timeout`); the client gives up a little later.
    var statementTimeout: TimeInterval

    public init(connectTimeout: TimeInterval = 15, statementTimeout: TimeInterval = 300) {
        self.connectTimeout = connectTimeout; self.statementTimeout = statementTimeout
    }
}

/// One connection inside the run's read-only snapshot, used synchronously: queries run on the
/// connection's event loop and the calling thread waits for them, never longer than the deadline
/// (it must not itself be an event loop thread).
///
/// Every session's transaction is `REPEATABLE READ, READ ONLY`, and sessions after the first import
/// the first one's exported snapshot, so all of them see the same committed data, whatever the
/// downloader writes meanwhile. `default_transaction_read_only` is set at login as well: nothing
/// this connection runs can write.
final class PostgresSession: @unchecked Sendable {
    let endpoint: PostgresEndpoint
    let options: PostgresReadOptions
    private let connection: PostgresConnection
    private let logger: Logger

    private init(
        endpoint: PostgresEndpoint, options: PostgresReadOptions, connection: PostgresConnection, logger: Logger
    ) {
        self.endpoint = endpoint; self.options = options; self.connection = connection; self.logger = logger
    }

    /// postgres-nio wants a connection closed before it goes away: closed here, waited for (deadline).
    deinit { close() }

    /// Connects, logs in and begins the snapshot transaction: a new exported snapshot when
    /// `snapshot` is nil (returned), else the given one imported.
    static func open(
        _ endpoint: PostgresEndpoint, options: PostgresReadOptions,
        snapshot: String? = nil
    ) throws -> (session: PostgresSession, snapshot: String) {
        let logger = Logger(label: "fansly-stash.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        var configuration = PostgresConnection.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: endpoint.password,
            database: endpoint.database, tls: try tls(endpoint))
        configuration.options.connectTimeout = .milliseconds(Int64(options.connectTimeout * 1000))
        let statementMilliseconds = Int(options.statementTimeout * 1000)
        configuration.options.additionalStartupParameters = [
            ("application_name", "fansly-stash"),
            ("default_transaction_read_only", "on"),
            ("statement_timeout", String(statementMilliseconds)),
            // The snapshot is held, idle, while the rules run and Stash is read.
            ("idle_in_transaction_session_timeout", "0"),
        ]
        let connection = try connect(configuration, endpoint: endpoint, options: options, logger: logger)
        let session = PostgresSession(endpoint: endpoint, options: options, connection: connection, logger: logger)
        // The bookkeeping aggregates run once over the whole library: compiling them (JIT, on by
        // default since PostgreSQL 12) cost more than it saved (3 of 9 s for one count at 600,000
        // media). Servers before 11 have no such setting; nothing to switch off there.
        try? session.execute("SET jit = off")
        try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        if let snapshot {
            try session.execute("SET TRANSACTION SNAPSHOT '\(snapshot.filter { $0.isHexDigit || $0 == "-" })'")
            return (session, snapshot)
        }
        var exported = ""
        try session.query("SELECT pg_export_snapshot()") { exported = $0.string(0) ?? "" }
        return (session, exported)
    }

    private static func tls(_ endpoint: PostgresEndpoint) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch endpoint.sslMode {
        case .disable: return .disable
        // libpq's prefer and require encrypt without checking the certificate.
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: configuration) } catch {
            throw MetadataError.postgresTLS(url: endpoint.redactedURL, reason: "TLS cannot be set up here (\(error))")
        }
        return endpoint.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    private static func connect(
        _ configuration: PostgresConnection.Configuration, endpoint: PostgresEndpoint,
        options: PostgresReadOptions, logger: Logger
    ) throws -> PostgresConnection {
        let outcome = Outcome<PostgresConnection>()
        let task = Task {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 1, logger: logger)
                // Connected after the caller gave up: nobody will use or close it otherwise.
                if !outcome.finish(.success(connection)) {
                    // Kept alive by the closure until the close completes.
                    (connection.close() as EventLoopFuture<Void>).whenComplete { _ in _ = connection }
                }
            } catch {
                outcome.finish(.failure(error))
            }
        }
        guard let result = outcome.wait(seconds: options.connectTimeout) else {
            task.cancel()
            throw MetadataError.postgresTimeout(
                url: endpoint.redactedURL, operation: "connecting and logging in",
                seconds: Int(options.connectTimeout.rounded(.up)))
        }
        switch result {
        case .success(let connection): return connection
        case .failure(let error):
            throw PostgresErrors.translate(error, endpoint: endpoint, connectTimeout: options.connectTimeout)
        }
    }

    /// Runs `sql` (binding `binds` to `$1…`), calling `body` with each row on this thread once the
    /// rows arrived. Rows are decoded on the event loop while they stream in.
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), _ body: (PGRow) throws -> Void) throws {
        let rows = RowBuffer()
        let future = connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) { row in
            rows.append(PGRow(row))
        }
        let outcome = Outcome<Void>()
        future.whenComplete { result in outcome.finish(result.map { _ in () }) }
        // The server cancels a statement after statement_timeout; the client waits a little longer
        // for that answer, then closes the connection itself.
        guard let result = outcome.wait(seconds: options.statementTimeout + 5) else {
            _ = connection.close() as EventLoopFuture<Void>
            throw MetadataError.postgresTimeout(
                url: endpoint.redactedURL, operation: "reading",
                seconds: Int(options.statementTimeout.rounded(.up)))
        }
        if case .failure(let error) = result {
            throw PostgresErrors.translate(error, endpoint: endpoint, timeout: options.statementTimeout)
        }
        for row in rows.take() { try body(row) }
    }

    /// A statement without rows.
    func execute(_ sql: String) throws { try query(sql) { _ in } }

    /// `ids` as the single `bigint[]` parameter `$1`.
    static func ids(_ ids: some Collection<FanslyID>) -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        binds.append(Array(ids))
        return binds
    }

    /// Ends the transaction and closes the connection (waiting at most the connect timeout).
    func close() {
        let outcome = Outcome<Void>()
        (connection.close() as EventLoopFuture<Void>).whenComplete { outcome.finish($0) }
        _ = outcome.wait(seconds: options.connectTimeout)
    }
}

/// A result delivered from another thread, waited for with a deadline.
private final class Outcome<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Value, Error>?
    private var abandoned = false

    /// Stores the result; false when the waiter already gave up.
    @discardableResult
    func finish(_ result: Result<Value, Error>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !abandoned, self.result == nil else { return false }
        self.result = result
        condition.broadcast()
        return true
    }

    func wait(seconds: TimeInterval) -> Result<Value, Error>? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while result == nil {
            if !condition.wait(until: deadline) { break }
        }
        if result == nil { abandoned = true }
        return result
    }
}

/// Rows appended on the event loop, taken by the waiting thread after the query completed.
private final class RowBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [PGRow] = []
    func append(_ row: PGRow) { lock.lock(); rows.append(row); lock.unlock() }
    func take() -> [PGRow] { lock.lock(); defer { lock.unlock() }; return rows }
}
