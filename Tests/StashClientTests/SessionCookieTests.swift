import Foundation
import XCTest
@testable import StashClient
import StashTestServer

/// Authentication by Stash's session cookie (a plugin task's), renewed from `Set-Cookie` answers,
/// against the test server over HTTP.
final class SessionCookieTests: XCTestCase {
    var server: StashTestServer!

    override func setUp() async throws {
        server = StashTestServer()
        server.requireSessionCookie(value: "first-value", lifetime: 3)
        server.modify { $0.pluginSettings = ["fansly-stash": ["database": "/data/metadata_db.sqlite3"], "other": ["x": "y"]] }
        try await server.start()
    }

    override func tearDown() async throws { await server?.stop() }

    func client(_ cookie: StashSessionCookie?) -> StashClient {
        var configuration = StashConfiguration(baseURL: server.baseURL, retryPolicy: .none)
        configuration.sessionCookie = cookie
        return StashClient(configuration: configuration)
    }

    func testTheRenewedCookieKeepsTheClientInLongAfterTheFirstValueExpired() async throws {
        let cookie = StashSessionCookie(name: "session", value: "first-value")
        let client = client(cookie)
        for _ in 0..<10 { try await client.connect() }
        XCTAssertEqual(cookie.refreshCount, 10)
        // The value the run started with has expired: a client that kept it is refused.
        do {
            try await self.client(StashSessionCookie(name: "session", value: "first-value")).connect()
            XCTFail("an expired session value was accepted")
        } catch let error {
            guard case .unauthorized = error else { return XCTFail("\(error)") }
        }
    }

    func testWithoutACookieStashRefuses() async throws {
        do {
            try await client(nil).connect()
            XCTFail("a request without the session was accepted")
        } catch let error {
            guard case .unauthorized = error else { return XCTFail("\(error)") }
        }
    }

    func testPluginSettingsAreThePluginsOwn() async throws {
        let settings = try await client(StashSessionCookie(name: "session", value: "first-value")).pluginSettings(pluginID: "fansly-stash")
        XCTAssertEqual(settings, ["database": "/data/metadata_db.sqlite3"])
    }

    func testSetCookieParsing() {
        XCTAssertEqual(StashSessionCookie.value(of: "session", inSetCookieHeader: "session=abc; Path=/; Expires=Sun, 06 Dec 2026 12:00:00 GMT; Max-Age=3600; HttpOnly"), "abc")
        XCTAssertEqual(StashSessionCookie.value(of: "session", inSetCookieHeader: "other=1; Path=/, session=def; Path=/"), "def")
        XCTAssertNil(StashSessionCookie.value(of: "session", inSetCookieHeader: "session=gone; Max-Age=0"))
        XCTAssertNil(StashSessionCookie.value(of: "session", inSetCookieHeader: "sessionx=1"))
        let cookie = StashSessionCookie(name: "session", value: "secret-value")
        XCTAssertFalse("\(cookie) \(String(reflecting: cookie))".contains("secret-value"))
    }
}
