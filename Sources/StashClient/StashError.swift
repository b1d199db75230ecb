public import Foundation

/// One entry of a GraphQL response's `errors` list.
public struct GraphQLErrorEntry: Sendable, Hashable, Codable {
    public var message: String
    /// Where in the response the error belongs (`["u3"]` for the fourth aliased mutation,
    /// `["variable","input","name"]` for a variable error).
    public var path: [String]?
    /// `GRAPHQL_VALIDATION_FAILED`, `GRAPHQL_PARSE_FAILED`… when Stash says.
    public var code: String?

    init(message: String, path: [String]? = nil, code: String? = nil) {
        self.message = message; self.path = path; self.code = code
    }

    enum CodingKeys: String, CodingKey { case message, path, extensions }
    enum ExtensionKeys: String, CodingKey { case code }
    struct PathElement: Decodable {
        let text: String
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let int = try? container.decode(Int.self) {
                text = String(int)
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = (try? container.decode(String.self, forKey: .message)) ?? "(no message)"
        path = try? container.decodeIfPresent([PathElement].self, forKey: .path)?.map(\.text)
        code = try? container.nestedContainer(keyedBy: ExtensionKeys.self, forKey: .extensions)
            .decodeIfPresent(String.self, forKey: .code)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(path, forKey: .path)
        if let code {
            var extensions = container.nestedContainer(keyedBy: ExtensionKeys.self, forKey: .extensions)
            try extensions.encode(code, forKey: .code)
        }
    }
}

/// What went wrong talking to Stash, with a message that says what to do about it.
/// No case ever carries the API key.
public enum StashError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// Nothing answered at the URL (refused, unknown host, network down), or the connection broke
    /// before the answer arrived (the reason then starts with `connection lost: `).
    case connectionFailed(url: String, reason: String)
    /// HTTP 401: the key is missing or wrong.
    case unauthorized(url: String, keyVariable: String, keyWasSent: Bool)
    /// HTTP 400/422: Stash rejected the request document or its variables.
    case invalidRequest(operation: String, status: Int, errors: [GraphQLErrorEntry])
    /// A resolver failed (uniqueness, unknown id, bad value); only this field was rolled back.
    case resolver(operation: String, path: [String], message: String)
    /// Another HTTP status (500, 502, 503…).
    case httpStatus(operation: String, status: Int, body: String)
    /// No complete answer within the configured timeout.
    case timeout(operation: String, url: String, seconds: Double)
    /// The answer could not be understood.
    case malformedResponse(operation: String, detail: String)
    /// A mutation that is not safe to repeat was sent but the answer was lost: Stash may or may
    /// not have applied it. It is not retried; look it up before sending it again.
    case outcomeUnknown(operation: String, reason: String)
    /// Not sent because an earlier request of the same call failed in a way that stops the run.
    case notSent(operation: String, because: String)
    /// The server is not a Stash this client can work with.
    case incompatibleServer(url: String, reason: String)
    /// The request could not be built (a value that cannot be encoded).
    case invalidInput(operation: String, detail: String)
    /// Retries ran out; `last` is the final failure.
    indirect case retriesExhausted(attempts: Int, last: StashError)
    /// The caller's task was cancelled (a sibling request failed, or the run is being interrupted)
    /// before the answer arrived. `mayHaveBeenApplied` is false only when nothing was sent.
    case cancelled(operation: String, mayHaveBeenApplied: Bool)

    public var description: String {
        switch self {
        case .connectionFailed(let url, let reason):
            if reason.hasPrefix(Self.lostPrefix) {
                return
                    "The connection to Stash at \(url) broke before the answer arrived (\(reason.dropFirst(Self.lostPrefix.count))). Is Stash still running at \(url)?"
            }
            return "Could not connect to Stash at \(url) (\(reason)). Is Stash running at \(url)?"
        case .unauthorized(let url, let variable, let sent):
            return sent
                ? "Stash at \(url) rejected the API key (HTTP 401); set \(variable) to the key shown in Stash under Settings → Security → API Key."
                : "Stash at \(url) requires an API key (HTTP 401); set \(variable) to the key shown in Stash under Settings → Security → API Key."
        case .invalidRequest(let operation, let status, let errors):
            let messages = errors.map { entry in
                entry.path.map { "\($0.joined(separator: ".")): \(entry.message)" } ?? entry.message
            }.joined(separator: "; ")
            return
                "Stash rejected \(operation) (HTTP \(status)): \(messages). This is a bug in fansly-stash or an incompatible Stash version."
        case .resolver(let operation, let path, let message):
            return "Stash refused \(operation) at \(path.joined(separator: ".")): \(message)"
        case .httpStatus(let operation, let status, let body):
            let excerpt = body.isEmpty ? "" : ": \(body.prefix(300))"
            return "Stash answered \(operation) with HTTP \(status)\(excerpt)"
        case .timeout(let operation, let url, let seconds):
            return
                "Stash at \(url) did not answer \(operation) within \(Self.format(seconds)) s; it may be busy (scanning?) — try again or raise the timeout."
        case .malformedResponse(let operation, let detail):
            return "Could not understand Stash's answer to \(operation): \(detail)"
        case .outcomeUnknown(let operation, let reason):
            return
                "The connection was lost after sending \(operation) (\(reason)); Stash may or may not have applied it. It was not retried because repeating it could create duplicates — run plan again to see what Stash holds."
        case .notSent(let operation, let reason):
            return "\(operation) was not sent because an earlier request failed: \(reason)"
        case .incompatibleServer(let url, let reason):
            return "The server at \(url) is not a compatible Stash: \(reason)"
        case .invalidInput(let operation, let detail):
            return "Could not encode the input of \(operation): \(detail)"
        case .retriesExhausted(let attempts, let last):
            return "\(last.description) (gave up after \(attempts) attempts)"
        case .cancelled(let operation, let mayHaveBeenApplied):
            return mayHaveBeenApplied
                ? "\(operation) was stopped before Stash answered; it may or may not have been applied"
                : "\(operation) was stopped before it was sent"
        }
    }

    public var errorDescription: String? { description }

    /// The failure behind any retry wrapper.
    public var underlying: StashError {
        if case .retriesExhausted(_, let last) = self { return last.underlying }
        return self
    }

    /// True when the failure concerns the whole server rather than one item, so further requests
    /// are pointless (no connection, bad key, incompatible server, unknown outcome).
    var stopsRun: Bool {
        switch underlying {
        case .connectionFailed, .unauthorized, .incompatibleServer, .outcomeUnknown, .timeout: return true
        default: return false
        }
    }

    /// Marks a `connectionFailed` reason as a connection that broke mid-request.
    static let lostPrefix = "connection lost: "

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
