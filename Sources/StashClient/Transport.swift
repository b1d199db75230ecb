import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// Sends GraphQL requests with the API key over async-http-client (SwiftNIO), decodes the HTTP
/// status, and retries what may be retried.
///
/// Every attempt has a deadline: the connection must be up within `connectTimeout`, and the whole
/// exchange (connect, send, the complete answer) must finish within `configuration.timeout`. A retry
/// sends the same body bytes again. See `TransportFailure.swift` for which failures are retried.
final class GraphQLTransport: Sendable {
    let configuration: StashConfiguration
    private let http: HTTPClient
    private let logger: Logger
    /// The URL requests go to, as text (AsyncHTTPClient takes strings).
    private let endpoint: String
    let encoder: JSONEncoder
    let decoder: JSONDecoder
    /// For types whose coding keys are Stash's own names.
    let plainDecoder = JSONDecoder()

    /// The longest answer read: a find page of 5,000 scenes is a few tens of megabytes.
    static let maximumAnswerBytes = 1 << 30

    init(configuration: StashConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        endpoint = configuration.endpoint.absoluteString
        var settings = HTTPClient.Configuration()
        settings.timeout = HTTPClient.Configuration.Timeout(
            connect: Self.timeAmount(configuration.connectTimeout), read: nil)
        // A refused connection fails its request at once; the retry policy decides what happens next
        // (AsyncHTTPClient would otherwise keep trying to connect until the deadline, unreported).
        settings.connectionPool.retryConnectionEstablishment = false
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 8
        settings.decompression = .enabled(limit: .none)
        settings.httpVersion = .http1Only
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
        encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { keys in SnakeCaseKey(keys.last!) }
        decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
    }

    /// Closes the connections; without it the client is shut down when released, in the background.
    func shutdown() async {
        try? await http.shutdown()
    }

    deinit {
        // Not awaited: the client keeps itself alive until its connections are closed. An already
        // shut down client answers `alreadyShutdown`, which is what we want.
        http.shutdown { _ in }
    }

    /// Posts `document` with `variables` (already JSON-encoded), retrying per the policy.
    /// `idempotent` says whether a request that may have reached Stash may be sent again.
    func post(operation: String, document: String, variables: Data, idempotent: Bool) async throws(StashError) -> Data {
        let policy = configuration.retryPolicy
        let body = Self.body(document: document, variables: variables)
        var attempt = 1
        while true {
            do {
                return try await send(operation: operation, body: body)
            } catch let failure {
                if failure.isCancellation || Task.isCancelled {
                    // The caller gave up (a sibling failed, or the run is being interrupted): not a
                    // failure of Stash's, so neither retried nor logged.
                    throw .cancelled(operation: operation, mayHaveBeenApplied: failure.delivery != .notDelivered)
                }
                guard failure.isRetryable(idempotent: idempotent), attempt < policy.maxAttempts else {
                    if failure.delivery == .maybeDelivered && !idempotent {
                        throw .outcomeUnknown(operation: operation, reason: failure.error.description)
                    }
                    throw attempt > 1 ? .retriesExhausted(attempts: attempt, last: failure.error) : failure.error
                }
                let delay = policy.delay(beforeRetry: attempt)
                if attempt == 1 {
                    // One line per retried request; the outcome of the last attempt is the caller's to report.
                    logger.notice(
                        "\(operation) failed (\(failure.error)); retrying, up to \(policy.maxAttempts - 1) more time\(policy.maxAttempts == 2 ? "" : "s")"
                    )
                } else {
                    logger.debug(
                        "\(operation) failed again (\(failure.error)); retry \(attempt) of \(policy.maxAttempts - 1) in \(delay)"
                    )
                }
                do { try await Task.sleep(for: delay) } catch {
                    throw .cancelled(operation: operation, mayHaveBeenApplied: failure.delivery != .notDelivered)
                }
                attempt += 1
            }
        }
    }

    /// One attempt, bounded by `configuration.timeout` from the first byte sent to the last received.
    private func send(operation: String, body: Data) async throws(TransportFailure) -> Data {
        let started = ContinuousClock.now
        let timeout = configuration.timeout
        let outcome: Result<(status: Int, body: Data), TransportFailure>
        do {
            outcome = try await withThrowingTaskGroup(of: Result<(status: Int, body: Data), TransportFailure>?.self) {
                group in
                group.addTask { await self.exchange(operation: operation, body: body) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    return .failure(
                        TransportFailure(
                            error: .timeout(
                                operation: operation, url: configuration.baseURL.absoluteString,
                                seconds: timeout.seconds),
                            delivery: .maybeDelivered, isTransient: true))
                }
                return result
            }
        } catch {
            throw TransportFailure.cancellation
        }
        let (status, data) = try outcome.get()
        logger.debug("\(operation): HTTP \(status), \(data.count) bytes in \(ContinuousClock.now - started)")
        if let failure = TransportFailure(
            status: status, body: data, operation: operation, configuration: configuration,
            decoder: decoder)
        {
            throw failure
        }
        return data
    }

    /// The HTTP exchange itself: the answer's status and its whole (decompressed) body.
    private func exchange(operation: String, body: Data) async -> Result<(status: Int, body: Data), TransportFailure> {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        if let key = configuration.apiKey { request.headers.add(name: "ApiKey", value: key.value) }
        let sentCookie = configuration.sessionCookie?.header
        if let sentCookie { request.headers.add(name: "Cookie", value: sentCookie) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            // The deadline here is a backstop; `send`'s race enforces `timeout` over the body too.
            let response = try await http.execute(
                request, deadline: .now() + Self.timeAmount(configuration.timeout) + .seconds(1))
            // Stash renews a plugin's session cookie in its answers; a long apply must follow it.
            if let cookie = configuration.sessionCookie {
                for setCookie in response.headers["Set-Cookie"] {
                    cookie.refresh(fromSetCookie: setCookie, renewing: sentCookie)
                }
            }
            let buffer = try await response.body.collect(upTo: Self.maximumAnswerBytes)
            return .success((Int(response.status.code), Data(buffer.readableBytesView)))
        } catch {
            return .failure(TransportFailure(classifying: error, operation: operation, configuration: configuration))
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(
            Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// `{"query": …, "variables": …}`; the variables arrive already encoded, so they are spliced
    /// in rather than decoded and encoded again.
    private static func body(document: String, variables: Data) -> Data {
        var body = Data("{\"query\":".utf8)
        body.append((try? JSONEncoder().encode(document)) ?? Data("\"\"".utf8))
        body.append(Data(",\"variables\":".utf8))
        body.append(variables)
        body.append(Data("}".utf8))
        return body
    }

    static func excerpt(_ data: Data) -> String {
        String(decoding: data.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// camelCase → snake_case for input keys, leaving keys without a lower→upper step (`AND`, `i0`) as they are.
struct SnakeCaseKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
    init(_ key: CodingKey) {
        var result = ""
        var previousIsLowerOrDigit = false
        for character in key.stringValue {
            if character.isUppercase && previousIsLowerOrDigit {
                result.append("_")
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
            previousIsLowerOrDigit = character.isLowercase || character.isNumber
        }
        stringValue = result
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
