import FlyingFox
import Foundation

/// Login sessions as Stash keeps them for its web UI and plugin tasks: a `session` cookie accepted
/// instead of the API key, re-issued every `rotateEvery` requests as a session nearing Stash's
/// `max_session_age` is. A replaced value is accepted for `grace` more requests (those already in
/// flight), then refused: a client that does not take the new cookie fails soon after.
struct SessionCookieJar: Sendable {
    static let name = "session"
    var valid: Set<String> = []
    /// Replaced values and how many more requests each may make.
    var retiring: [String: Int] = [:]
    var grace = 8
    /// Re-issue the cookie after this many requests made with it (nil: never).
    var rotateEvery: Int?
    var uses = 0
    /// Values handed out over the server's life, the first included.
    var issued: [String] = []
}

extension StashTestServer {
    /// A new session cookie value, as Stash gives a plugin task in `server_connection.SessionCookie`.
    public func startSession(rotateEvery: Int? = nil) -> String {
        let value = UUID().uuidString
        modifySessions {
            $0.valid.insert(value); $0.rotateEvery = rotateEvery; $0.issued.append(value)
        }
        return value
    }

    /// Every session cookie value issued so far (the refreshed ones included).
    public var issuedSessionCookies: [String] { modifySessions { $0.issued } }

    func hasValidSession(_ request: HTTPRequest) -> Bool {
        guard let value = Self.sessionValue(in: request) else { return false }
        return modifySessions { jar in
            if jar.valid.contains(value) { return true }
            guard let left = jar.retiring[value], left > 0 else { return false }
            jar.retiring[value] = left - 1
            return true
        }
    }

    /// Adds `Set-Cookie` with a new session (and refuses the old one from now on) when the request
    /// used a session that is due for renewal.
    func refreshingSession(of request: HTTPRequest, _ response: HTTPResponse) -> HTTPResponse {
        guard let value = Self.sessionValue(in: request) else { return response }
        let renewed: String? = modifySessions { jar in
            guard jar.valid.contains(value), let every = jar.rotateEvery else { return nil }
            jar.uses += 1
            guard jar.uses % every == 0 else { return nil }
            let next = UUID().uuidString
            for old in jar.valid { jar.retiring[old] = jar.grace }
            jar.valid = [next]
            jar.issued.append(next)
            return next
        }
        guard let renewed else { return response }
        var changed = response
        changed.headers[HTTPHeader("Set-Cookie")] =
            "\(SessionCookieJar.name)=\(renewed); Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"
        return changed
    }

    private static func sessionValue(in request: HTTPRequest) -> String? {
        guard let header = request.headers[HTTPHeader("Cookie")] else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == SessionCookieJar.name { return String(parts[1]) }
        }
        return nil
    }
}
