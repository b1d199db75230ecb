import StashClient
import XCTest

/// Stash's base URL is parsed once: normalised, validated, and stripped of any key in it.
final class StashEndpointTests: XCTestCase {
    func testTheURLIsNormalisedOnceAndComparedWithoutCaseOrTrailingSlash() throws {
        let endpoint = try StashEndpoint("  http://Stash.local:9999/  ")
        XCTAssertEqual(endpoint.description, "http://Stash.local:9999")
        XCTAssertEqual(endpoint.comparisonKey, "http://stash.local:9999")
        XCTAssertEqual(endpoint, try StashEndpoint("http://stash.local:9999"))
        XCTAssertNil(endpoint.embeddedAPIKey)
        XCTAssertEqual(try StashEndpoint("https://example.org/stash//").description, "https://example.org/stash")
        XCTAssertEqual(
            StashConfiguration(endpoint: endpoint).endpoint.absoluteString, "http://Stash.local:9999/graphql")
    }

    func testAnAPIKeyParameterIsTakenOutOfTheURL() throws {
        let endpoint = try StashEndpoint("http://127.0.0.1:9999/?apikey=s3cret-in-query&lang=en")
        XCTAssertEqual(endpoint.embeddedAPIKey, StashAPIKey("s3cret-in-query"))
        XCTAssertEqual(endpoint.description, "http://127.0.0.1:9999?lang=en")
        XCTAssertEqual(try StashEndpoint("http://127.0.0.1:9999/?ApiKey=k").description, "http://127.0.0.1:9999")
        let configuration = StashConfiguration(endpoint: endpoint, apiKey: endpoint.embeddedAPIKey)
        XCTAssertFalse("\(configuration)".contains("s3cret"), "\(configuration)")
    }

    func testUserinfoIsRemovedAndItsPasswordTakenAsTheKey() throws {
        let endpoint = try StashEndpoint("http://admin:pa%3Ass@127.0.0.1:9999")
        XCTAssertEqual(endpoint.description, "http://127.0.0.1:9999")
        XCTAssertEqual(endpoint.embeddedAPIKey, StashAPIKey("pa:ss"))
        XCTAssertNil(try StashEndpoint("http://admin@127.0.0.1:9999").embeddedAPIKey)
        XCTAssertEqual(try StashEndpoint("http://admin@127.0.0.1:9999").description, "http://127.0.0.1:9999")
        // The query parameter wins over a password.
        XCTAssertEqual(try StashEndpoint("http://u:pw@h:1/?apikey=q").embeddedAPIKey, StashAPIKey("q"))
    }

    func testWhatIsNotAnHTTPURLIsRefusedWithoutRepeatingAKey() {
        for text in ["localhost:9999", "ftp://host/", "http://", "not a url", "127.0.0.1:9999/?apikey=s3cret-refused"] {
            XCTAssertThrowsError(try StashEndpoint(text), text) { error in
                XCTAssertTrue("\(error)".hasSuffix("is not an http(s) URL like http://localhost:9999"), "\(error)")
                XCTAssertFalse("\(error)".contains("s3cret"), "\(error)")
            }
        }
    }

    func testCredentialsAreRedactedFromText() {
        XCTAssertEqual(
            StashEndpoint.redactingCredentials(in: "The value 'http://h:1/?APIKEY=abc&x=1' is invalid"),
            "The value 'http://h:1/?APIKEY=<redacted>&x=1' is invalid")
        XCTAssertEqual(
            StashEndpoint.redactingCredentials(in: "at http://user:abc@h:1/x and https://k@h"),
            "at http://<redacted>@h:1/x and https://<redacted>@h")
        XCTAssertEqual(StashEndpoint.redactingCredentials(in: "plain http://h:1/path"), "plain http://h:1/path")
        XCTAssertEqual(
            StashEndpoint.redactingCredentials(in: "'stash:abc@/x' and key@host"), "'<redacted>@/x' and <redacted>@host"
        )
        XCTAssertEqual(StashEndpoint.comparisonKey(of: "http://u:k@H:1/"), "http://h:1")
        XCTAssertNil(StashEndpoint.comparisonKey(of: "  "))
    }
}
