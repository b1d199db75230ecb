import Foundation

/// Stash's session cookie, as a Stash plugin task receives it, kept current from Stash's answers.
///
/// A plugin has no API key: Stash hands it a cookie of its own session (`session=…`), which
/// expires after Stash's `max_session_age` (one hour by default). Stash sends the cookie again,
/// with a later expiry, in a `Set-Cookie` header of every answer to a request it authenticated by
/// that cookie; the transport passes those headers to `update(fromSetCookieHeader:)`, so a run
/// longer than the session's age keeps working. One instance is shared by every client of a run
/// (plan and apply), so all of them send the newest value. Its `description` never shows the value.
public final class StashSessionCookie: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// The cookie's name (`session` in Stash).
    public let name: String
    private var value: String
    private var refreshes = 0
    private let lock = NSLock()

    /// A cookie `name=value` (surrounding whitespace of the value trimmed).
    public init(name: String, value: String) {
        self.name = name
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `Cookie` request header's value: `name=value`.
    var headerValue: String { lock.withLock { "\(name)=\(value)" } }

    /// How many times an answer replaced the value (for tests and diagnostics).
    public var refreshCount: Int { lock.withLock { refreshes } }

    /// Takes the newest value of this cookie from a `Set-Cookie` header (several cookies may be
    /// folded into one header, separated by commas). A cookie of another name, an empty value, or
    /// one that is being deleted (`Max-Age=0` or less) leaves the current value in place.
    func update(fromSetCookieHeader header: String) {
        guard let newValue = Self.value(of: name, inSetCookieHeader: header) else { return }
        lock.withLock {
            if newValue != value { value = newValue; refreshes += 1 }
        }
    }

    /// The value `header` sets for the cookie `name`, or nil.
    static func value(of name: String, inSetCookieHeader header: String) -> String? {
        // Cookie values (Stash's are base64) hold neither ';' nor ','; an `Expires` date holds a
        // comma, but its part never starts with `name=`.
        for cookie in header.components(separatedBy: ",") {
            let attributes = cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = attributes.first, first.hasPrefix(name + "=") else { continue }
            let value = String(first.dropFirst(name.count + 1))
            let deleting = attributes.dropFirst().contains { attribute in
                let lowered = attribute.lowercased()
                guard lowered.hasPrefix("max-age=") else { return false }
                return (Int(lowered.dropFirst("max-age=".count)) ?? 1) <= 0
            }
            return value.isEmpty || deleting ? nil : value
        }
        return nil
    }

    public var description: String { "\(name)=<redacted>" }
    public var debugDescription: String { "StashSessionCookie(\(name)=<redacted>)" }
    /// No children, so `dump` and reflection-based loggers cannot reach the value either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .class) }
}
