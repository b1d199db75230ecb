public import Foundation

/// Stash's base URL, normalised once and free of credentials: what the tool shows, stores in plan
/// and state files, names state files after and sends requests to.
///
/// Stash accepts its API key as an `apikey` query parameter, and people paste URLs with
/// `user:password@` in them. Parsing takes such a key out (`embeddedAPIKey`, for use when no key is
/// given otherwise) and drops it from the URL, so no message, log line or file ever carries it.
public struct StashEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The base URL without credentials, fragment or trailing slashes, e.g. `http://localhost:9999`.
    public let url: URL
    /// The key that was in the URL (`?apikey=`, or the password of `user:password@`), if any.
    public let embeddedAPIKey: StashAPIKey?

    /// Parses `text` (surrounding whitespace ignored). Throws when it is not an http(s) URL with a host;
    /// the error shows the text with any credentials redacted.
    public init(_ text: String) throws(StashEndpointError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard var components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw .notHTTP(Self.redactingCredentials(in: trimmed))
        }
        var key: String?
        if let items = components.queryItems {
            let (keys, kept) = (
                items.filter { $0.name.lowercased() == "apikey" }, items.filter { $0.name.lowercased() != "apikey" }
            )
            key = keys.compactMap(\.value).first { !$0.isEmpty }
            components.queryItems = kept.isEmpty ? nil : kept
        }
        if key == nil, let password = components.password, !password.isEmpty {
            key = password.removingPercentEncoding ?? password
        }
        components.user = nil
        components.password = nil
        components.fragment = nil
        while components.path.hasSuffix("/") { components.path.removeLast() }
        guard let url = components.url else { throw .notHTTP(Self.redactingCredentials(in: trimmed)) }
        self.url = url
        self.embeddedAPIKey = key.map(StashAPIKey.init)
    }

    /// The URL as shown and stored: `http://localhost:9999`.
    public var description: String { url.absoluteString }

    /// The form two URLs are compared in (staleness of a saved plan, the Stash a state file belongs
    /// to): lower-cased, without trailing slashes.
    public var comparisonKey: String { description.lowercased() }

    /// `comparisonKey` of a URL stored as text (a plan's `stash_url`, a state file's binding), with
    /// any credentials dropped; nil for nil or blank text.
    public static func comparisonKey(of text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let endpoint = try? StashEndpoint(text) { return endpoint.comparisonKey }
        var stripped = text
        while stripped.hasSuffix("/") { stripped.removeLast() }
        return stripped.lowercased()
    }

    /// Equal when the comparison keys are: a trailing slash or upper case is the same Stash.
    public static func == (lhs: StashEndpoint, rhs: StashEndpoint) -> Bool { lhs.comparisonKey == rhs.comparisonKey }
    public func hash(into hasher: inout Hasher) { hasher.combine(comparisonKey) }

    /// `text` with the value of every `apikey=` parameter and every `user:password@` part replaced
    /// by `<redacted>`: for messages that must quote what the user typed.
    public static func redactingCredentials(in text: String) -> String {
        var result = text
        // The value of `apikey=`, and whatever precedes an `@` in a URL's authority (or in a word):
        // `user:password@`, also in text that did not parse as a URL (`stash:key@host`).
        for pattern in [#"(?i)(apikey=)[^&#\s'"]*"#, #"(^|[\s'"(]|//)[^\s'"/@]+@"#] {
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            let template = pattern.hasSuffix("@") ? "$1<redacted>@" : "$1<redacted>"
            result = expression.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result),
                withTemplate: template)
        }
        return result
    }
}

/// A Stash URL that cannot be used.
public enum StashEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an http(s) URL with a host; carries the text with credentials redacted.
    case notHTTP(String)

    public var description: String {
        switch self {
        case .notHTTP(let text): return "'\(text)' is not an http(s) URL like http://localhost:9999"
        }
    }
}

extension StashConfiguration {
    /// A configuration for the Stash at `endpoint` (its URL holds no credentials).
    public init(
        endpoint: StashEndpoint, apiKey: StashAPIKey? = nil,
        apiKeyEnvironmentVariable: String = StashAPIKey.defaultEnvironmentVariable,
        timeout: Duration = .seconds(60), batchSize: Int = 100, pageSize: Int = 1000,
        retryPolicy: RetryPolicy = .default
    ) {
        self.init(
            baseURL: endpoint.url, apiKey: apiKey, apiKeyEnvironmentVariable: apiKeyEnvironmentVariable,
            timeout: timeout,
            batchSize: batchSize, pageSize: pageSize, retryPolicy: retryPolicy)
    }
}
