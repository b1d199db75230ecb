import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// How much of a request may have reached Stash when it failed; decides whether it may be retried.
enum Delivery {
    /// Provably never delivered (no connection): safe to send again, whatever it does.
    case notDelivered
    /// May have been processed (answer lost, timeout, 502/504).
    case maybeDelivered
    /// Stash answered; the answer is final (401, 422, 500…), or asked to come back later (503).
    case answered
}

/// A failed attempt, classified.
struct AttemptFailure: Error {
    let error: StashError
    let delivery: Delivery
    /// True for 502/503/504, connection errors and timeouts.
    let isTransient: Bool
}

/// Sends GraphQL requests with the API key, decodes the envelope and retries what may be retried.
final class GraphQLTransport: @unchecked Sendable {
    let configuration: StashConfiguration
    private let session: URLSession
    private let logger: Logger
    let encoder: JSONEncoder
    let decoder: JSONDecoder
    /// For types whose coding keys are Stash's own names.
    let plainDecoder = JSONDecoder()

    init(configuration: StashConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = Self.wholeSeconds(configuration.timeout)
        sessionConfiguration.timeoutIntervalForResource = Self.wholeSeconds(configuration.timeout)
        sessionConfiguration.httpMaximumConnectionsPerHost = 4
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.urlCache = nil
        sessionConfiguration.httpCookieStorage = nil
        session = URLSession(configuration: sessionConfiguration)
        encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { keys in SnakeCaseKey(keys.last!) }
        decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Posts `document` with `variables` (already JSON-encoded), retrying per the policy.
    /// `idempotent` says whether a request that may have reached Stash may be sent again.
    func post(operation: String, document: String, variables: Data, idempotent: Bool) async throws(StashError) -> Data {
        let policy = configuration.retryPolicy
        var attempt = 1
        while true {
            do {
                return try await send(operation: operation, document: document, variables: variables)
            } catch let failure {
                let retryable: Bool
                switch failure.delivery {
                case .notDelivered: retryable = failure.isTransient
                case .maybeDelivered: retryable = failure.isTransient && idempotent
                case .answered: retryable = failure.isTransient
                }
                if !retryable || attempt >= policy.maxAttempts {
                    if failure.delivery == .maybeDelivered && !idempotent {
                        throw .outcomeUnknown(operation: operation, reason: failure.error.description)
                    }
                    throw attempt > 1 ? .retriesExhausted(attempts: attempt, last: failure.error) : failure.error
                }
                let delay = policy.delay(beforeRetry: attempt)
                logger.notice("\(operation) failed (\(failure.error)); retry \(attempt) of \(policy.maxAttempts - 1) in \(delay)")
                try? await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    private func send(operation: String, document: String, variables: Data) async throws(AttemptFailure) -> Data {
        let url = configuration.endpoint
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = Self.wholeSeconds(configuration.timeout)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("gzip", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("keep-alive", forHTTPHeaderField: "Connection")
        if let key = configuration.apiKey { request.setValue(key.value, forHTTPHeaderField: "ApiKey") }
        if let cookie = configuration.sessionCookie { request.setValue(cookie.header, forHTTPHeaderField: "Cookie") }
        request.httpBody = Self.body(document: document, variables: variables)

        let started = ContinuousClock.now
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw classify(error, operation: operation)
        }
        logger.debug("\(operation): \(data.count) bytes in \(ContinuousClock.now - started)")
        guard let http = response as? HTTPURLResponse else {
            throw AttemptFailure(error: .malformedResponse(operation: operation, detail: "not an HTTP response"), delivery: .maybeDelivered, isTransient: false)
        }
        if let cookie = configuration.sessionCookie, let setCookie = http.value(forHTTPHeaderField: "Set-Cookie") {
            cookie.refresh(fromSetCookie: setCookie)
        }
        switch http.statusCode {
        case 200..<300:
            return data
        case 401:
            throw AttemptFailure(error: .unauthorized(url: configuration.baseURL.absoluteString,
                                                      keyVariable: configuration.apiKeyEnvironmentVariable,
                                                      keyWasSent: configuration.apiKey != nil),
                                 delivery: .answered, isTransient: false)
        case 400, 422:
            let errors = (try? decoder.decode(ErrorEnvelope.self, from: data).errors) ?? nil
            throw AttemptFailure(error: .invalidRequest(operation: operation, status: http.statusCode,
                                                        errors: errors ?? [GraphQLErrorEntry(message: Self.excerpt(data))]),
                                 delivery: .answered, isTransient: false)
        case 502, 504:
            throw AttemptFailure(error: .httpStatus(operation: operation, status: http.statusCode, body: Self.excerpt(data)),
                                 delivery: .maybeDelivered, isTransient: true)
        case 503:
            throw AttemptFailure(error: .httpStatus(operation: operation, status: http.statusCode, body: Self.excerpt(data)),
                                 delivery: .answered, isTransient: true)
        default:
            throw AttemptFailure(error: .httpStatus(operation: operation, status: http.statusCode, body: Self.excerpt(data)),
                                 delivery: .answered, isTransient: false)
        }
    }

    private func classify(_ error: Error, operation: String) -> AttemptFailure {
        let url = configuration.baseURL.absoluteString
        guard let urlError = error as? URLError else {
            return AttemptFailure(error: .connectionFailed(url: url, reason: StashError.lostPrefix + error.localizedDescription), delivery: .maybeDelivered, isTransient: true)
        }
        switch urlError.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
            return AttemptFailure(error: .connectionFailed(url: url, reason: Self.reason(urlError)), delivery: .notDelivered, isTransient: true)
        case .timedOut:
            return AttemptFailure(error: .timeout(operation: operation, url: url, seconds: Self.wholeSeconds(configuration.timeout)),
                                  delivery: .maybeDelivered, isTransient: true)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .unsupportedURL, .badURL:
            return AttemptFailure(error: .connectionFailed(url: url, reason: Self.reason(urlError)), delivery: .notDelivered, isTransient: false)
        default:
            // The request went out and the answer was lost (connection reset, empty reply…).
            return AttemptFailure(error: .connectionFailed(url: url, reason: StashError.lostPrefix + Self.reason(urlError)),
                                  delivery: .maybeDelivered, isTransient: true)
        }
    }

    /// Linux's URLSession truncates timeouts to whole seconds (a 0.3 s timeout fires at once),
    /// so timeouts are rounded up to whole seconds, at least one.
    static func wholeSeconds(_ duration: Duration) -> TimeInterval {
        max(1, duration.seconds.rounded(.up))
    }

    private static func reason(_ error: URLError) -> String {
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "unknown host"
        case .notConnectedToInternet: return "no network"
        case .networkConnectionLost: return "connection closed by the server"
        case .badServerResponse: return "empty or invalid reply"
        default: return error.localizedDescription
        }
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

private struct ErrorEnvelope: Decodable { let errors: [GraphQLErrorEntry]? }

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
