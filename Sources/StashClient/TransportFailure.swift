import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of a request may have reached Stash when it failed; decides whether it may be retried.
enum Delivery: Sendable {
    /// Provably never delivered (no connection): safe to send again, whatever it does.
    case notDelivered
    /// May have been processed: the connection closed or was reset before a reply, no reply in
    /// time, or a 5xx that a proxy or Stash may have given after running it.
    case maybeDelivered
    /// Stash answered and the answer is final (400, 401, 422…): nothing was changed.
    case answered
}

/// A failed attempt, classified.
///
/// What is retried (by `GraphQLTransport.post`, with the same body, per `RetryPolicy`):
///
/// | failure | delivery | reads and idempotent mutations | creates |
/// |---|---|---|---|
/// | connection refused, unknown host, no connection within the connect timeout | not delivered | retried | retried |
/// | connection closed or reset before the whole reply | maybe | retried | `outcomeUnknown` |
/// | no complete reply within the timeout | maybe | retried | `outcomeUnknown` |
/// | HTTP 502, 503, 504 | maybe | retried | `outcomeUnknown` |
/// | HTTP 500 | maybe | not retried | `outcomeUnknown` |
/// | HTTP 400, 401, 422, other 4xx, TLS failures | answered | not retried | not retried |
///
/// A create is never sent twice blindly: its outcome is unknown and SyncEngine's create journal
/// looks the object up before sending it again.
struct TransportFailure: Error, Sendable {
    let error: StashError
    let delivery: Delivery
    /// Worth another attempt (for requests that may be repeated): connection failures, timeouts, 502/503/504.
    let isTransient: Bool
    /// The caller's task was cancelled: nothing to retry, nothing to report.
    var isCancellation = false

    init(error: StashError, delivery: Delivery, isTransient: Bool) {
        self.error = error; self.delivery = delivery; self.isTransient = isTransient
    }

    static let cancellation: TransportFailure = {
        var failure = TransportFailure(
            error: .cancelled(operation: "request", mayHaveBeenApplied: true),
            delivery: .maybeDelivered, isTransient: false)
        failure.isCancellation = true
        return failure
    }()

    /// Whether this failure may be followed by another attempt of the same request.
    func isRetryable(idempotent: Bool) -> Bool {
        guard isTransient else { return false }
        switch delivery {
        case .notDelivered: return true
        case .maybeDelivered: return idempotent
        case .answered: return false
        }
    }

    /// The failure an HTTP status stands for, or nil for 2xx.
    init?(status: Int, body: Data, operation: String, configuration: StashConfiguration, decoder: JSONDecoder) {
        let url = configuration.baseURL.absoluteString
        switch status {
        case 200..<300:
            return nil
        case 401:
            self.init(
                error: .unauthorized(
                    url: url, keyVariable: configuration.apiKeyEnvironmentVariable,
                    keyWasSent: configuration.apiKey != nil),
                delivery: .answered, isTransient: false)
        case 400, 422:
            let errors = (try? decoder.decode(ErrorEnvelope.self, from: body).errors) ?? nil
            self.init(
                error: .invalidRequest(
                    operation: operation, status: status,
                    errors: errors ?? [GraphQLErrorEntry(message: GraphQLTransport.excerpt(body))]),
                delivery: .answered, isTransient: false)
        case 502, 503, 504:
            self.init(
                error: .httpStatus(operation: operation, status: status, body: GraphQLTransport.excerpt(body)),
                delivery: .maybeDelivered, isTransient: true)
        case 500...:
            self.init(
                error: .httpStatus(operation: operation, status: status, body: GraphQLTransport.excerpt(body)),
                delivery: .maybeDelivered, isTransient: false)
        default:
            self.init(
                error: .httpStatus(operation: operation, status: status, body: GraphQLTransport.excerpt(body)),
                delivery: .answered, isTransient: false)
        }
    }

    /// Classifies an error of AsyncHTTPClient or SwiftNIO.
    init(classifying error: Error, operation: String, configuration: StashConfiguration) {
        let url = configuration.baseURL.absoluteString
        func lost(_ reason: String) -> TransportFailure {
            TransportFailure(
                error: .connectionFailed(url: url, reason: StashError.lostPrefix + reason),
                delivery: .maybeDelivered, isTransient: true)
        }
        func unreachable(_ reason: String, transient: Bool = true) -> TransportFailure {
            TransportFailure(
                error: .connectionFailed(url: url, reason: reason), delivery: .notDelivered, isTransient: transient)
        }
        if error is CancellationError {
            self = .cancellation
            return
        }
        if let client = error as? HTTPClientError {
            if client == .cancelled || client == .requestStreamCancelled {
                self = .cancellation
            } else if client == .connectTimeout || client == .getConnectionFromPoolTimeout {
                self = unreachable("no connection within \(Self.format(configuration.connectTimeout.seconds)) s")
            } else if client == .deadlineExceeded || client == .readTimeout || client == .writeTimeout {
                self.init(
                    error: .timeout(operation: operation, url: url, seconds: configuration.timeout.seconds),
                    delivery: .maybeDelivered, isTransient: true)
            } else if client == .remoteConnectionClosed {
                self = lost("connection closed by the server before the reply")
            } else if client == .alreadyShutdown {
                self = unreachable("the client was shut down", transient: false)
            } else if client == .invalidURL || client == .emptyHost || client == .emptyScheme {
                self = unreachable("invalid URL", transient: false)
            } else {
                self = lost(String(describing: client))
            }
            return
        }
        if let connection = error as? NIOConnectionError {
            let codes = connection.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if connection.connectionErrors.isEmpty && (connection.dnsAError != nil || connection.dnsAAAAError != nil) {
                self = unreachable("unknown host")
            } else if codes.contains(ECONNREFUSED) {
                self = unreachable("connection refused")
            } else {
                self = unreachable(
                    connection.connectionErrors.first.map { String(describing: $0.error) } ?? "cannot connect")
            }
            return
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: self = unreachable("connection refused")
            case ENETUNREACH, EHOSTUNREACH: self = unreachable("no route to the host")
            case ECONNRESET: self = lost("connection reset by the server")
            case EPIPE: self = lost("connection closed by the server while sending")
            default: self = lost(String(describing: io))
            }
            return
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout:
                self = unreachable("no connection within \(Self.format(configuration.connectTimeout.seconds)) s")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                self = lost("connection closed by the server before the reply")
            default:
                self = lost(String(describing: channel))
            }
            return
        }
        let text = String(describing: error)
        if text.contains("NIOSSL") || text.contains("TLS") || text.contains("certificate") {
            // A TLS handshake failed: nothing was sent, and trying again gives the same answer.
            self = unreachable("TLS: \(text)", transient: false)
            return
        }
        self = lost(text)
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}

private struct ErrorEnvelope: Decodable { let errors: [GraphQLErrorEntry]? }
