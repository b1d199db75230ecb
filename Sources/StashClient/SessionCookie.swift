import Foundation

/// The session cookie Stash gives a plugin task (`server_connection.SessionCookie`): sent instead
/// of an API key, and replaced by the newer one whenever Stash answers with `Set-Cookie` for it
/// (a session lasts Stash's `max_session_age`, an hour by default; a long apply outlives the first
/// cookie). Shared by every request of a client; printing it never shows the value.
public final class StashSessionCookie: @unchecked Sendable, CustomStringConvertible {
    /// The cookie's name (`session`).
    public let name: String
    private let lock = NSLock()
    private var value: String

    public init(name: String, value: String) { self.name = name; self.value = value }

    /// `name=value`, for the `Cookie` header.
    var header: String { lock.withLock { Self.header(name: name, value: value) } }

    private static func header(name: String, value: String) -> String { "\(name)=\(value)" }

    /// Takes the value of a `Set-Cookie` header naming this cookie (other cookies are ignored;
    /// an expiring one, `Max-Age=0` or an empty value, is not taken).
    ///
    /// `renewing` is the `Cookie` header the answered request was sent with: answers to concurrent
    /// requests arrive in any order, and an older renewal arriving after a newer one must not put
    /// back a value the server has already retired. Nil takes the value unconditionally.
    func refresh(fromSetCookie header: String, renewing sent: String? = nil) {
        for cookie in Self.split(header) {
            let attributes = cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let pair = attributes.first, let equals = pair.firstIndex(of: "=") else { continue }
            guard pair[..<equals] == name else { continue }
            let newValue = String(pair[pair.index(after: equals)...])
            let expires = attributes.dropFirst().contains {
                $0.lowercased() == "max-age=0" || $0.lowercased().hasPrefix("max-age=-")
            }
            guard !newValue.isEmpty, !expires else { continue }
            lock.withLock {
                if let sent, sent != Self.header(name: name, value: value) { return }
                value = newValue
            }
        }
    }

    /// Several cookies may be folded into one header with commas; `Expires=Mon, 01 Jan …` also
    /// holds a comma, so a comma starts a new cookie only when a `name=` follows it.
    static func split(_ header: String) -> [String] {
        var parts: [String] = []
        var current = ""
        let pieces = header.components(separatedBy: ",")
        for piece in pieces {
            let head = piece.trimmingCharacters(in: .whitespaces)
            let startsCookie = head.range(of: #"^[A-Za-z0-9_.\-]+="#, options: .regularExpression) != nil
            if !current.isEmpty && startsCookie {
                parts.append(current); current = piece
            } else {
                current += current.isEmpty ? piece : "," + piece
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    public var description: String { "StashSessionCookie(\(name)=<redacted>)" }
}
