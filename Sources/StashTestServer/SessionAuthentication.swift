import Foundation
import FlyingFox

/// Stash's session-cookie authentication, as a plugin task meets it: the request's `Cookie`
/// header must carry a session Stash issued, and every answer to such a request renews it with
/// `Set-Cookie` (Stash saves the session again on each authenticated request).
///
/// Stash's sessions expire after `max_session_age` (one hour by default). Here a session lives for
/// a number of requests instead of seconds, so a test can outlive it at once and stay
/// deterministic: each answer issues a new value, and a value is refused once `lifetime` more
/// requests have come in since it was issued. A client that keeps sending the cookie it started
/// with is refused after `lifetime` requests; one that takes the renewed cookie keeps working.
struct SessionCookies {
    /// The cookie's name (`session`, as in Stash).
    let name: String
    /// Requests a value stays valid for after it was issued; nil: it never expires.
    let lifetime: Int?
    /// Each valid value with the request number it was issued at.
    private var issued: [String: Int]
    private var requests = 0
    private var serial = 0

    init(name: String, value: String, lifetime: Int?) {
        self.name = name; self.lifetime = lifetime; issued = [value: 0]
    }

    /// Checks the cookie of a request; returns the value to send back in `Set-Cookie`, or nil to refuse.
    mutating func admit(cookieHeader: String?) -> String? {
        requests += 1
        if let lifetime { issued = issued.filter { requests - $0.value <= lifetime } }
        guard let sent = cookieHeader.flatMap(value(in:)), issued[sent] != nil else { return nil }
        guard lifetime != nil else { return sent }
        serial += 1
        let renewed = "renewed-\(serial)-" + UUID().uuidString
        issued[renewed] = requests
        return renewed
    }

    /// The value of this cookie in a `Cookie` header (`a=1; session=…`).
    private func value(in header: String) -> String? {
        for pair in header.split(separator: ";") {
            let trimmed = pair.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(name + "=") { return String(trimmed.dropFirst(name.count + 1)) }
        }
        return nil
    }
}

extension StashTestServer {
    /// Requires Stash's session cookie `name=value` on every request that carries no API key, as
    /// a Stash plugin task's requests do; `lifetime` (requests) makes sessions expire and renew.
    public func requireSessionCookie(name: String = "session", value: String, lifetime: Int? = nil) {
        sessionCookies.withLock { $0 = SessionCookies(name: name, value: value, lifetime: lifetime) }
    }

    /// Runs `handle` for a request that passes the session check (or when none is required) and
    /// adds the renewed cookie to its answer; 401 otherwise, as Stash's middleware answers.
    func authenticatingSession(_ request: HTTPRequest, handle: (HTTPRequest) async -> HTTPResponse) async -> HTTPResponse {
        let hasKey = request.headers[HTTPHeader("ApiKey")] != nil || request.query.contains { $0.name == "apikey" }
        let cookieHeader = request.headers[HTTPHeader("Cookie")]
        let verdict = sessionCookies.withLock { cookies -> (required: Bool, renewed: String?, name: String) in
            guard var current = cookies, !hasKey else { return (false, nil, "") }
            let renewed = current.admit(cookieHeader: cookieHeader)
            cookies = current
            return (true, renewed, current.name)
        }
        guard verdict.required else { return await handle(request) }
        guard let renewed = verdict.renewed else {
            return HTTPResponse(statusCode: .unauthorized, headers: [HTTPHeader("WWW-Authenticate"): "FormBased"], body: Data())
        }
        var response = await handle(request)
        response.headers[HTTPHeader("Set-Cookie")] = "\(verdict.name)=\(renewed); Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"
        return response
    }
}

/// A value behind a lock, for the server's mutable session state.
final class LockedBox<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(&value) }
}
