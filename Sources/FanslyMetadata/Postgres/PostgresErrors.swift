import Foundation
import NIOCore
import NIOSSL
import PostgresNIO

/// Turns postgres-nio's errors into `MetadataError`s that say what happened and what to do.
/// Messages name the server by its URL without password; server texts are quoted, never the query.
enum PostgresErrors {
    static func translate(
        _ error: Error, endpoint: PostgresEndpoint, timeout: TimeInterval? = nil,
        connectTimeout: TimeInterval? = nil
    ) -> MetadataError {
        if let error = error as? MetadataError { return error }
        let url = endpoint.redactedURL
        let server = "\(endpoint.host):\(endpoint.port)"
        guard let error = error as? PSQLError else {
            if error is NIOSSLError || String(describing: type(of: error)).contains("SSL") {
                return .postgresTLS(url: url, reason: "the TLS handshake failed (\(error))")
            }
            return .postgresUnreachable(server: server, reason: network(error))
        }
        switch error.code {
        case .sslUnsupported:
            return .postgresTLS(
                url: url,
                reason: "sslmode=\(endpoint.sslMode.rawValue) needs TLS, and the server does not offer it "
                    + "(use sslmode=prefer or disable, or turn on ssl in the server's postgresql.conf)")
        case .failedToAddSSLHandler:
            return .postgresTLS(url: url, reason: "TLS could not be started")
        case .authMechanismRequiresPassword:
            return .postgresAuthenticationFailed(url: url, user: endpoint.user, passwordSource: nil)
        case .connectionError:
            if let underlying = error.underlying, underlying is NIOSSLError {
                return .postgresTLS(url: url, reason: "the TLS handshake failed (\(underlying))")
            }
            if let underlying = error.underlying as? ChannelError, case .connectTimeout = underlying {
                return .postgresTimeout(
                    url: url, operation: "connecting and logging in", seconds: Int((connectTimeout ?? 0).rounded(.up)))
            }
            return .postgresUnreachable(
                server: server, reason: error.underlying.map(network) ?? "the connection failed")
        case .serverClosedConnection, .uncleanShutdown:
            if let underlying = error.underlying, underlying is NIOSSLError {
                return .postgresTLS(url: url, reason: "the TLS handshake failed (\(underlying))")
            }
            return .postgresFailed(url: url, reason: "the server closed the connection")
        case .server:
            return serverError(error, endpoint: endpoint, timeout: timeout)
        default:
            return .postgresFailed(url: url, reason: "\(error.code)")
        }
    }

    private static func serverError(_ error: PSQLError, endpoint: PostgresEndpoint, timeout: TimeInterval?)
        -> MetadataError
    {
        let url = endpoint.redactedURL
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "an error"
        switch state {
        case "28P01":
            return .postgresAuthenticationFailed(
                url: url, user: endpoint.user, passwordSource: endpoint.passwordSource?.description)
        case "28000":
            if message.contains("no encryption") {
                return .postgresTLS(
                    url: url,
                    reason: "the server only accepts encrypted connections (\(message)); "
                        + "use sslmode=require or prefer")
            }
            if message.contains("pg_hba.conf") {
                return .postgresFailed(
                    url: url,
                    reason: "\(message): the server's pg_hba.conf does not let user "
                        + "\(endpoint.user) connect to this database from here")
            }
            return .postgresAuthenticationFailed(
                url: url, user: endpoint.user, passwordSource: endpoint.passwordSource?.description)
        case "3D000":
            return .postgresDatabaseNotFound(url: url, database: endpoint.database)
        case "57014":
            return .postgresTimeout(
                url: url, operation: "reading (the server cancelled the statement)",
                seconds: Int((timeout ?? 0).rounded(.up)))
        case "42501":
            return .postgresFailed(
                url: url,
                reason: "\(message); grant the user SELECT on the downloader's tables "
                    + "(GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(endpoint.user))")
        case "53300":
            return .postgresFailed(url: url, reason: "\(message) (the server has no free connection; try again later)")
        default:
            return .postgresFailed(url: url, reason: "\(message) (SQLSTATE \(state))")
        }
    }

    /// A network failure in words: refused, unknown host, unreachable, timed out.
    private static func network(_ error: Error) -> String {
        let text = String(describing: error)
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil, connection.connectionErrors.isEmpty {
                return "the host name does not resolve"
            }
            if let first = connection.connectionErrors.first { return network(first.error) }
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused (nothing listens on that port)"
            case ENETUNREACH, EHOSTUNREACH: return "the host is unreachable"
            case ETIMEDOUT: return "the connection timed out"
            default: return io.description
            }
        }
        if error is ChannelError, text.contains("connectTimeout") { return "the connection timed out" }
        if text.lowercased().contains("refused") { return "connection refused (nothing listens on that port)" }
        return text
    }
}
