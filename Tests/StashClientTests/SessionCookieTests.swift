import XCTest

@testable import StashClient

/// A plugin task's session cookie follows Stash's renewals, whatever order concurrent answers
/// arrive in.
final class SessionCookieTests: XCTestCase {
    func testARenewalReplacesTheCookieItWasSentWith() {
        let cookie = StashSessionCookie(name: "session", value: "first")
        cookie.refresh(fromSetCookie: "session=second; Path=/; Max-Age=3600; HttpOnly", renewing: "session=first")
        XCTAssertEqual(cookie.header, "session=second")
    }

    func testALateAnswerDoesNotPutBackARetiredValue() {
        let cookie = StashSessionCookie(name: "session", value: "first")
        // Two requests left with "first"; the server renewed twice (first → second, second → third),
        // and the answer renewing "second" came back before the one renewing "first".
        cookie.refresh(fromSetCookie: "session=second; Path=/", renewing: "session=first")
        cookie.refresh(fromSetCookie: "session=third; Path=/", renewing: "session=second")
        cookie.refresh(fromSetCookie: "session=second-again; Path=/", renewing: "session=first")
        XCTAssertEqual(cookie.header, "session=third")
    }

    func testExpiringAndOtherCookiesAreNotTaken() {
        let cookie = StashSessionCookie(name: "session", value: "first")
        cookie.refresh(fromSetCookie: "session=; Max-Age=0", renewing: "session=first")
        cookie.refresh(fromSetCookie: "theme=dark; Path=/", renewing: "session=first")
        XCTAssertEqual(cookie.header, "session=first")
        XCTAssertFalse("\(cookie)".contains("first"), "printing the cookie never shows its value")
    }
}
