import Foundation
import Logging
import XCTest

@testable import StashClient

/// What goes on the wire: Stash's field names, absent fields left out, explicit nulls kept.
final class EncodingTests: XCTestCase {
    func encode<T: Encodable>(_ value: T) throws -> [String: Any] {
        let transport = GraphQLTransport(
            configuration: StashConfiguration(baseURL: URL(string: "http://127.0.0.1:1")!),
            logger: .init(label: "test"))
        return try JSONSerialization.jsonObject(with: transport.encoder.encode(value)) as! [String: Any]
    }

    func testOnlySetFieldsAreSentWithStashNames() throws {
        let json = try encode(
            SceneUpdateInput(id: "7", title: "T", date: .null, studioId: .value("3"), tagIds: ["1", "2"]))
        XCTAssertEqual(Set(json.keys), ["id", "title", "date", "studio_id", "tag_ids"])
        XCTAssertTrue(json["date"] is NSNull, "an explicit null clears the date")
        XCTAssertEqual(json["studio_id"] as? String, "3")
        XCTAssertEqual(json["tag_ids"] as? [String], ["1", "2"])

        let performer = try encode(
            PerformerCreateInput(
                name: "Ember", gender: .female, aliasList: ["e"],
                stashIds: [StashIDInput(endpoint: "https://stashdb.org/graphql", stashId: "abc")]))
        XCTAssertEqual(performer["gender"] as? String, "FEMALE", "enum values are upper case")
        XCTAssertEqual(performer["alias_list"] as? [String], ["e"])
        XCTAssertEqual((performer["stash_ids"] as? [[String: String]])?.first?["stash_id"], "abc")
    }

    func testFiltersKeepStashKeys() throws {
        var filter = MediaFilter(path: .pathUnder("/data/a_b (1)/"), organized: false)
        filter.or = MediaFilter(title: StringCriterion("x", .includes))
        let json = try encode(filter)
        XCTAssertEqual(Set(json.keys), ["path", "organized", "OR"])
        XCTAssertEqual((json["path"] as? [String: String])?["value"], #"^/data/a_b \(1\)/"#)
        XCTAssertEqual((json["path"] as? [String: String])?["modifier"], "MATCHES_REGEX")
        XCTAssertEqual(((json["OR"] as? [String: Any])?["title"] as? [String: String])?["modifier"], "INCLUDES")
        let page = try encode(FindFilter(page: 2, perPage: 1000, sort: "id", direction: .ascending))
        XCTAssertEqual(page["per_page"] as? Int, 1000)
        XCTAssertEqual(page["direction"] as? String, "ASC")
    }

    func testVersionParsingAndOrder() {
        XCTAssertEqual(StashVersion("v0.30.1"), StashVersion(0, 30, 1))
        XCTAssertEqual(StashVersion("0.27.0-12-gabcdef"), StashVersion(0, 27, 0))
        XCTAssertNil(StashVersion("latest"))
        XCTAssertLessThan(StashVersion("v0.26.2")!, StashClient.minimumVersion)
        XCTAssertGreaterThan(StashVersion("v0.30.1")!, StashVersion("v0.9.10")!)
    }

    func testConfigurationEndpointAndRedaction() {
        let configuration = StashConfiguration(
            baseURL: URL(string: "https://stash.example:9999/")!, apiKey: StashAPIKey("s3cret"))
        XCTAssertEqual(configuration.endpoint.absoluteString, "https://stash.example:9999/graphql")
        XCTAssertFalse(configuration.description.contains("s3cret"))
        XCTAssertTrue(configuration.description.contains("<redacted>"))
        XCTAssertFalse(String(reflecting: configuration).contains("s3cret"))
        var dumped = ""
        dump(configuration, to: &dumped)
        XCTAssertFalse(dumped.contains("s3cret"), dumped)
    }
}
