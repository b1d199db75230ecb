import Foundation
import StashClient
import StashTestServer
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class ReliabilityTests: ServerTestCase {
    func testWrongKeyIsRejectedWithAnActionableMessageThatNeverShowsTheKey() async throws {
        let secret = "wrong-key-\(UUID().uuidString)"
        let client = client(key: secret)
        do {
            _ = try await client.findScenes()
            XCTFail("expected a 401")
        } catch {
            XCTAssertEqual(
                error, .unauthorized(url: server.baseURL.absoluteString, keyVariable: "STASH_API_KEY", keyWasSent: true)
            )
            XCTAssertTrue(error.description.contains("rejected the API key"))
            XCTAssertTrue(error.description.contains("set STASH_API_KEY"))
            XCTAssertFalse(error.description.contains(secret))
        }
        XCTAssertEqual(server.requestCount, 1, "a 401 is final: not retried")
        XCTAssertFalse(client.configuration.description.contains(secret))
        XCTAssertFalse("\(client.configuration.apiKey!)".contains(secret))
        XCTAssertFalse(String(reflecting: client.configuration.apiKey!).contains(secret))

        let noKey = self.client(key: nil)
        do { _ = try await noKey.findTags(); XCTFail("expected a 401") } catch {
            XCTAssertTrue(error.description.contains("requires an API key"), error.description)
        }
    }

    func testAfterAFatalErrorTheRemainingBatchesAreNotSent() async throws {
        let client = client(batchSize: 2, key: "wrong")
        let results = await client.createTags((0..<5).map { TagCreateInput(name: "t\($0)") })
        XCTAssertEqual(server.requestCount, 1)
        XCTAssertEqual(results.count, 5)
        guard case .unauthorized = results[1].failure else { return XCTFail("\(results[1])") }
        guard case .notSent = results[2].failure else { return XCTFail("\(results[2])") }
    }

    func testConnectionRefusedSaysWhereStashWasExpected() async throws {
        let url = server.baseURL
        await server.stop()
        let client = StashClient(
            configuration: StashConfiguration(
                baseURL: url, timeout: .seconds(5),
                retryPolicy: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10))))
        do {
            _ = try await client.connect()
            XCTFail("expected a connection error")
        } catch {
            XCTAssertEqual(
                error,
                .retriesExhausted(
                    attempts: 2, last: .connectionFailed(url: url.absoluteString, reason: "connection refused")))
            XCTAssertTrue(error.description.contains("Is Stash running at \(url.absoluteString)?"), error.description)
        }
    }

    func testTimeoutIsReported() async throws {
        server.latency = .milliseconds(2500)
        let client = client(timeout: .seconds(1), retry: .none)
        let started = ContinuousClock.now
        do {
            _ = try await client.findScenes()
            XCTFail("expected a timeout")
        } catch {
            guard case .timeout(let operation, _, let seconds) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "findScenes")
            XCTAssertEqual(seconds, 1)
            XCTAssertTrue(error.description.contains("did not answer findScenes within 1 s"), error.description)
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertLessThan(elapsed, .milliseconds(2400))
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(900), "the timeout is the configured one, not immediate")

        server.latency = .milliseconds(200)
        let patient = self.client(timeout: .seconds(3), retry: .none)
        let scenes = try await patient.findScenes()
        XCTAssertEqual(scenes, [], "a slow answer within the timeout is fine")
    }

    func testReadsAreRetriedAfter503() async throws {
        server.seed(paths: Fixture.videos)
        server.inject(.status(503), on: "findScenes", times: 2)
        let client = client()
        let scenes = try await client.findScenes()
        XCTAssertEqual(scenes.count, Fixture.videos.count)
        XCTAssertEqual(server.requestCount(for: "findScenes"), 3)
    }

    func testRetriesStopAtTheLimit() async throws {
        server.inject(.status(502), on: "findTags", times: 10)
        let client = client(retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5)))
        do { _ = try await client.findTags(); XCTFail("expected failure") } catch {
            XCTAssertEqual(
                error, .retriesExhausted(attempts: 3, last: .httpStatus(operation: "findTags", status: 502, body: "")))
            XCTAssertTrue(error.description.hasSuffix("(gave up after 3 attempts)"))
        }
        XCTAssertEqual(server.requestCount(for: "findTags"), 3)
    }

    func testServerErrorIsNotRetried() async throws {
        server.inject(.status(500), on: "findTags", times: 5)
        do { _ = try await client().findTags(); XCTFail("expected failure") } catch {
            XCTAssertEqual(error, .httpStatus(operation: "findTags", status: 500, body: ""))
        }
        XCTAssertEqual(server.requestCount(for: "findTags"), 1)
    }

    func testCreateIsNotRetriedAfterTheConnectionDropped() async throws {
        server.inject(.dropConnectionAfterApplying, on: "galleryCreate")
        let client = client()
        let results = await client.createGalleries([
            GalleryCreateInput(title: "Post 1"), GalleryCreateInput(title: "Post 2"),
        ])
        XCTAssertEqual(server.requestCount(for: "galleryCreate"), 1, "never blindly retried")
        guard case .outcomeUnknown(let operation, _)? = results[0].failure else { return XCTFail("\(results[0])") }
        XCTAssertEqual(operation, "galleryCreate ×2")
        XCTAssertTrue(results[0].failure!.description.contains("may or may not have applied it"))
        // It had been applied: a retry would have made duplicates.
        XCTAssertEqual(server.state.galleries.values.map(\.title).sorted(), ["Post 1", "Post 2"])
    }

    func testIdempotentUpdateIsRetriedAfterADroppedConnection() async throws {
        let ids = server.seed(paths: Fixture.videos)
        server.inject(.dropConnection, on: "sceneUpdate")
        let results = await client().updateScenes([SceneUpdateInput(id: String(ids[Fixture.videos[0]]!), title: "T")])
        XCTAssertNotNil(results[0].success, "\(results[0])")
        XCTAssertEqual(server.requestCount(for: "sceneUpdate"), 2)
        XCTAssertEqual(server.state.scenes[ids[Fixture.videos[0]]!]?.title, "T")
    }

    func testVersionCheck() async throws {
        let client = client()
        let info = try await client.connect()
        XCTAssertEqual(info.version, "v0.30.1")
        XCTAssertEqual(info.status, "OK")

        server.version = "v0.26.2"
        do { _ = try await client.connect(); XCTFail("expected incompatible") } catch {
            guard case .incompatibleServer = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains("older than v0.27"), error.description)
        }
        server.version = "v0.30.1"
        server.status = "NEEDS_MIGRATION"
        do { _ = try await client.connect(); XCTFail("expected incompatible") } catch {
            XCTAssertTrue(error.description.contains("needs a migration"), error.description)
        }
    }

    func testValidationErrorsCarryTheServerMessage() async throws {
        // `disambiguation` exists on performers only: Stash rejects it in a tag filter.
        do {
            _ = try await client().findTags(filter: NameFilter(disambiguation: .equals("x")))
            XCTFail("expected a validation error")
        } catch {
            guard case .invalidRequest(let operation, let status, let errors) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(operation, "findTags")
            XCTAssertEqual(status, 422, "the client sends Accept: application/json")
            XCTAssertEqual(errors.first?.code, "GRAPHQL_VALIDATION_FAILED")
            XCTAssertTrue(errors.first?.message.contains("disambiguation") ?? false, "\(errors)")
        }
    }

    func testAPIKeyComesFromTheEnvironment() {
        XCTAssertEqual(StashAPIKey.fromEnvironment("K", environment: ["K": " abc\n"]), StashAPIKey("abc"))
        XCTAssertNil(StashAPIKey.fromEnvironment("K", environment: ["K": "  "]))
        XCTAssertNil(StashAPIKey.fromEnvironment("K", environment: [:]))
        XCTAssertEqual("\(StashAPIKey("abc"))", "<redacted>")
    }

    func testRetryDelaysGrowWithJitterUpToTheCap() {
        let policy = RetryPolicy(
            maxAttempts: 6, initialDelay: .milliseconds(100), maxDelay: .milliseconds(500), multiplier: 2, jitter: 0.2)
        for _ in 0..<50 {
            XCTAssert((.milliseconds(80)...(.milliseconds(120))).contains(policy.delay(beforeRetry: 1)))
            XCTAssert((.milliseconds(160)...(.milliseconds(240))).contains(policy.delay(beforeRetry: 2)))
            XCTAssert((.milliseconds(400)...(.milliseconds(600))).contains(policy.delay(beforeRetry: 5)))
        }
    }
}

