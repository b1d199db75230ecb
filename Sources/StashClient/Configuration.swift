public import Foundation

/// The Stash API key. Its `description` is always redacted, so printing a configuration,
/// logging it or interpolating it into an error never reveals the key.
public struct StashAPIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable
{
    /// The secret itself; only the transport reads it, to fill the `ApiKey` header.
    let value: String

    /// Wraps a key. Surrounding whitespace (a trailing newline from `$(cat keyfile)`) is trimmed.
    public init(_ value: String) { self.value = value.trimmingCharacters(in: .whitespacesAndNewlines) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "StashAPIKey(<redacted>)" }
    /// No children, so `dump` and reflection-based loggers cannot reach the key either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// The environment variable the CLI reads by default.
    public static let defaultEnvironmentVariable = "STASH_API_KEY"

    /// Reads the key from the environment variable `name` (never from a command-line value, which
    /// would show in `ps`). Returns nil when the variable is unset or blank: a Stash without
    /// authentication needs no key.
    public static func fromEnvironment(
        _ name: String = defaultEnvironmentVariable,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> StashAPIKey? {
        guard let raw = environment[name] else { return nil }
        let key = StashAPIKey(raw)
        return key.value.isEmpty ? nil : key
    }
}

/// When and how often a failed request is tried again.
///
/// Only failures that say nothing reached Stash, or that Stash was briefly unavailable, are retried
/// (connection errors, HTTP 502/503/504, timeouts), and only for reads and for mutations that are
/// safe to repeat. Delays grow exponentially with random jitter so that many clients do not retry in step.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included (1 = never retry).
    var maxAttempts: Int
    /// Delay before the first retry.
    var initialDelay: Duration
    /// Upper bound of any single delay.
    var maxDelay: Duration
    /// Factor by which the delay grows per attempt.
    var multiplier: Double
    /// Fraction (0…1) of each delay that is randomised.
    var jitter: Double

    public init(
        maxAttempts: Int = 4, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8),
        multiplier: Double = 2, jitter: Double = 0.3
    ) {
        self.maxAttempts = max(1, maxAttempts); self.initialDelay = initialDelay; self.maxDelay = maxDelay
        self.multiplier = max(1, multiplier); self.jitter = min(max(jitter, 0), 1)
    }

    /// Four attempts, 250 ms doubling up to 8 s, ±30 % jitter.
    public static let `default` = RetryPolicy()
    /// Never retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The delay before retry number `retry` (1-based).
    public func delay(beforeRetry retry: Int) -> Duration {
        let base = Double(initialDelay.components.seconds) + Double(initialDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        let exponential = min(cap, base * pow(multiplier, Double(max(0, retry - 1))))
        let spread = exponential * jitter
        let seconds = max(0, exponential + Double.random(in: -spread...spread))
        return .milliseconds(Int((seconds * 1000).rounded()))
    }
}

/// Everything needed to talk to one Stash server. Printing it never shows the API key.
public struct StashConfiguration: Sendable, CustomStringConvertible {
    /// Stash's base URL, e.g. `http://localhost:9999`; requests go to `{baseURL}/graphql`.
    public var baseURL: URL
    /// The API key, or nil for a Stash without authentication.
    public var apiKey: StashAPIKey?
    /// The environment variable the key came from, named in the 401 message.
    var apiKeyEnvironmentVariable: String
    /// Deadline of one attempt of a request: connecting, sending and reading the whole answer.
    public var timeout: Duration
    /// Deadline for the TCP (and TLS) connection of an attempt; never longer than `timeout`.
    var connectTimeout: Duration
    /// Mutations sent in one HTTP request as aliased fields.
    var batchSize: Int
    /// Objects fetched per page by the finds that iterate every page.
    var pageSize: Int
    var retryPolicy: RetryPolicy
    /// A Stash plugin's session cookie, sent instead of an API key (and refreshed from `Set-Cookie`).
    public var sessionCookie: StashSessionCookie?

    public init(
        baseURL: URL, apiKey: StashAPIKey? = nil,
        apiKeyEnvironmentVariable: String = StashAPIKey.defaultEnvironmentVariable,
        timeout: Duration = .seconds(60), batchSize: Int = 100, pageSize: Int = 1000,
        retryPolicy: RetryPolicy = .default, connectTimeout: Duration = .seconds(10)
    ) {
        self.baseURL = baseURL; self.apiKey = apiKey; self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.timeout = timeout; self.connectTimeout = min(connectTimeout, timeout)
        self.batchSize = max(1, batchSize); self.pageSize = max(1, pageSize)
        self.retryPolicy = retryPolicy
    }

    /// `{baseURL}/graphql`.
    public var endpoint: URL {
        baseURL.path.hasSuffix("/graphql") ? baseURL : baseURL.appendingPathComponent("graphql")
    }

    public var description: String {
        "StashConfiguration(url: \(baseURL.absoluteString), apiKey: \(apiKey == nil ? "none" : "<redacted>"), "
            + "timeout: \(timeout), connectTimeout: \(connectTimeout), batchSize: \(batchSize), pageSize: \(pageSize), maxAttempts: \(retryPolicy.maxAttempts))"
    }
}