/// The test server's HTTP behaviour, checked with raw requests.
final class TestServerHTTPTests: ServerTestCase {
    func post(_ body: String, key: String? = ServerTestCase.key, accept: String? = nil) async throws -> (
        Int, [String: String], Data
    ) {
        var request = URLRequest(url: server.baseURL.appendingPathComponent("graphql"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key { request.setValue(key, forHTTPHeaderField: "ApiKey") }
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields { headers["\(name)".lowercased()] = "\(value)" }
        return (http.statusCode, headers, data)
    }

    func json(_ data: Data) throws -> [String: Any] { try JSONSerialization.jsonObject(with: data) as! [String: Any] }

    func testUnauthorizedIs401WithAnEmptyBody() async throws {
        let (status, headers, body) = try await post(#"{"query":"{ version { version } }"}"#, key: "nope")
        XCTAssertEqual(status, 401)
        XCTAssertEqual(body.count, 0)
        XCTAssertEqual(headers["www-authenticate"], "FormBased")
    }

    func testValidationStatusDependsOnAccept() async throws {
        let bad = #"{"query":"{ findScenes { nope } }"}"#
        let (plain, plainHeaders, plainBody) = try await post(bad, accept: "application/json")
        XCTAssertEqual(plain, 422)
        XCTAssertTrue(plainHeaders["content-type"]?.hasPrefix("application/json") ?? false)
        let errors = try json(plainBody)["errors"] as! [[String: Any]]
        XCTAssertEqual((errors[0]["extensions"] as? [String: String])?["code"], "GRAPHQL_VALIDATION_FAILED")
        let (any, anyHeaders, _) = try await post(bad, accept: "*/*")
        XCTAssertEqual(any, 400)
        XCTAssertEqual(anyHeaders["content-type"], "application/graphql-response+json")
        let (parse, _, parseBody) = try await post(#"{"query":"{ findScenes { "}"#, accept: "application/json")
        XCTAssertEqual(parse, 422)
        let parseErrors = try json(parseBody)["errors"] as! [[String: Any]]
        XCTAssertEqual((parseErrors[0]["extensions"] as? [String: String])?["code"], "GRAPHQL_PARSE_FAILED")
    }

    func testResolverErrorsAreHTTP200WithPathAndOthersStillRun() async throws {
        let body =
            #"{"query":"mutation { a: tagCreate(input: {name: \"x\"}) { id } b: tagCreate(input: {name: \"X\"}) { id } c: tagCreate(input: {name: \"y\"}) { id } }"}"#
        let (status, _, data) = try await post(body)
        XCTAssertEqual(status, 200)
        let object = try json(data)
        let result = object["data"] as! [String: Any]
        XCTAssertEqual((result["a"] as? [String: Any])?["id"] as? String, "1")
        XCTAssertTrue(result["b"] is NSNull)
        XCTAssertEqual((result["c"] as? [String: Any])?["id"] as? String, "2")
        let errors = object["errors"] as! [[String: Any]]
        XCTAssertEqual(errors[0]["message"] as? String, "tag with name 'X' already exists")
        XCTAssertEqual(errors[0]["path"] as? [String], ["b"])
    }

    func testPagingDefaultsAndIdsOverrideFilters() async throws {
        server.seed(paths: (1...30).map { "/data/v/\($0).mp4" })
        func count(_ query: String) async throws -> (Int, Int) {
            let (_, _, data) = try await post(#"{"query":"\#(query)"}"#)
            let result = (try json(data)["data"] as! [String: Any])["findScenes"] as! [String: Any]
            return (result["count"] as! Int, (result["scenes"] as! [Any]).count)
        }
        var (total, page) = try await count("{ findScenes { count scenes { id } } }")
        XCTAssertEqual(total, 30); XCTAssertEqual(page, 25, "per_page defaults to 25")
        (total, page) = try await count("{ findScenes(filter: {per_page: -1}) { count scenes { id } } }")
        XCTAssertEqual(page, 30, "-1 returns everything")
        (total, page) = try await count("{ findScenes(filter: {per_page: 0}) { count scenes { id } } }")
        XCTAssertEqual(total, 30); XCTAssertEqual(page, 0, "0 returns nothing")
        (total, page) = try await count(
            #"{ findScenes(ids: [\"1\", \"2\"], scene_filter: {path: {value: \"nothing\", modifier: EQUALS}}) { count scenes { id } } }"#
        )
        XCTAssertEqual(total, 2, "ids override the filters")
        let (_, _, data) = try await post(#"{"query":"{ findScenes(filter: {sort: \"bogus\"}) { count } }"}"#)
        XCTAssertEqual(
            ((try json(data)["errors"]) as? [[String: Any]])?.first?["message"] as? String, "invalid sort: bogus")
    }

    func testVariableErrorsAreValidationFailures() async throws {
        let body =
            #"{"query":"mutation($i: TagCreateInput!) { tagCreate(input: $i) { id } }","variables":{"i":{"name":"x","bogus":1}}}"#
        let (status, _, data) = try await post(body, accept: "application/json")
        XCTAssertEqual(status, 422)
        XCTAssertNotNil(try json(data)["errors"])
        XCTAssertTrue(server.state.tags.isEmpty)
    }
}
